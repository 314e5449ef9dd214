#!/bin/bash
# The mail server's certificate is checked against exactly the configured
# CA file, on every message, although each mail worker keeps one libcurl
# handle (and its parsed CA store) from message to message: a CA file
# that does not hold the sink's CA, or none at all (the system store),
# fails the send; back-to-back messages through one worker all arrive.
. "$SRC/tests/lib/env.sh"
slapd_start || exit 1
sink_start || exit 1
DAEMON_EXTRA_MAIL="workers = 1"
export DAEMON_EXTRA_MAIL

# one flow of user $1 on socket $2: prints the answers to START and ANSWER
flow() {
	SOCKET=$2 raw hello recv start "$1" recv \
	    answer "!$SRC/tests/lib/env-mailcode.sh $T $1@example.test ${3:-1}" recv
}

# 1. The sink's CA: four flows in a row through the one worker.  The From
# address has a display name, as mail admins write it (not ASCII, so
# RFC 2047-encoded in the header).
NAME='Wachtwoord herstellen – Équipe IT'
daemon_conf "$T/good.conf"
sed -i "s|^from = .*|from = $NAME <sspr@example.test>|" "$T/good.conf"
daemon_start good || exit 1
for i in 1 2 3 4; do
	out=$(flow alice "$T/run/helperd.sock" $i)
	like "$out" 'VERIFIED' "message $i through one kept handle arrives and verifies"
done
is "$(mail_count alice@example.test)" 4 "four mails, one per flow"
eml=$(ls "$T/mail"/*-alice@example.test.eml | head -n 1)
is "$(sed -n 's/^X-Envelope-From: //p' "$eml" | tr -d '\r')" sspr@example.test \
	"the envelope sender (MAIL FROM) is the bare address"
from=$(grep -m 1 '^From: ' "$eml" | tr -d '\r')
like "$from" '^From: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=( =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=)* <sspr@example\.test>$' \
	"the From header: the name RFC 2047-encoded, then the address"
is "$($PY -c 'import sys, email.header, email.utils
n, a = email.utils.parseaddr(str(email.header.make_header(email.header.decode_header(sys.argv[1][6:]))))
print(n + "|" + a)' "$from")" "$NAME|sspr@example.test" "and it decodes to the configured name and address"
# an unknown name's made-up mask takes the From address's domain, not
# the display name or its '>'
like "$(raw hello recv start zed-unknown recv cancel)" 'CHALLENGE method=1 dest=z\*\*\*@e\*\*\*\.test ' \
	"an unknown name's mask is built from the bare From address"

# 2. A reload that names another CA file: the worker's kept store of the
# old one is not used for it; and back.
mkdir -p "$T/other"
"$SRC/tests/lib/ca.sh" "$T/other"
reload_good() {	# reload_good CAFILE
	local n
	n=$(grep -c 'configuration reloaded' "$T/good.log")
	sed -i "/^\[mail\]/,/^\[code\]/s|^tls_ca_file = .*|tls_ca_file = $1|" "$T/good.conf"
	kill -HUP "$DAEMON_PID"
	wait_for 5 ready_reloaded "$n"
}
ready_reloaded() { [ "$(grep -c 'configuration reloaded' "$T/good.log")" -gt "$1" ]; }
reload_good "$T/other/ca.pem"
ok $? "reloaded with another CA file"
out=$(SOCKET=$T/run/helperd.sock raw hello recv start alice recv answer 12345678 recv)
like "$out" 'FAIL reason=5' "after the reload the sink's certificate is refused"
is "$(mail_count alice@example.test)" 4 "and no mail reached the sink"
reload_good "$T/ca.pem"
ok $? "reloaded with the sink's CA again"
like "$(flow alice "$T/run/helperd.sock" 5)" 'VERIFIED' "and mail flows again"
daemon_stop

# 3. Another CA in tls_ca_file from the start.
SOCKET=$T/run/other.sock daemon_conf "$T/other.conf"
sed -i "/^\[mail\]/,/^\[code\]/s|^tls_ca_file = .*|tls_ca_file = $T/other/ca.pem|" \
	"$T/other.conf"
SOCKET=$T/run/other.sock daemon_start other || exit 1
before=$(mail_count carol@example.test)
out=$(SOCKET=$T/run/other.sock raw hello recv start carol recv answer 12345678 recv)
like "$out" 'FAIL reason=5' "a certificate from another CA: the code is not sent"
is "$(mail_count carol@example.test)" "$before" "and no mail reached the sink"
like "$(cat "$T/other.log")" 'sending the code failed' "the failure is logged"

# 4. No tls_ca_file: libcurl's system store, which does not know the test CA.
SOCKET=$T/run/system.sock daemon_conf "$T/system.conf"
sed -i "/^\[mail\]/,/^\[code\]/s|^tls_ca_file = .*|tls_ca_file =|" "$T/system.conf"
SOCKET=$T/run/system.sock daemon_start system || exit 1
out=$(SOCKET=$T/run/system.sock raw hello recv start carol recv answer 12345678 recv)
like "$out" 'FAIL reason=5' "the system store does not trust the test CA: not sent"
is "$(mail_count carol@example.test)" "$before" "and no mail reached the sink"

done_testing
