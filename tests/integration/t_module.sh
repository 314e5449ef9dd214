#!/bin/bash
# The module inside a hostile or broken application: a conversation that
# fails, returns no responses, a NULL answer or a huge one; a stack of
# every control flag.  pam_sspr never crashes and never returns success.
. "$SRC/tests/lib/env.sh"
standard_env || exit 1
module_line | pam_service sspr-test
MC="$SRC/tests/lib/env-mailcode.sh $T"

run() {	# run NAME ANSWER-FOR-PROMPT-N ...: the transcript's result line
	drive frank "$(script "$1" <<<"$2")" | grep '^result:'
}
for q in '<conv-error>' '<null-response>' '<null-answer>'; do
	is "$(run q1 "^Password => $q")" "result: Conversation error" "$q at the password prompt: PAM_CONV_ERR"
	r=$(run q2 "$(printf '^Password => \n^Choose => %s' "$q")")
	is "$r" "result: Conversation error" "$q at the menu: PAM_CONV_ERR"
	r=$(run q3 "$(printf '^Password => \n^Choose => 1\n^Verification code => %s' "$q")")
	is "$r" "result: Conversation error" "$q at the code prompt: PAM_CONV_ERR"
	r=$(run q4 "$(printf '^Password => \n^Choose => 1\n^Verification code => !%s frank@example.test 0 >/dev/null; %s\n^New password: => %s' \
		"$MC" "$SRC/tests/lib/env-mailcode.sh $T frank@example.test \$(ls $T/mail | grep -c frank)" "$q")")
	unlike "$r" 'Success' "$q at the new-password prompt: no success ($r)"
done
like "$(run long '^Password => <long>')" 'result: Conversation error' \
	"a 100,000-character answer is refused, not cut short"
like "$(run longcode "$(printf '^Password => \n^Choose => 1\n^Verification code => <long>')")" \
	'result: Conversation error' "so is a huge code"

# Every control flag: the module never returns PAM_SUCCESS, even after a
# completed reset.  The follower is chosen so that the stack succeeds
# exactly when pam_sspr itself succeeded (or, for required/requisite,
# ignored the attempt).
for ctl in 'required permit' 'requisite permit' 'sufficient deny' \
    '[success=done default=ignore] deny'; do
	follow=${ctl##* }
	ctl=${ctl% *}
	{ echo "auth $ctl $BUILD/pam_sspr.so socket=$T/run/helperd.sock daemon_user=$(id -un)"
	  echo "auth required pam_$follow.so"; } | pam_service ctl
	n=$(mail_count grace@example.test)
	s=$(script ctl <<EOF2
^Password => 
^Choose => 1
^Verification code => !$MC grace@example.test $((n + 1))
^New password: => Garnet-Ctl-$n-Passw0rd
^Retype new password: => Garnet-Ctl-$n-Passw0rd
EOF2
	)
	out=$(drive grace "$s" ctl)
	like "$out" 'Your password has been changed' "control '$ctl': the reset works"
	unlike "$out" 'result: Success' "control '$ctl' + pam_$follow: the reset does not log the user in"
done

# --- the config file (pam_sspr.conf; conf= names it) -----------------------
# Settings come from the file, per service, with the module line winning;
# a file the module may not trust is refused, which switches the reset
# path off and leaves typed passwords working.
# The module trusts only a file of root's.
if [ "$(id -u)" != 0 ]; then
	TESTS=$((TESTS + 1))
	echo "ok $TESTS # skip the config file checks need root (the file must be root's)"
else
	C=$T/pam_sspr.conf
	for svc in conf conf-other; do
		{ echo "auth requisite $BUILD/pam_sspr.so conf=$C"
		  echo "auth required pam_permit.so"; } | pam_service "sspr-$svc"
	done
	{ echo "auth requisite $BUILD/pam_sspr.so conf=$C socket=$T/run/nothing.sock"
	  echo "auth required pam_permit.so"; } | pam_service sspr-conf-line
	{ echo "auth requisite $BUILD/pam_sspr.so conf=$T/no-such.conf"
	  echo "auth required pam_permit.so"; } | pam_service sspr-conf-missing
	cat >"$C" <<-EOF
	# the daemon of this test; every other service: nowhere
	daemon_user = $(id -un)
	socket = $T/run/nothing.sock
	helpdesk = Call the t_module desk on 555-0100.
	[sspr-conf]
	socket = $T/run/helperd.sock
	EOF
	chmod 644 "$C"
	empty() { drive frank "$(script empty <<<'^Password => ')" "$1"; }
	typed() { drive frank "$(script typed <<<'^Password => Typed-Passw0rd')" "$1"; }
	out=$(empty sspr-conf)
	like "$out" 'Choose' "conf=: the file's [sspr-conf] socket is used: the reset menu opens"
	out=$(empty sspr-conf-other)
	unlike "$out" 'Choose' "another service gets the file's global socket (nowhere): no menu"
	like "$out" 'Call the t_module desk on 555-0100\.' "and the file's helpdesk line"
	out=$(empty sspr-conf-line)
	unlike "$out" 'Choose' "the module line's socket= wins over the file"
	# refused WHAT [NOT]: the reset path off, typed passwords still pass.  A
	# file not trusted gives nothing (not even its helpdesk line); a trusted
	# one with a bad line keeps its other settings, as the module line does.
	refused() {
		local out
		out=$(empty sspr-conf)
		unlike "$out" "${2:-Choose|555-0100}" "$1: refused, the reset path is off"
		like "$out" 'result: Authentication service cannot retrieve authentication info' \
			"$1: an empty password is PAM_AUTHINFO_UNAVAIL"
		like "$(typed sspr-conf)" 'result: Success' "$1: a typed password still goes on"
	}
	chown nobody "$C"
	refused "a file not owned by root"
	chown root "$C"
	chmod 664 "$C"
	refused "a file its group may write"
	chmod 646 "$C"
	refused "a file others may write"
	chmod 644 "$C"
	mv "$C" "$C.real"
	ln -s "$C.real" "$C"
	refused "a symbolic link"
	rm "$C"
	{ cat "$C.real"; head -c 4096 /dev/zero | tr '\0' '#'; echo; } >"$C"
	refused "a file over 4096 bytes"
	{ cat "$C.real"; echo 'sokcet = /x'; } >"$C"
	refused "an unknown setting" Choose
	printf 'helpdesk = one\033[2Jtwo\n' | cat "$C.real" - >"$C"
	refused "a control character" Choose
	cp "$C.real" "$C"
	like "$(empty sspr-conf)" 'Choose' "the same file, fixed: the reset menu again"
	out=$(empty sspr-conf-missing)
	unlike "$out" 'Choose' "a file conf= names must exist"
	like "$(typed sspr-conf-missing)" 'result: Success' "and a typed password still goes on"
fi

done_testing
