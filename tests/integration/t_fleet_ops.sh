#!/bin/bash
# Fleet operations: ssprctl --server against two reset servers (each one's
# activity over the admin protocol, merged into one fleet view under each
# row's server and host), ssprctl on a relay host (what it forwarded, from
# the relay's own audit file), who may ask, and what a hostile server's
# rows can do to the output (nothing).
. "$SRC/tests/lib/env.sh"
. "$SRC/tests/lib/fleet.sh"
slapd_start && sink_start || exit 1
read -r P1 P2 P3 < <(ports 3 | tr '\n' ' ')
fleet_cert relay-a relay-a.test
fleet_cert relay-b relay-b.test
fleet_cert ops ops.test
CTL="$BUILD/ssprctl"

for n in 1 2; do
	server_conf srv$n "$(eval echo "\$P$n")" "admin_hosts = ops.test"
	printf '\n[audit]\nfile = %s\n' "$T/srv$n.audit" >> "$T/srv$n.conf"
	daemon_start srv$n || exit 1
	eval "SRV${n}_PID=\$DAEMON_PID"
done
wait_for 10 port_open "$P1" && wait_for 10 port_open "$P2"
ok $? "both reset servers listen"
# relay A tries server 1 first, relay B server 2; relay A keeps an audit
relay_conf relayA relay-a "localhost:$P1" "localhost:$P2"
printf '\n[audit]\nfile = %s\n' "$T/relayA.audit" >> "$T/relayA.conf"
relay_conf relayB relay-b "localhost:$P2" "localhost:$P1"
daemon_start relayA || exit 1
daemon_start relayB || exit 1
relay_conf ops ops "localhost:$P1"
ra() { SOCKET=$T/run/relayA.sock raw "$@"; }
rb() { SOCKET=$T/run/relayB.sock raw "$@"; }
out=$("$BUILD/sspr-helperd" --config "$T/relayA.conf" --check 2>&1 >/dev/null)
ok $? "--check passes on a relay config with [audit] file"

# Resets on both servers: alice's through PAM on relay A (server 1),
# wrong codes for bob on relay B (server 2).
SOCKET=$T/run/relayA.sock module_line | pam_service relay-a
s=$(script reset <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$SRC/tests/lib/env-mailcode.sh $T alice@example.test 1
^New password: => Fleet-Ops-Passw0rd-1
^Retype new password: => Fleet-Ops-Passw0rd-1
EOF2
)
out=$(drive alice "$s" relay-a)
like "$out" 'Your password has been changed' "alice resets through relay A"
out=$(rb hello recv start bob recv answer 11111111 recv cancel)
like "$out" 'ANSWER_BAD' "a wrong code for bob through relay B"
like "$(cat "$T/srv1.audit")" '"event":"reset","result":"ok".*"host":"relay-a\.test"' \
	"server 1's audit file names the host of each record"

# 1. The fleet view: both servers' records, each under its server and host.
fleet=(--server "localhost:$P1" --server "localhost:$P2")
out=$("$CTL" -c "$T/ops.conf" "${fleet[@]}" report activity 2>"$T/err")
ok $? "ssprctl --server 1 --server 2 report activity"
like "$out" '^time +server +host +event +result +reason +user +source +service +caller' "one table, with server and host columns"
like "$out" "localhost:$P1 +relay-a\\.test +reset +ok +alice" "server 1's reset, under relay A's certificate name"
like "$out" "localhost:$P2 +relay-b\\.test +code_failed +refused +wrong +bob" "server 2's wrong code, under relay B's"
unlike "$out" "localhost:$P2 +relay-a|localhost:$P1 +relay-b" "no row under the wrong server"
is "$(cat "$T/err")" "" "nothing on stderr"
csv=$("$CTL" -c "$T/ops.conf" --server "localhost:$P1,localhost:$P2" -f csv report activity)
like "$csv" '^time,server,host,event,result,reason,user,source,service,caller' "a list in one --server, as CSV"
times=$(printf '%s\n' "$csv" | tail -n +2 | cut -d, -f1)
is "$times" "$(sort -s <<<"$times")" "the two servers' records merged oldest first"
ok $(( $(grep -c ",localhost:$P1," <<<"$csv") > 0 && $(grep -c ",localhost:$P2," <<<"$csv") > 0 ? 0 : 1 )) \
	"with rows of both"
# The merge itself, on records whose times interleave across the servers
# (the flows above may all fall in one second), two of them in the same
# second: those keep the order the servers are given in.
while read -r n sec ev; do
	printf '{"time":"2030-01-01T00:00:%sZ","flow":"000000","caller":0,"event":"%s","result":"ok","host":"order.test"}\n' \
		"$sec" "$ev" >> "$T/srv$n.audit"
