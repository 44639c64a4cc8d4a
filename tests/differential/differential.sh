#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every enforcement path against the reference model (ntk_model.py): random
# worlds (directory + config) loaded into a real slapd, a real ntkd on each,
# and ntkd's CHECK (all of it through diff_check, a sample through ntkctl
# check), pam_ntk (pamtester), libnss_ntk (getent), a protected
# PostgreSQL table and the MariaDB secure view asked about every (user,
# system, case, state, action); any answer that differs from the model fails
# with the seed, a shrunk case and every path's answer.
#
# NTK_DIFF_SEED (default: random, printed), NTK_DIFF_WORLDS (default 40; make
# check-long: 300), NTK_DIFF_PAM_SAMPLE (pamtester runs per world, default 12),
# NTK_DIFF_NTKCTL_SAMPLE (ntkctl check processes per world, default 20),
# NTK_DIFF_PATHS (a comma list: only these paths), NTK_DIFF_TZ_OFFSET (ntkd's
# zone, hours east of UTC; default: one whose date is not UTC's), and
# NTK_DIFF_OLD_BUILD=1 (no release and group_nesting, for old builds).
# A path whose server is missing is left out with a note, or fails the test
# under NTK_REQUIRE_SERVERS=1; without slapd or python3 the test is skipped.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/pg/pg_lib.sh"
. "$top_srcdir/tests/mysql/mysql_lib.sh"
. "$top_srcdir/tests/nss/nss_lib.sh"

PYTHON=/usr/bin/python3
DIFF_CHECK=${DIFF_CHECK:-$top_builddir/tests/differential/diff_check}
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests not run"
ntk_need_root
[ -x "$PYTHON" ] || ntk_skip "$PYTHON not installed (python3)"
[ -x "$DIFF_CHECK" ] || ntk_fail "not built: $DIFF_CHECK"
[ -x "$NTKD" ] || ntk_fail "ntkd not built: $NTKD"
ntk_tmpdir

# diff_missing PATH WHY: leave a path out, or fail when CI demands every server.
diff_missing() {
	[ "${NTK_REQUIRE_SERVERS:-0}" != 1 ] || ntk_fail "path $1 needs what is missing: $2"
	ntk_log "path $1 left out: $2"
}

slapd_start 29400 29409
NTK_SOCKET=$NTK_TMP/ntkd.sock
printf '%s\n' "$SLAPD_BINDPW" >"$NTK_TMP/bindpw"
chmod 600 "$NTK_TMP/bindpw"
# ntk_diff.py starts ntkd for each world and writes its pid here; a killed run still stops it.
# shellcheck disable=SC2016 # expanded at exit, when the file names the last ntkd
ntk_on_exit 'ntk_stop_pid "$(cat "$NTK_TMP/diff-ntkd.pid" 2>/dev/null)"'
paths=check,ntkctl
[ -x "$NTKCTL" ] || ntk_fail "ntkctl not built: $NTKCTL"
# Every case id and state the worlds can ask about, as rows of the SQL tables.
CASES="1001 1002 1003 1004 1005 1006 1007 1008 77 A-7 x.y:z 1009 99999 100000 5555 a-7"

# --- PAM: one service per system name the worlds use (libpam lowercases names) ---
PAM_NTK_SO=$top_builddir/pam_module/.libs/pam_ntk.so
PAM_PREFIX="ntk-test-diff-$$-"
if ! command -v pamtester >/dev/null; then
	diff_missing pam "pamtester not installed"
elif [ ! -f "$PAM_NTK_SO" ]; then
	ntk_fail "pam_ntk not built: $PAM_NTK_SO"
else
	for sys in FACTS SYS0 SYS1 NOSUCH; do
		svc=/etc/pam.d/$PAM_PREFIX${sys,,}
		[ ! -e "$svc" ] || ntk_fail "$svc exists already"
		ntk_on_exit "rm -f '$svc'"
		printf 'account required %s system=%s socket=%s\n' "$PAM_NTK_SO" "$sys" "$NTK_SOCKET" >"$svc"
	done
	paths+=,pam
fi

# --- NSS: the real glibc NSS in a private mount namespace ------------------------
if [ ! -f "$NSS_SO" ]; then
	ntk_fail "libnss_ntk not built: $NSS_SO"
elif (nss_real_setup) >/dev/null 2>&1; then
	paths+=,nss-case,nss-initgroups
