#!/bin/bash
# Callers that stop reading, half-close, reset or vanish at any point of
# any flow: the daemon must never touch a flow or connection it freed
# (issue 12, defect 1).  First the two reported crashes, step by step;
# then tests/pam/chaos's random walks (CHAOS_ROUNDS, or CHAOS_SECONDS for
# `make fuzz`), as root and, where the test runs as root, as a self
# caller.  Under ASan (make check-asan) a use after free aborts the
# daemon and env.sh's cleanup fails the test on the report.
. "$SRC/tests/lib/env.sh"
slapd_start && sink_start || exit 1
me=$(id -u)
SOURCE_FLOWS=60 SOURCE_FAILURES=60 HUMAN_CHECK=remote \
DAEMON_EXTRA_DAEMON="self_callers = yes" daemon_start || exit 1
chmod 755 "$T/run"

alive() {	# alive WHAT: the daemon still runs and answers a HELLO
	kill -0 "$DAEMON_PID" 2>/dev/null
	ok $? "the daemon still runs after $1"
	like "$(raw hello recv)" 'HELLO_OK' "and answers a new caller after $1"
}

# 1. The reported sequence: a remote HELLO (so START draws the human
# check: several answers in one handler), the caller stops reading,
# START.  The first answer fails to send and closes the connection.
out=$(raw hello rhost=h1.example.test recv shutrd start alice sleep 200)
like "$out" 'HELLO_OK' "a remote HELLO is answered"
alive "a START from a caller that stopped reading"

# 2. An out-of-order CANCEL from a caller that stopped reading: the
# refusal's send fails inside the handler that ends the flow.
raw shutrd cancel sleep 200 >/dev/null
alive "an out-of-order CANCEL from a caller that stopped reading"
raw hello recv shutrd start nosuchuser sleep 200 >/dev/null
alive "a START for an unknown user from a caller that stopped reading"
raw hello recv start alice recv shutrd answer 00000000 sleep 300 >/dev/null
alive "a wrong code from a caller that stopped reading"
raw hello recv shutrd status alice sleep 300 >/dev/null
alive "a STATUS from a caller that stopped reading"
raw hello recv start alice recv rst >/dev/null
alive "a reset connection in the middle of a flow"
raw hello recv start alice shutwr sleep 300 >/dev/null
alive "a half-closed connection in the middle of a flow"

# 3. The same as a self caller (any local user with self_callers = yes).
if [ "$me" -eq 0 ] && command -v setpriv >/dev/null; then
	asnobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	out=$(asnobody "$BUILD/tests/rawclient" "$T/run/helperd.sock" hello \
		rhost=h2.example.test recv shutrd start nobody sleep 200 2>&1)
	like "$out" 'HELLO_OK' "a self caller's remote HELLO is answered"
	alive "a self caller's START after it stopped reading"
	asnobody "$BUILD/tests/rawclient" "$T/run/helperd.sock" shutrd cancel \
		sleep 200 >/dev/null 2>&1
	alive "a self caller's out-of-order CANCEL after it stopped reading"
fi

# 4. Random walks: messages right, wrong and out of order, mixed with
# socket faults.  The seed is printed so a failure can be replayed.
seed=${CHAOS_SEED:-$RANDOM}
count=${CHAOS_ROUNDS:-1500}
[ -n "${CHAOS_SECONDS:-}" ] && count=-$CHAOS_SECONDS
out=$("$BUILD/tests/chaos" "$T/run/helperd.sock" "$seed" "$count" \
	alice bob carol nosuchuser root twin 2>&1)
like "$out" '^answered after' "root caller: the daemon answered after every chaos round (seed $seed)"
printf '%s\n' "$out" | grep '^#' | head -n 20
if [ "$me" -eq 0 ] && command -v setpriv >/dev/null; then
	out=$(asnobody "$BUILD/tests/chaos" "$T/run/helperd.sock" "$((seed + 1))" \
		"$(( count > 0 ? count / 3 : count ))" nobody alice nosuchuser 2>&1)
	like "$out" '^answered after' "self caller: the daemon answered after every chaos round (seed $((seed + 1)))"
fi
alive "the chaos rounds"

done_testing
