#!/bin/bash
# The reset terminal: sspr-reset on a real pty (tmux), running the PAM
# service "sspr" (pam_wrapper reads it from the test's pam.d) with
# pam_sspr reset_only.  A whole reset with hidden passwords; the screen
# and its scrollback are cleared for the next person; Ctrl-C, Ctrl-Z,
# Ctrl-\ and Ctrl-D do not end the program; a person who walks away is
# timed out; a bad user ID is refused before anything is sent; in Dutch
# when the terminal's locale is Dutch.
. "$SRC/tests/lib/env.sh"
unset LANGUAGE LC_ALL LC_MESSAGES
command -v tmux >/dev/null || skip_all "tmux is not installed"
standard_env || exit 1
locale_make nl_NL.UTF-8 || exit 1

{
	module_line reset_only '[helpdesk=Stuck? Call the service desk on 555-0100.]' |
		sed "s|$BUILD/pam_sspr.so|$BUILD/l10n/pam_sspr.so|"
	echo "auth required pam_deny.so"
} | pam_service sspr
sed "s|socket=[^ ]*|socket=$T/run/nothing.sock|" "$T/pam.d/sspr" | pam_service sspr-down
echo "auth required pam_deny.so" | pam_service other

# pam_wrapper reads service files from $T/pam.d; without deep binding so
# that sanitizer builds work too (pam_wrapper(1)).  Debian 12's pam_wrapper
# 1.1.4 reads the switch under uid_wrapper's name, so both are set.
kiosk() {	# kiosk NAME [ENV...] -- ARGS: sspr-reset on a pty
	local name=$1 envs=()
	shift
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	tty_start "$name" "env LD_PRELOAD=libpam_wrapper.so PAM_WRAPPER=1 \
PAM_WRAPPER_SERVICE_DIR=$T/pam.d PAM_WRAPPER_DISABLE_DEEPBIND=1 UID_WRAPPER_DISABLE_DEEPBIND=1 ${envs[*]} \
$BUILD/l10n/sspr-reset $*"
}

kiosk k1 LANG=C.UTF-8 -- -t 5
tty_wait k1 'User ID: $'
ok $? "the kiosk shows its banner and asks for a user ID"
scr=$(tty_screen k1)
like "$scr" 'Password reset' "banner: what this terminal is for"
like "$scr" 'Forgot your password\? Type your user ID and press Enter\.' "banner: what to do"

# Keys that would end or suspend an ordinary program.
tty_keys k1 C-c; tty_keys k1 C-z; tty_keys k1 'C-\'; tty_keys k1 C-d
sleep 0.5
tty_alive k1
ok $? "Ctrl-C, Ctrl-Z, Ctrl-\\ and Ctrl-D do not end sspr-reset"
tty_keys k1 Enter
tty_wait k1 'User ID: $'

# A user ID that no directory holds is refused on the spot.
tty_type k1 'alice smith'
tty_wait k1 'That is not a valid user ID\.'
ok $? "a user ID with a blank is refused"
tty_keys k1 Enter

# The whole reset.
n_before=$(mail_count alice@example.test)
tty_wait k1 'User ID: $' && tty_type k1 alice
tty_wait k1 'Choose 1 or 2 \(empty to cancel\): $' && tty_type k1 1
tty_wait k1 'Verification code \(empty to cancel\): $'
ok $? "reset_only: straight to the menu and the code, no password prompt"
scr=$(tty_screen k1)
unlike "$scr" 'Password \(press Enter' "no password prompt on the kiosk"
like "$scr" 'A verification code has been sent to a\*\*\*@e\*\*\*\.test\. It is valid for 10 minutes\.' \
	"masked destination and validity"
code=$(mail_code alice@example.test $((n_before + 1)))
tty_type k1 "$code"
tty_wait k1 'New password: $'
ok $? "the code is accepted"
tty_type k1 Kiosk-Passw0rd-1
tty_wait k1 'Retype new password: $'
tty_type k1 Kiosk-Passw0rd-1
tty_wait k1 'Press Enter to finish\.$'
ok $? "the reset runs to its end"
scr=$(tty_screen k1)
unlike "$scr" 'Kiosk-Passw0rd' "the new password was never echoed"
like "$scr" 'Your password has been changed\.' "success is announced"
like "$scr" 'Done\. You can now log in with your new password at your own computer\.' \
	"and what to do next"
bind_ok "uid=alice,$PEOPLE" Kiosk-Passw0rd-1
ok $? "alice's new password binds"
like "$(cat "$T/helperd.log")" 'svc=sspr .*password reset for uid=alice' "the daemon saw the PAM service sspr"

# The next person sees nothing of the last one, not even in the scrollback.
tty_keys k1 Enter
tty_wait k1 'User ID: $'
scr=$(tty_screen k1)
unlike "$scr" 'a\*\*\*@|alice|changed' "screen and scrollback cleared between people"

# Walking away from a started reset.
tty_type k1 frank
tty_wait k1 'Choose 1 or 2' && tty_type k1 1
tty_wait k1 'Verification code'
tty_wait k1 'No answer for a while: starting over\.' 12
ok $? "an idle reset is abandoned after the timeout (-t 5)"
tty_wait k1 'User ID: $' 10
ok $? "and the kiosk is ready for the next person"
unlike "$(tty_screen k1)" 'f\*\*\*@' "with a clean screen"
tty_alive k1
ok $? "sspr-reset is still running"

# The daemon being down: the reason, and the helpdesk line (-s: another
# PAM service; -1: one person, then exit).
kiosk k3 LANG=C.UTF-8 -- -1 -s sspr-down
tty_wait k3 'User ID: $' && tty_type k3 grace
tty_wait k3 'Press Enter to finish\.$'
scr=$(tty_screen k3)
like "$scr" 'Password reset is unavailable right now\.' "service down: said plainly"
like "$scr" 'Stuck\? Call the service desk on 555-0100\.' "with the helpdesk line"
tty_keys k3 Enter
sleep 0.3
tty_alive k3
ok $((!$?)) "with -1, sspr-reset ends after one person"

# Another module of the site's stack writes escape sequences (a window
# title, a screen clear): the shared terminal shows them as '?'.
printf 'Notice\033]0;pwned\007 \033[2J done\n' > "$T/notice.txt"
printf 'auth optional pam_echo.so file=%s\nauth required pam_deny.so\n' \
	"$T/notice.txt" | pam_service sspr-echo
kiosk k4 LANG=C.UTF-8 -- -1 -s sspr-echo
tty_wait k4 'User ID: $' && tty_type k4 grace
tty_wait k4 'Notice\?\]0;pwned\? \?\[2J done'
ok $? "another module's escape sequences are shown as '?', not obeyed"
tty_keys k4 Enter

# In Dutch.
kiosk k2 LANG=nl_NL.UTF-8 LOCPATH=$T/locale -- -1 -t 5
tty_wait k2 'Gebruikersnaam: $'
ok $? "Dutch terminal: Dutch prompt"
like "$(tty_screen k2)" 'Wachtwoord vergeten\? Typ uw gebruikersnaam en druk op Enter\.' "Dutch banner"

done_testing
