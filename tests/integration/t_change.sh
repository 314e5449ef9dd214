#!/bin/bash
# Change with the old password (pam_sm_chauthtok, as passwd(1) drives it)
# and the forced change at sign-in (pam_sm_acct_mgmt answers
# PAM_NEW_AUTHTOK_REQD for pwdReset), against the real slapd with
# ppolicy.  The daemon changes the password as the user, so the
# directory's own rules for users apply (pwdMinAge, history); accounts
# that are not in the directory, and a daemon that is down, leave the
# stack to the modules beside pam_sspr.
. "$SRC/tests/lib/env.sh"
DAEMON_EXTRA_DAEMON="status_timeout = 2
status_cache = 300" standard_env || exit 1
MC="$SRC/tests/lib/env-mailcode.sh $T"
ARGS="socket=$T/run/helperd.sock daemon_user=$(id -un)"

# The "next module" beside pam_sspr (pam_unix's place): it leaves a mark.
cat > "$T/next.sh" <<EOF
#!/bin/sh
echo "\$PAM_TYPE \$PAM_USER" >> "$T/next.log"
EOF
chmod 755 "$T/next.sh"
: > "$T/next.log"
stack() {	# stack [ACCOUNT-ARGS]: a login stack with all three stages
	module_line
	ldapcheck_line
	echo "account required $BUILD/pam_sspr.so $ARGS $*"
	echo "account required pam_permit.so"
	echo "password [success=done ignore=ignore default=die] $BUILD/pam_sspr.so $ARGS"
	echo "password required pam_exec.so quiet $T/next.sh"
}
stack | pam_service sspr-test
stack verify_first | pam_service sspr-verify
sed "s|socket=$T/run/helperd.sock|socket=$T/run/nothing.sock|" "$T/pam.d/sspr-test" |
	pam_service sspr-down

passwd() {	# passwd USER SCRIPT [SERVICE]: pam_chauthtok as passwd(1) calls it
	DRIVE_OPS=passwd drive "$1" "$2" "${3:-sspr-test}"
}

# --- a change with the right old password ---------------------------------
s=$(script right <<'EOF'
^Current password: => Old-Passw0rd-alice
^New password: => Azure-Kettle-Lantern-7
^Retype new password: => Azure-Kettle-Lantern-7
EOF
)
out=$(passwd alice "$s")
ok $? "passwd: the conversation went as scripted"
like "$out" 'Changing the directory password of alice\.' "says what it changes"
like "$out" 'Your password has been changed\.' "and that it did"
like "$out" 'result: Success' "pam_chauthtok succeeds"
bind_ok "uid=alice,$PEOPLE" Azure-Kettle-Lantern-7
ok $? "alice binds with the new password"
bind_ok "uid=alice,$PEOPLE" Old-Passw0rd-alice
ok $((!$?)) "and no longer with the old one"
is "$(grep -c 'password alice' "$T/next.log")" 0 \
	"the next module did not run for a directory account"
like "$(attr_of "uid=alice,$PEOPLE" pwdChangedTime)" '^[0-9]{14}Z$' \
	"ppolicy recorded the change"

# --- the wrong old password -------------------------------------------------
s=$(script wrong <<'EOF'
^Current password: => Not-Her-Password-1
^New password: => Garnet-Window-Ladder-4
^Retype new password: => Garnet-Window-Ladder-4
EOF
)
out=$(passwd bob "$s")
like "$out" 'Your current password is not right, so your password was not changed\.' \
	"a wrong old password is refused in one sentence"
unlike "$out" 'result: Success' "and pam_chauthtok fails"
bind_ok "uid=bob,$PEOPLE" Old-Passw0rd-bob
ok $? "bob still binds with his password"
bind_ok "uid=bob,$PEOPLE" Garnet-Window-Ladder-4
ok $((!$?)) "the new one was not set"
like "$(grep 'event=change' "$T/helperd.log" | tail -n1)" 'result=refused reason=bad-password user=bob' \
	"the refusal is audited"
unlike "$(cat "$T/helperd.log")" 'Not-Her-Password-1|Garnet-Window-Ladder-4' \
	"no password in the daemon's log"

# --- policy: a clear sentence, then another try in the same run -----------
s=$(script policy <<'EOF'
^Current password: => Old-Passw0rd-frank
^New password: => short
^Retype new password: => short
^New password: => frank-Passw0rd-99
^Retype new password: => frank-Passw0rd-99
^New password: => Moss-Harbour-Violin-2
^Retype new password: => Moss-Harbour-Violin-2
EOF
)
out=$(passwd frank "$s")
ok $? "passwd: three tries, as scripted"
like "$out" 'That password is too short\.' "too short: said so"
like "$out" 'That password contains your user name' "the user name in it: said so"
like "$out" 'result: Success' "the third password is taken"
bind_ok "uid=frank,$PEOPLE" Moss-Harbour-Violin-2
ok $? "frank binds with it"

# --- the directory's minimum age applies to users' own changes -------------
ldapadmin ldapmodify >/dev/null <<EOF
dn: cn=default,ou=policies,$SUFFIX
changetype: modify
replace: pwdMinAge
pwdMinAge: 3600
EOF
is "$(attr_of "cn=default,ou=policies,$SUFFIX" pwdMinAge)" 3600 "the policy now has a minimum age"
s=$(script young <<'EOF'
^Current password: => Moss-Harbour-Violin-2
^New password: => Olive-Compass-Meadow-5
^Retype new password: => Olive-Compass-Meadow-5
^New password: => 
EOF
)
out=$(passwd frank "$s")
like "$out" 'The password was changed too recently to be changed' \
	"pwdMinAge: the directory's refusal is explained"
