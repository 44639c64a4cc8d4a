#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install the Debian 12 packages needtoknow builds and tests with (run as root).
set -euo pipefail

packages=(
	# build
	build-essential autoconf automake libtool pkg-config
	libldap-dev libpam0g-dev libaudit-dev libauparse-dev check
	libkrb5-dev libsasl2-dev
	zlib1g-dev
	postgresql-server-dev-15 libmariadb-dev
	# Debian packages (tests/package): dpkg-buildpackage, dh, pg_buildext, lintian
	dpkg-dev debhelper postgresql-server-dev-all lintian git
	# real servers and clients the tests drive
	slapd ldap-utils auditd postgresql-15 mariadb-server
	# audisp-remote: the audit collector test forwards records to a private auditd
	audispd-plugins
	pamtester libnss-wrapper libpam-wrapper openssh-server openssh-client nscd
	# SASL binds: a private MIT KDC (GSSAPI) and the SASL GSSAPI mechanism
	krb5-kdc krb5-admin-server krb5-user libsasl2-modules-gssapi-mit
	# memory checking and process helpers
	valgrind util-linux procps time iproute2 strace
	# a TCP proxy the change-subscription test cuts (tests/integration/sync.sh)
	socat
	# time zones for the until= tests
	tzdata
	# the differential test's reference model and driver (stdlib only)
	python3
)

if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: run as root (it calls apt-get)" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
# Installing a server package must not start it: tests start their own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -q
apt-get install -y -q "${packages[@]}"
