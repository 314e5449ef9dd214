#!/bin/bash
# The daemon as a program: --check, reload on SIGHUP, stop on SIGTERM,
# idle flows timing out, a stale socket replaced and a live one kept,
# and hundreds of flows served at once.
. "$SRC/tests/lib/env.sh"
slapd_start && sink_start || exit 1
daemon_conf "$T/helperd.conf"
D=$BUILD/sspr-helperd

# --check
out=$("$D" --config "$T/helperd.conf" --check 2>&1)
ok $? "--check accepts a good configuration"
like "$out" 'configuration OK' "--check says so"
like "$out" '^bind_password_file = ' "--check prints the effective values"
unlike "$out" 'sspr-bind-secret' "--check never prints a secret"
sed 's/^timeout = 5$/timeout = 5000/' "$T/helperd.conf" > "$T/bad.conf"
chmod 600 "$T/bad.conf"
out=$("$D" --config "$T/bad.conf" --check 2>&1)
r=$?
ok $((r == 0)) "--check refuses a bad value"
like "$out" "bad.conf:[0-9]+: \[directory\] timeout: '5000' is not a number from 1 to 300" \
	"and names the file, line, section and key"
chmod 644 "$T/bindpw"
out=$("$D" --config "$T/helperd.conf" --check 2>&1)
ok $((! $?)) "a bind password file readable by others is refused"
like "$out" 'bind_password_file: the file is readable or writable by others' "with a clear message"
chmod 600 "$T/bindpw"
chmod 666 "$T/helperd.conf"
out=$("$D" --config "$T/helperd.conf" --check 2>&1)
ok $((! $?)) "a configuration writable by others is refused"
chmod 600 "$T/helperd.conf"
# Secrets and the configuration belong to root or the daemon's user: any
# other owner could chmod them at will.  (As root only: chown needs it.)
if [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$T/run" && chmod 700 "$T/run"	# so only the owner stops it
	chown 65534 "$T/bindpw"
	out=$("$D" --config "$T/helperd.conf" --check 2>&1)
	ok $((! $?)) "--check refuses a bind password file owned by another uid"
	like "$out" "bind_password_file: $T/bindpw is owned by uid 65534: it must belong to root, to _sspr or to the user the daemon runs as" \
		"naming the file and the rule"
	out=$(timeout 10 "$D" --config "$T/helperd.conf" --foreground 2>&1)
	r=$?	# 124: still running after 10 s
	ok $((r == 0 || r == 124)) "and the daemon does not start"
	like "$out" "$T/bindpw is owned by uid 65534" "saying why"
	chown 0 "$T/bindpw"
	chown 65534 "$T/helperd.conf"
	out=$("$D" --config "$T/helperd.conf" --check 2>&1)
	ok $((! $?)) "--check refuses a configuration owned by another uid"
	like "$out" "$T/helperd.conf is owned by uid 65534: it must belong to root, to _sspr or to the user the daemon runs as" \
		"naming the file and the rule"
	out=$(timeout 10 "$D" --config "$T/helperd.conf" --foreground 2>&1)
	r=$?	# 124: still running after 10 s
	ok $((r == 0 || r == 124)) "and the daemon does not start"
	like "$out" "$T/helperd.conf is owned by uid 65534" "saying why"
	chown 0 "$T/helperd.conf"
else
	TESTS=$((TESTS + 1))
	echo "ok $TESTS # skip the owner checks need root to chown"
fi
out=$("$D" 2>&1)
is "$?" 2 "no --config: usage error"

# A stale socket file is replaced; a live daemon is not displaced.
mkdir -p "$T/run" && chmod 700 "$T/run"
$PY -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$T/run/helperd.sock"
daemon_start
ok $? "a stale socket left by a crash is replaced"
out=$(timeout 10 "$D" --config "$T/helperd.conf" --foreground 2>&1)
ok $((! $?)) "a second daemon on the same socket refuses to start"
like "$out" 'another daemon is listening there' "and says why"

# Reload: a new value applies to new flows; a broken file is refused.
like "$(raw hello recv start frank recv cancel)" 'len=8' "codes have 8 digits"
printf '[code]\nlength = 6\n' >> "$T/helperd.conf"
sed -i 's/^\[code\]$/[code]/' "$T/helperd.conf"
# the generated file already has a [code] section: put the key there
sed -i '/^length = 6$/d' "$T/helperd.conf"
sed -i 's/^lifetime = 600$/lifetime = 600\nlength = 6/' "$T/helperd.conf"
kill -HUP "$DAEMON_PID"
wait_for 5 grep -q 'configuration reloaded' "$T/helperd.log"
like "$(raw hello recv start frank recv cancel)" 'len=6' "after SIGHUP new flows use the new configuration"
echo 'nonsense' >> "$T/helperd.conf"
kill -HUP "$DAEMON_PID"
wait_for 5 grep -q 'reload refused' "$T/helperd.log"
like "$(grep 'reload refused' "$T/helperd.log")" "helperd.conf:[0-9]+: expected 'key = value'" \
	"a broken configuration is refused on reload, with its line"
like "$(raw hello recv start frank recv cancel)" 'len=6' "and the running configuration is kept"
sed -i '/^nonsense$/d' "$T/helperd.conf"
# A broken mail template is refused on reload as at start.
cp -r "$SRC/conf/mail" "$T/mail-broken"
printf 'no subject line here\n' > "$T/mail-broken/code.txt"
sed -i "s|^template_dir = .*|template_dir = $T/mail-broken|" "$T/helperd.conf"
kill -HUP "$DAEMON_PID"
wait_for 5 grep -q 'reload refused.*template_dir' "$T/helperd.log"
ok $? "a broken mail template is refused on reload, as at start"
like "$(raw hello recv start frank recv cancel)" 'len=6' "and the running configuration is kept"
sed -i "s|^template_dir = .*|template_dir = $SRC/conf/mail|" "$T/helperd.conf"

# Idle flows time out.
sed -i 's/^debug = yes$/debug = yes\nidle_timeout = 2/' "$T/helperd.conf"
kill -HUP "$DAEMON_PID"
sleep 0.5
start=$(date +%s)
like "$(raw hello recv recv)" 'FAIL reason=8' "a flow idle at a prompt is ended with TIMEOUT"
is "$(( $(date +%s) - start <= 4 ))" 1 "after idle_timeout"
sed -i '/^idle_timeout = 2$/d' "$T/helperd.conf"
kill -HUP "$DAEMON_PID"

# Hundreds of flows at once, and a full reset among them.
many=()
for i in $(seq 300); do
	raw hello rhost=192.0.2.$((i % 250)) recv start "user$i" recv sleep 3000 cancel \
		> "$T/many.$i" &
	many+=($!)
done
MC="$SRC/tests/lib/env-mailcode.sh $T"
out=$(raw hello recv start grace recv answer "!$MC grace@example.test 1" recv newpw Garnet-Many-Flows-1 recv)
like "$out" 'DONE outcome=1' "a reset completes while 300 other flows wait"
wait "${many[@]}"
n=$(cat "$T"/many.* | grep -c CHALLENGE)
is "$n" 300 "all 300 concurrent flows got their challenge"
bind_ok "uid=grace,$PEOPLE" Garnet-Many-Flows-1
ok $? "grace's new password works"

# SIGTERM: clean stop, socket removed.
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
is "$?" 0 "SIGTERM stops the daemon with status 0"
ok "$([ ! -e "$T/run/helperd.sock" ]; echo $?)" "the socket is removed"
like "$(tail -n 1 "$T/helperd.log")" 'stopped' "the last line says it stopped"

done_testing
