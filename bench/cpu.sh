#!/bin/bash
# bench/cpu.sh BUILD [OTHER_BUILD]: the daemon's own CPU per completed
# reset, against a client that does the same directory and mail work
# (issue 18, item 6).  On demand, not part of `make bench`.
#
# One environment (tests/lib/env.sh: slapd with BENCH_USERS users and
# ppolicy, the SMTP sink with STARTTLS, the mail CA store the size of the
# system's, [notify] off, debug off); the daemon of BUILD and, if named,
# a second daemon of OTHER_BUILD on the same configuration and servers
# (another socket).  Every round, back to back so that each sees the same
# weather: `flowload load` through each daemon, then `baseload -k
# bothreuse` (lookup search, counter write, Password Modify, counters'
# clear, the code mail on a kept SMTP connection).  CPU is read from
# /proc/PID/stat around each point (all the daemon's threads) and from
# the client's own getrusage; a row is ms of CPU per completed reset.
# The report gives the medians and the median of the per-round
# differences, which are what to read on a shared machine.
#
# Knobs: BENCH_RUNS (8 rounds), BENCH_SECS (4 per point), BENCH_USERS
# (3000), BENCH_CONC (16 flows and client connections), BENCH_OTHER_ENV
# (environment words for the second daemon only, e.g. for an
# experiment's build that reads switches from its environment).
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:?usage: bench/cpu.sh BUILD [OTHER_BUILD]}" && pwd)
OTHER=
[ -n "${2:-}" ] && OTHER=$(cd "$2" && pwd)
export SRC BUILD
# shellcheck source=lib.sh
. "$SRC/bench/lib.sh"

RUNS=${BENCH_RUNS:-8}
SECS=${BENCH_SECS:-4}
NUSERS=${BENCH_USERS:-3000}
CONC=${BENCH_CONC:-16}
PREFIX=u
BB=$BUILD/bench
say() { echo "# $*" >&2; }

for b in flowload baseload; do
	[ -x "$BB/$b" ] || { say "missing $BB/$b: make $BB/$b"; exit 1; }
done
[ -z "$OTHER" ] || [ -x "$OTHER/sspr-helperd" ] ||
	{ say "missing $OTHER/sspr-helperd"; exit 1; }

bench_people "$NUSERS" "$PREFIX" > "$T/people.ldif"
export PEOPLE_LDIF=$T/people.ldif

slapd_start || exit 1
sink_start || exit 1
bench_conf "$T/helperd.conf" no
bench_mail_ca "$T/helperd.conf"
daemon_start || exit 1
A_PID=$DAEMON_PID
A_SOCK=$T/run/helperd.sock
if [ -n "$OTHER" ]; then
	B_SOCK=$T/run/other.sock
	sed "s|^socket = .*|socket = $B_SOCK|" "$T/helperd.conf" > "$T/other.conf"
	chmod 600 "$T/other.conf"
	# started as the first (and as the systemd unit starts the product),
	# from the other build, with BENCH_OTHER_ENV's words besides
	BUILD=$OTHER DAEMON_WRAPPER=${BENCH_OTHER_ENV:+env $BENCH_OTHER_ENV} \
		daemon_start other || exit 1
	B_PID=$DAEMON_PID
fi
bench_base_args starttls

field() {	# field NAME < JSON line: its number
	sed -nE "s/.*\"$1\":([0-9.]+).*/\\1/p"
}
# flow_point PID SOCKET: ms of the daemon's CPU per completed reset, and
# the resets a second (a busier loop takes more results per wake-up, so
# the CPU per reset falls as the rate rises: read the two together)
flow_point() {
	local c0 c1 line n r
	c0=$(bench_cpu_ms "$1")
	line=$("$BB/flowload" load -c "$CONC" -t "$SECS" -s "$2" -m "$T/mail" \
		-u "$PREFIX" -n "$NUSERS") || return 1
	c1=$(bench_cpu_ms "$1")
	n=$(printf '%s\n' "$line" | field total)
	r=$(printf '%s\n' "$line" | field rate)
	[ "${n:-0}" -gt 0 ] || return 1
	awk -v a="$c0" -v b="$c1" -v n="$n" -v r="$r" \
		'BEGIN { printf "%.3f %.0f\n", (b - a) / n, r }'
}
client_point() {
	local line n c
	line=$("$BB/baseload" -k bothreuse -c "$CONC" -t "$SECS" "${base_args[@]}") || return 1
	n=$(printf '%s\n' "$line" | field total)
	c=$(printf '%s\n' "$line" | field cpu_ms)
	[ "${n:-0}" -gt 0 ] || return 1
	awk -v c="$c" -v n="$n" 'BEGIN { printf "%.3f\n", c / n }'
}

say "warming up"
"$BB/baseload" -k dir -c 4 -t 1 "${base_args[@]}" >/dev/null
"$BB/flowload" load -c "$CONC" -t 2 -s "$A_SOCK" -m "$T/mail" -u "$PREFIX" -n "$NUSERS" >/dev/null
[ -n "$OTHER" ] && "$BB/flowload" load -c "$CONC" -t 2 -s "$B_SOCK" -m "$T/mail" \
	-u "$PREFIX" -n "$NUSERS" >/dev/null

echo "# ms of CPU per completed reset; $CONC flows; $(nproc) cores; $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
printf '%-6s %14s %14s %8s %6s\n' round "daemon (/s)" "other (/s)" client load
rows=$T/rows
: > "$rows"
for r in $(seq "$RUNS"); do
	# every other round the other daemon first: a machine that slows
	# down or speeds up within a round favours neither
	b="- -"
	if [ -n "$OTHER" ] && [ $((r % 2)) -eq 0 ]; then
		b=$(flow_point "$B_PID" "$B_SOCK") || { say "round $r: flowload (other) failed"; exit 1; }
	fi
	a=$(flow_point "$A_PID" "$A_SOCK") || { say "round $r: flowload failed"; exit 1; }
	if [ -n "$OTHER" ] && [ $((r % 2)) -eq 1 ]; then
		b=$(flow_point "$B_PID" "$B_SOCK") || { say "round $r: flowload (other) failed"; exit 1; }
	fi
	c=$(client_point) || { say "round $r: baseload failed"; exit 1; }
	# shellcheck disable=SC2086 # each of a and b is "CPU rate": two words
	printf '%-6s %8s (%4s) %8s (%4s) %8s %6s\n' "$r" $a $b "$c" \
		"$(cut -d' ' -f1 /proc/loadavg)"
	echo "$a $b $c" >> "$rows"
done
awk '
	function median(v, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	# a line: daemon rate other rate client
	{ n++; a[n] = $1; c[n] = $5; ac[n] = $1 - $5
	  if ($3 != "-") { m++; b[m] = $3; bc[m] = $3 - $5; ab[m] = $1 - $3 } }
	END {
		printf "median  daemon %.3f, client %.3f; daemon - client %.3f\n", \
		    median(a, n), median(c, n), median(ac, n)
		if (m > 0)
			printf "median  other %.3f; other - client %.3f; daemon - other %.3f\n", \
			    median(b, m), median(bc, m), median(ab, m)
	}' "$rows"
