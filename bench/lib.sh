# shellcheck shell=bash
# bench/lib.sh: what bench/run.sh and bench/cpu.sh both need, sourced
# after tests/lib/env.sh.

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
