#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# make bench: the secure view (secure_view_example.sql) against the query each user would
# write without it (a hand-written IN (...) list of her cases, a plain scan), in the same run,
# as ratios; small-case workers; each user's plan; the handler counters of a point lookup.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/mysql/mysql_lib.sh"

ROWS=${NTK_BENCH_ROWS:-1000000}
RUNS=${NTK_BENCH_RUNS:-7}

ntk_need_root
[ -x "$NTKD" ] || ntk_skip "ntkd not built: $NTKD"
ntk_tmpdir
auditd_ensure
slapd_start 29030 29034
ntkd_write_conf
ntkd_start
mysql_start 29035 29039 FACTS
# sam: a worker with 200 small cases (10 rows each), tess: one of them. Clients of a child-welfare
# case are a household, a few rows, so most workers' reads are small: these show the view's cost
# per statement and per visible case where the 1000-row cases hide it.
SMALL_CASES=200 SMALL_ROWS=10
SMALL_TOTAL=$((SMALL_CASES * SMALL_ROWS))
ALL_ROWS=$((ROWS + SMALL_TOTAL))
# worker_ldif NAME FIRST_CASE NCASES: a social worker assigned cases FIRST_CASE.. (NCASES of them).
worker_ldif() {
	printf 'dn: uid=%s,ou=people,dc=agency,dc=example\nchangetype: add\n' "$1"
	printf 'objectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: %s\ncn: %s\nsn: %s\nntkRole: social_worker\n' "$1" "$1" "$1"
	seq -f 'ntkCaseAssignment: %.0f' "$2" $(($2 + $3 - 1))
	echo
}
{ worker_ldif sam 5001 "$SMALL_CASES"; worker_ldif tess 5001 1; } | slapd_modify ||
	ntk_fail "adding the small-case workers"
mysql_load_pattern alice erin frank sam tess

# load_rows FIRST_ID COUNT FIRST_CASE NCASES: COUNT open rows after FIRST_ID, spread evenly over
# NCASES cases numbered from FIRST_CASE.
load_rows() {
	mysql_root -e "SET SESSION max_recursive_iterations = $2;
	INSERT INTO casedata_private.clients (id, case_id, state, name)
	WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $2)
	SELECT $1 + n, CAST($3 + n % $4 AS CHAR), 'open', CONCAT('Client ', $1 + n) FROM s;" ||
		ntk_fail "loading $2 rows"
}
# 1000 cases spread evenly: alice (1001, 1002) sees 2 in 1000 rows, erin (legal) every row.
load_rows 0 "$ROWS" 1000 1000
load_rows "$ROWS" "$SMALL_TOTAL" 5001 "$SMALL_CASES"
mysql_root -e "ANALYZE TABLE casedata_private.clients" >/dev/null

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# best_ms NAME EXPECTED CMD...: the fastest of $RUNS runs, checking the answer each time.
best_ms() {
	local name=$1 want=$2 best= t0 t got i
	shift 2
	for ((i = 0; i < RUNS; i++)); do
		t0=$(now_ms)
		got=$("$@" | sort -u)
		t=$(($(now_ms) - t0))
		[ "$got" = "$want" ] || ntk_fail "$name: expected $want rows, got $got"
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	echo "$best"
}

per_mille=$((ROWS / 1000))
# x20 SQL: the statement 20 times in one session, so the client's start and login (tens of ms,
# the same for both sides) do not swamp a 2000-row answer; the figures are per statement.
REP=20
x20() { local i q=; for ((i = 0; i < REP; i++)); do q+="$1;"; done; printf '%s' "$q"; }
# Baselines run the way staff connect (TCP, password), so connecting costs both sides the same.
mysql_root -e "CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY 'pw-bench';
	GRANT SELECT ON casedata_private.* TO 'bench'@'127.0.0.1';"
