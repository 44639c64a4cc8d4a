#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The PostgreSQL extension ntk against real servers: slapd, ntkd, auditd and a throwaway cluster.
# The sql/expected regression files run under pg_regress; this script adds what
# SQL cannot check: the audit records, and ntkd going away mid-session.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/pg/pg_lib.sh"

pg_need
PG_REGRESS=${PG_REGRESS:-$(dirname "$("$PG_CONFIG" --pgxs)")/../test/regress/pg_regress}
[ -x "$PG_REGRESS" ] || ntk_skip "pg_regress not found (postgresql-server-dev-15)"
ntk_tmpdir
auditd_ensure
slapd_start 28960 28969
ntkd_write_conf
# Grants of one minute, so the test sees one end; the system's advice for refusals.
DENY_MSG='Requests for records outside your assignments go to the Legal Division, ext. 4410'
sed -i -e 's/^break_glass_minutes = .*/break_glass_minutes = 1/' \
	-e "/^\[system:FACTS\]/a deny_message = \"$DENY_MSG\"" "$NTK_CONF"
ntkd_start
pg_install_extension
pg_start 28970 28979
PG_EXE=$PG_BIN/postgres

# pg_audit PATTERN: this cluster's TRUSTED_APP records since the mark that match
# PATTERN (other tests may be writing records at the same time), polled up to 10 s.
pg_audit() {
	local out i
	for ((i = 0; i < 50; i++)); do
		out=$(audit_search_once -m TRUSTED_APP -i | grep -aF "peer_exe=$PG_EXE " | grep -aE "$1" || true)
		if [ -n "$out" ]; then
			sleep 1 # late duplicates would show up now
			audit_search_once -m TRUSTED_APP -i | grep -aF "peer_exe=$PG_EXE " | grep -aE "$1" || true
			return 0
		fi
		sleep 0.2
	done
}
DB=ntk_regress
psql_t postgres -c "CREATE DATABASE $DB"

# --- the regression files ----------------------------------------------------
mkdir -p "$NTK_TMP/regress"
audit_mark
if ! "$PG_REGRESS" --use-existing --host=127.0.0.1 --port="$PG_PORT" --user=postgres \
	--dbname="$DB" --inputdir="$PG_EXT_SRC" --outputdir="$NTK_TMP/regress" \
	--bindir="$PG_BIN" setup select write traps break_glass >"$NTK_TMP/regress.log" 2>&1; then
	cat "$NTK_TMP/regress.log" >&2
	cat "$NTK_TMP/regress/regression.diffs" >&2 2>/dev/null || true
	ntk_fail "pg_regress: the regression files differ from expected/"
fi
ntk_pass "regression files (setup select write traps break_glass)"

# ntk.break_glass: the grant is ntkd's, audited as `ntkctl decide --reason` audits it;
# mallory's refusal is an audited denial; the SET ROLE and SECURITY DEFINER calls asked nothing.
recs=$(pg_audit 'op=ntk-break-glass.*acct=oscar')
ntk_assert_contains "$recs" 'acct=oscar system=FACTS case=1003' "break-glass grant audited for oscar"
ntk_assert_contains "$recs" 'justification=child brought to ER' "grant record carries the reason"
ntk_assert_eq 1 "$(printf '%s\n' "$recs" | grep -c 'case=1003' || true)" "one grant: asking again did not renew it"
recs=$(pg_audit 'op=ntk-case.*acct=mallory.*case=1003')
ntk_assert_contains "$recs" 'reason=no-business-reason' "mallory's refused break-glass is an audited denial"
sleep 1
recs=$(audit_search_once -m TRUSTED_APP -i | grep -aF "peer_exe=$PG_EXE " | grep -a 'case=1004' || true)
ntk_assert_eq "" "$recs" "no record for break-glass refused under SET ROLE or SECURITY DEFINER"
ntk_pass "ntk.break_glass granted and refused by ntkd, audited"

