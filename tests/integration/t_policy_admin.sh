#!/bin/bash
# Who may reset ([policy]), the daemon's own password quality checks,
# notifications after a reset or unlock, the audit trail, and ssprctl.
. "$SRC/tests/lib/env.sh"
slapd_start && sink_start || exit 1
MC="$SRC/tests/lib/env-mailcode.sh $T"
printf 'minclass = 3\n' > "$T/pwquality.conf"
printf '# banned\nexample\ncontoso\n' > "$T/banned.txt"
DAEMON_EXTRA_DAEMON= DAEMON_EXTRA_MAIL="organisation = Example Org
helpdesk = Call 555-0100" DAEMON_EXTRA_CODE="
[password]
min_length = 12
pwquality_conf = $T/pwquality.conf
banned_words_file = $T/banned.txt

[policy]
enabled = group
group = cn=sspr-users,ou=groups,$SUFFIX
admin_group = cn=admins,ou=groups,$SUFFIX
exclude_users = grace
min_uid = 1000

[notify]
admin_address = security@example.test

[audit]
file = $T/audit.jsonl" daemon_start || exit 1
{ module_line; ldapcheck_line; } | pam_service sspr-test

wrong=$(script wrong <<'EOF2'
^Password => 
^Choose => 1
^Verification code => 00000000
EOF2
)
ref=$(drive nosuchuser "$wrong")

# --- policy ------------------------------------------------------------------
is "$(drive frank "$wrong" | sed 's/f\*\*\*/n***/')" "$ref" "enabled = group: a non-member looks like an unknown user"
is "$(drive grace "$wrong" | sed 's/g\*\*\*/n***/')" "$ref" "exclude_users: grace looks like an unknown user"
is "$(drive root "$wrong" | sed 's/r\*\*\*/n***/')" "$ref" "root is never reset"
is "$(drive daemon "$wrong" | sed 's/d\*\*\*/n***/')" "$ref" "nor a local system account (uid below min_uid)"
is "$(drive carol "$wrong" | sed 's/c\*\*\*/n***/')" "$ref" \
	"an administrator (admin_group) needs 2 methods and has 1: ineligible"
is "$(( $(mail_count frank@example.test) + $(mail_count grace@example.test) + $(mail_count carol@example.test) ))" \
	0 "none of them got a code"
log=$(cat "$T/helperd.log")
like "$log" "user=frank: not eligible \(not in the group \[policy\] enables\)" "the log says why (group)"
like "$log" "user=grace: not eligible \(excluded or privileged\)" "(excluded user)"
like "$log" "root or a local system account" "(system account)"
like "$log" "user=carol: not eligible \(fewer recovery methods than required\)" "(administrator)"

# --- the daemon's password quality checks ------------------------------------
s=$(script quality <<EOF2
^Password => 
^Choose => 1
^Verification code => !$MC alice@example.test 1
^New password: => Pässwörd-1x
^Retype new password: => Pässwörd-1x
^New password: => sunshine-sunshine
^Retype new password: => sunshine-sunshine
^New password: => Example-Secure-99
^Retype new password: => Example-Secure-99
EOF2
)
out=$(drive alice "$s")
like "$out" '\[error\] That password is too short\.' \
	"11 characters (13 bytes) against min_length 12: counted in characters"
like "$out" '\[error\] That password needs more kinds of characters' "pwquality minclass: a clear sentence"
like "$out" '\[error\] That password contains a word that is not allowed here\.' "the banned words file"
like "$out" 'Too many refused passwords' "three refusals end the flow"
s=$(script quality2 <<EOF2
^Password => 
^Choose => 1
^Verification code => !$MC alice@example.test 2
^New password: => Encyclopedias9
^Retype new password: => Encyclopedias9
^New password: => Abcdefghij12!
^Retype new password: => Abcdefghij12!
^New password: => Über-Strång-97x
^Retype new password: => Über-Strång-97x
EOF2
)
out=$(drive alice "$s")
like "$out" '\[error\] That password is based on a dictionary word\.' "cracklib's dictionary: a clear sentence"
like "$out" '\[error\] That password is too simple' "cracklib's 'systematic': another clear sentence"
like "$out" 'Your password has been changed' "a good non-ASCII password is accepted"
bind_ok "uid=alice,$PEOPLE" 'Über-Strång-97x'
ok $? "alice binds with it"

