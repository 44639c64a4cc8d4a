# SPDX-License-Identifier: LGPL-2.1-or-later
# A throwaway certificate authority for TLS and SASL EXTERNAL tests, made with openssl.
# Needs common.sh (and slapd.sh for tlsca_slapd_external).
#
# tlsca_make DIR writes, all valid for two days:
#   DIR/ca.pem, DIR/ca.key          the CA (CN=ntk test ca)
#   DIR/server.pem, DIR/server.key  slapd's certificate, CN and SAN IP:127.0.0.1
#                                   and DNS:localhost (GSSAPI tests use localhost)
#   DIR/client.pem, DIR/client.key  ntkd's client certificate, subject CN=ntkd-client
# and sets TLSCA_DIR, TLSCA_CLIENT_DN (the client's subject as slapd sees it).

TLSCA_CLIENT_CN=ntkd-client

# tlsca_cert DIR NAME SUBJECT EXTENSIONS: a key and a certificate signed by DIR/ca.
tlsca_cert() {
	local dir=$1 name=$2 subj=$3 ext=$4
	openssl req -newkey rsa:2048 -nodes -subj "$subj" \
		-keyout "$dir/$name.key" -out "$dir/$name.csr" >>"$dir/openssl.log" 2>&1 ||
		ntk_fail "openssl: $name key: $(tail -3 "$dir/openssl.log")"
	printf '%s\n' "$ext" >"$dir/$name.ext"
	openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
		-CAcreateserial -days 2 -extfile "$dir/$name.ext" -out "$dir/$name.pem" \
		>>"$dir/openssl.log" 2>&1 || ntk_fail "openssl: $name cert: $(tail -3 "$dir/openssl.log")"
	# Private keys are for their owner only (slapd and ntkd run as root here).
	chmod 600 "$dir/$name.key"
}

tlsca_make() {
	local dir=$1
	ntk_need_cmd openssl
	mkdir -p "$dir"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ntk test ca" \
		-keyout "$dir/ca.key" -out "$dir/ca.pem" >>"$dir/openssl.log" 2>&1 ||
		ntk_fail "openssl: CA: $(tail -3 "$dir/openssl.log")"
	tlsca_cert "$dir" server "/CN=127.0.0.1" \
		"subjectAltName = IP:127.0.0.1, DNS:localhost
extendedKeyUsage = serverAuth"
	# clientAuth: OpenSSL servers check the purpose of a client certificate.
	tlsca_cert "$dir" client "/CN=$TLSCA_CLIENT_CN" "extendedKeyUsage = clientAuth"
	TLSCA_DIR=$dir
	TLSCA_CLIENT_DN="cn=$TLSCA_CLIENT_CN"
	export TLSCA_DIR TLSCA_CLIENT_DN
}

# tlsca_slapd_external [DIR]: make the next slapd_start offer StartTLS with the
# server certificate, ask for (but not demand) a client certificate, and map
# the client certificate's subject to SLAPD_BINDDN for SASL EXTERNAL.
# "try" rather than "demand": simple binds and GSSAPI over StartTLS without a
# certificate keep working, a certificate that is presented must verify.
tlsca_slapd_external() {
	local dir=${1:-$TLSCA_DIR}
	# The SASL EXTERNAL identity is the certificate's subject DN, normalised
	# (lower-case attribute types): cn=ntkd-client.
	SLAPD_EXTRA_GLOBAL="${SLAPD_EXTRA_GLOBAL:+$SLAPD_EXTRA_GLOBAL
}TLSCACertificateFile $dir/ca.pem
TLSCertificateFile $dir/server.pem
TLSCertificateKeyFile $dir/server.key
TLSVerifyClient try
authz-regexp \"^$TLSCA_CLIENT_DN\$\" \"$SLAPD_BINDDN\""
}

# tlsca_client_env: the libldap environment of a client that presents ntkd's
# certificate (for env, e.g. env $(tlsca_client_env) ldapwhoami -Y EXTERNAL -ZZ ...).
tlsca_client_env() {
	printf 'LDAPTLS_CACERT=%s LDAPTLS_CERT=%s LDAPTLS_KEY=%s LDAPTLS_REQCERT=demand\n' \
		"$TLSCA_DIR/ca.pem" "$TLSCA_DIR/client.pem" "$TLSCA_DIR/client.key"
}
