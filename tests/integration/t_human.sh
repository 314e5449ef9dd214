#!/bin/bash
# The human check ([policy] human_check = kiosk remote, the default):
# before a user ID is looked up, the person types the characters of a
# picture drawn for a text terminal.  slapd's own access log (-d stats)
# shows that nobody is searched for until the answer is right; wrong
# answers count against the source and end in the source throttle; a
# local caller is not asked; the kiosk service is.  Last, a measurement:
# a script that knows the font (human-solve.py) answers every picture,
# which is what SECURITY.md says the check is worth.
. "$SRC/tests/lib/env.sh"
SLAPD_ACCESS_LOG=1 HUMAN_CHECK="kiosk remote" SOURCE_FAILURES=6 standard_env || exit 1
MC="$SRC/tests/lib/env-mailcode.sh $T"
SOLVE="$PY $SRC/tests/lib/human-solve.py $SRC"
module_line | pam_service sspr-test
module_line reset_only | pam_service sspr
locale_make nl_NL.UTF-8 || exit 1
module_line | sed "s|$BUILD/pam_sspr.so|$BUILD/l10n/pam_sspr.so|" | pam_service sspr-nl

searched() {	# searched USER: how many of slapd's searches named USER
	grep -c "SRCH base=.*filter=\"[^\"]*=$1)" "$T/slapd-access.log"
}
# An answer command for pamdrive: notes how often USER was searched for
# when the prompt came, then solves the picture in TRANSCRIPT.
solver() {	# solver NAME USER TRANSCRIPT: prints the command's path
	cat > "$T/$1.sh" <<-EOF
	#!/bin/sh
	grep -c 'SRCH base=.*filter="[^"]*=$2)' "$T/slapd-access.log" > "$T/$1.searched"
	exec $SOLVE "$3"
	EOF
	chmod 755 "$T/$1.sh"
	echo "$T/$1.sh"
}

# --- an SSH caller: the picture first, the lookup only after it ------------
s=$(script remote <<EOF
^Password => 
^Choose 1 or 2 => 1
^Characters => !$(solver remote alice "$T/remote.out")
^Verification code => !$MC alice@example.test 1
^New password: => Lark-Meadow-Copper-6
^Retype new password: => Lark-Meadow-Copper-6
EOF
)
DRIVE_RHOST=198.51.100.7 drive alice "$s" > "$T/remote.out"
ok $? "remote: the conversation went as scripted"
out=$(cat "$T/remote.out")
like "$out" 'To show that a person is at the keyboard, type the characters in this picture:' \
	"the check explains itself"
like "$out" '█{2}' "and draws the characters with block glyphs"
like "$out" '\[prompt\] Characters \(empty to cancel\): ' "then asks for them"
like "$(sed -n '/type the characters/,$p' "$T/remote.out")" 'A verification code has been sent' \
	"the code comes after the check"
is "$(cat "$T/remote.searched")" 0 "slapd's access log: no search for alice before the answer"
n=$(searched alice)
ok $(( n < 1 )) "and searches for her after it ($n searches)"
bind_ok "uid=alice,$PEOPLE" Lark-Meadow-Copper-6
ok $? "the reset went through"

# --- wrong answers: a new picture each time, then the end; nobody looked up -
wrong=$(script wrong <<'EOF'
^Password => 
^Choose 1 or 2 => 1
^Characters => 22222
^Characters => 22222
^Characters => 22222
EOF
)
out=$(DRIVE_RHOST=203.0.113.9 drive bob "$wrong")
is "$(grep -c 'Those characters are not right\. Here is a new picture\.' <<<"$out")" 2 \
	"a wrong answer brings a new picture, twice"
like "$out" 'Too many wrong answers' "the third ends the flow"
unlike "$out" 'Verification code' "without a code prompt"
is "$(searched bob)" 0 "bob was never searched for"
is "$(mail_count bob@example.test)" 0 "and got no mail"
is "$(grep -c 'event=human_check result=refused reason=wrong.*source=203.0.113.9' "$T/helperd.log")" 3 \
	"each wrong answer is audited against the source"

# Six wrong answers (source_failures = 6) throttle that host, not others.
DRIVE_RHOST=203.0.113.9 drive bob "$wrong" >/dev/null
out=$(DRIVE_RHOST=203.0.113.9 drive bob "$(script throttled <<'EOF'
^Password => 
^Choose 1 or 2 => 1
EOF
)")
like "$out" 'Too many password reset attempts from here' "the source throttle stops the next flow"
unlike "$out" 'Characters' "before any picture"
out=$(DRIVE_RHOST=203.0.113.10 drive bob "$(script other <<'EOF'
^Password => 
^Choose 1 or 2 => 1
^Characters => 
EOF
)")
like "$out" 'type the characters in this picture' "another host still gets the picture"
is "$(searched bob)" 0 "and bob was still never searched for"

# --- a local caller (the console) is not asked; the kiosk is ----------------
out=$(drive frank "$(script local <<'EOF'
^Password => 
^Choose 1 or 2 => 1
^Verification code => 
EOF
)")
unlike "$out" 'Characters' "console: no picture (human_check has no 'local')"
like "$out" 'A verification code has been sent to f\*\*\*@e\*\*\*\.test' "straight to the code"
out=$(drive frank "$(script kiosk <<'EOF'
^Choose 1 or 2 => 1
^Characters => 
EOF
)" sspr)
like "$out" 'type the characters in this picture' "the kiosk service (sspr) is asked"
like "$out" 'Password reset cancelled\.' "and an empty answer cancels"

# --- in the person's language ----------------------------------------------
out=$(LANG=nl_NL.UTF-8 DRIVE_RHOST=198.51.100.8 drive frank "$(script nl <<'EOF'
^Wachtwoord => 
^Kies 1 of 2 => 1
^Tekens => 
EOF
)" sspr-nl)
like "$out" 'Typ de tekens in deze afbeelding' "the instruction follows the login's language"

# --- what it is worth: a script that knows the font ------------------------
solved=0
for i in $(seq 1 20); do
	s=$(script "bot$i" <<EOF
^Password => 
^Choose 1 or 2 => 1
^Characters => !$SOLVE $T/bot.out
^Verification code => 
EOF
	)
	DRIVE_RHOST=192.0.2.$i drive "nobody$i" "$s" > "$T/bot.out"
	grep -q 'A verification code has been sent' "$T/bot.out" && solved=$((solved + 1))
done
echo "# a solver that knows the font passed $solved of 20 pictures"
is "$solved" 20 "a targeted script passes the check every time (SECURITY.md says so)"

done_testing
