#!/bin/bash
# One-time codes: a wrong code, too many attempts, an expired code, a
# used code, and a newer code making the older one useless.
. "$SRC/tests/lib/env.sh"
CODE_LIFETIME=10 standard_env || exit 1
MC="$SRC/tests/lib/env-mailcode.sh $T"

# A wrong code costs an attempt; five end the flow.
out=$(raw hello recv start carol recv answer 00000000 recv answer 11111111 recv \
	answer 22222222 recv answer 33333333 recv answer 44444444 recv eof)
like "$out" 'CHALLENGE method=1 dest=c\*\*\*@e\*\*\*\.test lifetime=10 len=8' "challenge names the masked address"
like "$out" 'ANSWER_BAD left=4' "first wrong code: 4 attempts left"
like "$out" 'ANSWER_BAD left=1' "fourth wrong code: 1 attempt left"
like "$out" 'FAIL reason=7' "fifth wrong code ends the flow (too many)"
like "$out" 'closed$' "and the daemon closes the connection"

# Codes with spaces or hyphens are accepted; letters count as wrong.
out=$(raw hello recv start frank recv answer 12ab5678 recv \
	answer "!$MC frank@example.test 1 | sed 's/..../& /'" recv cancel)
like "$out" 'ANSWER_BAD left=4' "letters in a code are a wrong attempt"
like "$out" 'VERIFIED' "a code typed as '1234 5678' is accepted"

# An expired code is refused even if right.
out=$(raw hello recv start grace recv sleep 11000 answer "!$MC grace@example.test 1" recv eof)
like "$out" 'FAIL reason=6' "a correct code after its lifetime is refused as expired"

# A used code cannot be used again: the flow moves on, and a new flow
# needs a new code.
out=$(raw hello recv start frank recv answer "!$MC frank@example.test 2" recv \
	answer "!$MC frank@example.test 2" recv eof)
like "$out" 'VERIFIED' "the right code is accepted once"
like "$out" 'FAIL reason=1' "sending a code again after verification is a protocol error"
out=$(raw hello recv start frank recv answer "!$MC frank@example.test 2" recv cancel)
like "$out" 'ANSWER_BAD left=4' "an old code does not work in a new flow"

# Two flows for one account: only the newest code is valid.
raw hello recv start grace recv sleep 2500 answer "!$MC grace@example.test 2" recv cancel \
	> "$T/flowA.out" &
flowA=$!
sleep 1
outB=$(raw hello recv start grace recv sleep 2500 answer "!$MC grace@example.test 3" recv cancel)
wait $flowA
like "$(cat "$T/flowA.out")" 'ANSWER_BAD' "the older flow's code was invalidated by the newer one"
like "$outB" 'VERIFIED' "the newest code works"

# Ten flows for one account open at once: only the newest code works.
# Each answers when told (a go file), the newest first, so that the nine
# wrong ones cannot block the account before it (however slow the build).
cat > "$T/await.sh" <<EOF
#!/bin/sh
while [ ! -e "$T/go.\$1" ]; do sleep 0.05; done
exec $MC dave@example.test "\$1"
EOF
chmod 755 "$T/await.sh"
pids=()
for i in $(seq 10); do
	raw hello rhost=192.0.2.$i recv start dave recv \
		answer "!$T/await.sh $i" recv cancel > "$T/many.$i" &
	pids+=($!)
	wait_for 10 mail_at_least dave@example.test "$i"
done
touch "$T/go.10"
wait "${pids[9]}"
for i in $(seq 9); do touch "$T/go.$i"; done
wait "${pids[@]}"
is "$(cat "$T"/many.* | grep -c VERIFIED)" 1 "of ten concurrent flows, exactly one verifies"
like "$(cat "$T/many.10")" VERIFIED "and it is the newest"
is "$(cat "$T"/many.* | grep -cE 'ANSWER_BAD|FAIL reason=7')" 9 \
	"the nine older codes are refused (wrong, then blocked after five)"

# Codes are hashed: the daemon log never shows one.
c1=$($MC frank@example.test 1)
unlike "$(cat "$T/helperd.log")" "${c1:-none}" "codes never appear in the log"

done_testing
