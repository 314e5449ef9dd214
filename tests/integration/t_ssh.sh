#!/bin/bash
# A real OpenSSH: Debian's sshd on a loopback port (its own host key and
# config in $T) with pam_sspr in front of a password check against the
# test slapd, and a real ssh client on a pty (tmux).
#
# 1. keyboard-interactive: Enter at the password prompt, choose the reset,
#    the code from the mail, the new password twice; then the same
#    connection and a new one log in with the new password and run a
#    command.
# 2. sshd with only the "password" method: ssh asks for the password
#    itself and hands sshd one answer.  An empty one never reaches PAM
#    (PermitEmptyPasswords no), so no reset starts and no code is mailed;
#    a typed password logs in as usual.
# 3. a change the directory demands (pwdReset): the account step answers
#    PAM_NEW_AUTHTOK_REQD and sshd runs the password stage in the same
#    keyboard-interactive login, then the command.
# 4. registration at sign-in over ssh: the account step shows the
#    recovery methods and a menu; "looks good" confirms them.
#
# sshd reads its PAM service through pam_wrapper (PAM_WRAPPER_SERVICE_DIR
# = $T/pam.d, /etc/pam.d is never touched) and its users through
# nss_wrapper ($T/passwd, $T/group).
. "$SRC/tests/lib/env.sh"
unset LANGUAGE LC_ALL LC_MESSAGES
SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || skip_all "openssh-server is not installed"
command -v ssh >/dev/null || skip_all "openssh-client is not installed"
command -v tmux >/dev/null || skip_all "tmux is not installed"
LIBDIR=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
[ -e "$LIBDIR/libnss_wrapper.so" ] || skip_all "libnss-wrapper is not installed"
[ -e "$LIBDIR/libpam_wrapper.so" ] || skip_all "libpam-wrapper is not installed"
# sshd is not ours and not sanitized: an ASan-built module cannot be
# loaded into it (the ASan runtime must be the program's first library).
[ -n "${SSPR_ASAN:-}" ] && skip_all "sshd is not built with ASan, so the ASan module cannot load into it"

# registration at sign-in is on (section 4); it only shows where the
# account stack has pam_sspr (sections 3 and 4)
DAEMON_EXTRA_CODE="
[register]
enabled = yes" standard_env || exit 1

# --- users (nss_wrapper) and the PAM service (pam_wrapper) ----------------
mkdir -p "$T/home/alice" "$T/ssh"
chown 10001:10001 "$T/home/alice"
{
	echo "root:x:0:0:root:/root:/bin/sh"
	getent passwd sshd || echo "sshd:x:103:65534::/run/sshd:/usr/sbin/nologin"
	echo "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"
	echo "alice:x:10001:10001:Alice:$T/home/alice:/bin/sh"
} > "$T/passwd"
printf '%s\n' "root:x:0:" "nogroup:x:65534:" "alice:x:10001:" > "$T/group"

{
	module_line
	ldapcheck_line
	# something in auth must answer pam_setcred: sshd ends a
	# keyboard-interactive login whose setcred fails (common-auth ends
	# with pam_permit for the same reason)
	echo "auth optional pam_permit.so"
	echo "account required pam_permit.so"
	echo "session required pam_permit.so"
	echo "password required pam_deny.so"
} | pam_service sshd
echo "auth required pam_deny.so" | pam_service other

# sshd's privilege separation directory (Debian's service makes it).
[ -d /run/sshd ] || install -d -m 755 /run/sshd

ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host_ed25519" || exit 1

sshd_conf() {	# sshd_conf NAME PORT METHOD [EXTRA LINE]
	cat > "$T/ssh/$1.conf" <<-EOF
	ListenAddress 127.0.0.1
	Port $2
	HostKey $T/ssh/host_ed25519
	PidFile $T/ssh/$1.pid
	UsePAM yes
	LogLevel VERBOSE
	LoginGraceTime 2m
	MaxAuthTries 6
	PermitRootLogin no
	PubkeyAuthentication no
	StrictModes no
	PrintMotd no
	PrintLastLog no
	UseDNS no
	EOF
	if [ "$3" = keyboard-interactive ]; then
		cat >> "$T/ssh/$1.conf" <<-EOF
		KbdInteractiveAuthentication yes
		PasswordAuthentication no
		AuthenticationMethods keyboard-interactive
		EOF
	else
		cat >> "$T/ssh/$1.conf" <<-EOF
		KbdInteractiveAuthentication no
		PasswordAuthentication yes
		AuthenticationMethods password
		EOF
	fi
	[ -z "${4:-}" ] || echo "$4" >> "$T/ssh/$1.conf"
}

