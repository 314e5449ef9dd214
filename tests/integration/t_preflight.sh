#!/bin/bash
# The preflight (sspr-helperd --check --online): on a good setup every
# line is OK, with a test message delivered and nothing in the directory
# changed; each broken setup an admin can make (wrong CA, a dead server,
# wrong bind password, a service account that cannot search or write,
# ldap-schema/ not loaded, a mail server without STARTTLS or refusing
# AUTH, a bind password file _sspr cannot read) is a FAIL naming its
# cause and its fix.  ssprctl status reports codes that do not go out;
# [throttle] store = auto takes the directory store with ldap-schema/
# loaded and the state file, loudly, without it.
. "$SRC/tests/lib/env.sh"
slapd_start && sink_start || exit 1
D=$BUILD/sspr-helperd
CTL=$BUILD/ssprctl

pf() {	# pf CONF [ARGS]: the preflight's findings; its exit status
	"$D" --config "$1" --check --online "${@:2}" >"$T/pf.out" 2>&1
	local r=$?
	grep -E '^(OK|WARN|FAIL) |^      fix: |^preflight: ' "$T/pf.out"
	return $r
}
conf() {	# conf NAME: $T/NAME.conf as daemon_conf writes it, then sed ARGS
	local name=$1
	shift
	daemon_conf "$T/$name.conf"
	[ $# -eq 0 ] || sed -i "$@" "$T/$name.conf"
}
dirca() {	# dirca FILE: the [directory] CA only
	printf '%s' "/^\[directory\]/,/^\[mail\]/ s|^tls_ca_file = .*|tls_ca_file = $1|"
}

# --- a good setup ----------------------------------------------------------
conf good
pw_before=$(attr_of "uid=alice,$PEOPLE" userPassword)
oc_before=$(attr_of "uid=alice,$PEOPLE" objectClass)
out=$(pf "$T/good.conf" --probe-user alice --test-mail alice@example.test)
ok $? "a good setup passes the preflight"
unlike "$out" '^(FAIL|WARN) +(directory|search|schema|probe|rights|mail)' \
	"no line about the servers fails or warns"
like "$out" "^OK +directory $LDAP_URI: StartTLS, bound as $SERVICE_DN" "the server: StartTLS and the bind"
like "$out" "^OK +search: base $PEOPLE found" "the search"
like "$out" '^OK +schema: ldap-schema/.s counters are there' "the schema"
like "$out" "^OK +probe user alice: uid=alice,$PEOPLE" "the probe user"
like "$out" '^OK +probe user alice: recovery address alice@example.test \(mail\)' "its address"
like "$out" '^OK +rights: the service account may write the counters .*No-Op' "the counters' rights"
like "$out" '^OK +rights: the service account may write userPassword .*No-Op' "the password's"
like "$out" '^OK +rights: the service account may write pwdAccountLockedTime' "the unlock's"
like "$out" "^OK +mail smtp://127.0.0.1:$SMTP_PORT: connected, STARTTLS" "the mail server"
like "$out" '^OK +mail: a test message went to alice@example.test' "the test message"
like "$out" '^preflight: OK' "and the verdict"
wait_for 5 compgen -G "$T/mail/*-alice@example.test.eml"
like "$(cat "$T"/mail/*-alice@example.test.eml 2>/dev/null)" 'Subject: sspr-helperd test message' \
	"the test message arrived"
is "$(attr_of "uid=alice,$PEOPLE" userPassword)" "$pw_before" "the No-Op writes left the password as it was"
is "$(attr_of "uid=alice,$PEOPLE" objectClass)" "$oc_before" "and the entry's classes"
is "$(attr_of "uid=alice,$PEOPLE" ssprCodeSent)" "" "and no counter"
unlike "$(cat "$T/pf.out")" 'sspr-bind-secret' "no secret in the output"
out=$(pf "$T/good.conf")
like "$out" '^WARN +probe user: none given' "without --probe-user it says what was not checked"
like "$out" '^      fix: run again with --probe-user NAME' "and how to"
like "$out" '^WARN +policy: no admin rule on OpenLDAP' "no admin rule: a loud warning"
out=$(pf "$T/good.conf" --probe-user nobody-here)
ok $((! $?)) "an unknown probe user fails"
like "$out" '^FAIL +probe user nobody-here: no entry matches user_filter' "saying no entry matched"

# --- the directory: CA, servers one by one, bind password --------------------
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=other-ca -days 1 \
	-keyout "$T/other.key" -out "$T/other.pem" >/dev/null 2>&1
conf wrongca -e "$(dirca "$T/other.pem")"
out=$(pf "$T/wrongca.conf")
ok $((! $?)) "a wrong CA fails"
like "$out" "^FAIL +directory $LDAP_URI: StartTLS failed" "at StartTLS"
like "$out" 'fix: the TLS handshake failed: \[directory\] tls_ca_file must name the CA' "naming the CA file"

dead=$(ports 1)
conf twoservers -e "s|^uri = .*|uri = ldap://127.0.0.1:$dead $LDAP_URI ldaps://127.0.0.1:$LDAPS_PORT|"
out=$(pf "$T/twoservers.conf")
ok $((! $?)) "a dead server among three fails"
like "$out" "^FAIL +directory ldap://127.0.0.1:$dead: StartTLS failed: Can't contact LDAP server" "that one is named"
like "$out" 'fix: nothing answers there: check the host and port' "with what to check"
like "$out" "^OK +directory $LDAP_URI: StartTLS" "the StartTLS server passes"
like "$out" "^OK +directory ldaps://127.0.0.1:$LDAPS_PORT: TLS, bound" "the ldaps:// one too, each on its own"
like "$out" "^OK +search: base" "the rest runs on a server that answers"
conf ldapswrongca -e "s|^uri = .*|uri = ldaps://127.0.0.1:$LDAPS_PORT|" -e "$(dirca "$T/other.pem")"
out=$(pf "$T/ldapswrongca.conf")
like "$out" "^FAIL +directory ldaps://127.0.0.1:$LDAPS_PORT: TLS or connection failed" "ldaps:// with a wrong CA fails"
like "$out" "fix: nothing answers there, or its certificate is not trusted" "naming both causes it can be"

printf 'not-the-password\n' >"$T/wrongbindpw"
chmod 600 "$T/wrongbindpw"
conf wrongpw -e "s|^bind_password_file = .*|bind_password_file = $T/wrongbindpw|"
out=$(pf "$T/wrongpw.conf")
ok $((! $?)) "a wrong bind password fails"
like "$out" "^FAIL +directory $LDAP_URI: bind as $SERVICE_DN refused: Invalid credentials" "at the bind"
like "$out" 'fix: the password in \[directory\] bind_password_file is not bind_dn.s' "naming the file"
unlike "$(cat "$T/pf.out")" 'not-the-password' "and not the password"
# the failed binds count against the service account (ppolicy): forgiven
printf 'dn: %s\nchangetype: modify\ndelete: pwdFailureTime\n' "$SERVICE_DN" |
	ldapadmin ldapmodify -e relax >/dev/null 2>&1

# --- the service account's rights -----------------------------------------
mdb_acl() {	# mdb_acl RULE...: the database's olcAccess, replaced
	{
		printf 'dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\nreplace: olcAccess\n'
		printf 'olcAccess: %s\n' "$@"
	} | ldapmod
}
mapfile -t ACL < <(grep '^olcAccess: {[0-9]}to' "$T/config.ldif" | tail -n +2 |
	sed 's/^olcAccess: {[0-9]*}//')
mdb_acl "to dn.subtree=\"$PEOPLE\" by dn.exact=\"$SERVICE_DN\" none by * break" "${ACL[@]}"
out=$(pf "$T/good.conf" --probe-user alice)
ok $((! $?)) "a service account that may not see the people fails"
like "$out" "^FAIL +search: base $PEOPLE does not exist or the service account may not see it" \
	"the search says so"
mdb_acl "${ACL[@]}"
printf 'dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\nadd: olcRestrict\nolcRestrict: search\n' | ldapmod
out=$(pf "$T/good.conf" --probe-user alice)
ok $((! $?)) "a directory that refuses the service account's searches fails"
like "$out" '^FAIL +search: the directory refuses the service account.s searches: Server is unwilling to perform' \
	"naming the refusal"
like "$out" 'fix: allow bind_dn to search and read' "and the fix"
printf 'dn: olcDatabase={1}mdb,cn=config\nchangetype: modify\ndelete: olcRestrict\n' | ldapmod

# the ACLs without write on the counters and the password
mapfile -t RO < <(printf '%s\n' "${ACL[@]}" | sed -E '/ssprCodeSent|userPassword/ s/(sspr,ou=services,dc=example,dc=test") write/\1 read/')
mdb_acl "${RO[@]}"
out=$(pf "$T/good.conf" --probe-user alice)
ok $((! $?)) "a service account without write rights fails"
like "$out" '^FAIL +rights: the service account may not write the counters .*Insufficient access' \
	"the counters' ACL is named"
like "$out" 'fix: grant bind_dn write on ssprCodeSent, ssprCodeFailure, ssprBlockedUntil' "with the fix"
like "$out" '^FAIL +rights: the service account may not write userPassword' "the password's ACL too"
like "$out" 'fix: grant bind_dn write on userPassword' "with its fix"
mdb_acl "${ACL[@]}"
out=$(pf "$T/good.conf" --probe-user alice)
ok $? "the ACLs restored, the preflight passes again"

# --- the mail server -------------------------------------------------------
sink_stop
sink_start --plain || exit 1
out=$(pf "$T/good.conf")
ok $((! $?)) "a mail server without STARTTLS fails"
like "$out" "^FAIL +mail smtp://127.0.0.1:$SMTP_PORT: " "the mail line"
like "$out" 'fix: the server does not offer STARTTLS' "naming STARTTLS"
sink_stop
SINK_AUTH=sspr-mailer:right-mail-secret sink_start || exit 1
printf 'wrong-mail-secret\n' >"$T/mailpw"
chmod 600 "$T/mailpw"
conf mailauth -e "/^\[mail\]/a username = sspr-mailer\npassword_file = $T/mailpw"
out=$(pf "$T/mailauth.conf")
ok $((! $?)) "a mail server refusing the login fails"
like "$out" 'fix: the server refused the login, or offers no AUTH: check \[mail\] username and password_file' \
	"naming the login"
unlike "$(cat "$T/pf.out")" 'wrong-mail-secret' "not the password"
printf 'right-mail-secret\n' >"$T/mailpw"
out=$(pf "$T/mailauth.conf")
like "$out" "^OK +mail smtp://127.0.0.1:$SMTP_PORT: connected, STARTTLS, AUTH as sspr-mailer" "the right login passes"

# --- the SMS gateway: connect and TLS only, nothing sent ----------------------
read -r P_HTTP P_NOHTTP < <(ports 2 | tr '\n' ' ')
mkdir -p "$T/http"
$PY "$SRC/tests/lib/httpsink.py" --port "$P_HTTP" --dir "$T/http" >"$T/http.out" 2>&1 &
PIDS+=($!)
wait_for 10 grep -q listening "$T/http.out"
smsconf() {	# smsconf NAME PORT
	conf "$1" -e '/^\[policy\]/a methods = email sms'
	cat >>"$T/$1.conf" <<-EOF
	[sms]
	url = http://127.0.0.1:$2/v1/messages?to={to}
	method = post
	content_type = application/json
	body = {"to":"{to}","text":"{text}"}
	text = Code {code}
	timeout = 2
	insecure = yes
	EOF
}
smsconf smsok "$P_HTTP"
out=$(pf "$T/smsok.conf")
like "$out" '^OK +sms: the gateway.s host answers \(connect and TLS only: nothing is sent\)' \
	"the SMS gateway answers"
is "$(ls "$T/http" | wc -l)" 0 "and got no request"
smsconf smsdead "$P_NOHTTP"
out=$(pf "$T/smsdead.conf")
like "$out" '^FAIL +sms: .*(onnect|refused)' "a dead SMS gateway fails"

# --- what _sspr can read (root, in a mount namespace of its own) ----------------
if [ "$(id -u)" = 0 ] && ! getent passwd _sspr >/dev/null &&
    unshare --mount --propagation private true 2>/dev/null; then
	cp /etc/passwd "$T/passwd" && cp /etc/group "$T/group"
	echo '_sspr:x:64991:64991::/nonexistent:/usr/sbin/nologin' >>"$T/passwd"
	echo '_sspr:x:64991:' >>"$T/group"
	cat >"$T/as-root.sh" <<-EOF
	#!/bin/sh
	mount --bind "$T/passwd" /etc/passwd && mount --bind "$T/group" /etc/group || exit 99
	exec "$D" --config "$T/good.conf" --check
	EOF
	chmod 755 "$T/as-root.sh"
	unshare --mount --propagation private "$T/as-root.sh" >"$T/asroot.out" 2>&1
	r=$?
	out=$(cat "$T/asroot.out")
	ok $((r == 0)) "--check as root fails when _sspr cannot read the bind password file"
	like "$out" "^FAIL +_sspr cannot read \[directory\] bind_password_file $T/bindpw: Permission denied" \
		"naming the file and _sspr"
	like "$out" "fix: give _sspr access, keeping others out: chgrp _sspr $T/bindpw && chmod g\+r" "and the fix"
	chgrp 64991 "$T/bindpw" "$T/good.conf" && chmod 640 "$T/bindpw" "$T/good.conf"
	unshare --mount --propagation private "$T/as-root.sh" >"$T/asroot.out" 2>&1
	out=$(cat "$T/asroot.out")
	like "$out" "^OK +_sspr can read \[directory\] bind_password_file $T/bindpw" "after the fix it can"
	like "$out" "^OK +_sspr can read the configuration $T/good.conf" "and the configuration"
	chgrp 0 "$T/bindpw" "$T/good.conf" && chmod 600 "$T/bindpw" "$T/good.conf"
else
	TESTS=$((TESTS + 1))
	echo "ok $TESTS # skip what _sspr can read: needs root, no _sspr and unshare"
fi

# --- ssprctl status while codes fail to go out -------------------------------
sink_stop
sink_start || exit 1
DAEMON_EXTRA_DAEMON="" daemon_start good || exit 1
out=$($CTL -c "$T/good.conf" status)
ok $? "ssprctl status: healthy at first"
like "$out" 'send failures +none since start' "no send failed yet"
sink_stop
raw hello recv start alice recv answer 12345678 recv cancel >"$T/flow.out"
like "$(cat "$T/flow.out")" 'SEND_FAILED|reason=' "the flow is told the code did not go out"
out=$($CTL -c "$T/good.conf" status 2>&1)
ok $((! $?)) "ssprctl status is not healthy while sends fail"
like "$out" 'send failures +1 in the last hour, the last [0-9]+ s ago: .*(connect|Connection refused)' \
	"it reports the failure and its cause"
like "$out" 'codes +FAILING: the last send failed' "says codes are failing"
like "$out" 'not healthy' "and is not healthy"
unlike "$out" 'alice' "naming no recipient"
sink_start || exit 1
sent_again() { raw hello recv start dave recv cancel | grep -q CHALLENGE && mail_at_least dave@example.test 1; }
wait_for 15 sent_again
ok $? "with the mail server back a code goes out"
out=$($CTL -c "$T/good.conf" status)
ok $? "and ssprctl status is healthy again"
like "$out" 'last code sent +[0-9]+ s ago' "the last code sent is reported"
like "$out" 'throttle store +directory' "the store"
daemon_stop

# --- ldap-schema/ not loaded ----------------------------------------------------
out=$(THROTTLE_STORE=auto conf auto; pf "$T/auto.conf")
like "$out" '^OK +throttle: store = auto picks directory \(ldap-schema/ is loaded\)' \
	"store = auto picks the directory store with ldap-schema/ loaded"
slapd_stop
rm -rf "$T/slapd.d" "$T/db"
SLAPD_NO_SSPR_SCHEMA=1 slapd_start || exit 1
conf noschema
out=$(pf "$T/noschema.conf" --probe-user alice)
ok $((! $?)) "store = directory without ldap-schema/ fails the preflight"
like "$out" '^FAIL +schema: \[throttle\] store = directory, and the directory lacks ssprAccount, ssprCodeSent, ssprCodeFailure, ssprBlockedUntil' \
	"naming the missing schema"
like "$out" 'fix: load ldap-schema/ \(see ldap-schema/README.md\) or set \[throttle\] store = file' "and the fix"
unlike "$out" 'methods has pass' "the pass's attribute is not asked for unless the pass is a method"
conf noschema-pass '/^\[policy\]/a methods = email pass'
out=$(pf "$T/noschema-pass.conf" --probe-user alice)
like "$out" '^FAIL +schema: \[policy\] methods has pass, which needs ssprHelpdeskPass; the directory lacks it' \
	"[policy] methods = email pass without the schema: the attribute is named"
THROTTLE_STORE=auto conf noschema-auto
out=$(pf "$T/noschema-auto.conf" --probe-user alice)
ok $? "store = auto without ldap-schema/ passes"
like "$out" '^WARN +throttle: store = auto picks file, this host only: ldap-schema/ is not loaded' \
	"with a loud warning"
# the daemon, as the README's minimal configuration had it, and as auto has it
THROTTLE_STORE=directory daemon_start noschema || exit 1
SOCKET=$T/run/helperd.sock raw hello recv start carol recv answer 12345678 recv cancel >/dev/null
out=$($CTL -c "$T/noschema.conf" status 2>&1)
ok $((! $?)) "store = directory on a directory without the schema: ssprctl status is not healthy"
like "$out" 'send failures .*the send could not be counted \(directory store: [A-Z]' \
	"naming why the code did not go out"
daemon_stop
THROTTLE_STORE=auto daemon_start noschema-auto || exit 1
like "$(cat "$T/noschema-auto.log")" 'store = auto: file, this host only: ldap-schema/ is not loaded' \
	"store = auto: the daemon logs its choice loudly"
n=$(mail_count carol@example.test)
raw hello recv start carol recv cancel >/dev/null
wait_for 10 mail_at_least carol@example.test $((n + 1))
ok $? "and the code goes out"
out=$($CTL -c "$T/noschema-auto.conf" status)
ok $? "ssprctl status passes"
like "$out" 'throttle store +WARNING auto: file, this host only' "with the warning"
like "$out" 'healthy, with warnings' "said in the verdict"
daemon_stop
# a directory down at start: the daemon starts on the state file, and a
# reload looks at the schema again
slapd_stop
THROTTLE_STORE=auto DIR_TIMEOUT=2 conf down
daemon_start down
ok $? "store = auto: the daemon starts while the directory is down"
like "$(cat "$T/down.log")" 'store = auto: file, this host only: the directory did not answer .*a reload checks again' \
	"on the state file, saying a reload checks again"
slapd_restart
out=$($CTL -c "$T/down.conf" reload)
ok $? "ssprctl reload"
like "$(cat "$T/down.log")" 'store = auto: file, this host only: ldap-schema/ is not loaded' \
	"the reload read the schema"
daemon_stop
done_testing
