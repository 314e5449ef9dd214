#!/bin/bash
# The directory at each step of a flow, and a write whose answer is lost:
# the daemon reads back (pwdChangedTime) instead of writing twice, and
# tells the person what really happened.  The daemon talks to slapd over
# ldapi through a proxy that can cut the Password Modify.
. "$SRC/tests/lib/env.sh"
slapd_start && sink_start || exit 1
MC="$SRC/tests/lib/env-mailcode.sh $T"
echo pass > "$T/proxy.mode"
$PY "$SRC/tests/lib/ldapproxy.py" "$T/proxy.sock" "$T/ldapi" "$T/proxy.mode" 2>"$T/proxy.log" &
PIDS+=($!)
wait_for 5 test -S "$T/proxy.sock"
# A short [directory] timeout: the cases below wait for it two or three
# times.  One connection: a write goes out on the connection the flow's
# lookup opened, so whether it was sent does not depend on the worker.
DIR_TIMEOUT=2 DAEMON_EXTRA_DIRECTORY="connections = 1" \
DIR_URI="ldapi://$(printf '%s' "$T/proxy.sock" | sed 's|/|%2F|g')" daemon_start || exit 1

# The answer to the Password Modify is lost; the write did happen.
echo lose-answer > "$T/proxy.mode"
out=$(raw hello recv start alice recv answer "!$MC alice@example.test 1" recv newpw Azure-Lost-1 recv)
like "$out" 'DONE outcome=1' "a lost answer after a successful write still ends in DONE"
like "$(cat "$T/helperd.log")" 'no answer to the password change; reading pwdChangedTime back' \
	"the daemon read the result back"
bind_ok "uid=alice,$PEOPLE" Azure-Lost-1
ok $? "and the password really was changed"
is "$(attr_of "uid=alice,$PEOPLE" pwdHistory | wc -l)" 1 "exactly once (one history entry)"

# The answer is lost and nothing can be read back, but slapd did the
# write: the daemon cannot tell, and says so (16), not "nothing written" (4).
echo hold > "$T/proxy.mode"
out=$(raw hello recv start dave recv answer "!$MC dave@example.test 1" recv newpw Dune-Lost-1 recv)
like "$out" 'FAIL reason=16' "a lost answer that cannot be read back ends in OUTCOME_UNKNOWN"
like "$(cat "$T/helperd.log")" 'event=reset result=unknown reason=directory-no-answer' \
	"the audit says the outcome is unknown"
like "$(cat "$T/helperd.log")" 'may or may not have the new password' \
	"and the log says what that means"
echo pass > "$T/proxy.mode"
bind_ok "uid=dave,$PEOPLE" Dune-Lost-1
ok $? "the write did happen: \"nothing written\" would have been a lie"

# The same at a PAM prompt: the person reads that it may have changed.
{ module_line; ldapcheck_line; } | pam_service sspr-test
s=$(script unknown <<EOF
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC dave@example.test 2
^New password: => Dune-Lost-2
^Retype new password: => Dune-Lost-2
EOF
)
echo hold > "$T/proxy.mode"
out=$(drive dave "$s")
echo pass > "$T/proxy.mode"
like "$out" '\[error\] The directory did not confirm the change: your password may have been changed\. Try the new password; if it is not accepted, try the old one\.' \
	"the person is told the password may have changed"
like "$out" 'result: Authentication service cannot retrieve authentication info' \
	"PAM_AUTHINFO_UNAVAIL, as for a directory that is down"
unlike "$out" 'cannot be reached right now' "not \"nothing was written\""

# As reported: slapd frozen between VERIFIED and NEW_PASSWORD; the write
# waits in its socket, the read back times out.
pid=$(cat "$T/slapd.pid")
out=$(raw hello recv start alice recv answer "!$MC alice@example.test 2" recv \
	newpw "!kill -STOP $pid; echo Azure-Lost-2" recv)
kill -CONT "$pid"
like "$out" 'FAIL reason=16' "a frozen directory at the write: OUTCOME_UNKNOWN, not UNAVAILABLE"

# The request itself is lost: read back, not changed: nothing written (4).
echo lose-request > "$T/proxy.mode"
out=$(raw hello recv start frank recv answer "!$MC frank@example.test 1" recv newpw Fern-Lost-1 recv)
like "$out" 'FAIL reason=4' "a lost request ends in UNAVAILABLE"
bind_ok "uid=frank,$PEOPLE" Old-Passw0rd-frank
ok $? "and frank's old password still works"
bind_ok "uid=frank,$PEOPLE" Fern-Lost-1
ok $((!$?)) "the new one was not written"
echo pass > "$T/proxy.mode"

# The directory goes away after the code was sent: verifying needs the
# counters, so the person is told, and nothing is written.
old=$(cat "$T/slapd.pid")
out=$(raw hello recv start grace recv sleep 300 answer "!$MC grace@example.test 1 && kill $old && sleep 0.5" recv)
like "$out" 'FAIL reason=4' "directory down at the code check: UNAVAILABLE"
while kill -0 "$old" 2>/dev/null; do sleep 0.1; done
slapd_restart
bind_ok "uid=grace,$PEOPLE" Old-Passw0rd-grace
ok $? "grace's password is untouched"

# The directory goes away before the send is counted: no code leaves.
# The challenge goes out before the count: slapd wakes only once the
# daemon has given the count up, or a count still in flight would be
# made, and the code rightly sent.
kill -STOP "$(cat "$T/slapd.pid")"
out=$(raw hello recv start carol recv)
case $out in
*CHALLENGE*)
	wait_for 30 grep -q 'sending the code failed: the send could not be counted' "$T/helperd.log"
	ok $? "the daemon gave up counting the send while the directory was frozen" ;;
esac
kill -CONT "$(cat "$T/slapd.pid")"
like "$out" 'FAIL reason=4|CHALLENGE' "a frozen directory at the start: unavailable (or a challenge)"
n=$(mail_count carol@example.test)
is "$n" 0 "no code was sent while the send could not be counted"

# by now a notification for dave's flow would long have been sent
is "$(notify_count dave@example.test)" 0 "no \"your password was reset\" mail for an unknown outcome"
is "$(notify_count alice@example.test)" 1 "(as there is one for alice's)"

done_testing
