#!/bin/bash
# No enumeration: an unknown user, a user without a usable address, an
# ambiguous name, a malformed address, an administrator-locked account
# and an account with only recovery codes see exactly what a real user
# sees who types wrong codes.  With the helpdesk pass offered, an account
# with only a pass reads as an unknown name up to the proof, whichever
# way the person chooses.
. "$SRC/tests/lib/env.sh"
slapd_start && sink_start || exit 1
daemon_conf "$T/helperd.conf"
# its own [policy] line: whatever section the file ends in (through a
# relay, t_fleet_e2e, that is [fleet])
printf '[policy]\nmethods = email rcodes\n' >> "$T/helperd.conf"
daemon_start || exit 1
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
# Pairs with the same first letter: the fake mask uses it, as a real
# address usually does.
real=$(drive alice "$s")
like "$real" 'That code is not right' "the real user gets wrong-code answers"
like "$real" 'Too many wrong answers' "and the flow ends after five"
is "$(drive albert "$s")" "$real" "unknown user: transcript identical to a real one"
is "$(drive bob "$s" | sed 's/b\*\*\*/a***/')" "$real" "account without a recovery address: identical but for the initial"
"$BUILD/ssprctl" -c "$T/helperd.conf" rcodes issue bob >/dev/null
is "$(attr_of "uid=bob,$PEOPLE" ssprRecoveryCode | grep -c .)" 10 "bob now has recovery codes and nothing else"
is "$(drive bob "$s" | sed 's/b\*\*\*/a***/')" "$real" "account with only recovery codes: identical but for the initial"
like "$(grep 'event=code_failed.*user=bob' "$T/helperd.log" | tail -n 1)" 'method=rcodes' "(its wrong codes were checked as recovery codes)"
# those five wrong codes blocked bob: the pass below wants him as he was
"$BUILD/ssprctl" -c "$T/helperd.conf" unblock bob >/dev/null ||
	echo "# ssprctl unblock bob failed"
is "$(drive bert "$s" | sed 's/b\*\*\*/a***/')" "$real" "unknown user with the same initial as bob: identical"
is "$(drive eve "$s" | sed 's/e\*\*\*@/a***@/')" "$real" "administrator-locked account: identical"
is "$(drive twin "$s" | sed 's/t\*\*\*@/a***@/')" "$real" "ambiguous user ID: identical"
is "$(drive mallory "$s" | sed 's/m\*\*\*@/a***@/')" "$real" "malformed recovery address: identical"
is "$(drive 'al*' "$s")" "$real" "a filter wildcard is just an unknown name"
is "$(drive 'alice)(uid=*' "$s")" "$real" "a filter injection is just an unknown name"

# A block must look like nothing (issue 12, defect 7): four wrong codes,
# a new flow, one more wrong code blocks a real account; what follows
# must read as it does for an unknown name.
wrong4() { echo "hello recv start $1 recv $(printf 'answer 00000000 recv %.0s' 1 2 3 4) cancel"; }
wrong5() { echo "hello recv start $1 recv $(printf 'answer 00000000 recv %.0s' 1 2 3 4 5)"; }
blocked() {	# blocked NAME: both flows' answers, the mask taken out
	# shellcheck disable=SC2046
	{ raw $(wrong4 "$1"); raw $(wrong5 "$1"); } | sed 's/ dest=[^ ]*//'
}
real=$(blocked dave)
like "$real" 'ANSWER_BAD left=4' "a real account: wrong codes are answered"
is "$(blocked dora)" "$real" "the flow that blocks a real account reads as an unknown name's"
like "$(cat "$T/helperd.log")" 'user=dave: too many wrong codes: resets of this account are blocked' \
	"and the block is logged"

# The same unknown name always shows the same mask.
a=$(raw hello recv start zed recv cancel)
b=$(raw hello recv start zed recv cancel)
is "$a" "$b" "an unknown name gets the same masked address each time"
is "$(mail_count alice@example.test)" 1 "only the real user got a mail"
is "$(ls "$T/mail" | grep -vc dave@)" 1 "nobody else got one (but dave, who has an address)"
unlike "$(cat "$T/sink.log")" "evil.test" "the malformed address never reached the mail server"

# The helpdesk pass offered ([policy] methods = email pass): bob, who has
# no address, gets a pass (ssprctl, as the directory's administrator);
# his recovery codes are not offered here (a key is set once: the
# rcodes line goes).
daemon_stop
cp "$T/helperd.conf" "$T/passd.conf"
sed -i '/^methods = email rcodes$/d' "$T/passd.conf"
printf '[policy]\nmethods = email pass\n' >> "$T/passd.conf"
daemon_start passd || exit 1
# from a source of its own: the wrong codes above used up this one's
export DRIVE_RHOST=192.0.2.10
"$BUILD/ssprctl" -c "$T/passd.conf" pass issue bob --as "cn=admin,$SUFFIX" \
    --password-fd 3 3< <(printf 'admin-secret\n') >/dev/null 2>&1
like "$(attr_of "uid=bob,$PEOPLE" ssprHelpdeskPass)" '^v1\$scrypt\$' "bob has a pass, and no address"
s=$(script passwrong <<'EOF2'
^Password => 
^Choose 1, 2 or 3 => 3
^Pass from the helpdesk => 22222-33333-44444
^Pass from the helpdesk => 22222-33333-44444
^Pass from the helpdesk => 22222-33333-44444
^Pass from the helpdesk => 22222-33333-44444
^Pass from the helpdesk => 22222-33333-44444
EOF2
)
real=$(drive bob "$s")
like "$real" 'That pass is not right\. Attempts left: 4\.' "a wrong pass is answered"
like "$real" 'Too many wrong answers' "and the flow ends after five"
is "$(drive albert "$s")" "$real" "choosing the pass: an unknown name reads as the account with a pass"
is "$(drive frank "$s")" "$real" "and as an account with an address but no pass"
s=$(script codewrong <<'EOF2'
^Password => 
^Choose 1, 2 or 3 => 1
^Verification code => 00000000
^Verification code => 00000000
^Verification code => 00000000
^Verification code => 00000000
^Verification code => 00000000
EOF2
)
DRIVE_RHOST=192.0.2.11
real=$(drive bert "$s")
like "$real" 'That code is not right' "the code path, with the pass offered"
is "$(drive bob "$s")" "$real" "an account with only a pass reads as an unknown name with its initial"

done_testing
