#!/bin/bash
# bench/run.sh BUILD: the benchmark behind `make bench`.  Starts, in a
# temporary directory on loopback, a real slapd (ppolicy, StartTLS) with a
# few thousand users, the SMTP sink and sspr-helperd (tests/lib/env.sh),
# then measures in one run:
#
#   1. baseline: the directory work of one reset (lookup search + Password
#      Modify) with libldap at 1/2/4/16 connections; the sink's own rate
#      for one message per connection, and with connections kept for the
#      next message as the daemon keeps them; both together, at the
#      product's concurrencies, with one connection per message and with
#      kept connections (and, with BENCH_NOTIFY=yes, the notification
#      after the reset: the same mail work as the daemon's)
#   2. product: complete reset flows through the daemon's socket at
#      1/16/64/256 concurrent flows, latency of every step
#   3. ratio product / baseline
#   4. ordinary logins through libpam with and without pam_sspr in front
#   5. 1,000 and 10,000 flows held at the code prompt: RSS, fds, and how a
#      new flow fares meanwhile
#   6. start-up: exec to the first answer on the socket
#   8. dirlimit (only when BENCH_ONLY names it): the directory as the
#      limit; complete resets at 256 flows through daemons with
#      [directory] connections = 4 (the default), 16 and 64
#      (BENCH_DIRCONNS), each against the directory's own rate at as many
#      connections; with BENCH_DIR_CPU, slapd held to that many cores
#      for the whole section, the same budget for both rows
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
# sections: startup base product pam login held fleet, and dirlimit, which
# only runs when named), BENCH_MTA (sink:
# the tests' Python SMTP sink | postfix: a Postfix instance of the run's
# own, delivering into a Maildir),
# BENCH_LOGIN_ITERS (30) and BENCH_ACCT_ITERS (300): whole logins and
# account steps per stack and round, BENCH_LOGIN_ROUNDS (9),
# BENCH_DIRCONNS ("4 16 64": section 8's [directory] connections),
# BENCH_DIR_CPU (unset: slapd unlimited, as before | CORES, e.g. 0.25 or
# 0.5: in section 8 slapd runs in a cpu cgroup of its own with a CFS quota
# of CORES x the period, as a directory on a machine of its own is the
# limit of a fleet; needs root and a cpu controller, cgroup v1 or v2, else
# the run fails before it starts; the group is removed at exit) and
# BENCH_DIR_CPU_PERIOD_US (10000: short periods make the budget a slower
# directory rather than one that runs 25 ms and stops 75).
#
#   7. fleet: the same reset flows through a relay and a reset server
#      (TLS with client certificates on loopback) against the local role,
#      back to back at 16 and 256 flows (goal: ratio >= 0.9); then the
#      server with BENCH_RELAYS (100) relays in front of it, each with a
#      host certificate of its own, the flows spread over all of them,
#      measured in the same rounds (knob: BENCH_RELAYS, 0 to skip)
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:?usage: bench/run.sh BUILD}" && pwd)
export SRC BUILD
# shellcheck source=lib.sh
. "$SRC/bench/lib.sh"

RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_SECS:-3}
NUSERS=${BENCH_USERS:-3000}
HELD=${BENCH_HELD:-1000,10000}
PAM_ITERS=${BENCH_PAM_ITERS:-2000}
PAM_ROUNDS=${BENCH_PAM_ROUNDS:-7}
ONLY=${BENCH_ONLY:-startup base product pam login held fleet}
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

