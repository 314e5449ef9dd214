#!/bin/bash
# [register] services and sources: where a person may register or change
# recovery methods.  Through the real PAM stack (pamdrive sets PAM_TTY
# pts/test, and PAM_RHOST with -r): a service that is not listed, a
# remote host outside the listed networks, a host that gives only its
# name: refused by the daemon, the person told, the refusal logged and
# audited, nothing written, the login going on; the console and a listed
# network: the registration runs and confirms.
. "$SRC/tests/lib/env.sh"
slapd_start && sink_start || exit 1
daemon_conf "$T/helperd.conf"
cat >> "$T/helperd.conf" <<EOF

[register]
enabled = yes
services = sspr-test sspr-ssh
sources = tty:pts/* 10.0.0.0/8 ::1
EOF
daemon_start || exit 1
ARGS="socket=$T/run/helperd.sock daemon_user=$(id -un)"
stack() {
	module_line
	ldapcheck_line
	echo "account required $BUILD/pam_sspr.so $ARGS"
	echo "account required pam_permit.so"
}
for svc in sspr-test sspr-ssh sspr-web; do
	stack | pam_service "$svc"
done
login() { DRIVE_OPS=login drive "$@"; }
FRANK="uid=frank,$PEOPLE"
HERE='cannot be registered or changed from here'
MENU='Please keep your account recovery methods up to date'
AUDIT='event=register result=refused reason=where'

refused() {	# refused LABEL SERVICE [RHOST]: registration refused from there
	local out before s
	before=$(grep -c "$AUDIT" "$T/helperd.log")
	s=$(script "r-$2-${3:-tty}" <<-EOF
	^Password => Old-Passw0rd-frank
	EOF
	)
	out=$(DRIVE_RHOST=${3:-} login frank "$s" "$2")
	like "$out" "$HERE" "$1: the person is told registration is not possible from here"
	unlike "$out" "$MENU" "$1: no menu of methods"
	like "$out" 'acct: Success' "$1: the account step does not block the login"
	like "$out" 'result: Success' "$1: and the login succeeds"
	wait_for 5 test "$(grep -c "$AUDIT" "$T/helperd.log")" -gt "$before"
	ok $? "$1: the refusal is audited"
	is "$(attr_of "$FRANK" ssprRegisteredTime)" "" "$1: nothing is written"
}

refused "an unlisted service" sspr-web
refused "an outside network" sspr-ssh 203.0.113.5
refused "an address next to the network" sspr-ssh 11.0.0.1
refused "a host known only by name" sspr-ssh ws1.example.test
like "$(grep 'registration refused' "$T/helperd.log" | tail -n1)" \
    'svc=sspr-ssh src=ws1\.example\.test .*not in \[register\] services/sources' \
    "the log names the service and source that were refused"

# a listed network, a listed service: the menu, and confirming works
cat > "$T/pick.sh" <<EOF
#!/bin/sh
grep -oE '[0-9]+  Looks good' "$T/ok-net.out" | tail -n1 | awk '{print \$1}'
EOF
chmod 755 "$T/pick.sh"
s=$(script ok-net <<EOF
^Password => Old-Passw0rd-frank
^Choose a number => !$T/pick.sh
EOF
)
DRIVE_RHOST=10.20.30.40 login frank "$s" sspr-ssh > "$T/ok-net.out"
out=$(cat "$T/ok-net.out")
unlike "$out" "$HERE" "10.20.30.40 over sspr-ssh: not refused"
like "$out" "$MENU" "the registration is offered"
like "$out" 'confirmed\.' "and confirming works"
like "$(attr_of "$FRANK" ssprRegisteredTime)" '^[0-9]{10}$' "ssprRegisteredTime is written"

# IPv6 loopback and the local terminal, on a listed service
ldapadmin ldapmodify >/dev/null <<EOF
dn: $FRANK
changetype: modify
delete: ssprRegisteredTime
EOF
for how in ::1 ""; do
	s=$(script "ok-${how:-tty}" <<-EOF
	^Password => Old-Passw0rd-frank
	^Choose a number => 
	EOF
	)
	out=$(DRIVE_RHOST=$how login frank "$s" sspr-test)
	like "$out" "$MENU" "from '${how:-pts/test}': the registration is offered"
	unlike "$out" "$HERE" "from '${how:-pts/test}': not refused"
done
done_testing
