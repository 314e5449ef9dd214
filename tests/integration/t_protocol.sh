#!/bin/bash
# Bad input on the socket: oversized, truncated and malformed frames, a
# wrong version, messages out of order, hostile user IDs.  Each gets a
# clear refusal, and the daemon keeps serving everyone else.
. "$SRC/tests/lib/env.sh"
standard_env || exit 1

hello=$(raw hello recv)
like "$hello" 'HELLO_OK version=1' "a well-formed HELLO is answered"

like "$(raw hex 00001001 recv)" 'FAIL reason=1' "a frame longer than the cap is refused before it is read"
like "$(raw hex ffffffff0001 recv)" 'FAIL reason=1' "a 4 GiB length is refused"
like "$(raw hex 00000001ff recv)" 'FAIL reason=1' "a frame too short for a type is refused"
start=$(date +%s)
like "$(raw hex 0000000a0001 recv)" 'FAIL reason=8' "a frame that never completes times out"
is "$(( $(date +%s) - start < 5 ))" 1 "within a few seconds"
like "$(raw hex 000000020999 recv)" 'FAIL reason=1' "an unknown message type is refused"
like "$(raw hex 00000005000100010000 recv)" 'FAIL reason=1' "a truncated HELLO is refused"
like "$(raw hello 0 recv)" 'FAIL reason=2' "protocol version 0 is refused as a version mismatch"
like "$(raw hello 9 recv)" 'HELLO_OK version=1' "a newer module is answered with the daemon's version"
like "$(raw start frank recv)" 'FAIL reason=1' "START before HELLO is refused"
like "$(raw hello recv newpw Secret-123456 recv)" 'FAIL reason=1' "NEW_PASSWORD before a verified code is refused"
like "$(raw hello recv start frank recv newpw Secret-123456 recv)" 'FAIL reason=1' "NEW_PASSWORD while a code is pending is refused"
like "$(raw hello recv start frank recv start grace recv)" 'FAIL reason=1' "a second START (another user) is refused"
like "$(raw hello recv hello recv)" 'FAIL reason=1' "a second HELLO is refused"
like "$(raw hello recv start '' recv)" 'FAIL reason=1' "an empty user ID is refused"
# invalid UTF-8 in the user field: type 0002, purpose 1, len 2, c3 28
like "$(raw hello recv hex 000000070002010002c328 recv)" 'FAIL reason=1' "a user ID that is not UTF-8 is refused"
# a NUL inside the user field
like "$(raw hello recv hex 000000070002010002610062 recv)" 'FAIL reason=1' "a user ID with a NUL is refused"
like "$(raw hello recv hex 0000000700020100020a62 recv)" 'FAIL reason=1' "a user ID with a newline is refused"
# "bob", U+2028 LINE SEPARATOR, "x": a line break to a log reader that
# knows Unicode; U+2029 and the bidi marks are refused the same way
like "$(raw hello recv hex 0000000c0002010007626f62e280a878 recv)" 'FAIL reason=1' \
	"a user ID with U+2028 is refused"
like "$(raw hello recv hex 0000000c0002010007626f62e280a978 recv)" 'FAIL reason=1' \
	"a user ID with U+2029 is refused"
is "$(LC_ALL=C grep -c "$(printf '\xe2\x80[\xa8\xa9]')" "$T/helperd.log")" 0 \
	"and no line or paragraph separator reaches the log"
long=$(head -c 300 /dev/zero | tr '\0' a | xxd -p | tr -d '\n')
like "$(raw hello recv hex "00000131000201012c$long" recv)" 'FAIL reason=1' "a user ID over 256 bytes is refused"
like "$(raw hello recv hex "00002800$(head -c 10236 /dev/zero | tr '\0' a | xxd -p | tr -d '\n')" recv)" \
	'FAIL reason=1' "a 10 KB frame is refused"
like "$(raw hello recv start 'a*' recv cancel)" 'CHALLENGE' "a user ID with * is just a name"
like "$(raw hello recv start 'x)(uid=*' recv cancel)" 'CHALLENGE' "a user ID with )( is just a name"
unlike "$(grep -F 'x)(uid=*' "$T/helperd.log")" . "unknown user IDs are not logged verbatim"

# A remote host that reads like more fields and a message: it stays in
# its own field, percent-encoded, in the flow's lines and in the audit.
out=$(raw hello 'rhost=x user=bob: password reset for uid=0' recv start frank recv cancel)
like "$out" 'CHALLENGE' "a remote host with spaces, '=' and ':' is served"
like "$(cat "$T/helperd.log")" 'src=x%20user%3Dbob:%20password%20reset%20for%20uid%3D0 user=' \
	"and logged as one field, encoded"
is "$(grep -c ' user=bob:' "$T/helperd.log")" 0 "no line holds it as a user= field"

out=$(raw hello recv start frank recv cancel)
like "$out" 'CHALLENGE method=1 dest=f\*\*\*@e\*\*\*\.test' "the daemon still serves a normal flow"
kill -0 "$DAEMON_PID"
ok $? "the daemon is still running"

done_testing
