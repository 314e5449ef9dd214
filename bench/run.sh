#!/bin/bash
# bench/run.sh BUILD: the benchmark behind `make bench`.  Starts, in a
# temporary directory on loopback, a real slapd (ppolicy, StartTLS) with a
# few thousand users, the SMTP sink and sspr-helperd (tests/lib/env.sh),
# then measures in one run:
#
#   1. baseline: the directory work of one reset (lookup search + Password
#      Modify) with libldap at 1/2/4/16 connections; the sink's own rate
#      for one message per connection; both together, at the product's
#      concurrencies
#   2. product: complete reset flows through the daemon's socket at
#      1/16/64/256 concurrent flows, latency of every step
#   3. ratio product / baseline
#   4. ordinary logins through libpam with and without pam_sspr in front
#   5. 1,000 and 10,000 flows held at the code prompt: RSS, fds, and how a
#      new flow fares meanwhile
#   6. start-up: exec to the first answer on the socket
#
# Every load point is measured BENCH_RUNS times, rounds interleaved, and
# the report quotes medians.  One table goes to stdout, every figure to
# bench/results/<timestamp>.json.
#
# Knobs (environment): BENCH_RUNS (3), BENCH_SECS (3, per point),
# BENCH_USERS (3000), BENCH_HELD (1000,10000), BENCH_PAM_ITERS (2000),
# BENCH_PAM_ROUNDS (7), BENCH_NOTIFY (no | yes: the notification
# mail after each reset), BENCH_MAIL_TLS (starttls | none), BENCH_MAIL_CA
# (bundle: the system's CA bundle plus the test CA, as big as the store a
# default installation trusts | test: the test CA alone), BENCH_QUICK=1
# (one short round, for trying the harness), BENCH_ONLY (a list of
# sections: startup base product pam held fleet).
#
#   7. fleet: the same reset flows through a relay and a reset server
#      (TLS with client certificates on loopback) against the local role,
#      back to back at 16 and 256 flows (goal: ratio >= 0.9)
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:?usage: bench/run.sh BUILD}" && pwd)
export SRC BUILD
# Our own parent for the temporary directory: other test runs on a shared
# machine may sweep /tmp/sspr-test.* away.
export TMPDIR=${BENCH_TMPDIR:-/tmp/sspr-bench}
mkdir -p "$TMPDIR"
# shellcheck source=../tests/lib/env.sh
. "$SRC/tests/lib/env.sh"

RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_SECS:-3}
NUSERS=${BENCH_USERS:-3000}
HELD=${BENCH_HELD:-1000,10000}
PAM_ITERS=${BENCH_PAM_ITERS:-2000}
PAM_ROUNDS=${BENCH_PAM_ROUNDS:-7}
ONLY=${BENCH_ONLY:-startup base product pam held fleet}
if [ -n "${BENCH_QUICK:-}" ]; then
	RUNS=1 SECS=1.5 HELD=1000 PAM_ITERS=500 PAM_ROUNDS=3
fi
PREFIX=u
BB=$BUILD/bench
OUT=$T/results.jsonl
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
: > "$OUT"

say() { echo "# $*" >&2; }
want() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

for b in baseload flowload pamload; do
	[ -x "$BB/$b" ] || { echo "missing $BB/$b: run make bench" >&2; exit 1; }
done

# --- file descriptors: 10,000 held flows need as many on each side -------
need=$(( $(echo "$HELD" | tr ',' '\n' | sort -n | tail -n1) + 1000 ))
if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$need" ]; then
	ulimit -Hn "$need" 2>/dev/null
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
	say "open files limited to $(ulimit -n); held flows cut to fit"
	HELD=$(( $(ulimit -n) - 1000 ))
fi

# --- the directory: the test fixture plus NUSERS users ------------------
people() {
	cat "$SRC/tests/lib/people.ldif"
	awk -v n="$NUSERS" -v p="$PREFIX" 'BEGIN {
		for (i = 1; i <= n; i++) {
			u = sprintf("%s%05d", p, i)
			printf "\ndn: uid=%s,ou=people,dc=example,dc=test\n", u
			printf "objectClass: inetOrgPerson\nobjectClass: posixAccount\n"
			printf "uid: %s\ncn: Bench %d\nsn: Bench\n", u, i
			printf "uidNumber: %d\ngidNumber: 20000\n", 20000 + i
			printf "homeDirectory: /home/%s\nmail: %s@example.test\n", u, u
			printf "userPassword: Initial-Passw0rd-%d\n", i
		}
	}'
}
people > "$T/people.ldif"
export PEOPLE_LDIF=$T/people.ldif

