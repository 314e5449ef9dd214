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

done_testing