sshd_start() {	# sshd_start NAME METHOD [EXTRA LINE]: sets SSH_PORT
	SSH_PORT=$(ports 1)
	sshd_conf "$1" "$SSH_PORT" "$2" "${3:-}"
	"$SSHD" -t -f "$T/ssh/$1.conf" || { echo "# sshd -t refused the config"; return 1; }
	env LD_PRELOAD="libpam_wrapper.so libnss_wrapper.so" \
	    PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" \
	    PAM_WRAPPER_DISABLE_DEEPBIND=1 UID_WRAPPER_DISABLE_DEEPBIND=1 \
	    NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" \
	    "$SSHD" -D -e -f "$T/ssh/$1.conf" 2>"$T/$1.err" &
	PIDS+=("$!")
	wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SSH_PORT" ||
		{ echo "# sshd did not start"; sed 's/^/#   /' "$T/$1.err"; return 1; }
}

# ssh_tty NAME METHOD COMMAND: a real ssh client on a pty; prints
# "ssh exit N" on the pty when it ends.
ssh_tty() {
	tty_start "$1" "ssh -F /dev/null -p $SSH_PORT \
-o UserKnownHostsFile=$T/ssh/known_hosts -o GlobalKnownHostsFile=/dev/null \
-o StrictHostKeyChecking=accept-new -o PreferredAuthentications=$2 \
-o PubkeyAuthentication=no -o NumberOfPasswordPrompts=3 -o LogLevel=INFO \
${SSH_USER:-alice}@127.0.0.1 '$3'; echo ssh exit \$?"
}




# --- 1. keyboard-interactive: the whole reset over SSH ---------------------
sshd_start kbd keyboard-interactive || exit 1
tag=ok-$RANDOM$RANDOM
ssh_tty s1 keyboard-interactive "echo $tag-\$(id -u)"
tty_wait s1 'Password \(press Enter if you can.t access your account\): $' 15
ok $? "ssh: pam_sspr's password prompt reaches the ssh client"
tty_keys s1 Enter
tty_wait s1 'Choose 1 or 2 \(empty to cancel\): $'
ok $? "ssh: Enter opens the reset menu"
like "$(tty_screen s1)" "Can't access your account\? You can get back in with a code" \
	"ssh: the offer is shown above the menu"
tty_type s1 1
tty_wait s1 'Verification code \(empty to cancel\): $'
ok $? "ssh: choosing 1 asks for the code"
like "$(tty_screen s1)" 'A verification code has been sent to a\*\*\*@e\*\*\*\.test\. It is valid for 10 minutes\.' \
	"ssh: masked destination and validity"
code=$(mail_code alice@example.test 1)
like "$code" '^[0-9]{8}$' "the code mail arrived"
tty_type s1 "$code"
tty_wait s1 'New password: $'
ok $? "ssh: the code is accepted"
tty_type s1 Ssh-Passw0rd-1
tty_wait s1 'Retype new password: $'
tty_type s1 Ssh-Passw0rd-1
tty_wait s1 'Log in again with your new password\.'
ok $? "ssh: the change is announced"
like "$(tty_screen s1)" 'Your password has been changed\.' "ssh: 'Your password has been changed.'"
unlike "$(tty_screen s1)" 'Ssh-Passw0rd' "ssh: the new password was never echoed"
bind_ok "uid=alice,$PEOPLE" Ssh-Passw0rd-1
ok $? "alice's new password binds in slapd"
bind_ok "uid=alice,$PEOPLE" Old-Passw0rd-alice
ok $((!$?)) "the old one does not"

# The same connection asks again (the reset attempt counted as one
# failure, MaxAuthTries allows more): the new password logs in.
tty_count s1 'Password \(press Enter' 2
ok $? "ssh: the same connection asks for the password again"
tty_type s1 Ssh-Passw0rd-1
tty_wait s1 'ssh exit [0-9]+' 15
scr=$(tty_screen s1)
like "$scr" "^$tag-10001\$" "ssh: the new password logs in, the command runs as alice"
like "$scr" 'ssh exit 0' "ssh: exit status 0"

