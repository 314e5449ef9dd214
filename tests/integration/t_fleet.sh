#!/bin/bash
# Fleets: two reset servers and two relays on loopback, real TLS with
# client certificates from the test CA.  A reset through PAM on relay A;
# the same person blocked on relay B after wrong codes on A; flows on a
# kept connection, and on a new one when the server closed the kept one;
# server 1 killed mid-flow; relays whose certificates the servers refuse.
. "$SRC/tests/lib/env.sh"
. "$SRC/tests/lib/fleet.sh"
slapd_start && sink_start || exit 1
read -r P1 P2 < <(ports 2 | tr '\n' ' ')
fleet_cert relay-a relay-a.test
fleet_cert relay-b relay-b.test
fleet_cert ops ops.test
fleet_ca_init

server_conf srv1 "$P1" "crl_file = $T/crl.pem"
server_conf srv2 "$P2" "crl_file = $T/crl.pem
admin_hosts = ops.test
keep_seconds = 2"
daemon_start srv1 || exit 1
SRV1_PID=$DAEMON_PID
daemon_start srv2 || exit 1
SRV2_PID=$DAEMON_PID
wait_for 10 port_open "$P1" && wait_for 10 port_open "$P2"
ok $? "both reset servers listen"
relay_conf relayA relay-a "localhost:$P1" "localhost:$P2"
relay_conf relayB relay-b "localhost:$P1" "localhost:$P2"
daemon_start relayA || exit 1
RELAY_A_PID=$DAEMON_PID
daemon_start relayB || exit 1
RELAY_B_PID=$DAEMON_PID
ra() { SOCKET=$T/run/relayA.sock raw "$@"; }
rb() { SOCKET=$T/run/relayB.sock raw "$@"; }

# --check covers the fleet's files and the listener.
out=$("$BUILD/sspr-helperd" --config "$T/srv1.conf" --check 2>&1 >/dev/null)
ok $? "--check passes on reset server 1's config"
like "$out" '\[fleet\] certificate, key, CA and CRL load' "it loads the certificate, key, CA and CRL"
like "$out" "\\[fleet\\] listen 127\\.0\\.0\\.1:$P1: in use" "and finds the listener in use by the running server"
sed "s|^crl_file = .*|crl_file = $T/no-such.crl|" "$T/srv1.conf" > "$T/badcrl.conf"
chmod 600 "$T/badcrl.conf"
out=$("$BUILD/sspr-helperd" --config "$T/badcrl.conf" --check 2>&1 >/dev/null)
ok $((!$?)) "--check fails on a CRL that cannot be read"
like "$out" "crl_file $T/no-such.crl: cannot be read" "and names it"
out=$("$BUILD/sspr-helperd" --config "$T/relayA.conf" --check 2>&1 >/dev/null)
ok $? "--check passes on relay A's config"

# The relay holds nothing that can change a password.
unlike "$(cat "$T/relayA.conf")" 'bind|password|smtp' "relay A's config names no directory or mail credential"
cp "$T/relayA.conf" "$T/bad-relay.conf"
printf '\n[directory]\nbind_password_file = %s\n' "$T/bindpw" >> "$T/bad-relay.conf"
out=$("$BUILD/sspr-helperd" --config "$T/bad-relay.conf" --check 2>&1)
r=$?
ok $((!r)) "--check refuses a relay config that names the service account"
like "$out" 'role = relay holds no directory credential' "and says why"

# 1. A full reset through PAM on relay A.
SOCKET=$T/run/relayA.sock module_line | pam_service relay-a
SOCKET=$T/run/relayB.sock module_line | pam_service relay-b
s=$(script reset <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$SRC/tests/lib/env-mailcode.sh $T alice@example.test 1
^New password: => New-Passw0rd-1
^Retype new password: => New-Passw0rd-1
EOF2
)
out=$(drive alice "$s" relay-a)
ok $? "reset through relay A ran to its end"
like "$out" '\[info\] Your password has been changed\.' "success is announced through the relay"
bind_ok "uid=alice,$PEOPLE" New-Passw0rd-1
ok $? "alice binds with the new password"
like "$(cat "$T/srv1.log")" 'src=relay-a\.test/[^ ]* user=alice' "server 1 logs the flow under relay A's certificate name"
unlike "$(cat "$T/srv2.log")" 'user=alice' "server 2 saw nothing (server 1 answered first)"

