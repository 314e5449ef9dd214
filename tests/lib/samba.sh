# shellcheck shell=bash
# samba.sh: a throwaway Samba AD DC for the Active Directory tests.
# Sourced after env.sh.  samba_start provisions a domain (realm
# EXAMPLE.TEST, NetBIOS domain EXAMPLE) into $T/samba, gives it a
# certificate for its address signed by the test CA, starts it on
# $SAMBA_IP (127.0.0.2) with only the LDAP server running, and creates
# OU=People and the daemon's service account with delegated rights.
# The ad_* helpers make fixture users and talk to the DC with the
# OpenLDAP client tools over LDAPS.  See tests/lib/SAMBA.md.
#
# Samba listens on the fixed ports 389/636/3268/3269 of its address, so
# only one lab per address can run: samba_start takes a lock that is
# held until the test exits.  Needs root (the address, Samba itself).

SAMBA_IP=${SAMBA_IP:-127.0.0.2}
SAMBA_DIR=$T/samba
SAMBA_CONF=$SAMBA_DIR/etc/smb.conf
SAMBA_PID=
SAMBA_ADDED_IP=
AD_REALM=EXAMPLE.TEST
AD_DOMAIN=EXAMPLE
AD_BASE=DC=example,DC=test
AD_PEOPLE=OU=People,$AD_BASE
AD_URI=ldaps://$SAMBA_IP
AD_LDAP_URI=ldap://$SAMBA_IP
AD_ADMIN_DN=CN=Administrator,CN=Users,$AD_BASE
AD_SVC_DN=CN=sspr-svc,CN=Users,$AD_BASE
AD_LOCKOUT_THRESHOLD=3
# Throwaway secrets of a DC that lives for one test on loopback.  The
# admin password reaches samba-tool's argv (it has no file option).
AD_ADMIN_PW=Lab-Admin-Secret-1
AD_SVC_PW=Sspr-Svc-Secret-1
AD_PW=Initial-Pass-1		# every fixture user's first password...
AD_UNI_PW='Pässwörd-🔑-1'	# ...but ulla's (non-ASCII, one outside the BMP)

# schemaIDGUIDs and rightsGuids used in the delegation ACEs
AD_GUID_USER=bf967aba-0de6-11d0-a285-00aa003049e2
AD_GUID_LOCKOUTTIME=28630ebf-41d5-11d1-a9c1-0000f80367c1
AD_GUID_PWDLASTSET=bf967a0a-0de6-11d0-a285-00aa003049e2
AD_RIGHT_RESET=00299570-246d-11d0-a768-00aa006e0529	# User-Force-Change-Password
AD_RIGHT_UNEXPIRE=ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501	# Unexpire-Password

samba_unavailable() {	# prints why the lab cannot run here; false if it can
	local c
	[ "$(id -u)" = 0 ] || { echo "needs root (Samba and an address on lo)"; return 0; }
	for c in samba samba-tool ldapsearch ldapmodify ldbmodify iconv ip flock openssl; do
		command -v "$c" >/dev/null 2>&1 || { echo "$c is not installed"; return 0; }
	done
	[ -d /usr/share/samba/setup/ad-schema ] ||
		{ echo "samba-ad-provision is not installed"; return 0; }
	return 1
}

ms_now() { echo $(($(date +%s%N) / 1000000)); }

samba_cleanup() {
	samba_stop
	if [ -n "$SAMBA_ADDED_IP" ]; then
		ip addr del "$SAMBA_IP/8" dev lo 2>/dev/null
		SAMBA_ADDED_IP=
	fi
}
# env.sh's cleanup stops everything else; a TERM (the runner's timeout)
# must run it too, or the address and the DC would outlive the test.
trap 'samba_cleanup; cleanup' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

