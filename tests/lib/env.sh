# shellcheck shell=bash
# env.sh: sourced by every integration test.  Starts real servers in a
# temporary directory on loopback (slapd with ppolicy, an SMTP sink, the
# daemon), stops them by pid on exit, and gives the tests small assertion
# helpers that print TAP lines.
#
# Needs: SRC (the source tree) and BUILD (the build directory) in the
# environment; tests/run.sh sets both.

set -u
: "${SRC:?}" "${BUILD:?}"
PY=/usr/bin/python3
T=$(mktemp -d "${TMPDIR:-/tmp}/sspr-test.XXXXXX")
chmod 755 "$T"
PIDS=()
SLAPD_PIDS=()	# every slapd started, whatever became of $T/slapd.pid
TESTS=0
FAILED=0
SUFFIX=dc=example,dc=test
PEOPLE=ou=people,$SUFFIX
SERVICE_DN=cn=sspr,ou=services,$SUFFIX

cleanup() {
	local p s
	# slapd first: it is not our child, so nothing else stops it if a
	# second signal ends us in the waits below
	for p in "${SLAPD_PIDS[@]}" $(cat "$T/slapd.pid" 2>/dev/null); do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
	done
	# tmux servers go with their sessions, not just their shells
	for s in "$T"/tmux-*.sock; do
		[ -S "$s" ] && tmux -S "$s" kill-server 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	# sanitizer reports of the daemon and the module fail the test
	if grep -l 'Sanitizer' "$T"/*.log "$T"/*.err >/dev/null 2>&1; then
		echo "not ok - sanitizer report:"
		grep -h -A 20 'Sanitizer' "$T"/*.log "$T"/*.err | sed 's/^/#   /' | head -n 60
		FAILED=$((FAILED + 1))
	fi
	if [ "$FAILED" -eq 0 ] && [ -z "${SSPR_KEEP:-}" ]; then
		rm -rf "$T"
	else
		echo "# test files kept in $T"
	fi
	[ "$FAILED" -eq 0 ] || exit 1
}
trap cleanup EXIT
# the runner's timeout sends TERM: exit, so that cleanup runs
trap 'exit 143' TERM
trap 'exit 130' INT

# --- TAP helpers ---------------------------------------------------------

ok() {	# ok STATUS DESCRIPTION: passes when STATUS (an exit code) is 0
	TESTS=$((TESTS + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TESTS - $2"
	else
		echo "not ok $TESTS - $2"
		FAILED=$((FAILED + 1))
	fi
}

is() {	# is GOT WANT DESCRIPTION
	[ "$1" = "$2" ]
	local r=$?
	ok $r "$3"
	[ $r -eq 0 ] || printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
}

like() {	# like TEXT REGEX DESCRIPTION
	printf '%s' "$1" | grep -Eq -- "$2"
	local r=$?
	ok $r "$3"
	[ $r -eq 0 ] || { echo "#   no match for /$2/ in:"; printf '%s\n' "$1" | sed 's/^/#     /'; }
}

unlike() {	# unlike TEXT REGEX DESCRIPTION
	! printf '%s' "$1" | grep -Eq -- "$2"
	local r=$?
	ok $r "$3"
	[ $r -eq 0 ] || { echo "#   unexpected /$2/ in:"; printf '%s\n' "$1" | sed 's/^/#     /'; }
}

done_testing() {
	echo "1..$TESTS"
	[ "$FAILED" -eq 0 ]
	exit $?
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 77
}

wait_for() {	# wait_for SECONDS COMMAND...: polls every 0.1 s
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# --- servers --------------------------------------------------------------

ports() { $PY "$SRC/tests/lib/freeport.py" "$1"; }

ldapi_url() {
	printf 'ldapi://%s' "$(printf '%s' "$T/ldapi" | sed 's|/|%2F|g')"
}

slapd_start() {	# slapd_start [LOGLEVEL]
	read -r LDAP_PORT LDAPS_PORT < <(ports 2 | tr '\n' ' ')
	[ -f "$T/ca.pem" ] || "$SRC/tests/lib/ca.sh" "$T"
	mkdir -p "$T/slapd.d" "$T/db"
	sed -e "s|@T@|$T|g" -e "s|@UID@|$(id -u)|g" -e "s|@GID@|$(id -g)|g" -e "s|@SRC@|$SRC|g" \
	    -e "s|@LOGLEVEL@|${1:-none}|g" \
	    "$SRC/tests/lib/slapd-config.ldif.in" > "$T/config.ldif"
	# a directory as it is before ldap-schema/ is loaded (and its ACLs)
	[ -z "${SLAPD_NO_SSPR_SCHEMA:-}" ] ||
		sed -i -e '/ldap-schema\/sspr.ldif/d' -e '/ssprCodeSent\|val=ssprAccount/d' \
		    "$T/config.ldif"
	slapadd -q -n 0 -F "$T/slapd.d" -l "$T/config.ldif" >"$T/slapadd.out" 2>&1 ||
		{ echo "# slapadd of cn=config failed"; return 1; }
	slapadd -q -n 1 -F "$T/slapd.d" -l "${PEOPLE_LDIF:-$SRC/tests/lib/people.ldif}" \
	    >>"$T/slapadd.out" 2>&1 ||
		{ echo "# slapadd of the data failed"; return 1; }
	if [ -n "${SLAPD_ACCESS_LOG:-}" ]; then
		# every operation, as slapd's "stats" level prints it, to
		# $T/slapd-access.log (slapd -d stays in the foreground)
		slapd -F "$T/slapd.d" -h "ldap://127.0.0.1:$LDAP_PORT/ ldaps://127.0.0.1:$LDAPS_PORT/ $(ldapi_url)" \
		    -s 0 -d stats 2>"$T/slapd-access.log" &
		PIDS+=($!)
	else
		slapd -F "$T/slapd.d" -h "ldap://127.0.0.1:$LDAP_PORT/ ldaps://127.0.0.1:$LDAPS_PORT/ $(ldapi_url)" \
		    -s 0 ${SLAPD_LOG:+-l LOCAL4} 2>"$T/slapd.log" ||
			{ echo "# slapd did not start"; cat "$T/slapd.log"; return 1; }
	fi
	wait_for 20 ldapwhoami -H "$(ldapi_url)" -Y EXTERNAL -Q ||
		{ slapd_note_pid; echo "# slapd did not answer"; return 1; }
	slapd_note_pid
	LDAP_URI=ldap://127.0.0.1:$LDAP_PORT
}

slapd_note_pid() {	# remembers the slapd that wrote $T/slapd.pid, for cleanup
	local p
	p=$(cat "$T/slapd.pid" 2>/dev/null) && [ -n "$p" ] && SLAPD_PIDS+=("$p")
}

slapd_gone() {	# waits until every slapd started is gone (KILL after 5 s)
	local p
	for p in "${SLAPD_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	SLAPD_PIDS=()
}

slapd_stop() {
	[ -f "$T/slapd.pid" ] || return 0
	kill -CONT "$(cat "$T/slapd.pid")" 2>/dev/null
	kill "$(cat "$T/slapd.pid")" 2>/dev/null
	slapd_gone
	rm -f "$T/slapd.pid"
}

slapd_restart() {
	# a slapd killed by the test may still be shutting down: it would
	# remove the new one's pid file on its way out
	slapd_gone
	slapd -F "$T/slapd.d" -h "ldap://127.0.0.1:$LDAP_PORT/ ldaps://127.0.0.1:$LDAPS_PORT/ $(ldapi_url)" \
	    -s 0 2>>"$T/slapd.log" || return 1
	wait_for 20 ldapwhoami -H "$(ldapi_url)" -Y EXTERNAL -Q
	local r=$?
	slapd_note_pid
	return $r
}

ldapmod() {	# ldapmod < LDIF: modify as the config/root identity over ldapi
	ldapmodify -H "$(ldapi_url)" -Y EXTERNAL -Q "$@" >/dev/null
}

ldapadmin() {	# ldapadmin TOOL ARGS...: a client tool bound as the rootdn
	local tool=$1
	shift
	LDAPTLS_CACERT=$T/ca.pem "$tool" -x -ZZ -H "$LDAP_URI" \
	    -D "cn=admin,$SUFFIX" -w admin-secret "$@"
}

attr_of() {	# attr_of DN ATTR: the values of ATTR (operational too)
	local line
	ldapadmin ldapsearch -LLL -o ldif-wrap=no -b "$1" -s base \
	    '(objectClass=*)' "$2" 2>/dev/null | while IFS= read -r line; do
		case $line in
		"$2:: "*) printf '%s' "${line#"$2":: }" | base64 -d; echo ;;
		"$2: "*) printf '%s\n' "${line#"$2": }" ;;
		esac
	done
}

bind_ok() {	# bind_ok DN PASSWORD: can DN bind with PASSWORD (StartTLS)?
	printf '%s' "$2" > "$T/.bindpw"
	LDAPTLS_CACERT=$T/ca.pem ldapwhoami -x -ZZ -H "$LDAP_URI" -D "$1" \
	    -y "$T/.bindpw" >/dev/null 2>&1
	local r=$?
	rm -f "$T/.bindpw"
	return $r
}

sink_start() {	# sink_start [--implicit|--plain] [SINK ARG...]: same port when restarted; SINK_AUTH=USER:PASS
	SMTP_PORT=${SMTP_PORT:-$(ports 1)}
	mkdir -p "$T/mail"
	[ -f "$T/ca.pem" ] || "$SRC/tests/lib/ca.sh" "$T"
	local tls=(--cert "$T/server.pem" --key "$T/server.key")
	case "${1:-}" in
	--implicit) tls+=(--implicit); shift ;;
	--plain) tls=(); shift ;;
	esac
	$PY "$SRC/tests/lib/smtpsink.py" --port "$SMTP_PORT" --dir "$T/mail" \
	    "${tls[@]}" ${SINK_DELAY:+--delay "$SINK_DELAY"} ${SINK_AUTH:+--auth "$SINK_AUTH"} "$@" \
	    2>"$T/sink.log" &
	SINK_PID=$!
	PIDS+=("$SINK_PID")
	wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SMTP_PORT" ||
		{ echo "# smtp sink did not start"; cat "$T/sink.log"; return 1; }
}

sink_stop() {
	kill "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
}

# --- the daemon -------------------------------------------------------------

# Extra lines per section come from DAEMON_EXTRA_<SECTION> variables.
daemon_conf() {	# daemon_conf FILE
	local mailtls=starttls url="smtp://127.0.0.1:$SMTP_PORT"
	case "${SINK_MODE:-}" in
	--implicit) mailtls=implicit url="smtps://127.0.0.1:$SMTP_PORT" ;;
	--plain) mailtls=none ;;
	esac
	printf '%s\n' "${BIND_SECRET:-sspr-bind-secret}" > "$T/bindpw"
	chmod 600 "$T/bindpw"
	cat > "$1" <<-EOF
	# generated by tests/lib/env.sh
	[daemon]
	socket = ${SOCKET:-$T/run/helperd.sock}
	allowed_uids = ${ALLOWED_UIDS:-$(id -u)}
	debug = yes
	${DAEMON_EXTRA_DAEMON:-}

	[directory]
	uri = ${DIR_URI:-$LDAP_URI}
	start_tls = yes
	tls_ca_file = $T/ca.pem
	base = $PEOPLE
	bind_dn = $SERVICE_DN
	bind_password_file = $T/bindpw
	timeout = ${DIR_TIMEOUT:-5}
	${DAEMON_EXTRA_DIRECTORY:-}

	[mail]
	smtp_url = $url
	tls = $mailtls
	tls_ca_file = $T/ca.pem
	from = sspr@example.test
	template_dir = $SRC/conf/mail
	timeout = ${MAIL_TIMEOUT:-5}
	${DAEMON_EXTRA_MAIL:-}

	[code]
	lifetime = ${CODE_LIFETIME:-600}
	${DAEMON_EXTRA_CODE:-}

	[throttle]
	store = ${THROTTLE_STORE:-directory}
	state_file = $T/${1##*/}.state
	source_flows = ${SOURCE_FLOWS:-60}
	source_failures = ${SOURCE_FAILURES:-60}
	${DAEMON_EXTRA_THROTTLE:-}

	# the human check has its own test (t_human); elsewhere it is off
	[policy]
	human_check = ${HUMAN_CHECK:-none}
	EOF
	chmod 600 "$1"
}

