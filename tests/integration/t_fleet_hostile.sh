#!/bin/bash
# "Root on a relay host": with a relay's certificate and key, a hostile
# client speaks to the reset server directly (tests/lib/fleetclient.py)
# and tries to set grace's password without a code, to send what only
# ssprctl may, to forge its HOST, to pass for another host, to exceed
# its per-host limit, to carry a verified flow into the next one on the
# same connection.  Each is refused, and grace's password stays.
. "$SRC/tests/lib/env.sh"
. "$SRC/tests/lib/fleet.sh"
slapd_start && sink_start || exit 1
read -r P1 P2 < <(ports 2 | tr '\n' ' ')
fleet_cert relay-a relay-a.test
fleet_cert relay-b relay-b.test
server_conf srv1 "$P1" "max_per_host = 3"
daemon_start srv1 || exit 1
SRV1_PID=$DAEMON_PID
DAEMON_EXTRA_DAEMON="self_callers = yes" server_conf srvself "$P2" "host_flows = 3"
daemon_start srvself || exit 1
wait_for 10 port_open "$P1" && wait_for 10 port_open "$P2"
ok $? "the reset servers listen"
hc() { $PY "$SRC/tests/lib/fleetclient.py" "$P1" "$T/ca.pem" "$T/relay-a.pem" "$T/relay-a.key" "$@" 2>>"$T/hc.err"; }
hcb() { $PY "$SRC/tests/lib/fleetclient.py" "$P1" "$T/ca.pem" "$T/relay-b.pem" "$T/relay-b.key" "$@" 2>>"$T/hc.err"; }
log() { cat "$T/srv1.log"; }
unchanged() {
	bind_ok "uid=grace,$PEOPLE" Old-Passw0rd-grace
	ok $? "$1: grace's password is unchanged"
}

# 1. A password without a code: out of order, refused.
out=$(hc host root hello recv start grace recv newpw Evil-Passw0rd-1 recv recv)
like "$out" 'CHALLENGE' "START grace is answered as any start is"
like "$out" 'FAIL reason=1' "NEW_PASSWORD before a verified code: FAIL(PROTOCOL)"
unchanged "no code"
out=$(hc host root hello recv start grace recv answer 00000000 recv newpw Evil-Passw0rd-2 recv recv)
like "$out" 'ANSWER_BAD' "a wrong code is a wrong code"
like "$out" 'FAIL reason=1' "and NEW_PASSWORD after it is refused"
unchanged "a wrong code"
is "$(attr_of "uid=grace,$PEOPLE" ssprCodeFailure | wc -l)" 1 "the wrong code counts on grace's entry"

# 2. What only root on the reset server may do (ssprctl): never from a host.
out=$(hc host root hello recv admin 2 grace recv)
unlike "$out" 'ADMIN_END|ADMIN_LINE' "ADMIN unblock from a host gets no admin answer"
like "$out" 'FAIL reason=3|closed' "it is refused"
like "$(log)" 'fleet: host relay-a\.test sent ADMIN, which no host may send' "and logged with the host's name"
is "$(attr_of "uid=grace,$PEOPLE" ssprCodeFailure | wc -l)" 1 "grace's counters are untouched"
out=$(hc host root admin 1 recv)
unlike "$out" 'ADMIN_END|ADMIN_LINE' "ADMIN status right after HOST: no answer"

# 3. HOST: first, once, and only what a host's own root could be.
out=$(hc hello recv)
like "$out" 'FAIL reason=1|closed' "no HOST first: refused"
like "$(log)" 'host relay-a\.test: the first frame is not a valid HOST' "logged"
out=$(hc host root host root recv)
like "$out" 'FAIL reason=3|closed' "a second HOST: refused"
like "$(log)" 'host relay-a\.test sent HOST, which no host may send' "logged"
out=$(hc host allowed 0 recv)
like "$out" 'FAIL reason=1|closed' "an 'allowed' caller with uid 0: refused"
like "$(log)" 'HOST names no caller a host can have' "logged"
out=$(hc host self 0 root hello recv)
like "$out" 'FAIL reason=1|closed' "a self caller that is root: refused"
out=$(hc host self 1000 alice recv)
like "$out" 'FAIL reason=3' "a self caller, where this server has self_callers = no: refused"
like "$(log)" 'fleet: host relay-a\.test: refused a self caller \(uid 1000\)' "logged"
# where self callers are allowed, a self caller acts only as the user HOST names
out=$($PY "$SRC/tests/lib/fleetclient.py" "$P2" "$T/ca.pem" "$T/relay-a.pem" "$T/relay-a.key" \
	host self 1000 alice hello recv status grace recv 2>>"$T/hc.err")
