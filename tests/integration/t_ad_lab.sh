#!/bin/bash
# The Samba AD DC lab and the Active Directory facts the daemon's AD back
# end relies on, checked with the OpenLDAP client tools over LDAPS (CA
# verification on): searches, a reset as one Modify of unicodePwd by the
# delegated service account, non-ASCII passwords, policy errors, unlock,
# pwdLastSet, disabled and protected accounts, transport rules, and an
# example schema extension.  Each fact is one assertion; the exact server
# texts are in tests/lib/SAMBA.md.
. "$SRC/tests/lib/env.sh"
. "$SRC/tests/lib/samba.sh"
r=$(samba_unavailable) && skip_all "$r"

t_start=$(ms_now)
samba_start
r=$?
ok $r "the Samba AD DC is provisioned and answers LDAPS on $SAMBA_IP"
[ $r -eq 0 ] || exit 1
ad_fixtures
r=$?
ok $r "fixture users created"
[ $r -eq 0 ] || exit 1
bringup=$((SAMBA_BRINGUP_MS + SAMBA_FIXTURES_MS))	# without waiting for the lock
ok $((bringup < 40000 ? 0 : 1)) "lab bring-up with fixtures in ${bringup} ms (under 40 s)"

reset_as() {	# reset_as svc|admin|IDENTITY-DN:PW DN NEWPW [ATTR=VALUE]...: rc + diagnostic
	local who=$1
	shift
	case $who in
	svc) ad_reset_ldif "$@" | ad_result ad_svc ldapmodify ;;
	admin) ad_reset_ldif "$@" | ad_result ad_admin ldapmodify ;;
	*) ad_reset_ldif "$@" | ad_result ad_as "${who%%:*}" "${who#*:}" ldapmodify ;;
	esac
}
bind_diag() { ad_result ad_bind "$@"; }
uacc() { ad_attr "$1" msDS-User-Account-Control-Computed; }
filetime_now() { echo $((($(date +%s) + 11644473600) * 10000000)); }
recent() {	# recent FILETIME: within the last 10 minutes
	[ -n "$1" ] && [ "$1" -gt $(($(filetime_now) - 6000000000)) ]
}

# --- the rootDSE -----------------------------------------------------------

rootdse=$(LDAPTLS_CACERT=$T/ca.pem ldapsearch -LLL -o ldif-wrap=no -x -H "$AD_URI" \
    -b "" -s base '*' supportedControl 2>&1)
like "$rootdse" "^defaultNamingContext: $AD_BASE\$" \
    "rootDSE readable anonymously over LDAPS with the test CA"
LDAPTLS_CACERT=/etc/ssl/certs/ca-certificates.crt ldapsearch -x -H "$AD_URI" \
    -b "" -s base dn >/dev/null 2>&1
ok $((!$?)) "LDAPS with another CA fails: verification is really on"
controls=$(printf '%s\n' "$rootdse" | sed -n 's/^supportedControl: //p' | sort -u)
echo "# supportedControl ($(printf '%s\n' "$rootdse" | grep -c '^supportedControl:') values," \
    "$(printf '%s\n' "$controls" | wc -l) distinct): $(printf '%s\n' "$controls" | tr '\n' ' ')"
like "$controls" '^1\.2\.840\.113556\.1\.4\.319$' "supportedControl lists paged results (1.2.840.113556.1.4.319)"
unlike "$controls" '^1\.2\.840\.113556\.1\.4\.(2239|2066)$' \
    "neither policy-hints control (1.2.840.113556.1.4.2239 / .2066) is listed"
is "$(printf '%s\n' "$rootdse" | sed -n 's/^isGlobalCatalogReady: //p')" TRUE "isGlobalCatalogReady: TRUE"
dfl=$(printf '%s\n' "$rootdse" | sed -n 's/^domainFunctionality: //p')
echo "# domainFunctionality: $dfl, forestFunctionality:" \
    "$(printf '%s\n' "$rootdse" | sed -n 's/^forestFunctionality: //p')"
like "$dfl" '^[0-9]+$' "domainFunctionality is a number ($dfl; 4 is the 2008 R2 level)"
unlike "$rootdse" '^supportedExtension:' \
    "the rootDSE lists no supportedExtension at all (not even StartTLS, which works)"

