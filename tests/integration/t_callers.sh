#!/bin/bash
# Every request type from every kind of caller (issue 12, defect 3):
# allowed callers (allowed_uids), self callers (self_callers = yes: any
# other uid, for its own account only) and refused callers.  For each,
# the answer must be the same for an account the directory knows and
# one it does not, and the request must be counted by the throttle
# where it can cost a guess.
. "$SRC/tests/lib/env.sh"
[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null ||
	skip_all "needs root and setpriv to call the daemon as another uid"
slapd_start && sink_start || exit 1
SOURCE_FLOWS=8 SOURCE_FAILURES=5 DAEMON_EXTRA_DAEMON="self_callers = yes" \
	daemon_start || exit 1
chmod 755 "$T/run"
module_line | pam_service sspr-test

as() {	# as UID STEP...: rawclient as another uid
	local uid=$1
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		"$BUILD/tests/rawclient" "$T/run/helperd.sock" "$@" 2>>"$T/raw.err"
}
self() { as 65534 "$@"; }

# --- allowed caller (root): STATUS and CHANGE are the login's own steps
is "$(raw hello recv status alice recv | tail -n1)" "ACCOUNT known=1 must_change=0" \
	"allowed caller: STATUS of a directory account"
is "$(raw hello recv status nosuchuser recv | tail -n1)" "ACCOUNT known=0 must_change=0" \
	"allowed caller: STATUS of an unknown name"

# --- self callers (uid 65534, 'nobody'): another account, known or not
n=0
for req in "status alice" "status nosuchuser"; do
	# shellcheck disable=SC2086
	is "$(self hello recv $req recv | tail -n1)" "FAIL reason=3" \
		"self caller: '$req' is refused (not its own account)"
done
for who in alice nosuchuser; do
	is "$(self hello recv change "$who" wrong-old New-pass-4711 recv | tail -n1)" \
		"FAIL reason=3" "self caller: a CHANGE of '$who' is refused"
	is "$(self hello recv start "$who" recv | tail -n1)" "FAIL reason=3" \
		"self caller: a START for '$who' is refused"
	reg[$((n++))]=$(self hello recv start "$who" 4 recv | tail -n1)
done
is "${reg[0]}" "${reg[1]}" "self caller: a registration START gets the same answer for a known and an unknown name"
like "${reg[0]}" '^FAIL' "and it is refused"
# six wrong old passwords locked alice through ppolicy before the fix
for i in 1 2 3 4 5 6; do
	self hello recv change alice "wrong-$i" New-pass-4711 recv >/dev/null
done
is "$(attr_of "uid=alice,$PEOPLE" pwdFailureTime)" "" \
	"self caller: no bind was tried as alice (no ppolicy failure recorded)"
is "$(attr_of "uid=alice,$PEOPLE" pwdAccountLockedTime)" "" \
	"self caller: alice is not locked"
like "$(cat "$T/helperd.log")" "asked about an account other than its own" \
	"the refused STATUS is logged"
unlike "$(cat "$T/helperd.log")" 'user=alice: .*(no such account|password change refused)' \
	"no request of the self caller reached the directory"
like "$(self hello recv | tail -n1)" "^HELLO_OK" \
	"the self caller is still served"

# throttle: a self caller's flows count on its uid, whatever it names;
# the source limit (8 flows) refuses the next ones plainly
for i in $(seq 1 10); do
	out=$(self hello recv start nobody recv cancel | grep -m1 '^FAIL')
done
is "$out" "FAIL reason=13" "self caller: START is throttled on its uid after source_flows"
out=$(self hello recv change nobody old-pw New-pass-4711 recv | tail -n1)
is "$out" "FAIL reason=13" "self caller: CHANGE is throttled on the same uid"
like "$(raw hello recv start alice recv cancel)" 'CHALLENGE' \
	"root is not throttled by the self caller's flows"

# --- ADMIN: root only, whatever allowed_uids and self_callers say
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$BUILD/ssprctl" \
	-s "$T/run/helperd.sock" status 2>&1)
unlike "$out" 'healthy|reachable|flows' "a self caller's ADMIN request tells nothing"

# --- refused callers: self_callers = no, uid not in allowed_uids
daemon_stop
rm -f "$T/helperd.conf"
daemon_start || exit 1
chmod 755 "$T/run"
for req in "status alice" "status nosuchuser" "start alice" "start nosuchuser" \
	"change alice wrong New-pass-4711" "change nosuchuser wrong New-pass-4711"; do
	# shellcheck disable=SC2086
	is "$(self hello recv $req recv | grep -m1 '^FAIL')" "FAIL reason=3" \
		"refused caller: '$req' gets NOT_ALLOWED at once"
done

done_testing
