#!/bin/bash
# Fleets: two reset servers and two relays on loopback, real TLS with
# client certificates from the test CA.  A reset through PAM on relay A;
# the same person blocked on relay B after wrong codes on A; server 1
# killed mid-flow; relays whose certificates the servers refuse.
. "$SRC/tests/lib/env.sh"
. "$SRC/tests/lib/fleet.sh"
slapd_start && sink_start || exit 1
read -r P1 P2 < <(ports 2 | tr '\n' ' ')
fleet_cert relay-a relay-a.test
fleet_cert relay-b relay-b.test

server_conf srv1 "$P1"
server_conf srv2 "$P2"
daemon_start srv1 || exit 1
SRV1_PID=$DAEMON_PID
daemon_start srv2 || exit 1
SRV2_PID=$DAEMON_PID
wait_for 10 port_open "$P1" && wait_for 10 port_open "$P2"
ok $? "both reset servers listen"
relay_conf relayA relay-a "localhost:$P1" "localhost:$P2"
relay_conf relayB relay-b "localhost:$P1" "localhost:$P2"
daemon_start relayA || exit 1
daemon_start relayB || exit 1

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

done_testing