# --- BENCH_DIR_CPU: slapd held to a CPU budget (section 8) ----------------
# In production the directory runs on machines of its own and is the limit
# a fleet shares; here it shares two cores with the mail server, the daemon
# and the load generators.  A cpu cgroup of its own (a CFS quota: cores x
# period) gives slapd a fixed budget, the same for the directory's own rows
# and the product's.  No root or no cpu controller ends the run before it
# starts: a budget asked for and silently not applied would make the
# figures lie.
DIRCPU=${BENCH_DIR_CPU:-}
DIRCPU_PERIOD=${BENCH_DIR_CPU_PERIOD_US:-10000}
DIRCPU_CG='' DIRCPU_V='' DIRCPU_QUOTA='' DIRCPU_ENABLED=''
# dircpu_find: sets DIRCPU_V (1 or 2) and DIRCPU_ROOT, the hierarchy that
# holds the cpu controller (v1: its own mount, perhaps shared with
# cpuacct; v2: a cgroup2 mount whose root offers "cpu")
dircpu_find() {
	local m
	DIRCPU_ROOT=$(awk '$3 == "cgroup" && $4 ~ /(^|,)cpu(,|$)/ { print $2; exit }' /proc/mounts)
	if [ -n "$DIRCPU_ROOT" ] && [ -w "$DIRCPU_ROOT/cpu.cfs_quota_us" ]; then
		DIRCPU_V=1
		return 0
	fi
	for m in $(awk '$3 == "cgroup2" { print $2 }' /proc/mounts); do
		if grep -qw cpu "$m/cgroup.controllers" 2>/dev/null; then
			DIRCPU_V=2 DIRCPU_ROOT=$m
			return 0
		fi
	done
	return 1
}
# dircpu_check: is the budget usable here?  Everything but the group
dircpu_check() {
	DIRCPU_QUOTA=$(awk -v c="$DIRCPU" -v p="$DIRCPU_PERIOD" 'BEGIN {
		if (c !~ /^[0-9]*\.?[0-9]+$/ || p !~ /^[0-9]+$/) exit 1
		q = int(c * p + 0.5)
		if (q < 1000 || p < 1000 || p > 1000000) exit 1
		printf "%d %g\n", q, c }') ||
		{ echo "BENCH_DIR_CPU=$DIRCPU (period $DIRCPU_PERIOD us): cores x period must come to 1000 us or more (period 1000..1000000)" >&2; return 1; }
	read -r DIRCPU_QUOTA DIRCPU <<< "$DIRCPU_QUOTA"	# 0.50 and .5: 0.5
	[ "$(id -u)" = 0 ] ||
		{ echo "BENCH_DIR_CPU needs root: it puts slapd into a cpu cgroup" >&2; return 1; }
	dircpu_find ||
		{ echo "BENCH_DIR_CPU: no cpu controller here (neither a cgroup v1 cpu mount nor a cgroup2 mount offering cpu)" >&2; return 1; }
	want dirlimit ||
		{ echo "BENCH_DIR_CPU holds slapd only in section 8: add dirlimit to BENCH_ONLY" >&2; return 1; }
}
# dircpu_start PID: a group of our own with the budget, PID in it, and
# every one of its threads with it (cgroup.procs moves a whole process;
# checked rather than assumed)
dircpu_start() {
	local pid=$1
	DIRCPU_CG=$DIRCPU_ROOT/sspr-bench-$$
	if [ "$DIRCPU_V" = 2 ]; then
		if ! grep -qw cpu "$DIRCPU_ROOT/cgroup.subtree_control"; then
			echo +cpu > "$DIRCPU_ROOT/cgroup.subtree_control" ||
				{ say "cannot enable cpu in $DIRCPU_ROOT/cgroup.subtree_control"; DIRCPU_CG=; return 1; }
			DIRCPU_ENABLED=1
		fi
	fi
	mkdir "$DIRCPU_CG" || { say "cannot create $DIRCPU_CG"; DIRCPU_CG=; return 1; }
	if [ "$DIRCPU_V" = 2 ]; then
		echo "$DIRCPU_QUOTA $DIRCPU_PERIOD" > "$DIRCPU_CG/cpu.max"
	else
		echo "$DIRCPU_PERIOD" > "$DIRCPU_CG/cpu.cfs_period_us" &&
			echo "$DIRCPU_QUOTA" > "$DIRCPU_CG/cpu.cfs_quota_us"
	fi || { say "cannot set the quota in $DIRCPU_CG"; return 1; }
	echo "$pid" > "$DIRCPU_CG/cgroup.procs" ||
		{ say "cannot move slapd ($pid) into $DIRCPU_CG"; return 1; }
	dircpu_holds "$pid" || return 1
	say "slapd ($pid, $(ls "/proc/$pid/task" | wc -l) threads) held to $DIRCPU cores: $DIRCPU_QUOTA us every $DIRCPU_PERIOD us ($DIRCPU_CG, cgroup v$DIRCPU_V)"
}
# dircpu_holds PID: every thread of PID is in the group (threads slapd
# starts later inherit it; checked again after every point)
dircpu_holds() {
	local t list=tasks
	[ "$DIRCPU_V" = 2 ] && list=cgroup.threads
	for t in "/proc/$1/task"/*; do
		grep -qx "${t##*/}" "$DIRCPU_CG/$list" ||
			{ say "slapd's thread ${t##*/} is not in $DIRCPU_CG"; return 1; }
	done
}
# dircpu_stat: "periods throttled throttled_ms" of the group so far
dircpu_stat() {
	awk '$1 == "nr_periods" { p = $2 } $1 == "nr_throttled" { n = $2 }
	     $1 == "throttled_time" { ms = $2 / 1e6 } $1 == "throttled_usec" { ms = $2 / 1e3 }
	     END { printf "%d %d %.1f\n", p, n, ms }' "$DIRCPU_CG/cpu.stat"
}
# dircpu_remove: the group goes at exit, whatever happened; its
# processes back to the root first (a group with members cannot be
# removed; one exiting may linger a moment)
dircpu_remove() {
	local p
	[ -n "$DIRCPU_CG" ] && [ -d "$DIRCPU_CG" ] || return 0
	for p in $(cat "$DIRCPU_CG/cgroup.procs" 2>/dev/null); do
		echo "$p" > "$DIRCPU_ROOT/cgroup.procs" 2>/dev/null
	done
	wait_for 5 rmdir "$DIRCPU_CG" 2>/dev/null ||
		echo "# could not remove $DIRCPU_CG: rmdir it by hand" >&2
	# the controller goes off again if we turned it on and nobody else
	# uses it now
	[ -n "$DIRCPU_ENABLED" ] &&
		echo -cpu > "$DIRCPU_ROOT/cgroup.subtree_control" 2>/dev/null
	DIRCPU_CG=
}
if [ -n "$DIRCPU" ]; then
	dircpu_check || exit 1