# The upgrade path: a database with ntk 1.0 takes break_glass with ALTER EXTENSION ... UPDATE.
psql_t postgres -c "CREATE DATABASE ntk_upgrade"
out=$(psql_t ntk_upgrade -c "CREATE EXTENSION ntk VERSION '1.0'" \
	-c "SELECT extversion || ' ' || count(p.oid) FROM pg_extension e LEFT JOIN pg_proc p ON p.proname = 'break_glass' WHERE e.extname = 'ntk' GROUP BY extversion" \
	-c "ALTER EXTENSION ntk UPDATE" \
	-c "SELECT extversion || ' ' || pg_get_function_result('ntk.break_glass(text, text)'::regprocedure) FROM pg_extension WHERE extname = 'ntk'")
ntk_assert_eq "$(printf '1.0 0\n1.1 timestamp with time zone')" "$out" "ALTER EXTENSION ntk UPDATE adds break_glass"
ntk_pass "upgrade path 1.0 -> 1.1"

# The grant ends, and the case's rows go with it, although the session keeps its facts
# (ntk.cache_seconds = 300): decisions use the grant's end, to the second.
BG_FIFO="$NTK_TMP/bg.in"
BG_OUT="$NTK_TMP/bg.out"
mkfifo "$BG_FIFO"
"$PG_BIN/psql" -X -A -t -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$DB" <"$BG_FIFO" >"$BG_OUT" 2>&1 &
BG_PID=$!
exec 8>"$BG_FIFO"
ntk_on_exit "exec 8>&-; ntk_stop_pid $BG_PID"
bg_step() {
	local mark=$1
	shift
	printf '%s\n' "$@" "\\echo $mark" >&8
	ntk_wait_for 30 grep -q "^$mark\$" "$BG_OUT" || { cat "$BG_OUT" >&2; ntk_fail "psql did not reach $mark"; }
}
bg_step B0 "SET ntk.cache_seconds = 300;" "SET SESSION AUTHORIZATION oscar;" \
	"SELECT 'before=' || count(*) FROM clients WHERE case_id = '1004';" \
	"SELECT 'end=' || extract(epoch FROM ntk.break_glass('1004', 'child brought to ER'))::bigint;" \
	"SELECT 'during=' || count(*) FROM clients WHERE case_id = '1004';"
ntk_assert_contains "$(cat "$BG_OUT")" "before=0" "oscar sees no row of 1004 before the grant"
ntk_assert_contains "$(cat "$BG_OUT")" "during=1" "oscar sees 1004's row at once after the grant"
bg_end=$(sed -n 's/^end=//p' "$BG_OUT")
[ -n "$bg_end" ] || ntk_fail "no grant end: $(cat "$BG_OUT")"
gone=
for ((i = 1; i <= 90; i++)); do
	now=$(date +%s)
	bg_step "P$i" "SELECT 'p$i=' || count(*) FROM clients WHERE case_id = '1004';"
	n=$(sed -n "s/^p$i=//p" "$BG_OUT")
	if [ "$n" = 0 ]; then
		gone=$now
		break
	fi
	# Still visible: the grant has not ended (a second's slack for the clocks).
	[ "$now" -le $((bg_end + 1)) ] || ntk_fail "1004 still visible at $now, the grant ended at $bg_end"
	sleep 1
done
[ -n "$gone" ] || ntk_fail "1004 still visible 90 s after the grant"
[ "$gone" -ge $((bg_end - 1)) ] || ntk_fail "1004 hidden at $gone, before the grant's end $bg_end"
exec 8>&-
ntk_pass "a break-glass grant's rows disappear when it ends (at $gone, end $bg_end)"

# ntk.require's denials were audited by ntkd as case decisions, one each.
recs=$(pg_audit 'op=ntk-case')
ntk_assert_contains "$recs" 'acct=alice' "ntk.require denial audited"
ntk_assert_contains "$recs" 'case=1003' "ntk.require denial names the case"
n=$(printf '%s\n' "$recs" | grep -c 'acct=alice.*case=1003' || true)
ntk_assert_eq 1 "$n" "one record for alice's ntk.require('1003')"
ntk_assert_contains "$recs" 'reason=read-only' "grace's write require denied read-only"
# ntk.require(..., 'release'): allowed releases are audited too (allows = no here).
recs=$(pg_audit 'op=ntk-case.*access=release')
ntk_assert_contains "$recs" 'acct=alice system=FACTS case=1001 access=release state=open rule=assigned' "alice's release audited"
ntk_assert_contains "$recs" 'acct=erin system=FACTS case=1005 access=release state=sealed rule=role:legal' "legal's release audited"
ntk_assert_contains "$recs" 'acct=carol system=FACTS case=1001 access=release state=open reason=not-case-manager' "supervisor's release denial audited"
ntk_assert_contains "$recs" 'acct=alice system=FACTS case=1002 access=release state=closed reason=case-closed' "closed release denial audited"

