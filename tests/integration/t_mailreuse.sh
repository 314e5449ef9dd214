#!/bin/bash
# A mail worker keeps its SMTP connection for the next message ([mail]
# reuse_seconds, reuse_messages): a reset's code mail and its
# notification travel on one TLS connection; the count and the age end
# it; a reload starts a new one; with reuse off every message has its
# own; a mail server that went away and came back costs nobody a mail.
# The sink stamps every message with the connection it came on.
. "$SRC/tests/lib/env.sh"
slapd_start || exit 1
sink_start || exit 1
DAEMON_EXTRA_MAIL="workers = 1"
export DAEMON_EXTRA_MAIL
MC="$SRC/tests/lib/env-mailcode.sh $T"

isnt() {	# isnt GOT UNWANTED DESCRIPTION
	[ "$1" != "$2" ]
	ok $? "$3 (got '$1')"
}
# conns RCPT: the connection of each mail to RCPT, in arrival order
conns() {
	local f
	for f in $(ls "$T/mail"/*-"$1".eml 2>/dev/null); do
		sed -n 's/^X-Sink-Connection: //p' "$f" | tr -d '\r'
	done
}
tls_all() {	# tls_all RCPT: "yes" once per mail to RCPT that came over TLS
	cat "$T/mail"/*-"$1".eml | sed -n 's/^X-Sink-TLS: //p' | tr -d '\r' |
	    sort -u | tr '\n' ' '
}
mails_at_least() { [ "$(ls "$T/mail"/*-"$1".eml 2>/dev/null | wc -l)" -ge "$2" ]; }
# code USER N: one flow of USER up to VERIFIED, with the Nth code mail
code() {
	raw hello recv start "$1" recv \
	    answer "!$MC $1@example.test ${2:-1}" recv cancel
}
# reset USER N PASSWORD: a whole reset; the notification follows DONE
reset() {
	raw hello recv start "$1" recv \
	    answer "!$MC $1@example.test ${2:-1}" recv newpw "$3" recv
}
reload() {	# reload SED-SCRIPT: edits the config, SIGHUP, waits for it
	local n
	n=$(grep -c 'configuration reloaded' "$T/helperd.log")
	sed -i "$1" "$T/helperd.conf"
	kill -HUP "$DAEMON_PID"
	wait_for 5 reloaded_above "$n"
}
reloaded_above() { [ "$(grep -c 'configuration reloaded' "$T/helperd.log")" -gt "$1" ]; }

daemon_start || exit 1

# 1. The defaults: a reset's two mails on one connection, over TLS.
like "$(reset alice 1 Azure-Reuse-1)" 'DONE outcome=1' "alice's reset is done"
wait_for 10 mails_at_least alice@example.test 2
is "$(notify_count alice@example.test)" 1 "the notification went out"
c=($(conns alice@example.test))
is "${#c[@]}" 2 "two mails to alice: the code and the notification"
is "${c[0]}" "${c[1]}" "both on one connection (no second handshake)"
is "$(tls_all alice@example.test)" "yes " "and that connection was TLS for both"

# and the next flow's mail, a moment later, on the same connection still
like "$(code grace 1)" 'VERIFIED' "grace's code arrives"
is "$(conns grace@example.test)" "${c[0]}" "on the connection alice's mails took"

# 2. A reload (the same file: a new configuration all the same) ends it.
reload 's/^workers = 1$/workers = 1/'
ok $? "reloaded"
like "$(code grace 2)" 'VERIFIED' "grace's second code after the reload"
b=($(conns grace@example.test))
isnt "${b[1]}" "${c[0]}" "a new connection after the reload"

# 3. The sink goes away and comes back: the kept connection is dead; the
# next mail goes out on a new one and the person sees nothing of it.
sink_stop
sink_start || exit 1
like "$(code carol 1)" 'VERIFIED' "carol's code arrives after the sink restarted"
k=$(conns carol@example.test)
isnt "${k%%.*}" "${b[1]%%.*}" "from the new sink process, on a new connection"
unlike "$(cat "$T/helperd.log")" 'sending the code failed' "and no send failed"

# and a server that refuses a second message on a connection (421): the
# next message is sent once more, on a new connection
sink_stop
sink_start --one-per-connection || exit 1
like "$(code carol 2)" 'VERIFIED' "the first code on the new sink"
like "$(code carol 3)" 'VERIFIED' "the second: refused on the kept connection, sent on a new one"
k=($(conns carol@example.test))
isnt "${k[2]:-}" "${k[1]}" "each on its own connection"
unlike "$(cat "$T/helperd.log")" 'sending the code failed' "and no send failed"
sink_stop
sink_start || exit 1

# 4. reuse_messages = 2: two messages on a connection, then a new one.
reload '/^workers = 1$/a reuse_messages = 2'
ok $? "reloaded with reuse_messages = 2"
for i in 1 2 3; do
	like "$(code dave $i)" 'VERIFIED' "dave's code $i"
done
d=($(conns dave@example.test))
is "${d[0]}" "${d[1]}" "the first two on one connection"
isnt "${d[2]}" "${d[1]}" "the third on a new one"

# 5. reuse_seconds = 1: a connection older than that is not used again.
reload 's/^reuse_messages = 2$/reuse_seconds = 1/'
ok $? "reloaded with reuse_seconds = 1"
like "$(code carol 4)" 'VERIFIED' "carol's fourth code"
sleep 2	# the time under test: past reuse_seconds
like "$(code carol 5)" 'VERIFIED' "carol's fifth code, two seconds later"
e=($(conns carol@example.test))
isnt "${e[4]:-}" "${e[3]}" "a connection past reuse_seconds is not reused"

# 6. reuse_messages = 0: a connection per message, the notification too.
reload 's/^reuse_seconds = 1$/reuse_messages = 0/'
ok $? "reloaded with reuse_messages = 0"
like "$(reset frank 1 Frost-Reuse-1)" 'DONE outcome=1' "frank's reset is done"
wait_for 10 mails_at_least frank@example.test 2
f=($(conns frank@example.test))
is "${#f[@]}" 2 "two mails to frank"
isnt "${f[0]}" "${f[1]}" "each on its own connection"
is "$(tls_all frank@example.test)" "yes " "both over TLS"

# 7. A message with a line starting with '.' went out dot-stuffed from a
# copy libcurl keeps in the handle: that handle, and its connection, go.
mkdir -p "$T/tmpl"
cp "$SRC"/conf/mail/*.txt "$T/tmpl/"
printf '.\n-- \nThe helpdesk\n' >> "$T/tmpl/code.txt"
reload "/^reuse_messages = 0\$/d; s|^template_dir = .*|template_dir = $T/tmpl|"
ok $? "reloaded with reuse on and a template with a line starting with '.'"
like "$(code grace 3)" 'VERIFIED' "grace's code in the dotted template"
like "$(code grace 4)" 'VERIFIED' "and the next"
g=($(conns grace@example.test))
isnt "${g[3]:-}" "${g[2]}" "a handle that sent a dot-stuffed message is not kept"

done_testing