# --- machine -------------------------------------------------------------
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
mem_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
printf '{"test":"machine","cores":%s,"cpu":"%s","mem_mib":%s,"kernel":"%s","load_start":"%s","slapd":"%s","users":%s,"runs":%s,"secs":%s,"mail_tls":"%s","date":"%s"}\n' \
	"$(nproc)" "$cpu_model" "$((mem_kib / 1024))" "$(uname -r)" \
	"$(cut -d' ' -f1-3 /proc/loadavg)" \
	"$(dpkg-query -W -f='${Version}' slapd 2>/dev/null)" "$NUSERS" "$RUNS" \
	"$SECS" "${BENCH_MAIL_TLS:-starttls}" "$STAMP" >> "$OUT"

say "starting slapd with $NUSERS users, the SMTP sink and the daemon in $T"
slapd_start || exit 1
SLAPD_PID=$(cat "$T/slapd.pid")
SINK_MODE=
[ "${BENCH_MAIL_TLS:-starttls}" = none ] && SINK_MODE=--plain
export SINK_MODE
sink_start $SINK_MODE || exit 1
# room for the held flows; uid 0 is not capped per uid, others are
DAEMON_EXTRA_DAEMON="max_flows = $(( need + 1000 ))
max_flows_per_uid = $(( need + 1000 ))"
export DAEMON_EXTRA_DAEMON
daemon_conf "$T/helperd.conf"
# production logging: no debug lines
sed -i 's/^debug = yes$/debug = no/' "$T/helperd.conf"
# The baseline sends one message per reset; the notification after a
# reset ([notify]) is a second one, so like is compared with like only
# without it.  BENCH_NOTIFY=yes measures the product with it.
printf '\n[notify]\nenabled = %s\n' "${BENCH_NOTIFY:-no}" >> "$T/helperd.conf"
# The mail server is checked against a store the size of the system's
# (what an installation with an empty tls_ca_file trusts), which still
# holds the test CA.
MAIL_CA=$T/ca.pem
if [ "${BENCH_MAIL_CA:-bundle}" = bundle ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
	MAIL_CA=$T/mailca.pem
	cat /etc/ssl/certs/ca-certificates.crt "$T/ca.pem" > "$MAIL_CA"
	sed -i "/^\[mail\]/,/^\[code\]/s|^tls_ca_file = .*|tls_ca_file = $MAIL_CA|" \
		"$T/helperd.conf"
fi
printf '{"test":"mailca","file":"%s","cas":%s}\n' "${MAIL_CA##*/}" \
	"$(grep -c 'BEGIN CERTIFICATE' "$MAIL_CA")" >> "$OUT"
daemon_start || exit 1

MAIL_URL="smtp://127.0.0.1:$SMTP_PORT"
FILTER='(&(objectClass=posixAccount)(uid=%s))'
base_args=(-H "$LDAP_URI" -C "$T/ca.pem" -D "$SERVICE_DN" -y "$T/bindpw"
	-b "$PEOPLE" -f "$FILTER" -u "$PREFIX" -n "$NUSERS" -S "$MAIL_URL"
	-F sspr@example.test -M "$MAIL_CA" -T "${BENCH_MAIL_TLS:-starttls}")
flow_args=(-s "$T/run/helperd.sock" -m "$T/mail" -u "$PREFIX" -n "$NUSERS")

# CPU (ms) a process has used so far, all threads
cpu_of() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) * 1000 / hz }' \
		"/proc/$1/stat" 2>/dev/null || echo 0
}

