#!/bin/bash
# Installing the Debian way: `make install DESTDIR=... PREFIX=/usr` puts
# every file where Debian looks for it, with its mode; every man page
# renders without a warning; the installed example configuration behaves
# under --check as documented; every key of cfgkeys.c's table is documented,
# with the code's default, in conf/sspr-helperd.conf and
# sspr-helperd.conf(5), and every module argument of args.c in
# pam_sspr(8) (the names are read from the C sources, so a new key or
# argument is caught); the systemd unit verifies and the daemon serves a
# reset without any capability, as the unit runs it; and pam-auth-update
# --enable sspr / --disable sspr, run for real in a private mount
# namespace on copies of /etc/pam.d, /usr/share/pam-configs, /var/lib/pam
# and the debconf database, put pam_sspr.so in front of pam_unix.so and
# take it out again.
. "$SRC/tests/lib/env.sh"
command -v man >/dev/null || skip_all "man (man-db) is not installed"

D=$T/root
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch 2>/dev/null)
SECURE=usr/lib/$MA/security

# --- make install -------------------------------------------------------------

# -o all: install what $BUILD holds (the tests run against it); never
# rebuild it here, under another test's feet.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make -s -C "$SRC" BUILD="$BUILD" -o all install DESTDIR="$D" PREFIX=/usr \
	>"$T/install.log" 2>&1
ok $? "make install DESTDIR=\$T/root PREFIX=/usr" || sed 's/^/#   /' "$T/install.log"

has() {	# has PATH MODE: installed, a regular file, with MODE
	if [ -f "$D/$1" ]; then
		is "$(stat -c %a "$D/$1")" "$2" "/$1 (mode $2)"
	else
		ok 1 "/$1 is installed"
	fi
}
[ -n "$MA" ]
ok $? "the multiarch triplet is known ($MA)"
has "$SECURE/pam_sspr.so" 644
has usr/sbin/sspr-helperd 755
has usr/bin/sspr-reset 755
has usr/sbin/ssprctl 755
has etc/sspr/sspr-helperd.conf 640
has etc/pam.d/sspr 644
has usr/share/pam-configs/sspr 644
has etc/security/pam_sspr.conf 644
has usr/share/doc/pam-sspr/examples/pam_sspr.conf 644
has usr/share/doc/pam-sspr/examples/sshd_config.d/sspr.conf 644
cmp -s "$SRC/conf/sshd_config.d/sspr.conf" "$D/usr/share/doc/pam-sspr/examples/sshd_config.d/sspr.conf"
ok $? "the sshd drop-in is installed as an example, as shipped"
[ ! -e "$D/etc/ssh" ]
ok $? "and not into /etc/ssh: it changes sshd's authentication methods, an admin chooses it"
is "$(grep -cvE '^[[:space:]]*(#|$)' "$D/etc/security/pam_sspr.conf")" 0 \
	"/etc/security/pam_sspr.conf as installed sets nothing (every line a comment)"
echo handoff >>"$D/etc/security/pam_sspr.conf"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make -s -C "$SRC" BUILD="$BUILD" -o all install DESTDIR="$D" PREFIX=/usr \
	>>"$T/install.log" 2>&1
ok $? "make install again (an upgrade)"
is "$(tail -n 1 "$D/etc/security/pam_sspr.conf")" handoff "and the admin's pam_sspr.conf is kept"
sed -i '$d' "$D/etc/security/pam_sspr.conf"
has usr/lib/systemd/system/sspr-helperd.service 644
for f in "$SRC"/conf/mail/*.txt; do
	has "etc/sspr/mail/${f##*/}" 644
done
for f in "$SRC"/ldap-schema/*; do
	has "usr/share/pam-sspr/ldap-schema/${f##*/}" 644
done
for f in "$SRC"/conf/pam.d/*; do
	has "usr/share/doc/pam-sspr/examples/pam.d/${f##*/}" 644