like "$out" 'Password change cancelled\.' "an empty answer ends the retries"
unlike "$out" 'result: Success' "nothing changed"
bind_ok "uid=frank,$PEOPLE" Moss-Harbour-Violin-2
ok $? "frank's password is the one she set a moment ago"
ldapadmin ldapmodify >/dev/null <<EOF
dn: cn=default,ou=policies,$SUFFIX
changetype: modify
delete: pwdMinAge
EOF

# --- not ours: a local account, or the daemon down ------------------------
: > "$T/next.log"
out=$(passwd localonly "$(script local </dev/null)")
like "$out" 'result: Success' "an account the directory does not know: pam_sspr stays out"
unlike "$out" 'prompt' "without asking anything"
is "$(grep -c 'password localonly' "$T/next.log")" 1 "the next module changed it"
out=$(passwd alice "$(script down </dev/null)" sspr-down)
like "$out" 'result: Success' "daemon down: the stack goes on without pam_sspr"
is "$(grep -c 'password alice' "$T/next.log")" 1 "to the next module, silently"

# --- forced change at sign-in (pwdReset) -----------------------------------
is "$(attr_of "uid=dave,$PEOPLE" pwdReset)" TRUE "dave's password was set by an administrator"
s=$(script forced <<'EOF'
^Password => Old-Passw0rd-dave
^Current password: => Old-Passw0rd-dave
^New password: => Coral-Lighthouse-Pebble-8
^Retype new password: => Coral-Lighthouse-Pebble-8
EOF
)
out=$(DRIVE_OPS=login drive dave "$s")
ok $? "login: the conversation went as scripted"
like "$out" 'acct: Authentication token is no longer valid; new one required' \
	"the account step answers PAM_NEW_AUTHTOK_REQD"
like "$out" 'You must choose a new password now' "and says why"
like "$out" 'Your password has been changed\.' "the change runs in the same login"
like "$out" 'result: Success' "and the login succeeds"
is "$(attr_of "uid=dave,$PEOPLE" pwdReset)" "" "pwdReset is gone"
s=$(script again <<'EOF'
^Password => Coral-Lighthouse-Pebble-8
EOF
)
out=$(DRIVE_OPS=login drive dave "$s")
like "$out" 'acct: Success' "the next login is an ordinary one"
unlike "$out" 'You must choose' "with nothing demanded"

# --- verify_first: the recovery address proved before the first change -----
ldapadmin ldapmodify >/dev/null <<EOF
dn: uid=dave,$PEOPLE
changetype: modify
replace: pwdReset
pwdReset: TRUE
EOF
s=$(script verify <<EOF
^Password => Coral-Lighthouse-Pebble-8
^Verification code => !$MC dave@example.test 1
^Current password: => Coral-Lighthouse-Pebble-8
^New password: => Dune-Orchard-Falcon-3
^Retype new password: => Dune-Orchard-Falcon-3
EOF
)
out=$(DRIVE_OPS=login drive dave "$s" sspr-verify)
ok $? "verify_first: the conversation went as scripted"
like "$out" 'confirm your recovery email address' "asks to confirm the address first"
like "$out" 'A verification code has been sent to d\*\*\*@e\*\*\*\.test' "sends a code to it"
like "$out" 'Your recovery email address is confirmed\.' "accepts the code"
like "$out" 'result: Success' "then the change and the login"
bind_ok "uid=dave,$PEOPLE" Dune-Orchard-Falcon-3
ok $? "dave binds with the newest password"
s=$(script noverify <<'EOF'
^Password => Dune-Orchard-Falcon-3
EOF
)
ldapadmin ldapmodify >/dev/null <<EOF
dn: uid=dave,$PEOPLE
changetype: modify
replace: pwdReset
pwdReset: TRUE
EOF
out=$(DRIVE_OPS=login drive dave "$s" sspr-verify)
like "$out" 'acct: Permission denied' "without the code, the login is refused"
bind_ok "uid=dave,$PEOPLE" Dune-Orchard-Falcon-3
ok $? "and nothing changed"

# --- STATUS when the directory is slow: a short cache, never a long wait ----
kill -STOP "$(cat "$T/slapd.pid")"
start=$(date +%s%N)
out=$(DRIVE_OPS=acct drive dave "$(script slow </dev/null)")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill -CONT "$(cat "$T/slapd.pid")"
like "$out" 'result: Authentication token is no longer valid' \
	"a frozen directory: the answer comes from the cache"
ok $(( ms > 4000 )) "within the status timeout (${ms} ms)"
like "$(cat "$T/helperd.log")" 'answered from the cache' "and the daemon says so"
kill -STOP "$(cat "$T/slapd.pid")"
out=$(DRIVE_OPS=acct drive grace "$(script slow2 </dev/null)")
kill -CONT "$(cat "$T/slapd.pid")"
like "$out" 'result: Success' "a user the cache does not know: nothing demanded, the login goes on"

done_testing
