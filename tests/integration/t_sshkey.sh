#!/bin/bash
# The SSH key as a recovery method ([policy] methods = email sshkey,
# methods_required = 2), with Debian's real sshd on loopback (set up as
# t_ssh does: pam_wrapper, nss_wrapper, a tmux pty) and
# AuthenticationMethods publickey,keyboard-interactive: sshd accepts a
# key, then runs PAM with it in SSH_AUTH_INFO_0.
#
# 1. key A, which the directory lists for alice (sshPublicKey): it counts,
#    the emailed code is the second method, the password is reset.
# 2. key B (in authorized_keys, not in the directory) and key C (bob's in
#    the directory, but sshd lets it in as alice): not counted; alice has
#    only email left, so the reset is the one an unknown name gets.
# 3. a forged SSH_AUTH_INFO_0 from anything but sshd: pamdrive with it in
#    the PAM environment (the module sends nothing: not sshd); the module
#    told that pamdrive is sshd (the daemon sees its program); rawclient
#    as root with service "sshd" and alice's key: never counted.
# 4. methods_required = 1: key A alone leads to the new password; bob,
#    whose only method is a key (C), looks like an unknown name to a
#    caller without it.
# 5. a certificate (key D, not listed, signed by a CA sshd trusts): not
#    counted without [sshkey] cert_authority, counted with it.
. "$SRC/tests/lib/env.sh"
unset LANGUAGE LC_ALL LC_MESSAGES
SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || skip_all "openssh-server is not installed"
command -v ssh >/dev/null || skip_all "openssh-client is not installed"
command -v tmux >/dev/null || skip_all "tmux is not installed"
LIBDIR=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
[ -e "$LIBDIR/libnss_wrapper.so" ] || skip_all "libnss-wrapper is not installed"
[ -e "$LIBDIR/libpam_wrapper.so" ] || skip_all "libpam-wrapper is not installed"
[ -n "${SSPR_ASAN:-}" ] && skip_all "sshd is not built with ASan, so the ASan module cannot load into it"
[ "$(id -u)" = 0 ] || skip_all "sshd's PAM runs as root: the key counts only for a root caller"

slapd_start && sink_start || exit 1
daemon_conf "$T/helperd.conf"
# [policy] is the generated file's last section
printf '%s\n' "methods = email sshkey" "methods_required = 2" >> "$T/helperd.conf"
daemon_start || exit 1

# --- keys: A and B alice's, C bob's; A listed for alice, C for bob ---------
mkdir -p "$T/home/alice" "$T/ssh/auth"
chown 10001:10001 "$T/home/alice"
for k in a b c; do
	ssh-keygen -q -t ed25519 -N '' -C "key-$k" -f "$T/ssh/id_$k" || exit 1
done
cat "$T/ssh/id_a.pub" "$T/ssh/id_b.pub" "$T/ssh/id_c.pub" > "$T/ssh/auth/alice"
ldapadmin ldapmodify >/dev/null <<EOF2 || { echo "# cannot add the keys"; exit 1; }
dn: uid=alice,$PEOPLE
changetype: modify
add: objectClass
objectClass: ldapPublicKey
-
add: sshPublicKey
sshPublicKey: no-pty,from="127.0.0.1" $(cat "$T/ssh/id_a.pub")

dn: uid=bob,$PEOPLE
changetype: modify
add: objectClass
objectClass: ldapPublicKey
-
add: sshPublicKey
sshPublicKey: $(cat "$T/ssh/id_c.pub")
EOF2
like "$(attr_of "uid=alice,$PEOPLE" sshPublicKey)" 'ssh-ed25519 AAAA' \
	"the test slapd takes openssh-lpk's sshPublicKey (ldap-schema/openssh-lpk.ldif)"

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
	echo "auth optional pam_permit.so"
	echo "account required pam_permit.so"
	echo "session required pam_permit.so"
	echo "password required pam_deny.so"
} | pam_service sshd
[ -d /run/sshd ] || install -d -m 755 /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host_ed25519" || exit 1