# The relay passes the module's requests only: a local caller's ADMIN or
# HOST never reaches a reset server.
out=$(ra hello recv hex 0000000600100001 hex 0000 recv)
like "$out" 'FAIL reason=3' "ADMIN through relay A (not ssprctl's HELLO): refused"
like "$(cat "$T/relayA.log")" 'relay: pid [0-9]+ sent ADMIN, which is not relayed' "relay A logs it"
out=$(ra hello recv hex 00000009002001 hex 000000000000 recv)
like "$out" 'FAIL reason=3' "a forged HOST through relay A: refused"
like "$(cat "$T/relayA.log")" 'relay: pid [0-9]+ sent HOST, which is not relayed' "relay A logs it"
unlike "$(cat "$T/srv1.log" "$T/srv2.log")" 'sent (ADMIN|HOST)' "neither reached a reset server"
# The relay's loop reads the caller's HELLO as a local flow's (one parser,
# the same cap): anything else first is refused before a server is asked.
out=$(ra status alice recv)
like "$out" 'FAIL reason=1' "a first frame that is not HELLO, through relay A: FAIL(PROTOCOL)"
out=$(ra hex 00002000 recv)
like "$out" 'FAIL reason=1' "a first frame over the 4 KiB cap: FAIL(PROTOCOL)"
like "$(cat "$T/relayA.log")" 'frame length 8192 out of range' "relay A logs it"
out=$(ra hello recv status alice recv)
like "$out" 'ACCOUNT' "relay A serves the next caller"

# 2. Wrong codes through relay A and relay B add up on frank's entry: the
# counters are in the directory, whichever reset server counts them.
ra hello recv start frank recv answer 11111111 recv answer 22222222 recv \
	answer 33333333 recv cancel >/dev/null
is "$(attr_of "uid=frank,$PEOPLE" ssprCodeFailure | wc -l)" 3 "three failures through relay A are on frank's entry"
out=$(rb hello recv start frank recv answer 44444444 recv answer 55555555 recv)
like "$out" 'ANSWER_BAD left=3' "relay B's flow counts on"
until=$(attr_of "uid=frank,$PEOPLE" ssprBlockedUntil)
ok $(( until > $(date +%s) + 86000 ? 0 : 1 )) "frank is blocked for about 24 h after five wrong codes on two hosts"
like "$(cat "$T/srv1.log")" 'src=relay-b\.test/[^ ]* user=frank: too many wrong codes' \
	"the block is logged under relay B's name"
n=$(mail_count frank@example.test)
out=$(rb hello recv start frank recv cancel)
like "$out" 'CHALLENGE method=1' "a blocked account still sees a normal challenge on relay B"
sleep 1
is "$(mail_count frank@example.test)" "$n" "but no code is sent"

# START's optional keys field (the SSH key method) passes the relay's
# parser and reaches a reset server unchanged: the flow goes on as any.
nlog=$(wc -l < "$T/relayA.log")
out=$(ra hello recv start nosuchuser \
	"keys=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICzrAPDiWMd7DrR6ZjN2Do8li9Txnz5c13NVJCIzDOz8" \
	recv cancel)
like "$out" 'CHALLENGE method=1' "a START with keys goes through relay A to its challenge"
# (after CANCEL the server may end the connection before the client does:
# "went away" then is the flow's normal end, not a refusal)
unlike "$(tail -n +$((nlog + 1)) "$T/relayA.log")" 'not relayed|closing' "relay A took it as a frame"

like "$(cat "$T/relayA.log")" "reset server localhost:$P1: session resumed" \
	"relay A resumes its TLS session for later flows"

# Kept connections: two flows in a row on one, each under its own caller
# and the certificate's name; a server that closed an idle one (here: its
# reload, after which no connection made before serves another flow)
# does not cost the next flow: it goes on a new connection.
nlog=$(wc -l < "$T/relayA.log")
nsrv=$(wc -l < "$T/srv1.log")
out=$(ra hello recv newpw Out-Of-Order-1 recv)
like "$out" 'FAIL reason=1' "a flow through relay A ends with its last answer"
out=$(ra hello recv newpw Out-Of-Order-2 recv)
like "$out" 'FAIL reason=1' "and another"
like "$(tail -n +$((nlog + 1)) "$T/relayA.log")" "reset server localhost:$P1: a kept connection \\(flow [2-9]" \
	"the second went on relay A's kept connection"
is "$(tail -n +$((nsrv + 1)) "$T/srv1.log" | grep -c "src=relay-a\\.test/[^ ]* user=-: NEW_PASSWORD not allowed")" 2 \
	"server 1 logs both under relay A's certificate name"