samba_provision() {	# a fresh domain in $SAMBA_DIR, configured but not started
	local t0
	t0=$(ms_now)
	mkdir -p "$SAMBA_DIR"
	# --configfile=/dev/null: nothing from the host's /etc/samba/smb.conf
	samba-tool domain provision --configfile=/dev/null \
	    --realm=$AD_REALM --domain=$AD_DOMAIN --server-role=dc \
	    --dns-backend=SAMBA_INTERNAL --use-rfc2307 --host-name=dc1 \
	    --host-ip="$SAMBA_IP" --adminpass="$AD_ADMIN_PW" \
	    --targetdir="$SAMBA_DIR" --option="interfaces=$SAMBA_IP" \
	    --option="bind interfaces only=yes" >"$T/samba-provision.log" 2>&1 ||
		{ echo "# samba-tool domain provision failed:"; sed 's/^/#   /' "$T/samba-provision.log" | tail -n 20; return 1; }
	SAMBA_PROVISION_MS=$(($(ms_now) - t0))

	# the test CA and env.sh's server.pem first, then Samba's certificate
	[ -f "$T/ca.pem" ] || "$SRC/tests/lib/ca.sh" "$T"
	"$SRC/tests/lib/ca.sh" "$T" samba "$SAMBA_IP" dc1.example.test
	mkdir -p "$SAMBA_DIR/run" "$SAMBA_DIR/log" "$SAMBA_DIR/cache"
	# No traffic may leave loopback: no DNS forwarding (no DNS server at
	# all), only the LDAP server; every runtime path inside $SAMBA_DIR.
	# "old password allowed period" (default 60 minutes) lets the old
	# password still bind after a reset; 0 so that "old fails" holds.
	sed -i -e '/dns forwarder/d' -e "/^\[global\]/a\\
	server services = ldap\\
	tls enabled = yes\\
	tls keyfile = $T/samba.key\\
	tls certfile = $T/samba.pem\\
	tls cafile = $T/ca.pem\\
	old password allowed period = 0\\
	pid directory = $SAMBA_DIR/run\\
	ncalrpc dir = $SAMBA_DIR/run/ncalrpc\\
	winbindd socket directory = $SAMBA_DIR/run/winbindd\\
	ntp signd socket directory = $SAMBA_DIR/run/ntp_signd\\
	log file = $SAMBA_DIR/log/log.%m" "$SAMBA_CONF"
	samba-tool domain passwordsettings set -s "$SAMBA_CONF" \
	    --account-lockout-threshold=$AD_LOCKOUT_THRESHOLD >>"$T/samba-provision.log" 2>&1 ||
		{ echo "# setting the lockout threshold failed"; return 1; }
}

samba_lock() {	# one lab per address at a time, until this test exits
	exec {SAMBA_LOCK_FD}>"${TMPDIR:-/tmp}/sspr-samba-$SAMBA_IP.lock"
	flock -w 300 "$SAMBA_LOCK_FD" ||
		{ echo "# another Samba lab holds $SAMBA_IP for too long"; return 1; }
}

samba_addr() {	# puts $SAMBA_IP on lo unless it is there; remembers if we did
	ip -4 -o addr show dev lo | grep -q "inet $SAMBA_IP/" && return 0
	ip addr add "$SAMBA_IP/8" dev lo || { echo "# cannot add $SAMBA_IP to lo"; return 1; }
	SAMBA_ADDED_IP=1
}

rootdse_ok() {
	LDAPTLS_CACERT=$T/ca.pem ldapsearch -x -H "$AD_URI" -b "" -s base \
	    defaultNamingContext 2>/dev/null | grep -q "^defaultNamingContext: $AD_BASE"
}

samba_run() {	# samba_run [--option=...]...: starts the DC, waits for LDAPS
	local t0
	# ports busy (a DC left over, another server): fail clearly, not late
	if bash -c "exec 3<>/dev/tcp/$SAMBA_IP/636" 2>/dev/null; then
		echo "# something already listens on $SAMBA_IP:636"
		return 1
	fi
	t0=$(ms_now)
	# -F, not -i: in interactive mode Samba ends at EOF on stdin.
	# --maximum-runtime: a safety net should this test be killed.
	samba -F --no-process-group --debug-stdout -M single -s "$SAMBA_CONF" \
	    --maximum-runtime="${SAMBA_MAX_RUNTIME:-1800}" "$@" \
	    </dev/null >>"$T/samba.log" 2>&1 &
	SAMBA_PID=$!
	PIDS+=("$SAMBA_PID")
	wait_for 30 rootdse_ok ||
		{ echo "# samba did not answer on $AD_URI"; sed 's/^/#   /' "$T/samba.log" | tail -n 20; return 1; }
	SAMBA_START_MS=$(($(ms_now) - t0))
}