fi
# The run's own servers and the group go at exit, then env.sh's cleanup
# (slapd, the sink, the daemons, $T).
PF_STARTED=
bench_exit() {
	dircpu_remove
	[ -n "$PF_STARTED" ] && postfix -c "$T/pf/etc" stop >/dev/null 2>&1
	cleanup
}
trap bench_exit EXIT

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
bench_people "$NUSERS" "$PREFIX" > "$T/people.ldif"
export PEOPLE_LDIF=$T/people.ldif

# --- machine -------------------------------------------------------------
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
mem_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
printf '{"test":"machine","cores":%s,"cpu":"%s","mem_mib":%s,"kernel":"%s","load_start":"%s","slapd":"%s","users":%s,"runs":%s,"secs":%s,"mail_tls":"%s","mta":"%s","notify":"%s","dir_cpu":%s,"dir_cpu_period_us":%s,"date":"%s"}\n' \
	"$(nproc)" "$cpu_model" "$((mem_kib / 1024))" "$(uname -r)" \
	"$(cut -d' ' -f1-3 /proc/loadavg)" \
	"$(dpkg-query -W -f='${Version}' slapd 2>/dev/null)" "$NUSERS" "$RUNS" \
	"$SECS" "${BENCH_MAIL_TLS:-starttls}" "${BENCH_MTA:-sink}" \
	"${BENCH_NOTIFY:-no}" "${DIRCPU:-null}" "$DIRCPU_PERIOD" "$STAMP" >> "$OUT"

