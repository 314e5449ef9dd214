#!/bin/bash
# 389 Directory Server: the whole PAM flow against a real 389 DS with a
# password policy that forces a change after a reset by someone else.
# A reset by the delegated service account applies 389's syntax and
# history (refusals explained) and leaves no must-change behind; a
# failed-bind lockout is lifted by unlock and by a reset; nsAccountLock
# is never lifted and looks like an unknown name; a change 389 demands
# is made at login (STATUS, the account and password stages); type =
# auto detects 389; the throttle counters live on the
# entry (ldap-schema/sspr-389.ldif), shared by two daemons; a service
# account that cannot search is reported, not taken for "no such
# account".  See tests/lib/DS389.md.
. "$SRC/tests/lib/env.sh"
. "$SRC/tests/lib/ds389.sh"
r=$(ds389_unavailable) && skip_all "$r"
ds389_start || exit 1
MC="$SRC/tests/lib/env-mailcode.sh $T"

is "$(ds_result ds_sspr_schema)" "rc=0 " \
	"ldap-schema/sspr-389.ldif and README.md's ACIs load into 389 online"
for u in alice hank larry lena dora cleo; do
	ds_user "$u" || exit 1
done
DS_MUST_CHANGE=1 ds_user mona || exit 1
ds_modify "$(ds_dn dora)" nsAccountLock true

ds389_daemon_env
sink_start || exit 1
# the daemon's own quality rules off: 389's are under test
DAEMON_EXTRA_DIRECTORY="type = 389ds" DAEMON_EXTRA_CODE="
[password]
tries = 5
pwquality = no" daemon_start || exit 1
{ module_line; ds_ldapcheck_line; } | pam_service sspr-test

reset_script() {	# reset_script NAME USER N PASSWORD...
	local name=$1 user=$2 n=$3 pw
	shift 3
	{
		echo '^Password => '
		echo '^Choose 1 or 2 => 1'
		echo "^Verification code => !$MC $user@example.test $n"
		for pw; do
			echo "^New password: => $pw"
			echo "^Retype new password: => $pw"
		done
	} > "$T/$name.script"
	echo "$T/$name.script"
}
unlock_script() {	# unlock_script USER N
	script "unlock-$1" <<-EOF2
	^Password => 
	^Choose 1 or 2 => 2
	^Verification code => !$MC $1@example.test $2
	EOF2
}

# 1. A reset through every refusal 389's policy makes, then one it takes.
out=$(drive alice "$(reset_script a1 alice 1 'Short-Pw-1' 'kq7vmzpxlrtwb' "$DS_PW" 'Azure-New-Pass-2')")
ok $? "alice's reset script ran to its end"
like "$out" '\[error\] That password is too short\.' \
	"389's 'must be at least 12 characters long' becomes 'too short'"
like "$out" '\[error\] That password needs more kinds of characters' \
	"'at least 3 character categories' becomes 'more kinds of characters'"
like "$out" '\[error\] You have used that password before' "'password in history' becomes 'used before'"
like "$out" 'Your password has been changed' "a retry without a new code succeeds"
ds_bind_ok "$(ds_dn alice)" Azure-New-Pass-2
ok $? "alice binds and may work (WhoAmI) with the new password: no change forced"
ds_bind_ok "$(ds_dn alice)" "$DS_PW"
ok $((!$?)) "the old password no longer binds"
is "$(ds_attr "$(ds_dn alice)" pwdReset)" "" "389 did not mark the password as reset"
unlike "$(ds_attr "$(ds_dn alice)" passwordExpirationTime)" '^19700101000000Z$' \
	"and did not set the must-change expiry"
is "$(raw hello recv status alice recv | tail -n1)" "ACCOUNT known=1 must_change=0" \
	"STATUS: alice need not change her password"
s=$(script login <<'EOF2'
^Password => Azure-New-Pass-2
EOF2
)
like "$(drive alice "$s")" 'result: Success' "alice logs in through PAM with the new password"
is "$(ds_attr "$(ds_dn alice)" ssprCodeSent)" "" "a successful reset clears the counters on the entry"

