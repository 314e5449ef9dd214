# shellcheck shell=bash
# bench/lib.sh: what bench/run.sh and bench/cpu.sh both need: the test
# environment (tests/lib/env.sh, with SRC and BUILD set) and the helpers
# below.

# Our own parent for the temporary directory: other test runs on a shared
# machine may sweep /tmp/sspr-test.* away.
export TMPDIR=${BENCH_TMPDIR:-/tmp/sspr-bench}
mkdir -p "$TMPDIR"
# shellcheck source=../tests/lib/env.sh
. "$SRC/tests/lib/env.sh"

# bench_people NUSERS PREFIX: the tests' people and NUSERS more (PREFIX
# and five digits, uidNumber 20000 + i, a mail address each), as LDIF
bench_people() {
	cat "$SRC/tests/lib/people.ldif"
	awk -v n="$1" -v p="$2" 'BEGIN {
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

# bench_conf FILE NOTIFY: the daemon's configuration as the benchmark runs
# it: the tests' (daemon_conf), production logging (no debug lines), and
# [notify] enabled = NOTIFY (yes or no)
bench_conf() {
	daemon_conf "$1"
	sed -i 's/^debug = yes$/debug = no/' "$1"
	printf '\n[notify]\nenabled = %s\n' "$2" >> "$1"
}

# bench_mail_ca FILE: the mail server checked against a store the size of
# the system's (what an installation with an empty tls_ca_file trusts),
# which still holds the test CA: MAIL_CA, and FILE's [mail] tls_ca_file.
# Without the system's bundle, the test CA alone.
bench_mail_ca() {
	MAIL_CA=$T/ca.pem
	[ -r /etc/ssl/certs/ca-certificates.crt ] || return 0
	MAIL_CA=$T/mailca.pem
	cat /etc/ssl/certs/ca-certificates.crt "$T/ca.pem" > "$MAIL_CA"
	sed -i "/^\[mail\]/,/^\[code\]/s|^tls_ca_file = .*|tls_ca_file = $MAIL_CA|" "$1"
}

# bench_base_args TLS: base_args, baseload's arguments for this run's
# directory, users (NUSERS, PREFIX), mail server and MAIL_CA, the mail
# over TLS (starttls or none)
bench_base_args() {
	# shellcheck disable=SC2034 # the caller's
	base_args=(-H "$LDAP_URI" -C "$T/ca.pem" -D "$SERVICE_DN" -y "$T/bindpw"
		-b "$PEOPLE" -f '(&(objectClass=posixAccount)(uid=%s))'
		-u "$PREFIX" -n "$NUSERS" -S "smtp://127.0.0.1:$SMTP_PORT"
		-F sspr@example.test -M "$MAIL_CA" -T "$1")
}

# bench_cpu_ms PID: the CPU (ms) PID has used so far, all its threads; 0
# for a process that is gone
bench_cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) * 1000 / hz }' \
		"/proc/$1/stat" 2>/dev/null || echo 0
}