# --- one audit record per statement that hid rows ----------------------------
# A scan that reads every row (seq scan) counts every row it hides: 4 5 6 7
# because their cases are out of reach, 3 because alice's own case 1002 is closed.
audit_mark
out=$(psql_t "$DB" -c "SET enable_indexscan = off" -c "SET enable_bitmapscan = off" \
	-c "SET ROLE alice" -c "SELECT id FROM clients ORDER BY id")
ntk_assert_eq "$(printf '1\n2')" "$out" "alice sees the rows of case 1001"
recs=$(pg_audit 'op=ntk-statement.*acct=alice')
[ -n "$recs" ] || ntk_fail "no op=ntk-statement record for alice's SELECT"
ntk_assert_eq 1 "$(printf '%s\n' "$recs" | grep -c 'op=ntk-statement')" "exactly one statement record"
ntk_assert_contains "$recs" 'acct=alice' "statement record: who"
ntk_assert_contains "$recs" 'system=FACTS' "statement record: which system"
ntk_assert_contains "$recs" 'rows=5 ' "statement record: how many rows (3 4 5 6 7)"
ntk_assert_contains "$recs" 'cases=1002,1003,1004,1005,9999 ' "statement record: which cases"
ntk_assert_contains "$recs" 'access=read' "statement record: access"
ntk_assert_contains "$recs" 'reason=case-closed' "statement record: the first denial (row 3, case 1002)"
ntk_assert_contains "$recs" 'res=failed' "statement record is a failure"
ntk_assert_contains "$recs" 'query=text:' "statement record: query id"
# Narrowed by the case index, the scan reads only the rows of alice's cases:
# the one it hides is her own closed case's (row 3).
audit_mark
out=$(psql_t "$DB" -c "SET enable_seqscan = off" -c "SET enable_bitmapscan = off" \
	-c "SET ROLE alice" -c "SELECT id FROM clients WHERE case_id IN ('1001', '1002')" | sort)
ntk_assert_eq "$(printf '1\n2')" "$out" "alice sees the rows of case 1001 through the index"
recs=$(pg_audit 'op=ntk-statement.*acct=alice')
ntk_assert_contains "$recs" 'reason=case-closed rows=1 cases=1002 ' \
	"a read narrowed by the case index counts only the closed row it read"
# With the recommended (case, state) index it reads only the rows it may show:
# nothing is hidden, and no record is written.
psql_t "$DB" -c "CREATE INDEX clients_case_state ON clients (case_id, state)" >/dev/null
audit_mark
out=$(psql_t "$DB" -c "SET enable_seqscan = off" -c "SET enable_bitmapscan = off" \
	-c "SET ROLE alice" -c "SELECT id FROM clients" | sort)
ntk_assert_eq "$(printf '1\n2')" "$out" "alice sees the rows of case 1001 through the (case, state) index"
psql_t "$DB" -c "DROP INDEX clients_case_state" >/dev/null
sleep 2
recs=$(audit_search_once -m TRUSTED_APP -i | grep -aF "peer_exe=$PG_EXE " | grep -a 'op=ntk-statement' || true)
ntk_assert_eq "" "$recs" "no statement record for a read narrowed to one's own open cases"
# Browsing: a search by name for someone else's client reads that row and is recorded.
audit_mark
out=$(psql_t "$DB" -c "SET ROLE mallory" -c "SELECT count(*) FROM clients WHERE id = 4")
ntk_assert_eq 0 "$out" "mallory's lookup of client 4 finds nothing"
recs=$(pg_audit 'op=ntk-statement.*acct=mallory')
ntk_assert_contains "$recs" 'rows=1 cases=1003 ' "mallory's lookup is recorded with the case"
ntk_assert_contains "$recs" 'reason=no-business-reason' "mallory's lookup: the reason"
# A search by name through a full scan decides only the rows the name matched
# (its leakproof condition runs first): the record names the case searched
# for, not every case the scan passed.
audit_mark
out=$(psql_t "$DB" -c "SET enable_indexscan = off" -c "SET enable_bitmapscan = off" \
	-c "SET ROLE alice" -c "SELECT count(*) FROM clients WHERE name = 'Fay'")
