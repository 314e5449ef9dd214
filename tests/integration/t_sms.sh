#!/bin/bash
# SMS through a gateway: sms.c against a local HTTP sink (tests/lib/
# httpsink.py) that keeps every request.  The request carries what the
# configuration says, escaped for its content type, with the credential
# header from its own file; a gateway error or a dead gateway is a clear
# error in time; the credential never reaches the driver's output.
. "$SRC/tests/lib/env.sh"
[ -x "$BUILD/tests/sms_send" ] || skip_all "tests/sms_send is not built"

read -r P_OK P_500 P_SLOW P_DEAD < <(ports 4 | tr '\n' ' ')
sink() {	# sink PORT DIR [ARGS...]
	local port=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	$PY "$SRC/tests/lib/httpsink.py" --port "$port" --dir "$dir" "$@" \
	    >"$dir.out" 2>&1 &
	PIDS+=($!)
}
sink "$P_OK" "$T/ok"
sink "$P_500" "$T/500" --status 500
sink "$P_SLOW" "$T/slow" --delay 5
wait_for 10 grep -q listening "$T/ok.out" && wait_for 10 grep -q listening "$T/500.out" &&
	wait_for 10 grep -q listening "$T/slow.out"
ok $? "three HTTP sinks listen on loopback"

TOKEN='Bearer sms-canary-token-5f2a9c'
printf 'Authorization: %s\n' "$TOKEN" > "$T/sms.auth"
printf 'sspr-bind-secret\n' > "$T/bind.pw"
chmod 600 "$T/sms.auth" "$T/bind.pw"

conf() {	# conf NAME PORT [CONTENT_TYPE BODY]: a configuration with [sms]
	local ct=${3:-application/json} body=${4:-'{"to":"{to}","text":"{text}"}'}
	cat > "$T/$1.conf" <<EOF2
[directory]
uri = ldaps://127.0.0.1
base = dc=example,dc=test
bind_dn = cn=sspr,dc=example,dc=test
bind_password_file = $T/bind.pw
[mail]
smtp_url = smtp://127.0.0.1:25
tls = none
from = sspr@example.test
[policy]
methods = email sms
[sms]
url = http://127.0.0.1:$2/v1/messages?src={to}
method = post
content_type = $ct
body = $body
text = Code "{code}" & more: {minutes} min.
auth_header_file = $T/sms.auth
timeout = 2
insecure = yes
EOF2
	chmod 600 "$T/$1.conf"
}

# --- JSON body --------------------------------------------------------------
conf json "$P_OK"
out=$("$BUILD/tests/sms_send" "$T/json.conf" +31612345678 48213377 2>"$T/json.err")
rc=$?
is "$rc:$out" "0:sent" "a 2xx answer is success"
req=$(cat "$T"/ok/000001.req 2>/dev/null)
like "$req" '^POST /v1/messages\?src=%2B31612345678$' "POST to the configured path, {to} percent-encoded in the url"
like "$req" '^Content-Type: application/json$' "the content type"
like "$req" '^Authorization: Bearer sms-canary-token-5f2a9c$' "the auth header from its file"
like "$req" '\{"to":"\+31612345678","text":"Code \\"48213377\\" & more: 10 min\."\}$' \
	"the body: JSON with the text escaped"
unlike "$req" '^Expect:' "no Expect: 100-continue"

# --- form body --------------------------------------------------------------
conf form "$P_OK" application/x-www-form-urlencoded 'to={to}&text={text}'
out=$("$BUILD/tests/sms_send" "$T/form.conf" +31612345678 48213377 2>"$T/form.err")
is "$?:$out" "0:sent" "a form request is sent"
req=$(cat "$T"/ok/000002.req 2>/dev/null)
like "$req" '^Content-Type: application/x-www-form-urlencoded$' "form content type"
like "$req" 'to=%2B31612345678&text=Code%20%2248213377%22%20%26%20more%3A%2010%20min\.$' \
	"the body: form fields percent-encoded (& and = cannot add a field)"

# --- failures ---------------------------------------------------------------
conf e500 "$P_500"
"$BUILD/tests/sms_send" "$T/e500.conf" +31612345678 48213377 >/dev/null 2>"$T/e500.err"
is "$?" 1 "HTTP 500 is a failure"
like "$(cat "$T/e500.err")" 'SMS gateway answered HTTP 500' "and says which status"

conf dead "$P_DEAD"
start=$(date +%s%N)
"$BUILD/tests/sms_send" "$T/dead.conf" +31612345678 48213377 >/dev/null 2>"$T/dead.err"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$rc" 1 "nothing listening is a failure"
like "$(cat "$T/dead.err")" 'SMS gateway: .*(onnect|refused)' "a clear connection error"
ok $([ "$ms" -lt 2500 ]; echo $?) "at once (${ms} ms)"

conf slow "$P_SLOW"
start=$(date +%s%N)
"$BUILD/tests/sms_send" "$T/slow.conf" +31612345678 48213377 >/dev/null 2>"$T/slow.err"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$rc" 1 "a gateway slower than [sms] timeout is a failure"
like "$(cat "$T/slow.err")" 'SMS gateway: .*([Tt]imeout|timed out)' "a clear timeout error"
ok $([ "$ms" -ge 1500 ] && [ "$ms" -lt 4000 ]; echo $?) "after the 2 s timeout (${ms} ms)"

"$BUILD/tests/sms_send" "$T/json.conf" 0612345678 48213377 >/dev/null 2>"$T/bad.err"
is "$?" 1 "a number that is not E.164 is refused"
like "$(cat "$T/bad.err")" 'not an E.164' "before anything is sent"
is "$(ls "$T/ok" | wc -l)" 2 "(no request for it)"

# --- configuration refusals -------------------------------------------------
sed -i "s|^url = .*|url = http://192.0.2.1:$P_OK/x?to={to}|" "$T/dead.conf"
"$BUILD/tests/sms_send" "$T/dead.conf" +31612345678 48213377 >/dev/null 2>"$T/remote.err"
is "$?" 2 "plain http:// to a host that is not loopback does not load"
like "$(cat "$T/remote.err")" "dead.conf:[0-9]+: \[sms\] url: http:// is allowed only to a loopback" \
	"and the error names the file, line and key"
chmod 644 "$T/sms.auth"
"$BUILD/tests/sms_send" "$T/json.conf" +31612345678 48213377 >/dev/null 2>"$T/mode.err"
is "$?" 2 "an auth header file readable by others is refused"
like "$(cat "$T/mode.err")" '\[sms\] auth_header_file: .*readable' "with its key named"
chmod 600 "$T/sms.auth"
printf 'no header here\n' > "$T/sms.auth"
"$BUILD/tests/sms_send" "$T/json.conf" +31612345678 48213377 >/dev/null 2>"$T/hdr.err"
like "$(cat "$T/hdr.err")" 'auth_header_file: the file must hold one header line' \
	"a file that is not a header line is refused"

# The credential appears in no output of the driver.
unlike "$(cat "$T"/*.err)" "sms-canary-token" "the auth header's value is in no error or log"

done_testing