SSH_PORT=$(ports 1)
cat > "$T/ssh/sshd.conf" <<EOF2
ListenAddress 127.0.0.1
Port $SSH_PORT
HostKey $T/ssh/host_ed25519
PidFile $T/ssh/sshd.pid
UsePAM yes
LogLevel DEBUG2
LoginGraceTime 2m
MaxAuthTries 6
PermitRootLogin no
StrictModes no
PrintMotd no
PrintLastLog no
UseDNS no
PubkeyAuthentication yes
AuthorizedKeysFile $T/ssh/auth/%u
KbdInteractiveAuthentication yes
PasswordAuthentication no
AuthenticationMethods publickey,keyboard-interactive
EOF2
"$SSHD" -t -f "$T/ssh/sshd.conf" || { echo "# sshd -t refused the config"; exit 1; }
env LD_PRELOAD="libpam_wrapper.so libnss_wrapper.so" \
    PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$T/pam.d" \
    PAM_WRAPPER_DISABLE_DEEPBIND=1 UID_WRAPPER_DISABLE_DEEPBIND=1 \
    NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" \
    "$SSHD" -D -e -f "$T/ssh/sshd.conf" 2>"$T/sshd.err" &
PIDS+=("$!")
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SSH_PORT" ||
	{ echo "# sshd did not start"; sed 's/^/#   /' "$T/sshd.err"; exit 1; }

ssh_tty() {	# ssh_tty NAME KEY COMMAND
	tty_start "$1" "ssh -F /dev/null -p $SSH_PORT -i $T/ssh/id_$2 \
-o IdentitiesOnly=yes -o IdentityAgent=none \
-o UserKnownHostsFile=$T/ssh/known_hosts -o GlobalKnownHostsFile=/dev/null \
-o StrictHostKeyChecking=accept-new \
-o PreferredAuthentications=publickey,keyboard-interactive \
-o NumberOfPasswordPrompts=3 -o LogLevel=INFO \
alice@127.0.0.1 '$3'; echo ssh exit \$?"
}

# Enter at the password prompt, 1 (reset) at the menu.
open_reset() {	# open_reset NAME
	tty_wait "$1" 'Password \(press Enter if you can.t access your account\): $' 15 ||
		return 1
	tty_keys "$1" Enter
	tty_wait "$1" 'Choose 1 or 2 \(empty to cancel\): $' || return 1
	tty_type "$1" 1
	tty_wait "$1" 'Verification code \(empty to cancel\): $'
}

few() { grep -c 'fewer recovery methods than required' "$T/helperd.log"; }
few_above() { [ "$(few)" -gt "$1" ]; }

# --- 1. key A: listed, counted; the code is the second method ---------------
tag=ok-$RANDOM$RANDOM
ssh_tty k1 a "echo $tag-\$(id -u)"
open_reset k1
ok $? "key A: after the key, PAM's dialog; the reset asks for a code"
scr=$(tty_screen k1)
like "$scr" 'Your SSH key counts as one verification\.' "key A: the person is told the key counted"
like "$scr" 'A verification code has been sent to a\*\*\*@e\*\*\*\.test' "key A: then the mailed code"
like "$(cat "$T/sshd.err")" 'auth information in SSH_AUTH_INFO_0' \
	"sshd put the accepted key in the PAM environment"
like "$(cat "$T/helperd.log")" 'sshkey counted' "the daemon counted the key"
code=$(mail_code alice@example.test 1)
like "$code" '^[0-9]{8}$' "key A: the code mail arrived"
tty_type k1 "$code"
tty_wait k1 'New password: $'
ok $? "key A: key + code: the new password is asked"
tty_type k1 Key-Passw0rd-1
tty_wait k1 'Retype new password: $' && tty_type k1 Key-Passw0rd-1
tty_wait k1 'Your password has been changed\.'
ok $? "key A: the password is reset"
bind_ok "uid=alice,$PEOPLE" Key-Passw0rd-1
ok $? "key A: alice's new password binds"
like "$(cat "$T/helperd.log")" 'event=method result=ok reason=sshkey' \
	"key A: the audit names the method"
tty_count k1 'Password \(press Enter' 2 && tty_type k1 Key-Passw0rd-1
tty_wait k1 'ssh exit [0-9]+' 15
like "$(tty_screen k1)" "^$tag-10001\$" "key A: key and the new password log in"

