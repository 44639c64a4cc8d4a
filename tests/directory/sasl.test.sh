#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ntkd binds with SASL: GSSAPI with its key from krb5_keytab (a real MIT KDC,
# no kinit, no ticket file), and EXTERNAL with a TLS client certificate; the
# directory maps both to ntkd's entry, the only identity allowed to read the
# staff. A principal the keytab does not hold, or a certificate from another
# CA, binds nothing and fails closed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/lib/kdc.sh"
. "$top_srcdir/tests/lib/tlsca.sh"

DIRTOOL=${DIRTOOL:-$top_builddir/tests/directory/dirtool}
[ -x "$DIRTOOL" ] || ntk_fail "dirtool not built: $DIRTOOL"
ls /usr/lib/*/sasl2/libgssapiv2.so* >/dev/null 2>&1 ||
	ntk_skip "no SASL GSSAPI plugin (libsasl2-modules-gssapi-mit)"

ntk_tmpdir
kdc_start 29100 29119
tlsca_make "$NTK_TMP/pki"
kdc_slapd_gssapi
tlsca_slapd_external "$TLSCA_DIR"
# Only ntkd's entry may read the staff: a bind that fell back to anonymous would find nobody.
SLAPD_EXTRA_ACL="access to dn.subtree=\"ou=people,$SLAPD_BASE\" by dn.exact=\"$SLAPD_BINDDN\" read by * none" \
	slapd_start 29100 29119
# ntkd must choose the service host itself: not through the harness's environment.
unset LDAPSASL_NOCANON KRB5CCNAME KRB5_CLIENT_KTNAME
ntkd_write_conf
plain=$NTK_TMP/plain.conf
sed -e '/^binddn = /d' -e '/^bindpw_file = /d' "$NTK_CONF" >"$plain"

# conf NAME LINE...: the password-less config with lines added to [ldap].
conf() {
	local out=$NTK_TMP/$1.conf line
	shift
	cp "$plain" "$out"
	for line in "$@"; do
		sed -i "/^\\[ldap\\]/a $line" "$out"
	done
	echo "$out"
}
# subject_of CONF: dirtool's "found" or "error" line for alice.
subject_of() {
	local out
	set +e
	out=$("$DIRTOOL" "$1" subject alice 2>>"$NTK_TMP/dirtool.log")
	set -e
	printf '%s\n' "$out" | sed -n 's/^\(found .*\|error .*\)$/\1/p'
}

# Anonymously the staff are invisible (the ACL is real).
ntk_assert_eq "found no" "$(subject_of "$plain")" "anonymous bind sees no staff"

gss_uri="ldap://$KDC_LDAP_HOST:$SLAPD_PORT/"
gss=$(conf gss "uri = $gss_uri" "bind_mech = GSSAPI" "krb5_keytab = $KDC_NTKD_KEYTAB" \
	"krb5_principal = $KDC_NTKD_PRINC")
sed -i "0,/^uri = ldap:\\/\\/127/{/^uri = ldap:\\/\\/127/d}" "$gss"
ntk_assert_eq "found yes" "$(subject_of "$gss")" "GSSAPI bind from the keytab reads alice"
# No ticket file was written anywhere: the credentials live in ntkd's memory.
if ls "$KDC_DIR"/krb5cc_* /tmp/krb5cc_"$(id -u)" >/dev/null 2>&1; then
	ntk_fail "a ticket cache file was written: $(ls "$KDC_DIR"/krb5cc_* /tmp/krb5cc_"$(id -u)" 2>&1)"
fi

# A principal the keytab does not hold: no bind, unavailable, and the log says why.
bad=$(conf gssbad "uri = $gss_uri" "bind_mech = GSSAPI" "krb5_keytab = $KDC_NTKD_KEYTAB" \
	"krb5_principal = someone/else@$KDC_REALM")
sed -i "0,/^uri = ldap:\\/\\/127/{/^uri = ldap:\\/\\/127/d}" "$bad"
ntk_assert_eq "error NTK_ERR_UNAVAILABLE" "$(subject_of "$bad")" "GSSAPI with a principal not in the keytab"
grep -q "no Kerberos credentials from krb5_keytab" "$NTK_TMP/dirtool.log" ||
	ntk_fail "the Kerberos failure is not logged: $(tail -5 "$NTK_TMP/dirtool.log")"

# EXTERNAL over StartTLS with ntkd's client certificate.
ext=$(conf ext "tls = starttls" "tls_cacert = $TLSCA_DIR/ca.pem" "bind_mech = EXTERNAL" \
	"tls_cert = $TLSCA_DIR/client.pem" "tls_key = $TLSCA_DIR/client.key")
chmod 600 "$TLSCA_DIR/client.key"
ntk_assert_eq "found yes" "$(subject_of "$ext")" "EXTERNAL bind with the client certificate reads alice"
# A certificate from another CA: TLS (or the bind) fails, nothing is read.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ntkd-client" \
	-keyout "$NTK_TMP/rogue.key" -out "$NTK_TMP/rogue.pem" >/dev/null 2>&1 || ntk_fail "openssl: rogue"
chmod 600 "$NTK_TMP/rogue.key"
rogue=$(conf rogue "tls = starttls" "tls_cacert = $TLSCA_DIR/ca.pem" "bind_mech = EXTERNAL" \
	"tls_cert = $NTK_TMP/rogue.pem" "tls_key = $NTK_TMP/rogue.key")
ntk_assert_eq "error NTK_ERR_UNAVAILABLE" "$(subject_of "$rogue")" "EXTERNAL with a certificate of another CA"
ntk_pass "GSSAPI from a keytab and EXTERNAL with a client certificate bind as ntkd; wrong credentials fail closed"