# The worker's baseline is the query a programmer would write for her: her case ids, by index.
# The view also tests each row's state (the policy depends on it): so does the second baseline.
q_base_alice() { mysql_as bench -e "$(x20 "SELECT COUNT(*) FROM casedata_private.clients WHERE case_id IN ('1001', '1002')")"; }
q_state_alice() { mysql_as bench -e "$(x20 "SELECT COUNT(*) FROM casedata_private.clients WHERE case_id IN ('1001', '1002') AND state = 'open'")"; }
q_view_alice() { mysql_as alice -e "$(x20 "SELECT COUNT(*) FROM casedata.clients")"; }
q_noidx_alice() { mysql_as bench -e "SELECT COUNT(*) FROM casedata_private.clients IGNORE INDEX (case_id) WHERE case_id IN ('1001', '1002')"; }
q_base_all() { mysql_as bench -e "SELECT COUNT(*) FROM casedata_private.clients IGNORE INDEX (case_id) WHERE case_id <> ''"; }
q_view_erin() { mysql_as erin -e "SELECT COUNT(*) FROM casedata.clients"; }
SAM_CASES=$(seq -s, -f "'%.0f'" 5001 $((5000 + SMALL_CASES)))
q_base_sam() { mysql_as bench -e "$(x20 "SELECT COUNT(*) FROM casedata_private.clients WHERE case_id IN ($SAM_CASES) AND state = 'open'")"; }
q_view_sam() { mysql_as sam -e "$(x20 "SELECT COUNT(*) FROM casedata.clients")"; }
q_base_tess() { mysql_as bench -e "$(x20 "SELECT COUNT(*) FROM casedata_private.clients WHERE case_id IN ('5001') AND state = 'open'")"; }
q_view_tess() { mysql_as tess -e "$(x20 "SELECT COUNT(*) FROM casedata.clients")"; }
# COUNT(*) reads no column of the view; a query that reads one pays that column's mask on every row.
q_name_all() { mysql_as bench -e "SELECT COUNT(*), SUM(LENGTH(name)) > 0 FROM casedata_private.clients IGNORE INDEX (case_id) WHERE case_id <> ''"; }
q_name_erin() { mysql_as erin -e "SELECT COUNT(*), SUM(LENGTH(name)) > 0 FROM casedata.clients"; }
declare -A WANT=([q_base_alice]=$((2 * per_mille)) [q_state_alice]=$((2 * per_mille)) [q_view_alice]=$((2 * per_mille))
	[q_noidx_alice]=$((2 * per_mille)) [q_base_all]=$ALL_ROWS [q_view_erin]=$ALL_ROWS
	[q_name_all]="$ALL_ROWS	1" [q_name_erin]="$ALL_ROWS	1"
	[q_base_sam]=$SMALL_TOTAL [q_view_sam]=$SMALL_TOTAL
	[q_base_tess]=$SMALL_ROWS [q_view_tess]=$SMALL_ROWS) BEST=() CPU=()
# mariadbd's CPU time (ns, all its threads; connection threads are cached, not ended): what a
# statement costs the server, less disturbed than wall time by other work on a loaded machine.
server_cpu_ns() { cat /proc/"$MYSQL_PID"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%d", s }'; }
# Rounds of every query in turn, best of $RUNS each: a view and its baseline run side by side, so
# the load of whatever else runs on the machine shifts both alike.
for ((round = 0; round < RUNS; round++)); do
	for f in q_base_alice q_view_alice q_state_alice q_base_all q_view_erin q_noidx_alice q_name_all q_name_erin \
		q_base_sam q_view_sam q_base_tess q_view_tess; do
		c0=$(server_cpu_ns)
		t0=$(now_ms)
		got=$($f | sort -u)
		t=$(($(now_ms) - t0))
		c=$(($(server_cpu_ns) - c0))
		[ "$got" = "${WANT[$f]}" ] || ntk_fail "$f: expected ${WANT[$f]} rows, got $got"
		if [ -z "${BEST[$f]:-}" ] || [ "$t" -lt "${BEST[$f]}" ]; then BEST[$f]=$t; fi
		if [ -z "${CPU[$f]:-}" ] || [ "$c" -lt "${CPU[$f]}" ]; then CPU[$f]=$c; fi
	done
done
base_alice=${BEST[q_base_alice]} state_alice=${BEST[q_state_alice]} view_alice=${BEST[q_view_alice]}
noidx_alice=${BEST[q_noidx_alice]} base_all=${BEST[q_base_all]} view_erin=${BEST[q_view_erin]}
# The per-row pattern (ntk_can_access on every row behind a TEMPTABLE barrier), for comparison.
mysql_root -e "CREATE ALGORITHM = TEMPTABLE DEFINER = 'ntk_definer'@'localhost' SQL SECURITY DEFINER
	VIEW casedata.clients_per_row AS SELECT id, case_id, state, name FROM casedata_private.clients
	WHERE ntk_can_access(case_id, state) = 1 LIMIT 18446744073709551615;
	GRANT SELECT ON casedata.clients_per_row TO 'alice'@'127.0.0.1';"
per_row_alice=$(RUNS=1 best_ms "per-row view as alice" $((2 * per_mille)) \
	mysql_as alice -e "SELECT COUNT(*) FROM casedata.clients_per_row")

# A point lookup by case id: what the storage engine was asked for (staff have no EXPLAIN rights
# on the view; their session's handler counters say whether the case index was used).
lookup_as() { mysql_read_counters "$1" "SELECT COUNT(*) FROM casedata.clients WHERE case_id = '1001'" key next rnd_next; }
# How each user's full count reads the table (a role that sees every case: one pass over the case index).
scan_as() { mysql_read_counters "$1" "SELECT COUNT(*) FROM casedata.clients" first key next rnd_next; }
scan_alice=$(scan_as alice)
scan_erin=$(scan_as erin)
lookup=$(lookup_as alice)
lookup_erin=$(lookup_as erin)
lookup_frank=$(lookup_as frank)
plan_alice=$(mysql_plan_of alice) plan_erin=$(mysql_plan_of erin) plan_frank=$(mysql_plan_of frank)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b < 1) b = 1; printf "%.2f", a / b }'; }
per() { awk -v a="$1" -v n="$REP" 'BEGIN { printf "%.1f", a / n }'; }
printf 'mysql bench: %d rows in 1000-row cases and %d in %d-row cases, best of %d runs (2 shared cores: timings are noisy)\n' "$ROWS" "$SMALL_TOTAL" "$SMALL_ROWS" "$RUNS"
printf '  IN (...) list, alice'"'"'s 2 cases, by index      %6s ms   (index only; per statement, %d in one session)\n' \
	"$(per "$base_alice")" "$REP"