say "starting slapd with $NUSERS users, the mail server (${BENCH_MTA:-sink}) and the daemon in $T"
slapd_start || exit 1
SLAPD_PID=$(cat "$T/slapd.pid")
SINK_MODE=
[ "${BENCH_MAIL_TLS:-starttls}" = none ] && SINK_MODE=--plain
export SINK_MODE
MAILDIR=$T/mail
# postfix_start: a Postfix instance of its own (postfix -c $T/pf/etc: its
# own main.cf, master.cf, queue and data directories; the system's
# /etc/postfix is only read, for master.cf's services), on a loopback
# port, STARTTLS required (or none with BENCH_MAIL_TLS=none) with the
# sink's certificate, every message for example.test delivered by
# virtual(8) into one Maildir that flowload watches.  Its CPU is the
# master's with its children's, exited or not (cpu_of_tree).
postfix_start() {
	local pf=$T/pf tls=encrypt
	[ "${BENCH_MAIL_TLS:-starttls}" = none ] && tls=none
	SMTP_PORT=$(ports 1)
	mkdir -p "$pf/etc" "$pf/queue" "$pf/data" "$pf/box/mail/new" \
		"$pf/box/mail/cur" "$pf/box/mail/tmp"
	chown -R nobody:nogroup "$pf/box"
	chown postfix "$pf/data"
	install -m 0600 "$T/server.key" "$pf/etc/server.key"
	install -m 0644 "$T/server.pem" "$pf/etc/server.pem"
	cat > "$pf/etc/main.cf" <<-EOF
	compatibility_level = 3.6
	queue_directory = $pf/queue
	data_directory = $pf/data
	mail_owner = postfix
	setgid_group = postdrop
	myhostname = mail.example.test
	mydestination =
	inet_interfaces = 127.0.0.1
	inet_protocols = ipv4
	mynetworks = 127.0.0.0/8
	alias_maps =
	alias_database =
	smtpd_recipient_restrictions = permit_mynetworks, reject
	smtpd_tls_cert_file = $pf/etc/server.pem
	smtpd_tls_key_file = $pf/etc/server.key
	smtpd_tls_security_level = $tls
	virtual_mailbox_domains = example.test
	virtual_mailbox_base = $pf/box
	virtual_mailbox_maps = static:mail/
	virtual_uid_maps = static:$(id -u nobody)
	virtual_gid_maps = static:$(getent group nogroup | cut -d: -f3)
	virtual_minimum_uid = 1
	virtual_destination_concurrency_limit = 100
	default_process_limit = 300
	smtpd_client_connection_count_limit = 0
	smtpd_client_connection_rate_limit = 0
	smtpd_client_message_rate_limit = 0
	anvil_rate_time_unit = 60s
	EOF
	sed -E "s/^smtp( +)inet/127.0.0.1:$SMTP_PORT inet/" /etc/postfix/master.cf \
		> "$pf/etc/master.cf"
	postconf -c "$pf/etc" -F '*/*/chroot = n'
	postfix -c "$pf/etc" start > "$T/postfix.out" 2>&1 ||
		{ echo "# postfix did not start"; sed 's/^/#   /' "$T/postfix.out"; return 1; }
	PF_STARTED=1
	wait_for 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SMTP_PORT" ||
		{ echo "# postfix never listened on $SMTP_PORT"; return 1; }
	SINK_PID=$(head -n 1 "$pf/queue/pid/master.pid" | tr -d ' ')
	MAILDIR=$pf/box/mail/new
}
MTA=${BENCH_MTA:-sink}
case $MTA in
sink) sink_start $SINK_MODE || exit 1 ;;
postfix) postfix_start || exit 1 ;;
*) echo "BENCH_MTA: sink or postfix" >&2; exit 1 ;;
esac
# room for the held flows; uid 0 is not capped per uid, others are
DAEMON_EXTRA_DAEMON="max_flows = $(( need + 1000 ))
max_flows_per_uid = $(( need + 1000 ))"
export DAEMON_EXTRA_DAEMON
# The baseline sends one message per reset; the notification after a
# reset ([notify]) is a second one, so like is compared with like only
# without it.  BENCH_NOTIFY=yes measures the product with it.
bench_conf "$T/helperd.conf" "${BENCH_NOTIFY:-no}"
MAIL_CA=$T/ca.pem
[ "${BENCH_MAIL_CA:-bundle}" = bundle ] && bench_mail_ca "$T/helperd.conf"
printf '{"test":"mailca","file":"%s","cas":%s}\n' "${MAIL_CA##*/}" \
	"$(grep -c 'BEGIN CERTIFICATE' "$MAIL_CA")" >> "$OUT"
daemon_start || exit 1

bench_base_args "${BENCH_MAIL_TLS:-starttls}"
flow_args=(-s "$T/run/helperd.sock" -m "$MAILDIR" -u "$PREFIX" -n "$NUSERS")
# The baseline with kept connections does the daemon's mail work: with
# [notify] on, the notification after the reset too.
reuse_args=()
[ "${BENCH_NOTIFY:-no}" = yes ] && reuse_args=(-N)

