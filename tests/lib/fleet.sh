# shellcheck shell=bash
# fleet.sh: sourced after env.sh.  Reset servers and relays on loopback
# (DESIGN.md "Fleets"), their certificates from the test CA in $T.

# fleet_cert NAME DNSNAME [CA_DIR] [DAYS_OPTS...]: $T/NAME.pem + .key for a host
fleet_cert() {
	local name=$1 dns=$2 cadir=${3:-$T}
	[ -f "$cadir/ca.pem" ] || "$SRC/tests/lib/ca.sh" "$cadir" >/dev/null
	(umask 077 && openssl req -newkey rsa:2048 -nodes -subj "/CN=$dns" \
		-keyout "$T/$name.key" -out "$T/$name.csr" 2>/dev/null)
	printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\n' "$dns" > "$T/$name.ext"
	openssl x509 -req -in "$T/$name.csr" -CA "$cadir/ca.pem" -CAkey "$cadir/ca.key" \
		-CAcreateserial -days 2 -extfile "$T/$name.ext" -out "$T/$name.pem" 2>/dev/null
}

# server_conf NAME PORT [EXTRA FLEET LINES]: a reset server's config
server_conf() {
	SOCKET=$T/run/$1.sock daemon_conf "$T/$1.conf"
	cat >> "$T/$1.conf" <<-EOF2

	[fleet]
	role = reset-server
	listen = 127.0.0.1:$2
	cert_file = $T/server.pem
	key_file = $T/server.key
	ca_file = $T/ca.pem
	${3:-}
	EOF2
}

# relay_conf NAME CERTNAME SERVERS... : a relay's config
relay_conf() {
	local name=$1 cert=$2
	shift 2
	cat > "$T/$name.conf" <<-EOF2
	[daemon]
	socket = $T/run/$name.sock
	allowed_uids = $(id -u)
	debug = yes
	${RELAY_EXTRA_DAEMON:-}

	[fleet]
	role = relay
	servers = $*
	cert_file = $T/$cert.pem
	key_file = $T/$cert.key
	ca_file = $T/ca.pem
	timeout = 3
	EOF2
	chmod 600 "$T/$name.conf"
}

# port_open PORT: does something accept on 127.0.0.1:PORT?
port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# fleet_ca_init: an `openssl ca` database over the test CA, for expired
# certificates and a CRL ($T/crl.pem, empty at first).
fleet_ca_init() {
	mkdir -p "$T/caroot/new"
	: > "$T/caroot/index.txt"
	echo 1000 > "$T/caroot/crlnumber"
	echo 2000 > "$T/caroot/serial"
	cat > "$T/caroot/ca.cnf" <<-EOF2
	[ca]
	default_ca = fleet
	[fleet]
	database = $T/caroot/index.txt
	new_certs_dir = $T/caroot/new
	serial = $T/caroot/serial
	crlnumber = $T/caroot/crlnumber
	certificate = $T/ca.pem
	private_key = $T/ca.key
	default_md = sha256
	default_crl_days = 2
	policy = anything
	unique_subject = no
	[anything]
	commonName = supplied
	EOF2
	openssl ca -batch -config "$T/caroot/ca.cnf" -gencrl -out "$T/crl.pem" 2>/dev/null
}