ready_count_above() {	# ready_count_above LOG N
	[ "$(grep -c "ready on" "$1" 2>/dev/null)" -gt "$2" ]
}

daemon_start() {	# daemon_start [NAME]: config in $T/NAME.conf, log in $T/NAME.log
	# SSPR_FLEET=1: through a relay and a reset server (tests/lib/fleet.sh)
	if [ -n "${SSPR_FLEET:-}" ]; then
		. "$SRC/tests/lib/fleet.sh"
		fleet_daemon_start "$@"
		return
	fi
	local name=${1:-helperd}
	mkdir -p "$T/run"
	chmod 700 "$T/run"
	[ -f "$T/$name.conf" ] || daemon_conf "$T/$name.conf"
	local before
	before=$(grep -c "ready on" "$T/$name.log" 2>/dev/null)
	# as the systemd unit runs it (conf/systemd/sspr-helperd.service)
	GLIBC_TUNABLES=glibc.malloc.tcache_count=0 \
	${DAEMON_WRAPPER:-} "$BUILD/sspr-helperd" --config "$T/$name.conf" --foreground \
	    >>"$T/$name.log" 2>&1 &
	DAEMON_PID=$!
	PIDS+=("$DAEMON_PID")
	wait_for 10 ready_count_above "$T/$name.log" "${before:-0}" ||
		{ echo "# daemon did not start"; sed 's/^/#   /' "$T/$name.log"; return 1; }
}

