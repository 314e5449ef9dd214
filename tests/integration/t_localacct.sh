#!/bin/bash
# NSS's answer on whether a name is a local account is kept for [policy]
# local_account_cache seconds (localacct.c): a name that becomes a local
# system account is refused once that time has passed, and at once after
# a reload.  The daemon reads its local accounts through nss_wrapper
# ($T/passwd), so the test can add one while it runs.
. "$SRC/tests/lib/env.sh"
LIBDIR=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
[ -e "$LIBDIR/libnss_wrapper.so" ] || skip_all "libnss-wrapper is not installed"

{
	echo "root:x:0:0:root:/root:/bin/sh"
	echo "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"
} > "$T/passwd"
printf '%s\n' "root:x:0:" "nogroup:x:65534:" > "$T/group"
ASAN_EXTRA=
[ -n "${SSPR_ASAN:-}" ] && ASAN_EXTRA="ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0"
DAEMON_WRAPPER="env LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_PASSWD=$T/passwd NSS_WRAPPER_GROUP=$T/group NSS_WRAPPER_DISABLE_DEEPBIND=1 $ASAN_EXTRA"

slapd_start && sink_start || exit 1
daemon_conf "$T/helperd.conf"	# source_flows = 60: every poll is a START
echo "local_account_cache = 60" >> "$T/helperd.conf"	# [policy] is last
daemon_start || exit 1

# nss_wrapper rereads its file when the mtime (in seconds) changes: each
# edit gets an mtime of its own
edits=0
base=$(date +%s)
local_add() {	# local_add NAME UID: NAME becomes a local account
	echo "$1:x:$2:$2::/nonexistent:/usr/sbin/nologin" >> "$T/passwd"
	edits=$((edits + 1))
	touch -d "@$((base - 100 + edits))" "$T/passwd"
}
refusals() {
	grep -c 'root or a local system account' "$T/helperd.log"
}
start() {	# start NAME: a reset's START, cancelled at the code prompt
	raw hello recv start "$1" recv cancel
}

# carol is the directory's only: she gets a code
like "$(start carol)" 'CHALLENGE method=1 dest=c' "carol: a code is offered"
wait_for 10 mail_at_least carol@example.test 1
ok $? "and sent: carol is no local account"
is "$(refusals)" 0 "nobody refused yet"

# carol becomes a local system account; bob, never asked about, too
local_add carol 105
local_add bob 106
start bob >/dev/null
is "$(refusals)" 1 "bob, a local account (uid 106) never asked about: refused at once"
is "$(mail_count bob@example.test)" 0 "no code mail to bob"
like "$(start carol)" 'CHALLENGE method=1 dest=c' "carol again"
wait_for 10 mail_at_least carol@example.test 2
ok $? "within local_account_cache (60 s) NSS's kept answer on carol stands: a second code"
is "$(refusals)" 1 "carol not refused yet"

# a reload empties what is kept: carol is refused at once
sed -i 's/^local_account_cache = 60$/local_account_cache = 1/' "$T/helperd.conf"
reloads=$(grep -c "configuration reloaded" "$T/helperd.log")
kill -HUP "$DAEMON_PID"
reloaded() { [ "$(grep -c "configuration reloaded" "$T/helperd.log")" -gt "$reloads" ]; }
wait_for 10 reloaded
ok $? "reloaded"
like "$(start carol)" 'CHALLENGE method=1 dest=' "carol after the reload: the same challenge as any name"
is "$(refusals)" 2 "carol refused at once after the reload"
is "$(mail_count carol@example.test)" 2 "and no third code mail to her"

# with local_account_cache = 1 a kept answer lasts a second: dave, asked
# about (a code), then a local account, is refused after it
like "$(start dave)" 'CHALLENGE method=1 dest=d' "dave: a code is offered"
wait_for 10 mail_at_least dave@example.test 1
ok $? "and sent"
local_add dave 107
t0=$(date +%s%N)
dave_refused() {
	start dave >/dev/null
	[ "$(refusals)" -gt 2 ]
}
refused=1
for i in $(seq 20); do
	dave_refused && { refused=0; break; }
	sleep 0.25	# a poll, not a wait for something: every try is a START
done
ok $refused "dave, a local account for a second now, is refused"
[ $refused -eq 0 ] && echo "# refused $(( ($(date +%s%N) - t0) / 1000000 )) ms after he became a local account (try $i)"

done_testing
