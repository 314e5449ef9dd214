#!/bin/bash
# The local state file ([throttle] store = file) on a disk that fills up,
# then goes read-only: no code goes out unless its send is on disk; START
# is refused while the file cannot be written; and it works again by
# itself (no restart, no SIGHUP) once the disk takes writes.  The disk is
# a 64 KiB tmpfs in a mount namespace of the test's own, so the machine
# is left as it was.
if [ -z "${IN_NS:-}" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root: a tmpfs in a private mount namespace"
		exit 77
	fi
	if ! unshare --mount --propagation private true 2>/dev/null; then
		echo "1..0 # SKIP unshare --mount cannot run here"
		exit 77
	fi
	exec unshare --mount --propagation private env IN_NS=1 "$0" "$@"
fi
. "$SRC/tests/lib/env.sh"
ST=$T/st
mkdir "$ST"
mount -t tmpfs -o size=64k,mode=700 tmpfs "$ST" || skip_all "cannot mount a tmpfs"
trap 'umount -l "$ST" 2>/dev/null; cleanup' EXIT

slapd_start && sink_start || exit 1
THROTTLE_STORE=file daemon_conf "$T/helperd.conf"
sed -i "s|^state_file = .*|state_file = $ST/throttle.state|" "$T/helperd.conf"
daemon_start || exit 1
LOG=$T/helperd.log
recovered() { [ "$(grep -c 'writable again' "$LOG")" -ge "$1" ]; }

like "$(raw hello recv start alice recv cancel)" 'CHALLENGE' "a START on a healthy store is answered"
wait_for 10 mail_at_least alice@example.test 1
is "$(mail_count alice@example.test)" 1 "and its code goes out"

# --- a full disk ---------------------------------------------------------
dd if=/dev/zero of="$ST/fill" bs=4k >/dev/null 2>&1
# The first flow still gets its challenge (an unknown user would too); its
# answer waits for the send, which failed because it could not be counted.
out=$(raw hello recv start grace recv answer 12345678 recv)
like "$out" 'FAIL reason=(4|5)' "disk full: the first flow ends failed, not with a code"
is "$(mail_count grace@example.test)" 0 "and no code was mailed"
like "$(cat "$LOG")" "state file $ST/throttle.state: No space left" "the log says why"
like "$(raw hello recv start grace recv)" 'FAIL reason=4' "disk full: a new START is refused (UNAVAILABLE)"
is "$(mail_count grace@example.test)" 0 "still no code"

rm -f "$ST/fill"
wait_for 5 recovered 1
ok $? "space is back: the daemon says the state file is writable again"
like "$(raw hello recv start grace recv cancel)" 'CHALLENGE' "START works again without a restart or SIGHUP"
wait_for 10 mail_at_least grace@example.test 1
is "$(mail_count grace@example.test)" 1 "and its code goes out"

# --- a read-only disk ----------------------------------------------------
mount -o remount,ro "$ST"
# an unknown name's flow waits on the disk as a real one's does: it ends
# the same way, not with "wrong code" (which would tell them apart)
out=$(raw hello recv start nosuchuser recv answer 12345678 recv)
like "$out" 'FAIL reason=(4|5)' "read-only: an unknown name's first flow ends failed too"
unlike "$out" 'ANSWER_BAD' "not with a wrong-code answer"
out=$(raw hello recv start frank recv answer 12345678 recv)
like "$out" 'FAIL reason=(4|5)' "read-only: the first flow ends failed, not with a code"
is "$(mail_count frank@example.test)" 0 "and no code was mailed"
like "$(raw hello recv start frank recv)" 'FAIL reason=4' "read-only: a new START is refused (UNAVAILABLE)"
is "$(grep -c "state file $ST/throttle.state: Read-only" "$LOG")" 1 \
	"the failure is logged once, though the daemon retries every second"

mount -o remount,rw "$ST"
wait_for 5 recovered 2
ok $? "writable again: the daemon notices by itself"
like "$(raw hello recv start frank recv cancel)" 'CHALLENGE' "START works again without a restart or SIGHUP"
wait_for 10 mail_at_least frank@example.test 1
is "$(mail_count frank@example.test)" 1 "and its code goes out"
ok "$(grep -c '^v1 ' "$ST/throttle.state" | awk '{ print ($1 >= 3) ? 0 : 1 }')" \
	"the state file holds the counters again"

done_testing
