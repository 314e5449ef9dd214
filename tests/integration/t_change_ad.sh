#!/bin/bash
# Change with the old password and the forced change at sign-in against a
# real Samba AD DC: the daemon changes the password as the user (one
# Modify that deletes the old and adds the new unicodePwd), so the
# domain's rules for users apply (history, minimum age); a user who must
# change (pwdLastSet = 0) is sent through the change by the account step.
. "$SRC/tests/lib/env.sh"
. "$SRC/tests/lib/samba.sh"
r=$(samba_unavailable) && skip_all "$r"
samba_start && ad_fixtures || exit 1
samba_daemon_env
sink_start || exit 1
DAEMON_EXTRA_DIRECTORY="type = ad
user_filter = (&(objectClass=user)(sAMAccountName=%s))" daemon_start || exit 1
ARGS="socket=$T/run/helperd.sock daemon_user=$(id -un)"
# Samba's default minimum age (1 day) refuses any change of a fixture
# user set up a moment ago; it is switched on again below, on purpose.
samba-tool domain passwordsettings set -s "$SAMBA_CONF" --min-pwd-age=0 >>"$T/samba-tool.log" 2>&1
ok $? "the domain has no minimum password age for a start"

# The password check of the login: a bind as the user.  AD refuses the
# bind of a user who must change (data 773) or whose password expired
# (532) although the password is right; like pam_sss and pam_winbind, the
# check lets that through and leaves the rest to the account step.
cat > "$T/adcheck.sh" <<EOF
#!/bin/sh
pw=\$(head -c 512 | tr -d '\\000')
f=\$(umask 077 && mktemp "$T/.adcheck.XXXXXX")
printf '%s' "\$pw" > "\$f"
out=\$(LDAPTLS_CACERT=$T/ca.pem ldapsearch -x -H $AD_URI \\
    -D "CN=\$PAM_USER,$AD_PEOPLE" -y "\$f" -b "" -s base dn 2>&1)
r=\$?
rm -f "\$f"
case \$out in *"data 773,"*|*"data 532,"*) exit 0 ;; esac
exit \$r
EOF
chmod 755 "$T/adcheck.sh"
{
	module_line
	echo "auth required pam_exec.so quiet expose_authtok $T/adcheck.sh"
	echo "account required $BUILD/pam_sspr.so $ARGS"
	echo "account required pam_permit.so"
	echo "password [success=done ignore=ignore default=die] $BUILD/pam_sspr.so $ARGS"
	echo "password required pam_deny.so"
} | pam_service sspr-test

passwd() { DRIVE_OPS=passwd drive "$@"; }
change_script() {	# change_script NAME OLD NEW...
	local name=$1 old=$2 pw
	shift 2
	{
		echo "^Current password: => $old"
		for pw; do
			echo "^New password: => $pw"
			echo "^Retype new password: => $pw"
		done
	} > "$T/$name.script"
	echo "$T/$name.script"
}

# --- right old password ------------------------------------------------------
out=$(passwd alice "$(change_script c1 "$AD_PW" Azure-Change-Pass-3)")
ok $? "passwd: the conversation went as scripted"
like "$out" 'Your password has been changed\.' "the change is announced"
like "$out" 'result: Success' "pam_chauthtok succeeds"
ad_bind_ok "$(ad_dn alice)" Azure-Change-Pass-3
ok $? "alice binds to AD with the new password"
ad_bind_ok "$(ad_dn alice)" "$AD_PW"
ok $((!$?)) "and no longer with the old one"

# --- wrong old password ------------------------------------------------------
out=$(passwd olga "$(change_script c2 Not-Her-Pass-9 Garnet-Change-Pass-4)")
like "$out" 'Your current password is not right' "a wrong old password is refused in one sentence"
unlike "$out" 'result: Success' "and pam_chauthtok fails"
ad_bind_ok "$(ad_dn olga)" "$AD_PW"
ok $? "olga still binds with her password"

# --- the domain's rules for users: history, then minimum age ---------------
out=$(passwd alice "$(change_script c3 Azure-Change-Pass-3 "$AD_PW" Moss-Change-Pass-5)")
ok $? "two tries, as scripted"
like "$out" "\\[error\\] (You have used that password before|That password does not meet the domain's rules)" \
	"a password from the history is refused with a clear sentence"
like "$out" 'result: Success' "the next one is taken without starting again"
ad_bind_ok "$(ad_dn alice)" Moss-Change-Pass-5
ok $? "alice binds with it"

samba-tool domain passwordsettings set -s "$SAMBA_CONF" --min-pwd-age=1 >>"$T/samba-tool.log" 2>&1
ok $? "the domain now has a minimum password age of one day"
out=$(passwd alice "$(change_script c4 Moss-Change-Pass-5 Olive-Change-Pass-6)")
like "$out" "\\[error\\] (The password was changed too recently|That password does not meet the domain's rules)" \
	"minimum age: the domain's refusal is explained"
unlike "$out" 'result: Success' "nothing changed"
ad_bind_ok "$(ad_dn alice)" Moss-Change-Pass-5
ok $? "alice's password is still the one she set"
samba-tool domain passwordsettings set -s "$SAMBA_CONF" --min-pwd-age=0 >>"$T/samba-tool.log" 2>&1

# --- forced change at sign-in: pwdLastSet = 0 ------------------------------
is "$(ad_attr "$(ad_dn mona)" pwdLastSet)" 0 "mona must change her password at next logon"
s=$(script forced <<EOF
^Password => $AD_PW
^Current password: => $AD_PW
^New password: => Coral-Change-Pass-7
^Retype new password: => Coral-Change-Pass-7
EOF
)
out=$(DRIVE_OPS=login drive mona "$s")
ok $? "login: the conversation went as scripted"
like "$out" 'acct: Authentication token is no longer valid; new one required' \
	"the account step answers PAM_NEW_AUTHTOK_REQD"
like "$out" 'Your password has been changed\.' "the change runs in the same login"
like "$out" 'result: Success' "and the login succeeds"
ok $(( $(ad_attr "$(ad_dn mona)" pwdLastSet) == 0 )) "pwdLastSet is no longer 0"
ad_bind_ok "$(ad_dn mona)" Coral-Change-Pass-7
ok $? "mona binds with the new password"
s=$(script again <<'EOF'
^Password => Coral-Change-Pass-7
EOF
)
out=$(DRIVE_OPS=login drive mona "$s")
like "$out" 'acct: Success' "her next login is an ordinary one"

done_testing
