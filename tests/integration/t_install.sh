#!/bin/bash
# Installing the Debian way: `make install DESTDIR=... PREFIX=/usr` puts
# every file where Debian looks for it, with its mode; every man page
# renders without a warning; the installed example configuration behaves
# under --check as documented; every key of cfg.c's table is documented,
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

# "section key = default" per key of cfg.c's table; "section key" when
# it has none (required).  In conf/sspr-helperd.conf a required key is
# commented out ("#key = example"), in the man page a ".B key" heading.
norm() { sed -E 's/[[:space:]]+$//'; }
sed -nE 's/^[[:space:]]*\{ "([a-z]+)", "([a-z_]+)", K_[A-Z]+, [^,]+, (NULL|"([^"]*)"),.*/\1 \2 \3/p' \
	"$SRC/sspr-helperd/cfg.c" |
	sed -E 's/ NULL$//; s/^([a-z]+ [a-z_]+) "(.*)"$/\1 = \2/' | norm >"$T/keys.code"
n=$(wc -l <"$T/keys.code")
[ "$n" -gt 60 ] && [ "$n" -eq "$(grep -cE '^[[:space:]]*\{ "[a-z]+", "[a-z_]+", K_' "$SRC/sspr-helperd/cfg.c")" ]
ok $? "cfg.c's key table read: $n keys"
awk '/^\[[a-z]+\]$/ { s = substr($0, 2, length($0) - 2); next }
     /^#[a-z_]+ = / { print s, substr($1, 2); next }
     /^[a-z_]+ =/ { print s, $0 }' "$SRC/conf/sspr-helperd.conf" | norm >"$T/keys.conf"
awk '/^\.SH "\[[a-z]+\]"$/ { s = substr($2, 3, length($2) - 4); next }
     /^\.SH/ { s = "" }
     prev == ".TP" && s != "" && /^\.B / { print s, substr($0, 4) }
     { prev = $0 }' "$SRC/man/sspr-helperd.conf.5" | norm >"$T/keys.man"
keydiff() {	# keydiff FILE WHAT: FILE against the code's keys and defaults
	diff "$T/keys.code" "$1" >"$T/keys.diff"
	ok $? "$2 has every key of cfg.c, in its order, with its default"
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
	mkdir -p "$W"
	cp -a /etc/pam.d "$W/pam.d"
	cp -a /usr/share/pam-configs "$W/pam-configs"
	cp -a /var/lib/pam "$W/var-lib-pam"
	cp -a /var/cache/debconf "$W/debconf"
	cp "$D/usr/share/pam-configs/sspr" "$W/pam-configs/sspr"
	# a second Primary module after pam_unix, as pam_sss would be
	printf '%s\n' 'Name: t_install: a pam_sss stand-in' 'Default: no' 'Priority: 128' \
		'Auth-Type: Primary' 'Auth:' \
		'	[success=end new_authtok_reqd=done default=ignore]	pam_sss.so use_first_pass' \
		'Auth-Initial:' \
		'	[success=end new_authtok_reqd=done default=ignore]	pam_sss.so forward_pass' \
		>"$W/pam-configs/sspr-test-sss"
	# where libpam-sss is installed (t_host needs it), its own profile
	# is that module
	[ -f "$W/pam-configs/sss" ] && rm -f "$W/pam-configs/sspr-test-sss"
	sums_before=$(md5sum /etc/pam.d/common-* /var/lib/pam/* /var/cache/debconf/config.dat 2>/dev/null)
	cat >"$W/run.sh" <<-EOF
	#!/bin/sh
	# in a private mount namespace: pam-auth-update ARGS on the copies
	mount --bind "$W/pam.d" /etc/pam.d &&
	mount --bind "$W/pam-configs" /usr/share/pam-configs &&
	mount --bind "$W/var-lib-pam" /var/lib/pam &&
	mount --bind "$W/debconf" /var/cache/debconf || exit 99
	DEBIAN_FRONTEND=noninteractive exec pam-auth-update "\$@"
	EOF
	chmod 755 "$W/run.sh"
	pau() { unshare --mount --propagation private "$W/run.sh" "$@" >>"$W/pau.log" 2>&1; }
	for f in "$W"/pam.d/common-*; do cp "$f" "$f.orig"; done
	auth_lines() { grep -E '^auth[[:space:]]' "$W/pam.d/common-auth" | tr -s ' \t' ' ' | sed 's/ $//'; }
	# jumps JUMPS: each success=N lands on the line after the Primary
	# block's pam_deny.so
	jumps_ok() {
		awk '$1 == "auth" { line[++n] = $0 }
		     END { for (i = 1; i <= n; i++) if (line[i] ~ /pam_deny\.so/) { d = i; break }
		           if (!d) exit 1
		           for (i = 1; i < d; i++) if (match(line[i], /success=[0-9]+/)) {
		               j = substr(line[i], RSTART + 8, RLENGTH - 8)
		               if (i + j + 1 != d + 1) exit 1 }
		           exit 0 }' "$W/pam.d/common-auth"
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
	acct=$(grep -E '^account[[:space:]]' "$W/pam.d/common-account" | tr -s ' \t' ' ' | sed 's/ $//')
	like "$(printf '%s\n' "$acct" | grep -Ev 'pam_(sss|localuser)\.so' | tail -n 1)" '^account required pam_sspr\.so$' \
		"common-account: pam_sspr.so after the Primary block (forced changes)"
	p=$(printf '%s\n' "$acct" | grep -n 'pam_permit\.so' | cut -d: -f1)
	s=$(printf '%s\n' "$acct" | grep -n 'pam_sspr\.so' | cut -d: -f1)
	[ -n "$p" ] && [ -n "$s" ] && [ "$p" -lt "$s" ]
	ok $? "after pam_permit.so, so its PAM_IGNORE cannot fail a login"
	# The password stage stays manual (README): as the first Primary
	# password module it would make pam_unix's line use_authtok, which
	# fails for local accounts pam_sspr leaves alone.
	for t in password session session-noninteractive; do
		cmp -s "$W/pam.d/common-$t.orig" "$W/pam.d/common-$t"
		ok $? "common-$t untouched"
	done

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

	pau --disable sspr sspr-test-sss
	ok $? "pam-auth-update --disable sspr"
	unlike "$(cat "$W/pam.d/common-auth")" 'pam_sspr' "pam_sspr.so is gone from common-auth"
	cmp -s "$W/pam.d/common-auth.orig" "$W/pam.d/common-auth"
	ok $? "common-auth is as it was before" ||
		diff "$W/pam.d/common-auth.orig" "$W/pam.d/common-auth" | sed 's/^/#   /'

	sums_after=$(md5sum /etc/pam.d/common-* /var/lib/pam/* /var/cache/debconf/config.dat 2>/dev/null)
	is "$sums_after" "$sums_before" "the machine's PAM files and debconf database are untouched"
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
