#!/bin/bash
# The directory's password policy decides (ppolicy: min length 8,
# history 3): a refusal is explained and the user tries again without a
# new code; pwdReset is cleared by a reset.
. "$SRC/tests/lib/env.sh"
standard_env || exit 1
MC="$SRC/tests/lib/env-mailcode.sh $T"
{ module_line; ldapcheck_line; } | pam_service sspr-test

s=$(script short <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC frank@example.test 1
^New password: => short
^Retype new password: => short
^New password: => mismatch-1
^Retype new password: => mismatch-2
^New password: => Fern-New-Passw0rd
^Retype new password: => Fern-New-Passw0rd
EOF2
)
out=$(drive frank "$s")
ok $? "policy script ran to its end"
like "$out" '\[error\] That password is too short\.' "ppolicy's 'too short' becomes a clear sentence"
like "$out" '\[error\] The passwords do not match\.' "a mismatch is caught by the module"
like "$out" '\[info\] Your password has been changed\.' "a retry with a good password succeeds without a new code"
is "$(mail_count frank@example.test)" 1 "only one code was sent"
bind_ok "uid=frank,$PEOPLE" Fern-New-Passw0rd
ok $? "frank binds with the new password"

# History: a recent password is refused.  First a second password...
s=$(script second <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC frank@example.test 2
^New password: => Fern-Second-Passw0rd
^Retype new password: => Fern-Second-Passw0rd
EOF2
)
like "$(drive frank "$s")" 'Your password has been changed' "a second password"
# ...then the first again (slapd's history), and one with the user name
# in it (the daemon's own pwquality check).
s=$(script hist <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC frank@example.test 3
^New password: => Frank-Quality-Passw0rd
^Retype new password: => Frank-Quality-Passw0rd
^New password: => Fern-New-Passw0rd
^Retype new password: => Fern-New-Passw0rd
^New password: => Fern-Newer-Passw0rd
^Retype new password: => Fern-Newer-Passw0rd
EOF2
)
out=$(drive frank "$s")
like "$out" "\[error\] That password contains your user name or other personal information\." \
	"a password with the user name in it is refused by the daemon (pwquality)"
like "$out" "\[error\] You have used that password before" "a password in history is refused with a clear sentence"
like "$out" '\[info\] Your password has been changed\.' "then a new one is accepted"
bind_ok "uid=frank,$PEOPLE" Fern-Newer-Passw0rd
ok $? "frank binds with the newer password"

# Three refusals end the flow.
s=$(script three <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC frank@example.test 4
^New password: => a
^Retype new password: => a
^New password: => b
^Retype new password: => b
^New password: => c
^Retype new password: => c
EOF2
)
out=$(drive frank "$s")
like "$out" 'Too many refused passwords' "three refused passwords end the flow"
bind_ok "uid=frank,$PEOPLE" Fern-Newer-Passw0rd
ok $? "and nothing was changed"

# pwdReset (must change) is cleared by a self-service reset.
is "$(attr_of "uid=dave,$PEOPLE" pwdReset)" TRUE "dave starts with pwdReset"
s=$(script dave <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC dave@example.test 1
^New password: => Dune-New-Passw0rd
^Retype new password: => Dune-New-Passw0rd
EOF2
)
out=$(drive dave "$s")
like "$out" 'Your password has been changed' "dave resets"
is "$(attr_of "uid=dave,$PEOPLE" pwdReset)" "" "pwdReset is gone after the reset"

# A failure-locked account is unlocked by the reset (ppolicy clears it).
is "$(attr_of "uid=carol,$PEOPLE" pwdAccountLockedTime)" 20260101000000Z "carol starts locked"
s=$(script carol <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC carol@example.test 1
^New password: => Coral-New-Passw0rd
^Retype new password: => Coral-New-Passw0rd
EOF2
)
out=$(drive carol "$s")
like "$out" 'Your password has been changed' "carol resets"
bind_ok "uid=carol,$PEOPLE" Coral-New-Passw0rd
ok $? "carol can bind again"

done_testing