ntk_assert_eq 0 "$out" "alice's search for a sealed case's client finds nothing"
recs=$(pg_audit 'op=ntk-statement.*acct=alice')
ntk_assert_contains "$recs" 'reason=no-business-reason rows=1 cases=1005 ' \
	"alice's search is recorded with the one case it reached for"
# A role that may see some closed or sealed cases has those rows decided one by
# one: frank (records) reads every case but not the sealed 1005.
audit_mark
out=$(psql_t "$DB" -c "SET ROLE frank" -c "SELECT count(*) FROM clients")
ntk_assert_eq 6 "$out" "frank sees every row but the sealed one"
recs=$(pg_audit 'op=ntk-statement.*acct=frank')
ntk_assert_contains "$recs" 'reason=case-sealed rows=1 cases=1005 ' "frank's sealed row is recorded"
ntk_pass "one audit record per statement, read back with ausearch"

# A statement that hid nothing leaves no record; a write that hid rows says access=write.
audit_mark
psql_t "$DB" -c "SET ROLE erin" -c "SELECT count(*) FROM clients WHERE state <> 'archived'" >/dev/null
psql_t "$DB" -c "BEGIN" -c "SET LOCAL enable_indexscan = off" -c "SET LOCAL enable_bitmapscan = off" \
	-c "SET LOCAL ROLE grace" -c "UPDATE clients SET name = name" -c "ROLLBACK" >/dev/null
recs=$(pg_audit 'op=ntk-statement.*acct=grace')
recs=$(audit_search_once -m TRUSTED_APP -i | grep -aF "peer_exe=$PG_EXE " | grep -a 'op=ntk-statement' || true)
ntk_assert_not_contains "$recs" 'acct=erin' "no record when nothing was hidden"
ntk_assert_contains "$recs" 'acct=grace' "grace's UPDATE hid rows"
ntk_assert_contains "$(printf '%s\n' "$recs" | grep 'acct=grace')" 'access=write' "grace's UPDATE record says write"
ntk_pass "no record without hidden rows; writes reported as write"

# --- ntkd is asked once per statement, never per row ---------------------------
psql_t "$DB" -c "CREATE TABLE many (id integer, case_id text, state text)" \
	-c "INSERT INTO many SELECT i, (ARRAY['1001','1002','1003','9999'])[1 + i % 4], 'open' FROM generate_series(1, 4000) i" \
	-c "GRANT SELECT ON many TO PUBLIC" -c "SELECT ntk.protect('many', 'case_id', 'state')" >/dev/null
requests() { ntk_status | sed -n 's/^requests=//p'; }
r0=$(requests)
out=$(psql_t "$DB" -c "SET ntk.cache_seconds = 0" -c "SET enable_indexscan = off" -c "SET enable_bitmapscan = off" \
	-c "SET ROLE alice" -c "SELECT count(*) FROM many")