# CPU (ms) a process has used so far, all threads; for Postfix's master,
# with every child it has reaped and every one still running
cpu_of() {
	[ "$MTA" = postfix ] && [ "$1" = "$SINK_PID" ] && { cpu_of_tree "$1"; return; }
	bench_cpu_ms "$1"
}
cpu_of_tree() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v hz="$(getconf CLK_TCK)" -v top="$1" '{
		pid = $1; sub(/^.*\) /, "")
		if (pid == top) t += $12 + $13 + $14 + $15
		else if ($2 == top) t += $12 + $13
	} END { print t * 1000 / hz }'
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
			measure "$BB/baseload" -k mailreuse -c $c -t "$SECS" "${base_args[@]}"
		done
	fi
	want base || want product || continue
	say "round $ROUND/$RUNS: baseline and product pairs"
	for c in 1 16 64 256; do
		if want base; then
			measure "$BB/baseload" -k both -c $c -t "$SECS" "${base_args[@]}"
			measure "$BB/baseload" -k bothreuse -c $c -t "$SECS" \
				"${base_args[@]}" "${reuse_args[@]}"
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
	ONE_RELAY_PID=$DAEMON_PID
	MANY_PIDS=()
	relay_args=(-s "$T/run/benchrelay.sock" -m "$T/mail" -u "$PREFIX" -n "$NUSERS")
	# both sides warm (alone, this section's first local point was cold)
	"$BB/flowload" load -c 16 -t 1 "${flow_args[@]}" >/dev/null
	"$BB/flowload" load -c 16 -t 1 "${relay_args[@]}" >/dev/null
	# BENCH_RELAYS relays more, each its own host (certificate name), all
	# in front of the same reset server; flowload sends each connection
	# to the next relay in turn
	NRELAYS=${BENCH_RELAYS:-100}
	many_args=()
	if [ "$NRELAYS" -gt 0 ]; then
		say "fleet: starting $NRELAYS relays with certificates of their own"
		for i in $(seq "$NRELAYS"); do
			fleet_cert "bh$i" "bench-host-$i.test"
			RELAY_EXTRA_DAEMON=$DAEMON_EXTRA_DAEMON relay_conf "br$i" "bh$i" "localhost:$FPORT"
			sed -i "s|^debug = yes|debug = no|" "$T/br$i.conf"
			daemon_start "br$i" || exit 1
			MANY_PIDS+=("$DAEMON_PID")
			many_args+=(-s "$T/run/br$i.sock")
		done
		many_args+=(-m "$T/mail" -u "$PREFIX" -n "$NUSERS")
		"$BB/flowload" load -c 16 -t 1 "${many_args[@]}" >/dev/null
	fi
	# fleet_point KIND TEST [FIELDS]: one measurement at $c, a row of its
	# own (section 2's product figures stay as they were)
	# and the CPU the relays spent meanwhile, per reset (relay_cpu_per_op)
	fleet_point() {
		local n args r0 r1 p pids=()
		n=$(wc -l < "$OUT")
		case $1 in
		local) DAEMON_PID=$LOCAL_PID; args=("${flow_args[@]}") ;;
		relay) DAEMON_PID=$FLEET_PID; args=("${relay_args[@]}"); pids=("$ONE_RELAY_PID") ;;
		relays) DAEMON_PID=$FLEET_PID; args=("${many_args[@]}"); pids=("${MANY_PIDS[@]}") ;;
		esac
		r0=0
		for p in "${pids[@]}"; do r0=$(awk -v a="$r0" -v b="$(cpu_of "$p")" 'BEGIN { print a + b }'); done
		measure "$BB/flowload" load -c $c -t "$SECS" "${args[@]}" || return
		r1=0
		for p in "${pids[@]}"; do r1=$(awk -v a="$r1" -v b="$(cpu_of "$p")" 'BEGIN { print a + b }'); done
		sed -i "$((n + 1))s/\"test\":\"product\"/\"test\":\"$2\"${3:-}/" "$OUT"
		awk -v l=$((n + 1)) -v d="$(awk -v a="$r0" -v b="$r1" 'BEGIN { print b - a }')" '
			NR == l { match($0, /"total":[0-9]+/); t = substr($0, RSTART + 8, RLENGTH - 8) + 0
				if (t < 1) t = 1
				sub(/}$/, ""); printf "%s,\"relay_cpu_per_op\":%.3f}\n", $0, d / t; next }
			{ print }' "$OUT" > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
	}
	kinds="local relay"
	[ "$NRELAYS" -gt 0 ] && kinds="$kinds relays"
	for ROUND in $(seq "$RUNS"); do
		say "round $ROUND/$RUNS: local, one relay and $NRELAYS relays"
		# every other round in the reverse order: a machine that slows
		# down or speeds up during a round favours neither side
		order=$kinds
		[ $((ROUND % 2)) -eq 0 ] && order=$(echo "$kinds" | tr ' ' '\n' | tac | tr '\n' ' ')
		for c in 16 256; do
			for k in $order; do
				case $k in
				local) fleet_point local relay-local ;;
				relay) fleet_point relay relay ;;
				relays) fleet_point relays relays ",\"relays\":$NRELAYS" ;;
				esac
			done
		done
	done
	DAEMON_PID=$LOCAL_PID
fi

