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