# A new connection with the new password.
tag2=ok-$RANDOM$RANDOM
ssh_tty s2 keyboard-interactive "echo $tag2"
tty_wait s2 'Password \(press Enter.*\): $' 15 && tty_type s2 Ssh-Passw0rd-1
tty_wait s2 'ssh exit [0-9]+' 15
scr=$(tty_screen s2)
like "$scr" "^$tag2\$" "ssh, new connection: the new password runs a command"
like "$scr" 'ssh exit 0' "ssh, new connection: exit status 0"
unlike "$scr" 'Choose 1 or 2' "ssh, new connection: a typed password never opens the reset"
like "$(cat "$T/helperd.log")" 'svc=sshd .*password reset for uid=alice' \
	"the daemon saw PAM service sshd"

# A wrong password at a new connection is refused and starts nothing.
n_flows=$(grep -c 'flow=' "$T/helperd.log")
ssh_tty s3 keyboard-interactive "echo should-not-run"
tty_wait s3 'Password \(press Enter.*\): $' 15 && tty_type s3 Old-Passw0rd-alice
tty_count s3 'Password \(press Enter' 2
ok $? "ssh: the old password is refused and asked again"
tty_keys s3 C-c
wait_for 10 tty_dead s3
unlike "$(tty_screen s3)" 'should-not-run' "ssh: the old password ran nothing"
is "$(grep -c 'flow=' "$T/helperd.log")" "$n_flows" "typed passwords never reach the daemon"

# --- 2. only the "password" method --------------------------------------
sshd_start pw password || exit 1
n_mail=$(mail_count alice@example.test)
n_flows=$(grep -c 'flow=' "$T/helperd.log")
tag3=ok-$RANDOM$RANDOM
ssh_tty p1 password "echo $tag3"
tty_wait p1 "alice@127\.0\.0\.1's password: $" 15
ok $? "password method: ssh asks for the password with its own prompt"
tty_keys p1 Enter
tty_wait p1 'Permission denied, please try again\.' 10
ok $? "password method: an empty password is simply refused"
scr=$(tty_screen p1)
unlike "$scr" "Can't access|Choose 1 or 2|Verification code" \
	"password method: no reset dialog can appear"
is "$(grep -c 'flow=' "$T/helperd.log")" "$n_flows" "password method: the daemon never hears of it"
tty_type p1 Ssh-Passw0rd-1
tty_wait p1 'ssh exit [0-9]+' 15
scr=$(tty_screen p1)
like "$scr" "^$tag3\$" "password method: the password itself logs in as usual"
like "$scr" 'ssh exit 0' "password method: exit status 0"
is "$(mail_count alice@example.test)" "$n_mail" "password method: no code mail was sent"
like "$(cat "$T/pw.err")" 'Accepted password for alice' "sshd logged a password login"

# Even with PermitEmptyPasswords yes, where an empty password does reach
# PAM (sshd tries it at once, as the "none" method, and again for the
# empty answer), the dialog cannot run: sshd's password conversation
# answers the first hidden prompt only and fails any visible one (the
# menu), so the module ends after HELLO, before any code is asked for.
started() { grep 'svc=sshd' "$T/helperd.log" | grep -vc 'user=-:'; }
n_started=$(started)
n_flows=$(grep -c 'flow=' "$T/helperd.log")
sshd_start pwempty password "PermitEmptyPasswords yes" || exit 1
ssh_tty p2 password "echo should-not-run"
tty_wait p2 "alice@127\.0\.0\.1's password: $" 15 && tty_keys p2 Enter
tty_count p2 "alice@127\.0\.0\.1's password: " 2
ok $? "PermitEmptyPasswords yes: the empty password is refused too"
tty_keys p2 C-c
wait_for 10 tty_dead p2
unlike "$(tty_screen p2)" "should-not-run|Can't access|Verification code" \
	"PermitEmptyPasswords yes: no dialog, nothing ran"
wait_for 5 grep -q 'conversation failed' "$T/pwempty.err"
ok $? "PermitEmptyPasswords yes: the module's menu prompt fails sshd's conversation"
[ "$(grep -c 'flow=' "$T/helperd.log")" -gt "$n_flows" ]
ok $? "PermitEmptyPasswords yes: the daemon was asked (HELLO)"
is "$(started)" "$n_started" "PermitEmptyPasswords yes: but no reset was started"
is "$(mail_count alice@example.test)" "$n_mail" "PermitEmptyPasswords yes: no code mail"

