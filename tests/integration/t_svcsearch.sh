#!/bin/bash
# A service account that binds but may not search (here: ppolicy's
# pwdReset with pwdMustChange, which restricts it to changing its own
# password) is reported: the person is told the reset is unavailable,
# the log names the cause, ssprctl status says so.  Never "no such
# account" for everyone.  (The same on 389: t_389.)
. "$SRC/tests/lib/env.sh"
standard_env || exit 1

is "$(raw hello recv start alice recv | tail -n1)" \
	"CHALLENGE method=1 dest=a***@e***.test lifetime=600 len=8" "before: alice gets a code"
ldapadmin ldapmodify >/dev/null <<EOF2
dn: cn=default,ou=policies,$SUFFIX
changetype: modify
replace: pwdMustChange
pwdMustChange: TRUE
EOF2
ldapadmin ldapmodify -e relax >/dev/null <<EOF2
dn: $SERVICE_DN
changetype: modify
replace: pwdReset
pwdReset: TRUE
EOF2
ok $? "the service account must change its own password"
# ppolicy restricts a connection when it binds: the daemon binds anew
# after a restart
daemon_stop
daemon_start || exit 1
is "$(raw hello recv start alice recv | tail -n1)" "FAIL reason=4" \
	"the person is told the reset is unavailable"
is "$(raw hello recv start nosuchuser recv | tail -n1)" "FAIL reason=4" \
	"the same for a name the directory does not know"
like "$(cat "$T/helperd.log")" '\[error\]: search under .* as cn=sspr,.* refused: Insufficient access' \
	"the log names the service account and the cause"
unlike "$(cat "$T/helperd.log")" 'no such account' "nobody is called unknown"
out=$("$BUILD/ssprctl" -c "$T/helperd.conf" status)
ok $((!$?)) "ssprctl status fails"
like "$out" 'directory +CANNOT SEARCH: the service account cn=sspr,.* cannot search' \
	"and says the service account cannot search"
done_testing
