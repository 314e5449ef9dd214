#!/bin/sh
# ca.sh DIR [NAME IP DNSNAME]: a throwaway CA in DIR (made once) and a
# server certificate signed by it, so every TLS check in the tests stays
# switched on.  Without NAME: DIR/server.pem for 127.0.0.1 and localhost,
# its key readable by all (slapd and the SMTP sink).  With NAME:
# DIR/NAME.pem for IP and DNSNAME, its key DIR/NAME.key private to the
# caller, as Samba insists (it refuses a key file that is not 0600).
set -eu
d=$1
name=${2:-server}
ip=${3:-127.0.0.1}
dns=${4:-localhost}
if [ ! -f "$d/ca.pem" ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sspr test CA" \
		-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
fi
(umask 077 && openssl req -newkey rsa:2048 -nodes -subj "/CN=$ip" \
	-keyout "$d/$name.key" -out "$d/$name.csr" 2>/dev/null)
printf 'subjectAltName=IP:%s,DNS:%s\nbasicConstraints=CA:FALSE\n' "$ip" "$dns" \
	> "$d/$name.ext"
openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
	-CAcreateserial -days 2 -extfile "$d/$name.ext" -out "$d/$name.pem" \
	2>/dev/null
[ "$name" = server ] && chmod 644 "$d/$name.key"
exit 0