# --- 4. ordinary logins ----------------------------------------------------
# The checker is pam_userdb (plain-text Berkeley DB, try_first_pass): cheap,
# in-process, and it takes the password pam_sspr hands on instead of asking
# again.  Stacks: the checker alone (the reference), pam_sspr in front of
# it, an identical copy of the reference (noise), pam_permit in front (what
# any extra module costs).  The time is the CPU time of the logins' thread
# (pamload -c): what the module costs, without the waits for a core that
# other work on the machine causes.
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
			-n "$PAM_ITERS" -r "$PAM_ROUNDS" -m $mode -c -l "$T/pamcount.sock" \
			checker sspr checker-copy permit >> "$OUT" ||
			{ say "pamload -m $mode failed"; FAILED=$((FAILED + 1)); }
	done
	# the checker must refuse a wrong password, or the figures mean nothing
	"$BB/pamload" -d "$T/pam.d" -u benchuser -p wrong-password -n 10 -r 1 \
		checker sspr | sed 's/"test":"pam"/"test":"pam-wrong"/' >> "$OUT"
fi

# --- 4b. whole ordinary logins: auth + account, as pam-auth-update ---------
# Debian's common-auth and common-account with pam_unix (a yescrypt hash,
# the user in nss_wrapper's passwd, preloaded into pamload), with and
# without pam_sspr's lines from conf/pam-configs/pam_sspr; its account
# step makes a STATUS round trip to the running daemon.  Wall time: the
# person waits for the daemon and the directory, not only for the
# module's CPU.  A whole login is tens of milliseconds of yescrypt, so on
# a shared machine its ratio moves more than pam_sspr adds; the account
# step is therefore also measured alone (pam_permit for auth, pam_permit
# and then pam_sspr for account), for a directory user (u00001), a name
# the directory does not know, and root, with the CPU the daemon and
# slapd spent per STATUS; and with slapd stopped (SIGSTOP), where every
# STATUS waits the daemon's status_timeout.
login_stacks() {	# login_stacks DIR SOCKET
	local unix_auth="auth [success=1 default=ignore] pam_unix.so nullok"
	local tail_auth="auth requisite pam_deny.so
auth required pam_permit.so"
	local acct="account [success=1 new_authtok_reqd=done default=ignore] pam_unix.so
account requisite pam_deny.so
account required pam_permit.so"
	local sspr="$BUILD/pam_sspr.so socket=$2 daemon_user=$(id -un)"
	mkdir -p "$1"
	printf '%s\n%s\n%s\n' "$unix_auth" "$tail_auth" "$acct" > "$1/login"
	cp "$1/login" "$1/login-copy"
	printf 'auth requisite %s\n%s try_first_pass\n%s\n%s\naccount required %s\n' \
		"$sspr" "$unix_auth" "$tail_auth" "$acct" "$sspr" > "$1/login-sspr"
	printf 'auth requisite %s\n%s try_first_pass\n%s\n%s\n' \
		"$sspr" "$unix_auth" "$tail_auth" "$acct" > "$1/login-sspr-auth"
	printf 'auth required pam_permit.so\naccount required pam_permit.so\n' > "$1/acct"
	cp "$1/acct" "$1/acct-copy"
	printf 'auth required pam_permit.so\naccount required pam_permit.so\naccount required %s\n' \
		"$sspr" > "$1/acct-sspr"
}
# login_run KIND USER ITERS ROUNDS STACK...: one pamload -m login line,
# with the CPU the daemon and slapd spent meanwhile
login_run() {
	local k=$1 u=$2 n=$3 r=$4 d0 s0 line
	shift 4
	d0=$(cpu_of "$DAEMON_PID") s0=$(cpu_of "$SLAPD_PID")
	line=$(env LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_PASSWD="$T/nw.passwd" \
		NSS_WRAPPER_GROUP="$T/nw.group" \
		"$BB/pamload" -d "$T/pam.login" -u "$u" -p Bench-Passw0rd \
		-n "$n" -r "$r" -m login "$@") ||
		{ say "pamload -m login ($k) failed"; FAILED=$((FAILED + 1)); return; }
	printf '%s\n' "$line" | awk -v k="$k" -v u="$u" \
	    -v loadavg="$(cut -d' ' -f1 /proc/loadavg)" \
	    -v d="$(awk -v a="$d0" -v b="$(cpu_of "$DAEMON_PID")" 'BEGIN { print b - a }')" \
	    -v s="$(awk -v a="$s0" -v b="$(cpu_of "$SLAPD_PID")" 'BEGIN { print b - a }')" '{
		sub(/"test":"pam"/, "\"test\":\"login\",\"kind\":\"" k "\",\"user\":\"" u "\",\"load\":" loadavg ",\"daemon_cpu_ms\":" d ",\"slapd_cpu_ms\":" s)
		print }' >> "$OUT"
}
if want login; then
	say "whole logins: auth + account with pam_unix, with and without pam_sspr"
	LOGIN_USER=${PREFIX}00001
	hash=$(/usr/bin/python3 -c 'import ctypes, crypt, sys
l = ctypes.CDLL("libcrypt.so.1"); l.crypt_gensalt.restype = ctypes.c_char_p
print(crypt.crypt(sys.argv[1], l.crypt_gensalt(b"$y$", 0, None, 0).decode()))' \
		Bench-Passw0rd 2>/dev/null)
	# an empty field would let pam_unix (nullok) in without a password
	case $hash in
	'$y$'*) ;;
	*) say "no yescrypt hash (python3's crypt module?): whole logins not measured"
	   FAILED=$((FAILED + 1)); ONLY=${ONLY/login/} ;;
	esac
	# the hash in passwd itself: pam_unix reads no shadow entry then (and
	# nss_wrapper has no getspnam_r for it)
	echo "$LOGIN_USER:$hash:20001:20000:Bench:/nonexistent:/bin/sh" > "$T/nw.passwd"
	echo "bench:x:20000:" > "$T/nw.group"
	login_stacks "$T/pam.login" "$T/run/helperd.sock"
