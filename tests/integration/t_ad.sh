#!/bin/bash
# Active Directory: the whole PAM flow against a real Samba AD DC.  A
# reset writes unicodePwd (UTF-16LE, non-BMP passwords included) as the
# delegated service account; policy refusals are explained and retried;
# unlock without reset; disabled, protected (adminCount, nested groups)
# accounts are refused like unknown ones; must-change is cleared; the
# throttle counters live on the entry (schema extension); type = auto
# detects AD; otherMailbox and userPrincipalName work.
. "$SRC/tests/lib/env.sh"
. "$SRC/tests/lib/samba.sh"
r=$(samba_unavailable) && skip_all "$r"
samba_start && ad_fixtures || exit 1
MC="$SRC/tests/lib/env-mailcode.sh $T"

# The schema extension of ldap-schema/ (schema updates need allowing on
# Samba), and write access to its attributes for the service account.
samba_restart --option='dsdb:schema update allowed = true' || exit 1
sed "s/DC=X/$AD_BASE/" "$SRC/ldap-schema/sspr-ad.ldif" > "$T/sspr-ad.ldif"
is "$(ad_result ad_admin ldapmodify -f "$T/sspr-ad.ldif")" "rc=0 " \
	"ldap-schema/sspr-ad.ldif applies to the DC"
