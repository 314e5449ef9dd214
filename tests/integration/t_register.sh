#!/bin/bash
# Registration of recovery methods at login (the account step of
# pam_sspr, [register] enabled): due for an account that never
# registered; an email address stored only after the code sent to it; an
# authenticator app enrolled with a code computed by oathtool from the
# secret shown (stored sealed, never in base32); a phone number through
# the local SMS sink; security questions; "looks good" writes
# ssprRegisteredTime; skips count down and run out; an old confirmation
# makes it due again (the clock driven through the stored timestamp); not
# due: no prompt at all; the daemon down: the login goes on in silence.
. "$SRC/tests/lib/env.sh"
command -v oathtool >/dev/null || skip_all "oathtool is not installed"
slapd_start && sink_start || exit 1
SMS_PORT=$(ports 1)
mkdir -p "$T/sms"
$PY "$SRC/tests/lib/httpsink.py" --port "$SMS_PORT" --dir "$T/sms" >"$T/sms.out" 2>&1 &
PIDS+=($!)
wait_for 10 grep -q listening "$T/sms.out" || { echo "# sms sink did not start"; exit 1; }
head -c 32 /dev/urandom > "$T/totp.key"
chmod 600 "$T/totp.key"
daemon_conf "$T/helperd.conf"
cat >> "$T/helperd.conf" <<EOF
methods = email totp sms questions
methods_required = 1

[register]
enabled = yes
reconfirm_days = 365
max_skips = 2

[totp]
issuer = Example Test
key_file = $T/totp.key

[sms]
url = http://127.0.0.1:$SMS_PORT/send
content_type = application/x-www-form-urlencoded
body = to={to}&text={text}
insecure = yes

[questions]
list = What was the name of your first pet?; In which town was your first job?; What is your favourite colour?
required = 2
EOF
daemon_start || exit 1
ARGS="socket=$T/run/helperd.sock daemon_user=$(id -un)"
stack() {
	module_line
	ldapcheck_line
	echo "account required $BUILD/pam_sspr.so $ARGS $*"
	echo "account required pam_permit.so"
}
stack | pam_service sspr-test
stack register=no | pam_service sspr-noreg
sed "s|socket=$T/run/helperd.sock|socket=$T/run/nothing.sock|" "$T/pam.d/sspr-test" |
	pam_service sspr-down
MC="$SRC/tests/lib/env-mailcode.sh $T"
login() { DRIVE_OPS=login drive "$@"; }
# An answer command that picks the menu entry by its text at run time.
pick() {	# pick NAME TEXT TRANSCRIPT: prints the command's path
	cat > "$T/pick-$1.sh" <<-EOF
	#!/bin/sh
	grep -oE '[0-9]+  $2' "$3" | tail -n1 | awk '{print \$1}'
	EOF
	chmod 755 "$T/pick-$1.sh"
	echo "$T/pick-$1.sh"
}
FRANK="uid=frank,$PEOPLE"

# --- due for a never-registered account; email verified by its code --------
s=$(script email <<EOF
^Password => Old-Passw0rd-frank
^Choose a number => !$(pick email1 'Change your recovery email address' "$T/email.out")
^New recovery email address: => frank.private@example.org
^Verification code => !$MC frank.private@example.org 1
^Choose a number => !$(pick email2 'Looks good' "$T/email.out")
EOF
)
is "$(attr_of "$FRANK" ssprRecoveryMail)" "" "frank has no registered address before"
login frank "$s" > "$T/email.out"
ok $? "login: the registration conversation went as scripted"
out=$(cat "$T/email.out")
like "$out" 'Please keep your account recovery methods up to date' "registration is offered after the login"
like "$out" 'Email: f\*\*\*@e\*\*\*\.test' "what is registered is shown masked (the directory's mail)"
like "$out" 'Never confirmed\.' "and that it was never confirmed"
like "$out" 'A verification code has been sent to f\*\*\*@e\*\*\*\.org' "the code goes to the new address"
like "$out" 'Thank you: your recovery methods are confirmed\.' "looks good confirms"
like "$out" 'acct: Success' "the account step never blocks the login"
like "$out" 'result: Success' "and the login succeeds"
is "$(attr_of "$FRANK" ssprRecoveryMail)" "frank.private@example.org" "the verified address is stored"
like "$(attr_of "$FRANK" ssprRegisteredTime)" '^[0-9]{10}$' "confirming stored ssprRegisteredTime"
like "$(grep 'event=register' "$T/helperd.log")" 'result=ok reason=email' "the change is audited"