done
has usr/share/locale/nl/LC_MESSAGES/pam_sspr.mo 644
for f in "$SRC"/po/*.po; do
	l=$(basename "$f" .po)
	cmp -s "$BUILD/locale/$l/LC_MESSAGES/pam_sspr.mo" \
		"$D/usr/share/locale/$l/LC_MESSAGES/pam_sspr.mo"
	ok $? "the $l translation is installed as built"
done
cmp -s "$BUILD/pam_sspr.so" "$D/$SECURE/pam_sspr.so"
ok $? "the installed module is the built one"
grep -qx /usr/share/locale < <(strings "$D/$SECURE/pam_sspr.so")
ok $? "the module reads its translations from /usr/share/locale, where they are"
syms=$(nm -D --defined-only "$D/$SECURE/pam_sspr.so" | awk '{print $3}' | sort | tr '\n' ' ')
like "$syms" '^(pam_sm_[a-z_]+ )+$' "the module exports PAM entry points and nothing else ($syms)"
# libpam loads the module for every handle and binds each of its imports
# then (BENCHMARKS.md, "Loading the module"): no library but libpam and
# libc, none of the start files' weak hooks, and a budget of imports that
# a new one has to be weighed against (53 with gcc and clang here).
needed=$(readelf -d "$D/$SECURE/pam_sspr.so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
is "$needed" "libc.so.6 libpam.so.0 " "the module needs libpam and libc, nothing else"
weak=$(nm -D --undefined-only "$D/$SECURE/pam_sspr.so" | awk '$1 == "w" { print $2 }' | tr '\n' ' ')
is "$weak" "" "the module has no weak imports (start-file hooks)"
if [ -z "${SSPR_ASAN:-}" ]; then
	n=$(nm -D --undefined-only "$D/$SECURE/pam_sspr.so" | wc -l)
	[ "$n" -le 53 ]
	ok $? "the module imports at most 53 symbols ($n)"
fi
diff <(ls -A "$SRC/man" | sort) <(find "$D/usr/share/man" -type f -printf '%f\n' | sort) \
	>"$T/man.diff"
ok $? "every page of man/ is installed" || sed 's/^/#   /' "$T/man.diff"

# --- man pages ------------------------------------------------------------------

for f in "$D"/usr/share/man/man*/*; do
	name=${f#"$D"/usr/share/man/}
	err=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l "$f" 2>&1 >/dev/null)
	is "$err" "" "$name renders without warnings"
	sec=${name%%/*}
	sec=${sec#man}
	[ "${f##*.}" = "$sec" ]
	ok $? "$name is in the section its name says"
done

# --- every config key, every module argument ---------------------------------

# "section key = default" per key of cfgkeys.c's table; "section key" when
# it has none (required).  In conf/sspr-helperd.conf a required key is
# commented out ("#key = example"), in the man page a ".B key" heading.
norm() { sed -E 's/[[:space:]]+$//'; }
sed -nE 's/^[[:space:]]*\{ "([a-z]+)", "([a-z_]+)", K_[A-Z]+, [^,]+, (NULL|"([^"]*)"),.*/\1 \2 \3/p' \
	"$SRC/sspr-helperd/cfgkeys.c" |
	sed -E 's/ NULL$//; s/^([a-z]+ [a-z_]+) "(.*)"$/\1 = \2/' | norm >"$T/keys.code"
n=$(wc -l <"$T/keys.code")
[ "$n" -gt 60 ] && [ "$n" -eq "$(grep -cE '^[[:space:]]*\{ "[a-z]+", "[a-z_]+", K_' "$SRC/sspr-helperd/cfgkeys.c")" ]
ok $? "cfgkeys.c's key table read: $n keys"
awk '/^\[[a-z]+\]$/ { s = substr($0, 2, length($0) - 2); next }
     /^#[a-z_]+ = / { print s, substr($1, 2); next }
     /^[a-z_]+ =/ { print s, $0 }' "$SRC/conf/sspr-helperd.conf" | norm >"$T/keys.conf"
awk '/^\.SH "\[[a-z]+\]"$/ { s = substr($2, 3, length($2) - 4); next }
     /^\.SH/ { s = "" }
     prev == ".TP" && s != "" && /^\.B / { print s, substr($0, 4) }
     { prev = $0 }' "$SRC/man/sspr-helperd.conf.5" | norm >"$T/keys.man"
keydiff() {	# keydiff FILE WHAT: FILE against the code's keys and defaults
	diff "$T/keys.code" "$1" >"$T/keys.diff"
	ok $? "$2 has every key of cfgkeys.c, in its order, with its default"
	if [ -s "$T/keys.diff" ]; then
		sed -n 's/^< /#   missing or different: /p; s/^> /#   not the code'\''s: /p' \
			"$T/keys.diff"
	fi
}
keydiff "$T/keys.conf" conf/sspr-helperd.conf
keydiff "$T/keys.man" sspr-helperd.conf.5

sed -nE 's/.*strcmp\(arg, "([a-z_]+)"\).*/\1/p; s/.*value_of\(arg, "([a-z_]+)"\).*/\1=/p' \
	"$SRC/pam_sspr/args.c" >"$T/args"
n=$(wc -l <"$T/args")
[ "$n" -ge 8 ]
ok $? "args.c's arguments read: $(tr '\n' ' ' <"$T/args")"
MANWIDTH=80 man -E UTF-8 -l "$SRC/man/pam_sspr.8" 2>/dev/null | col -b |
	sed -n '/^OPTIONS/,/^[A-Z]/p' >"$T/pam_sspr.options"
while read -r a; do
	grep -qE "^ {7}$a([A-Za-z]| |$)" "$T/pam_sspr.options"
	ok $? "pam_sspr(8) OPTIONS documents $a"
done <"$T/args"

# --- the installed daemon and its example configuration ----------------------

HD=$D/usr/sbin/sspr-helperd
CONF=$D/etc/sspr/sspr-helperd.conf
out=$("$HD" --config "$CONF" --check 2>&1)
r=$?
is "$r" 1 "--check on the example as installed: exit 1 (nothing to talk to is named)"
like "$out" "^$CONF: \[directory\] uri: required, but not set\$" \
	"it names the first required key, as sspr-helperd.conf(5) says"

# The example with its commented-out required keys filled in passes.
printf 'bind-secret-for-t_install\n' >"$T/bind.pw"
chmod 600 "$T/bind.pw"
sed -E -e 's/^#(uri|base|bind_dn|bind_password_file|smtp_url|from) = /\1 = /' \
	-e "s|^bind_password_file = .*|bind_password_file = $T/bind.pw|" \
	-e "s|^template_dir = .*|template_dir = $D/etc/sspr/mail|" "$CONF" >"$T/example.conf"
chmod 640 "$T/example.conf"
"$HD" --config "$T/example.conf" --check >"$T/check.out" 2>"$T/check.err"
ok $? "--check passes on the example with its required keys filled in"
like "$(cat "$T/check.err")" "^$T/example.conf: configuration OK\$" "and says so"
unlike "$(cat "$T/check.out")" 'bind-secret-for-t_install' "and prints no secret"
n=$(grep -cE '^[a-z_]+ = ' "$T/check.out")
is "$n" "$(wc -l <"$T/keys.code")" "and prints every key"

# --- the systemd unit -----------------------------------------------------------

UNIT=$D/usr/lib/systemd/system/sspr-helperd.service
val() { sed -n "s/^$1=//p" "$UNIT"; }
is "$(val Type)" exec "Type=exec: the daemon does not fork and sends no readiness notification"
is "$(val ExecReload)" '/bin/kill -HUP $MAINPID' "ExecReload sends SIGHUP"
is "$(val CapabilityBoundingSet)" "" "no capabilities"
sock_dir=$(sed -nE 's|^daemon socket = (.*)/[^/]+$|\1|p' "$T/keys.code")
is "/run/$(val RuntimeDirectory)" "$sock_dir" "RuntimeDirectory holds the default socket"
state_dir=$(sed -nE 's|^throttle state_file = (.*)/[^/]+$|\1|p' "$T/keys.code")
is "/var/lib/$(val StateDirectory)" "$state_dir" "StateDirectory holds the default state file"
read -r -a cmd <<<"$(val ExecStart)"
is "${cmd[0]}" /usr/sbin/sspr-helperd "ExecStart runs the installed daemon"
"$D${cmd[0]}" "${cmd[@]:1}" --check >/dev/null 2>&1
r=$?
[ "$r" -ne 2 ]
ok $? "the daemon accepts ExecStart's options (${cmd[*]:1})"
unlike "$(val ExecStart)" '--foreground' "ExecStart logs to syslog and audits to the journal"
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/unit"
	sed "s|^ExecStart=/usr/sbin/|ExecStart=$D/usr/sbin/|" "$UNIT" >"$T/unit/sspr-helperd.service"
	out=$(MANPATH=$D/usr/share/man systemd-analyze verify "$T/unit/sspr-helperd.service" 2>&1)
	ok $? "systemd-analyze verify (its man pages found in the installed tree)"
	is "$out" "" "without a complaint"
else
	TESTS=$((TESTS + 1))
	echo "ok $TESTS # skip systemd-analyze is not installed"
fi

# The daemon as the unit runs it: its own unprivileged user (here a
# throwaway uid), no capabilities, no_new_privs.  It must still read its
# secret file, make its socket, tell callers apart and serve a whole reset.
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	TESTS=$((TESTS + 1))
	echo "ok $TESTS # skip the unprivileged run needs root and setpriv"
elif [ ! -x "$BUILD/tests/rawclient" ]; then
	TESTS=$((TESTS + 1))
	echo "ok $TESTS # skip the unprivileged run needs $BUILD/tests/rawclient (make check builds it)"
else
	# the daemon's user, as _sspr would be: one that is in passwd
	# (cracklib looks its caller up), here nobody
	DU=$(id -u nobody)
	is "$(val User)" _sspr "the unit runs the daemon as _sspr"
	like "$(cat "$D/usr/lib/sysusers.d/sspr.conf")" '^u _sspr ' "sysusers.d makes that user"
	printf '#!/bin/sh\nshift\nexec %s "$@"\n' "$HD" >"$T/installed-daemon"
	chmod 755 "$T/installed-daemon"
	slapd_start && sink_start || exit 1
	daemon_conf "$T/helperd.conf"
	sed -i "s|^template_dir = .*|template_dir = $D/etc/sspr/mail|" "$T/helperd.conf"
	# as the package lays it out: the configuration root:_sspr 0640,
	# secrets and the state and socket directories _sspr's own
	mkdir -p "$T/run" "$T/state"
	sed -i "s|^state_file = .*|state_file = $T/state/throttle.state|" "$T/helperd.conf"
	chmod 711 "$T"
	chgrp "$DU" "$T/helperd.conf"
	chmod 640 "$T/helperd.conf"
	chown "$DU:$DU" "$T/bindpw" "$T/run" "$T/state"
	chmod 644 "$T/ca.pem"
	DAEMON_WRAPPER="setpriv --reuid=$DU --regid=$DU --clear-groups --bounding-set=-all \
--inh-caps=-all --no-new-privs $T/installed-daemon" daemon_start
	ok $? "the installed daemon starts as an unprivileged uid with no capabilities"
	is "$(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$DAEMON_PID/status")" "$DU" \
		"it runs as that uid"
	is "$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$DAEMON_PID/status")" 0000000000000000 \
		"its effective capability set is empty"
	MC="$SRC/tests/lib/env-mailcode.sh $T"
	out=$(raw hello recv start grace recv answer "!$MC grace@example.test 1" recv \
		newpw Garnet-Install-Check-1 recv)
	like "$out" 'DONE outcome=1' "and serves a whole reset"
	bind_ok "uid=grace,$PEOPLE" Garnet-Install-Check-1
	ok $? "the new password works"
	# Socket activation: the daemon takes the socket it is handed.
	if command -v systemd-socket-activate >/dev/null; then
		is "$(sed -n 's/^ListenStream=//p' "$D/usr/lib/systemd/system/sspr-helperd.socket")" \
			"$(sed -nE 's|^daemon socket = ||p' "$T/keys.code")" \
			"sspr-helperd.socket listens where the daemon would"
		# as the unit runs it: the daemon's user, whose files these are
		systemd-socket-activate -l "$T/run/activated.sock" \
		    setpriv --reuid="$DU" --regid="$DU" --clear-groups \
		    "$HD" --config "$T/helperd.conf" --foreground \
		    2>"$T/activated.log" &
		act=$!
		wait_for 5 test -S "$T/run/activated.sock"
		like "$("$BUILD/tests/rawclient" "$T/run/activated.sock" hello recv 2>&1)" \
			'HELLO_OK' "socket activation: the daemon serves the socket systemd made"
		like "$(cat "$T/activated.log")" 'ready on' "and says so"
		kill "$act"; wait "$act" 2>/dev/null
	else
		TESTS=$((TESTS + 1))
		echo "ok $TESTS # skip systemd-socket-activate is not installed"
	fi
	kill -HUP "$DAEMON_PID"
	wait_for 5 grep -q 'configuration reloaded' "$T/helperd.log"
	ok $? "SIGHUP reloads the configuration"
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID"
	is "$?" 0 "SIGTERM stops it with status 0"