samba_stop() {	# stops the DC (by pid) and waits until it is gone
	[ -n "$SAMBA_PID" ] || return 0
	kill "$SAMBA_PID" 2>/dev/null
	wait "$SAMBA_PID" 2>/dev/null
	SAMBA_PID=
}

samba_restart() {	# samba_restart [--option=...]...: same database
	samba_stop && samba_run "$@"
}

samba_start() {	# provision, start, OU=People, service account: the usual lab
	local t0
	samba_lock || return 1
	t0=$(ms_now)
	samba_addr && samba_provision && samba_run || return 1
	ad_admin ldapadd >/dev/null <<-EOF || { echo "# cannot create $AD_PEOPLE"; return 1; }
	dn: $AD_PEOPLE
	objectClass: organizationalUnit
	ou: People
	EOF
	ad_account "$AD_SVC_DN" sspr-svc "$AD_SVC_PW" || return 1
	ad_delegate "$AD_SVC_DN" reset lockout pwdlastset || return 1
	SAMBA_BRINGUP_MS=$(($(ms_now) - t0))
	echo "# samba: provision ${SAMBA_PROVISION_MS} ms, LDAPS ready ${SAMBA_START_MS} ms after start, lab up in ${SAMBA_BRINGUP_MS} ms"
}

# shellcheck disable=SC2034	# read by env.sh's daemon_conf
samba_daemon_env() {	# points env.sh's daemon_conf at the DC
	DIR_URI=$AD_LDAP_URI	# daemon_conf asks for StartTLS
	PEOPLE=$AD_PEOPLE
	SERVICE_DN=$AD_SVC_DN
	BIND_SECRET=$AD_SVC_PW
	DAEMON_EXTRA_DIRECTORY="user_filter = (&(objectClass=user)(sAMAccountName=%s))"
}

# --- talking to the DC --------------------------------------------------

ad_as() {	# ad_as DN PASSWORD TOOL ARGS...: an OpenLDAP tool bound as DN over LDAPS
	local dn=$1 pw=$2 tool=$3 f r
	shift 3
	f=$(umask 077 && mktemp "$T/.adpw.XXXXXX")
	printf '%s' "$pw" > "$f"
	LDAPTLS_CACERT=$T/ca.pem "$tool" -x -H "${AD_AS_URI:-$AD_URI}" -D "$dn" -y "$f" "$@"
	r=$?
	rm -f "$f"
	return $r
}

ad_admin() { ad_as "$AD_ADMIN_DN" "$AD_ADMIN_PW" "$@"; }
ad_svc() { ad_as "$AD_SVC_DN" "$AD_SVC_PW" "$@"; }

ad_dn() { echo "CN=$1,$AD_PEOPLE"; }	# ad_dn NAME: a fixture user's DN

ad_attr() {	# ad_attr DN ATTR: its values, one a line (as Administrator)
	local line
	ad_admin ldapsearch -LLL -o ldif-wrap=no -b "$1" -s base '(objectClass=*)' "$2" \
	    2>/dev/null | while IFS= read -r line; do
		case $line in
		"$2:: "*) printf '%s' "${line#"$2":: }" | base64 -d; echo ;;
		"$2: "*) printf '%s\n' "${line#"$2": }" ;;
		esac
	done
}

ad_sid() {	# ad_sid DN: the objectSid as S-1-5-..., by the extended-DN control
	ad_admin ldapsearch -LLL -o ldif-wrap=no -E '1.2.840.113556.1.4.529=::MAMCAQE=' \
	    -b "$1" -s base dn 2>/dev/null | sed -n 's/^dn:: //p' | base64 -d |
	    grep -o 'SID=S-[0-9-]*' | cut -d= -f2
}