# fleet_cert_expired NAME DNSNAME: signed by the test CA, valid in 2020 only
fleet_cert_expired() {
	(umask 077 && openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" \
		-keyout "$T/$1.key" -out "$T/$1.csr" 2>/dev/null)
	printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\n' "$2" > "$T/$1.ext"
	openssl ca -batch -config "$T/caroot/ca.cnf" -in "$T/$1.csr" -out "$T/$1.pem" \
		-startdate 20200101000000Z -enddate 20200102000000Z \
		-extfile "$T/$1.ext" -notext 2>/dev/null
}

# fleet_revoke NAME: revokes $T/NAME.pem and rewrites $T/crl.pem
fleet_revoke() {
	openssl ca -batch -config "$T/caroot/ca.cnf" -revoke "$T/$1.pem" 2>/dev/null &&
	openssl ca -batch -config "$T/caroot/ca.cnf" -gencrl -out "$T/crl.pem" 2>/dev/null
}

reloaded_count_above() {	# reloaded_count_above LOG N
	[ "$(grep -c "configuration reloaded" "$1" 2>/dev/null)" -gt "$2" ]
}

# reload NAME PID: SIGHUP, and wait for the log to say it was taken
reload() {
	local n
	n=$(grep -c "configuration reloaded" "$T/$1.log")
	kill -HUP "$2"
	wait_for 10 reloaded_count_above "$T/$1.log" "$n"
}

# --- SSPR_FLEET=1: any suite through a relay and a reset server ----------
#
# daemon_start NAME then starts NAME as a reset server (its log NAME.log,
# where the flows are) and, in front of it, a relay on the socket NAME's
# configuration named (log NAME.relay.log), so the module and the test's
# raw client talk to the relay.  The relay copies NAME's [daemon] section.

fleet_daemon_start() {
	local name=${1:-helperd} sock port before check prev
	# SSPR_FLEET_CHECK=FILE: at exit, the flows the reset servers logged
	# under the relay's name go there, and FILE.direct the flows logged
	# under no host's (t_fleet_e2e checks there were some, and none), before
	# whatever the suite set to run at exit (samba.sh's cleanup)
	if [ -n "${SSPR_FLEET_CHECK:-}" ] && [ -z "${FLEET_TRAP:-}" ]; then
		FLEET_TRAP=1
		check='grep -h "src=fleet-host\.test/" "$T"/*.log > "$SSPR_FLEET_CHECK" 2>/dev/null;
		grep -hE " flow=[0-9a-f]+ .* src=" "$T"/*.log 2>/dev/null |
			grep -v "src=fleet-host\.test/" > "$SSPR_FLEET_CHECK.direct"'
		prev=$(trap -p EXIT)
		eval "set -- $prev"
		trap "$check; ${3:-cleanup}" EXIT
	fi
	mkdir -p "$T/run"
	chmod 700 "$T/run"
	[ -f "$T/fleet-host.pem" ] || fleet_cert fleet-host fleet-host.test
	[ -f "$T/$name.conf" ] || daemon_conf "$T/$name.conf"
	if ! grep -q '^\[fleet\]' "$T/$name.conf"; then
		sock=$(sed -n 's/^socket = //p' "$T/$name.conf")
		port=$(ports 1)
		echo "$sock" > "$T/$name.fleet-sock"
		awk '/^\[/ { d = ($0 == "[daemon]") } d' "$T/$name.conf" |
			sed "s|^socket = .*|socket = $sock|" > "$T/$name.relay.conf"
		cat >> "$T/$name.relay.conf" <<-EOF2

		[fleet]
		role = relay
		servers = localhost:$port
		cert_file = $T/fleet-host.pem
		key_file = $T/fleet-host.key
		ca_file = $T/ca.pem
		EOF2
		chmod 600 "$T/$name.relay.conf"
		# a new configuration: a new relay in front of it
		if [ -f "$T/$name.relay.pid" ]; then
			kill "$(cat "$T/$name.relay.pid")" 2>/dev/null
			wait "$(cat "$T/$name.relay.pid")" 2>/dev/null
			rm -f "$T/$name.relay.pid"
		fi
		sed -i "s|^socket = .*|socket = $T/run/$name.server.sock|" "$T/$name.conf"
		cat >> "$T/$name.conf" <<-EOF2

		[fleet]
		role = reset-server
		listen = 127.0.0.1:$port
		cert_file = $T/server.pem
		key_file = $T/server.key
		ca_file = $T/ca.pem
		EOF2
	fi
	before=$(grep -c "ready on" "$T/$name.log" 2>/dev/null)
	GLIBC_TUNABLES=glibc.malloc.tcache_count=0 \
	${DAEMON_WRAPPER:-} "$BUILD/sspr-helperd" --config "$T/$name.conf" --foreground \
	    >>"$T/$name.log" 2>&1 &
	DAEMON_PID=$!
	PIDS+=("$DAEMON_PID")
	wait_for 10 ready_count_above "$T/$name.log" "${before:-0}" ||
		{ echo "# reset server did not start"; sed 's/^/#   /' "$T/$name.log"; return 1; }
	if [ -f "$T/$name.relay.pid" ] && kill -0 "$(cat "$T/$name.relay.pid")" 2>/dev/null; then
		return 0
	fi
	if [ ! -f "$T/$name.relay.conf" ]; then
		# a copy of another daemon's file (cp helperd.conf passd.conf):
		# that daemon's relay, still running, forwards to the same port
		port=$(sed -n 's/^listen = 127\.0\.0\.1://p' "$T/$name.conf")
		grep -qx "servers = localhost:$port" "$T"/*.relay.conf 2>/dev/null &&
			return 0
	fi
	before=$(grep -c "ready on" "$T/$name.relay.log" 2>/dev/null)
	${DAEMON_WRAPPER:-} "$BUILD/sspr-helperd" --config "$T/$name.relay.conf" --foreground \
	    >>"$T/$name.relay.log" 2>&1 &
	echo $! > "$T/$name.relay.pid"
	PIDS+=($!)
	wait_for 10 ready_count_above "$T/$name.relay.log" "${before:-0}" ||
		{ echo "# relay did not start"; sed 's/^/#   /' "$T/$name.relay.log"; return 1; }
}
