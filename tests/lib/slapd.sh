# SPDX-License-Identifier: LGPL-2.1-or-later
# Start and stop a private slapd on 127.0.0.1 loaded with the sample agency directory.
# Needs common.sh and ntk_tmpdir. Sets SLAPD_URI, SLAPD_PORT, SLAPD_PID, SLAPD_DIR.
# SLAPD_EXTRA_SCHEMA: more schema files (space-separated) to include, e.g. AD's subset.
# SLAPD_EXTRA_ACL: access lines that come before the default "read for all".
# SLAPD_EXTRA_MODULES: modules to load (e.g. memberof); SLAPD_EXTRA_DB: lines
# at the end of the database section (e.g. an overlay and its settings).
# SLAPD_EXTRA_GLOBAL: global lines before the database (sasl-host, authz-regexp,
# TLS* for the SASL harnesses). SLAPD_ENV: VAR=value words slapd runs with (its
# Kerberos profile and service keytab: KRB5_CONFIG=... KRB5_KTNAME=...).

SLAPD_BIN=${SLAPD_BIN:-/usr/sbin/slapd}
SLAPD_BASE="dc=agency,dc=example"
SLAPD_ROOTDN="cn=admin,$SLAPD_BASE"
SLAPD_ROOTPW="admin-secret"
SLAPD_BINDDN="cn=ntkd,ou=services,$SLAPD_BASE"
SLAPD_BINDPW="ntkd-secret"

# slapd_exec ARGS...: slapd with $SLAPD_ENV added to the test's environment
# (env with nothing to add just runs it).
slapd_exec() {
	# shellcheck disable=SC2086
	env ${SLAPD_ENV:-} "$SLAPD_BIN" "$@"
}

# slapd_launch PORT: start (it daemonizes) the server of slapd_start on PORT.
slapd_launch() { slapd_exec -f "$SLAPD_DIR/slapd.conf" -h "ldap://127.0.0.1:$1/"; }

# slapd_start LOW_PORT HIGH_PORT [EXTRA.ldif ...]
slapd_start() {
	local low=$1 high=$2 ldif schema extra="" modules=""
	shift 2
	# distcheck runs the unit suites only: the server suites ran in the real tree.
	[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"
	[ -x "$SLAPD_BIN" ] || ntk_skip "slapd not installed"
	ntk_need_cmd slapadd ldapsearch
	SLAPD_DIR="$NTK_TMP/slapd"
	mkdir -p "$SLAPD_DIR/data"
	for schema in ${SLAPD_EXTRA_SCHEMA:-}; do
		extra+="include $schema"$'\n'
	done
	for schema in ${SLAPD_EXTRA_MODULES:-}; do
		modules+="moduleload $schema"$'\n'
	done
	cat >"$SLAPD_DIR/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include $top_srcdir/conf/ntk.schema
$extra
pidfile $SLAPD_DIR/slapd.pid
argsfile $SLAPD_DIR/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
$modules
sizelimit unlimited
${SLAPD_EXTRA_GLOBAL:-}
database mdb
maxsize 104857600
suffix "$SLAPD_BASE"
rootdn "$SLAPD_ROOTDN"
rootpw $SLAPD_ROOTPW
directory $SLAPD_DIR/data
index objectClass eq
index uid eq
index manager eq
index ntkRole eq
index ntkCaseAssignment eq,sub
access to attrs=userPassword by anonymous auth by * none
${SLAPD_EXTRA_ACL:-}
access to * by * read
${SLAPD_EXTRA_DB:-}
CONF
	slapadd -q -f "$SLAPD_DIR/slapd.conf" -l "$top_srcdir/conf/sample-directory.ldif" \
		>"$SLAPD_DIR/slapadd.log" 2>&1 || ntk_fail "slapadd: $(cat "$SLAPD_DIR/slapadd.log")"
	for ldif in "$@"; do
		slapadd -q -f "$SLAPD_DIR/slapd.conf" -l "$ldif" >>"$SLAPD_DIR/slapadd.log" 2>&1 ||
			ntk_fail "slapadd $ldif: $(cat "$SLAPD_DIR/slapadd.log")"
	done
	ntk_start_on_free_port "$low" "$high" slapd_launch || ntk_fail "slapd did not start"
	SLAPD_PORT=$NTK_PORT
	SLAPD_URI="ldap://127.0.0.1:$SLAPD_PORT/"
	ntk_wait_for 10 test -s "$SLAPD_DIR/slapd.pid" || ntk_fail "slapd wrote no pid file"
	SLAPD_PID=$(cat "$SLAPD_DIR/slapd.pid")
	ntk_on_exit "slapd_stop"
	ntk_wait_for 10 ldapsearch -x -H "$SLAPD_URI" -s base -b "" || ntk_fail "slapd does not answer on $SLAPD_URI"
	export SLAPD_URI SLAPD_PORT SLAPD_PID SLAPD_DIR
}

slapd_stop() {
	[ -n "${SLAPD_PID:-}" ] || return 0
	ntk_stop_pid "$SLAPD_PID"
	SLAPD_PID=
}

# Freeze and thaw the server: it keeps its socket but answers nothing.
slapd_pause() { kill -STOP "$SLAPD_PID"; }
slapd_resume() { kill -CONT "$SLAPD_PID"; }

# Restart on the same port with the same data (after slapd_stop).
slapd_restart() {
	# No stale pid file: the pid read below must be the new server's.
	rm -f "$SLAPD_DIR/slapd.pid"
	slapd_exec -f "$SLAPD_DIR/slapd.conf" -h "$SLAPD_URI" || ntk_fail "slapd did not restart"
	ntk_wait_for 10 test -s "$SLAPD_DIR/slapd.pid" || ntk_fail "slapd wrote no pid file after restart"
	SLAPD_PID=$(cat "$SLAPD_DIR/slapd.pid")
	ntk_wait_for 10 ldapsearch -x -H "$SLAPD_URI" -s base -b "" || ntk_fail "slapd does not answer after restart"
	kill -0 "$SLAPD_PID" 2>/dev/null || ntk_fail "the restarted slapd ($SLAPD_PID) is not running"
}

# ldapmodify as the directory root, LDIF on stdin.
slapd_modify() {
	ldapmodify -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" >/dev/null
}
