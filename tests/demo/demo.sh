#!/bin/bash
# demo.sh BUILD: a throwaway self-service password reset to walk through.
# Starts a directory (slapd with a password policy), a mail catcher and
# sspr-helperd on loopback in a temporary directory, then opens a real
# PAM login prompt (pamtester under pam_wrapper) whose stack has
# pam_sspr in front of a password check against that directory.
# Everything stops, and the directory is deleted, when you leave.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-build}" && pwd)
export SRC BUILD
. "$SRC/tests/lib/env.sh"
FAILED=0

echo "Starting a throwaway directory, mail catcher and sspr-helperd in $T ..."
standard_env >/dev/null || { echo "could not start the demo servers"; exit 1; }
{ module_line; ldapcheck_line; } | pam_service demo-login
echo "auth required pam_deny.so" | pam_service other

# The mail catcher's inbox, shown as mail arrives.
(
	seen=0
	while sleep 0.3; do
		for f in "$T"/mail/*.eml; do
			[ -e "$f" ] || continue
			n=$(basename "$f" | cut -d- -f1)
			[ "$((10#$n))" -le "$seen" ] && continue
			seen=$((10#$n))
			what="a notice without a code"
			code=$(grep -oE '\b[0-9]{8}\b' "$f" | head -n1)
			[ -n "$code" ] && what="code $code"
			printf '\n   📬 mail catcher: message to %s, %s\n      (%s)\n' \
			    "$(sed -n 's/^X-Envelope-To: //p' "$f" | tr -d '\r')" \
			    "$what" "$f"
		done
	done
) &
PIDS+=($!)

cat <<EOF

  Directory:     $LDAP_URI (users alice, frank, grace ...)
  Mail catcher:  smtp://127.0.0.1:$SMTP_PORT, messages saved in $T/mail/
  Daemon log:    $T/helperd.log
  PAM service:   $T/pam.d/demo-login

  alice's password is Old-Passw0rd-alice.  To reset it, log in as alice
  and press Enter at the password prompt; the code arrives at the mail
  catcher (shown here).  The directory wants 8 characters or more.

EOF

if [ ! -t 0 ]; then
	echo "(no terminal: walking through a reset of alice automatically)"
	s=$(script demo <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$SRC/tests/lib/env-mailcode.sh $T alice@example.test 1
^New password: => Demo-New-Passw0rd
^Retype new password: => Demo-New-Passw0rd
EOF2
	)
	drive alice "$s" demo-login | sed 's/^/   /'
	s=$(script login <<'EOF2'
^Password => Demo-New-Passw0rd
EOF2
	)
	echo "   ... then alice logs in with the new password:"
	out=$(drive alice "$s" demo-login)
	printf '%s\n' "$out" | sed 's/^/   /'
	case $out in
	*'result: Success'*) exit 0 ;;
	esac
	echo "demo: alice could not log in with the new password:" >&2
	sed 's/^/   /' "$T/drive.err" >&2
	exit 1
fi

export LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=$T/pam.d
while :; do
	printf 'login: '
	read -r user || break
	[ -n "$user" ] || continue
	if pamtester demo-login "$user" authenticate; then
		echo "Welcome, $user: you are logged in (the demo ends here)."
		break
	fi
	echo "Login incorrect"
	echo
done
unset LD_PRELOAD