fi
if want login; then
	login_run warm "$LOGIN_USER" "${BENCH_LOGIN_ITERS:-30}" "${BENCH_LOGIN_ROUNDS:-9}" \
		login login-sspr login-copy login-sspr-auth
	# pam_unix must refuse a wrong password, or the figures mean nothing
	# (one login per stack in the counted round)
	wrong=$(env LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_PASSWD="$T/nw.passwd" \
		NSS_WRAPPER_GROUP="$T/nw.group" "$BB/pamload" -d "$T/pam.login" \
		-u "$LOGIN_USER" -p wrong-password -n 1 -r 1 -m login login login-sspr)
	[ "$(printf '%s' "$wrong" | grep -o '"failures":1' | wc -l)" = 2 ] ||
		{ say "a wrong password was accepted: $wrong"; FAILED=$((FAILED + 1)); }
	say "the account step alone: a directory user, an unknown name, root"
	for u in "$LOGIN_USER" nosuchuser root; do
		login_run account "$u" "${BENCH_ACCT_ITERS:-300}" "${BENCH_LOGIN_ROUNDS:-9}" \
			acct acct-sspr acct-copy
	done
	say "the account step with slapd stopped"
	kill -STOP "$SLAPD_PID"
	login_run slow "$LOGIN_USER" 2 3 acct acct-sspr acct-copy
	kill -CONT "$SLAPD_PID"
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