guid_of() {	# guid_of LDAPNAME: schemaIDGUID as text (MS-DTYP mixed endian)
	local h
	h=$(ad_admin ldapsearch -LLL -o ldif-wrap=no -b "CN=Schema,CN=Configuration,$AD_BASE" \
	    "(lDAPDisplayName=$1)" schemaIDGUID 2>/dev/null |
	    sed -n 's/^schemaIDGUID:: //p' | base64 -d | od -An -tx1 | tr -d ' \n')
	[ ${#h} -eq 32 ] || return 1
	echo "${h:6:2}${h:4:2}${h:2:2}${h:0:2}-${h:10:2}${h:8:2}-${h:14:2}${h:12:2}-${h:16:4}-${h:20:12}"
}
sid=$(ad_sid "$AD_SVC_DN")
sddl=""
# (the counters, and the recovery methods registration stores)
for a in ssprCodeSent ssprCodeFailure ssprBlockedUntil ssprRecoveryMail \
    ssprRecoveryPhone ssprTotpSecret ssprTotpLastStep ssprQuestionAnswer \
    ssprRegisteredTime ssprRegistrationSkips; do
	g=$(guid_of $a) || echo "# no schemaIDGUID for $a"
	sddl+="(OA;CI;RPWP;$g;$AD_GUID_USER;$sid)"
done
samba-tool dsacl set -s "$SAMBA_CONF" --objectdn="$AD_PEOPLE" --sddl="$sddl" \
	>>"$T/samba-dsacl.log" 2>&1
ok $? "the service account may write the throttle and registration attributes"

# Groups: outer > inner > nora, for exclude_groups with nesting.
ad_user nora "$AD_PW" mail:\ nora@example.test
for g in outer inner; do
	printf 'dn: CN=%s,%s\nobjectClass: group\nsAMAccountName: %s\n' "$g" "$AD_PEOPLE" "$g" |
	    ad_admin ldapadd >/dev/null
done
ad_add_member "CN=outer,$AD_PEOPLE" "CN=inner,$AD_PEOPLE"
ad_add_member "CN=inner,$AD_PEOPLE" "$(ad_dn nora)"

samba_daemon_env
sink_start || exit 1
DAEMON_EXTRA_DIRECTORY="type = ad
user_filter = (&(objectClass=user)(sAMAccountName=%s))" \
DAEMON_EXTRA_CODE="
[policy]
exclude_groups = CN=outer,$AD_PEOPLE" daemon_start || exit 1
{ module_line; ad_ldapcheck_line; } | pam_service sspr-test

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

# 1. A reset, with one refusal by the domain's policy on the way.
out=$(drive alice "$(reset_script a1 alice 1 'Ab1!' 'Azure-New-Pass-2')")
ok $? "alice's reset script ran to its end"
like "$out" 'A verification code has been sent to a\*\*\*@e\*\*\*\.test' "the code goes to alice's mail"
like "$out" '\[error\] That password is too short\.' "AD's 0000052D 'too short' becomes a clear sentence"
like "$out" 'Your password has been changed' "a retry without a new code succeeds"
ad_bind_ok "$(ad_dn alice)" Azure-New-Pass-2
ok $? "alice binds to AD with the new password"
ad_bind_ok "$(ad_dn alice)" "$AD_PW"
ok $((!$?)) "the old password no longer binds"
s=$(script login <<'EOF2'
^Password => Azure-New-Pass-2
EOF2
)
like "$(drive alice "$s")" 'result: Success' "alice logs in through PAM with the new password"
is "$(ad_attr "$(ad_dn alice)" ssprCodeSent)" "" "a successful reset clears the counters on the entry"

# 2. Passwords outside ASCII and the BMP round-trip.
out=$(drive ulla "$(reset_script u1 ulla 1 'Nëw-Pässwörd-🔑-2')")
like "$out" 'Your password has been changed' "ulla resets to a password with é, ö and U+1F511"
ad_bind_ok "$(ad_dn ulla)" 'Nëw-Pässwörd-🔑-2'
ok $? "and binds with exactly that password"

# 3. Unlock without reset; the password stays.
is "$(( $(ad_attr "$(ad_dn larry)" msDS-User-Account-Control-Computed) & 16 ))" 16 "larry is locked out"
s=$(script unlock <<EOF2
^Password => 
^Choose 1 or 2 => 2
^Verification code => !$MC larry@example.test 1
EOF2
)
like "$(drive larry "$s")" 'Your account has been unlocked' "larry unlocks with a code"
is "$(( $(ad_attr "$(ad_dn larry)" msDS-User-Account-Control-Computed) & 16 ))" 0 "the lockout is gone"
ad_bind_ok "$(ad_dn larry)" "$AD_PW"
ok $? "larry binds with his unchanged password"

# 4. A reset clears must-change (pwdLastSet = 0) and a lockout together.
ad_lock mona
is "$(ad_attr "$(ad_dn mona)" pwdLastSet)" 0 "mona must change her password at next logon"
out=$(drive mona "$(reset_script m1 mona 1 'Moss-New-Pass-2')")
like "$out" 'Your password has been changed' "mona resets"
pls=$(ad_attr "$(ad_dn mona)" pwdLastSet)
ok $(( pls > 0 ? 0 : 1 )) "pwdLastSet is no longer 0 ($pls)"
is "$(( $(ad_attr "$(ad_dn mona)" msDS-User-Account-Control-Computed) & 16 ))" 0 \
	"and the lockout was cleared in the same modify"
ad_bind_ok "$(ad_dn mona)" Moss-New-Pass-2
ok $? "mona binds with the new password"

# 5. Disabled, protected and nested-group accounts look like unknown ones.
wrong=$(script wrong <<'EOF2'
^Password => 
^Choose 1 or 2 => 1
^Verification code => 00000000
EOF2
)
is "$(drive dora "$wrong")" "$(drive dino "$wrong")" "a disabled account: same transcript as an unknown name"
is "$(drive paul "$wrong")" "$(drive pete "$wrong")" "adminCount=1: same transcript as an unknown name"
is "$(drive nora "$wrong")" "$(drive nick "$wrong")" "a member of a nested protected group: same as unknown"
is "$(mail_count dora@example.test)$(mail_count paul@example.test)$(mail_count nora@example.test)" 000 \
	"none of them got a mail"
like "$(cat "$T/helperd.log")" 'user=dora: not eligible \(disabled\)' "the log says why (disabled)"
like "$(cat "$T/helperd.log")" 'user=nora: not eligible \(excluded or privileged\)' "and (excluded)"

# 6. Throttle counters on the AD entry: five wrong codes block the account.
for i in 1 2; do
	raw hello recv start alice recv answer 11111111 recv answer 22222222 recv \
		answer 33333333 recv cancel >/dev/null
done
until=$(ad_attr "$(ad_dn alice)" ssprBlockedUntil)
ok $(( until > $(date +%s) ? 0 : 1 )) "ssprBlockedUntil is set on alice's entry ($until)"
n=$(mail_count alice@example.test)
raw hello recv start alice recv cancel >/dev/null
is "$(mail_count alice@example.test)" "$n" "a blocked account gets no more codes"
ad_bind_ok "$(ad_dn alice)" Azure-New-Pass-2
ok $? "the block never locks the AD account itself"

# 7. type = auto, otherMailbox and userPrincipalName.
daemon_stop
rm -f "$T/helperd.conf"
ad_user pia "$AD_PW" mail:\ pia@example.test
DAEMON_EXTRA_DIRECTORY="type = auto
user_filter = (&(objectClass=user)(userPrincipalName=%s))
recovery_mail_attribute = otherMailbox" DAEMON_EXTRA_CODE="
[policy]
exclude_users = PIA" daemon_start || exit 1
MC2() { "$SRC/tests/lib/env-mailcode.sh" "$T" olga@other.test 1; }
out=$(raw hello recv start olga@example.test recv answer "!$MC olga@other.test 1" recv \
	newpw Olive-New-Pass-2 recv)
like "$out" 'dest=o\*\*\*@o\*\*\*\.test' "the code goes to otherMailbox"
like "$out" 'DONE outcome=1' "type = auto detects AD and resets by userPrincipalName"
ad_bind_ok "$(ad_dn olga)" Olive-New-Pass-2
ok $? "olga binds with the new password"
# exclude_users names the sAMAccountName (in another case); the person
# types the userPrincipalName, in yet another: the entry's names decide
for typed in pia@example.test PIA@EXAMPLE.TEST; do
	out=$(raw hello recv start "$typed" recv cancel)
	like "$out" 'CHALLENGE method=1' "'$typed': the same challenge as any name"
done
like "$(cat "$T/helperd.log")" 'user=pia: not eligible \(excluded or privileged\)' \
	"exclude_users = PIA excludes pia typed as her userPrincipalName"
is "$(mail_count pia@example.test)" 0 "and no code went to pia"

# 8. Registration at sign-in, stored on the AD entry.
daemon_stop
rm -f "$T/helperd.conf"
DAEMON_EXTRA_DIRECTORY="type = ad
user_filter = (&(objectClass=user)(sAMAccountName=%s))" DAEMON_EXTRA_CODE="
[register]
enabled = yes" daemon_start || exit 1
{
	module_line
	ad_ldapcheck_line
	echo "account required $BUILD/pam_sspr.so socket=$T/run/helperd.sock daemon_user=$(id -un)"
	echo "account required pam_permit.so"
} | pam_service sspr-reg
pick() {	# pick NAME TEXT TRANSCRIPT: a command answering the menu number
	cat > "$T/pick-$1.sh" <<-EOF2
	#!/bin/sh
	grep -oE '[0-9]+  $2' "$3" | tail -n1 | awk '{print \$1}'
	EOF2
	chmod 755 "$T/pick-$1.sh"
	echo "$T/pick-$1.sh"
}
s=$(script reg-ulla <<EOF2
^Password => Nëw-Pässwörd-🔑-2
^Choose a number => !$(pick e1 'Change your recovery email address' "$T/reg-ulla.out")
^New recovery email address: => ulla.private@example.org
^Verification code => !$MC ulla.private@example.org 1
^Choose a number => !$(pick e2 'Looks good' "$T/reg-ulla.out")
EOF2
)
is "$(ad_attr "$(ad_dn ulla)" ssprRecoveryMail)" "" "AD registration: ulla has no registered address before"
DRIVE_OPS=login drive ulla "$s" sspr-reg > "$T/reg-ulla.out"
ok $? "AD registration: the conversation went as scripted"
like "$(cat "$T/reg-ulla.out")" 'Your account recovery methods:' "AD registration: the account step shows the methods"
like "$(cat "$T/reg-ulla.out")" 'result: Success' "AD registration: and the login succeeds"
is "$(ad_attr "$(ad_dn ulla)" ssprRecoveryMail)" "ulla.private@example.org" \
	"AD registration: the verified address is stored on the entry"
like "$(ad_attr "$(ad_dn ulla)" ssprRegisteredTime)" '^[0-9]+$' "AD registration: so is the confirmation"
out=$(raw hello recv start ulla recv cancel)
like "$out" 'dest=u\*\*\*@e\*\*\*\.org' "AD: a reset now sends the code to the registered address"

# 9. The preflight on AD: the delegation read from allowedAttributesEffective.
"$BUILD/sspr-helperd" --config "$T/helperd.conf" --check --online --probe-user mona \
	>"$T/preflight.out" 2>&1
out=$(grep -E '^(OK|WARN|FAIL) |^      fix:' "$T/preflight.out")
like "$out" '^OK +directory: .* is Active Directory' "AD preflight: the type"
like "$out" '^OK +probe user mona: CN=mona' "AD preflight: the probe user"
like "$out" '^OK +rights: the service account may write pwdLastSet, lockoutTime and the counters \(allowedAttributesEffective\)' \
	"AD preflight: the delegated writes, read from allowedAttributesEffective"
unlike "$out" '^FAIL' "AD preflight: nothing fails"

done_testing