# 2. The history holds the new password too: a second reset to it fails.
out=$(drive hank "$(reset_script h1 hank 1 'Hazel-New-Pass-2')")
like "$out" 'Your password has been changed' "hank resets"
out=$(drive hank "$(reset_script h2 hank 2 'Hazel-New-Pass-2' 'Hazel-New-Pass-3')")
like "$out" '\[error\] You have used that password before' "resetting to the same password again is refused as history"
like "$out" 'Your password has been changed' "another one is taken"

# 3. A failed-bind lockout: lifted by unlock, the password unchanged.
ds_lock larry
ok $? "larry is locked out by $DS_LOCKOUT_THRESHOLD wrong passwords (accountUnlockTime set)"
ds_bind_ok "$(ds_dn larry)" "$DS_PW"
ok $((!$?)) "and cannot bind with his right password"
like "$(drive larry "$(unlock_script larry 1)")" 'Your account has been unlocked' "larry unlocks with a code"
is "$(ds_attr "$(ds_dn larry)" accountUnlockTime)" "" "accountUnlockTime is gone"
ds_bind_ok "$(ds_dn larry)" "$DS_PW"
ok $? "larry binds with his unchanged password"
like "$(drive larry "$(unlock_script larry 2)")" 'Your account was not locked' \
	"unlocked, he is told so the next time"

# 4. A reset lifts the lockout too.
ds_lock lena
ok $? "lena is locked out"
out=$(drive lena "$(reset_script l1 lena 1 'Lemon-New-Pass-2')")
like "$out" 'Your password has been changed' "lena resets"
# 389 lifts the lock in a post-operation of the write: a bind at the
# same moment can still meet it, so wait for it (readiness, not time)
wait_for 5 ds_bind_ok "$(ds_dn lena)" Lemon-New-Pass-2
r=$?
ok $r "and binds with the new password"
if [ $r -ne 0 ]; then
	ds_as "$(ds_dn lena)" Lemon-New-Pass-2 ldapwhoami 2>&1 | sed 's/^/#   /'
	for a in accountUnlockTime passwordRetryCount passwordExpirationTime; do
		echo "#   lena's $a: $(ds_attr "$(ds_dn lena)" $a)"
	done
fi

# 5. nsAccountLock: an administrator's inactivation, never lifted, and
#    indistinguishable from a name the directory does not know.
ds_bind_ok "$(ds_dn dora)" "$DS_PW"
ok $((!$?)) "dora (nsAccountLock: true) cannot bind"
wrong=$(script wrong <<'EOF2'
^Password => 
^Choose 1 or 2 => 1
^Verification code => 00000000
EOF2
)
is "$(drive dora "$wrong")" "$(drive dino "$wrong")" "dora's reset: the same transcript as an unknown name"
wrongu=$(script wrongu <<'EOF2'
^Password => 
^Choose 1 or 2 => 2
^Verification code => 00000000
EOF2
)
is "$(drive dora "$wrongu")" "$(drive dino "$wrongu")" "dora's unlock: the same transcript as an unknown name"
is "$(mail_count dora@example.test)" 0 "dora got no mail"
is "$(ds_attr "$(ds_dn dora)" nsAccountLock)" true "nsAccountLock is still set"
like "$(cat "$T/helperd.log")" 'user=dora: not eligible \(locked by an administrator\)' "the log says why"

# 6. Forced change at login: mona was given her password by Directory
#    Manager under passwordMustChange.  Her own change needs the usual
#    self-write ACI on userPassword.
is "$(raw hello recv status mona recv | tail -n1)" "ACCOUNT known=1 must_change=1" \
	"STATUS: mona must change her password (passwordExpirationTime 19700101000000Z)"
ds_admin ldapmodify >/dev/null <<EOF2
dn: $DS_PEOPLE
changetype: modify
add: aci
aci: (targetattr="userPassword")(version 3.0; acl "self password"; allow (write) userdn="ldap:///self";)
EOF2
ARGS="socket=$T/run/helperd.sock daemon_user=$(id -un)"
{
	module_line
	ds_ldapcheck_line
	echo "account required $BUILD/pam_sspr.so $ARGS"
	echo "account required pam_permit.so"
	echo "password [success=done ignore=ignore default=die] $BUILD/pam_sspr.so $ARGS"
} | pam_service sspr-login
s=$(script forced <<EOF2
^Password => $DS_PW
^Current password: => $DS_PW
^New password: => Marble-New-Pass-2
^Retype new password: => Marble-New-Pass-2
EOF2
)
out=$(DRIVE_OPS=login drive mona "$s" sspr-login)
like "$out" 'acct: Authentication token is no longer valid; new one required' \
	"the account step answers PAM_NEW_AUTHTOK_REQD"