fi

# --- pam-auth-update ------------------------------------------------------------

# Everything pam-auth-update reads or writes is a copy, bind-mounted over
# the original in a mount namespace of its own; the machine's files are
# never touched (checked at the end).
pau_ok=
if [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null; then
	pau_ok=1
fi
if [ -n "$pau_ok" ]; then
	W=$T/pau
	mkdir -p "$W/etc" "$W/etc.work" "$W/security" "$W/security.work"
	cp -a /etc/pam.d "$W/pam.d"
	cp -a /usr/share/pam-configs "$W/pam-configs"
	cp -a /var/lib/pam "$W/var-lib-pam"
	cp -a /var/cache/debconf "$W/debconf"
	cp "$D/usr/share/pam-configs/sspr" "$W/pam-configs/sspr"
	# /etc and the modules' directory are overlays on the machine's own:
	# passwd(1)'s writes (useradd, pam_unix) land in $W/etc.  The shadow
	# files are put there first, without a single hash, so none is
	# copied.
	for f in shadow gshadow; do
		sed -E 's/^([^:]*):[^:]*:/\1:*:/' "/etc/$f" >"$W/etc/$f"
		chown --reference="/etc/$f" "$W/etc/$f"
		chmod --reference="/etc/$f" "$W/etc/$f"
	done
	cp "$D/$SECURE/pam_sspr.so" "$W/security/"
	# a second Primary module after pam_unix, as pam_sss would be
	printf '%s\n' 'Name: t_install: a pam_sss stand-in' 'Default: no' 'Priority: 128' \
		'Auth-Type: Primary' 'Auth:' \
		'	[success=end new_authtok_reqd=done default=ignore]	pam_sss.so use_first_pass' \
		'Auth-Initial:' \
		'	[success=end new_authtok_reqd=done default=ignore]	pam_sss.so forward_pass' \
		>"$W/pam-configs/sspr-test-sss"
	sums() {
		md5sum /etc/pam.d/common-* /etc/passwd /etc/shadow /etc/group \
			/var/lib/pam/* /var/cache/debconf/config.dat 2>/dev/null
		ls -A /etc/security
	}
	sums_before=$(sums)
	cat >"$W/run.sh" <<-EOF
	#!/bin/sh
	# in a private mount namespace: COMMAND on the copies
	mount -t overlay overlay -o lowerdir=/etc,upperdir=$W/etc,workdir=$W/etc.work /etc &&
	mount --bind "$W/pam.d" /etc/pam.d &&
	mount --bind "$W/pam-configs" /usr/share/pam-configs &&
	mount --bind "$W/var-lib-pam" /var/lib/pam &&
	mount --bind "$W/debconf" /var/cache/debconf &&
	mount -t overlay overlay -o lowerdir=/$SECURE,upperdir=$W/security,workdir=$W/security.work /$SECURE ||
		exit 99
	exec "\$@"
	EOF
	chmod 755 "$W/run.sh"
	inns() { unshare --mount --propagation private "$W/run.sh" "$@"; }
	: >"$W/pau.log"
	# pau ARGS: pam-auth-update; fails when it keeps "local modifications"
	pau() {
		local n
		n=$(wc -l <"$W/pau.log")
		inns env DEBIAN_FRONTEND=noninteractive pam-auth-update "$@" >>"$W/pau.log" 2>&1 &&
			! tail -n +"$((n + 1))" "$W/pau.log" | grep -q 'Local modifications'
	}
	# The stand-in below plays pam_sss: a machine with the real one
	# enabled starts without it, here.
	if grep -qx sss "$W/var-lib-pam/seen" 2>/dev/null; then
		pau --disable sss
		ok $? "the machine's own pam_sss profile taken out of the copy"
	fi
	for f in "$W"/pam.d/common-*; do cp "$f" "$f.orig"; done
	lines_of() { grep -E "^$1[[:space:]]" "$W/pam.d/common-$1" | tr -s ' \t' ' ' | sed 's/ $//'; }
	auth_lines() { lines_of auth; }
	# jumps_ok [TYPE]: each success=N lands on the line after the
	# Primary block's pam_deny.so
	jumps_ok() {
		awk -v t="${1:-auth}" '$1 == t { line[++n] = $0 }
		     END { for (i = 1; i <= n; i++) if (line[i] ~ /pam_deny\.so/) { d = i; break }
		           if (!d) exit 1
		           for (i = 1; i < d; i++) if (match(line[i], /success=[0-9]+/)) {
		               j = substr(line[i], RSTART + 8, RLENGTH - 8)
		               if (i + j + 1 != d + 1) exit 1 }
		           exit 0 }' "$W/pam.d/common-${1:-auth}"
	}

	pau --enable sspr
	ok $? "pam-auth-update --enable sspr" || sed 's/^/#   /' "$W/pau.log"
	a=$(auth_lines)
	like "$(printf '%s\n' "$a" | head -n 1)" '^auth requisite pam_sspr\.so$' \
		"common-auth: pam_sspr.so is the first auth module, requisite"
	s=$(printf '%s\n' "$a" | grep -n 'pam_sspr\.so' | cut -d: -f1)
	u=$(printf '%s\n' "$a" | grep -n 'pam_unix\.so' | cut -d: -f1)
	[ -n "$s" ] && [ -n "$u" ] && [ "$s" -lt "$u" ]
	ok $? "before pam_unix.so"
	like "$a" 'pam_unix\.so .*try_first_pass' "pam_unix.so takes the password pam_sspr hands on (try_first_pass)"
	jumps_ok
	ok $? "every success=N jumps past the Primary block's pam_deny.so" ||
		printf '%s\n' "$a" | sed 's/^/#   /'
	acct=$(lines_of account)
	like "$(printf '%s\n' "$acct" | tail -n 1)" '^account required pam_sspr\.so$' \
		"common-account: pam_sspr.so after the Primary block (forced changes)"
	p=$(printf '%s\n' "$acct" | grep -n 'pam_permit\.so' | cut -d: -f1)
	s=$(printf '%s\n' "$acct" | grep -n 'pam_sspr\.so' | cut -d: -f1)
	[ -n "$p" ] && [ -n "$s" ] && [ "$p" -lt "$s" ]
	ok $? "after pam_permit.so, so its PAM_IGNORE cannot fail a login"
	for t in session session-noninteractive; do
		cmp -s "$W/pam.d/common-$t.orig" "$W/pam.d/common-$t"
		ok $? "common-$t untouched"
	done

	# --- the password stage, for real -------------------------------------
	#
	# pam_sspr is a Primary password module in front of pam_unix (the
	# profile's priority).  First in the block (its Password-Initial
	# line, ask_new) it asks the new password of an account that is not
	# the directory's and hands it on, as pam_pwquality does, so
	# pam_unix's generated use_authtok line works; behind pam_pwquality
	# (its Password line, use_authtok) it takes pwquality's.  passwd runs
	# both ways, for a local and for a directory account, through the
	# generated stack and the real modules.
	pw=$(lines_of password)
	s=$(printf '%s\n' "$pw" | grep -n 'pam_sspr\.so' | cut -d: -f1)
	u=$(printf '%s\n' "$pw" | grep -n 'pam_unix\.so' | cut -d: -f1)
	[ -n "$s" ] && [ -n "$u" ] && [ "$s" -lt "$u" ]
	ok $? "common-password: pam_sspr.so before pam_unix.so" ||
		printf '%s\n' "$pw" | sed 's/^/#   /'
	like "$pw" 'password \[success=[0-9]+ ignore=ignore default=die\] pam_sspr\.so (ask_new|use_authtok)' \
		"a directory account's change ends there; any other account goes on"
	jumps_ok password
	ok $? "its success=N jumps past pam_deny.so"

	# The module's settings the upgrade-safe way: the config file (here
	# in the namespace's /etc), not the generated line.
	mkdir -p "$W/etc/security"
	install -m 0644 "$D/etc/security/pam_sspr.conf" "$W/etc/security/pam_sspr.conf"
	printf '%s\n' "socket = $W/run/pau.sock" "daemon_user = root" \
		>>"$W/etc/security/pam_sspr.conf"
	{ [ -n "${LDAP_URI:-}" ] || slapd_start; } && { [ -n "${SMTP_PORT:-}" ] || sink_start; } &&
		rm -f "$T/bindpw" && mkdir -m 700 "$W/run" && SOCKET=$W/run/pau.sock daemon_conf "$T/pau-daemon.conf" &&
		daemon_start pau-daemon
	ok $? "a directory, a mail sink and the daemon for the directory accounts"
	inns useradd -M -s /usr/sbin/nologin sspr-t-local >>"$W/pau.log" 2>&1
	ok $? "a local account, sspr-t-local (in the namespace's /etc)"
	printf '%s\n' 'auth include common-auth' 'account include common-account' \
		>"$W/pam.d/sspr-t-login"
	hash_of() { sed -n "s/^$1:\([^:]*\):.*/\1/p" "$W/etc/shadow"; }
	# run NAME USER OPS SCRIPT-LINES...: pamdrive in the namespace
	run() {
		local name=$1 user=$2 ops=$3
		shift 3
		printf '%s\n' "$@" >"$T/$name.script"
		inns "$BUILD/tests/pamdrive" -d /etc/pam.d -s "${SVC:-passwd}" -u "$user" \
			-f "$T/$name.script" -o "$ops" 2>>"$T/drive.err"
	}
	# passwd_both HOW LOCAL-PW ALICE-OLD ALICE-NEW: each account once
	passwd_both() {
		local how=$1 lpw=$2 dold=$3 dnew=$4 before out
		if [ -n "${SSPR_ASAN:-}" ]; then
			asan_skip 4 "$how: local passwd"
		else
			local_passwd "$how" "$lpw"
		fi
		directory_passwd "$@"
	}
	# asan_skip N WHAT: pam_unix itself crashes (a call through a null
	# pointer) inside an ASan-built pamdrive; make check runs these
	asan_skip() {
		local i
		for i in $(seq "$1"); do
			TESTS=$((TESTS + 1))
			echo "ok $TESTS # skip $2: pam_unix cannot run in an ASan-built program"
		done
	}
	local_passwd() {
		local how=$1 lpw=$2 before out h
		before=$(hash_of sspr-t-local)
		# pam_sspr (ask_new) or pam_pwquality asks, as root's passwd
		# would: no current password
		out=$(run local-$how sspr-t-local passwd \
			"^New password: => $lpw" "^Retype new password: => $lpw")
		ok $? "$how: passwd for a local account asks the new password twice"
		like "$out" 'result: Success' "$how: and succeeds"
		unlike "$out" 'directory password' "$how: pam_sspr does not claim it"
		h=$(hash_of sspr-t-local)
		[ -n "$h" ] && [ "$h" != "$before" ] && [ "$h" != '!' ]
		ok $? "$how: pam_unix wrote its new hash to the namespace's /etc/shadow"
		out=$(SVC=sspr-t-login run login-$how sspr-t-local auth \
			"^Password \(press Enter if you can't access your account\): => $lpw")
		like "$out" 'result: Success' "$how: the new local password logs in through the generated common-auth"
	}
	directory_passwd() {
		local how=$1 dold=$3 dnew=$4 out
		if [ "$how" = ask_new ]; then
			out=$(run dir-$how "$5" passwd "^Current password: => $dold" \
				"^New password: => $dnew" "^Retype new password: => $dnew")
		else
			out=$(run dir-$how "$5" passwd "^New password: => $dnew" \
				"^Retype new password: => $dnew" "^Current password: => $dold")
		fi
		ok $? "$how: passwd for a directory account ($5) asks what the script says"
		like "$out" "Changing the directory password of $5\\." "$how: pam_sspr changes it"
		like "$out" 'result: Success' "$how: pam_chauthtok succeeds"
		bind_ok "uid=$5,$PEOPLE" "$dnew"
		ok $? "$how: $5 binds with the new password"
		bind_ok "uid=$5,$PEOPLE" "$dold"
		ok $((!$?)) "$how: and no longer with the old one"
	}
	# pam_sspr first in the block: pam_pwquality (when the machine has it)
	# taken out for this part
	have_pwq= lpw=Local-Quartz-Meadow-41
	[ -f "$W/pam-configs/pwquality" ] && [ -f "/$SECURE/pam_pwquality.so" ] && have_pwq=1
	[ -z "$have_pwq" ] || pau --disable pwquality
	ok $? "pam_pwquality out of the password stack (if it was there)"
	like "$(lines_of password | head -n 1)" 'pam_sspr\.so ask_new$' \
		"pam_sspr.so first: its Password-Initial line, ask_new"
	passwd_both ask_new "$lpw" Old-Passw0rd-alice Dir-Falcon-Harbor-42 alice
	if [ -n "$have_pwq" ]; then
		pau --enable pwquality
		ok $? "pam_pwquality back in, before pam_sspr"
		like "$(lines_of password | head -n 2 | tr '\n' ' ')" \
			'pam_pwquality\.so.* pam_sspr\.so use_authtok $' \
			"pam_sspr.so second: its Password line, use_authtok"
		lpw=Local-Birch-Canyon-43
		passwd_both use_authtok "$lpw" Old-Passw0rd-bob Dir-Cobalt-Willow-44 bob
	else
		TESTS=$((TESTS + 1))
		echo "ok $TESTS # skip pam_pwquality is not installed"
	fi
	# A bad config file never costs a local password change (or login).
	chmod 666 "$W/etc/security/pam_sspr.conf"
	if [ -n "${SSPR_ASAN:-}" ]; then
		asan_skip 1 "a local login with a bad config file"
	else
		out=$(SVC=sspr-t-login run login-badconf sspr-t-local auth \
			"^Password \(press Enter if you can't access your account\): => $lpw")
		like "$out" 'result: Success' "a config file others may write is refused, and a local login still works"
	fi
	out=$(run dir-badconf alice passwd)
	unlike "$out" 'directory password|result: Success' \
		"and its settings are not used (the daemon's socket is not found: no directory change)"
	chmod 644 "$W/etc/security/pam_sspr.conf"

	# What the README used to say, a password line added by hand, is what
	# stops pam-auth-update: the check above can see it.
	cp "$W/pam.d/common-password" "$W/common-password.keep"
	awk '!done && /^password[[:space:]]/ {
		print "password [success=done ignore=ignore default=die] pam_sspr.so"; done = 1 }
	     { print }' "$W/common-password.keep" >"$W/pam.d/common-password"
	pau --package
	ok $((!$?)) "a hand-added password line makes pam-auth-update keep 'local modifications'"
	cp "$W/common-password.keep" "$W/pam.d/common-password"

	# Upgrade-style re-runs keep everything, and refuse nothing.
	cp "$W/pam.d/common-password" "$W/common-password.enabled"
	pau --package
	ok $? "pam-auth-update --package (as a package upgrade runs it): no 'local modifications'" ||
		tail -n 5 "$W/pau.log" | sed 's/^/#   /'
	cmp -s "$W/common-password.enabled" "$W/pam.d/common-password"
	ok $? "common-password as it was"
	pau --package --enable sspr
	ok $? "the package's postinst again (--package --enable sspr)"
	cmp -s "$W/common-password.enabled" "$W/pam.d/common-password"
	ok $? "common-password as it was"

	pau --enable sspr-test-sss
	ok $? "pam-auth-update --enable of a pam_sss stand-in as well"
	a=$(auth_lines)
	printf '%s\n' "$a" | grep -oE 'pam_(sspr|unix|sss)\.so' | tr '\n' ' ' >"$W/order"
	is "$(cat "$W/order")" "pam_sspr.so pam_unix.so pam_sss.so " "order: pam_sspr, pam_unix, pam_sss"
	like "$a" 'auth \[success=2 default=ignore\] pam_unix\.so' "pam_unix.so jumps 2 on success"
	like "$a" 'auth \[success=1 ([a-z_]+=[a-z]+ )*default=ignore\] pam_sss\.so use_first_pass' \
		"pam_sss.so jumps 1 and uses the first password"
	jumps_ok
	ok $? "every success=N still lands after pam_deny.so"

	for round in 1 2; do
		pau --disable sspr sspr-test-sss
		ok $? "round $round: pam-auth-update --disable sspr: no 'local modifications'"
		unlike "$(cat "$W"/pam.d/common-*)" 'pam_sspr' "pam_sspr.so is gone from every common-*"
		for t in auth account password; do
			cmp -s "$W/pam.d/common-$t.orig" "$W/pam.d/common-$t"
			ok $? "common-$t is as it was before" ||
				diff "$W/pam.d/common-$t.orig" "$W/pam.d/common-$t" | sed 's/^/#   /'
		done
		[ "$round" = 2 ] && break
		pau --enable sspr
		ok $? "pam-auth-update --enable sspr again: no 'local modifications'"
		cmp -s "$W/common-password.enabled" "$W/pam.d/common-password"
		ok $? "common-password as the first --enable made it"
	done

	sums_after=$(sums)
	is "$sums_after" "$sums_before" "the machine's PAM files, passwd, shadow and debconf database are untouched"
else
	TESTS=$((TESTS + 1))
	echo "ok $TESTS # skip pam-auth-update: unshare --mount cannot run here (it needs root)"
fi

# The profile names no module type the module does not provide.
map=$(grep -oE 'pam_sm_[a-z_]+' "$SRC/pam_sspr/pam_sspr.map" | sort -u | tr '\n' ' ')
for t in Account:pam_sm_acct_mgmt Password:pam_sm_chauthtok Session:pam_sm_open_session; do
	type=${t%%:*}
	fn=${t#*:}
	if grep -q "^$type" "$SRC/conf/pam-configs/sspr"; then
		like "$map" "$fn" "the profile's $type lines have $fn behind them"
	fi
done

done_testing
