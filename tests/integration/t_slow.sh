#!/bin/bash
# One slow server must not stall other people's flows: the daemon's loop
# never waits on the directory or the mail server.  A dead directory
# server costs one timeout, then the next one is used by every worker.
. "$SRC/tests/lib/env.sh"
slapd_start || exit 1
SINK_DELAY=3 sink_start || exit 1
MC="$SRC/tests/lib/env-mailcode.sh $T"

# A "black hole" directory: accepts TCP connections, never answers.
BH_PORT=$(ports 1)
$PY -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64); time.sleep(3600)' "$BH_PORT" &
PIDS+=($!)
# Listening before the daemon's first flow: a refused connection fails
# over at once and would not show the timeout.
bh_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$BH_PORT") 2>/dev/null; }
wait_for 10 bh_listening || { echo "black hole did not listen"; exit 1; }
# Throttle counters in the local file: verifying a code then needs no
# directory at all (with store = directory it reads the counters).
THROTTLE_STORE=file DIR_URI="ldap://127.0.0.1:$BH_PORT $LDAP_URI" DIR_TIMEOUT=2 \
	daemon_start || exit 1

ms() { date +%s%3N; }

# Failover: the first flow waits for the black hole once, then moves on.
t0=$(ms)
out=$(raw hello recv start frank recv cancel)
t1=$(ms)
like "$out" 'CHALLENGE' "a flow is served by the second server when the first hangs"
is "$(( t1 - t0 >= 1500 && t1 - t0 < 8000 ))" 1 "after about one timeout ($((t1 - t0)) ms)"
t0=$(ms)
for u in a1 a2 a3 a4 a5 a6; do raw hello recv start "$u" recv cancel > "$T/fo.$u" & done
wait $(jobs -p | tail -n 6)
t1=$(ms)
is "$(cat "$T"/fo.* | grep -c CHALLENGE)" 6 "six more flows are served"
is "$(( t1 - t0 < 1500 ))" 1 "without waiting for the dead server again ($((t1 - t0)) ms)"

# A slow mail server (3 s per message) does not delay the challenge.
t0=$(ms)
raw hello recv start frank recv sleep 100 cancel > "$T/m1" &
m1=$!
raw hello recv start grace recv sleep 100 cancel > "$T/m2" &
m2=$!
wait $m1 $m2
t1=$(ms)
is "$(cat "$T/m1" "$T/m2" | grep -c CHALLENGE)" 2 "two flows get their challenge"
is "$(( t1 - t0 < 1500 ))" 1 "while their mails take 3 s each ($((t1 - t0)) ms)"

# A frozen directory stalls only the flows that need it.  alice's flow
# has its code (her first mail in this test) before slapd is frozen, and
# answers only once it is: its answer waits for $T/frozen.
raw hello recv start alice recv answer \
	"!until [ -f $T/frozen ]; do sleep 0.05; done; $MC alice@example.test 1" \
	recv cancel > "$T/verify.out" &
v=$!
wait_for 30 mail_at_least alice@example.test 1
kill -STOP "$(cat "$T/slapd.pid")"
raw hello recv start frank recv > "$T/frozen.out" &
f=$!
t0=$(ms)
touch "$T/frozen"
wait $v
t1=$(ms)
like "$(cat "$T/verify.out")" 'VERIFIED' "a code is verified while the directory is frozen"
is "$(( t1 - t0 < 1500 ))" 1 "at once ($((t1 - t0)) ms)"
wait $f
like "$(cat "$T/frozen.out")" 'FAIL reason=4' "the flow that needed the frozen directory is told it is unavailable"
kill -CONT "$(cat "$T/slapd.pid")"

done_testing