unlike "$out" 'ACCOUNT' "self caller 'alice' asking STATUS of grace gets no account answer"
like "$(cat "$T/srvself.log")" 'src=relay-a\.test/uid:1000 user=-: a caller that is not in allowed_uids asked about an account other than its own' "refused as another's account, the source being the host and the uid"

# 4. Another host's identity: only the certificate names the host.
out=$(hc host root hello relay-b.test recv start grace recv cancel)
like "$(log)" 'src=relay-a\.test/relay-b\.test user=grace' "an rhost of relay-b.test is still relay A's source"
unlike "$(log)" 'src=relay-b\.test' "nothing is counted under relay B"

# 4b. A first DNS name that is no host name does not fall back to the CN.
(umask 077 && openssl req -newkey rsa:2048 -nodes -subj "/CN=relay-a.test" \
	-keyout "$T/wild.key" -out "$T/wild.csr" 2>/dev/null)
printf 'subjectAltName=DNS:*.test,DNS:relay-c.test\nbasicConstraints=CA:FALSE\n' > "$T/wild.ext"
openssl x509 -req -in "$T/wild.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
	-CAcreateserial -days 2 -extfile "$T/wild.ext" -out "$T/wild.pem" 2>/dev/null
out=$($PY "$SRC/tests/lib/fleetclient.py" "$P1" "$T/ca.pem" "$T/wild.pem" "$T/wild.key" \
	host root hello recv 2>>"$T/hc.err")
unlike "$out" 'HELLO_OK' "a certificate whose first DNS name is *.test: not served"
like "$(log)" 'refused a host at 127\.0\.0\.1:[0-9]+: its certificate names no host' "logged as naming no host"

# 4c. A handshake trickled a byte a second (each read within [fleet]
# timeout = 5) still ends at the timeout: no certificate, no slot kept.
(
	exec 3<>"/dev/tcp/127.0.0.1/$P1" || exit 0
	printf '\026\003\001\100\000' >&3
	for _ in $(seq 1 20); do sleep 1; printf '\001' >&3 2>/dev/null || exit 0; done
) &
TRICKLE=$!
timedout() { grep -c 'refused a host at 127\.0\.0\.1:[0-9]*: connection closed or timed out' "$T/srv1.log"; }
N0=$(timedout)
trickled() { [ "$(timedout)" -gt "$N0" ]; }
wait_for 12 trickled
ok $? "a trickled handshake is ended within the timeout"
kill "$TRICKLE" 2>/dev/null; wait "$TRICKLE" 2>/dev/null

# 5. Per-host limit (max_per_host = 3): a fourth connection is BUSY; another
# host is still served meanwhile.
HP=()
for i in 1 2 3; do
	mkfifo "$T/hold$i"
	(hc host root hello recv hold <"$T/hold$i" >"$T/held$i") &
	HP+=($!)
	exec {fd}>"$T/hold$i"
	eval "HOLD$i=$fd"
done
held() { grep -q HELLO_OK "$T/held1" && grep -q HELLO_OK "$T/held2" && grep -q HELLO_OK "$T/held3"; }
wait_for 20 held
ok $? "three connections of relay A are up"
out=$(hc host root hello recv)
like "$out" 'FAIL reason=9' "a fourth from relay A: FAIL(BUSY)"
like "$(log)" 'host relay-a\.test \(127\.0\.0\.1:[0-9]+\): over max_per_host \(3 connections at once\)' "logged"
out=$(hcb host root hello recv)
like "$out" 'HELLO_OK' "relay B is served meanwhile"
for i in 1 2 3; do eval "exec {HOLD$i}>&-"; done
wait "${HP[@]}"
out=$(hc host root hello recv)
like "$out" 'HELLO_OK' "relay A is served again once its connections close"

