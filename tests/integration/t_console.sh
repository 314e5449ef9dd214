#!/bin/bash
# The console and a screen locker.
#
# 1. Debian's /bin/login (-p: nss_wrapper reads its environment late) on a real pty (tmux), its PAM service "login"
#    read through pam_wrapper from $T/pam.d and alice through nss_wrapper:
#    the whole reset as a person sees it (the prompts in order, the masked
#    address, how long the code is valid, what to do next), then the new
#    password gives a shell.
# 2. A screen locker: the module driven by pamdrive as an ordinary uid
#    (setpriv).  Refused with the helpdesk line while allowed_uids = 0;
#    with self_callers = yes it may reset only its own account, and the
#    per-source limit counts it by its uid, whatever PAM_TTY or PAM_RHOST
#    it claims; with its uid in allowed_uids it is trusted like login.
. "$SRC/tests/lib/env.sh"
unset LANGUAGE LC_ALL LC_MESSAGES
command -v tmux >/dev/null || skip_all "tmux is not installed"
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) is not installed"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (login, setpriv)"
LIBDIR=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
[ -e "$LIBDIR/libnss_wrapper.so" ] || skip_all "libnss-wrapper is not installed"

U=10001	# alice's uid, in $T/passwd only
{
	echo "root:x:0:0:root:/root:/bin/sh"
	echo "alice:x:$U:$U:Alice:$T/home/alice:/bin/sh"
	echo "dave:x:10004:10004:Dave:$T/home/dave:/bin/sh"
	echo "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"
} > "$T/passwd"
printf '%s\n' "root:x:0:" "alice:x:$U:" "dave:x:10004:" "nogroup:x:65534:" > "$T/group"
mkdir -p "$T/home/alice" "$T/home/dave"
chown "$U:$U" "$T/home/alice"
chown 10004:10004 "$T/home/dave"
# without deep binding, so that an ASan-built daemon can load it
NSSW="NSS_WRAPPER_PASSWD=$T/passwd NSS_WRAPPER_GROUP=$T/group NSS_WRAPPER_DISABLE_DEEPBIND=1"

# The socket where an ordinary uid can reach it ($T/run is 0700).
mkdir -p "$T/pub"
chmod 755 "$T/pub"
SOCKET=$T/pub/helperd.sock
# The daemon finds alice's uid through NSS, as it would through sssd.
ASAN_EXTRA=
[ -n "${SSPR_ASAN:-}" ] && ASAN_EXTRA="ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0"
DAEMON_WRAPPER="env LD_PRELOAD=libnss_wrapper.so $NSSW $ASAN_EXTRA"
standard_env || exit 1

{
	module_line
	ldapcheck_line
	echo "auth optional pam_permit.so"
	echo "account required pam_permit.so"
	echo "session required pam_permit.so"
	echo "password required pam_deny.so"
} | pam_service login
echo "auth required pam_deny.so" | pam_service other


# --- 1. /bin/login ---------------------------------------------------------
if [ -n "${SSPR_ASAN:-}" ]; then
	# login is not built with ASan: the ASan module cannot load into it
	echo "# skipped the login part: /bin/login cannot load an ASan-built module"
elif [ ! -x /bin/login ]; then
	echo "# skipped the login part: /bin/login is not installed"