# --- searches as the service account --------------------------------------

find_dn() { ad_svc ldapsearch -LLL -o ldif-wrap=no -b "$AD_PEOPLE" "$1" dn 2>/dev/null; }
is "$(find_dn '(sAMAccountName=alice)')" "dn: $(ad_dn alice)" "search by sAMAccountName"
is "$(find_dn '(userPrincipalName=alice@example.test)')" "dn: $(ad_dn alice)" "search by userPrincipalName"
is "$(find_dn '(mail=alice@example.test)')" "dn: $(ad_dn alice)" "search by mail"
is "$(find_dn '(otherMailbox=olga@other.test)')" "dn: $(ad_dn olga)" "search by otherMailbox"
out=$(ad_svc ldapsearch -o ldif-wrap=no -b "$AD_BASE" '(sAMAccountName=alice)' dn 2>&1)
like "$out" '^ref: ldaps://example\.test/' \
    "a subtree search from the domain root also returns search references (to skip, not chase)"
like "$out" '^# numEntries: 1$' "...and the one entry"
out=$(ad_svc ldapsearch -LLL -o ldif-wrap=no -b "$(ad_dn paul)" -s base \
    adminCount memberOf userAccountControl lockoutTime pwdLastSet 2>/dev/null)
like "$out" '^adminCount: 1$' "the service account can read adminCount"
like "$out" "^memberOf: CN=Domain Admins,CN=Users,$AD_BASE\$" "...and memberOf"
out=$(ad_svc ldapsearch -LLL -o ldif-wrap=no -b "$(ad_dn larry)" -s base \
    msDS-User-Account-Control-Computed 2>/dev/null)
like "$out" '^msDS-User-Account-Control-Computed: 16$' \
    "...and msDS-User-Account-Control-Computed (constructed, asked for by name)"
out=$(ad_svc ldapsearch -LLL -o ldif-wrap=no -b "$AD_PEOPLE" \
    "(memberOf:1.2.840.113556.1.4.1941:=CN=Administrators,CN=Builtin,$AD_BASE)" dn 2>/dev/null)
is "$out" "dn: $(ad_dn paul)" \
    "LDAP_MATCHING_RULE_IN_CHAIN finds nested members (paul: Domain Admins in Administrators)"
out=$(ad_svc ldapsearch -LLL -b "$AD_PEOPLE" '(sAMAccountName=paul)' tokenGroups 2>&1)
like "$out" "00002020: operational_search_post_process failed for attribute 'tokenGroups' - Cannot provide tokenGroups attribute, this is not a BASE search" \
    "tokenGroups only in a base search"
like "$(ad_svc ldapsearch -LLL -o ldif-wrap=no -b "$(ad_dn paul)" -s base tokenGroups 2>/dev/null)" \
    '^tokenGroups:: AQIAAAAAAAUgAAAAIAIAAA==$' \
    "...where paul's list has BUILTIN\\Administrators (S-1-5-32-544), through Domain Admins"
is "$(ad_attr "$(ad_dn alice)" unicodePwd)" "" "unicodePwd is never returned, even to Administrator"
out=$(LDAPTLS_CACERT=$T/ca.pem ldapsearch -x -H "$AD_URI" -b "$AD_PEOPLE" '(sAMAccountName=alice)' dn 2>&1)
like "$out" 'text: 00002020: Operation unavailable without authentication' "anonymous searches are refused"

# --- bind errors -----------------------------------------------------------

is "$(bind_diag "$(ad_dn alice)" Wrong-Pass-0)" \
    "rc=49 80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1" \
    "a wrong password: rc 49, data 52e"
is "$(bind_diag "CN=nobody,$AD_PEOPLE" "$AD_PW")" \
    "rc=49 80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1" \
    "an unknown DN: also data 52e (not 525)"
is "$(bind_diag "$(ad_dn alice)" "")" \
    "rc=49 80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1" \
    "an empty password is refused (not an unauthenticated bind)"
