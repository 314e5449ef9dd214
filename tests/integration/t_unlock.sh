#!/bin/bash
# Unlock without reset (OpenLDAP): a person locked out by failed logins
# who knows the password proves control of the recovery address and gets
# the lock lifted, password untouched; an administrator's lock is never
# lifted; the option can be switched off.
. "$SRC/tests/lib/env.sh"
standard_env || exit 1
MC="$SRC/tests/lib/env-mailcode.sh $T"
module_line | pam_service sspr-test

unlock() {	# unlock USER MAILNUMBER
	script "unlock-$1" <<EOF2
^Password => 
^Choose 1 or 2 => 2
^Verification code => !$MC $1@example.test $2
EOF2
}

# Lock grace the real way: three wrong binds (pwdMaxFailure 3).
for i in 1 2 3; do bind_ok "uid=grace,$PEOPLE" wrong-password; done
bind_ok "uid=grace,$PEOPLE" Old-Passw0rd-grace
ok $((!$?)) "grace is locked out after three failed binds"
lock=$(attr_of "uid=grace,$PEOPLE" pwdAccountLockedTime)
like "$lock" '^[0-9]{14}Z$' "ppolicy recorded the lock ($lock)"

out=$(drive grace "$(unlock grace 1)")
like "$out" '\[info\]   1  Reset my password' "the menu offers a reset"
like "$out" '2  Unlock my account \(I know my password\)' "and an unlock"
like "$out" 'Your account has been unlocked\. Log in with your password\.' "the unlock is announced"
like "$out" 'result: Authentication failure' "the module still does not log anyone in"
bind_ok "uid=grace,$PEOPLE" Old-Passw0rd-grace
ok $? "grace binds again with her unchanged password"
is "$(attr_of "uid=grace,$PEOPLE" pwdAccountLockedTime)" "" "pwdAccountLockedTime is gone"
is "$(attr_of "uid=grace,$PEOPLE" pwdFailureTime)" "" "her successful bind cleared the failure times"

# Not locked: said so, nothing changed.
out=$(drive frank "$(unlock frank 1)")
like "$out" 'Your account was not locked' "an account that is not locked is told so"
bind_ok "uid=frank,$PEOPLE" Old-Passw0rd-frank
ok $? "frank's password is untouched"

# An administrator's lock (000001010000Z) is never lifted: eve gets no code.
s=$(script eve <<'EOF2'
^Password => 
^Choose 1 or 2 => 2
^Verification code => 00000000
EOF2
)
out=$(drive eve "$s")
like "$out" 'That code is not right' "an administrator-locked account gets the unknown-user treatment"
is "$(mail_count eve@example.test)" 0 "and no mail"
is "$(attr_of "uid=eve,$PEOPLE" pwdAccountLockedTime)" 000001010000Z "the administrator's lock stays"

# A lock set by an administrator after the lookup is not lifted either.
for i in 1 2 3; do bind_ok "uid=alice,$PEOPLE" wrong-password; done
raw hello recv start alice 2 recv sleep 1500 answer "!$MC alice@example.test 1" recv > "$T/race.out" &
r=$!
sleep 0.7
ldapadmin ldapmodify >/dev/null <<EOF2
dn: uid=alice,$PEOPLE
changetype: modify
replace: pwdAccountLockedTime
pwdAccountLockedTime: 000001010000Z
EOF2
wait $r
like "$(cat "$T/race.out")" 'FAIL reason=12' "a lock changed to permanent meanwhile makes the unlock fail"
is "$(attr_of "uid=alice,$PEOPLE" pwdAccountLockedTime)" 000001010000Z "and the permanent lock stays"

# Unlock switched off: no menu, and the daemon refuses the purpose.
daemon_stop
DAEMON_EXTRA_DAEMON= 
printf '\n[policy]\nallow_unlock = no\n' >> "$T/helperd.conf"
daemon_start
like "$(raw hello recv)" 'HELLO_OK version=1 features=6' "with allow_unlock = no the feature is not offered (2 reset, 4 change)"
like "$(raw hello recv start frank 2 recv)" 'FAIL reason=11' "and an unlock START is refused as disabled"
s=$(script nomenu <<EOF2
^Password => 
^Verification code => 
EOF2
)
out=$(drive frank "$s")
unlike "$out" 'Choose 1 or 2' "the module shows no menu then"

done_testing