reload srv1 "$SRV1_PID"
out=$(ra hello recv status alice recv)
like "$out" 'ACCOUNT' "after server 1's reload the next flow is served"
like "$(tail -n +$((nlog + 1)) "$T/relayA.log")" "reset server localhost:$P1 closed a kept connection; pid [0-9]+'s flow goes on a new one" \
	"on a new connection, the kept one being closed unanswered"

# A flow that ends with its last tries spent (a final REJECTED): the
# server closes the connection, which is the flow's end, not a lost
# server: no FAIL after it, no warning, audited as rejected.
n=$(( $(mail_count alice@example.test) + 1 ))
nlog=$(wc -l < "$T/relayA.log")
out=$(ra hello recv start alice recv \
	answer "!$SRC/tests/lib/env-mailcode.sh $T alice@example.test $n" recv \
	newpw a recv newpw b recv newpw c recv recv | tr '\n' ' ')
like "$out" 'VERIFIED.*REJECTED.*REJECTED.*REJECTED.* closed' "three passwords refused, then the connection ends"
unlike "$out" 'FAIL' "with no FAIL after the last REJECTED"
new=$(tail -n +$((nlog + 1)) "$T/relayA.log")
unlike "$new" 'went away' "relay A does not take it for a lost server"
like "$new" 'event=relay result=rejected' "and audits it as rejected"

# 3. Server 1 dies mid-flow: that flow ends with a clear message and
# changes nothing; the next flows go to server 2.
cat > "$T/kill1.sh" <<EOF2
#!/bin/sh
# mid-flow: the code is in dave's mailbox, the server waits for it
$SRC/tests/lib/env-mailcode.sh $T dave@example.test 1 >/dev/null
kill -9 $SRV1_PID
while (exec 3<>/dev/tcp/127.0.0.1/$P1) 2>/dev/null; do sleep 0.1; done
echo 12345678
EOF2
chmod 755 "$T/kill1.sh"
s=$(script killed <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$T/kill1.sh
^New password: => Never-Set-Passw0rd
^Retype new password: => Never-Set-Passw0rd
EOF2
)
out=$(drive dave "$s" relay-a)
like "$out" 'cannot be reached right now' "the interrupted flow tells dave to try again later"
unlike "$out" 'result: Success' "and does not succeed"
like "$(cat "$T/relayA.log")" "reset server localhost:$P1 went away" "relay A logs the lost server"
bind_ok "uid=dave,$PEOPLE" Old-Passw0rd-dave
ok $? "dave's password is unchanged"
s=$(script reset2 <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$SRC/tests/lib/env-mailcode.sh $T dave@example.test 2
^New password: => Fresh-Passw0rd-9
^Retype new password: => Fresh-Passw0rd-9
EOF2
)
out=$(drive dave "$s" relay-b)
like "$out" '\[info\] Your password has been changed\.' "the next reset, through relay B, succeeds"
bind_ok "uid=dave,$PEOPLE" Fresh-Passw0rd-9
ok $? "dave binds with the new password"
like "$(cat "$T/srv2.log")" 'src=relay-b\.test/[^ ]* user=dave' "server 2 served it"
like "$(cat "$T/relayB.log")" "reset server localhost:$P1: .*trying the next" "relay B logs the failover"

# Server 2 keeps an idle connection 2 s (keep_seconds), relay B 30: the
# flow after server 2 closed relay B's kept one is served, on a new one.
closed_idle() { ss -tn state close-wait "( dport = :$P2 )" | grep -q ":$P2"; }
wait_for 15 closed_idle
ok $? "server 2 closed relay B's idle kept connection"
nlog=$(wc -l < "$T/relayB.log")
out=$(rb hello recv newpw Out-Of-Order-3 recv)
like "$out" 'FAIL reason=1' "relay B's next flow is served"
unlike "$(tail -n +$((nlog + 1)) "$T/relayB.log")" 'went away|a kept connection' \
	"on a new connection: the closed one was not used"

# ssprctl on a relay host: its host's view, answered by the relay.
out=$("$BUILD/ssprctl" -c "$T/relayB.conf" status 2>&1)
ok $? "ssprctl status on relay B: a reset server answers"
like "$out" "role +relay" "it names the role"
like "$out" "localhost:$P1 +.*(refused|Connection)" "server 1 is down"
like "$out" "localhost:$P2 +ok" "server 2 is up"
out=$("$BUILD/ssprctl" -c "$T/relayB.conf" unblock frank 2>&1)
ok $((!$?)) "ssprctl unblock on a relay: refused"
like "$out" 'ask a reset server' "it says where to ask"
until=$(attr_of "uid=frank,$PEOPLE" ssprBlockedUntil)
ok $(( until > $(date +%s) ? 0 : 1 )) "frank is still blocked"