like "$out" 'Your password has been changed\.' "mona changes it in the same login"
like "$out" 'result: Success' "and the login succeeds"
ds_bind_ok "$(ds_dn mona)" Marble-New-Pass-2
ok $? "mona binds and may work with the new password"
is "$(raw hello recv status mona recv | tail -n1)" "ACCOUNT known=1 must_change=0" \
	"STATUS: nothing demanded any more"

# 7. type = auto recognises 389 from its rootDSE.
daemon_stop
rm -f "$T/helperd.conf"
DAEMON_EXTRA_DIRECTORY="type = auto
user_filter = (&(objectClass=posixAccount)(uid=%s))" DAEMON_EXTRA_CODE="
[password]
pwquality = no" daemon_start || exit 1
out=$(raw hello recv start cleo recv answer "!$MC cleo@example.test 1" recv \
	newpw Clover-New-Pass-2 recv)
like "$out" 'DONE outcome=1' "type = auto resets cleo"
ds_bind_ok "$(ds_dn cleo)" Clover-New-Pass-2
ok $? "cleo binds with the new password, no change forced: auto chose 389's way"

# 8. The throttle counters on the 389 entry, shared by two daemons.
daemon_stop
rm -f "$T/helperd.conf"
DAEMON_EXTRA_DIRECTORY="type = 389ds" daemon_start || exit 1
A_PID=$DAEMON_PID
SOCKET=$T/run/b.sock DAEMON_EXTRA_DIRECTORY="type = 389ds" daemon_start b || exit 1
raw hello recv start hank recv answer 11111111 recv answer 22222222 recv \
	answer 33333333 recv cancel >/dev/null
SOCKET=$T/run/b.sock raw hello recv start hank recv answer 44444444 recv \
	answer 55555555 recv answer 66666666 recv cancel >/dev/null
n=$(ds_attr "$(ds_dn hank)" ssprCodeSent | wc -l)
is "$n" 2 "both daemons' code sends are on hank's entry"
until=$(ds_attr "$(ds_dn hank)" ssprBlockedUntil)
ok $(( ${until:-0} > $(date +%s) ? 0 : 1 )) "their wrong codes together block hank (ssprBlockedUntil $until)"
n=$(mail_count hank@example.test)
raw hello recv start hank recv cancel >/dev/null
is "$(mail_count hank@example.test)" "$n" "the first daemon sends no more codes to hank"
CTL="$BUILD/ssprctl -c $T/helperd.conf"
like "$($CTL unblock hank)" 'counters of uid=hank' "ssprctl unblock clears them on 389"
is "$(ds_attr "$(ds_dn hank)" ssprBlockedUntil)$(ds_attr "$(ds_dn hank)" ssprCodeFailure)" "" \
	"the counters are gone"
like "$($CTL status)" 'directory +reachable' "ssprctl status: reachable"

# 9. A service account that must change its own password: 389 refuses
#    its every search.  Reported, not taken for "no such account".
#    (389 decides at bind time: the daemon binds anew after a restart.)
ds_modify "$DS_SVC_DN" passwordExpirationTime 19700101000000Z
DAEMON_PID=$A_PID daemon_stop
daemon_start || exit 1
out=$(raw hello recv start alice recv)
like "$out" 'FAIL reason=4' "the person is told the reset is unavailable"
like "$(cat "$T/helperd.log")" '\[error\]: search under .* refused: Server is unwilling to perform' \
	"the log names the cause"
unlike "$(tail -n 5 "$T/helperd.log")" 'no such account' "and does not call alice unknown"
out=$($CTL status)
ok $((!$?)) "ssprctl status fails"
like "$out" 'directory +CANNOT SEARCH: the service account .* cannot search' \
	"and says the service account cannot search"
out=$("$BUILD/sspr-helperd" --config "$T/helperd.conf" --check --online --probe-user alice 2>&1)
ok $((!$?)) "the online preflight fails"
like "$out" '^FAIL +search: .*(refuses|unwilling)' "with a FAIL line for the refused search"
unlike "$out" 'preflight: OK' "and does not end OK"

done_testing
