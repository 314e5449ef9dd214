#!/bin/bash
# No enumeration by timing: up to the code prompt, a real account, an
# unknown one, an ineligible one and a throttled one take the same time.
# 200 interleaved flows per group; START -> CHALLENGE measured by the
# client; the medians must agree within a small bound.  (Sending the mail
# happens after the answer, so it cannot show.)
. "$SRC/tests/lib/env.sh"
DAEMON_EXTRA_THROTTLE="codes_per_window = 50" standard_env || exit 1
ldapadmin ldapmodify >/dev/null <<EOF2
dn: uid=dave,$PEOPLE
changetype: modify
add: objectClass
objectClass: ssprAccount
-
replace: ssprBlockedUntil
ssprBlockedUntil: $(( $(date +%s) + 86400 ))
EOF2
ok $? "dave is blocked by the throttle"

real=(alice frank grace carol)
inel=(bob eve twin mallory)
N=200
for i in $(seq 0 $((N - 1))); do
	h="rhost=10.9.$((i / 250)).$((i % 250))"
	raw hello "$h" recv timed "${real[i % 4]}" cancel | sed -n 's/^us=\([0-9]*\) CHALLENGE.*/real \1/p'
	raw hello "$h" recv timed "nobody$i" cancel | sed -n 's/^us=\([0-9]*\) CHALLENGE.*/unknown \1/p'
	raw hello "$h" recv timed "${inel[i % 4]}" cancel | sed -n 's/^us=\([0-9]*\) CHALLENGE.*/ineligible \1/p'
	raw hello "$h" recv timed dave cancel | sed -n 's/^us=\([0-9]*\) CHALLENGE.*/throttled \1/p'
done > "$T/times"

median() { awk -v g="$1" '$1 == g { print $2 }' "$T/times" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
count() { awk -v g="$1" '$1 == g' "$T/times" | wc -l; }
for g in real unknown ineligible throttled; do
	is "$(count $g)" "$N" "$N $g flows reached the challenge"
done
mr=$(median real)
echo "# medians (us): real $mr, unknown $(median unknown), ineligible $(median ineligible), throttled $(median throttled)"
# Bound: 1 ms or a quarter of the real median, whichever is larger.
bound=$(( mr / 4 > 1000 ? mr / 4 : 1000 ))
for g in unknown ineligible throttled; do
	m=$(median $g)
	d=$(( m > mr ? m - mr : mr - m ))
	ok $(( d <= bound ? 0 : 1 )) "$g: median $m us vs real $mr us (|diff| $d <= $bound)"
done
# the codes go out after the challenges were answered: wait for the
# real accounts' mails before counting that there are no others
mails_at_least() { [ "$(ls "$T/mail" | wc -l)" -ge "$1" ]; }
wait_for 60 mails_at_least "$N"
is "$(ls "$T/mail" | wc -l)" "$N" "only the real accounts were sent mail ($N)"

done_testing