# measure CMD...: runs one load program, adds the CPU the servers spent
# while it ran (per completed operation) and the load average to its line.
# Variable names avoid gawk's builtins (load, and others): the script runs
# under mawk, gawk and busybox awk alike.  A measurement that fails is
# counted; the run then ends non-zero after writing what it has.
FAILED=0
measure() {
	local s0 m0 d0 line row
	s0=$(cpu_of "$SLAPD_PID") m0=$(cpu_of "$SINK_PID") d0=$(cpu_of "$DAEMON_PID")
	line=$("$@") || { say "failed: $*"; FAILED=$((FAILED + 1)); return 1; }
	row=$(printf '%s\n' "$line" | awk -v s0="$s0" -v m0="$m0" -v d0="$d0" \
	    -v s1="$(cpu_of "$SLAPD_PID")" -v m1="$(cpu_of "$SINK_PID")" \
	    -v d1="$(cpu_of "$DAEMON_PID")" -v loadavg="$(cut -d' ' -f1 /proc/loadavg)" \
	    -v rnd="$ROUND" '{
		match($0, /"total":[0-9]+/); t = substr($0, RSTART + 8, RLENGTH - 8) + 0
		match($0, /"cpu_ms":[0-9]+/); c = substr($0, RSTART + 9, RLENGTH - 9) + 0
		if (t < 1) t = 1
		sub(/}$/, "")
		printf "%s,\"round\":%d,\"load\":%s,\"cpu_per_op\":{\"slapd\":%.3f,\"sink\":%.3f,\"daemon\":%.3f,\"client\":%.3f}}\n", \
		    $0, rnd, loadavg, (s1 - s0) / t, (m1 - m0) / t, (d1 - d0) / t, c / t
	}') && case $row in '{"test":'*'"cpu_per_op":'*'}') ;; *) false ;; esac ||
		{ say "failed to record: $*"; FAILED=$((FAILED + 1)); return 1; }
	printf '%s\n' "$row" >> "$OUT"
	tail -n 1 "$OUT" | sed -E 's/.*"test":"([a-z]+)"(,"kind":"([a-z]+)")?,"conc":([0-9]+).*"rate":([0-9.]+),"errors":([0-9]+).*/#   \1 \3 conc=\4: \5 per s, errors \6/' >&2
}

ROUND=0

# --- 6. start-up ---------------------------------------------------------
if want startup; then
	say "start-up: exec to the first HELLO_OK"
	sed "s|^socket = .*|socket = $T/run/startup.sock|" "$T/helperd.conf" \
		> "$T/startup.conf"
	chmod 600 "$T/startup.conf"
	"$BB/flowload" startup -s "$T/run/startup.sock" -r 9 -- \
		"$BUILD/sspr-helperd" --config "$T/startup.conf" --foreground >> "$OUT" ||
		{ say "start-up measurement failed"; FAILED=$((FAILED + 1)); }
fi

# --- warm-up, not recorded --------------------------------------------------
if want base || want product; then
	say "warming up the directory and the daemon"
	"$BB/baseload" -k dir -c 4 -t 1 "${base_args[@]}" >/dev/null
	"$BB/flowload" load -c 16 -t 1 "${flow_args[@]}" >/dev/null
fi

# --- 1.-3. baseline and product, rounds interleaved -----------------------
# The directory and the sink alone, then at each concurrency the baseline
# of a whole reset and the product back to back, so that both see the same
# weather on a shared machine; the ratio is taken per pair.
for ROUND in $(seq "$RUNS"); do
	if want base; then
		say "round $ROUND/$RUNS: the directory and the sink alone"
		for c in 1 2 4 16; do
			measure "$BB/baseload" -k dir -c $c -t "$SECS" "${base_args[@]}"
		done
		for c in 1 4 16; do
			measure "$BB/baseload" -k mail -c $c -t "$SECS" "${base_args[@]}"
		done
	fi
	say "round $ROUND/$RUNS: baseline and product pairs"
	for c in 1 16 64 256; do
		if want base; then
			measure "$BB/baseload" -k both -c $c -t "$SECS" "${base_args[@]}"
		fi
		if want product; then
			measure "$BB/flowload" load -c $c -t "$SECS" "${flow_args[@]}"
		fi
	done
done

# --- 7. fleet: relay + reset server against the local role ------------------
# A reset server made of the same configuration, a relay in front of it
# with a host certificate; each pair (local, relay) measured back to back.
if want fleet; then
	say "fleet: a reset server and a relay in front of it"
	. "$SRC/tests/lib/fleet.sh"
	LOCAL_PID=$DAEMON_PID
	fleet_cert benchhost benchhost.test
	FPORT=$(ports 1)
	sed "s|^socket = .*|socket = $T/run/fleetsrv.sock|" "$T/helperd.conf" > "$T/fleetsrv.conf"
	printf '\n[fleet]\nrole = reset-server\nlisten = 127.0.0.1:%s\ncert_file = %s\nkey_file = %s\nca_file = %s\nmax_per_host = 1024\nhost_flows = 0\n' \
		"$FPORT" "$T/server.pem" "$T/server.key" "$T/ca.pem" >> "$T/fleetsrv.conf"
	chmod 600 "$T/fleetsrv.conf"
	RELAY_EXTRA_DAEMON=$DAEMON_EXTRA_DAEMON relay_conf benchrelay benchhost "localhost:$FPORT"
	sed -i "s|^debug = yes|debug = no|" "$T/benchrelay.conf"
	daemon_start fleetsrv || exit 1
	FLEET_PID=$DAEMON_PID
	daemon_start benchrelay || exit 1
	relay_args=(-s "$T/run/benchrelay.sock" -m "$T/mail" -u "$PREFIX" -n "$NUSERS")
	"$BB/flowload" load -c 16 -t 1 "${relay_args[@]}" >/dev/null
	for ROUND in $(seq "$RUNS"); do
		say "round $ROUND/$RUNS: local and relay pairs"
		for c in 16 256; do
			# rows of their own: section 2's product figures stay as they were
			DAEMON_PID=$LOCAL_PID
			n=$(wc -l < "$OUT")
			measure "$BB/flowload" load -c $c -t "$SECS" "${flow_args[@]}" &&
				sed -i "$((n + 1))s/\"test\":\"product\"/\"test\":\"relay-local\"/" "$OUT"
			DAEMON_PID=$FLEET_PID
			n=$(wc -l < "$OUT")
			measure "$BB/flowload" load -c $c -t "$SECS" "${relay_args[@]}" &&
				sed -i "$((n + 1))s/\"test\":\"product\"/\"test\":\"relay\"/" "$OUT"
		done
	done
	DAEMON_PID=$LOCAL_PID