daemon_stop() {
	kill "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
}

# --- PAM ------------------------------------------------------------------

# locale_make NAME (nl_NL.UTF-8): compiles the locale into $T/locale and
# points LOCPATH there, so a test needs no system-wide locale (glibc
# ignores LOCPATH in setuid programs only).
locale_make() {
	local name=$1
	mkdir -p "$T/locale"
	localedef -i "${name%%.*}" -f "${name#*.}" "$T/locale/$name" >"$T/localedef.log" 2>&1 ||
		{ echo "# localedef $name failed"; cat "$T/localedef.log"; return 1; }
	export LOCPATH=$T/locale
}

pam_service() {	# pam_service NAME < STACK: writes $T/pam.d/NAME
	mkdir -p "$T/pam.d"
	cat > "$T/pam.d/$1"
}

# The module line every test stack starts with.
module_line() {
	echo "auth requisite $BUILD/pam_sspr.so socket=${SOCKET:-$T/run/helperd.sock} daemon_user=$(id -un) $*"
}

# A password check against the test directory, for "can the user log in".
ldapcheck_line() {
	cat > "$T/ldapcheck.sh" <<-EOF
	#!/bin/sh
	# reads the password pam_exec passes on stdin, binds as the user
	pw=\$(head -c 512 | tr -d '\\000')
	printf '%s' "\$pw" > "$T/.ldapcheck.\$\$"
	LDAPTLS_CACERT=$T/ca.pem ldapwhoami -x -ZZ -H $LDAP_URI \\
	    -D "uid=\$PAM_USER,$PEOPLE" -y "$T/.ldapcheck.\$\$" >/dev/null 2>&1
	r=\$?
	rm -f "$T/.ldapcheck.\$\$"
	exit \$r
	EOF
	chmod 755 "$T/ldapcheck.sh"
	echo "auth required pam_exec.so quiet expose_authtok $T/ldapcheck.sh"
}

