# shellcheck shell=bash
# ds389.sh: a throwaway 389 Directory Server for the 389 DS tests.
# Sourced after env.sh.  ds389_start creates an instance with dscreate
# into $T/ds (nothing outside it: a private copy of 389's defaults.inf,
# found through PREFIX, points every path there and says "no systemd"),
# gives it a certificate for 127.0.0.1 signed by the test CA, starts
# ns-slapd in the foreground on two free loopback ports, and loads the
# tree, the password policy and the delegated service account.  The
# ds_* helpers talk to it with the OpenLDAP client tools over LDAPS.
# See tests/lib/DS389.md.  Needs root (dscreate, the dirsrv user).

DS_DIR=$T/ds
DS_INST=sspr
DS_CONF=$DS_DIR/etc/dirsrv/slapd-$DS_INST
DS_LOGDIR=$DS_DIR/var/log/dirsrv/slapd-$DS_INST
DS_PID=
DS_SUFFIX=dc=example,dc=test
DS_PEOPLE=ou=people,$DS_SUFFIX
DS_ROOT_DN="cn=Directory Manager"
DS_SVC_DN=uid=sspr,ou=services,$DS_SUFFIX
DS_LOCKOUT_THRESHOLD=3
# Throwaway secrets of a server that lives for one test on loopback.
DS_ROOT_PW=Ds-Admin-Secret-1
DS_SVC_PW=Sspr-Svc-Secret-1
DS_PW=Initial-Pass-1		# every fixture user's first password

ds389_unavailable() {	# prints why 389 DS cannot run here; false if it can
	local c
	[ "$(id -u)" = 0 ] || { echo "needs root (dscreate, the dirsrv user)"; return 0; }
	for c in dscreate ns-slapd certutil pk12util openssl ldapsearch ldapmodify; do
		command -v "$c" >/dev/null 2>&1 || { echo "$c is not installed"; return 0; }
	done
	[ -f /usr/share/dirsrv/inf/defaults.inf ] ||
		{ echo "389-ds-base's defaults.inf is missing"; return 0; }
	getent passwd dirsrv >/dev/null || { echo "no dirsrv user"; return 0; }
	return 1
}

ms_now() { echo $(($(date +%s%N) / 1000000)); }

# env.sh's cleanup stops everything else; a TERM (the runner's timeout)
# must run ours too, or ns-slapd would outlive the test.
trap 'ds389_stop; cleanup' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# 389's installer reads its fixed paths from defaults.inf, found under
# $PREFIX/share/dirsrv/inf when PREFIX is set: a copy pointing every
# path that is written into $DS_DIR, and with_systemd = 0, keeps the
# host's /etc, /var and /run untouched and needs no mount namespace.
ds389_defaults() {
	local d=$DS_DIR
	mkdir -p "$d/share/dirsrv/inf" "$d/etc/dirsrv"
	sed -e 's|^with_systemd = 1|with_systemd = 0|' \
	    -e "s|^sysconf_dir = .*|sysconf_dir = $d/etc|" \
	    -e "s|^initconfig_dir = .*|initconfig_dir = $d/etc/default|" \
	    -e "s|^local_state_dir = .*|local_state_dir = $d/var|" \
	    -e "s|^run_dir = .*|run_dir = $d/run|" \
	    -e "s|^ldapi = .*|ldapi = $d/run/slapd-{instance_name}.socket|" \
	    -e "s|^pid_file = .*|pid_file = $d/run/slapd-{instance_name}.pid|" \
	    -e "s|^inst_dir = .*|inst_dir = $d/lib/slapd-{instance_name}|" \
	    -e "s|^tmpfiles_d = .*|tmpfiles_d = $d/tmpfiles.d|" \
	    -e "s|^db_home_dir = .*|db_home_dir = $d/dbhome|" \
	    -e "s|= /etc/|= $d/etc/|" -e "s|= /var/|= $d/var/|" -e "s|= /run/|= $d/run/|" \
	    /usr/share/dirsrv/inf/defaults.inf > "$d/share/dirsrv/inf/defaults.inf"
	# what the installer copies from sysconf_dir
	cp -r /etc/dirsrv/schema /etc/dirsrv/config "$d/etc/dirsrv/"
	# dscreate makes the parents of its directories 0770 root: ns-slapd,
	# running as dirsrv, could not reach its own log directory (-m is
	# for the last ones; chmod below for their parents)
	# shellcheck disable=SC2174
	mkdir -p -m 755 "$d/var/log/dirsrv" "$d/var/lib/dirsrv" "$d/run/lock/dirsrv" \
	    "$d/lib"
	chmod 755 "$d" "$d/var" "$d/var/log" "$d/var/lib" "$d/run" "$d/run/lock"
}