# --- 8. the directory as the limit (issue 18, item 4) ---------------------
# A daemon per [directory] connections setting, each with the run's
# configuration otherwise; per round and setting, the directory alone at
# as many connections and then complete resets at 256 flows, back to back.
# Rows: "test":"dirlimit", "kind" dir or product, "dconns" the setting,
# "dir_cpu" slapd's budget in cores (null: unlimited), "wall_ms", slapd's
# operations per completed reset by type ("ldap_ops", from cn=Monitor)
# and, with a budget, how often the quota stopped it ("throttle") and
# how many threads slapd had then, every one of them checked in the group.
# The 256 flows start spread over 2 s and are counted from the 4th: behind
# a slow directory flows started at once stay in step and finish in
# bursts about as far apart as the 3 s window is long (pairs of 0.6 and
# 1.1 from the same settings).
if want dirlimit; then
	say "the directory as the limit: [directory] connections ${BENCH_DIRCONNS:-4 16 64}"
	# cn=Monitor counts the operations slapd completed, by type: how many
	# the product asks of the directory per reset against the baseline
	ldapmod -a <<-EOF || { say "cannot add cn=Monitor to slapd"; exit 1; }
	dn: olcDatabase=monitor,cn=config
	objectClass: olcDatabaseConfig
	olcDatabase: monitor
	olcAccess: to * by dn.exact=gidNumber=$(id -g)+uidNumber=$(id -u),cn=peercred,cn=external,cn=auth read by * none
	EOF
	MAIN_PID=$DAEMON_PID
	declare -A DL_PID
	for dc in ${BENCH_DIRCONNS:-4 16 64}; do
		sed -e "s|^socket = .*|socket = $T/run/dl$dc.sock|" \
		    -e "/^\[directory\]/a connections = $dc" "$T/helperd.conf" > "$T/dl$dc.conf"
		chmod 600 "$T/dl$dc.conf"
		daemon_start "dl$dc" || exit 1
		DL_PID[$dc]=$DAEMON_PID
	done
	# the budget before the warm-up, so that the daemons' first flows
	# meet the directory they will be measured against
	if [ -n "$DIRCPU" ]; then
		dircpu_start "$SLAPD_PID" || exit 1
	fi
	for dc in ${BENCH_DIRCONNS:-4 16 64}; do
		"$BB/flowload" load -c 64 -t 1 -s "$T/run/dl$dc.sock" -m "$MAILDIR" \
			-u "$PREFIX" -n "$NUSERS" >/dev/null
	done
	# ldap_ops: "bind search modify extended" operations slapd completed
	ldap_ops() {
		ldapsearch -H "$(ldapi_url)" -Y EXTERNAL -Q -LLL -o ldif-wrap=no \
			-b cn=Operations,cn=Monitor -s one monitorOpCompleted 2>/dev/null |
			awk '/^dn: cn=/ { split($2, a, /[=,]/); k = tolower(a[2]) }
			     /^monitorOpCompleted:/ { n[k] = $2 }
			     END { printf "%d %d %d %d\n", n["bind"], n["search"], n["modify"], n["extended"] }'
	}
	# dl_point KIND DCONNS CMD...: one measurement, its row tagged as
	# section 8's, with the directory's operations and throttling
	dl_point() {
		local kind=$1 dc=$2 o0 o1 q0="0 0 0" q1="0 0 0" w0 w1
		shift 2
		o0=$(ldap_ops) w0=$(date +%s%N)
		[ -n "$DIRCPU_CG" ] && q0=$(dircpu_stat)
		measure "$@" || return 1
		[ -n "$DIRCPU_CG" ] && q1=$(dircpu_stat)
		o1=$(ldap_ops) w1=$(date +%s%N)
		if [ -n "$DIRCPU_CG" ] && ! dircpu_holds "$SLAPD_PID"; then
			FAILED=$((FAILED + 1))
			return 1
		fi
		awk -v kind="$kind" -v dc="$dc" -v o0="$o0" -v o1="$o1" -v q0="$q0" \
		    -v q1="$q1" -v wall="$(( (w1 - w0) / 1000000 ))" -v budget="${DIRCPU:-null}" \
		    -v threads="$(ls "/proc/$SLAPD_PID/task" | wc -l)" '
			BEGIN { split(o0, a); split(o1, b); split(q0, c); split(q1, d) }
			{ buf[NR] = $0 }
			END {
				for (i = 1; i < NR; i++) print buf[i]
				r = buf[NR]
				match(r, /"total":[0-9]+/); t = substr(r, RSTART + 8, RLENGTH - 8) + 0
				if (t < 1) t = 1
				sub(/^\{"test":"[a-z]+"(,"kind":"[a-z]+")?/, "{\"test\":\"dirlimit\",\"kind\":\"" kind "\",\"dconns\":" dc, r)
				sub(/}$/, "", r)
				printf "%s,\"dir_cpu\":%s,\"slapd_threads\":%d,\"wall_ms\":%d,\"ldap_ops\":{\"bind\":%.3f,\"search\":%.3f,\"modify\":%.3f,\"extended\":%.3f}", \
				    r, budget, threads, wall, (b[1] - a[1]) / t, (b[2] - a[2]) / t, (b[3] - a[3]) / t, (b[4] - a[4]) / t
				if (budget != "null")
					printf ",\"throttle\":{\"periods\":%d,\"throttled\":%d,\"ms\":%.1f}", \
					    d[1] - c[1], d[2] - c[2], d[3] - c[3]
				print "}"
			}' "$OUT" > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
	}
	for ROUND in $(seq "$RUNS"); do
		say "round $ROUND/$RUNS: the directory alone and resets, per connections setting"
		for dc in ${BENCH_DIRCONNS:-4 16 64}; do
			DAEMON_PID=${DL_PID[$dc]}
			dl_point dir "$dc" "$BB/baseload" -k dir -c "$dc" -t "$SECS" "${base_args[@]}"
			dl_point product "$dc" "$BB/flowload" load -c 256 -t "$SECS" \
				-R 2 -w 4 -s "$T/run/dl$dc.sock" -m "$MAILDIR" -u "$PREFIX" -n "$NUSERS"
		done
	done
	dircpu_remove
	for dc in ${BENCH_DIRCONNS:-4 16 64}; do
		DAEMON_PID=${DL_PID[$dc]}
		daemon_stop
	done
	DAEMON_PID=$MAIN_PID
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
