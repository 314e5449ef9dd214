#!/bin/bash
# The helpdesk pass used at the login, through the real PAM stack against
# real slapd: helen (helpdesk group, her own bind, the ACL of
# ldap-schema/README.md) issues a pass for bob with ssprctl; bob chooses
# "I have a pass from the helpdesk", types it and sets a password.  The
# value is gone from his entry afterwards, the audit names helen, bob's
# recovery address and his mail get the notice.  The same pass a second time, an
# expired pass and a wrong one read the same ("That pass is not right")
# and each costs a wrong code's count (a used one: the source's, as for
# any name without a pass).  carol, an administrator, is
# refused with [pass] for_admins = no even with a pass written by the
# directory's own administrator.
. "$SRC/tests/lib/env.sh"
slapd_start || exit 1
sink_start || exit 1
daemon_conf "$T/helperd.conf"
cat >> "$T/helperd.conf" <<EOF
methods = email pass
admin_group = cn=admins,ou=groups,$SUFFIX
admin_methods_required = 1

[pass]
lifetime = 3600
EOF
HELEN="uid=helen,$PEOPLE"
BOB="uid=bob,$PEOPLE"
CAROL="uid=carol,$PEOPLE"
HELPDESK="cn=helpdesk,ou=groups,$SUFFIX"
ldapadmin ldapadd >/dev/null <<EOF || { echo "# cannot add helen"; exit 1; }
dn: $HELEN
objectClass: inetOrgPerson
objectClass: posixAccount
uid: helen
cn: Helen Helpdesk
sn: Helpdesk
uidNumber: 1900
gidNumber: 1900
homeDirectory: /home/helen
userPassword: Helen-Passw0rd

dn: $HELPDESK
objectClass: groupOfNames
cn: helpdesk
member: $HELEN
EOF
# the example ACL of ldap-schema/README.md, before the counters' rule
ldapmod <<EOF || { echo "# cannot set the ACL"; exit 1; }
dn: olcDatabase={1}mdb,cn=config
changetype: modify
add: olcAccess
olcAccess: {2}to attrs=ssprHelpdeskPass by dn.exact="$SERVICE_DN" write by group.exact="$HELPDESK" write by * none
olcAccess: {3}to attrs=objectClass val=ssprAccount by group.exact="$HELPDESK" write by * break
EOF
# bob gets a registered recovery address and a mail of his own: a
# pass's notice goes to both
ldapadmin ldapmodify >/dev/null <<EOF || { echo "# cannot give bob an address"; exit 1; }
dn: $BOB
changetype: modify
add: objectClass
objectClass: ssprAccount
-
add: ssprRecoveryMail
ssprRecoveryMail: bob@example.test
-
add: mail
mail: bob@work.example.test
EOF
daemon_start || exit 1
{ module_line; ldapcheck_line; } | pam_service sspr-test

ctl() {	# ctl AS PASSWORD ARGS...: ssprctl with the password on fd 3
	local as=$1 pw=$2
	shift 2
	"$BUILD/ssprctl" -c "$T/helperd.conf" "$@" --as "$as" --password-fd 3 \
	    3< <(printf '%s\n' "$pw")
}
issue() {	# issue USER [AS PASSWORD]: prints the new pass
	ctl "${2:-$HELEN}" "${3:-Helen-Passw0rd}" pass issue "$1" 2>>"$T/ctl.err" |
	    grep -oE '^    [2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$' | tr -d ' '
}
fails() {	# fails USER: the account's wrong-code count on the entry
	attr_of "uid=$1,$PEOPLE" ssprCodeFailure | grep -c .
}
once() {	# once PASS: a script that types PASS once, then cancels
	script "once$RANDOM" <<EOF2
^Password => 
^Choose 1, 2 or 3 => 3
^Pass from the helpdesk => $1
^Pass from the helpdesk => 
EOF2
}

# --- the menu -----------------------------------------------------------------
s=$(script menu <<'EOF2'
^Password => 
^Choose 1, 2 or 3 => 
EOF2
)
out=$(drive bob "$s")
like "$out" '  3  I have a pass from the helpdesk' "the menu offers the pass"