ds389_create() {	# dscreate into $DS_DIR, TLS with the test CA, not started
	local t0
	t0=$(ms_now)
	read -r DS_PORT DS_TLS_PORT < <(ports 2 | tr '\n' ' ')
	ds389_defaults
	cat > "$T/ds.inf" <<-EOF
	[general]
	full_machine_name = localhost
	start = False
	[slapd]
	instance_name = $DS_INST
	port = $DS_PORT
	secure_port = $DS_TLS_PORT
	root_password = $DS_ROOT_PW
	self_sign_cert = False
	[backend-userroot]
	suffix = $DS_SUFFIX
	create_suffix_entry = True
	EOF
	PREFIX=$DS_DIR dscreate from-file "$T/ds.inf" >"$T/dscreate.log" 2>&1 ||
		{ echo "# dscreate failed:"; sed 's/^/#   /' "$T/dscreate.log" | tail -n 20; return 1; }
	DS_CREATE_MS=$(($(ms_now) - t0))
	ds389_tls
}

# The installer's NSS database gets the test CA and a certificate for
# 127.0.0.1 (its own self-signed one names only localhost); TLS is
# switched on in dse.ldif while the server is stopped.
ds389_tls() {
	[ -f "$T/ca.pem" ] || "$SRC/tests/lib/ca.sh" "$T"
	"$SRC/tests/lib/ca.sh" "$T" ds389 127.0.0.1 localhost
	openssl pkcs12 -export -in "$T/ds389.pem" -inkey "$T/ds389.key" \
	    -name Server-Cert -passout pass: -out "$T/ds389.p12" 2>/dev/null &&
	pk12util -i "$T/ds389.p12" -d "sql:$DS_CONF" -k "$DS_CONF/pwdfile.txt" \
	    -W '' >>"$T/dscreate.log" 2>&1 &&
	certutil -A -d "sql:$DS_CONF" -n "sspr test CA" -t CT,, -a -i "$T/ca.pem" \
	    -f "$DS_CONF/pwdfile.txt" >>"$T/dscreate.log" 2>&1 ||
		{ echo "# cannot put the certificate into 389's NSS database"; return 1; }
	rm -f "$T/ds389.p12"
	sed -i 's/^nsslapd-security: off/nsslapd-security: on/' "$DS_CONF/dse.ldif"
	grep -q '^nsslapd-security: on' "$DS_CONF/dse.ldif" ||
		sed -i '/^dn: cn=config$/a nsslapd-security: on' "$DS_CONF/dse.ldif"
	grep -q '^dn: cn=RSA,cn=encryption,cn=config' "$DS_CONF/dse.ldif" ||
		cat >> "$DS_CONF/dse.ldif" <<-EOF

	dn: cn=RSA,cn=encryption,cn=config
	objectClass: top
	objectClass: nsEncryptionModule
	cn: RSA
	nsSSLPersonalitySSL: Server-Cert
	nsSSLActivation: on
	nsSSLToken: internal (software)
	EOF
}

ds_ldapi() {
	printf 'ldapi://%s' "$(printf '%s' "$DS_DIR/run/slapd-$DS_INST.socket" | sed 's|/|%2F|g')"
}

ds_rootdse_ok() {
	LDAPTLS_CACERT=$T/ca.pem ldapsearch -x -H "$DS_URI" -b "" -s base \
	    vendorName 2>/dev/null | grep -q '^vendorName: 389 Project'
}

ds389_run() {	# starts ns-slapd in the foreground, waits for LDAPS
	local t0
	t0=$(ms_now)
	DS_URI=ldaps://127.0.0.1:$DS_TLS_PORT
	DS_LDAP_URI=ldap://127.0.0.1:$DS_PORT
	# -d 0: stay in the foreground (no fork), so $! is the server
	/usr/sbin/ns-slapd -D "$DS_CONF" -i "$DS_DIR/run/slapd-$DS_INST.pid" -d 0 \
	    </dev/null >>"$T/ds389.out" 2>&1 &
	DS_PID=$!
	wait_for 30 ds_rootdse_ok ||
		{ echo "# 389 DS did not answer on $DS_URI"; tail -n 20 "$DS_LOGDIR/errors" | sed 's/^/#   /'; return 1; }
	DS_START_MS=$(($(ms_now) - t0))
}

ds389_stop() {	# stops ns-slapd (by pid) and waits until it is gone
	[ -n "$DS_PID" ] || return 0
	kill "$DS_PID" 2>/dev/null
	wait "$DS_PID" 2>/dev/null
	DS_PID=
}