# a wrong code: nothing stored
s=$(script wrongmail <<EOF
^Password => Old-Passw0rd-grace
^Choose a number => 1
^New recovery email address: => grace.other@example.org
^Verification code => 00000000
^Verification code => 
EOF
)
out=$(login grace "$s")
like "$out" 'That code is not right\. Attempts left: 4\.' "a wrong code is refused"
like "$out" 'Registration cancelled' "an empty code cancels"
like "$out" 'result: Success' "the login still succeeds"
is "$(attr_of "uid=grace,$PEOPLE" ssprRecoveryMail)" "" "the unverified address is not stored"
s=$(script badaddr <<EOF
^Password => Old-Passw0rd-grace
^Choose a number => 1
^New recovery email address: => not an address
^Choose a number => 
EOF
)
out=$(login grace "$s")
like "$out" 'That is not an email address that can be used\.' "a malformed address is refused at once"

# --- not due any more: no prompt at all -----------------------------------
s=$(script notdue <<'EOF'
^Password => Old-Passw0rd-frank
EOF
)
out=$(login frank "$s")
ok $? "frank: only the password prompt"
unlike "$out" 'recovery methods' "not due: nothing about registration"
like "$out" 'result: Success' "the login succeeds"

# --- reconfirm: an old confirmation makes it due again ----------------------
ldapadmin ldapmodify >/dev/null <<EOF
dn: $FRANK
changetype: modify
replace: ssprRegisteredTime
ssprRegisteredTime: $(( $(date +%s) - 366 * 86400 ))
EOF
s=$(script reconfirm <<EOF
^Password => Old-Passw0rd-frank
^Choose a number => !$(pick rc 'Looks good' "$T/reconfirm.out")
EOF
)
login frank "$s" > "$T/reconfirm.out"
out=$(cat "$T/reconfirm.out")
like "$out" 'Email: f\*\*\*@e\*\*\*\.org' "366 days later: due again, the registered address shown"
like "$out" "Last confirmed: $(date -u -d @$(( $(date +%s) - 366 * 86400 )) +%Y-%m-%d)" "with the date of the last confirmation"
like "$out" 'confirmed\.' "and confirmed again"
now=$(attr_of "$FRANK" ssprRegisteredTime)
ok $(( $(date +%s) - now > 60 )) "the confirmation time is now again"

# --- TOTP enrolment with a code computed by oathtool ----------------------
cat > "$T/otp.sh" <<EOF
#!/bin/sh
b=\$(grep -oE 'Secret: [A-Z2-7]+' "\$1" | tail -n1 | cut -d' ' -f2)
oathtool --totp -b "\$b"
EOF
chmod 755 "$T/otp.sh"
s=$(script totp <<EOF
^Password => Old-Passw0rd-alice
^Choose a number => !$(pick t1 'Set up an authenticator app' "$T/totp.out")
^Code from your authenticator app: => 000000
^Code from your authenticator app: => !$T/otp.sh $T/totp.out
^Choose a number => 
EOF
)
login alice "$s" > "$T/totp.out"
ok $? "alice: TOTP enrolment as scripted"
out=$(cat "$T/totp.out")
like "$out" 'Scan this QR code with your authenticator app' "the enrolment explains itself"
like "$out" '█' "and draws a QR code"
like "$out" 'otpauth://totp/Example%20Test:alice\?secret=[A-Z2-7]+&issuer=Example%20Test' "with the otpauth URI"
like "$out" 'That code is not right' "a wrong app code is refused"
like "$out" 'Authenticator app: set up' "after the right one, the app is registered"
b32=$(grep -oE 'Secret: [A-Z2-7]+' "$T/totp.out" | tail -n1 | cut -d' ' -f2)
stored=$(attr_of "uid=alice,$PEOPLE" ssprTotpSecret)
like "$stored" '^v1:[0-9a-f]{8}:' "the secret is stored sealed"
unlike "$stored" "$b32" "never in base32"
like "$(attr_of "uid=alice,$PEOPLE" ssprTotpLastStep)" '^[0-9]+$' "with the step its code used"
unlike "$(cat "$T/helperd.log")" "$b32" "the secret is not in the daemon's log"
if [ "$(id -u)" -eq 0 ]; then	# ssprctl is root's
	out=$("$BUILD/ssprctl" -c "$T/helperd.conf" report registration)
	like "$out" '(^|\n)alice +[a-z,]*totp[a-z,]* ' "ssprctl report registration names the app as [policy] methods does: totp"
fi
# a zbar check of the QR code itself would need an image; the URI is what it encodes

