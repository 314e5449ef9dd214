#!/bin/bash
# ssprctl pass issue|revoke|list against a real slapd: the person at the
# helpdesk binds as themselves (password from a file descriptor), so the
# directory's ACL decides.  helen (group cn=helpdesk, with write on
# ssprHelpdeskPass) issues a pass for bob: printed once, stored only as a
# scrypt hash (checked here with Python's own scrypt) with its expiry and
# helen's DN; dave (no right) is refused by the directory; carol, an
# administrator, gets none ([pass] for_admins = no); list shows who has a
# pass until when and from whom, never the pass or its hash; revoke
# removes it.  Issuing asks the daemon to tell the person (a
# notify-pass-issued mail, without the pass); with no daemon the pass
# still stands, with a warning that nobody was told.
. "$SRC/tests/lib/env.sh"
slapd_start || exit 1
SMTP_PORT=$(ports 1)	# the sink starts later, for the notices
daemon_conf "$T/helperd.conf"
cat >> "$T/helperd.conf" <<EOF
admin_group = cn=admins,ou=groups,$SUFFIX
exclude_users = GRACE

[pass]
lifetime = 3600
max_lifetime = 86400
EOF
HELEN="uid=helen,$PEOPLE"
BOB="uid=bob,$PEOPLE"
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

ctl() {	# ctl AS PASSWORD ARGS...: ssprctl with the password on fd 3
	local as=$1 pw=$2
	shift 2
	"$BUILD/ssprctl" -c "$T/helperd.conf" "$@" --as "$as" --password-fd 3 \
	    3< <(printf '%s\n' "$pw")
}

# --- issue ------------------------------------------------------------------
before=$(date +%s)
out=$(ctl "$HELEN" Helen-Passw0rd pass issue bob 2>"$T/err")
ok $? "helen issues a pass for bob"
like "$(cat "$T/err")" 'WARNING: the pass stands, but bob was not notified' "with no daemon: issued, and a warning that bob was not told"
pass=$(printf '%s\n' "$out" | grep -oE '^    [2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$' | tr -d ' ')
like "$pass" '^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$' "the pass is printed, grouped, without confusable characters"
like "$out" 'valid once until [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC' "with its expiry"
stored=$(attr_of "$BOB" ssprHelpdeskPass)
like "$stored" '^v1\$scrypt\$15\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=\$[0-9]{10}\$' "bob's entry holds a scrypt hash"
unlike "$stored" "$pass|${pass//-/}" "not the pass"
is "${stored##*\$[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]\$}" "$HELEN" "the issuer's DN is stored with it"
expiry=$(printf '%s' "$stored" | cut -d'$' -f8)
ok $(( expiry < before + 3600 || expiry > $(date +%s) + 3600 )) "it expires after [pass] lifetime (3600 s)"
# an independent check of the hash: Python's scrypt over the 15 symbols
/usr/bin/python3 - "$stored" "${pass//-/}" <<'EOF'
import base64, hashlib, hmac, sys
f = sys.argv[1].split('$', 8)
ln, r, p = int(f[2]), int(f[3]), int(f[4])
got = hashlib.scrypt(sys.argv[2].encode(), salt=base64.b64decode(f[5]),
    n=1 << ln, r=r, p=p, maxmem=64 << 20, dklen=32)
sys.exit(0 if hmac.compare_digest(got, base64.b64decode(f[6])) else 1)
EOF
ok $? "the stored hash is scrypt of the printed pass (checked by Python)"

# a second pass replaces the first; --lifetime; helen named by her uid
out=$(ctl helen Helen-Passw0rd pass issue bob --lifetime 2h 2>"$T/err")
ok $? "helen, named by her user ID, issues a new pass with --lifetime 2h"
stored2=$(attr_of "$BOB" ssprHelpdeskPass)
is "$(printf '%s\n' "$stored2" | wc -l)" 1 "one pass at a time: the new one replaced the old"
exp2=$(printf '%s' "$stored2" | cut -d'$' -f8)
ok $(( exp2 - $(date +%s) < 7100 || exp2 - $(date +%s) > 7200 )) "it expires in two hours"
out=$(ctl "$HELEN" Helen-Passw0rd pass issue bob --lifetime 30d 2>&1)
is $? 2 "a lifetime above [pass] max_lifetime is refused"
like "$out" 'max_lifetime' "saying why"

