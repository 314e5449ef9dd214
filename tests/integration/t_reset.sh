#!/bin/bash
# The end-to-end reset at a PAM prompt against real slapd + SMTP sink:
# a full reset, then the user logs in with the new password and not the
# old; the typed-password path makes no daemon round trip.
. "$SRC/tests/lib/env.sh"
standard_env || exit 1

{ module_line; ldapcheck_line; } | pam_service sspr-test

# 1. Ordinary login: a typed password goes on to the next module.
s=$(script login <<'EOF2'
^Password => Old-Passw0rd-alice
EOF2
)
out=$(drive alice "$s")
like "$out" 'result: Success' "typed password: next module authenticates alice"
like "$out" 'env SSPR_PASSWORD_RESET=\(unset\)' "typed password: no reset flag"
n_before=$(grep -c 'flow=' "$T/helperd.log")

s=$(script wrong <<'EOF2'
^Password => not-her-password
EOF2
)
out=$(drive alice "$s")
unlike "$out" 'result: Success' "wrong typed password fails in the next module"
is "$(grep -c 'flow=' "$T/helperd.log")" "$n_before" "typed passwords never reach the daemon"

# 2. The reset.
s=$(script reset <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$SRC/tests/lib/env-mailcode.sh $T alice@example.test 1
^New password: => New-Passw0rd-1
^Retype new password: => New-Passw0rd-1
EOF2
)
out=$(drive alice "$s")
r=$?
ok $r "reset script ran to its end"
like "$out" "\[info\] A verification code has been sent to a\*\*\*@e\*\*\*\.test\. It is valid for 10 minutes\." "masked destination and lifetime shown"
like "$out" '\[info\] Your password has been changed\.' "success is announced"
like "$out" 'result: Authentication failure' "the module does not log the user in after a reset"
like "$out" 'env SSPR_PASSWORD_RESET=1' "SSPR_PASSWORD_RESET=1 is set in the PAM environment"
bind_ok "uid=alice,$PEOPLE" New-Passw0rd-1
ok $? "alice can bind with the new password"
bind_ok "uid=alice,$PEOPLE" Old-Passw0rd-alice
ok $((!$?)) "the old password no longer binds"
hist=$(attr_of "uid=alice,$PEOPLE" userPassword)
like "$hist" '^\{SSHA\}' "slapd hashed the new password itself"

m=$(ls "$T"/mail/*-alice@example.test.eml | head -n1)
like "$(cat "$m")" 'Subject: Your password reset code' "the mail has the template's subject"
like "$(cat "$m")" 'X-Envelope-To: alice@example.test' "the mail went to the directory's address"
like "$(cat "$m")" 'valid for 10 minutes' "the mail names the expiry"
like "$(cat "$m")" 'at sspr-test' "the mail names the service"

# 3. The new password now works through the stack.
s=$(script login2 <<'EOF2'
^Password => New-Passw0rd-1
EOF2
)
out=$(drive alice "$s")
like "$out" 'result: Success' "alice logs in with the new password through PAM"

# 4. After a reset the new password is not handed on: a module after a
# "required" pam_sspr finds no PAM_AUTHTOK and has to ask.
{ module_line | sed 's/requisite/required/'; ldapcheck_line; } | pam_service sspr-required
s=$(script handon <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$SRC/tests/lib/env-mailcode.sh $T alice@example.test 2
^New password: => New-Passw0rd-2
^Retype new password: => New-Passw0rd-2
^Password: => wrong
EOF2
)
out=$(drive alice "$s" sspr-required)
ok $? "the next module had to prompt: no password was handed on"
unlike "$out" 'result: Success' "and the attempt fails"

# 5. With handoff, the next module gets the new password and logs in.
{ module_line handoff; ldapcheck_line; } | pam_service sspr-handoff
s=$(script handoff <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$SRC/tests/lib/env-mailcode.sh $T alice@example.test 3
^New password: => New-Passw0rd-3
^Retype new password: => New-Passw0rd-3
EOF2
)
out=$(drive alice "$s" sspr-handoff)
ok $? "handoff: no further prompt"
like "$out" 'result: Success' "handoff: the login continues with the new password"
like "$out" 'env SSPR_PASSWORD_RESET=1' "handoff: SSPR_PASSWORD_RESET=1 for the session"

# 6. A login that follows a reset in the same PAM handle sees the flag.
s=$(script retry <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$SRC/tests/lib/env-mailcode.sh $T alice@example.test 4
^New password: => New-Passw0rd-4
^Retype new password: => New-Passw0rd-4
^Password => New-Passw0rd-4
EOF2
)
out=$(drive alice "$s" sspr-test 2)
is "$(echo "$out" | grep '^result:' | tr '\n' ' ')" "result: Authentication failure result: Success " \
	"the login asks again and the new password works"
like "$out" 'env SSPR_PASSWORD_RESET=1' "the following login carries SSPR_PASSWORD_RESET=1"

# 7. The daemon never logged a code or a password.
code=$(mail_code alice@example.test 1)
[ -n "$code" ] || code=no-code-found
unlike "$(cat "$T/helperd.log")" "New-Passw0rd-1|Old-Passw0rd|sspr-bind-secret|$code" \
	"no secret in the daemon log"

done_testing