done <<EOF2
1 01 a1
2 02 b2
1 03 a3
1 04 a4
2 04 b4
EOF2
order() { "$CTL" -c "$T/ops.conf" "$@" -f csv report activity --since 2030-01-01 | tail -n +2 | cut -d, -f4 | tr '\n' ' '; }
is "$(order "${fleet[@]}")" "a1 b2 a3 a4 b4 " "the servers' records merged by time; within a second, in the order of --server"
is "$(order --server "localhost:$P2" --server "localhost:$P1")" "a1 b2 a3 b4 a4 " "the servers the other way round: the same second the other way round"
json=$("$CTL" -c "$T/ops.conf" "${fleet[@]}" -f json report activity)
printf '%s' "$json" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert {r["host"] for r in d} >= {"relay-a.test", "relay-b.test"}, d
assert all(r["server"].startswith("localhost:") for r in d)' 2>>"$T/err"
ok $? "as JSON that parses, hosts and servers in their fields"
out=$("$CTL" -c "$T/ops.conf" "${fleet[@]}" report activity --since 2099-01-01)
is "$out" "$(head -n1 <<<"$out")" "--since later than everything: the header alone"
out=$("$CTL" -c "$T/ops.conf" "${fleet[@]}" status)
ok $? "ssprctl status of both servers"
is "$(grep -c 'directory +reachable' <<<"$(sed -E 's/  +/ +/' <<<"$out")")" 2 "each server's own status"
like "$out" "^localhost:$P1:" "under its name"
out=$("$CTL" -c "$T/ops.conf" "${fleet[@]}" unblock bob)
ok $? "ssprctl unblock bob on both servers"
is "$(grep -c 'counters of uid=bob' <<<"$out")" 2 "each server answers for itself"
like "$(cat "$T/srv2.audit")" '"event":"admin","result":"requested","reason":"unblock","user":"bob".*"host":"ops\.test"' \
	"the unblock is audited under ops.test"

# 2. A relay host's view: what relay A forwarded, to which server, for
# which local caller, and how it ended; never a secret.
out=$("$CTL" -c "$T/relayA.conf" report activity)
ok $? "ssprctl report activity on relay A"
like "$out" "localhost:$P1 +relay +forwarded +pts/test +relay-a +$(id -u)" "a flow forwarded to server 1, its service and caller uid"
like "$out" "localhost:$P1 +relay +done" "and its end"
unlike "$(cat "$T/relayA.audit")" 'Fleet-Ops-Passw0rd|[0-9]{8}' "no password or code in the relay's audit file"
is "$(stat -c %a "$T/relayA.audit")" 600 "the relay's audit file is 0600"
# root's ssprctl on the relay, answered there: audited there, as a reset
# server audits its admin requests (what was asked, how it went).
SOCKET=$T/run/relayA.sock
"$CTL" -c "$T/relayA.conf" status > /dev/null
ok $? "ssprctl status on relay A"
"$CTL" -c "$T/relayA.conf" unblock bob > /dev/null 2>&1
ok $((!$?)) "ssprctl unblock on relay A: refused"
reloaded=$(grep -c "configuration reloaded" "$T/relayA.log")
"$CTL" -c "$T/relayA.conf" reload > /dev/null
ok $? "ssprctl reload on relay A"
wait_for 10 reloaded_count_above "$T/relayA.log" "$reloaded"
audit=$(grep '"event":"admin"' "$T/relayA.audit")
like "$audit" '"caller":0,"event":"admin","result":"ok","reason":"status","service":"ssprctl"' \
	"relay A audits root's status, and that a server answered"
like "$audit" '"event":"admin","result":"refused","reason":"unblock","service":"ssprctl"' \
	"and the request it refuses, by name"
like "$audit" '"event":"admin","result":"requested","reason":"reload","service":"ssprctl"' \
	"and the reload it asked of itself"
unlike "$audit" 'bob' "never the request's argument"
like "$(cat "$T/relayA.log")" 'audit: event=admin result=ok reason=status' \
	"and in its log (the journal or syslog), with or without [audit] file"
unset SOCKET
SOCKET=$T/run/relayB.sock
out=$("$CTL" -c "$T/relayB.conf" report activity 2>&1)
ok $((!$?)) "relay B keeps no audit file: the report says so"
like "$out" 'no audit file' "and what to set"
unset SOCKET

