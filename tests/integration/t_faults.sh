#!/bin/bash
# Faults a user can meet: the daemon not running or dying mid-flow, the
# directory down (at the start and at the write), the mail server down.
# Each gives a clear message, and nothing is half-written.
. "$SRC/tests/lib/env.sh"
standard_env || exit 1
MC="$SRC/tests/lib/env-mailcode.sh $T"
{ module_line; ldapcheck_line; } | pam_service sspr-test
ready_reloaded() { [ "$(grep -c 'configuration reloaded' "$T/helperd.log")" -gt "$1" ]; }
start_only=$(script start <<'EOF2'
^Password => 
^Choose 1 or 2 => 1
^Verification code => 
EOF2
)

# Mail server down: the user is told the code could not be sent.
sink_stop
s=$(script nomail <<'EOF2'
^Password => 
^Choose 1 or 2 => 1
^Verification code => 12345678
EOF2
)
out=$(drive frank "$s")
like "$out" 'The verification code could not be sent' "mail server down: clear message"
like "$out" 'result: Authentication service cannot retrieve' "mail server down: PAM_AUTHINFO_UNAVAIL"
# Now the daemon knows: the next people are told at once, before any
# lookup, all alike (issue 12), instead of "a code has been sent".
known=$(drive fred "$s")
like "$known" 'The verification code could not be sent' "mail server known down: told at once"
unlike "$known" 'has been sent|Verification code' "without a code prompt"
is "$(drive frank "$s")" "$known" "mail server known down: a real user sees the same as an unknown one"
like "$(cat "$T/helperd.log")" 'the mail server failed moments ago; refusing' "and the log says why"
bind_ok "uid=frank,$PEOPLE" Old-Passw0rd-frank
ok $? "mail server down: nothing changed"
sink_start
# a reload (as an administrator makes after fixing mail) starts afresh
n=$(grep -c 'configuration reloaded' "$T/helperd.log")
kill -HUP "$DAEMON_PID"
wait_for 10 ready_reloaded "$n"
ok $? "reloaded after the mail server came back"
like "$(raw hello recv start zed recv cancel)" 'CHALLENGE' "and resets go on at once"

# Directory down at the start: a clear message, no mail.
slapd_stop
out=$(drive frank "$start_only")
like "$out" 'The directory cannot be reached right now' "directory down: clear message"
like "$out" 'result: Authentication service cannot retrieve' "directory down: PAM_AUTHINFO_UNAVAIL"
is "$(mail_count frank@example.test)" 0 "directory down: no mail sent"
slapd_restart
ok $? "directory back"

# Directory down between the code and the write: nothing half-written.
s=$(script write <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC frank@example.test 1 && kill \$(cat $T/slapd.pid)
^New password: => Fern-Unwritten-1
^Retype new password: => Fern-Unwritten-1
EOF2
)
out=$(drive frank "$s")
like "$out" 'The directory cannot be reached right now' "directory down at the write: clear message"
slapd_restart
bind_ok "uid=frank,$PEOPLE" Old-Passw0rd-frank
ok $? "directory down at the write: the old password still works"
bind_ok "uid=frank,$PEOPLE" Fern-Unwritten-1
ok $((!$?)) "and the new one was not written"

# A directory that comes back is used again without a daemon restart.
s=$(script again <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC frank@example.test 2
^New password: => Fern-Written-2
^Retype new password: => Fern-Written-2
EOF2
)
out=$(drive frank "$s")
like "$out" 'Your password has been changed' "after the directory returns, a reset works again"

# The daemon dies mid-flow: the module says so and does not hang.
s=$(script killed <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC grace@example.test 1 >/dev/null; kill $DAEMON_PID; echo 12345678
EOF2
)
out=$(drive grace "$s")
like "$out" 'The password reset service stopped answering' "daemon killed mid-flow: clear message"
like "$out" 'result: Authentication service cannot retrieve' "daemon killed mid-flow: PAM_AUTHINFO_UNAVAIL"

# No daemon at all: the reset path says so; ordinary logins still work.
wait "$DAEMON_PID" 2>/dev/null
out=$(drive grace "$start_only")
like "$out" 'Password reset is unavailable right now' "daemon not running: clear message"
s=$(script login <<'EOF2'
^Password => Old-Passw0rd-grace
EOF2
)
out=$(drive grace "$s")
like "$out" 'result: Success' "daemon not running: a typed password still logs in"

# After a restart, no code from before works (codes do not survive).
daemon_start
out=$(raw hello recv start grace recv sleep 500 answer "!$MC grace@example.test 1" recv cancel)
like "$out" 'ANSWER_BAD' "a code issued before a restart is useless after it"
is "$(mail_count grace@example.test)" 2 "(a new code was sent after the restart)"

done_testing