else
	tty_start c1 "env LD_PRELOAD='libpam_wrapper.so libnss_wrapper.so' PAM_WRAPPER=1 \
PAM_WRAPPER_SERVICE_DIR=$T/pam.d PAM_WRAPPER_DISABLE_DEEPBIND=1 UID_WRAPPER_DISABLE_DEEPBIND=1 \
$NSSW LANG=C.UTF-8 /bin/login -p alice; echo login exit \$?"
	tty_wait c1 "Password \(press Enter if you can't access your account\): $"
	ok $? "login: pam_sspr's password prompt"
	tty_keys c1 Enter
	tty_wait c1 'Choose 1 or 2 \(empty to cancel\): $' && tty_type c1 1
	tty_wait c1 'Verification code \(empty to cancel\): $'
	ok $? "login: Enter, then 1, asks for the code"
	code=$(mail_code alice@example.test 1)
	like "$code" '^[0-9]{8}$' "login: the code mail arrived"
	tty_type c1 "$code"
	tty_wait c1 'New password: $' && tty_type c1 Console-Passw0rd-1
	tty_wait c1 'Retype new password: $' && tty_type c1 Console-Passw0rd-1
	tty_wait c1 'Log in again with your new password\.'
	ok $? "login: the reset runs to its end"
	bind_ok "uid=alice,$PEOPLE" Console-Passw0rd-1
	ok $? "alice's new password binds in slapd"

	# 3. What the person read, in order, one screen.
	scr=$(tty_screen c1 | grep .)
	printf '%s\n' "$scr" | sed 's/^/#   | /'
	want=(
		"^Password \(press Enter if you can't access your account\): $"
		"^Can't access your account\? You can get back in with a code sent to your recovery email address\.$"
		'^  1  Reset my password$'
		'^  2  Unlock my account \(I know my password\)$'
		'^Choose 1 or 2 \(empty to cancel\): 1$'
		'^A verification code has been sent to a\*\*\*@e\*\*\*\.test\. It is valid for 10 minutes\.$'
		'^Verification code \(empty to cancel\): [0-9]{8}$'
		'^New password: $'
		'^Retype new password: $'
		'^Your password has been changed\.$'
		'^Log in again with your new password\.$'
	)
	rest=$scr
	for re in "${want[@]}"; do
		n=$(printf '%s\n' "$rest" | grep -nE -m1 -- "$re" | cut -d: -f1)
		[ -n "$n" ] || break
		rest=$(printf '%s\n' "$rest" | sed "1,${n}d")
	done
	[ -n "$n" ]
	ok $? "transcript: every line in order, each a sentence (last found: /$re/)"
	unlike "$scr" 'Console-Passw0rd' "transcript: the new password never shows"
	unlike "$scr" 'alice@example\.test' "transcript: the address shows only masked"
	unlike "$scr" 'Login incorrect.*Login incorrect' "transcript: one failed attempt, not more"

	# login asks again (the reset was one failed attempt); the new
	# password gives alice a shell.
	tty_wait c1 'login: $' 10 && tty_type c1 alice
	tty_count c1 "Password \(press Enter" 2 && tty_type c1 Console-Passw0rd-1
	tty_wait c1 '\$ $' 10
	ok $? "login: the new password gives a shell prompt"
	tag=ok-$RANDOM$RANDOM
	tty_type c1 "echo $tag-\$(id -u)-\$HOME; exit"
	tty_wait c1 'login exit [0-9]+' 10
	like "$(tty_screen c1)" "^$tag-$U-$T/home/alice\$" "login: the shell runs as alice in her home"

	# A change the directory demands (dave: pwdReset): login's account
	# step gets PAM_NEW_AUTHTOK_REQD and login runs the password stage.
	ARGS="socket=$SOCKET daemon_user=$(id -un)"
	{
		module_line
		ldapcheck_line
		echo "auth optional pam_permit.so"
		echo "account required pam_permit.so"
		echo "account required $BUILD/pam_sspr.so $ARGS"
		echo "session required pam_permit.so"
		echo "password [success=done ignore=ignore default=die] $BUILD/pam_sspr.so $ARGS"
		echo "password required pam_deny.so"
	} | pam_service login
	tty_start c2 "env LD_PRELOAD='libpam_wrapper.so libnss_wrapper.so' PAM_WRAPPER=1 \
PAM_WRAPPER_SERVICE_DIR=$T/pam.d PAM_WRAPPER_DISABLE_DEEPBIND=1 UID_WRAPPER_DISABLE_DEEPBIND=1 \
$NSSW LANG=C.UTF-8 /bin/login -p dave; echo login exit \$?"
	tty_wait c2 'Password \(press Enter.*\): $' 15 && tty_type c2 Old-Passw0rd-dave
	tty_wait c2 'Current password: $' 15
	ok $? "login, forced change: the password stage runs at once"
	like "$(tty_screen c2)" 'You must choose a new password now' "login: the account step says why"
	tty_type c2 Old-Passw0rd-dave
	tty_wait c2 'New password: $' && tty_type c2 Forced-Console-Passw0rd-5
	tty_wait c2 'Retype new password: $' && tty_type c2 Forced-Console-Passw0rd-5
	tty_wait c2 '\$ $' 10
	ok $? "login: after the change, a shell"
	tty_type c2 "echo forced-\$(id -u); exit"
	tty_wait c2 'login exit [0-9]+' 10
	like "$(tty_screen c2)" '^forced-10004$' "login: the shell runs as dave"
	is "$(attr_of "uid=dave,$PEOPLE" pwdReset)" "" "login: pwdReset is gone"
	bind_ok "uid=dave,$PEOPLE" Forced-Console-Passw0rd-5
	ok $? "login: dave binds with the new password"

	# passwd(1) itself, through its PAM service "passwd".
	{
		echo "password [success=done ignore=ignore default=die] $BUILD/pam_sspr.so $ARGS"
		echo "password required pam_deny.so"
	} | pam_service passwd
	tty_start c3 "env LD_PRELOAD='libpam_wrapper.so libnss_wrapper.so' PAM_WRAPPER=1 \
PAM_WRAPPER_SERVICE_DIR=$T/pam.d PAM_WRAPPER_DISABLE_DEEPBIND=1 UID_WRAPPER_DISABLE_DEEPBIND=1 \
$NSSW LANG=C.UTF-8 /usr/bin/passwd dave; echo passwd exit \$?"
	tty_wait c3 'Current password: $' 15
	ok $? "passwd: pam_sspr asks for the current password"
	like "$(tty_screen c3)" 'Changing the directory password of dave\.' "passwd: says what it changes"
	tty_type c3 Forced-Console-Passw0rd-5
	tty_wait c3 'New password: $' && tty_type c3 Passwd-Tool-Passw0rd-6
	tty_wait c3 'Retype new password: $' && tty_type c3 Passwd-Tool-Passw0rd-6
	tty_wait c3 'passwd exit [0-9]+' 10
	scr=$(tty_screen c3)
	like "$scr" 'passwd: password updated successfully' "passwd: reports success"
	like "$scr" 'passwd exit 0' "passwd: exit status 0"
	bind_ok "uid=dave,$PEOPLE" Passwd-Tool-Passw0rd-6
	ok $? "passwd: dave binds with the password set through passwd(1)"
