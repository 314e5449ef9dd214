#!/bin/bash
# Who may talk to the daemon: only the uids in allowed_uids (checked with
# SO_PEERCRED); a refused caller gets a clear answer and the daemon keeps
# serving everyone else.
. "$SRC/tests/lib/env.sh"
slapd_start && sink_start || exit 1
me=$(id -u)
other=$((me == 0 ? 65534 : 0))
ALLOWED_UIDS=$other daemon_start || exit 1
module_line | pam_service sspr-test

out=$(raw hello recv)
like "$out" 'FAIL reason=3' "a caller uid not in allowed_uids is refused"
like "$(cat "$T/helperd.log")" "refused a caller: uid $me" "the refusal is logged with the uid"
s=$(script start <<'EOF2'
^Password => 
^Choose 1 or 2 => 1
EOF2
)
out=$(drive frank "$s")
like "$out" 'Password reset is not available from this program' "the module shows the refusal clearly"
kill -0 "$DAEMON_PID"
ok $? "the daemon is still running"

daemon_stop
rm -f "$T/helperd.conf"
ALLOWED_UIDS="65533 $me" daemon_start || exit 1
out=$(raw hello recv start frank recv cancel)
like "$out" 'CHALLENGE' "an allowed uid is served"

if [ "$me" -eq 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$T/run"
	# A refused uid connecting and closing in a loop (at least 2000 times,
	# and until the marker goes; 15 s at most): root, already connected
	# or not, is still served while it lasts, and the refusals are not
	# logged one line each.
	touch "$T/flooding"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$BUILD/tests/flood" \
		"$T/run/helperd.sock" "$T/flooding" 2000 15 >"$T/flood.out" &
	flood=$!
	wait_for 10 grep -q "refused a caller: uid 65534" "$T/helperd.log"
	ok $? "a flood of connections from uid 65534 is refused"
	out=$(raw hello recv)
	kill -0 "$flood" 2>/dev/null
	alive=$?
	like "$out" 'HELLO_OK' "as root: served while uid 65534 connects in a loop"
	is "$alive" 0 "and the answer came while the flood was still running"
	rm -f "$T/flooding"
	wait "$flood"
	made=$(cat "$T/flood.out")
	lines=$(grep -c "refused a caller: uid 65534" "$T/helperd.log")
	ok $((! (made >= 2000 && lines < 20))) \
		"the daemon logged $lines lines for the $made refused connections"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/tests/rawclient" "$T/run/helperd.sock" hello recv)
	like "$out" 'FAIL reason=3' "as root: another uid on the same socket is refused"
	out=$(raw hello recv start frank recv cancel)
	like "$out" 'CHALLENGE' "and root is still served after that"
fi

done_testing