# --- notifications --------------------------------------------------------------
wait_for 10 test -n "$(ls "$T"/mail/*-alice@example.test.eml 2>/dev/null | xargs grep -l 'X-SSPR-Message: notify-reset')"
n=$(ls "$T"/mail/*-alice@example.test.eml | xargs grep -l 'X-SSPR-Message: notify-reset')
ok $([ -n "$n" ]; echo $?) "alice is told her password was reset"
body=$(tr -d '\r' < "$n")
text=$(printf '%s' "$body" | sed '1,/^$/d')
like "$body" 'Subject: Your password was reset' "with a clear subject"
like "$body" 'was reset at [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC, through' "the time"
like "$body" 'sspr-test on .* \(from pts/test\)' "the service, host and source"
like "$body" 'If this was not you' "what to do if it was not her"
like "$body" 'Call 555-0100' "the helpdesk line"
unlike "$text" 'Über-Strång|[0-9]{8}' "no secret in it"
is "$(notify_count security@example.test)" 0 "alice is no administrator: no admin notice"

# An administrator with one method allowed: the admins are told too.
sed -i 's/^admin_address = .*/&\n/; s/^min_uid = 1000$/min_uid = 1000\nadmin_methods_required = 1/' "$T/helperd.conf"
kill -HUP "$DAEMON_PID"
wait_for 5 grep -q 'configuration reloaded' "$T/helperd.log"
out=$(raw hello recv start carol recv answer "!$MC carol@example.test 1" recv newpw Mauve-Sunrise-42x recv)
like "$out" 'DONE outcome=1' "an administrator resets (admin_methods_required = 1)"
wait_for 10 test "$(notify_count security@example.test)" -ge 1
is "$(notify_count security@example.test reset)" 1 "the administrators' address is notified"
is "$(notify_count carol@example.test reset)" 1 "and carol herself"

# A notification that cannot be sent does not undo the reset.
out=$(raw hello recv start alice recv answer "!$MC alice@example.test 3" recv \
	newpw "!kill $SINK_PID; echo Tangerine-Dusk-58x" recv)
like "$out" 'DONE outcome=1' "with the mail server gone after the code, the reset still completes"
wait_for 10 grep -q 'notifying alice@example.test failed (the change stays)' "$T/helperd.log"
ok $? "the failed notification is logged"
bind_ok "uid=alice,$PEOPLE" Tangerine-Dusk-58x
ok $? "and the new password stays"
sink_start

# --- audit ------------------------------------------------------------------------
audit=$(cat "$T/audit.jsonl")
like "$audit" '"event":"start","result":"ok","reason":"reset","user":"alice"' "audit: flow started"
like "$audit" '"event":"code_sent","result":"ok","user":"alice"' "audit: code sent"
like "$audit" '"event":"code_failed","result":"refused","reason":"wrong"' "audit: a wrong code"
like "$audit" '"event":"reset","result":"refused","reason":"banned-word","user":"alice"' "audit: a refusal with its reason"
like "$audit" '"event":"reset","result":"ok","user":"alice"' "audit: the reset"
like "$audit" '"event":"start","result":"ineligible","reason":"excluded or privileged","user":"grace"' \
	"audit: an ineligible account"
like "$audit" '"user":"#[0-9a-f]{8}"' "unknown user IDs appear only as a keyed tag"
unlike "$audit" 'nosuchuser|Über|Tangerine|Example-Secure|sunshine' "no secret and no unknown name in the audit file"
like "$(cat "$T/helperd.log")" 'audit: event=reset result=ok reason=- user=alice source=pts/test service=sspr-test method=email' \
	"the same event as one structured log line"
is "$(grep -c '"event":"reset","result":"ok","user":"alice"' "$T/audit.jsonl")" 2 "each event once"

# --- pwquality.conf: its settings kept a second -------------------------------
# Lilachorizon53x has three classes of characters, Lilac-Horizon-53x four.
# The daemon keeps the file's settings at most a second (quality.c): an
# edit takes effect within it, with no reload.
past() {	# past T0 MS: MS milliseconds have gone since T0 (date +%s%N)
	[ $(( ($(date +%s%N) - $1) / 1000000 )) -ge "$2" ]
}
printf 'minclass = 4\n' > "$T/pwquality.conf"
t0=$(date +%s%N)
wait_for 5 past "$t0" 1100
out=$(raw hello recv start alice recv answer "!$MC alice@example.test 4" recv \
	newpw Lilachorizon53x recv newpw Lilac-Horizon-53x recv)
like "$out" 'REJECTED reason=40 ' \
	"a second after pwquality.conf says minclass 4, with no reload: three classes refused"
like "$out" 'DONE outcome=1' "and four taken"
printf 'minclass = 3\n' > "$T/pwquality.conf"
t0=$(date +%s%N)
wait_for 5 past "$t0" 1100

# --- ssprctl ----------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
	done_testing
fi
CTL="$BUILD/ssprctl -c $T/helperd.conf"
out=$($CTL status)
ok $? "ssprctl status: healthy"
like "$out" '^version +0\.' "it reports the version"
like "$out" 'directory +reachable' "the directory"
like "$out" 'mail +reachable' "and the mail server"
like "$out" 'flows +0 in progress' "and the flows in progress"

for i in 1 2 3 4 5; do raw hello recv start alice recv answer 11112222 recv cancel >/dev/null; done
like "$(attr_of "uid=alice,$PEOPLE" ssprBlockedUntil)" '^[0-9]+$' "alice is blocked after five wrong codes"
out=$($CTL unblock alice)
ok $? "ssprctl unblock alice"
like "$out" "counters of uid=alice,$PEOPLE cleared" "says what it did"
is "$(attr_of "uid=alice,$PEOPLE" ssprBlockedUntil)$(attr_of "uid=alice,$PEOPLE" ssprCodeFailure)" "" \
	"the counters are gone"
out=$($CTL unblock nobody-here 2>&1)
ok $((! $?)) "ssprctl unblock of an unknown account fails"
like "$out" 'no such account' "and says so"

out=$($CTL test-mail ops@example.test)
ok $? "ssprctl test-mail"
wait_for 5 test -n "$(grep -l 'X-SSPR-Message: test' "$T"/mail/*-ops@example.test.eml 2>/dev/null)"
ok $? "the test message arrived"
out=$($CTL test-mail 'bad address' 2>&1)
ok $((! $?)) "a malformed address is refused"

sed -i 's/^lifetime = 600$/lifetime = 300/' "$T/helperd.conf"
out=$($CTL reload)
ok $? "ssprctl reload"
like "$(raw hello recv start alice recv cancel)" 'lifetime=300' "the new configuration applies"
echo 'broken line' >> "$T/helperd.conf"
out=$($CTL reload 2>&1)
ok $((! $?)) "ssprctl reload of a broken file fails"
like "$out" "helperd.conf:[0-9]+: expected 'key = value'" "and names the line"
sed -i '/^broken line$/d' "$T/helperd.conf"

out=$($CTL report registration)
ok $? "ssprctl report registration"
like "$out" '^user +methods +registered +dn' "a table"
like "$out" '(^|\n)alice +email +- +uid=alice' "alice: email"
like "$out" '(^|\n)bob +- +- +uid=bob' "bob: nothing registered"
csv=$($CTL -f csv report registration)
like "$csv" '^user,methods,registered,dn' "as CSV"
like "$csv" '"uid=alice,ou=people,dc=example,dc=test"' "(quoted where needed)"
json=$($CTL -f json report registration)
printf '%s' "$json" | $PY -c 'import json,sys; d=json.load(sys.stdin); assert any(r["user"]=="alice" and r["methods"]=="email" for r in d)'
ok $? "as JSON that parses"

out=$($CTL report activity --since 1h)
ok $? "ssprctl report activity --since 1h"
like "$out" 'reset +ok +alice' "shows the resets"
like "$out" 'code_failed +refused +wrong' "and the failures"
is "$($CTL report activity --since 2000-01-01 | wc -l)" "$(( $(wc -l < "$T/audit.jsonl") + 1 ))" \
	"--since a date: every record (plus the header)"
out=$($CTL -f json report activity --since 1h)
printf '%s' "$out" | $PY -c 'import json,sys; json.load(sys.stdin)'
ok $? "activity as JSON that parses"
# More records than a report shows: the newest, as a server sends its
# newest, and how many older ones were left out.
$PY -c '
import sys
with open(sys.argv[1], "w") as f:
    for i in range(200002):
        f.write("{\"time\":\"2001-01-%02dT00:00:00Z\",\"flow\":\"000000\",\"caller\":0,"
                "\"event\":\"%s\",\"result\":\"ok\"}\n" % (1 + (i >= 2), "old" if i < 2 else "new"))' \
	"$T/big.jsonl"
out=$($CTL -f csv report activity --file="$T/big.jsonl" 2>"$T/big.err")
ok $? "a report of 200002 records"
is "$(tail -n +2 <<<"$out" | cut -d, -f4 | sort | uniq -c | sed 's/^ *//')" "200000 new" \
	"shows the newest 200000, not the oldest"
like "$(cat "$T/big.err")" 'the newest 200000 records; 2 older left out \(narrow --since\)' \
	"and says how many older ones it left out"

if command -v setpriv >/dev/null; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups $CTL status 2>&1)
	ok $((! $?)) "ssprctl as another user is refused"
fi

done_testing
