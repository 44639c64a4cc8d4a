#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An ntkd run by nobody on ntk.socket is never believed by the PostgreSQL extension: protected
# rows stay hidden and explicit checks fail, as with no daemon at all. The same policy from an
# ntkd run by root shows them.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/pg/pg_lib.sh"

pg_need
ntk_need_cmd setpriv
ntk_tmpdir
slapd_start 28960 28969
ntkd_write_conf
ntkd_start
REAL_SOCKET=$NTK_SOCKET
ntkd_start_impostor
pg_install_extension
# The cluster starts pointed at the impostor.
NTK_SOCKET=$IMPOSTOR_SOCKET pg_start 28970 28979
DB=ntk_fake
psql_t postgres -c "CREATE DATABASE $DB"
# setup.sql tries some bad calls on purpose: do not stop at its errors.
"$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$DB" \
    -f "$PG_EXT_SRC/sql/setup.sql" >"$NTK_TMP/setup.log" 2>&1 || true

# as_alice [SOCKET] -c SQL...: statements as alice (on SOCKET if given), output and errors together.
as_alice() {
	local sock=()
	if [ "${1:-}" != -c ]; then
		sock=(-c "SET ntk.socket = '$1'")
		shift
	fi
	"$PG_BIN/psql" -X -A -t -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$DB" \
	    -c "SET ntk.cache_seconds = 0" "${sock[@]}" -c "SET ROLE alice" "$@" 2>&1 || true
}

out=$(as_alice -c "SELECT 'n=' || count(*) FROM clients")
ntk_log "alice through a daemon run by nobody: $out"
ntk_assert_contains "$out" "n=0" "protected rows through a daemon run by nobody"
ntk_assert_contains "$out" "untrusted uid" "the warning says why"
out=$(as_alice -c "SELECT ntk.can_access('1001')")
ntk_assert_contains "$out" "ERROR:  ntk: cannot get a decision from ntkd" "explicit check through a daemon run by nobody"

# The real ntkd (root) on the same cluster: alice's two rows.
out=$(as_alice "$REAL_SOCKET" -c "SELECT 'n=' || count(*) FROM clients")
ntk_assert_contains "$out" "n=2" "protected rows from ntkd run by root"
ntk_pass "the ntk extension believes only a daemon run by root"
