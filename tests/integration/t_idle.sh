#!/bin/bash
# Idle directory connections are closed: with [directory] idle_timeout = 1
# a worker unbinds its connection a second after its last job, as slapd's
# own access log shows, and the next flow opens a new one; with 0 the
# connection stays.  Also prints (not asserted) what the first flow after
# an idle period costs against a warm one, and checks that a changed CA
# file applies to the next connection.
. "$SRC/tests/lib/env.sh"
SLAPD_ACCESS_LOG=1 slapd_start || exit 1
sink_start || exit 1
LOG=$T/slapd-access.log

# Every daemon binds as the service DN; nothing else here does.
conns_since() {	# conns_since LINE: the daemons' connections bound after LINE
	tail -n +"$1" "$LOG" | grep "BIND dn=\"$SERVICE_DN\"" |
	    sed 's/.* conn=\([0-9]*\) .*/\1/' | sort -un
}
closed() { grep -q " conn=$1 fd=[0-9]* closed" "$LOG"; }
unbound() { grep -q " conn=$1 op=[0-9]* UNBIND" "$LOG"; }
all_closed() {	# all_closed LINE: some connections since LINE, all closed
	local c n=0
	for c in $(conns_since "$1"); do
		closed "$c" || return 1
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}
mark() { echo $(($(wc -l < "$LOG") + 1)); }

# A daemon that keeps its connections, started first so that its
# connection is the older one when the other's is closed.
SOCKET=$T/run/keep.sock DAEMON_EXTRA_DIRECTORY="idle_timeout = 0" \
	daemon_conf "$T/keep.conf"
daemon_start keep || exit 1
m=$(mark)
out=$(SOCKET=$T/run/keep.sock raw hello recv start nobody recv cancel)
like "$out" 'CHALLENGE' "idle_timeout = 0: a flow is served"
keep=$(conns_since "$m")
is "$(echo "$keep" | grep -c .)" 1 "its lookup opened one connection"

DAEMON_EXTRA_DIRECTORY="idle_timeout = 1" daemon_start || exit 1
m=$(mark)
out=$(raw hello recv start nobody recv cancel)
like "$out" 'CHALLENGE' "idle_timeout = 1: a flow is served"
first=$(conns_since "$m")
is "$(echo "$first" | grep -c .)" 1 "its lookup opened one connection"
wait_for 10 all_closed "$m"
ok $? "the directory sees that connection closed (conn=$first)"
unbound "$first"
ok $? "after an unbind, not a dropped socket"
closed "$keep"
ok $(( ! $? )) "the idle_timeout = 0 daemon's older connection (conn=$keep) is still open"

m=$(mark)
out=$(raw hello recv start frank recv cancel)
like "$out" 'CHALLENGE' "a flow after the idle period is served"
second=$(conns_since "$m")
like "$second" '^[0-9]+' "on a new connection (conn=$(echo $second))"
wait_for 10 all_closed "$m"
ok $? "which is closed in turn once idle"

# The first flow after an idle period against a warm one: one worker, so
# the warm flows are sure to find the connection the cold one opened, and
# each flow's mail is awaited so that no job of the one before is still
# queued.  Not asserted (timing): printed for reading.
SOCKET=$T/run/one.sock DAEMON_EXTRA_DIRECTORY="idle_timeout = 2
connections = 1" DAEMON_EXTRA_THROTTLE="codes_per_window = 50" \
	daemon_conf "$T/one.conf"
daemon_start one || exit 1
us() { sed -n 's/^us=\([0-9]*\) CHALLENGE.*/\1/p'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'; }
mails() { grep -l '^X-SSPR-Message: code' "$T/mail"/*.eml 2>/dev/null | wc -l; }
mails_above() { [ "$(mails)" -gt "$1" ]; }
timed() {	# timed FILE USER HOST: one START, its time to FILE, its mail awaited
	local n
	n=$(mails)
	SOCKET=$T/run/one.sock raw hello "rhost=$3" recv timed "$2" cancel | us >> "$1"
	wait_for 10 mails_above "$n"
}
users=(alice frank grace carol)
: > "$T/cold"
: > "$T/warm"
for i in 0 1 2 3 4 5 6; do
	m=$(mark)
	timed "$T/cold" "${users[i % 4]}" "10.7.0.$i"
	timed "$T/warm" "${users[(i + 1) % 4]}" "10.7.1.$i"
	timed "$T/warm" "${users[(i + 2) % 4]}" "10.7.2.$i"
	wait_for 10 all_closed "$m" || break
done
is "$(wc -l < "$T/cold") $(wc -l < "$T/warm")" "7 14" "seven cold and fourteen warm flows measured"
cold=$(median < "$T/cold")
warm=$(median < "$T/warm")
echo "# first START after idle (connect + StartTLS + bind + lookup): median $cold us of $(tr '\n' ' ' < "$T/cold")"
echo "# warm START (lookup on the open connection): median $warm us of $(tr '\n' ' ' < "$T/warm")"
[ "$warm" -gt 0 ] && echo "# ratio cold/warm: $(awk -v c="$cold" -v w="$warm" 'BEGIN { printf "%.2f", c / w }')"

# The CA file is parsed once for all connections, and again when it
# changes: once the idle_timeout = 1 daemon's connection has closed, a
# file that now holds another CA refuses the directory's certificate, and
# the file put back is trusted again.
m=$(mark)
out=$(raw hello recv start nobody recv cancel)
like "$out" 'CHALLENGE' "the idle_timeout = 1 daemon serves a flow"
wait_for 10 all_closed "$m"
ok $? "and closes its connection again"
mkdir -p "$T/other"
"$SRC/tests/lib/ca.sh" "$T/other" >/dev/null 2>&1
cp "$T/ca.pem" "$T/ca.good"
cp "$T/other/ca.pem" "$T/ca.pem"
out=$(raw hello recv start nobody recv cancel)
like "$out" 'FAIL' "a CA file changed to another CA: the next connection is refused"
cp "$T/ca.good" "$T/ca.pem"
out=$(raw hello recv start nobody recv cancel)
like "$out" 'CHALLENGE' "the CA file put back: served again"

done_testing