ad_bind_ok "alice@example.test" "$AD_PW"
ok $? "a simple bind by userPrincipalName works"
ad_bind_ok "$AD_DOMAIN\\alice" "$AD_PW"
ok $? "a simple bind by DOMAIN\\name works"
out=$(ad_svc ldapwhoami 2>&1)
like "$out" '^Result: Protocol error \(2\)' "no WhoAmI extended operation: protocolError (2)..."
like "$out" 'Additional info: Extended Operation\(1\.3\.6\.1\.4\.1\.4203\.1\.11\.3\) not supported' \
    "...'not supported': check a password by binding"

# --- a reset by the delegated service account ------------------------------

a=$(ad_dn alice)
is "$(reset_as svc "$a" Alice-New-Pass-2)" "rc=0 " "reset: one Modify replacing unicodePwd, as the service account"
ad_bind_ok "$a" Alice-New-Pass-2
ok $? "the new password binds"
ad_bind_ok "$a" "$AD_PW"
ok $((!$?)) "the old password does not (old password allowed period = 0)"
pls=$(ad_attr "$a" pwdLastSet)
recent "$pls"
ok $? "pwdLastSet is now ($pls), although the account lacks Unexpire-Password"
is "$(reset_as svc "$a" Alice-New-Pass-2)" "rc=0 " \
    "the same password again is accepted: no history check on a reset (no policy hints)"

long=$(printf 'a%.0s' $(seq 300))A1-
is "$(reset_as svc "$a" "$long")" "rc=0 " "a 303-character password is accepted"
ad_bind_ok "$a" "$long"
ok $? "...and binds"
ad_bind_ok "$a" "${long:0:256}"
ok $((!$?)) "...its first 256 characters do not: no truncation"
is "$(reset_as svc "$a" Alice-New-Pass-2)" "rc=0 " "back to a short one"
is "$(reset_as svc "$AD_ADMIN_DN" Admin-New-Pass-2)" \
    "rc=50 error in module acl: insufficient access rights during LDB_MODIFY (50)" \
    "the service account cannot reset Administrator (outside OU=People)"
ad_user eve && ad_modify "$(ad_dn eve)" accountExpires 116444736000000000
is "$(bind_diag "$(ad_dn eve)" "$AD_PW")" \
    "rc=49 80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 701, v1db1" \
    "an expired account (accountExpires in the past): data 701"

# --- non-ASCII passwords ---------------------------------------------------

u=$(ad_dn ulla)
ad_bind_ok "$u" "$AD_UNI_PW"
ok $? "a password with non-ASCII and a non-BMP character binds (set at creation)"
new='Grüße-𝄞-Neu-2'
is "$(reset_as svc "$u" "$new")" "rc=0 " "reset to another non-BMP password"
ad_bind_ok "$u" "$new"
ok $? "the new non-BMP password binds"
ad_bind_ok "$u" "$AD_UNI_PW"
ok $((!$?)) "the old non-BMP password does not"
nfd=$(printf '%s' "$new" | sed 's/ü/u\xcc\x88/')
ad_bind_ok "$u" "$nfd"
ok $((!$?)) "the same password in NFD does not bind: no Unicode normalization"
is "$(reset_as svc "$u" 'Aa1-🔑🔑')" "rc=0 " \
    "6 characters with 2 outside the BMP pass a minimum of 7 (length counts UTF-16 units)"
is "$(reset_as svc "$u" 'Aa1-ää')" \
    "rc=19 0000052D: Constraint violation - check_password_restrictions: the password is too short. It should be equal or longer than 7 characters!" \
    "6 BMP characters do not"

# --- policy rejections -----------------------------------------------------

o=$(ad_dn olga)
is "$(reset_as svc "$o" Ab1-x)" \
    "rc=19 0000052D: Constraint violation - check_password_restrictions: the password is too short. It should be equal or longer than 7 characters!" \
    "too short: rc 19 (constraintViolation), 0000052D and the minimum in the text"
is "$(reset_as svc "$o" abcdefghijkl)" \
    "rc=19 0000052D: Constraint violation - check_password_restrictions: the password does not meet the complexity criteria!" \
    "not complex: rc 19, 0000052D"
