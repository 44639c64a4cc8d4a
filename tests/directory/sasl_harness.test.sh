#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The real-server harness for SASL binds, checked with OpenLDAP's own clients
# before ntkd relies on it: a private MIT KDC (realm NTK.TEST) and one slapd
# that takes GSSAPI binds (ldap/localhost) and EXTERNAL binds (a TLS client
# certificate), both mapped to ntkd's service entry.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/kdc.sh"
. "$top_srcdir/tests/lib/tlsca.sh"

ntk_need_cmd ldapwhoami
# ldapwhoami -Y GSSAPI needs Cyrus SASL's GSSAPI plugin (libsasl2-modules-gssapi-mit).
ls /usr/lib/*/sasl2/libgssapiv2.so* >/dev/null 2>&1 ||
	ntk_skip "no SASL GSSAPI plugin (libsasl2-modules-gssapi-mit)"

ntk_tmpdir
kdc_start 29080 29099
tlsca_make "$NTK_TMP/pki"
kdc_slapd_gssapi
tlsca_slapd_external "$TLSCA_DIR"
slapd_start 29080 29099
# GSSAPI: the service principal's host, as written (LDAPSASL_NOCANON=on).
GSS_URI="ldap://$KDC_LDAP_HOST:$SLAPD_PORT/"

# whoami ENV... -- ARGS...: ldapwhoami's dn line with a private environment;
# its messages go to the log of the test.
whoami() {
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	set +e
	OUT=$(env "${envs[@]}" ldapwhoami "$@" 2>>"$NTK_TMP/ldapwhoami.log")
	RC=$?
	set -e
}

# --- GSSAPI with a ticket from kinit -k (a FILE cache of the test's own) -----
kdc_kinit_ntkd "FILE:$NTK_TMP/ntkd.cc" >>"$NTK_TMP/kinit.log" 2>&1 ||
	ntk_fail "kinit -k ntkd: $(cat "$NTK_TMP/kinit.log")"
whoami KRB5CCNAME="FILE:$NTK_TMP/ntkd.cc" -- -Y GSSAPI -H "$GSS_URI"
ntk_assert_eq 0 "$RC" "ldapwhoami -Y GSSAPI after kinit: exit status ($(tail -3 "$NTK_TMP/ldapwhoami.log"))"
ntk_assert_eq "dn:$SLAPD_BINDDN" "$OUT" "GSSAPI bind (kinit) maps ntkd/ntk-test@NTK.TEST to ntkd's entry"

# --- GSSAPI from the client keytab alone: no kinit, an empty memory cache ----
# MIT gets the initial ticket from KRB5_CLIENT_KTNAME itself; ntkd relies on it.
whoami KRB5_CLIENT_KTNAME="$KDC_NTKD_KEYTAB" KRB5CCNAME="MEMORY:ntkd" -- -Y GSSAPI -H "$GSS_URI"
ntk_assert_eq 0 "$RC" "ldapwhoami -Y GSSAPI with a client keytab: exit status ($(tail -3 "$NTK_TMP/ldapwhoami.log"))"
ntk_assert_eq "dn:$SLAPD_BINDDN" "$OUT" "GSSAPI bind (client keytab) maps to ntkd's entry"

# Neither a ticket nor a keytab: no bind (the harness does not let anyone in).
whoami KRB5_CLIENT_KTNAME="$NTK_TMP/none.keytab" KRB5CCNAME="MEMORY:nobody" -- -Y GSSAPI -H "$GSS_URI"
[ "$RC" != 0 ] || ntk_fail "GSSAPI without credentials bound as [$OUT]"

# --- EXTERNAL over StartTLS with ntkd's client certificate -------------------
# shellcheck disable=SC2046
whoami $(tlsca_client_env) -- -Y EXTERNAL -ZZ -H "$SLAPD_URI"
ntk_assert_eq 0 "$RC" "ldapwhoami -Y EXTERNAL -ZZ: exit status ($(tail -3 "$NTK_TMP/ldapwhoami.log"))"
ntk_assert_eq "dn:$SLAPD_BINDDN" "$OUT" "EXTERNAL bind maps $TLSCA_CLIENT_DN to ntkd's entry"

# StartTLS without a client certificate: TLSVerifyClient try lets TLS up, EXTERNAL has no identity.
whoami LDAPTLS_CACERT="$TLSCA_DIR/ca.pem" LDAPTLS_REQCERT=demand -- -Y EXTERNAL -ZZ -H "$SLAPD_URI"
[ "$RC" != 0 ] || ntk_fail "EXTERNAL without a client certificate bound as [$OUT]"

# The password bind of the other tests still works on this slapd.
whoami -- -x -D "$SLAPD_BINDDN" -w "$SLAPD_BINDPW" -H "$SLAPD_URI"
ntk_assert_eq "dn:$SLAPD_BINDDN" "$OUT" "simple bind beside SASL"

ntk_pass "GSSAPI (kinit and client keytab) and EXTERNAL binds map to $SLAPD_BINDDN"
