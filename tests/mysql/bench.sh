#!/bin/bash
# make bench: a 1M-row scan through the ntk_can_access view against the same scan with a
# hand-written IN (...) list of the user's cases, in the same run, as a ratio.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/mysql/mysql_lib.sh"

ROWS=${NTK_BENCH_ROWS:-1000000}
RUNS=${NTK_BENCH_RUNS:-5}

ntk_need_root
[ -x "$NTKD" ] || ntk_skip "ntkd not built: $NTKD"
ntk_tmpdir
auditd_ensure
slapd_start 39030 39034
ntkd_write_conf
ntkd_start
mysql_start 39035 39039 FACTS
mysql_load_pattern alice erin

# 1000 cases spread evenly: alice (1001, 1002) sees 2 in 1000 rows, erin (legal) every row.
mysql_root -e "SET SESSION max_recursive_iterations = $ROWS;
	INSERT INTO casedata_private.clients (id, case_id, state, name)
	WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $ROWS)
	SELECT n, CAST(1000 + n % 1000 AS CHAR), 'open', CONCAT('Client ', n) FROM s;" ||
	ntk_fail "loading $ROWS rows"
mysql_root -e "ANALYZE TABLE casedata_private.clients" >/dev/null

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# best_ms NAME EXPECTED CMD...: the fastest of $RUNS runs, checking the answer each time.
best_ms() {
	local name=$1 want=$2 best= t0 t got i
	shift 2
	for ((i = 0; i < RUNS; i++)); do
		t0=$(now_ms)
		got=$("$@")
		t=$(($(now_ms) - t0))
		[ "$got" = "$want" ] || ntk_fail "$name: expected $want rows, got $got"
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	echo "$best"
}

per_mille=$((ROWS / 1000))
# Both sides scan every row: the view cannot use an index, so the baseline ignores it too.
base_alice=$(best_ms "IN list (alice's cases)" $((2 * per_mille)) \
	mysql_root -e "SELECT COUNT(*) FROM casedata_private.clients IGNORE INDEX (case_id) WHERE case_id IN ('1001', '1002')")
view_alice=$(best_ms "view as alice" $((2 * per_mille)) \
	mysql_as alice -e "SELECT COUNT(*) FROM casedata.clients")
base_all=$(best_ms "no filter" "$ROWS" \
	mysql_root -e "SELECT COUNT(*) FROM casedata_private.clients IGNORE INDEX (case_id) WHERE case_id <> ''")
# What MariaDB spends computing the UDF's arguments for every row, without the UDF.
args_only=$(best_ms "arguments only" "$ROWS" \
	mysql_root -e "SELECT COUNT(*) FROM casedata_private.clients IGNORE INDEX (case_id) WHERE LENGTH(CONCAT(SESSION_USER(), case_id, state)) > 0")
view_erin=$(best_ms "view as erin" "$ROWS" \
	mysql_as erin -e "SELECT COUNT(*) FROM casedata.clients")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b < 1) b = 1; printf "%.2f", a / b }'; }
ns_row() { awk -v a="$1" -v b="$2" -v r="$ROWS" 'BEGIN { printf "%.0f", (a - b) * 1e6 / r }'; }
printf 'mysql bench: %d rows, best of %d runs\n' "$ROWS" "$RUNS"
printf '  IN (...) list, alice'"'"'s 2 cases   %6d ms\n' "$base_alice"
printf '  view as alice (ntk_can_access)  %6d ms   ratio %s   (+%s ns/row)\n' "$view_alice" \
	"$(ratio "$view_alice" "$base_alice")" "$(ns_row "$view_alice" "$base_alice")"
printf '  full scan, no policy            %6d ms\n' "$base_all"
printf '  SESSION_USER(), case_id, state evaluated, no UDF %d ms (+%s ns/row)\n' "$args_only" "$(ns_row "$args_only" "$base_all")"
printf '  view as erin (every row allowed) %5d ms   ratio %s   (+%s ns/row)\n' "$view_erin" \
	"$(ratio "$view_erin" "$base_all")" "$(ns_row "$view_erin" "$base_all")"