# --- who may not ------------------------------------------------------------
out=$(ctl "uid=dave,$PEOPLE" Old-Passw0rd-dave pass issue bob 2>&1)
is $? 1 "dave, not in the helpdesk group, cannot issue"
like "$out" "the directory refused: uid=dave,$PEOPLE may not write ssprHelpdeskPass of $BOB" "the directory's refusal, said plainly"
is "$(attr_of "$BOB" ssprHelpdeskPass)" "$stored2" "bob's pass is untouched"
out=$(ctl "$HELEN" wrong-password pass issue bob 2>&1)
is $? 1 "a wrong password of the issuer: nothing issued"
like "$out" 'did not accept your name or password' "said so"
out=$(ctl "$HELEN" Helen-Passw0rd pass issue carol 2>&1)
is $? 1 "no pass for carol, an administrator"
like "$out" 'carol is an administrator or excluded.*for_admins = no' "with the reason"
is "$(attr_of "uid=carol,$PEOPLE" ssprHelpdeskPass)" "" "nothing stored for carol"
out=$(ctl "$HELEN" Helen-Passw0rd pass issue grace 2>&1)
is $? 1 "nor for grace, in exclude_users (named in another case)"
is "$(attr_of "uid=grace,$PEOPLE" ssprHelpdeskPass)" "" "nothing stored for grace"
out=$(ctl "$HELEN" Helen-Passw0rd pass issue nobody-here 2>&1)
is $? 1 "an unknown account"
like "$out" 'nobody-here: no such account' "is named as such"
out=$(printf 'Helen-Passw0rd\n' | "$BUILD/ssprctl" -c "$T/helperd.conf" pass issue bob --password Helen-Passw0rd 2>&1)
is $? 2 "a password on the command line is not an option"

# --- the notice -------------------------------------------------------------
sink_start && daemon_start || exit 1
out=$(ctl "$HELEN" Helen-Passw0rd pass issue alice 2>&1)
ok $? "with the daemon running, helen issues a pass for alice"
unlike "$out" 'WARNING' "no warning"
like "$out" "the recovery addresses of uid=alice,$PEOPLE are being notified" "the daemon says it tells alice"
apass=$(printf '%s\n' "$out" | grep -oE '^    [2-9A-HJKMNP-Z-]{17}$' | tr -d ' ')
like "$apass" '^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$' "alice's pass is printed"
wait_for 20 bash -c "grep -qs 'X-SSPR-Message: notify-pass-issued' $T/mail/*-alice@example.test.eml"
is "$(notify_count alice@example.test pass-issued)" 1 "a notify-pass-issued mail reached alice"
msg=$(cat "$T"/mail/*-alice@example.test.eml)
like "$msg" 'issued a one-time pass' "saying a pass was issued"
unlike "$msg" "${apass:-no-pass-seen}|${apass//-/}" "never the pass"
like "$(grep 'event=pass-issued' "$T/helperd.log")" 'result=notified .*user=alice' "audited: event=pass-issued"
out=$(ctl "$HELEN" Helen-Passw0rd pass issue bob 2>&1)
ok $? "bob, with no address: issued all the same"
like "$out" "not notified: uid=bob,$PEOPLE has no recovery address" "and ssprctl says nobody was told"
like "$out" 'WARNING: the pass stands, but bob was not notified' "with the warning"
stored2=$(attr_of "$BOB" ssprHelpdeskPass)	# the one revoke tests below

# --- list -------------------------------------------------------------------
out=$(ctl "$HELEN" Helen-Passw0rd pass list 2>&1)
ok $? "helen lists the passes"
like "$out" "^user +until +state +issuer +dn" "a table"
like "$out" "bob +[0-9-]+ [0-9:]+ UTC +valid +$HELEN +$BOB" "bob's pass: until when, from whom"
like "$out" "alice +[0-9-]+ [0-9:]+ UTC +valid +$HELEN" "and alice's"
unlike "$out" 'scrypt|\$' "never the hash"
json=$(ctl "$HELEN" Helen-Passw0rd -f json pass list 2>&1)
like "$json" '"user": "bob", "until": "[^"]+", "state": "valid"' "as JSON too"
out=$(ctl "uid=dave,$PEOPLE" Old-Passw0rd-dave pass list 2>&1)
unlike "$out" 'bob|alice' "dave may not read who has a pass"

# --- revoke -----------------------------------------------------------------
out=$(ctl "uid=dave,$PEOPLE" Old-Passw0rd-dave pass revoke bob 2>&1)
is $? 1 "dave cannot revoke"
is "$(attr_of "$BOB" ssprHelpdeskPass)" "$stored2" "bob's pass is still there"
out=$(ctl "$HELEN" Helen-Passw0rd pass revoke bob 2>&1)
ok $? "helen revokes bob's pass"
like "$out" 'the pass of bob is revoked' "said so"
is "$(attr_of "$BOB" ssprHelpdeskPass)" "" "the value is gone"
out=$(ctl "$HELEN" Helen-Passw0rd pass revoke bob 2>&1)
ok $? "revoking again is no error"
like "$out" 'bob has no pass' "but says there was none"
out=$(ctl "$HELEN" Helen-Passw0rd pass list 2>&1)
unlike "$out" 'bob' "bob is no longer listed"
done_testing