# --- a reset with the pass ------------------------------------------------------
pass=$(issue bob)
like "$pass" '^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$' "helen issues a pass for bob"
lower=$(printf '%s' "${pass//-/}" | tr 'A-Z' 'a-z')
s=$(script reset <<EOF2
^Password => 
^Choose 1, 2 or 3 => 3
^Pass from the helpdesk => $lower
^New password: => Pass-Reset-Passw0rd-1
^Retype new password: => Pass-Reset-Passw0rd-1
EOF2
)
out=$(drive bob "$s")
ok $? "bob resets with the pass (typed in lower case, without dashes)"
like "$out" 'Type the one-time pass the helpdesk gave you\.' "the pass is asked for"
unlike "$out" 'has been sent' "no code was sent"
like "$out" '\[info\] Your password has been changed\.' "the reset is done"
bind_ok "$BOB" Pass-Reset-Passw0rd-1
ok $? "bob binds with the new password"
is "$(attr_of "$BOB" ssprHelpdeskPass)" "" "the pass is gone from bob's entry"
like "$(cat "$T/helperd.log")" "audit: event=vouched result=ok reason=$HELEN user=bob .*method=pass" \
	"the audit names the issuer"
wait_for 10 test "$(notify_count bob@example.test pass)" -ge 1
ok $? "bob's recovery address is told"
m=$(grep -l '^X-SSPR-Message: notify-pass[[:space:]]*$' "$T"/mail/*-bob@example.test.eml | head -n1)
like "$(cat "$m")" 'Subject: A helpdesk pass was used to reset your password' "with the pass's own notice"
wait_for 10 test "$(notify_count bob@work.example.test pass)" -ge 1
ok $? "and so is his own mail"
is "$(mail_count bob@example.test)" 0 "and no code mail"

# --- used, wrong, expired: one answer --------------------------------------------
# Used, bob has no pass left: his flow is an unknown name's (the source's
# count only).  With a pass on his entry, a wrong or an expired one is
# counted on the account like a wrong code.
used=$(drive bob "$(once "$pass")")
like "$used" "That pass is not right\. Attempts left: 4\." "the pass a second time: not right"
pass2=$(issue bob)
stored=$(attr_of "$BOB" ssprHelpdeskPass)
f0=$(fails bob)
wrong=$(drive bob "$(once 22222-33333-44444)")
is "$wrong" "$used" "a wrong pass reads the same"
is "$(fails bob)" "$((f0 + 1))" "counted like a wrong code"
old=$(printf '%s' "$stored" | cut -d'$' -f8)
past=$(( $(date +%s) - 60 ))
expired_value=$(printf '%s' "$stored" | sed "s/\\\$$old\\\$/\\\$$past\\\$/")
ldapadmin ldapmodify >/dev/null <<EOF
dn: $BOB
changetype: modify
replace: ssprHelpdeskPass
ssprHelpdeskPass: $expired_value
EOF
ok $? "bob's new pass expired a minute ago (its expiry rewritten)"
is "$(attr_of "$BOB" ssprHelpdeskPass | cut -d'$' -f8)" "$past" "as stored"
expired=$(drive bob "$(once "$pass2")")
is "$expired" "$used" "an expired pass reads the same"
is "$(fails bob)" "$((f0 + 2))" "counted like a wrong code"
like "$(attr_of "$BOB" ssprHelpdeskPass)" "$HELEN\$" "the expired pass stays (ssprctl pass list shows it)"
bind_ok "$BOB" Pass-Reset-Passw0rd-1
ok $? "bob's password is untouched"

# --- an administrator: for_admins = no is the daemon's check ---------------------
cpass=$(issue carol "cn=admin,$SUFFIX" admin-secret)
is "$cpass" "" "ssprctl refuses carol, an administrator"
# the directory's administrator writes one past ssprctl's check: bob's
# second pass as it was stored, still valid
ldapadmin ldapmodify >/dev/null 2>&1 <<EOF
dn: $CAROL
changetype: modify
add: objectClass
objectClass: ssprAccount
EOF
ldapadmin ldapmodify >/dev/null <<EOF
dn: $CAROL
changetype: modify
replace: ssprHelpdeskPass
ssprHelpdeskPass: $stored
EOF
ok $? "carol's entry holds a valid pass"
admin=$(drive carol "$(once "$pass2")")
like "$admin" "That pass is not right\. Attempts left: 4\." "carol's right pass is refused like a wrong one"
is "$(attr_of "$CAROL" userPassword)" Old-Passw0rd-carol "carol's password is untouched"
unlike "$(attr_of "$CAROL" ssprHelpdeskPass)" '^$' "her pass stays"
done_testing