fi

# --- 2. a screen locker: pamdrive as uid $U -------------------------------
{ module_line '[helpdesk=Locked out? Call the service desk on 555-0100.]'
  echo "auth required pam_deny.so"; } | pam_service locker
AS_U="setpriv --reuid=$U --regid=$U --clear-groups"
MC="$SRC/tests/lib/env-mailcode.sh $T"

locker() {	# locker USER SCRIPT: pamdrive as uid $U, service "locker"
	DRIVE_WRAPPER=$AS_U drive "$1" "$2" locker
}

# (a) allowed_uids = 0, self_callers = no (the defaults)
daemon_stop
rm -f "$T/helperd.conf"
ALLOWED_UIDS=0 daemon_start || exit 1
n_alice=$(mail_count alice@example.test)
s=$(script a <<'EOF2'
^Password => 
EOF2
)
out=$(locker alice "$s")
r=$?
printf '%s\n' "$out" | sed 's/^/#   /'
like "$out" 'Password reset is not available from this program\.' \
	"locker, default config: refused, and told so"
like "$out" 'Locked out\? Call the service desk on 555-0100\.' "with the helpdesk line"
like "$out" '^result: Authentication service cannot retrieve authentication info$' \
	"PAM_AUTHINFO_UNAVAIL, not a crash"
