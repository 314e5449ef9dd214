#!/bin/bash
# Resets with the methods beyond email, against the real slapd: an
# authenticator app enrolled at login (registration) then used alone for
# an account without mail; two methods (email, then the app) asked in
# order; a code's time step used once only; security questions at a reset
# (a wrong answer counts like a wrong code); administrators need two
# methods and questions do not count for them, so an administrator with
# email and questions gets what an unknown user gets.
. "$SRC/tests/lib/env.sh"
command -v oathtool >/dev/null || skip_all "oathtool is not installed"
slapd_start && sink_start || exit 1
head -c 32 /dev/urandom > "$T/totp.key"
chmod 600 "$T/totp.key"
daemon_conf "$T/helperd.conf"
cat >> "$T/helperd.conf" <<EOF
methods = email totp questions
methods_required = 1
admin_group = cn=admins,ou=groups,$SUFFIX

[register]
enabled = yes

[totp]
issuer = Example Test
key_file = $T/totp.key

[questions]
list = What was the name of your first pet?; In which town was your first job?
required = 2
EOF
daemon_start || exit 1
ARGS="socket=$T/run/helperd.sock daemon_user=$(id -un)"
{
	module_line
	ldapcheck_line
	echo "account required $BUILD/pam_sspr.so $ARGS"
	echo "account required pam_permit.so"
} | pam_service sspr-test
MC="$SRC/tests/lib/env-mailcode.sh $T"
login() { DRIVE_OPS=login drive "$@"; }
pick() {	# pick NAME TEXT TRANSCRIPT: a command answering the menu number
	cat > "$T/pick-$1.sh" <<-EOF
	#!/bin/sh
	grep -oE '[0-9]+  $2' "$3" | tail -n1 | awk '{print \$1}'
	EOF
	chmod 755 "$T/pick-$1.sh"
	echo "$T/pick-$1.sh"
}
cat > "$T/otp.sh" <<EOF
#!/bin/sh
b=\$(grep -oE 'Secret: [A-Z2-7]+' "\$1" | tail -n1 | cut -d' ' -f2)
oathtool --totp -b "\$b"
EOF
chmod 755 "$T/otp.sh"
setpolicy() {	# setpolicy KEY VALUE: in [policy], then a reload (SIGHUP)
	sed -i "s|^$1 = .*|$1 = $2|" "$T/helperd.conf"
	local n
	n=$(grep -c 'configuration reloaded' "$T/helperd.log")
	kill -HUP "$DAEMON_PID"
	wait_for 10 bash -c "[ \$(grep -c 'configuration reloaded' '$T/helperd.log') -gt $n ]"
}
enrol() {	# enrol USER: the authenticator app, at login
	local s
	s=$(script "enrol-$1" <<EOF
^Password => Old-Passw0rd-$1
^Choose a number => !$(pick "t-$1" 'Set up an authenticator app' "$T/enrol-$1.out")
^Code from your authenticator app: => !$T/otp.sh $T/enrol-$1.out
^Choose a number => !$(pick "c-$1" 'Looks good' "$T/enrol-$1.out")
EOF
	)
	login "$1" "$s" > "$T/enrol-$1.out"
	grep -oE 'Secret: [A-Z2-7]+' "$T/enrol-$1.out" | tail -n1 | cut -d' ' -f2 > "$T/$1.b32"
	# the enrolment used the current step: make it old, so a reset in the
	# same 30 s can use a code (the replay check has its own test below)
	ldapadmin ldapmodify >/dev/null <<EOF
dn: uid=$1,$PEOPLE
changetype: modify
replace: ssprTotpLastStep
ssprTotpLastStep: 1
EOF
}

# --- an account without mail: the app alone ---------------------------------
enrol bob
like "$(cat "$T/enrol-bob.out")" 'Authenticator app: set up' "bob enrolled an app at login"
code_bob="oathtool --totp -b $(cat "$T/bob.b32")"
s=$(script bob <<EOF
^Password => 
^Choose 1 or 2 => 1
^Code from your authenticator app: => !$code_bob
^New password: => Velvet-Harbor-Quill-3
^Retype new password: => Velvet-Harbor-Quill-3
EOF
)
out=$(drive bob "$s")
ok $? "bob: reset with the app code, as scripted"
unlike "$out" 'verification code has been sent' "no email is involved"
like "$out" 'Your password has been changed' "the password is changed"
bind_ok "uid=bob,$PEOPLE" Velvet-Harbor-Quill-3
ok $? "bob binds with it"
used=$(attr_of "uid=bob,$PEOPLE" ssprTotpLastStep)
ok $(( used > 1 ? 0 : 1 )) "the step used is stored ($used)"

# --- the same step again: refused -------------------------------------------
s=$(script replay <<EOF
^Password => 
^Choose 1 or 2 => 1
^Code from your authenticator app: => !cat $T/bob.last
^Code from your authenticator app: => 
EOF
)
oathtool --totp -b "$(cat "$T/bob.b32")" -N "@$(( used * 30 + 1 ))" > "$T/bob.last"
out=$(drive bob "$s")
like "$out" 'That code is not right\. Attempts left' "a code of a step already used is refused"
like "$(grep 'already used' "$T/helperd.log")" 'already used' "and logged as a replay"

