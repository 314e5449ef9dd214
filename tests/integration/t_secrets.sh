#!/bin/bash
# Secrets stay secret: no code or password in the logs (debug on), in
# the daemon's argv or environment, or in its memory after use (a core
# taken with gcore); and the daemon itself never dumps core.
. "$SRC/tests/lib/env.sh"
[ "$(id -u)" -eq 0 ] || skip_all "gcore of the (undumpable) daemon needs root"
command -v gcore >/dev/null || skip_all "gdb is not installed"
# An ASan build maps terabytes of shadow memory: its core would fill the disk.
grep -q __asan_init "$BUILD/sspr-helperd" && skip_all "not with an ASan build (core size)"
standard_env || exit 1
MC="$SRC/tests/lib/env-mailcode.sh $T"
{ module_line debug; ldapcheck_line; } | pam_service sspr-test

NEWPW='Canary-Passw0rd-7c1d9e'
s=$(script reset <<EOF2
^Password => 
^Choose 1 or 2 => 1
^Verification code => !$MC alice@example.test 1
^New password: => $NEWPW
^Retype new password: => $NEWPW
EOF2
)
like "$(drive alice "$s")" 'Your password has been changed' "a reset with a canary password"
code=$($MC alice@example.test 1)
# and a flow that stops at the code prompt, with a wrong canary code
raw hello recv start frank recv answer 97531864 recv cancel >/dev/null
sleep 0.5

logs=$(cat "$T/helperd.log" "$T"/*.err 2>/dev/null)
unlike "$logs" "$NEWPW|$code|97531864|sspr-bind-secret" "no secret in the daemon's log (debug on)"
unlike "$(tr '\0' ' ' < /proc/$DAEMON_PID/cmdline)" "secret|$NEWPW" "none in its argv"
unlike "$(tr '\0' '\n' < /proc/$DAEMON_PID/environ)" "secret|$NEWPW|$code" "none in its environment"

# Memory: take a core of the running daemon and look for the canaries.
gcore -o "$T/core" "$DAEMON_PID" >/dev/null 2>&1
core=$(ls "$T"/core.* 2>/dev/null | head -n 1)
ok $([ -s "$core" ]; echo $?) "gcore wrote a core of the daemon"
n_pw=$(grep -c -a -F "$NEWPW" "$core")
n_code=$(grep -c -a -F "$code" "$core")
n_wrong=$(grep -c -a -F 97531864 "$core")
is "$n_pw" 0 "the new password is nowhere in the daemon's memory"
is "$n_code" 0 "nor the code that was sent"
is "$n_wrong" 0 "nor a code that was typed"
# control: the same search does find what must be in memory (its
# argv; alice's DN is found no more since freed memory is overwritten
# in glibc's per-thread cache too, and the configuration is kept out of
# cores with its secrets)
like "$(grep -c -a -F "$T/helperd.conf" "$core")" '^[1-9]' "(control: the search finds live data)"
[ "$n_code$n_pw$n_wrong" = 000 ] && rm -f "$core"

# No core files: the daemon is not dumpable (and sets RLIMIT_CORE 0).
mkdir -p "$T/cwd"
(cd "$T/cwd" && ulimit -c unlimited && exec sleep 30) &
sp=$!
sleep 0.2
kill -SEGV $sp
wait $sp 2>/dev/null
ok $([ -n "$(ls "$T/cwd" 2>/dev/null)" ]; echo $?) "(control: an ordinary process here does dump core)"
rm -f "$T"/cwd/*
sed -e "s|^socket = .*|socket = $T/run/d2.sock|" -e "s|^state_file = .*|state_file = $T/d2.state|" \
	"$T/helperd.conf" > "$T/d2.conf"
chmod 600 "$T/d2.conf"
(cd "$T/cwd" && ulimit -c unlimited && exec "$BUILD/sspr-helperd" --config "$T/d2.conf" \
	--foreground) > "$T/d2.log" 2>&1 &
dp=$!
wait_for 10 grep -q 'ready on' "$T/d2.log"
ok $? "a second daemon runs with core dumps allowed by its parent"
kill -SEGV $dp
wait $dp 2>/dev/null
is "$(ls "$T/cwd")" "" "the daemon killed by SIGSEGV leaves no core file"

done_testing
