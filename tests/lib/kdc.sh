# SPDX-License-Identifier: LGPL-2.1-or-later
# A private MIT Kerberos KDC on 127.0.0.1 for SASL/GSSAPI bind tests.
# Needs common.sh and ntk_tmpdir. Never reads or writes /etc/krb5.conf or
# /etc/krb5kdc: the realm, its database, stash and logs live in $NTK_TMP/kdc,
# and every Kerberos program of the test (kinit, slapd, ntkd, dirtool,
# ldapwhoami) finds them through the exported KRB5_CONFIG.
#
# kdc_start LOW HIGH sets and exports KDC_DIR, KDC_PORT, KDC_PID, KDC_REALM,
# KRB5_CONFIG, KRB5_KDC_PROFILE, KDC_LDAP_PRINC, KDC_SLAPD_KEYTAB,
# KDC_NTKD_PRINC, KDC_NTKD_KEYTAB. The KDC stops (by pid) at exit.

KDC_REALM=NTK.TEST
KDC_BIN=${KDC_BIN:-/usr/sbin/krb5kdc}
# The master key of a throwaway database: it guards nothing.
KDC_MASTER_PW="ntk-test-master"
# The host part of slapd's service principal. libldap canonicalises the host
# of the URI before SASL: for a loopback peer it uses the machine's own name
# (gethostname + gethostbyname, e.g. "vm"), not "localhost" and not the URI's
# host, so ldap://127.0.0.1 and ldap://localhost both ask for ldap/<machine>.
# That name differs between machines; with SASL_NOCANON (LDAPSASL_NOCANON=on in
# the environment, ldapwhoami -N, LDAP_OPT_X_SASL_NOCANON) libldap uses the
# URI's host as written. The tests do that, with ldap://localhost:PORT/.
KDC_LDAP_HOST=${KDC_LDAP_HOST:-localhost}
# ntkd's own principal: a service-style name so that it is obviously not a person.
KDC_NTKD_PRINC="ntkd/ntk-test@$KDC_REALM"

# kdc_write_conf PORT: the client profile (krb5.conf) and the KDC profile (kdc.conf).
kdc_write_conf() {
	local port=$1
	# rdns/dns_canonicalize_hostname off: the service host name is used as
	# written, never rewritten through DNS or /etc/hosts (which would name the
	# machine, not the principal we made). No DNS lookups for KDCs or realms.
	# A client run without KRB5CCNAME caches its tickets in the temp dir,
	# never in the machine's /tmp/krb5cc_<uid>.
	cat >"$KDC_DIR/krb5.conf" <<CONF
[libdefaults]
	default_realm = $KDC_REALM
	default_ccache_name = FILE:$KDC_DIR/krb5cc_%{uid}
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	ignore_acceptor_hostname = false
	forwardable = false

[realms]
	$KDC_REALM = {
		kdc = 127.0.0.1:$port
	}

[domain_realm]
	localhost = $KDC_REALM
	127.0.0.1 = $KDC_REALM
CONF
	# kdc_listen/kdc_tcp_listen bind loopback only (the default is every address).
	cat >"$KDC_DIR/kdc.conf" <<CONF
[kdcdefaults]
	kdc_listen = 127.0.0.1:$port
	kdc_tcp_listen = 127.0.0.1:$port

[realms]
	$KDC_REALM = {
		database_name = $KDC_DIR/principal
		key_stash_file = $KDC_DIR/stash
		acl_file = $KDC_DIR/kadm5.acl
		max_life = 1h
		max_renewable_life = 0
	}

[logging]
	kdc = FILE:$KDC_DIR/kdc.log
	admin_server = FILE:$KDC_DIR/kadmin.log
	default = FILE:$KDC_DIR/krb5lib.log
CONF
	: >"$KDC_DIR/kadm5.acl"
}

# kdc_launch PORT: write the profiles for PORT and run krb5kdc in the
# foreground (-n) in the background of this shell, so its pid is ours. True
# once it answers on the TCP port; false (and reaped) when it died, e.g. the
# UDP twin of a free TCP port was taken.
kdc_launch() {
	kdc_write_conf "$1"
	"$KDC_BIN" -n -r "$KDC_REALM" >>"$KDC_DIR/krb5kdc.out" 2>&1 &
	KDC_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		if ! kill -0 "$KDC_PID" 2>/dev/null; then
			wait "$KDC_PID" 2>/dev/null || true
			KDC_PID=
			return 1
		fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	ntk_stop_pid "$KDC_PID"
	KDC_PID=
	return 1
}

kdc_stop() {
	[ -n "${KDC_PID:-}" ] || return 0
	ntk_stop_pid "$KDC_PID"
	wait "$KDC_PID" 2>/dev/null || true
	KDC_PID=
}

# kdc_kadmin QUERY: kadmin.local on the private database (no kadmind, no password).
kdc_kadmin() {
	kadmin.local -r "$KDC_REALM" -q "$1" >>"$KDC_DIR/kadmin.out" 2>&1 ||
		ntk_fail "kadmin.local '$1': $(tail -5 "$KDC_DIR/kadmin.out")"
	# kadmin.local exits 0 even when the query failed: its messages tell.
	if tail -3 "$KDC_DIR/kadmin.out" | grep -qiE 'error|while|cannot|failed'; then
		ntk_fail "kadmin.local '$1': $(tail -3 "$KDC_DIR/kadmin.out")"
	fi
}