# --- terminals: a real pty under tmux, read back with capture-pane -------

tty_start() {	# tty_start NAME COMMAND: runs COMMAND (a shell line) on a 100x30 pty
	local sock=$T/tmux-$1.sock
	tmux -S "$sock" -f /dev/null new-session -d -x 100 -y 30 -s "$1" "$2" ||
		return 1
	tmux -S "$sock" set-option -t "$1" remain-on-exit on >/dev/null
	PIDS+=("$(tmux -S "$sock" display-message -p -t "$1" '#{pid}')")
}

tty_screen() {	# tty_screen NAME: the screen and its scrollback, as text
	tmux -S "$T/tmux-$1.sock" capture-pane -p -J -S -200 -t "$1" 2>/dev/null
}

tty_keys() {	# tty_keys NAME KEYS...: tmux send-keys (Enter, C-c, -l text ...)
	local name=$1
	shift
	tmux -S "$T/tmux-$name.sock" send-keys -t "$name" "$@"
}

tty_type() {	# tty_type NAME TEXT: types TEXT literally, then Enter
	tty_keys "$1" -l "$2" && tty_keys "$1" Enter
}

tty_wait() {	# tty_wait NAME REGEX [SECONDS]: until the screen matches
	local i n=$(( ${3:-10} * 10 ))
	for ((i = 0; i < n; i++)); do
		tty_screen "$1" | grep -Eq -- "$2" && return 0
		sleep 0.1
	done
	echo "# timed out waiting for /$2/ on the screen of $1:"
	tty_screen "$1" | grep . | sed 's/^/#   | /'
	return 1
}

