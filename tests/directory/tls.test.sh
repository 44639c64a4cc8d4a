#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ntkd's LDAP layer over TLS: StartTLS and ldaps:// with tls_cacert work, and fail
# closed (unavailable, never plain) with a wrong CA, a wrong host name, or a server
# without TLS. A throwaway CA and server certificate are made with openssl.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

DIRTOOL=${DIRTOOL:-$top_builddir/tests/directory/dirtool}
[ -x "$DIRTOOL" ] || ntk_fail "dirtool not built: $DIRTOOL"
ntk_need_cmd openssl

ntk_tmpdir
slapd_start 29060 29069
NTK_TEST_LDAP_TIMEOUT=2 ntkd_write_conf
S=$SLAPD_URI
P=$SLAPD_PORT

# --- certificates -----------------------------------------------------------
pki=$NTK_TMP/pki
mkdir -p "$pki"
mkca() { # NAME
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ntk test $1" \
		-keyout "$pki/$1.key" -out "$pki/$1.pem" >/dev/null 2>&1 || ntk_fail "openssl: CA $1"
}
mkca ca
mkca otherca
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
	-keyout "$pki/server.key" -out "$pki/server.csr" >/dev/null 2>&1 || ntk_fail "openssl: server key"
printf 'subjectAltName = IP:127.0.0.1\n' >"$pki/ext.cnf"
openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
	-days 2 -extfile "$pki/ext.cnf" -out "$pki/server.pem" >/dev/null 2>&1 || ntk_fail "openssl: server cert"

# conf NAME KEY=VALUE...: a copy of the test config with lines added to [ldap].
conf() {
	local out=$NTK_TMP/$1.conf line
	shift
	cp "$NTK_CONF" "$out"
	for line in "$@"; do
		sed -i "/^\\[ldap\\]/a $line" "$out"
	done
	echo "$out"
}

dt() {
	set +e
	OUT=$("$DIRTOOL" "$@" 2>>"$NTK_TMP/dirtool.log")
	RC=$?
	set -e
}

good=$(conf good "tls = starttls" "tls_cacert = $pki/ca.pem")

# --- a server without TLS: StartTLS fails, no fallback to plain ---------------
dt "$good" subject alice
ntk_assert_eq 2 "$RC" "StartTLS against a plain server: exit status"
ntk_assert_contains "$OUT" "error NTK_ERR_UNAVAILABLE" "StartTLS against a plain server fails closed"

# --- the same server with a certificate, and an ldaps:// listener -------------
slapd_stop
sed -i "/^database/i TLSCACertificateFile $pki/ca.pem\\
TLSCertificateFile $pki/server.pem\\
TLSCertificateKeyFile $pki/server.key" "$SLAPD_DIR/slapd.conf"
tls_launch() { "$SLAPD_BIN" -f "$SLAPD_DIR/slapd.conf" -h "$S ldaps://127.0.0.1:$1/"; }
ntk_start_on_free_port $((P + 1)) 29069 tls_launch || ntk_fail "slapd with TLS did not start"
LP=$NTK_PORT
ntk_wait_for 10 ldapsearch -x -H "$S" -s base -b "" || ntk_fail "slapd with TLS does not answer"
SLAPD_PID=$(cat "$SLAPD_DIR/slapd.pid")

dt "$good" subject alice
ntk_assert_eq 0 "$RC" "StartTLS with the right CA: exit status ($OUT)"
ntk_assert_eq "subject alice
found yes
name alice
role social_worker
assignment 1001
assignment 1002;until=2099-12-31
round_trips 3
server $S" "$OUT" "StartTLS with the right CA (StartTLS + bind + search)"

wrong=$(conf wrong "tls = starttls" "tls_cacert = $pki/otherca.pem")
dt "$wrong" subject alice
ntk_assert_eq 2 "$RC" "StartTLS with a wrong CA: exit status"
ntk_assert_contains "$OUT" "error NTK_ERR_UNAVAILABLE" "StartTLS with a wrong CA fails closed"

# The certificate names 127.0.0.1 only.
sed -i "s|^uri = .*|uri = ldap://localhost:$P/|" "$(conf byname "tls = starttls" "tls_cacert = $pki/ca.pem")"
dt "$NTK_TMP/byname.conf" subject alice
ntk_assert_contains "$OUT" "error NTK_ERR_UNAVAILABLE" "StartTLS to a name the certificate does not carry fails closed"

# (ntk_config_load refuses a missing tls_cacert; one that holds no certificate is ours to catch.)
echo "not a certificate" >"$pki/garbage.pem"
garbage=$(conf garbage "tls = starttls" "tls_cacert = $pki/garbage.pem")
dt "$garbage" subject alice
ntk_assert_contains "$OUT" "error NTK_ERR_UNAVAILABLE" "a tls_cacert without a certificate fails closed"

ldaps=$(conf ldaps "tls_cacert = $pki/ca.pem")
sed -i "s|^uri = .*|uri = ldaps://127.0.0.1:$LP/|" "$ldaps"
dt "$ldaps" subject carol
ntk_assert_eq 0 "$RC" "ldaps with the right CA: exit status ($OUT)"
ntk_assert_contains "$OUT" "supervised 1 bob 1003" "ldaps with the right CA answers"
ntk_assert_contains "$OUT" "server ldaps://127.0.0.1:$LP/" "ldaps server reported"

ldapsbad=$(conf ldapsbad "tls_cacert = $pki/otherca.pem")
sed -i "s|^uri = .*|uri = ldaps://127.0.0.1:$LP/|" "$ldapsbad"
dt "$ldapsbad" subject carol
ntk_assert_contains "$OUT" "error NTK_ERR_UNAVAILABLE" "ldaps with a wrong CA fails closed"

# A hung server: StartTLS and the ldaps handshake are bounded by the timeout (2 s) too.
slapd_pause
for c in "$good" "$ldaps"; do
	t0=$EPOCHREALTIME
	dt "$c" subject alice
	t1=$EPOCHREALTIME
	elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
	ntk_log "hung TLS server ($(basename "$c")): unavailable after $elapsed ms (timeout=2)"
	ntk_assert_contains "$OUT" "error NTK_ERR_UNAVAILABLE" "hung TLS server ($(basename "$c")): unavailable"
	[ "$elapsed" -lt 5000 ] || ntk_fail "hung TLS server ($(basename "$c")): took $elapsed ms"
done
slapd_resume

ntk_pass "StartTLS and ldaps verified, and failing closed"