ad_bind_ok "$o" "$AD_PW"
ok $? "after the rejections the password is unchanged"
is "$(reset_as svc "$o" Olga-New-Pass-2)" "rc=0 " "a retry with a good password succeeds"
out=$(printf 'dn: %s\nchangetype: modify\ndelete: unicodePwd\nunicodePwd:: %s\n-\nadd: unicodePwd\nunicodePwd:: %s\n-\n' \
    "$o" "$(ad_unicodepwd Olga-New-Pass-2)" "$(ad_unicodepwd Olga-Own-Pass-3)" |
    ad_result ad_as "$o" Olga-New-Pass-2 ldapmodify)
is "$out" "rc=19 0000052D: Constraint violation - check_password_restrictions: password is too young to change!" \
    "the user's own change (delete+add) meets the minimum age; resets (replace) do not"
out=$(printf 'dn: %s\nchangetype: modify\nreplace: unicodePwd\nunicodePwd:: %s\n-\n' "$o" \
    "$(printf 'Olga-New-Pass-3' | iconv -f UTF-8 -t UTF-16LE | base64 -w 0)" |
    ad_result ad_svc ldapmodify)
is "$out" "rc=53 00002035: setup_io: it's not allowed to set the NT hash password directly'" \
    "unicodePwd without the quotes: rc 53, 00002035"

# --- lockout and unlock ----------------------------------------------------

l=$(ad_dn larry)
is "$(uacc "$l")" 16 "a locked account: msDS-User-Account-Control-Computed has UF_LOCKOUT (16)"
is "$(ad_attr "$l" badPwdCount)" $AD_LOCKOUT_THRESHOLD "badPwdCount reached the threshold"
lt=$(ad_attr "$l" lockoutTime)
recent "$lt"
ok $? "lockoutTime is set ($lt)"
is "$(bind_diag "$l" "$AD_PW")" \
    "rc=49 80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 775, v1db1" \
    "the right password on a locked account: data 775"
is "$(reset_as svc "$l" Larry-New-Pass-2)" "rc=0 " "a reset alone on a locked account succeeds..."
is "$(uacc "$l")" 16 "...but leaves it locked"
is "$(reset_as svc "$l" Larry-New-Pass-3 lockoutTime=0)" "rc=0 " "reset with lockoutTime=0 in the same Modify"
ad_bind_ok "$l" Larry-New-Pass-3
ok $? "...unlocks: the new password binds"
is "$(ad_attr "$l" lockoutTime)/$(ad_attr "$l" badPwdCount)/$(uacc "$l")" 0/0/0 \
    "...lockoutTime 0, badPwdCount 0, no UF_LOCKOUT"
ad_lock larry
ok $? "locked again"
out=$(printf 'dn: %s\nchangetype: modify\nreplace: lockoutTime\nlockoutTime: 0\n-\n' "$l" |
    ad_result ad_svc ldapmodify)
is "$out" "rc=0 " "unlock without a reset: lockoutTime=0 alone"
ad_bind_ok "$l" Larry-New-Pass-3
ok $? "...and the current password binds again"

# --- rights: the Modify is all or nothing ----------------------------------

weak_dn=CN=sspr-weak,CN=Users,$AD_BASE
ad_account "$weak_dn" sspr-weak Weak-Secret-1 && ad_delegate "$weak_dn" reset
ok $? "a second service account with Reset Password only"
is "$(reset_as "$weak_dn:Weak-Secret-1" "$a" Alice-New-Pass-4 lockoutTime=0)" \
    "rc=50 00002098: Object $a has no write property access" \
    "reset + lockoutTime without write on lockoutTime: rc 50, 00002098"
ad_bind_ok "$a" Alice-New-Pass-2
ok $? "...and the password did not change"
is "$(reset_as "$weak_dn:Weak-Secret-1" "$a" Alice-New-Pass-4 pwdLastSet=-1)" \
    "rc=50 00002098: Object $a has no write property access" \
    "reset + pwdLastSet without write on pwdLastSet: rc 50, 00002098"
is "$(reset_as "$(ad_dn olga):Olga-New-Pass-2" "$a" Alice-New-Pass-4)" \
    "rc=50 error in module acl: insufficient access rights during LDB_MODIFY (50)" \
    "a reset without the Reset Password right: rc 50, no hex code in the text"
ad_bind_ok "$a" Alice-New-Pass-2
ok $? "...and the password did not change"