tty_alive() {	# tty_alive NAME: is the program on the pty still running?
	[ "$(tmux -S "$T/tmux-$1.sock" display-message -p -t "$1" '#{pane_dead}' 2>/dev/null)" = 0 ]
}

tty_count() {	# tty_count NAME REGEX N: until N lines of the screen match
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(tty_screen "$1" | grep -cE -- "$2")" -ge "$3" ] && return 0
		sleep 0.1
	done
	echo "# timed out waiting for $3 lines /$2/ on the screen of $1:"
	tty_screen "$1" | grep . | sed 's/^/#   | /'
	return 1
}

tty_dead() { ! tty_alive "$1"; }

drive() {	# drive USER SCRIPT [SERVICE] [ROUNDS]: transcript on stdout
	# DRIVE_PAMENV=NAME=VALUE goes into the PAM environment first;
	# DRIVE_OPS (pamdrive -o: auth, acct, passwd, expired, login) and
	# DRIVE_RHOST (PAM_RHOST) as given
	${DRIVE_WRAPPER:-} "$BUILD/tests/pamdrive" -d "$T/pam.d" -s "${3:-sspr-test}" \
	    -u "$1" -f "$2" -n "${4:-1}" ${DRIVE_PAMENV:+-e "$DRIVE_PAMENV"} \
	    ${DRIVE_OPS:+-o "$DRIVE_OPS"} ${DRIVE_RHOST:+-r "$DRIVE_RHOST"} 2>>"$T/drive.err"
}

# mail_code RCPT [N]: waits for the Nth code mail to RCPT, prints its code.
mail_code() {
	"$SRC/tests/lib/env-mailcode.sh" "$T" "$1" "${2:-1}"
}

mail_count() {	# mail_count RCPT: code mails to RCPT
	grep -l '^X-SSPR-Message: code' "$T/mail"/*-"$1".eml 2>/dev/null | wc -l
}

notify_count() {	# notify_count RCPT [KIND]: notifications (of that KIND exactly) to RCPT
	grep -l "^X-SSPR-Message: notify-${2:-}${2:+[[:space:]]*\$}" "$T/mail"/*-"$1".eml 2>/dev/null | wc -l
}

mail_at_least() {	# mail_at_least RCPT N: for wait_for (evaluated each time)
	[ "$(mail_count "$1")" -ge "$2" ]
}

script() {	# script NAME < LINES: writes $T/NAME.script, prints its path
	cat > "$T/$1.script"
	echo "$T/$1.script"
}

raw() {	# raw STEP...: rawclient against the daemon socket
	"$BUILD/tests/rawclient" "${SOCKET:-$T/run/helperd.sock}" "$@" 2>>"$T/raw.err"
}

standard_env() {	# slapd + sink + daemon, the common case
	slapd_start && sink_start ${SINK_MODE:-} && daemon_start
}