# 5b. Per-host rate (server "self": host_flows = 3 per source_window):
# naming a new terminal for each flow does not escape it.
hb2() { $PY "$SRC/tests/lib/fleetclient.py" "$P2" "$T/ca.pem" "$T/relay-b.pem" "$T/relay-b.key" "$@" 2>>"$T/hc.err"; }
for i in 1 2 3; do
	out=$(hb2 host root hello "10.0.0.$i" recv start "nosuch$i" recv)
	like "$out" 'CHALLENGE' "relay B's flow $i (rhost 10.0.0.$i) starts"
done
out=$(hb2 host root hello 10.0.0.4 recv start nosuch4 recv)
like "$out" 'FAIL reason=13' "its fourth, from yet another rhost: FAIL(THROTTLED)"
like "$(cat "$T/srvself.log")" 'host relay-b\.test over \[fleet\] host_flows \(3\)' "logged"
out=$($PY "$SRC/tests/lib/fleetclient.py" "$P2" "$T/ca.pem" "$T/relay-a.pem" "$T/relay-a.key" \
	host root hello 10.0.0.5 recv start nosuch5 recv 2>>"$T/hc.err")
like "$out" 'CHALLENGE' "relay A is not held back by relay B's count"

# 6. A frame over the cap: the connection closes, the server stays.
out=$(hc host root toolong recv)
like "$out" 'closed' "a 5000-byte length: closed"
like "$(log)" 'host relay-a\.test: malformed frame' "logged"
out=$(hc host root hello recv)
like "$out" 'HELLO_OK' "the server still serves"
unchanged "after all of it"

# 7. A kept connection carries flows one after another, each with its own
# HOST, checked as the first was, named by the certificate alone; nothing
# of one flow reaches the next.
nlog=$(wc -l < "$T/srv1.log")
one() { tr '\n' ' '; }
out=$(hc host root hello recv status grace recv host allowed 1000 hello recv start alice recv | one)
like "$out" 'ACCOUNT.*HELLO_OK.*CHALLENGE' "two flows in a row on one connection"
new=$(tail -n +$((nlog + 1)) "$T/srv1.log")
like "$new" 'uid=1000 pid=0 svc=fleet-test src=relay-a\.test/pts/9 user=alice' "the second is the second HOST's caller, under the certificate's name"
out=$(hc host root hello recv status grace recv host allowed 0 hello recv | one)
unlike "$out" 'HELLO_OK.*HELLO_OK' "a second HOST that names no caller a host can have: refused"
like "$(log)" 'HOST names no caller a host can have' "logged"
n=$(( $(mail_count grace@example.test) + 1 ))
out=$(T=$T hc host root hello recv start grace recv code grace@example.test "$n" recv host root hello recv | one)
like "$out" 'VERIFIED' "grace's code is right on the first flow"
unlike "$out" 'VERIFIED.*HELLO_OK' "a HOST before the flow's last answer: refused"
like "$(log)" 'host relay-a\.test sent HOST, which no host may send now' "logged"
n=$(( $(mail_count grace@example.test) + 1 ))
out=$(T=$T hc host root hello recv start grace recv code grace@example.test "$n" recv \
	status grace recv host root hello recv newpw Evil-Passw0rd-7 recv | one)
like "$out" 'VERIFIED.*FAIL reason=1.*HELLO_OK' "a verified flow ended by its last answer; the next starts"
like "$out" 'HELLO_OK FAIL reason=1' "NEW_PASSWORD in the next flow: refused, no code was verified there"
unchanged "a verified flow before it on the same connection"
out=$(hc host root hello recv status grace recv admin 1 recv | one)
unlike "$out" 'ADMIN_END|ADMIN_LINE' "ADMIN between flows: no admin answer"