# --- pwdLastSet ------------------------------------------------------------

m=$(ad_dn mona)
is "$(ad_attr "$m" pwdLastSet)" 0 "a must-change account has pwdLastSet 0"
is "$(( $(uacc "$m") & 0x800000 ))" $((0x800000)) "...and UF_PASSWORD_EXPIRED in msDS-User-Account-Control-Computed"
is "$(bind_diag "$m" "$AD_PW")" \
    "rc=49 80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 773, v1db1" \
    "...and its bind says data 773"
is "$(reset_as svc "$m" Mona-New-Pass-2)" "rc=0 " "a plain reset of a must-change account..."
recent "$(ad_attr "$m" pwdLastSet)"
ok $? "...sets pwdLastSet to now: the must-change flag does not survive a reset"
ad_must_change mona
is "$(reset_as svc "$m" Mona-New-Pass-3 pwdLastSet=-1)" "rc=0 " \
    "reset + pwdLastSet=-1 by the service account (write pwdLastSet, no Unexpire-Password)"
recent "$(ad_attr "$m" pwdLastSet)"
ok $? "...pwdLastSet is now"
ad_bind_ok "$m" Mona-New-Pass-3
ok $? "...and the new password binds"
is "$(reset_as svc "$m" Mona-New-Pass-4 pwdLastSet=0)" "rc=0 " "reset + pwdLastSet=0 (force a change)"
is "$(bind_diag "$m" Mona-New-Pass-4)" \
    "rc=49 80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 773, v1db1" \
    "...the new password then binds only to 'must change' (data 773)"
is "$(reset_as admin "$m" Mona-New-Pass-5 pwdLastSet=-1)" "rc=0 " "reset + pwdLastSet=-1 as Administrator"
ad_bind_ok "$m" Mona-New-Pass-5
ok $? "...binds"

# --- disabled and protected accounts --------------------------------------

d=$(ad_dn dora)
uac=$(ad_attr "$d" userAccountControl)
is "$((uac & 2))" 2 "a disabled account has ACCOUNTDISABLE (0x2) in userAccountControl ($uac)"
is "$(bind_diag "$d" "$AD_PW")" \
    "rc=49 80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 533, v1db1" \
    "its right password binds to data 533"
is "$(reset_as svc "$d" Dora-New-Pass-2)" "rc=0 " \
    "the DC lets the service account reset a disabled account: the daemon must refuse it"

ad_user pete && ad_add_member "CN=Domain Admins,CN=Users,$AD_BASE" "$(ad_dn pete)"
ok $? "pete joins Domain Admins"
is "$(ad_attr "$(ad_dn pete)" adminCount)" "" "Samba does not set adminCount (no SDProp): the fixture sets it"
is "$(ad_attr "$(ad_dn paul)" adminCount)" 1 "paul (Domain Admins, fixture) has adminCount 1"
is "$(ad_attr "$AD_ADMIN_DN" adminCount)" 1 "Administrator has adminCount 1 from provisioning"
is "$(reset_as svc "$(ad_dn paul)" Paul-New-Pass-2)" "rc=0 " \
    "no AdminSDHolder: the delegated account CAN reset a Domain Admin; only the daemon's check protects"

# --- transport ---------------------------------------------------------------

out=$(AD_AS_URI=$AD_LDAP_URI ad_result ad_svc ldapsearch -b "" -s base dn)
is "$out" "rc=8 BindSimple: Transport encryption required." \
    "a simple bind over plain ldap:// is refused: strongAuthRequired (8)"
out=$(AD_AS_URI=$AD_LDAP_URI ad_result ad_as "$a" Wrong-Pass ldapsearch -b "" -s base dn)
is "$out" "rc=8 BindSimple: Transport encryption required." "...before the password is looked at"
out=$(AD_AS_URI=$AD_LDAP_URI ad_result ad_svc ldapsearch -ZZ -b "" -s base dn)
is "$out" "rc=0 " "StartTLS on port 389 works (with the test CA)"
out=$(ad_reset_ldif "$a" Alice-New-Pass-5 | AD_AS_URI=$AD_LDAP_URI ad_result ad_svc ldapmodify -ZZ)
is "$out" "rc=0 " "a reset over StartTLS works"