# --- a key rotation: the old key opens, the next use seals with the new ----
sealed_old=$(attr_of "uid=bob,$PEOPLE" ssprTotpSecret)
mv "$T/totp.key" "$T/totp-old.key"
head -c 32 /dev/urandom > "$T/totp.key"
chmod 600 "$T/totp.key"
n=$(grep -c 'configuration reloaded' "$T/helperd.log")
sed -i "/^key_file = /a old_key_files = $T/totp-old.key" "$T/helperd.conf"
kill -HUP "$DAEMON_PID"
wait_for 10 bash -c "[ \$(grep -c 'configuration reloaded' '$T/helperd.log') -gt $n ]"
ok $? "rotation: a new key_file, the old one in old_key_files, reloaded"
# the next step (the window allows one ahead), so the one just used is not replayed
oathtool --totp -b "$(cat "$T/bob.b32")" -N "@$(( (used + 1) * 30 + 1 ))" > "$T/bob.next"
s=$(script rotate <<EOF
^Password => 
^Choose 1 or 2 => 1
^Code from your authenticator app: => !cat $T/bob.next
^New password: => Velvet-Harbor-Quill-4
^Retype new password: => Velvet-Harbor-Quill-4
EOF
)
out=$(drive bob "$s")
like "$out" 'Your password has been changed' "rotation: the secret sealed with the old key still opens"
sealed_new=$(attr_of "uid=bob,$PEOPLE" ssprTotpSecret)
like "$sealed_new" '^v1:[0-9a-f]{8}:' "rotation: still a sealed value"
[ "${sealed_new%%:*}:$(echo "$sealed_new" | cut -d: -f2)" != "${sealed_old%%:*}:$(echo "$sealed_old" | cut -d: -f2)" ]
ok $? "rotation: and sealed again with the new key (its key id changed)"
unlike "$sealed_new" "$(cat "$T/bob.b32")" "rotation: never the base32 secret"

# --- two methods: email first, then the app ---------------------------------
enrol alice
setpolicy methods_required 2
s=$(script two <<EOF
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC alice@example.test 1
^Code from your authenticator app: => !oathtool --totp -b $(cat "$T/alice.b32")
^New password: => Copper-Meadow-Lantern-9
^Retype new password: => Copper-Meadow-Lantern-9
EOF
)
out=$(drive alice "$s")
ok $? "alice: two methods, as scripted"
e=$(grep -n 'A verification code has been sent to a' <<<"$out" | cut -d: -f1)
t=$(grep -n 'Code from your authenticator app' <<<"$out" | cut -d: -f1)
ok $(( e > 0 && t > e ? 0 : 1 )) "email first (line $e), then the app (line $t)"
bind_ok "uid=alice,$PEOPLE" Copper-Meadow-Lantern-9
ok $? "alice binds with the new password"
like "$(grep 'event=method' "$T/helperd.log")" 'result=ok reason=email' "each method passed is audited"

# --- questions at a reset: a wrong answer counts ---------------------------
s=$(script qreg <<EOF
^Password => Old-Passw0rd-grace
^Choose a number => !$(pick qr 'Answer security questions' "$T/qreg.out")
^Answer: => Rex
^Answer: => Utrecht
^Choose a number => !$(pick qc 'Looks good' "$T/qreg.out")
EOF
)
login grace "$s" > "$T/qreg.out"
like "$(cat "$T/qreg.out")" 'Security questions: answered' "grace answered the questions at login"
cat > "$T/answer.sh" <<EOF
#!/bin/sh
# the answer to the last question shown (the order is random)
grep -E 'first pet|first job' "$T/qreset.out" | tail -n1 | grep -q 'first pet' && echo '  REX ' || echo utrecht
EOF
chmod 755 "$T/answer.sh"
s=$(script qreset <<EOF
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC grace@example.test 1
^Answer: => wrong answer
^Answer: => !$T/answer.sh
^Answer: => !$T/answer.sh
^New password: => Amber-Falcon-Ridge-4
^Retype new password: => Amber-Falcon-Ridge-4
EOF
)
drive grace "$s" > "$T/qreset.out"
out=$(cat "$T/qreset.out")
like "$out" 'What was the name of your first pet\?' "a question is asked after the email code"
like "$out" 'That answer is not right\. Attempts left: 4\.' "a wrong answer is refused"
like "$out" '\[prompt-hidden\] Answer: ' "answers are not echoed (long-lived secrets)"
like "$out" '\[prompt\] Verification code' "one-time codes are"
like "$(grep 'event=code_failed' "$T/helperd.log")" 'result=refused reason=wrong user=grace .*method=questions' \
	"and counted like a wrong code (the counters clear after the reset)"
like "$out" 'Your password has been changed' "right answers (case does not matter) finish the reset"

# --- administrators: two methods, questions do not count ------------------------
setpolicy methods_required 1
ldapadmin ldapmodify >/dev/null <<EOF
dn: cn=admins,ou=groups,$SUFFIX
changetype: modify
add: member
member: uid=grace,$PEOPLE
EOF
fake() {	# fake USER: the transcript up to the code prompt, destination masked
	s=$(script "fake-$1" <<'EOF'
^Password => 
^Choose 1 or 2 => 1
^Verification code => 
EOF
	)
	drive "$1" "$s" | sed -E 's/sent to [^ ]+\./sent to X./'
}
a=$(fake grace)
u=$(fake nosuchuser)
like "$(cat "$T/helperd.log")" 'user=grace: not eligible \(fewer recovery methods than required\)' \
	"an administrator with email and questions has too few methods"
is "$a" "$u" "and sees exactly what an unknown user sees"
is "$(mail_count grace@example.test)" 1 "no code was sent to her"

done_testing