fi

# --- 4. ordinary logins ----------------------------------------------------
# The checker is pam_userdb (plain-text Berkeley DB, try_first_pass): cheap,
# in-process, and it takes the password pam_sspr hands on instead of asking
# again.  Stacks: the checker alone (the reference), pam_sspr in front of
# it, an identical copy of the reference (noise), pam_permit in front (what
# any extra module costs).
if want pam; then
	say "ordinary logins: pam_sspr + pam_userdb vs pam_userdb alone"
	SEC=/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)/security
	printf 'benchuser\nBench-Passw0rd\n' | db5.3_load -T -t hash "$T/users.db" ||
		say "db5.3_load (db5.3-util) failed"
	checker="auth required $SEC/pam_userdb.so db=$T/users crypt=none try_first_pass"
	mkdir -p "$T/pam.d"
	echo "$checker" > "$T/pam.d/checker"
	echo "$checker" > "$T/pam.d/checker-copy"
	{ echo "auth requisite $BUILD/pam_sspr.so socket=$T/pamcount.sock daemon_user=$(id -un)"
	  echo "$checker"; } > "$T/pam.d/sspr"
	{ echo "auth optional $SEC/pam_permit.so"; echo "$checker"; } > "$T/pam.d/permit"
	for mode in auth full; do
		"$BB/pamload" -d "$T/pam.d" -u benchuser -p Bench-Passw0rd \
			-n "$PAM_ITERS" -r "$PAM_ROUNDS" -m $mode -l "$T/pamcount.sock" \
			checker sspr checker-copy permit >> "$OUT" ||
			{ say "pamload -m $mode failed"; FAILED=$((FAILED + 1)); }
	done
	# the checker must refuse a wrong password, or the figures mean nothing
	"$BB/pamload" -d "$T/pam.d" -u benchuser -p wrong-password -n 10 -r 1 \
		checker sspr | sed 's/"test":"pam"/"test":"pam-wrong"/' >> "$OUT"
fi

# --- 5. held flows, on a freshly started daemon ----------------------------
if want held; then
	say "held flows: $HELD (a fresh daemon; waits for every code mail)"
	daemon_stop
	# the throttle's per-source counters of the flows so far come back
	# with it: part of its idle memory
	say "state file: $(stat -c %s "$T/helperd.conf.state" 2>/dev/null || echo 0) bytes"
	daemon_start || exit 1
	sleep 0.5
	"$BB/flowload" hold -p "$DAEMON_PID" -N "$HELD" -P 20 "${flow_args[@]}" \
		>> "$OUT" || { say "held flows failed"; FAILED=$((FAILED + 1)); }
fi

printf '{"test":"end","load_end":"%s"}\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT"
mkdir -p "$SRC/bench/results"
# the raw lines survive a failing report
cp "$OUT" "$TMPDIR/results-$STAMP.jsonl"
/usr/bin/python3 "$SRC/bench/report.py" "$OUT" "$SRC/bench/results/$STAMP.json" ||
	{ echo "report failed; raw figures in $TMPDIR/results-$STAMP.jsonl" >&2; exit 1; }
rm -f "$TMPDIR/results-$STAMP.jsonl"
if [ "$FAILED" -ne 0 ]; then
	echo "$FAILED measurement(s) failed: see the lines above; the results are incomplete" >&2
	exit 1
fi