is "$r" 0 "pamdrive ran its script to the end (status $r)"
like "$(cat "$T/helperd.log")" "refused a caller: uid $U" "the daemon logged the refused uid"
is "$(mail_count alice@example.test)" "$n_alice" "no code was sent"

# (b) self_callers = yes: its own account only
daemon_stop
rm -f "$T/helperd.conf"
ALLOWED_UIDS=0 SOURCE_FLOWS=3 DAEMON_EXTRA_DAEMON="self_callers = yes" daemon_start || exit 1
s=$(script b <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC alice@example.test $((n_alice + 1))
^New password: => Locker-Passw0rd-1
^Retype new password: => Locker-Passw0rd-1
EOF2
)
out=$(locker alice "$s")
like "$out" 'Your password has been changed\.' "self_callers: uid $U resets alice, its own account"
bind_ok "uid=alice,$PEOPLE" Locker-Passw0rd-1
ok $? "alice's new password binds"
s=$(script c <<'EOF2'
^Password => 
^Choose 1 or 2 => 1
EOF2
)
out=$(locker carol "$s")
like "$out" 'Password reset is not available from this program\.' \
	"self_callers: uid $U may not reset carol"
like "$out" 'Locked out\? Call the service desk' "with the helpdesk line"
like "$(cat "$T/helperd.log")" 'not in allowed_uids asked for an account other than its own' \
	"the daemon logged why"
is "$(mail_count carol@example.test)" 0 "no code went to carol"

# The per-source limit (source_flows = 3 here) counts this caller by its
# uid: 2 flows so far (alice, carol), one more, then refused, and a
# made-up PAM_RHOST does not help; root's flows from the same terminal
# name are not used up by it.
cancel=$(script cancel <<'EOF2'
^Password => 
^Choose 1 or 2 => 1
^Verification code => 
EOF2
)
out=$(locker alice "$cancel")
like "$out" 'Password reset cancelled\.' "self_callers: a third flow is still served"
out=$(locker alice "$cancel")
like "$out" 'Too many password reset attempts from here\.' "the fourth is refused by the per-source limit"
like "$(cat "$T/helperd.log")" "uid=$U .*src=uid:$U .*source over its limit" \
	"the daemon keys the limit on the caller's uid"
out=$($AS_U "$BUILD/tests/rawclient" "$SOCKET" hello rhost=elsewhere.example recv start alice recv 2>&1)
like "$out" 'FAIL reason=13' "a made-up PAM_RHOST does not escape the limit"
out=$(DRIVE_WRAPPER= drive alice "$cancel" locker)
like "$out" 'Password reset cancelled\.' "root on the same terminal name is still served"

# (c) its uid in allowed_uids: trusted like login, any account
daemon_stop
rm -f "$T/helperd.conf"
ALLOWED_UIDS="0 $U" DAEMON_EXTRA_DAEMON="self_callers = yes" daemon_start || exit 1
s=$(script d <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => 
EOF2
)
out=$(locker carol "$s")
like "$out" 'A verification code has been sent to c\*\*\*@e\*\*\*\.test' \
	"a uid in allowed_uids may start a reset for any account (list kiosks, not lockers)"

# max_flows_per_uid bounds it too: a second flow at once is refused.
daemon_stop
rm -f "$T/helperd.conf"
ALLOWED_UIDS=0 DAEMON_EXTRA_DAEMON="self_callers = yes
max_flows_per_uid = 1" daemon_start || exit 1
$AS_U "$BUILD/tests/rawclient" "$SOCKET" hello recv sleep 3000 >"$T/held.out" 2>&1 &
held=$!
PIDS+=("$held")
wait_for 5 grep -q HELLO_OK "$T/held.out"
out=$($AS_U "$BUILD/tests/rawclient" "$SOCKET" hello recv 2>&1)
like "$out" 'FAIL reason=9' "max_flows_per_uid = 1: a second flow of the same uid is refused (busy)"
like "$(raw hello recv)" 'HELLO_OK' "root is not counted against it"
wait "$held"

done_testing
