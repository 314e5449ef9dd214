#!/bin/bash
# Recovery codes through the real PAM stack against slapd: ten codes taken
# at the account step (shown once; the entry holds their hashes only, and
# no log holds a code); a reset with one code for an account that has
# nothing else (it sees the challenge an unknown name sees), the code gone
# afterwards, and used again it is a wrong code; two methods (email, then
# a recovery code); methods = rcodes alone; the warning at two or fewer
# left; new codes at the account step revoke the old set, and so does
# ssprctl rcodes issue, even for a flow that had read the old one.
. "$SRC/tests/lib/env.sh"
slapd_start && sink_start || exit 1
daemon_conf "$T/helperd.conf"
cat >> "$T/helperd.conf" <<EOF
methods = email rcodes
methods_required = 1

[register]
enabled = yes
EOF
daemon_start || exit 1
ARGS="socket=$T/run/helperd.sock daemon_user=$(id -un)"
{
	module_line
	ldapcheck_line
	echo "account required $BUILD/pam_sspr.so $ARGS"
	echo "account required pam_permit.so"
} | pam_service sspr-test
MC="$SRC/tests/lib/env-mailcode.sh $T"
CTL="$BUILD/ssprctl -c $T/helperd.conf"
BOB="uid=bob,$PEOPLE"
login() { DRIVE_OPS=login drive "$@"; }
pick() {	# pick NAME TEXT TRANSCRIPT: a command answering the menu number
	cat > "$T/pick-$1.sh" <<-EOF
	#!/bin/sh
	grep -oE '[0-9]+  $2' "$3" | tail -n1 | awk '{print \$1}'
	EOF
	chmod 755 "$T/pick-$1.sh"
	echo "$T/pick-$1.sh"
}
codes_in() { grep -oE '\b[A-Z0-9]{5}-[A-Z0-9]{5}\b' "$@"; }
left() { attr_of "$BOB" ssprRecoveryCode | grep -c '^v1\$scrypt\$'; }
setpolicy() {	# setpolicy KEY VALUE: in [policy], then a reload (SIGHUP)
	sed -i "s|^$1 = .*|$1 = $2|" "$T/helperd.conf"
	local n
	n=$(grep -c 'configuration reloaded' "$T/helperd.log")
	kill -HUP "$DAEMON_PID"
	wait_for 10 bash -c "[ \$(grep -c 'configuration reloaded' '$T/helperd.log') -gt $n ]"
}
reset_ok() {	# reset_ok USER CODE NEWPW: a reset with one code
	s=$(script "ok-$1" <<-EOF
	^Password => 
	^Choose 1 or 2 => 1
	^Verification code => $2
	^New password: => $3
	^Retype new password: => $3
	EOF
	)
	drive "$1" "$s"
}
reset_bad() {	# reset_bad USER CODE: the code refused, then cancelled
	s=$(script "bad-$1" <<-EOF
	^Password => 
	^Choose 1 or 2 => 1
	^Verification code => $2
	^Verification code => 
	EOF
	)
	drive "$1" "$s"
}

# --- taken at the account step: shown once, stored hashed ----------------
s=$(script take <<EOF
^Password => Old-Passw0rd-bob
^Choose a number => !$(pick take1 'Get recovery codes to print' "$T/take.out")
^Choose a number => !$(pick take2 'Looks good' "$T/take.out")
EOF
)
login bob "$s" > "$T/take.out"
ok $? "login: the registration conversation went as scripted"
out=$(cat "$T/take.out")
like "$out" 'Your recovery codes\. Each works once' "the codes are introduced"
like "$out" 'Recovery codes: taken' "and listed as registered"
like "$out" 'result: Success' "the login goes on"
is "$(codes_in "$T/take.out" | sort -u | wc -l)" 10 "ten different codes are shown"
is "$(grep -c 'Your recovery codes\.' "$T/take.out")" 1 "once"
mapfile -t CODES < <(codes_in "$T/take.out")
is "$(left)" 10 "the entry holds ten values"
stored=$(attr_of "$BOB" ssprRecoveryCode)
leaked=0
for c in "${CODES[@]}"; do
	grep -qF "$c" <<<"$stored" && leaked=1
	grep -qF "${c/-/}" <<<"$stored" && leaked=1
	grep -qF "$c" "$T/helperd.log" && leaked=1
done
is "$leaked" 0 "neither the entry nor the log holds a code"
like "$(grep 'event=register' "$T/helperd.log")" 'result=ok reason=rcodes' "the registration is audited"

# --- a reset with one code (bob has nothing else) -------------------------
out=$(reset_ok bob "${CODES[0]}" New-Passw0rd-bob1)
like "$out" 'A verification code has been sent to b\*\*\*@' "an account with only codes sees an unknown name's challenge"
like "$out" 'Your password has been changed' "one code resets the password"
bind_ok "$BOB" New-Passw0rd-bob1
ok $? "bob binds with the new password"
is "$(left)" 9 "the code's value is gone from the entry"
like "$(grep 'event=reset' "$T/helperd.log" | tail -n1)" 'result=ok .*method=rcodes' "the reset is audited with its method"