# --- controls ----------------------------------------------------------------

out=$(ad_reset_ldif "$a" Alice-New-Pass-6 | ad_result ad_svc ldapmodify -e '!1.2.840.113556.1.4.2239')
is "$out" "rc=12 " "policy hints sent as critical: unavailableCriticalExtension (12)"
ad_bind_ok "$a" Alice-New-Pass-5
ok $? "...and the password did not change"
out=$(ad_reset_ldif "$a" Alice-New-Pass-6 | ad_result ad_svc ldapmodify -e '1.2.840.113556.1.4.2239')
is "$out" "rc=0 " "policy hints sent as non-critical: ignored, the reset happens"

# --- the DC restarted with laxer settings ------------------------------------

t_restart=$(ms_now)
samba_restart --option='ldap server require strong auth = no' \
    --option='old password allowed period = 60' \
    --option='dsdb:schema update allowed = true'
ok $? "restart with require strong auth = no, old password allowed period = 60, schema updates allowed ($(($(ms_now) - t_restart)) ms)"
out=$(AD_AS_URI=$AD_LDAP_URI ad_result ad_svc ldapsearch -b "" -s base dn)
is "$out" "rc=0 " "with strong auth off, a simple bind over plain ldap:// works"
out=$(ad_reset_ldif "$a" Alice-New-Pass-7 | AD_AS_URI=$AD_LDAP_URI ad_result ad_svc ldapmodify)
is "$out" "rc=0 " \
    "...and Samba 4.17 then accepts a unicodePwd Modify over it: only the client can insist on TLS"
ad_bind_ok "$a" Alice-New-Pass-7
ok $? "...the password did change"
is "$(reset_as svc "$o" Olga-New-Pass-3)" "rc=0 " "olga reset with the old password allowed for 60 minutes"
ad_bind_ok "$o" Olga-New-Pass-2
ok $? "...her previous password still binds (AD's OldPasswordAllowedPeriod)"

# --- an example schema extension ---------------------------------------------

schema_dn=CN=Schema,CN=Configuration,$AD_BASE
sed "s/@SCHEMA_DN@/$schema_dn/" "$SRC/tests/lib/ad-schema-example.ldif" > "$T/schema.ldif"
out=$(ad_result ad_admin ldapmodify -f "$T/schema.ldif")
is "$out" "rc=0 " "the example schema extension applies as Administrator over LDAPS"
out=$(ad_admin ldapsearch -LLL -o ldif-wrap=no -b "CN=Aggregate,$schema_dn" -s base \
    objectClasses 2>/dev/null | grep ssprAccount)
like "$out" "NAME 'ssprAccount' SUP top AUXILIARY MAY \(ssprRecoveryAddress" \
    "the subschema lists the auxiliary class"
out=$(printf 'dn: %s\nchangetype: modify\nadd: objectClass\nobjectClass: ssprAccount\n-\nreplace: ssprResetCount\nssprResetCount: 1\n-\n' "$a" |
    ad_result ad_admin ldapmodify)
like "$out" "^rc=65 00002014: objectclass_attrs: attribute 'ssprResetCount'" \
    "adding the class and its attributes in one Modify fails (objectClassViolation)"
out=$(printf 'dn: %s\nchangetype: modify\nadd: objectClass\nobjectClass: ssprAccount\n-\n' "$a" |
    ad_result ad_admin ldapmodify)
is "$out" "rc=0 " "adding the auxiliary class to an entry on its own works"
out=$(printf 'dn: %s\nchangetype: modify\nreplace: ssprRecoveryAddress\nssprRecoveryAddress: alice@private.test\n-\nreplace: ssprResetCount\nssprResetCount: 2\n-\nreplace: ssprLastReset\nssprLastReset: 20261123120000.0Z\n-\n' "$a" |
    ad_result ad_admin ldapmodify)
is "$out" "rc=0 " "...then its attributes can be set"
is "$(find_dn '(ssprRecoveryAddress=alice@private.test)')" "dn: $a" \
    "the service account finds the user by the new attribute"

samba_stop
echo "# t_ad_lab: bring-up ${bringup} ms, whole test $(($(ms_now) - t_start)) ms"
done_testing