# 3. Who may ask: a host not in admin_hosts is refused, whatever it asks.
out=$("$CTL" -c "$T/relayA.conf" --server "localhost:$P1" report activity 2>&1)
ok $((!$?)) "report activity with relay A's certificate (not in admin_hosts): refused"
unlike "$out" 'relay-a\.test +reset' "and shows no row"
like "$(cat "$T/srv1.log")" 'fleet: host relay-a\.test sent ADMIN, which no host may send' "server 1 logs it"

# 4. Bad input: clear words, a non-zero status.
out=$("$CTL" -c "$T/ops.conf" "${fleet[@]}" report activity --since yesterday 2>&1)
is "$?" 2 "--since yesterday: usage error"
like "$out" '--since yesterday: not a time' "says what is wrong"
out=$("$CTL" -c "$T/ops.conf" --server nocolon report activity 2>&1)
ok $((!$?)) "--server without a port: refused"
like "$out" 'needs NAME:PORT' "says so"
out=$("$CTL" -c "$T/ops.conf" --server , status 2>&1)
is "$?" 2 "--server with an empty list: usage error"
out=$("$CTL" -c "$T/ops.conf" "${fleet[@]}" rcodes issue alice 2>&1)
is "$?" 2 "rcodes issue to two servers: refused"
like "$out" 'one --server only' "one server only, it says"
out=$("$CTL" -c "$T/ops.conf" "${fleet[@]}" --server "localhost:$P3" report activity 2>"$T/err")
is "$?" 1 "a server that does not answer: status 1"
like "$out" "localhost:$P1 +relay-a\\.test +reset" "the others' rows are still shown"
like "$(cat "$T/err")" "localhost:$P3: cannot connect" "and the silent one is named"
like "$(cat "$T/err")" "localhost:$P3: no activity from this server" "as missing from the report"
sed -i '/^\[audit\]/,$d' "$T/srv2.conf"
reload srv2 "$SRV2_PID"
out=$("$CTL" -c "$T/ops.conf" --server "localhost:$P2" report activity 2>&1)
ok $((!$?)) "a server without [audit] file: no report"
like "$out" "localhost:$P2: no activity kept here: \\[audit\\] file is not set" "it says why"

# 5. A hostile server: rows whose fields decode to terminal escapes,
# newlines, quotes and bidi overrides, a time that is none, and rows
# without end.  None of it reaches the output as it was sent.
hostile() {	# hostile FORMAT [ROWS]: one connection to fakeserver.py on P3
	# the last one's "ready" must not pass for this one's
	rm -f "$T/fake.out"
	/usr/bin/python3 "$SRC/tests/lib/fakeserver.py" "$P3" "$T/ca.pem" "$T/server.pem" \
		"$T/server.key" "${2:-endless}" > "$T/fake.out" 2>&1 &
	PIDS+=($!)
	wait_for 10 grep -q ready "$T/fake.out"
	timeout 30 "$CTL" -c "$T/ops.conf" --server "localhost:$P3" -f "$1" report activity 2>"$T/err"
}
hostile table > "$T/hostile.table"
ok $? "ssprctl takes a hostile server's report"
out=$(cat "$T/hostile.table")
is "$(LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]' "$T/hostile.table")" 0 "no control byte in the table"
is "$(grep -c $'\u202e' "$T/hostile.table")" 0 "no bidi override"
like "$out" 'evil\?\]0;owned\?host' "the escapes show as '?'"
like "$out" '(^|\n)\? +localhost' "a time that is none shows as '?'"
is "$(wc -l < "$T/hostile.table")" 20001 "at most 20000 rows from one server (plus the header)"
like "$(cat "$T/err")" "sent more than 20000 records; the first 20000 shown, the rest not read" \
	"and it says so, and reads no more of a server that sends without end"
like "$(grep -v '^?' "$T/hostile.table" | tail -n1)" '^2026-01-03T00:00:00Z +localhost:[0-9]+ +late\.test ' \
	"a time written as ' 2026-1-3...' is shown as a time and sorted as one (the newest, before those that are none)"
