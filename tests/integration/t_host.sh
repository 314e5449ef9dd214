#!/bin/bash
# The README's install guide, executed on a real system: in private mount
# and network namespaces, /usr, /etc, /var, /run and /home are overlays
# (or a tmpfs) of the test's own, so `make install PREFIX=/usr`,
# pam-auth-update and every configuration file land there only.  The
# blocks marked `<!-- t_host: NAME -->` in README.md are run or written as
# printed; the test fills in only what an administrator would (the bind
# password).  Around them, the host: a real slapd (ldap.example.org, the
# default ports, which the private network namespace has to itself), SSSD
# as the host's NSS and PAM provider (cached credentials), Postfix
# delivering to /var/mail, Debian's sshd, and the daemon as the unit runs
# it: user _sspr, no capabilities, no_new_privs.  Then a person's reset
# over ssh with the code read from the real mailbox, the new password
# over ssh and through su, and SSSD's cache once the directory is gone.
if [ -n "${SSPR_ASAN:-}" ]; then
	# as for t_ssh: the host's sshd, login and su are not built with ASan,
	# so the ASan module cannot load into them (make check runs this test)
	echo "1..0 # SKIP the host's programs cannot load the ASan-built module"
	exit 77
fi
if [ -z "${IN_NS:-}" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root: overlays in private mount and network namespaces"
		exit 77
	fi
	if ! unshare --mount --net --propagation private true 2>/dev/null; then
		echo "1..0 # SKIP unshare --mount --net cannot run here"
		exit 77
	fi
	exec unshare --mount --net --propagation private env IN_NS=1 "$0" "$@"
fi
. "$SRC/tests/lib/env.sh"
for c in sssd slapd postconf /usr/sbin/sshd pam-auth-update setpriv runuser tmux; do
	command -v "$c" >/dev/null || skip_all "$c is not installed (tests/lib/deps.sh)"
done
[ -x "$BUILD/tests/rawclient" ] || skip_all "needs $BUILD/tests/rawclient"

ip link set lo up || skip_all "cannot bring up lo in the network namespace"
SUFFIX=dc=example,dc=org
PEOPLE=ou=people,$SUFFIX
SERVICE_DN=cn=sspr,ou=services,$SUFFIX
BIND_SECRET=host-bind-secret-1

# --- the private system -----------------------------------------------------

for d in usr etc var run; do
	mkdir -p "$T/ov/$d-up" "$T/ov/$d-wk"
	mount -t overlay overlay \
	    -o "lowerdir=/$d,upperdir=$T/ov/$d-up,workdir=$T/ov/$d-wk" "/$d" ||
		skip_all "cannot mount an overlay on /$d"
done
mount -t tmpfs -o mode=755 tmpfs /home || skip_all "cannot mount a tmpfs on /home"
stop_all() {
	[ -f /run/sssd.pid ] && kill "$(cat /run/sssd.pid)" 2>/dev/null
	postfix stop >/dev/null 2>&1
	cleanup
}
trap stop_all EXIT

cat >/etc/hosts <<-EOF
127.0.0.1 localhost host.example.org ldap.example.org mail.example.org
EOF
echo host.example.org >/etc/mailname

# The README's blocks: readme_block NAME prints the block after the marker.
readme_block() {
	awk -v m="<!-- t_host: $1 -->" '
		$0 == m { want = 1; next }
		want && /^```/ { if (inblock) exit; inblock = 1; next }
		inblock { print }' "$SRC/README.md"
}
# readme_run NAME: runs a shell block as printed.  `make` is this tree's
# (already built: the other tests run against $BUILD); systemctl has no
# systemd here, the test starts the service as the unit says.
readme_run() {
	local block
	block=$(readme_block "$1")
	[ -n "$block" ] || { echo "# README.md has no block <!-- t_host: $1 -->"; return 1; }
	printf '%s\n' "$block" | sed 's/^/#   $ /'
	(
		make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		    /usr/bin/make -s -C "$SRC" BUILD="$BUILD" -o all "$@"; }
		systemctl() { echo "(systemctl $*: started by the test)"; }
		cd "$T/admin" && eval "$block"
	) >"$T/readme-$1.out" 2>&1
}
ran() {	# ran STATUS NAME DESCRIPTION: ok, and on failure the block's output
	ok "$1" "$3"
	[ "$1" -eq 0 ] || sed 's/^/#   | /' "$T/readme-$2.out"
}
mkdir -p "$T/admin"

# --- certificates for the README's host names ----------------------------

"$SRC/tests/lib/ca.sh" "$T" server 127.0.0.1 ldap.example.org
"$SRC/tests/lib/ca.sh" "$T" mail 127.0.0.1 mail.example.org
cp "$T/ca.pem" "$T/admin/example-root-ca.crt"

# --- the README: packages and install --------------------------------------

missing=
for p in $(readme_block packages | tr -d '\\' | sed 's/apt-get install//'); do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
is "$missing" "" "the README's packages are what the build needs (all installed here)"
! id _sspr >/dev/null 2>&1
ok $? "no _sspr user before the install"
readme_run install
ran $? install "README: make; make install PREFIX=/usr"
like "$(getent passwd _sspr)" '^_sspr:x:[0-9]+:[0-9]+:.*:/nonexistent:/usr/sbin/nologin$' \
	"make install created _sspr (systemd-sysusers)"
readme_run ca
ran $? ca "README: the CA into the system's bundle"

# --- slapd: ldap.example.org, ports 389 and 636 ------------------------------

mkdir -p "$T/slapd.d" "$T/db"
sed -e "s|@T@|$T|g" -e "s|@UID@|0|g" -e "s|@GID@|0|g" -e "s|@SRC@|$SRC|g" \
    -e 's|@LOGLEVEL@|none|g' -e "s|dc=example,dc=test|$SUFFIX|g" \
    "$SRC/tests/lib/slapd-config.ldif.in" >"$T/config.ldif"
cat >"$T/people.ldif" <<-EOF
dn: $SUFFIX
objectClass: dcObject
objectClass: organization
dc: example
o: Example

dn: ou=people,$SUFFIX
objectClass: organizationalUnit
ou: people

dn: ou=groups,$SUFFIX
objectClass: organizationalUnit
ou: groups

dn: ou=services,$SUFFIX
objectClass: organizationalUnit
ou: services

dn: ou=policies,$SUFFIX
objectClass: organizationalUnit
ou: policies

dn: cn=default,ou=policies,$SUFFIX
objectClass: organizationalRole
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdMinLength: 8
pwdInHistory: 3
pwdAllowUserChange: TRUE
pwdSafeModify: FALSE

dn: $SERVICE_DN
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: sspr
userPassword: $BIND_SECRET

dn: uid=alice,$PEOPLE
objectClass: inetOrgPerson
objectClass: posixAccount
uid: alice
cn: Alice Example
sn: Example
uidNumber: 10001
gidNumber: 10001
homeDirectory: /home/alice
loginShell: /bin/sh
mail: alice@example.org
userPassword: Old-Passw0rd-alice

dn: cn=alice,ou=groups,$SUFFIX
objectClass: posixGroup
cn: alice
gidNumber: 10001
EOF
slapadd -q -n 0 -F "$T/slapd.d" -l "$T/config.ldif" >"$T/slapadd.out" 2>&1 &&
	slapadd -q -n 1 -F "$T/slapd.d" -l "$T/people.ldif" >>"$T/slapadd.out" 2>&1 ||
	{ echo "# slapadd failed"; sed 's/^/#   /' "$T/slapadd.out"; exit 1; }
SLAPD_URLS="ldap:/// ldaps:/// $(ldapi_url)"
slapd -F "$T/slapd.d" -h "$SLAPD_URLS" -s 0 2>"$T/slapd.log" ||
	{ echo "# slapd did not start"; exit 1; }
wait_for 20 ldapwhoami -H "$(ldapi_url)" -Y EXTERNAL -Q ||
	{ echo "# slapd did not answer"; exit 1; }
LDAP_URI=ldap://ldap.example.org
ldapwhoami -x -ZZ -H "$LDAP_URI" >/dev/null 2>&1
ok $? "slapd answers StartTLS on ldap.example.org:389, trusted through the system's bundle"
home_dir=/home/alice
mkdir -m 700 "$home_dir" && chown 10001:10001 "$home_dir"

# --- SSSD: the host's NSS and PAM provider ---------------------------------

install -m 0600 /dev/stdin /etc/sssd/sssd.conf < <(readme_block sssd.conf)
[ -s /etc/sssd/sssd.conf ]
ok $? "README: sssd.conf written"
rm -rf /var/lib/sss/db/* /var/lib/sss/mc/* /var/lib/sss/pipes/*pam* 2>/dev/null
sssd -D --logger=files 2>"$T/sssd.err" ||
	{ echo "# sssd did not start"; sed 's/^/#   /' "$T/sssd.err"; exit 1; }
wait_for 20 getent passwd alice ||
	{ echo "# SSSD never resolved alice"; tail -n 20 /var/log/sssd/*.log | sed 's/^/#   /'; exit 1; }
is "$(getent passwd alice)" "alice:*:10001:10001:Alice Example:/home/alice:/bin/sh" \
	"alice exists through SSSD (nsswitch: files sss)"

# --- Postfix: mail.example.org, local delivery to /var/mail ------------------

install -m 0600 "$T/mail.key" /etc/postfix/mail.key
install -m 0644 "$T/mail.pem" /etc/postfix/mail.pem
cat >/etc/postfix/main.cf <<-EOF
	compatibility_level = 3.6
	myhostname = mail.example.org
	mydomain = example.org
	myorigin = example.org
	mydestination = example.org, mail.example.org, localhost
	inet_interfaces = loopback-only
	inet_protocols = ipv4
	mynetworks = 127.0.0.0/8
	alias_maps =
	alias_database =
	smtpd_tls_cert_file = /etc/postfix/mail.pem
	smtpd_tls_key_file = /etc/postfix/mail.key
	smtpd_tls_security_level = may
	mailbox_size_limit = 0
	maillog_file = /var/log/postfix.log
EOF
postconf -F '*/*/chroot = n'
postconf -Me 'submission/inet = submission inet n - n - - smtpd'
postconf -P 'submission/inet/smtpd_tls_security_level=encrypt'
postconf -Me 'postlog/unix-dgram = postlog unix-dgram n - n - 1 postlogd'
postfix start >"$T/postfix.out" 2>&1 ||
	{ echo "# postfix did not start"; sed 's/^/#   /' "$T/postfix.out"; exit 1; }
wait_for 20 bash -c 'exec 3<>/dev/tcp/127.0.0.1/587' ||
	{ echo "# postfix never listened on 587"; exit 1; }

# --- the README: configuration, secret, preflight -------------------------

readme_block sspr-helperd.conf >/etc/sspr/sspr-helperd.conf
like "$(cat /etc/sspr/sspr-helperd.conf)" 'store = file' "README: the minimal configuration written"
printf '%s\n' "$BIND_SECRET" >"$T/admin/typed"
readme_run secrets <"$T/admin/typed"
ran $? secrets "README: the bind password file"
is "$(stat -c '%U:%G %a' /etc/sspr/sspr-helperd.conf /etc/sspr/bind.pw | tr '\n' ' ')" \
	"root:_sspr 640 _sspr:_sspr 600 " "the configuration root:_sspr 0640, the password _sspr's 0600"
readme_run preflight
ran $? preflight "README: the preflight as _sspr passes"
like "$(cat "$T/readme-preflight.out")" 'configuration OK' "and says so"
like "$(cat "$T/readme-preflight.out")" 'preflight: OK' "the online preflight finds everything a reset needs"
unlike "$(cat "$T/readme-preflight.out")" '^FAIL' "with no FAIL line"

# --- the service, as the unit runs it --------------------------------------

UNIT=/usr/lib/systemd/system/sspr-helperd.service
uval() { sed -n "s/^$1=//p" "$UNIT"; }
readme_run service
ran $? service "README: systemctl enable --now sspr-helperd (the test stands in for systemd)"
u=$(uval User)
is "$u" _sspr "the unit's User is the one make install created"
# What systemd would do for the unit: its directories, owned by its user.
install -d -m "$(uval RuntimeDirectoryMode)" -o "$u" -g "$u" "/run/$(uval RuntimeDirectory)"
install -d -m "$(uval StateDirectoryMode)" -o "$u" -g "$u" "/var/lib/$(uval StateDirectory)"
read -r -a cmd <<<"$(uval ExecStart)"
(
	umask "$(uval UMask)"
	export GLIBC_TUNABLES=glibc.malloc.tcache_count=0
	# the unit logs to the journal; here stderr, to a file (no syslog)
	exec setpriv --reuid="$u" --regid="$u" --init-groups --bounding-set=-all \
	    --inh-caps=-all --no-new-privs "${cmd[@]}" --foreground
) >"$T/helperd.log" 2>&1 &
DAEMON_PID=$!
PIDS+=("$DAEMON_PID")
wait_for 10 grep -q 'ready on' "$T/helperd.log" ||
	{ echo "# the daemon did not start"; sed 's/^/#   /' "$T/helperd.log"; exit 1; }
is "$(stat -c %U "/proc/$DAEMON_PID")" _sspr "the daemon runs as _sspr"
is "$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$DAEMON_PID/status")" 0000000000000000 \
	"with no capabilities"

# --- the README: PAM and sshd -------------------------------------------------

readme_run pam
ran $? pam "README: pam-auth-update --enable sspr"
a=$(grep -E '^auth[[:space:]]' /etc/pam.d/common-auth | tr -s ' \t' ' ')
like "$a" '^auth requisite pam_sspr\.so.*
.*pam_unix\.so.*
.*pam_sss\.so' "common-auth: pam_sspr.so, then pam_unix and pam_sss"
readme_run sshd
ran $? sshd "README: the sshd drop-in"
ssh-keygen -A >/dev/null 2>&1
mkdir -p /run/sshd
/usr/sbin/sshd -t 2>"$T/sshd-t.err"
ok $? "sshd -t accepts the configuration with the drop-in"
[ -s "$T/sshd-t.err" ] && sed "s/^/#   /" "$T/sshd-t.err"
/usr/sbin/sshd -D -e 2>"$T/sshd.log" &
PIDS+=($!)
wait_for 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/22' ||
	{ echo "# sshd did not start"; sed 's/^/#   /' "$T/sshd.log"; exit 1; }

# --- a person, over ssh -------------------------------------------------------

# ssh_tty NAME COMMAND: alice's ssh to this host, keyboard-interactive
ssh_tty() {
	tty_start "$1" "ssh -F /dev/null -o UserKnownHostsFile=$T/known_hosts \
-o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=accept-new \
-o PreferredAuthentications=keyboard-interactive -o PubkeyAuthentication=no \
-o NumberOfPasswordPrompts=3 alice@127.0.0.1 '$2'; echo ssh exit \$?"
}
PW_PROMPT='Password \(press Enter if you can.t access your account\): $'
# answered NAME: the command ran, or the password was asked for again
answered() {
	local scr
	scr=$(tty_screen "$1")
	printf '%s\n' "$scr" | grep -Eq 'ssh exit [0-9]+' ||
		[ "$(printf '%s\n' "$scr" | grep -cE "$PW_PROMPT")" -ge 2 ]
}
# ssh_login NAME PASSWORD: a new connection; "in" when the command ran as
# alice, "refused" when the password was asked for again
ssh_login() {
	local tag=ok-$RANDOM$RANDOM
	ssh_tty "$1" "echo $tag-\$(id -un)"
	tty_wait "$1" "$PW_PROMPT" 15 >&2 && tty_type "$1" "$2"
	wait_for 30 answered "$1" ||
		{ echo "# no answer to the password on $1:" >&2; tty_screen "$1" | sed 's/^/#   | /' >&2; }
	if tty_screen "$1" | grep -q "^$tag-alice\$"; then echo in; else echo refused; fi
	tty_keys "$1" C-c
}
# mbox_code N: the code of the Nth code mail in /var/mail/alice (a
# script, so rawclient can run it for an answer)
cat >"$T/mbox-code" <<'EOF'
#!/bin/bash
for _ in $(seq 150); do
	[ "$(grep -c '^X-SSPR-Message: code' /var/mail/alice 2>/dev/null)" -ge "$1" ] && break
	sleep 0.1
done
awk -v n="$1" '/^From / { body = 0; next }
	/^X-SSPR-Message: code/ { c++; this = c }
	/^$/ { body = 1 }
	body && this == n && match($0, /[0-9][0-9][0-9][0-9][0-9][0-9]+/) {
		print substr($0, RSTART, RLENGTH); exit }' /var/mail/alice
EOF
chmod 755 "$T/mbox-code"
mbox_code() { "$T/mbox-code" "$1"; }

is "$(ssh_login s0 Old-Passw0rd-alice)" in "ssh: alice logs in with her password (SSSD caches it)"

# The reset, as a person does it, and then she goes away.
ssh_tty s1 "echo never"
tty_wait s1 "$PW_PROMPT" 15 && tty_keys s1 Enter
tty_wait s1 'Choose 1 or 2 \(empty to cancel\): $' && tty_type s1 1
# The human check (on by default for remote logins): read as a person
# would, with the font in the daemon's source (tests/lib/human-solve.py).
tty_wait s1 'Characters \(empty to cancel\): $'
ok $? "ssh: the human check, on by default for remote logins"
tty_screen s1 | awk '/type the characters in this picture:/ { print "[info]"; n = 8; next }
	n > 0 { print; n-- }' >"$T/picture"
tty_type s1 "$($PY "$SRC/tests/lib/human-solve.py" "$SRC" "$T/picture")"
tty_wait s1 'Verification code \(empty to cancel\): $'
ok $? "ssh: Enter, then 1: the code is asked for"
code=$(mbox_code 1)
like "$code" '^[0-9]{8}$' "the code mail is in /var/mail/alice (Postfix, local delivery)"
tty_type s1 "$code"
tty_wait s1 'New password: $' && tty_type s1 Host-Passw0rd-1
tty_wait s1 'Retype new password: $' && tty_type s1 Host-Passw0rd-1
tty_wait s1 'Log in again with your new password\.'
ok $? "ssh: the password is changed"
tty_count s1 "$PW_PROMPT" 2
tty_keys s1 C-c
bind_ok "uid=alice,$PEOPLE" Host-Passw0rd-1
ok $? "the directory has the new password"

# --- SSSD's cache after the reset --------------------------------------------

slapd_gone() {	# the directory stops: SSSD can only use its cache
	kill "$(cat "$T/slapd.pid")"
	wait_for 10 test ! -e "$T/slapd.pid"
}
slapd_back() {
	slapd -F "$T/slapd.d" -h "$SLAPD_URLS" -s 0 2>>"$T/slapd.log" &&
		wait_for 20 ldapwhoami -H "$(ldapi_url)" -Y EXTERNAL -Q
}
# She reset and went away: nobody logged in with the new password.  The
# module authenticated it through SSSD (service sspr-sss) right away.
slapd_gone
ok $? "the directory goes away (slapd stopped)"
is "$(ssh_login c1 Host-Passw0rd-1)" in "SSSD offline: the new password logs in over ssh"
is "$(ssh_login c2 Old-Passw0rd-alice)" refused "SSSD offline: the old one does not"

# su, on a pty, by a user who is not root (root's su asks nothing)
su_login() {	# su_login NAME PASSWORD: "in" or "refused"
	local tag=su-$RANDOM$RANDOM
	tty_start "$1" "runuser -u nobody -- su - alice -c 'echo $tag-\$(id -un)'; echo su exit \$?"
	tty_wait "$1" "$PW_PROMPT" 15 >&2 && tty_type "$1" "$2"
	tty_wait "$1" 'su exit [0-9]+' 15 >&2
	if tty_screen "$1" | grep -q "^$tag-alice\$"; then echo in; else echo refused; fi
}
is "$(su_login u1 Host-Passw0rd-1)" in "SSSD offline: su - alice takes the new password"
is "$(su_login u2 Old-Passw0rd-alice)" refused "SSSD offline: and refuses the old one"

# The directory is back, SSSD does not know yet (its next retry is a
# minute away): a reset now, through su on the console.
slapd_back
ok $? "the directory is back"
# What the issue saw: a password set in the directory now (by an
# administrator, out of band) fails on this host, checked against SSSD's
# cache, until SSSD's next retry.
ldapadmin ldappasswd -s Admin-Set-Passw0rd-1 "uid=alice,$PEOPLE" >/dev/null 2>&1
ok $? "an administrator sets another password in the directory"
printf 'auth required pam_sss.so\n' >/etc/pam.d/t-host-sss
printf 'Admin-Set-Passw0rd-1\n' | pamtester t-host-sss alice authenticate >"$T/window.out" 2>&1
ok $((!$?)) "SSSD's offline window: pam_sss refuses the directory's password" ||
	sed 's/^/#   /' "$T/window.out"
tty_start u4 "runuser -u nobody -- su - alice -c 'echo reset-done'; echo su exit \$?"
tty_wait u4 "$PW_PROMPT" 15 && tty_keys u4 Enter
tty_wait u4 'Choose 1 or 2 \(empty to cancel\): $' && tty_type u4 1
tty_wait u4 'Verification code \(empty to cancel\): $' && tty_type u4 "$(mbox_code 2)"
tty_wait u4 'New password: $' && tty_type u4 Host-Passw0rd-2
tty_wait u4 'Retype new password: $' && tty_type u4 Host-Passw0rd-2
tty_wait u4 'Log in again with your new password\.' 20
ok $? "su: a reset in SSSD's offline window"
tty_keys u4 C-c
bind_ok "uid=alice,$PEOPLE" Host-Passw0rd-2
ok $? "the directory has the newer password"
is "$(su_login u5 Host-Passw0rd-2)" in "at once, su takes the new password on this host"
is "$(ssh_login c3 Host-Passw0rd-1)" refused "the previous one is refused"
slapd_gone
is "$(ssh_login c4 Host-Passw0rd-2)" in "directory gone again: SSSD's cache takes the new password"
is "$(ssh_login c5 Host-Passw0rd-1)" refused "and not the previous one"

[ -n "${SSPR_HOST_HOOK:-}" ] && . "$SSPR_HOST_HOOK"

done_testing