# kdc_add_service PRINCIPAL KEYTAB: a principal with a random key, exported to
# KEYTAB (mode 600: a keytab is a password).
kdc_add_service() {
	kdc_kadmin "addprinc -randkey $1"
	kdc_kadmin "ktadd -k $2 $1"
	chmod 600 "$2"
}

# kdc_start LOW HIGH: the realm, its database and the two service principals,
# then the KDC on the first free port of LOW..HIGH (udp and tcp).
kdc_start() {
	local low=$1 high=$2
	[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"
	[ -x "$KDC_BIN" ] || ntk_skip "krb5kdc not installed (krb5-kdc)"
	ntk_need_cmd kdb5_util kadmin.local kinit klist
	KDC_DIR=$NTK_TMP/kdc
	mkdir -p "$KDC_DIR"
	KRB5_CONFIG=$KDC_DIR/krb5.conf
	KRB5_KDC_PROFILE=$KDC_DIR/kdc.conf
	export KRB5_CONFIG KRB5_KDC_PROFILE
	# The database does not depend on the port: make it once, with the
	# profiles of the first candidate port (rewritten by kdc_launch).
	kdc_write_conf "$low"
	kdb5_util create -s -r "$KDC_REALM" -P "$KDC_MASTER_PW" >"$KDC_DIR/kdb5_util.out" 2>&1 ||
		ntk_fail "kdb5_util create: $(cat "$KDC_DIR/kdb5_util.out")"
	KDC_LDAP_PRINC="ldap/$KDC_LDAP_HOST@$KDC_REALM"
	KDC_SLAPD_KEYTAB=$NTK_TMP/slapd.keytab
	KDC_NTKD_KEYTAB=$NTK_TMP/ntkd.keytab
	kdc_add_service "$KDC_LDAP_PRINC" "$KDC_SLAPD_KEYTAB"
	kdc_add_service "$KDC_NTKD_PRINC" "$KDC_NTKD_KEYTAB"
	ntk_on_exit "kdc_stop"
	ntk_start_on_free_port "$low" "$high" kdc_launch ||
		ntk_fail "krb5kdc did not start: $(tail -5 "$KDC_DIR/krb5kdc.out" "$KDC_DIR/kdc.log" 2>/dev/null)"
	KDC_PORT=$NTK_PORT
	export KDC_DIR KDC_PORT KDC_PID KDC_REALM KDC_LDAP_PRINC KDC_SLAPD_KEYTAB \
		KDC_NTKD_PRINC KDC_NTKD_KEYTAB
}

# kdc_kinit_ntkd CCACHE: ntkd's initial ticket from its keytab into CCACHE
# (e.g. FILE:$NTK_TMP/ntkd.cc), the way an operator's cron job would.
kdc_kinit_ntkd() {
	KRB5CCNAME=$1 kinit -k -t "$KDC_NTKD_KEYTAB" "$KDC_NTKD_PRINC"
}

# kdc_slapd_gssapi: make the next slapd_start accept GSSAPI binds for the
# realm of kdc_start and map ntkd's principal to SLAPD_BINDDN (set
# SLAPD_ENV/SLAPD_EXTRA_GLOBAL before slapd_start). Exports LDAPSASL_NOCANON=on
# so that every client of the test (ldapwhoami, dirtool, ntkd) asks for
# ldap/$KDC_LDAP_HOST: use ldap://$KDC_LDAP_HOST:PORT/ as the URI.
kdc_slapd_gssapi() {
	# slapd reads its key from KRB5_KTNAME (the Cyrus GSSAPI plugin has no
	# keytab option) and the realm's KDC from the same private profile.
	SLAPD_ENV="${SLAPD_ENV:+$SLAPD_ENV }KRB5_CONFIG=$KRB5_CONFIG KRB5_KTNAME=FILE:$KDC_SLAPD_KEYTAB"
	# sasl-host: the acceptor name is ldap@<sasl-host> (default: the machine's
	# name); a ticket for any other host of the keytab is refused.
	# The SASL identity of a GSSAPI bind, read from ldapwhoami without the
	# mapping: uid=ntkd/ntk-test,cn=gssapi,cn=auth (the realm is left out
	# when it is slapd's default realm), or uid=ntkd/ntk-test,cn=ntk.test,
	# cn=gssapi,cn=auth with "sasl-realm NTK.TEST". The pattern takes both.
	SLAPD_EXTRA_GLOBAL="${SLAPD_EXTRA_GLOBAL:+$SLAPD_EXTRA_GLOBAL
}sasl-host $KDC_LDAP_HOST
authz-regexp \"^uid=ntkd/ntk-test(,cn=ntk[.]test)?,cn=gssapi,cn=auth\$\" \"$SLAPD_BINDDN\""
	LDAPSASL_NOCANON=on
	export LDAPSASL_NOCANON
}