ad_result() {	# ad_result CMD...: "rc=N" plus the server's diagnostic, if any
	local out r
	out=$("$@" 2>&1 >/dev/null)
	r=$?
	printf 'rc=%s %s\n' "$r" "$(printf '%s' "$out" | sed -n 's/^[[:space:]]*[Aa]dditional info: //p' | head -n 1)"
}

ad_bind() {	# ad_bind DN PASSWORD: a simple bind (then a rootDSE read) over LDAPS
	ad_as "$1" "$2" ldapsearch -b "" -s base dn
}

ad_bind_ok() { ad_bind "$@" >/dev/null 2>&1; }

ad_unicodepwd() {	# ad_unicodepwd PASSWORD: base64 of UTF-16LE of "PASSWORD"
	printf '"%s"' "$1" | iconv -f UTF-8 -t UTF-16LE | base64 -w 0
}

ad_reset_ldif() {	# ad_reset_ldif DN PASSWORD [ATTR=VALUE]...: one Modify
	local dn=$1 pw=$2 kv
	shift 2
	printf 'dn: %s\nchangetype: modify\nreplace: unicodePwd\nunicodePwd:: %s\n-\n' \
	    "$dn" "$(ad_unicodepwd "$pw")"
	for kv; do
		printf 'replace: %s\n%s: %s\n-\n' "${kv%%=*}" "${kv%%=*}" "${kv#*=}"
	done
}

# --- fixtures --------------------------------------------------------------

ad_account() {	# ad_account DN SAMNAME PASSWORD [LDIF-LINE]...: an enabled user
	local dn=$1 sam=$2 pw=$3
	shift 3
	{
		printf 'dn: %s\nobjectClass: user\nsAMAccountName: %s\n' "$dn" "$sam"
		printf 'userPrincipalName: %s@example.test\n' "$sam"
		printf 'unicodePwd:: %s\nuserAccountControl: 512\n' "$(ad_unicodepwd "$pw")"
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} | ad_admin ldapadd >/dev/null 2>"$T/ad-add.err" ||
		{ echo "# cannot create $dn:"; sed 's/^/#   /' "$T/ad-add.err"; return 1; }
}