# --- 2. key B (not listed), key C (bob's): not counted ----------------------
for k in b c; do
	n_mail=$(mail_count alice@example.test)
	n_counted=$(grep -c 'sshkey counted' "$T/helperd.log")
	n_few=$(few)
	ssh_tty "n$k" "$k" "echo should-not-run"
	open_reset "n$k"
	ok $? "key ${k^^}: the reset asks for a code, as for any name"
	scr=$(tty_screen "n$k")
	unlike "$scr" 'SSH key counts' "key ${k^^}: nothing is said of the key"
	like "$scr" 'A verification code has been sent to' "key ${k^^}: the same words as for any name"
	wait_for 10 few_above "$n_few"
	ok $? "key ${k^^}: the daemon found too few methods: a reset that cannot succeed"
	is "$(grep -c 'sshkey counted' "$T/helperd.log")" "$n_counted" "key ${k^^}: not counted"
	tty_keys "n$k" C-c
	wait_for 10 tty_dead "n$k"
	is "$(mail_count alice@example.test)" "$n_mail" "key ${k^^}: no code was mailed"
done

# --- 3. forged keys from callers that are not sshd --------------------------
KEY_A=$(cut -d' ' -f1,2 "$T/ssh/id_a.pub")
s=$(script forged <<EOF2
^Password => 
^Choose 1 or 2 => 1
EOF2
)
# pamdrive, service sshd, SSH_AUTH_INFO_0 in the PAM environment: the
# module (not in sshd) sends no keys
n_counted=$(grep -c 'sshkey counted' "$T/helperd.log")
n_few=$(few)
n_refused=$(grep -c 'SSH keys from a caller that is not sshd' "$T/helperd.log")
DRIVE_PAMENV="SSH_AUTH_INFO_0=publickey $KEY_A" drive alice "$s" sshd >/dev/null
wait_for 10 few_above "$n_few"
ok $? "forged SSH_AUTH_INFO_0 in pamdrive: the key is not counted (too few methods)"
is "$(grep -c 'sshkey counted' "$T/helperd.log")" "$n_counted" "forged in pamdrive: never counted"
is "$(grep -c 'SSH keys from a caller that is not sshd' "$T/helperd.log")" "$n_refused" \
	"forged in pamdrive: the module itself sent no keys (it is not in sshd)"

# the module told pamdrive is sshd: the daemon looks at its caller itself
echo "auth requisite $BUILD/pam_sspr.so socket=$T/run/helperd.sock daemon_user=$(id -un) sshd=$BUILD/tests/pamdrive" |
	pam_service sshd
DRIVE_PAMENV="SSH_AUTH_INFO_0=publickey $KEY_A" drive alice "$s" sshd >/dev/null
wait_for 10 grep -q "SSH keys from a caller that is not sshd (the caller's program is not in \[sshkey\] sshd_paths)" "$T/helperd.log"
ok $? "forged, module fooled: the daemon sees the caller is not sshd's program"
is "$(grep -c 'sshkey counted' "$T/helperd.log")" "$n_counted" "forged, module fooled: never counted"

# rawclient as root, service "sshd", alice's very key
out=$(raw hello service=sshd recv start alice "keys=$KEY_A" recv)
like "$out" 'CHALLENGE' "rawclient: the reset goes on as for any name"
unlike "$out" 'INFO' "rawclient: nothing said of a key"
wait_for 10 grep -q "svc=sshd.*SSH keys from a caller that is not sshd (the caller's program" "$T/helperd.log"
ok $? "rawclient as root: not sshd's program, not counted"
# another PAM service, even from sshd's program: not counted
out=$(raw hello service=login recv start alice "keys=$KEY_A" recv)
wait_for 10 grep -q "SSH keys from a caller that is not sshd (the PAM service is not in" "$T/helperd.log"
ok $? "service login: not in [sshkey] services, not counted"
is "$(grep -c 'sshkey counted' "$T/helperd.log")" "$n_counted" "no forged key ever counted"

# --- 4. one method required: the key alone ----------------------------------
daemon_stop
sed -i 's/^methods_required = 2$/methods_required = 1/' "$T/helperd.conf"
daemon_start || exit 1
{
	module_line
	ldapcheck_line
	echo "auth optional pam_permit.so"
	echo "account required pam_permit.so"
	echo "session required pam_permit.so"
	echo "password required pam_deny.so"
} | pam_service sshd
ssh_tty k2 a "echo none"
tty_wait k2 'Password \(press Enter if you can.t access your account\): $' 15 &&
	tty_keys k2 Enter
