#!/bin/bash
# No enumeration: an unknown user, a user without a usable address, an
# ambiguous name, a malformed address and an administrator-locked account
# see exactly what a real user sees who types wrong codes.
. "$SRC/tests/lib/env.sh"
standard_env || exit 1
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
is "$(drive bert "$s" | sed 's/b\*\*\*/a***/')" "$real" "unknown user with the same initial as bob: identical"
is "$(drive eve "$s" | sed 's/e\*\*\*@/a***@/')" "$real" "administrator-locked account: identical"
is "$(drive twin "$s" | sed 's/t\*\*\*@/a***@/')" "$real" "ambiguous user ID: identical"
is "$(drive mallory "$s" | sed 's/m\*\*\*@/a***@/')" "$real" "malformed recovery address: identical"
is "$(drive 'al*' "$s")" "$real" "a filter wildcard is just an unknown name"
is "$(drive 'alice)(uid=*' "$s")" "$real" "a filter injection is just an unknown name"

# The same unknown name always shows the same mask.
a=$(raw hello recv start zed recv cancel)
b=$(raw hello recv start zed recv cancel)
is "$a" "$b" "an unknown name gets the same masked address each time"
is "$(mail_count alice@example.test)" 1 "only the real user got a mail"
is "$(ls "$T/mail" | wc -l)" 1 "nobody else got one"
unlike "$(cat "$T/sink.log")" "evil.test" "the malformed address never reached the mail server"

done_testing