ad_user() {	# ad_user NAME [PASSWORD] [LDIF-LINE]...: a user in OU=People
	local name=$1 pw=${2:-$AD_PW}
	shift
	[ $# -gt 0 ] && shift
	ad_account "$(ad_dn "$name")" "$name" "$pw" "$@"
}

ad_modify() {	# ad_modify DN ATTR VALUE...: replace ATTR, as Administrator
	local dn=$1 attr=$2 v
	shift 2
	{
		printf 'dn: %s\nchangetype: modify\nreplace: %s\n' "$dn" "$attr"
		for v; do printf '%s: %s\n' "$attr" "$v"; done
		printf -- '-\n'
	} | ad_admin ldapmodify >/dev/null
}

ad_lock() {	# ad_lock NAME: wrong passwords until the DC locks it out
	local i dn c
	dn=$(ad_dn "$1")
	for i in $(seq $AD_LOCKOUT_THRESHOLD); do
		ad_bind_ok "$dn" "Wrong-Pass-$i" && return 1
	done
	c=$(ad_attr "$dn" msDS-User-Account-Control-Computed)
	[ $(( ${c:-0} & 16 )) -ne 0 ]	# UF_LOCKOUT
}

ad_disable() { ad_modify "$(ad_dn "$1")" userAccountControl 514; }	# 512|ACCOUNTDISABLE
ad_must_change() { ad_modify "$(ad_dn "$1")" pwdLastSet 0; }

ad_add_member() {	# ad_add_member GROUP-DN MEMBER-DN
	printf 'dn: %s\nchangetype: modify\nadd: member\nmember: %s\n-\n' "$1" "$2" |
	    ad_admin ldapmodify >/dev/null
}

ad_protect() {	# ad_protect NAME [GROUP-CN]: a member of a protected group
	local dn
	dn=$(ad_dn "$1")
	ad_add_member "CN=${2:-Domain Admins},CN=Users,$AD_BASE" "$dn" || return 1
	# Samba runs no SDProp (AdminSDHolder): it never sets adminCount on
	# new members of protected groups, so the fixture does it as AD would.
	ad_modify "$dn" adminCount 1
}

ad_delegate() {	# ad_delegate TRUSTEE-DN RIGHT...: ACEs on OU=People for user objects
	# RIGHT: reset (Reset Password), lockout (write lockoutTime),
	# pwdlastset (write pwdLastSet); unexpire goes on the domain object.
	local trustee=$1 sid r sddl="" dsddl=""
	shift
	sid=$(ad_sid "$trustee")
	[ -n "$sid" ] || { echo "# no SID for $trustee"; return 1; }
	for r; do
		case $r in
		reset) sddl+="(OA;CI;CR;$AD_RIGHT_RESET;$AD_GUID_USER;$sid)" ;;
		lockout) sddl+="(OA;CI;WP;$AD_GUID_LOCKOUTTIME;$AD_GUID_USER;$sid)" ;;
		pwdlastset) sddl+="(OA;CI;WP;$AD_GUID_PWDLASTSET;$AD_GUID_USER;$sid)" ;;
		unexpire) dsddl+="(OA;;CR;$AD_RIGHT_UNEXPIRE;;$sid)" ;;
		*) echo "# unknown right $r"; return 1 ;;
		esac
	done
	if [ -n "$sddl" ]; then
		samba-tool dsacl set -s "$SAMBA_CONF" --objectdn="$AD_PEOPLE" \
		    --sddl="$sddl" >>"$T/samba-dsacl.log" 2>&1 || return 1
	fi
	if [ -n "$dsddl" ]; then
		samba-tool dsacl set -s "$SAMBA_CONF" --objectdn="$AD_BASE" \
		    --sddl="$dsddl" >>"$T/samba-dsacl.log" 2>&1 || return 1
	fi
}

ad_fixtures() {	# the standard users of the AD tests (table in SAMBA.md)
	local t0
	t0=$(ms_now)
	ad_user alice "$AD_PW" mail:\ alice@example.test &&
	ad_user olga "$AD_PW" otherMailbox:\ olga@other.test &&
	ad_user larry "$AD_PW" mail:\ larry@example.test &&
	ad_user dora "$AD_PW" mail:\ dora@example.test &&
	ad_user mona "$AD_PW" mail:\ mona@example.test &&
	ad_user paul "$AD_PW" mail:\ paul@example.test &&
	ad_user ulla "$AD_UNI_PW" mail:\ ulla@example.test &&
	ad_lock larry &&
	ad_disable dora &&
	ad_must_change mona &&
	ad_protect paul || { echo "# AD fixtures failed"; return 1; }
	SAMBA_FIXTURES_MS=$(($(ms_now) - t0))
	echo "# samba: fixtures in ${SAMBA_FIXTURES_MS} ms"
}

# A password check against the DC for "can the user log in" in PAM
# stacks (env.sh's ldapcheck_line uses WhoAmI, which Samba lacks).
ad_ldapcheck_line() {
	cat > "$T/adcheck.sh" <<-EOF2
	#!/bin/sh
	# reads the password pam_exec passes on stdin, binds as the user
	pw=\$(head -c 512 | tr -d '\\000')
	f=\$(umask 077 && mktemp "$T/.adcheck.XXXXXX")
	printf '%s' "\$pw" > "\$f"
	LDAPTLS_CACERT=$T/ca.pem ldapsearch -x -H $AD_URI \\
	    -D "CN=\$PAM_USER,$AD_PEOPLE" -y "\$f" -b "" -s base dn >/dev/null 2>&1
	r=\$?
	rm -f "\$f"
	exit \$r
	EOF2
	chmod 755 "$T/adcheck.sh"
	echo "auth required pam_exec.so quiet expose_authtok $T/adcheck.sh"
}