ds389_restart() { ds389_stop && ds389_run; }

ds389_start() {	# create, start, tree, password policy, service account
	local t0
	t0=$(ms_now)
	ds389_create && ds389_run || return 1
	ds_base || return 1
	DS_BRINGUP_MS=$(($(ms_now) - t0))
	echo "# 389 DS: dscreate ${DS_CREATE_MS} ms, LDAPS ready ${DS_START_MS} ms after start, lab up in ${DS_BRINGUP_MS} ms"
}

# shellcheck disable=SC2034	# read by env.sh's daemon_conf
ds389_daemon_env() {	# points env.sh's daemon_conf at the server
	DIR_URI=$DS_LDAP_URI	# daemon_conf asks for StartTLS
	PEOPLE=$DS_PEOPLE
	SERVICE_DN=$DS_SVC_DN
	BIND_SECRET=$DS_SVC_PW
}

# --- talking to the server ------------------------------------------------

ds_as() {	# ds_as DN PASSWORD TOOL ARGS...: an OpenLDAP tool bound as DN over LDAPS
	local dn=$1 pw=$2 tool=$3 f r
	shift 3
	f=$(umask 077 && mktemp "$T/.dspw.XXXXXX")
	printf '%s' "$pw" > "$f"
	LDAPTLS_CACERT=$T/ca.pem "$tool" -x -H "$DS_URI" -D "$dn" -y "$f" "$@"
	r=$?
	rm -f "$f"
	return $r
}

ds_admin() { ds_as "$DS_ROOT_DN" "$DS_ROOT_PW" "$@"; }
ds_svc() { ds_as "$DS_SVC_DN" "$DS_SVC_PW" "$@"; }

ds_dn() { echo "uid=$1,$DS_PEOPLE"; }	# ds_dn NAME: a fixture user's DN

ds_attr() {	# ds_attr DN ATTR: its values, one a line (as Directory Manager)
	local line
	ds_admin ldapsearch -LLL -o ldif-wrap=no -b "$1" -s base '(objectClass=*)' "$2" \
	    2>/dev/null | while IFS= read -r line; do
		case $line in
		"$2:: "*) printf '%s' "${line#"$2":: }" | base64 -d; echo ;;
		"$2: "*) printf '%s\n' "${line#"$2": }" ;;
		esac
	done
}

ds_result() {	# ds_result CMD...: "rc=N" plus the server's diagnostic, if any
	local out r
	out=$("$@" 2>&1 >/dev/null)
	r=$?
	printf 'rc=%s %s\n' "$r" "$(printf '%s' "$out" | sed -n 's/^[[:space:]]*[Aa]dditional info: //p' | head -n 1)"
}

ds_bind_ok() {	# ds_bind_ok DN PASSWORD: a simple bind, then WhoAmI
	ds_as "$1" "$2" ldapwhoami >/dev/null 2>&1
}

ds_modify() {	# ds_modify DN ATTR VALUE...: replace ATTR (no VALUE: delete it)
	local dn=$1 attr=$2 v
	shift 2
	{
		printf 'dn: %s\nchangetype: modify\nreplace: %s\n' "$dn" "$attr"
		for v; do printf '%s: %s\n' "$attr" "$v"; done
		printf -- '-\n'
	} | ds_admin ldapmodify >/dev/null
}

# The tree, the service account and the global password policy:
# syntax checks (12 characters, 3 character categories), a history of
# 3, expiry after 90 days, must-change after a reset by someone else,
# lockout after $DS_LOCKOUT_THRESHOLD failures for an hour.  (The
# account is made before the policy: added by Directory Manager under
# passwordMustChange it would itself have to change its password.)
ds_base() {
	ds_admin ldapmodify >"$T/ds-base.log" 2>&1 <<-EOF || { echo "# cannot load the 389 tree:"; sed 's/^/#   /' "$T/ds-base.log"; return 1; }
	dn: ou=people,$DS_SUFFIX
	changetype: add
	objectClass: organizationalUnit
	ou: people

	dn: ou=services,$DS_SUFFIX
	changetype: add
	objectClass: organizationalUnit
	ou: services

	dn: $DS_SVC_DN
	changetype: add
	objectClass: account
	objectClass: simpleSecurityObject
	uid: sspr
	userPassword: $DS_SVC_PW

	dn: cn=config
	changetype: modify
	replace: passwordCheckSyntax
	passwordCheckSyntax: on
	-
	replace: passwordMinLength
	passwordMinLength: 12
	-
	replace: passwordMinCategories
	passwordMinCategories: 3
	-
	replace: passwordHistory
	passwordHistory: on
	-
	replace: passwordInHistory
	passwordInHistory: 3
	-
	replace: passwordMustChange
	passwordMustChange: on
	-
	replace: passwordExp
	passwordExp: on
	-
	replace: passwordMaxAge
	passwordMaxAge: 7776000
	-
	replace: passwordTrackUpdateTime
	passwordTrackUpdateTime: on
	-
	replace: passwordLockout
	passwordLockout: on
	-
	replace: passwordMaxFailure
	passwordMaxFailure: $DS_LOCKOUT_THRESHOLD
	-
	replace: passwordLockoutDuration
	passwordLockoutDuration: 3600
	-
	replace: passwordResetFailureCount
	passwordResetFailureCount: 600
	-
	replace: passwordUnlock
	passwordUnlock: on
	EOF
}