else
	diff_missing nss "cannot bind-mount nsswitch.conf in a private mount namespace"
fi

# --- The SQL paths' data: one row per case and state ---------------------------
# These two setups and the pg_*/maria_* adapters of diff_paths.py are the only
# places that know the SQL shapes (ntk_pg(7), ntk_udf(7)): change them together.

# diff_pg_rows: the extension and a table protected with ntk.protect.
diff_pg_rows() {
	local c st
	echo "CREATE EXTENSION ntk;"
	echo "CREATE TABLE diff_rows (case_id text, state text, note text);"
	for c in $CASES; do
		for st in open closed sealed; do echo "INSERT INTO diff_rows VALUES ('$c', '$st', '');"; done
	done
	echo "SELECT ntk.protect('diff_rows', 'case_id', 'state');"
}

# diff_mysql_rows: the base table behind secure_view_example.sql's view.
diff_mysql_rows() {
	local c st id=0
	for c in $CASES; do
		for st in open closed sealed; do
			id=$((id + 1))
			echo "INSERT INTO casedata_private.clients VALUES ($id, '$c', '$st', 'client $id');"
		done
	done
}

if (pg_need) >/dev/null 2>&1; then
	pg_need
	pg_install_extension
	pg_start 29410 29419
	PG_DB=ntk_diff
	psql_t postgres -c "CREATE DATABASE $PG_DB" >/dev/null
	diff_pg_rows | psql_t "$PG_DB" >/dev/null || ntk_fail "PostgreSQL setup failed"
	paths+=,pg
else
	diff_missing pg "$( (pg_need) 2>&1 | tail -1)"
fi

if [ -x "$MARIADBD" ] && [ -f "$NTK_UDF_SO" ] && command -v mariadb-install-db >/dev/null; then
	mysql_start 29420 29429 FACTS
	# shellcheck disable=SC2119 # no accounts yet: each world's are made by diff_paths.py
	mysql_load_pattern
	diff_mysql_rows | mysql_root || ntk_fail "MariaDB setup failed"
	paths+=,mariadb
else
	diff_missing mariadb "mariadbd or ntk_udf.so missing"
fi

# NTK_DIFF_PATHS: ask only these paths (of those available), e.g. check,pam.
if [ -n "${NTK_DIFF_PATHS:-}" ]; then
	want=",$NTK_DIFF_PATHS,"
	kept=
	for p in ${paths//,/ }; do
		[[ $want == *",$p,"* ]] && kept+=${kept:+,}$p
	done
	paths=${kept:-check}
fi
seed=${NTK_DIFF_SEED:-$(( (RANDOM << 15) | RANDOM ))}
worlds=${NTK_DIFF_WORLDS:-40}
ntk_log "seed $seed, $worlds worlds, paths $paths (rerun with NTK_DIFF_SEED=$seed)"
rc=0
env NTK_TMP="$NTK_TMP" SLAPD_URI="$SLAPD_URI" SLAPD_BASE="$SLAPD_BASE" SLAPD_ROOTDN="$SLAPD_ROOTDN" \
	SLAPD_ROOTPW="$SLAPD_ROOTPW" SLAPD_BINDDN="$SLAPD_BINDDN" \
	NTKD="$NTKD" NTKCTL="$NTKCTL" DIFF_CHECK="$DIFF_CHECK" \
	NTK_SOCKET="$NTK_SOCKET" PAM_PREFIX="$PAM_PREFIX" NSS_SO="$NSS_SO" NSSWITCH="$NTK_TMP/nsswitch.conf" \
	PSQL="${PG_BIN:-}/psql" PG_PORT="${PG_PORT:-}" PG_DB="${PG_DB:-}" \
	MYSQL_SOCK="${MYSQL_SOCK:-}" MYSQL_PORT="${MYSQL_PORT:-}" \
	"$PYTHON" -B "$top_srcdir/tests/differential/ntk_diff.py" "$seed" "$worlds" "$paths" || rc=$?
case $rc in
0) ntk_pass "$worlds worlds (seed $seed): every path agrees with the model" ;;
1) ntk_fail "a path disagrees with the model (seed $seed, shrunk case above)" ;;
*) tail -20 "$NTK_TMP/ntkd.log" >&2 2>/dev/null || true; ntk_fail "the differential harness failed (exit $rc, seed $seed)" ;;
esac