# ssprctl --server: the fleet view, from a host in server 2's admin_hosts.
relay_conf opsctl ops "localhost:$P2"
out=$("$BUILD/ssprctl" -c "$T/opsctl.conf" --server "localhost:$P2" status 2>&1)
ok $? "ssprctl --server status from ops.test (admin_hosts)"
like "$out" 'directory +reachable' "it is server 2's own status"
out=$("$BUILD/ssprctl" -c "$T/relayA.conf" --server "localhost:$P2" unblock frank 2>&1)
ok $((!$?)) "ssprctl --server with relay A's certificate: refused"
like "$(cat "$T/srv2.log")" 'fleet: host relay-a\.test sent ADMIN, which no host may send' "server 2 logs it"
ok $(( $(attr_of "uid=frank,$PEOPLE" ssprBlockedUntil) > $(date +%s) ? 0 : 1 )) "frank is still blocked"
out=$("$BUILD/ssprctl" -c "$T/opsctl.conf" --server "localhost:$P2" unblock frank 2>&1)
ok $? "ssprctl --server unblock frank from ops.test"
is "$(attr_of "uid=frank,$PEOPLE" ssprBlockedUntil)" "" "frank's block is lifted on the directory"
like "$(cat "$T/srv2.log")" 'fleet: host ops\.test: an administrator.s connection' "server 2 logs the administrator's host"

# 4. Certificates the reset server refuses, each with a clear line: from
# another CA, expired, revoked (CRL, re-read on SIGHUP), none at all.
mkdir -p "$T/other"
fleet_cert relay-x relay-x.test "$T/other"
fleet_cert_expired relay-old relay-old.test
fleet_cert relay-r relay-r.test
relay_conf relayX relay-r "localhost:$P2"
daemon_start relayX || exit 1
RELAY_X_PID=$DAEMON_PID
relay_x() {	# relay_x CERT: relay X now presents CERT; prints one flow's start
	relay_conf relayX "$1" "localhost:$P2"
	reload relayX "$RELAY_X_PID" || return 1
	SOCKET=$T/run/relayX.sock raw hello recv
}
refused() {	# refused CERT REGEX WHAT ALERT
	out=$(relay_x "$1")
	like "$out" 'FAIL reason=4' "$3: the caller is told the service is unavailable"
	wait_for 5 grep -qE "refused a host at 127\.0\.0\.1:[0-9]+: $2" "$T/srv2.log"
	ok $? "$3: server 2 logs why"
	like "$(cat "$T/relayX.log")" "reset server localhost:$P2 went away .*: .*alert $4" \
		"$3: relay X logs the server's alert ($4)"
}
out=$(relay_x relay-r)
like "$out" 'HELLO_OK' "relay X with a valid certificate is served"
# a flow that leaves relay X a kept connection, made with that
# certificate: the reload below (another certificate) must not use it
out=$(SOCKET=$T/run/relayX.sock raw hello recv newpw Out-Of-Order-4 recv)
like "$out" 'FAIL reason=1' "relay X keeps a connection after a flow's last answer"
refused relay-x 'certificate [^ ]*relay-x\.test: unable to get local issuer certificate' "another CA" "unknown ca"
refused relay-old 'certificate [^ ]*relay-old\.test: certificate has expired' "an expired certificate" "certificate expired"
fleet_revoke relay-r
ok $? "relay X's certificate revoked"
reload srv2 "$SRV2_PID"
ok $? "server 2 re-reads its CRL on SIGHUP"
refused relay-r 'certificate [^ ]*relay-r\.test: certificate revoked' "a revoked certificate" "certificate revoked"
$PY - "$P2" "$T/ca.pem" <<'EOF2' >/dev/null 2>&1
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.check_hostname = False
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5) as s:
        with ctx.wrap_socket(s) as t:
            t.recv(10)
except Exception:
    pass
EOF2
wait_for 5 grep -qE "refused a host at 127\.0\.0\.1:[0-9]+: .*peer did not return a certificate" "$T/srv2.log"
ok $? "no certificate at all: refused, and logged so"