out=$(reset_bad bob "${CODES[0]}")
like "$out" 'That code is not right' "a used code is a wrong code"
unlike "$out" 'Your password has been changed' "and changes nothing"
bind_ok "$BOB" New-Passw0rd-bob1
ok $? "bob keeps the password the code set"
like "$(grep 'event=code_failed' "$T/helperd.log" | tail -n1)" 'reason=wrong user=bob' "counted like a wrong code"

# --- two methods: the mailed code, then a recovery code --------------------
$CTL rcodes issue alice > "$T/alice.codes"
ok $? "ssprctl rcodes issue alice"
mapfile -t ALICE < <(codes_in "$T/alice.codes")
is "${#ALICE[@]}" 10 "prints ten codes"
setpolicy methods_required 2
s=$(script two <<EOF
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC alice@example.test 1
^Recovery code => ${ALICE[4]}
^New password: => Fresh-Pass-Word-42
^Retype new password: => Fresh-Pass-Word-42
EOF
)
out=$(drive alice "$s")
like "$out" 'Type one of your recovery codes' "the second method asks for a recovery code"
like "$out" 'Your password has been changed' "email and a code reset the password"
is "$(attr_of "uid=alice,$PEOPLE" ssprRecoveryCode | grep -c .)" 9 "and that code is gone"
setpolicy methods_required 1

# --- recovery codes the only method a reset may use --------------------------
setpolicy methods rcodes
out=$(reset_ok alice "${ALICE[5]}" Fresh-Pass-Word-43)
like "$out" 'Your password has been changed' "methods = rcodes: a code alone resets alice"
is "$(attr_of "uid=alice,$PEOPLE" ssprRecoveryCode | grep -c .)" 8 "and is gone"
is "$(mail_count alice@example.test)" 1 "no mail was sent to her (only the first method's code, earlier)"
setpolicy methods "email rcodes"

# --- the warning at two or fewer left, and new codes from there ------------
for c in "${CODES[@]:1:7}"; do
	out=$(reset_ok bob "$c" "New-Passw0rd-bob-$c")
done
is "$(left)" 2 "two left"
s=$(script low <<EOF
^Password => New-Passw0rd-bob-${CODES[7]}
^Choose a number => !$(pick low1 'Get new recovery codes' "$T/low.out")
^Choose a number => !$(pick low2 'Looks good' "$T/low.out")
EOF
)
login bob "$s" > "$T/low.out"
out=$(cat "$T/low.out")
like "$out" 'You have two or fewer recovery codes left' "the account step warns"
like "$out" 'Any earlier recovery codes no longer work' "new ones are taken there"
mapfile -t NEW < <(codes_in "$T/low.out")
is "${#NEW[@]}" 10 "ten new codes"
is "$(left)" 10 "the entry holds the new set only"
out=$(reset_bad bob "${CODES[8]}")
like "$out" 'That code is not right' "an old code left over no longer works"

# --- ssprctl re-issues: the old set is revoked -----------------------------
# ... between the reset's lookup and its answer: the code still matches
# what the lookup read, and the directory's delete of its value refuses
printf '#!/bin/sh\n%s rcodes issue bob > %s || exit 1\necho "$1"\n' \
	"$CTL" "$T/bob.codes" > "$T/reissue.sh"
chmod 755 "$T/reissue.sh"
out=$(reset_bad bob "!$T/reissue.sh ${NEW[0]}")
like "$(cat "$T/bob.codes")" 'new recovery codes for uid=bob' "ssprctl rcodes issue bob: says for whom"
mapfile -t ISSUED < <(codes_in "$T/bob.codes")
is "${#ISSUED[@]}" 10 "prints ten codes"
like "$out" 'That code is not right' "the set taken at login is revoked, even for a flow that read it"
like "$(grep 'user=bob' "$T/helperd.log" | tail -n 5)" 'a recovery code that was used meanwhile' \
	"(refused by the directory's delete of its value)"
out=$(reset_bad bob "${NEW[1]}")
like "$out" 'That code is not right' "another code of the revoked set"
out=$(reset_ok bob "${ISSUED[0]}" New-Passw0rd-bob5)
like "$out" 'Your password has been changed' "an issued code works"
like "$(grep 'event=admin' "$T/helperd.log")" 'reason=rcodes-issue' "the re-issue is audited"
leaked=0
for c in "${ISSUED[@]}" "${NEW[@]}"; do
	grep -qF "$c" "$T/helperd.log" && leaked=1
done
is "$leaked" 0 "no code reached the log"
out=$($CTL rcodes issue root 2>&1)
ok $((!$?)) "ssprctl rcodes issue: an unknown account is refused"

done_testing