hostile csv > "$T/hostile.csv"
/usr/bin/python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert len(rows) == 20001 and all(len(r) == 10 for r in rows), len(rows)
assert any(r[6] == "mal?[2Jlory??x,\"y\\" for r in rows), [r[6] for r in rows[:3]]' "$T/hostile.csv"
ok $? "as CSV: every row ten fields, the quotes and comma kept inside one"
/usr/bin/python3 -c '
import csv, sys
late = [r for r in csv.reader(open(sys.argv[1], newline="")) if r[2] == "late.test"][0]
assert late[6:10] == ["\x27=HYPERLINK(\"http://x\")", "\x27@SUM(A1)", "\x27+svc", "\x27-1+1"], late
assert not any(c[:1] in ("=", "+", "-", "@") and c != "-" for r in csv.reader(open(sys.argv[1], newline="")) for c in r)' "$T/hostile.csv"
ok $? "as CSV: no cell a spreadsheet would run as a formula (a quote before =, +, -, @)"
hostile json > "$T/hostile.json"
/usr/bin/python3 -c 'import json, sys; assert len(json.load(open(sys.argv[1]))) == 20000' "$T/hostile.json"
ok $? "as JSON that parses"
hostile table '100!' > "$T/hostile.table"
is "$?" 1 "a server whose answer breaks off: status 1"
is "$(wc -l < "$T/hostile.table")" 104 "what came is shown (three odd rows, 100 more, the header)"
like "$(cat "$T/err")" "localhost:$P3: its answer broke off: 103 records shown, the rest missing" \
	"and that it is not all is said (not 'no activity')"

# 6. A server sends its newest 2000 records and says it left older ones
# out; --since narrows the report below that.
{
	for i in $(seq 2100); do
		echo '{"time":"2020-01-01T00:00:00Z","flow":"000000","caller":0,"event":"filler","result":"ok"}'
	done
	cat "$T/srv1.audit"
} > "$T/srv1.audit.new"
cat "$T/srv1.audit.new" > "$T/srv1.audit"	# the same file the server appends to
out=$("$CTL" -c "$T/ops.conf" --server "localhost:$P1" report activity 2>"$T/err")
ok $? "a report of more records than a server sends"
is "$(( $(wc -l <<<"$out") - 1 ))" 2000 "2000 rows"
like "$out" "relay-a\.test +reset +ok +alice" "the newest among them"
like "$(cat "$T/err")" "localhost:$P1: the newest 2000 records; older records left out \(narrow --since\)" \
	"and the server says it left older ones out"
out=$("$CTL" -c "$T/ops.conf" --server "localhost:$P1" report activity --since 2021-01-01 2>"$T/err")
unlike "$out" 'filler' "--since leaves them out on the server"
is "$(cat "$T/err")" "" "and nothing is cut"

# 6. A slow reader: a long answer (1500 records more in server 1's audit
# file) to an admin host that reads nothing for 2 s through a 4 KiB
# window.  The reset server's loop writes that host's TLS without
# blocking, waiting for room; every line arrives whole, then ADMIN_END,
# and the server serves meanwhile.
last=$(tail -n 1 "$T/srv1.audit")
for _ in $(seq 1500); do printf '%s\n' "$last"; done >> "$T/srv1.audit"
slow() { FLEETCLIENT_RCVBUF=4096 $PY "$SRC/tests/lib/fleetclient.py" "$P1" "$T/ca.pem" "$T/ops.pem" "$T/ops.key" "$@" 2>>"$T/hc.err"; }
slow host root hello recv admin 8 0 sleep 2 drain > "$T/slow.out" &
SLOW=$!
out=$(SOCKET=$T/run/relayA.sock raw hello recv status alice recv)
like "$out" 'ACCOUNT' "a relay's flow is served while the slow reader's answer waits"
wait "$SLOW"
out=$(tr '\n' ' ' < "$T/slow.out")
like "$out" '^HELLO_OK lines (1[5-9]|2[0-9])[0-9]{2} ADMIN_END $' "the slow reader gets every line whole, then ADMIN_END"

# 7. The relay's loop reads its server's TLS: an answer a byte per TLS
# record comes whole; a frame after the flow's last answer, in the same
# record, reaches no caller, nor does it leave the kept connection to the
# next flow (OpenSSL holds it: the connection is not reused).
rm -f "$T/fake.out"
/usr/bin/python3 "$SRC/tests/lib/fakeserver.py" "$P3" "$T/ca.pem" "$T/server.pem" \
	"$T/server.key" pieces > "$T/fake.out" 2>&1 &
PIDS+=($!)
wait_for 10 grep -q ready "$T/fake.out"
relay_conf relayF relay-a "localhost:$P3"
daemon_start relayF || exit 1
out=$(SOCKET=$T/run/relayF.sock raw hello recv status alice recv recv | tr '\n' ' ')
like "$out" '^HELLO_OK .*ACCOUNT known=1 must_change=0 .*closed $' "HELLO_OK in 1-byte records and ACCOUNT come whole through the relay"
unlike "$out" 'DONE' "the DONE behind the last answer does not"
out=$(SOCKET=$T/run/relayF.sock raw hello recv | tr '\n' ' ')
unlike "$out" 'DONE|HELLO_OK' "nor does it reach the next flow (the kept connection is not reused; no server listens now)"

done_testing