printf '  IN (...) list and state = '"'"'open'"'"', by index    %6s ms\n' "$(per "$state_alice")"
printf '  view as alice (set view)                       %6s ms   ratio %s to the IN list, %s with state   (target <= 1.20)\n' \
	"$(per "$view_alice")" "$(ratio "$view_alice" "$base_alice")" "$(ratio "$view_alice" "$state_alice")"
printf '  IN (...) list without the index                %6d ms\n' "$noidx_alice"
printf '  per-row view as alice (ntk_can_access per row) %6d ms   ratio %s to the IN list   (one statement, one run)\n' "$per_row_alice" \
	"$(ratio "$((per_row_alice * REP))" "$base_alice")"
printf '  full scan, no policy                           %6d ms\n' "$base_all"
printf '  view as erin (every case, every state)         %6d ms   ratio %s   (target <= 1.20)\n' "$view_erin" \
	"$(ratio "$view_erin" "$base_all")"
us() { awk -v a="$1" -v n="$2" 'BEGIN { printf "%.0f", a / n / 1000 }'; }
printf '  full scan reading name, no policy             %6d ms\n' "${BEST[q_name_all]}"
printf '  view as erin reading name (its mask per row)   %6d ms   ratio %s\n' "${BEST[q_name_erin]}" \
	"$(ratio "${BEST[q_name_erin]}" "${BEST[q_name_all]}")"
printf '  server CPU per statement (mariadbd threads, best of %d): IN list %s us, with state %s us, view as alice %s us: ratio %s, %s with state\n' \
	"$RUNS" "$(us "${CPU[q_base_alice]}" "$REP")" "$(us "${CPU[q_state_alice]}" "$REP")" "$(us "${CPU[q_view_alice]}" "$REP")" \
	"$(ratio "${CPU[q_view_alice]}" "${CPU[q_base_alice]}")" "$(ratio "${CPU[q_view_alice]}" "${CPU[q_state_alice]}")"
printf '  server CPU per statement: full scan %s us, view as erin %s us: ratio %s\n' \
	"$(us "${CPU[q_base_all]}" 1)" "$(us "${CPU[q_view_erin]}" 1)" "$(ratio "${CPU[q_view_erin]}" "${CPU[q_base_all]}")"
printf '  server CPU per statement reading name: full scan %s us, view as erin %s us: ratio %s\n' \
	"$(us "${CPU[q_name_all]}" 1)" "$(us "${CPU[q_name_erin]}" 1)" "$(ratio "${CPU[q_name_erin]}" "${CPU[q_name_all]}")"
printf '  small cases (%d rows each), per statement: IN list of tess'"'"'s 1 case %s us CPU, view %s us: ratio %s; of sam'"'"'s %d cases %s us, view %s us: ratio %s   (wall %s, %s)\n' \
	"$SMALL_ROWS" "$(us "${CPU[q_base_tess]}" "$REP")" "$(us "${CPU[q_view_tess]}" "$REP")" "$(ratio "${CPU[q_view_tess]}" "${CPU[q_base_tess]}")" \
	"$SMALL_CASES" "$(us "${CPU[q_base_sam]}" "$REP")" "$(us "${CPU[q_view_sam]}" "$REP")" "$(ratio "${CPU[q_view_sam]}" "${CPU[q_base_sam]}")" \
	"$(ratio "${BEST[q_view_tess]}" "${BEST[q_base_tess]}")" "$(ratio "${BEST[q_view_sam]}" "${BEST[q_base_sam]}")"
printf '  count as alice (rows, counters): %s\n' "$scan_alice"
printf '  count as erin (rows, counters): %s\n' "$scan_erin"
printf '  point lookup by case id as alice (rows, counters): %s\n' "$lookup"
printf '  point lookup by case id as erin (every row): %s\n' "$lookup_erin"
printf '  point lookup by case id as frank (all but sealed): %s\n' "$lookup_frank"
printf '  plan of the view'"'"'s COUNT(*) for c: alice %s; erin %s; frank %s\n' "$plan_alice" "$plan_erin" "$plan_frank"