# 4b. Certificates that end while connections and sessions live: server
# 3's and relay D's end 15 s after they are made.  Relay C does not reuse
# its kept connection to server 3 past that, nor resume the session: its
# new connection refuses the server's certificate.  Relay D (no kept
# connections) does not resume its session with server 2 past its own
# certificate's end: the full handshake's alert says why.  A hostile host
# that resumes on purpose is refused by the server (a resumed session is
# not checked again by TLS, and each brings a new ticket).
read -r P3 < <(ports 1)
END=$(( $(date +%s) + 15 ))
short_cert() {	# short_cert NAME CN SAN [END]: signed by the test CA, ending at END ($END)
	(umask 077 && openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" \
		-keyout "$T/$1.key" -out "$T/$1.csr" 2>/dev/null)
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$3" > "$T/$1.ext"
	openssl ca -batch -config "$T/caroot/ca.cnf" -in "$T/$1.csr" -out "$T/$1.pem" \
		-startdate 20200101000000Z -enddate "$(date -u -d "@${4:-$END}" +%Y%m%d%H%M%SZ)" \
		-extfile "$T/$1.ext" -notext 2>/dev/null
}
short_cert short 127.0.0.1 "IP:127.0.0.1,DNS:localhost"
short_cert relay-s relay-s.test "DNS:relay-s.test"
relay_conf relayD relay-s "localhost:$P2"
echo "keep_connections = 0" >> "$T/relayD.conf"
daemon_start relayD || exit 1
rd() { SOCKET=$T/run/relayD.sock raw "$@"; }
out=$(rd hello recv)
like "$out" 'HELLO_OK' "relay D, its certificate still valid, is served"
server_conf srv3 "$P3"
sed -i -e "s|^cert_file = .*|cert_file = $T/short.pem|" \
	-e "s|^key_file = .*|key_file = $T/short.key|" "$T/srv3.conf"
daemon_start srv3 || exit 1
wait_for 10 port_open "$P3"
relay_conf relayC relay-a "localhost:$P3"
daemon_start relayC || exit 1
rc() { SOCKET=$T/run/relayC.sock raw "$@"; }
out=$(rc hello recv newpw Out-Of-Order-5 recv)
like "$out" 'FAIL reason=1' "relay C keeps a connection to server 3 after a flow's last answer"
ended() { [ "$(date +%s)" -gt "$END" ]; }
wait_for 30 ended
nlog=$(wc -l < "$T/relayC.log")
out=$(rc hello recv)
like "$out" 'FAIL reason=4' "after server 3's certificate ended, relay C's next flow is not served"
new=$(tail -n +$((nlog + 1)) "$T/relayC.log")
unlike "$new" 'a kept connection' "the kept connection was not used"
like "$new" "reset server localhost:$P3: its certificate: certificate has expired" \
	"a new one was made, and refused the server's certificate"
out=$(rd hello recv)
like "$out" 'FAIL reason=4' "relay D, its certificate ended, is not served"
like "$(cat "$T/relayD.log")" "reset server localhost:$P2 went away .*: .*alert certificate expired" \
	"relay D does not resume its session with its certificate ended: the server's alert says why"
wait_for 5 grep -qE "refused a host at 127\.0\.0\.1:[0-9]+: certificate [^ ]*relay-s\.test: certificate has expired" "$T/srv2.log"
ok $? "and server 2 logs it"
END2=$(( $(date +%s) + 4 ))
short_cert relay-s2 relay-s2.test "DNS:relay-s2.test" "$END2"
# a second past the end: OpenSSL asks time(), which glibc reads from the
# kernel's coarse clock, a tick behind the precise one the client waits on
out=$($PY "$SRC/tests/lib/fleetclient.py" "$P2" "$T/ca.pem" "$T/relay-s2.pem" "$T/relay-s2.key" \
	host root hello recv until "$((END2 + 1))" reconnect host root hello recv 2>>"$T/hc.err" | tr '\n' ' ')
like "$out" '^HELLO_OK resumed FAIL reason=4' \
	"a host that resumes its session past its certificate's end on purpose: not served"
like "$(cat "$T/srv2.log")" 'fleet: refused host relay-s2\.test at 127\.0\.0\.1:[0-9]+: its certificate has expired \(a resumed session\)' \
	"server 2 logs why"

# 5. ssprctl --server checks the server as the relay does, CRL included.
fleet_revoke server
ok $? "the reset servers' certificate revoked"
echo "crl_file = $T/crl.pem" >> "$T/opsctl.conf"
out=$("$BUILD/ssprctl" -c "$T/opsctl.conf" --server "localhost:$P2" status 2>&1)
ok $((!$?)) "ssprctl --server with [fleet] crl_file: a revoked server is refused"
like "$out" 'TLS: certificate revoked' "it says why"

done_testing