r1=$(requests)
ntk_assert_eq 2000 "$out" "alice sees cases 1001 and 1002 of 4000 rows"
# One FACTS for the statement and one REPORT of the 2000 hidden rows (the status call itself is one more).
[ $((r1 - r0)) -le 3 ] || ntk_fail "a 4000-row scan cost $((r1 - r0 - 1)) requests to ntkd"
ntk_pass "one FACTS and one REPORT for a 4000-row statement ($((r1 - r0 - 1)) requests)"
# Switching roles on every row: for each of 200 rows, mallory scans many (a
# correlated subquery whose one matching row is hidden: id = g, leakproof,
# runs before the policy) and calls alice_clients()
# (SECURITY DEFINER, owned by alice, from traps.sql), which hides rows 3-7
# of clients (3 closed, 4-7 out of her reach). Both roles' facts are kept and each role gets one report: two
# FACTS and two REPORTs for the statement, never one per row.
audit_mark
r0=$(requests)
out=$(psql_t "$DB" -c "SET ntk.cache_seconds = 0" -c "SET enable_indexscan = off" -c "SET enable_bitmapscan = off" \
	-c "SET ROLE mallory" -c "SELECT count(DISTINCT alice_clients()) FROM generate_series(1, 200) g
		WHERE (SELECT count(*) FROM many WHERE id = g) = 0")
r1=$(requests)
ntk_assert_eq 1 "$out" "alice_clients() called on each row, the same each time"
[ $((r1 - r0)) -le 5 ] || ntk_fail "role switches per row cost $((r1 - r0 - 1)) requests to ntkd"
recs=$(pg_audit 'op=ntk-statement.*acct=(alice|mallory)')
ntk_assert_eq 1 "$(printf '%s\n' "$recs" | grep -c 'acct=mallory.*rows=200 ')" "one record for mallory's 200 x 1 hidden rows"
ntk_assert_eq 1 "$(printf '%s\n' "$recs" | grep -c 'acct=alice.*rows=1000 ')" "one record for alice's 200 x 5 rows inside the function"
ntk_pass "a role switch per row: $((r1 - r0 - 1)) requests, one record per role"

# --- ntkd stopped mid-session: no protected rows, explicit checks fail --------
FIFO="$NTK_TMP/psql.in"
OUT="$NTK_TMP/psql.out"
mkfifo "$FIFO"
"$PG_BIN/psql" -X -A -t -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$DB" <"$FIFO" >"$OUT" 2>&1 &
PSQL_PID=$!
exec 7>"$FIFO"
ntk_on_exit "exec 7>&-; ntk_stop_pid $PSQL_PID"
# step MARK SQL...: send statements, wait until psql has echoed MARK after them.
step() {
	local mark=$1
	shift
	printf '%s\n' "$@" "\\echo $mark" >&7
	ntk_wait_for 30 grep -q "^$mark\$" "$OUT" || { cat "$OUT" >&2; ntk_fail "psql did not reach $mark"; }
}
step S1 "SET ntk.cache_seconds = 0;" "SET ROLE alice;" "SELECT 'n1=' || count(*) FROM clients;"
ntk_assert_contains "$(cat "$OUT")" "n1=2" "alice sees 2 rows while ntkd runs"
ntkd_stop
step S2 "SELECT 'n2=' || count(*) FROM clients;" "SELECT ntk.can_access('1001');"
out=$(cat "$OUT")
ntk_assert_contains "$out" "n2=0" "no protected rows once ntkd is gone"
ntk_assert_contains "$out" "WARNING:  ntk: rows hidden: no decision from ntkd" "row checks warn"
ntk_assert_contains "$out" "HINT:  $DENY_MSG" "the warning says where to go (deny_message ntkd sent before)"
ntk_assert_contains "$out" "ERROR:  ntk: cannot get a decision from ntkd" "explicit check is an error"
ntkd_start
step S3 "SELECT 'n3=' || count(*) FROM clients;"
ntk_assert_contains "$(cat "$OUT")" "n3=2" "rows come back with ntkd"
# A daemon that accepts but never answers: bounded by ntk.timeout, never a hang.
kill -STOP "$NTKD_PID"
t0=$(date +%s)
step S4 "SELECT 'n4=' || count(*) FROM clients;"
t1=$(date +%s)
kill -CONT "$NTKD_PID"
ntk_assert_contains "$(cat "$OUT")" "n4=0" "no rows from a daemon that does not answer"
[ $((t1 - t0)) -le 8 ] || ntk_fail "a stuck ntkd held the query for $((t1 - t0)) s"
step S5 "SELECT 'n5=' || count(*) FROM clients;"
ntk_assert_contains "$(cat "$OUT")" "n5=2" "rows come back once ntkd answers again"
ntk_pass "fail closed when ntkd is stopped or stuck, bounded by ntk.timeout"

# Cached facts outlive ntkd for at most ntk.cache_seconds.
step S6 "SELECT 'n6=' || count(*) FROM clients;" "RESET ROLE;" "SET ntk.cache_seconds = 6;" "SET ROLE alice;"
ntkd_stop
step S7 "SELECT 'n7=' || count(*) FROM clients;"
sleep 7
step S8 "SELECT 'n8=' || count(*) FROM clients;"
out=$(cat "$OUT")
ntk_assert_contains "$out" "n7=2" "cached facts used within ntk.cache_seconds"
ntk_assert_contains "$out" "n8=0" "cached facts not used past ntk.cache_seconds"
ntk_pass "staleness bounded by ntk.cache_seconds"