# --- 3. a change the directory demands, in the same SSH login --------------
mkdir -p "$T/home/dave"
chown 10004:10004 "$T/home/dave"
echo "dave:x:10004:10004:Dave:$T/home/dave:/bin/sh" >> "$T/passwd"
echo "dave:x:10004:" >> "$T/group"
ARGS="socket=${SOCKET:-$T/run/helperd.sock} daemon_user=$(id -un)"
{
	module_line
	ldapcheck_line
	echo "auth optional pam_permit.so"
	echo "account required pam_permit.so"
	echo "account required $BUILD/pam_sspr.so $ARGS"
	echo "session required pam_permit.so"
	echo "password [success=done ignore=ignore default=die] $BUILD/pam_sspr.so $ARGS"
	echo "password required pam_deny.so"
} | pam_service sshd
is "$(attr_of "uid=dave,$PEOPLE" pwdReset)" TRUE "dave's password was set by an administrator"
sshd_start forced keyboard-interactive || exit 1
tag4=ok-$RANDOM$RANDOM
SSH_USER=dave ssh_tty f1 keyboard-interactive "echo $tag4-\$(id -u)"
tty_wait f1 'Password \(press Enter.*\): $' 15 && tty_type f1 Old-Passw0rd-dave
tty_wait f1 'Current password: $' 15
ok $? "forced change over ssh: the password stage runs in the same login"
like "$(tty_screen f1)" 'You must choose a new password now' "and the account step said why"
tty_type f1 Old-Passw0rd-dave
tty_wait f1 'New password: $' && tty_type f1 Forced-Ssh-Passw0rd-4
tty_wait f1 'Retype new password: $' && tty_type f1 Forced-Ssh-Passw0rd-4
tty_wait f1 'ssh exit [0-9]+' 15
scr=$(tty_screen f1)
like "$scr" "^$tag4-10004\$" "then the command runs as dave"
like "$scr" 'ssh exit 0' "exit status 0"
is "$(attr_of "uid=dave,$PEOPLE" pwdReset)" "" "pwdReset is gone"
bind_ok "uid=dave,$PEOPLE" Forced-Ssh-Passw0rd-4
ok $? "dave binds with the new password"

# --- 4. registration at sign-in, over ssh ----------------------------------
is "$(attr_of "uid=alice,$PEOPLE" ssprRegisteredTime)" "" "alice never confirmed her recovery methods"
tag5=ok-$RANDOM$RANDOM
ssh_tty r1 keyboard-interactive "echo $tag5"
tty_wait r1 'Password \(press Enter.*\): $' 15 && tty_type r1 Ssh-Passw0rd-1
tty_wait r1 'Choose a number \(empty to cancel\): $' 15
ok $? "registration over ssh: the account step shows its menu"
scr=$(tty_screen r1)
like "$scr" 'Your account recovery methods:' "registration over ssh: what is registered"
like "$scr" 'Email: a\*\*\*@e\*\*\*\.test' "registration over ssh: the directory's address, masked"
n=$(printf '%s\n' "$scr" | sed -nE 's/^ *([0-9]+)  Looks good.*/\1/p' | tail -n1)
like "$n" '^[0-9]$' "registration over ssh: a 'Looks good' entry"
tty_type r1 "$n"
tty_wait r1 'ssh exit [0-9]+' 15
scr=$(tty_screen r1)
like "$scr" "^$tag5\$" "registration over ssh: then the login goes on and the command runs"
like "$(attr_of "uid=alice,$PEOPLE" ssprRegisteredTime)" '^[0-9]+$' \
	"registration over ssh: the confirmation is stored"
tag6=ok-$RANDOM$RANDOM
ssh_tty r2 keyboard-interactive "echo $tag6"
tty_wait r2 'Password \(press Enter.*\): $' 15 && tty_type r2 Ssh-Passw0rd-1
tty_wait r2 'ssh exit [0-9]+' 15
scr=$(tty_screen r2)
like "$scr" "^$tag6\$" "registration over ssh: the next login runs the command"
unlike "$scr" 'Choose a number' "without asking again"

done_testing
