#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The ntk extension under valgrind memcheck: every SQL function, the policies on
# reads and writes, role switches inside a statement, overlong case ids, and
# ntkd out of reach, run in a single-user backend (the server stopped, so one
# process runs everything). Errors and definite leaks are PostgreSQL's business
# unless a stack goes through ntk's code; any that does fails the test.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/pg/pg_lib.sh"

pg_need
ntk_need_cmd valgrind
ntk_tmpdir
auditd_ensure
slapd_start 29070 29079
ntkd_write_conf
ntkd_start
pg_install_extension
pg_start 29080 29089
DB=ntk_valgrind
psql_t postgres -c "CREATE DATABASE $DB"
# setup.sql shows protect() refusing bad arguments: those errors are expected.
psql_t "$DB" -v ON_ERROR_STOP=0 -f "$PG_EXT_SRC/sql/setup.sql" >/dev/null 2>&1
psql_t "$DB" >/dev/null <<'SQL'
CREATE FUNCTION alice_clients() RETURNS integer[] LANGUAGE sql SECURITY DEFINER
	SET search_path = public, pg_temp
	AS $$ SELECT array_agg(id ORDER BY id) FROM clients $$;
ALTER FUNCTION alice_clients() OWNER TO alice;
-- A case id longer than any valid one: the policy must see, and deny, all of it.
INSERT INTO clients VALUES (8, repeat('9', 400), 'open', 'Long');
SQL
pg_stop

# One statement per line (single-user mode ends a statement at the newline). RESET SESSION
# AUTHORIZATION does not go back to postgres in a single-user backend: SET it by name.
cat >"$NTK_TMP/statements.sql" <<'SQL'
SET ROLE alice;
SELECT ntk.can_access('1001') AS alice_1001;
SELECT ntk.can_access('1003') AS alice_1003;
SELECT ntk.can_access(NULL) AS alice_null;
SELECT ntk.explain('1001') AS explain_1001;
SELECT ntk.explain('1002', 'closed') AS explain_closed;
SELECT ntk.explain('1001', 'open', 'write') AS explain_write;
SELECT ntk.explain(repeat('x', 300)) AS explain_long;
SELECT ntk.explain('1001', 'bogus') AS explain_bad_state;
SELECT ntk.require('1001');
SELECT ntk.require('1003');
SELECT array_agg(id ORDER BY id) AS alice_rows FROM clients;
SELECT count(*) AS alice_fay FROM clients WHERE name = 'Fay';
SELECT ntk.visible_cases('read') AS alice_visible;
UPDATE clients SET name = name WHERE id IN (1, 4);
INSERT INTO clients VALUES (100, '1003', 'open', 'Zed');
DELETE FROM clients WHERE id = 5;
RESET ROLE;
SET ROLE frank;
SELECT count(*) AS frank_rows FROM clients;
RESET ROLE;
SET ROLE mallory;
SELECT count(DISTINCT alice_clients()) AS mallory_switches FROM generate_series(1, 20);
RESET ROLE;
SET SESSION AUTHORIZATION oscar;
SELECT count(*) AS oscar_before FROM clients;
SELECT ntk.break_glass('1003', 'child brought to ER') IS NOT NULL AS oscar_grant;
SELECT count(*) AS oscar_after FROM clients;
SELECT ntk.break_glass('1003', '') AS oscar_no_reason;
SET SESSION AUTHORIZATION mallory;
SELECT ntk.break_glass('1004', 'curious') AS mallory_refused;
SET SESSION AUTHORIZATION postgres;
SET ntk.cache_seconds = 0;
SET ROLE erin;
SELECT count(*) AS erin_rows FROM clients;
RESET ROLE;
SET ntk.socket = '/nonexistent/ntkd.sock';
SET ROLE alice;
SELECT count(*) AS alice_no_ntkd FROM clients;
SELECT ntk.can_access('1001') AS alice_no_ntkd_check;
RESET ROLE;
SQL
chmod 755 "$NTK_TMP"
chmod 644 "$NTK_TMP/statements.sql"
VG_LOG="$NTK_TMP/valgrind.log"
touch "$VG_LOG"
chown postgres: "$VG_LOG"
runuser -u postgres -- valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
	--errors-for-leak-kinds=definite --num-callers=40 --log-file="$VG_LOG" \
	"$PG_BIN/postgres" --single -D "$PGDATA_T" -c ntk.socket="$NTK_SOCKET" -c ntk.system=FACTS \
	"$DB" <"$NTK_TMP/statements.sql" >"$NTK_TMP/out.txt" 2>&1 ||
	{ tail -20 "$NTK_TMP/out.txt" >&2; ntk_fail "the single-user backend failed under valgrind"; }

# The statements ran, with the answers they give outside valgrind.
out=$(cat "$NTK_TMP/out.txt")
ntk_assert_contains "$out" 'alice_1001 = "t"' "alice may read 1001"
ntk_assert_contains "$out" 'alice_1003 = "f"' "alice may not read 1003"
ntk_assert_contains "$out" 'alice_rows = "{1,2}"' "alice's rows"
ntk_assert_contains "$out" 'alice_fay = "0"' "alice's search for Fay"
ntk_assert_contains "$out" 'frank_rows = "6"' "frank (records) sees every row but the sealed one and the overlong id"
ntk_assert_contains "$out" 'erin_rows = "7"' "erin (legal) sees every row but the overlong id"
ntk_assert_contains "$out" 'mallory_switches = "1"' "a role switch per row"
ntk_assert_contains "$out" 'oscar_before = "0"' "oscar has no case before break-glass"
ntk_assert_contains "$out" 'oscar_grant = "t"' "oscar's break-glass granted"
ntk_assert_contains "$out" 'oscar_after = "1"' "oscar sees the case's row after it"
ntk_assert_contains "$out" 'break-glass needs a reason' "break-glass without a reason refused"
ntk_assert_contains "$out" 'break-glass for case "1004" refused' "mallory's break-glass refused"
ntk_assert_contains "$out" 'alice_no_ntkd = "0"' "no rows without ntkd"
ntk_assert_contains "$out" 'cannot get a decision from ntkd' "explicit checks fail without ntkd"
ntk_assert_contains "$out" 'ntk: read access to case "1003" (open) denied' "ntk.require's denial"
grep -q 'Memcheck' "$VG_LOG" && grep -q 'ERROR SUMMARY' "$VG_LOG" || ntk_fail "valgrind wrote no summary"

# valgrind's reports that go through ntk's code (ntk_* functions, ntk_*.c files, ntk.so).
ours=$(awk '
	/^==[0-9]+== $/ { if (block ~ /(at|by) 0x[0-9A-F]+: ntk_|\(ntk_[a-z_]*\.c:|ntk\.so\)/) print block; block = ""; next }
	{ block = block $0 "\n" }
	END { if (block ~ /(at|by) 0x[0-9A-F]+: ntk_|\(ntk_[a-z_]*\.c:|ntk\.so\)/) print block }
' "$VG_LOG")
if [ -n "$ours" ]; then
	printf '%s\n' "$ours" >&2
	ntk_fail "valgrind reports errors or leaks in ntk's code (above)"
fi
ntk_pass "ntk under memcheck: $(grep -c . "$NTK_TMP/statements.sql") statements, no error or definite leak in ntk's code ($(sed -n 's/^==[0-9]*== ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$VG_LOG") in PostgreSQL's own)"
