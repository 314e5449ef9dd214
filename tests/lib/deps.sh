#!/bin/sh
# Installs the Debian packages the build, the tests and the demo need,
# when run as root and something is missing.  Services that packages
# would start (slapd, samba, sshd, sssd, postfix, 389 DS) are kept from
# starting: the tests run their own, on loopback, in temporary
# directories.
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev libpam0g-dev libldap-dev
libcurl4-openssl-dev libssl-dev libcmocka-dev libpam-wrapper pamtester
slapd ldap-utils python3-aiosmtpd expect openssl tmux db5.3-util
samba samba-ad-dc samba-ad-provision ldb-tools iproute2 util-linux
libpwquality-dev libcrack2-dev cracklib-runtime locales gettext gdb
liboath-dev libqrencode-dev zbar-tools man-db groff-base bsdextrautils
openssh-server openssh-client libnss-wrapper login systemd oathtool
sssd-ldap sssd-tools libpam-sss libnss-sss postfix 389-ds-base"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "missing Debian packages:$missing" >&2
	echo "install them (as root: apt-get install$missing) and run again" >&2
	exit 1
fi

echo "installing:$missing"
guard=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	guard=1
fi
export DEBIAN_FRONTEND=noninteractive
# t_host writes its own main.cf, in a private overlay of /etc; Postfix
# must configure nothing for the machine itself.
echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
[ -n "$guard" ] && rm -f /usr/sbin/policy-rc.d
exit 0