# 7d. The event loop reads a host's TLS itself (server.c): frames that
# share a TLS record, and one split over many, are each served once and
# whole; a frame that stops halfway closes the connection at [fleet]
# timeout (3 s here), unanswered.
out=$(hc batch host root hello flush recv status grace recv | one)
is "$out" 'HELLO_OK ACCOUNT ' "HOST and HELLO in one TLS record: the HELLO is not left in OpenSSL's buffer"
out=$(hc host root batch hello status grace flush recv recv | one)
is "$out" 'HELLO_OK ACCOUNT ' "HELLO and STATUS in one TLS record: both answered"
out=$(hc host root hello recv status grace recv batch host allowed 1000 hello status alice flush recv recv | one)
is "$out" 'HELLO_OK ACCOUNT HELLO_OK ACCOUNT ' "the next flow's HOST, HELLO and STATUS in one record after a last answer: its own flow"
out=$(hc host root trickle hello recv trickle status grace recv | one)
is "$out" 'HELLO_OK ACCOUNT ' "frames a byte per TLS record: served whole"
nlog=$(wc -l < "$T/srv1.log")
t0=$(date +%s)
out=$(hc host root hello recv partial 5 status grace recv | one)
is "$out" 'HELLO_OK closed ' "a frame that stops after 5 bytes: closed, no answer"
[ $(($(date +%s) - t0)) -ge 2 ]
ok $? "not before [fleet] timeout"
like "$(tail -n +$((nlog + 1)) "$T/srv1.log")" 'fleet: host relay-a\.test: frame not complete in time' "logged"
out=$(hc host root hello recv batch status grace host root hello flush recv recv | one)
is "$out" 'HELLO_OK FAIL reason=3 closed ' "a HOST in the record of the flow's last request, before its answer: refused"

# 7a. Flows on one kept connection each count in host_flows (server
# "self": 3 per window; relay A has spent one there, in 5b).
ha2() { $PY "$SRC/tests/lib/fleetclient.py" "$P2" "$T/ca.pem" "$T/relay-a.pem" "$T/relay-a.key" "$@" 2>>"$T/hc.err"; }
out=$(ha2 host root hello 10.0.1.1 recv start nosuch6 recv newpw Evil-Passw0rd-8 recv \
	host root hello 10.0.1.2 recv start nosuch7 recv newpw Evil-Passw0rd-9 recv \
	host root hello 10.0.1.3 recv start nosuch8 recv | one)
like "$out" '^HELLO_OK CHALLENGE.* FAIL reason=1 HELLO_OK CHALLENGE.* FAIL reason=1 HELLO_OK FAIL reason=13' \
	"relay A's flows 2 and 3 on one connection start; its fourth: FAIL(THROTTLED)"

# 7b. keep_seconds = 0: a connection carries one flow, also when the next
# HOST comes before the loop has closed the flow that ended (the race a
# fast relay wins): closed unanswered, every time.
printf 'keep_seconds = 0\n' >> "$T/srv1.conf"
reload srv1 "$SRV1_PID"
ok $? "server 1 reloaded with keep_seconds = 0"
served=0
for _ in $(seq 1 15); do
	out=$(hc host root hello recv status grace recv host root hello recv | one)
	case $out in *ACCOUNT*HELLO_OK*) served=$((served + 1)) ;; esac
done
is "$served" 0 "no second flow is served on a connection with keep_seconds = 0"

# 7c. max_connections = 2, both held by relay A's kept connections, idle
# between flows: relay B's new connection is served, the longest idle
# one closed for it (its relay would send its next flow on a new one).
sed -i 's/^keep_seconds = 0$/keep_seconds = 30/' "$T/srv1.conf"
printf 'max_connections = 2\n' >> "$T/srv1.conf"
reload srv1 "$SRV1_PID"
ok $? "server 1 reloaded with max_connections = 2, keep_seconds = 30"
HP=()
for i in 4 5; do
	mkfifo "$T/hold$i"
	(hc host root hello recv status grace recv hold <"$T/hold$i" >"$T/held$i") &
	HP+=($!)
	exec {fd}>"$T/hold$i"
	eval "HOLD$i=$fd"
done
idle2() { grep -q ACCOUNT "$T/held4" && grep -q ACCOUNT "$T/held5"; }
wait_for 20 idle2
ok $? "relay A's two connections are idle after their flows"
b_served() { hcb host root hello recv | grep -q HELLO_OK; }
wait_for 10 b_served
ok $? "relay B's new connection is served meanwhile"
like "$(log)" 'max_connections \(2\) reached; a kept idle connection of host relay-a\.test closed for a new one' \
	"logged: an idle kept connection made room"
for i in 4 5; do eval "exec {HOLD$i}>&-"; done
wait "${HP[@]}"

done_testing