# ldap-schema/sspr-389.ldif and the service account's ACIs as
# ldap-schema/README.md gives them.
ds_sspr_schema() {
	ds_admin ldapmodify -f "$SRC/ldap-schema/sspr-389.ldif" >"$T/ds-schema.log" 2>&1 ||
		{ echo "# cannot load sspr-389.ldif:"; sed 's/^/#   /' "$T/ds-schema.log"; return 1; }
	sed -n '/^aci: /p' "$SRC/ldap-schema/README.md" |
	    sed -e "s|ou=people,dc=example,dc=org|$DS_PEOPLE|g" \
		-e "s|uid=sspr,ou=services,dc=example,dc=org|$DS_SVC_DN|g" |
	    { printf 'dn: %s\nchangetype: modify\nadd: aci\n' "$DS_PEOPLE"; cat; } |
	    ds_admin ldapmodify >>"$T/ds-schema.log" 2>&1 ||
		{ echo "# cannot add the ACIs:"; sed 's/^/#   /' "$T/ds-schema.log"; return 1; }
}

# A person in ou=people.  Added by Directory Manager, 389 would make
# them change their password first (passwordMustChange): unless the
# fixture asks for that (DS_MUST_CHANGE=1), the expiry is set ahead.
ds_user() {	# ds_user NAME [PASSWORD] [LDIF-LINE]...: a person in ou=people
	local name=$1 pw=${2:-$DS_PW}
	shift
	[ $# -gt 0 ] && shift
	{
		printf 'dn: %s\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\n' "$(ds_dn "$name")"
		printf 'uid: %s\ncn: %s\nsn: %s\nuidNumber: %s\ngidNumber: 10000\n' \
		    "$name" "$name" "$name" "$((20000 + RANDOM % 10000))"
		printf 'homeDirectory: /home/%s\nmail: %s@example.test\nuserPassword: %s\n' \
		    "$name" "$name" "$pw"
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} | ds_admin ldapadd >/dev/null 2>"$T/ds-add.err" ||
		{ echo "# cannot create $name:"; sed 's/^/#   /' "$T/ds-add.err"; return 1; }
	[ -n "${DS_MUST_CHANGE:-}" ] ||
		ds_modify "$(ds_dn "$name")" passwordExpirationTime 20380101000000Z
}

ds_lock() {	# ds_lock NAME: wrong passwords until 389 locks it out
	local i dn
	dn=$(ds_dn "$1")
	for i in $(seq $DS_LOCKOUT_THRESHOLD); do
		ds_bind_ok "$dn" "Wrong-Pass-$i" && return 1
	done
	[ -n "$(ds_attr "$dn" accountUnlockTime)" ]
}

# A password check against 389 for "can the user log in" in PAM stacks.
# A bind that succeeds but must change the password first (389 then
# refuses WhoAmI) counts as the right password: the account step decides.
ds_ldapcheck_line() {
	cat > "$T/dscheck.sh" <<-EOF2
	#!/bin/sh
	# reads the password pam_exec passes on stdin, binds as the user
	pw=\$(head -c 512 | tr -d '\\000')
	f=\$(umask 077 && mktemp "$T/.dscheck.XXXXXX")
	printf '%s' "\$pw" > "\$f"
	out=\$(LDAPTLS_CACERT=$T/ca.pem ldapwhoami -x -H $DS_URI -e ppolicy \\
	    -D "uid=\$PAM_USER,$DS_PEOPLE" -y "\$f" 2>&1)
	r=\$?
	case \$out in *"ldap_bind: Success"*) r=0 ;; esac
	rm -f "\$f"
	exit \$r
	EOF2
	chmod 755 "$T/dscheck.sh"
	echo "auth required pam_exec.so quiet expose_authtok $T/dscheck.sh"
}