# --- SMS through the sink -------------------------------------------------
cat > "$T/smscode.sh" <<EOF
#!/bin/sh
for i in \$(seq 100); do
	f=\$(ls "$T/sms"/*.req 2>/dev/null | tail -n1)
	[ -n "\$f" ] && break
	sleep 0.1
done
grep -oE 'code%20is%20[0-9]+' "\$f" | sed 's/.*%20//'
EOF
chmod 755 "$T/smscode.sh"
s=$(script sms <<EOF
^Password => Old-Passw0rd-alice
^Choose a number => !$(pick s1 'Add a phone number' "$T/sms.out")
^Phone number => +31 6 1234 5678
^Verification code => !$T/smscode.sh
^Choose a number => 
EOF
)
login alice "$s" > "$T/sms.out"
out=$(cat "$T/sms.out")
like "$out" 'A code has been sent to \+31\*+78 by text message\.' "the SMS code goes to the masked number"
req=$(cat "$T"/sms/000001.req 2>/dev/null)
like "$req" 'to=%2B31612345678' "the gateway got the normalised number"
is "$(attr_of "uid=alice,$PEOPLE" ssprRecoveryPhone)" "+31612345678" "the verified number is stored"
like "$out" 'Phone \(text messages\): \+31\*+78' "and shown"

# --- security questions ---------------------------------------------------
s=$(script questions <<EOF
^Password => Old-Passw0rd-alice
^Choose a number => !$(pick q1 'Answer security questions' "$T/q.out")
^Answer: => ab
^Answer: => Rex the Dog
^Answer: => Utrecht
^Choose a number => !$(pick q2 'Looks good' "$T/q.out")
EOF
)
login alice "$s" > "$T/q.out"
out=$(cat "$T/q.out")
like "$out" 'Question 1 of 2: What was the name of your first pet\?' "the first question"
like "$out" 'That answer is too short' "a too-short answer is asked again"
like "$out" 'Question 2 of 2: In which town was your first job\?' "then the second"
like "$out" 'Security questions: answered' "the answers are registered"
vals=$(attr_of "uid=alice,$PEOPLE" ssprQuestionAnswer)
is "$(grep -cE '^[12]:\$scrypt\$ln=15,r=8,p=3\$' <<<"$vals")" 2 "stored as two scrypt hashes"
unlike "$vals$(cat "$T/helperd.log")" 'Rex|Utrecht|rex|utrecht' "no answer in the directory or the log"

# --- skips count down, then run out ------------------------------------------
skip() {
	s=$(script "skip$1" <<EOF
^Password => Old-Passw0rd-bob
^Choose a number => !$(pick "sk$1" 'Skip for now' "$T/skip$1.out")
EOF
	)
	login bob "$s" > "$T/skip$1.out"
}
skip 1
like "$(cat "$T/skip1.out")" 'Skipped\. You will be asked again' "bob skips once"
like "$(cat "$T/skip1.out")" 'None registered yet\.' "(bob has no method at all)"
is "$(attr_of "uid=bob,$PEOPLE" ssprRegistrationSkips)" 1 "the skip is counted"
skip 2
is "$(attr_of "uid=bob,$PEOPLE" ssprRegistrationSkips)" 2 "twice"
s=$(script noskip <<'EOF'
^Password => Old-Passw0rd-bob
^Choose a number => 
EOF
)
out=$(login bob "$s")
unlike "$out" 'Skip for now' "after max_skips the menu has no skip"
like "$out" 'result: Success' "and the login still succeeds"

# --- register=no, and the daemon down -----------------------------------------
s=$(script noreg <<'EOF'
^Password => Old-Passw0rd-bob
EOF
)
out=$(login bob "$s" sspr-noreg)
unlike "$out" 'recovery methods' "register=no: no registration for that service"
like "$out" 'result: Success' "(login fine)"
out=$(login bob "$s" sspr-down)
unlike "$out" 'recovery|sspr|service' "daemon down: not a word"

# --- SMS at a reset: the registered, verified number ------------------------
n=$(grep -c 'configuration reloaded' "$T/helperd.log")
sed -i 's|^methods = .*|methods = sms|' "$T/helperd.conf"
kill -HUP "$DAEMON_PID"
wait_for 10 bash -c "[ \$(grep -c 'configuration reloaded' '$T/helperd.log') -gt $n ]"
ok $? "methods = sms (reloaded)"
nreq=$(ls "$T"/sms/*.req | wc -l)
# the code of the next request the gateway gets
cat > "$T/smsnext.sh" <<EOF
#!/bin/sh
for i in \$(seq 100); do
	[ \$(ls "$T/sms"/*.req | wc -l) -gt $nreq ] && break
	sleep 0.1
done
f=\$(ls "$T/sms"/*.req | tail -n1)
grep -oE 'code%20is%20[0-9]+' "\$f" | sed 's/.*%20//'
EOF
chmod 755 "$T/smsnext.sh"
s=$(script smsreset <<EOF
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$T/smsnext.sh
^New password: => Lark-Sms-Reset-9
^Retype new password: => Lark-Sms-Reset-9
EOF
)
out=$(drive alice "$s")
ok $? "SMS reset: the conversation went as scripted"
like "$out" 'A code has been sent to \+31\*+78 by text message\.' "SMS reset: the code goes to the registered number"
is "$(ls "$T"/sms/*.req | wc -l)" $((nreq + 1)) "SMS reset: one request reached the gateway"
like "$out" 'Your password has been changed\.' "SMS reset: the password is set"
bind_ok "uid=alice,$PEOPLE" Lark-Sms-Reset-9
ok $? "SMS reset: alice binds with it"

done_testing