tty_wait k2 'Choose 1 or 2 \(empty to cancel\): $' && tty_type k2 1
tty_wait k2 'New password: $'
ok $? "key A, one method required: the new password is asked at once"
scr=$(tty_screen k2)
like "$scr" 'Your SSH key counts as one verification\.' "key A alone: the person is told why"
unlike "$scr" 'Verification code' "key A alone: no code asked"
tty_type k2 Key-Passw0rd-2
tty_wait k2 'Retype new password: $' && tty_type k2 Key-Passw0rd-2
tty_wait k2 'Your password has been changed\.'
ok $? "key A alone: the password is reset"
bind_ok "uid=alice,$PEOPLE" Key-Passw0rd-2
ok $? "key A alone: alice's new password binds"
tty_keys k2 C-c

# bob has only key C (no address): without it, the same as an unknown name
module_line | pam_service sspr-test
s=$(script wrong <<'EOF2'
^Password => 
^Choose 1 or 2 => 1
^Verification code => 00000000
^Verification code => 00000000
^Verification code => 00000000
^Verification code => 00000000
^Verification code => 00000000
EOF2
)
unknown=$(drive bert "$s")
like "$unknown" 'Too many wrong answers' "an unknown name gets five wrong codes"
is "$(drive bob "$s")" "$unknown" "an account with only a key: transcript identical to an unknown name's"
DRIVE_PAMENV="SSH_AUTH_INFO_0=publickey $(cut -d' ' -f1,2 "$T/ssh/id_c.pub")" drive bob "$s" >"$T/bob.out"
is "$(cat "$T/bob.out")" "$unknown" "and with its very key forged outside sshd: identical too"

# --- 5. a certificate ---------------------------------------------------------
{
	module_line
	ldapcheck_line
	echo "auth optional pam_permit.so"
	echo "account required pam_permit.so"
	echo "session required pam_permit.so"
	echo "password required pam_deny.so"
} | pam_service sshd
ssh-keygen -q -t ed25519 -N '' -C ca -f "$T/ssh/ca" || exit 1
ssh-keygen -q -t ed25519 -N '' -C key-d -f "$T/ssh/id_d" || exit 1
ssh-keygen -q -s "$T/ssh/ca" -I alice-d -n alice -V -5m:+1h "$T/ssh/id_d.pub" || exit 1
echo "TrustedUserCAKeys $T/ssh/ca.pub" >> "$T/ssh/sshd.conf"
kill -HUP "$(cat "$T/ssh/sshd.pid")"
wait_for 10 grep -q 'Received SIGHUP' "$T/sshd.err"
wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SSH_PORT"
n_counted=$(grep -c 'sshkey counted' "$T/helperd.log")
ssh_tty d1 d "echo none"
tty_wait d1 'Password \(press Enter if you can.t access your account\): $' 15 &&
	tty_keys d1 Enter
tty_wait d1 'Choose 1 or 2 \(empty to cancel\): $' && tty_type d1 1
tty_wait d1 'Verification code \(empty to cancel\): $'
ok $? "certificate, no cert_authority: the reset goes on as for any name"
unlike "$(tty_screen d1)" 'SSH key counts' "certificate, no cert_authority: not counted"
like "$(cat "$T/sshd.err")" 'Accepted certificate ID "alice-d"|ID alice-d' "sshd accepted the certificate"
tty_keys d1 C-c
wait_for 10 tty_dead d1
is "$(grep -c 'sshkey counted' "$T/helperd.log")" "$n_counted" \
	"certificate, no cert_authority: the email code is the one method"
daemon_stop
ca=$(cut -d' ' -f1,2 "$T/ssh/ca.pub")
sed -i "s|^\[policy\]\$|[sshkey]\ncert_authority = $ca\n\n[policy]|" "$T/helperd.conf"
daemon_start || exit 1
ssh_tty d2 d "echo none"
tty_wait d2 'Password \(press Enter if you can.t access your account\): $' 15 &&
	tty_keys d2 Enter
tty_wait d2 'Choose 1 or 2 \(empty to cancel\): $' && tty_type d2 1
tty_wait d2 'New password: $'
ok $? "certificate of cert_authority for alice: counted, the new password is asked"
like "$(tty_screen d2)" 'Your SSH key counts as one verification\.' "certificate: the person is told"
is "$(grep -c 'sshkey counted' "$T/helperd.log")" "$((n_counted + 1))" "the daemon counted the certificate once"
tty_keys d2 C-c

done_testing
