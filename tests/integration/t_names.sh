#!/bin/bash
# Who an account is comes from the directory, never from the typed name
# (issue 12, defect 2).  slapd matches uid ignoring case and insignificant
# spaces, so "ROOT", " backup" and "user7 " find the entries uid=root,
# uid=backup and uid=user7; the system-account rule, exclude_users and the
# administrators' group (a posixGroup, whose memberUid matches exactly)
# must each be decided on the entry's own name and uidNumber.
. "$SRC/tests/lib/env.sh"
slapd_start && sink_start || exit 1
ldapadmin ldapadd >"$T/ldapadd.out" 2>&1 <<EOF || { echo "# cannot add the entries"; sed "s/^/#   /" "$T/ldapadd.out"; exit 1; }
dn: uid=root,$PEOPLE
objectClass: inetOrgPerson
objectClass: posixAccount
uid: root
cn: root
sn: root
uidNumber: 0
gidNumber: 0
homeDirectory: /root
mail: root@example.test

dn: uid=backup,$PEOPLE
objectClass: inetOrgPerson
objectClass: posixAccount
uid: backup
cn: backup
sn: backup
uidNumber: 10034
gidNumber: 10034
homeDirectory: /var/backups
mail: backup@example.test

$(for u in user6 user7 user8 user9; do printf 'dn: uid=%s,%s\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\nuid: %s\ncn: %s\nsn: %s\nuidNumber: 100%s\ngidNumber: 100%s\nhomeDirectory: /home/%s\nmail: %s@example.test\n\n' \
	"$u" "$PEOPLE" "$u" "$u" "$u" "${u#user}0" "${u#user}0" "$u" "$u"; done)

dn: cn=wheel,ou=groups,$SUFFIX
objectClass: posixGroup
cn: wheel
gidNumber: 10
memberUid: user8

dn: cn=noreset,ou=groups,$SUFFIX
objectClass: posixGroup
cn: noreset
gidNumber: 11
memberUid: user6
EOF
getent passwd backup >/dev/null || skip_all "this host has no local 'backup' account"
daemon_conf "$T/helperd.conf"
cat >> "$T/helperd.conf" <<EOF
exclude_users = user7
exclude_groups = cn=noreset,ou=groups,$SUFFIX
admin_group = cn=wheel,ou=groups,$SUFFIX
admin_methods_required = 2
EOF
daemon_start || exit 1

decided() {	# decided: lines that say a flow goes on without a code
	grep -c 'continuing without a code' "$T/helperd.log"
}

# every typed form the directory matches, for each protected entry
# (U+FF35 etc.: the fullwidth forms that Unicode folding may match)
for name in ROOT Root 'root ' ' root' BACKUP ' backup' 'backup ' Backup \
	' user7' 'user7 ' USER7 'User7' 'ｕｓｅｒ７' USER8 ' user8' 'user8 ' \
	USER6 ' user6'; do
	before=$(decided)
	out=$(raw hello recv start "$name" recv cancel)
	like "$out" 'CHALLENGE method=1 dest=' "'$name': the same challenge as any name"
	is "$(decided)" "$((before + 1))" "'$name': no code (decided on the entry, not the typed name)"
done
like "$(cat "$T/helperd.log")" 'root or a local system account' "uid=root and uid=backup are system accounts"
like "$(cat "$T/helperd.log")" 'user=user7: not eligible \(excluded or privileged\)' \
	"user7 is excluded whatever case or spaces were typed (the log names the entry)"
like "$(cat "$T/helperd.log")" 'user=user6: not eligible \(excluded or privileged\)' \
	"user6 is excluded through exclude_groups (memberUid), whatever case was typed"
like "$(cat "$T/helperd.log")" 'user=user8: not eligible \(fewer recovery methods than required\)' \
	"user8 is an administrator through memberUid, whatever case was typed"

# the same rules for STATUS (the account step acts for no system account)
is "$(raw hello recv status ROOT recv | tail -n1)" "ACCOUNT known=0 must_change=0" \
	"STATUS 'ROOT': not a directory account for pam_sspr"
is "$(raw hello recv status ' backup' recv | tail -n1)" "ACCOUNT known=0 must_change=0" \
	"STATUS ' backup': not a directory account for pam_sspr"
is "$(raw hello recv change ROOT wrong New-pass-4711 recv | grep -m1 '^FAIL')" "FAIL reason=15" \
	"CHANGE 'ROOT': not a directory account for pam_sspr (no bind as uid=root)"

# a control: an ordinary account typed in another case still works
out=$(raw hello recv start USER9 recv cancel)
like "$out" 'CHALLENGE method=1 dest=u' "USER9 (an ordinary account) gets a code"
wait_for 10 mail_at_least user9@example.test 1
ok $? "and the code mail to user9 arrives"
for a in root backup user6 user7 user8; do
	is "$(mail_count "$a@example.test")" 0 "no code mail ever went to $a"
done

done_testing
