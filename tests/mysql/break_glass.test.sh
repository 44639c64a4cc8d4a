#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ntk_break_glass(case_id, reason) against a real mariadbd, ntkd, slapd and auditd: granted for
# the connection's own account exactly as `ntkctl decide --reason` grants it (role must allow it,
# reason required, audited or refused), returning the expiry; the case's rows appear in the view
# at once and disappear when the grant ends (break_glass_minutes = 1 here).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/mysql/mysql_lib.sh"

ntk_need_root
[ -x "$NTKD" ] || ntk_skip "ntkd not built: $NTKD"
ntk_tmpdir
auditd_ensure
slapd_start 29050 29054
ntkd_write_conf
sed -i 's/^break_glass_minutes = .*/break_glass_minutes = 1/' "$NTK_CONF"
# Where a refused person should go (issue 12 part 4), shown by ntk_break_glass and ntk_explain.
MSG="Requests for records outside your assignments go to the Legal Division, ext. 4410"
sed -i "/^\[system:FACTS\]/a deny_message = \"$MSG\"" "$NTK_CONF"
ntkd_start
mysql_start 29055 29059 FACTS
mysql_load_pattern oscar mallory alice
CASE=77$$
mysql_root -e "INSERT INTO casedata_private.clients VALUES
	(1, '$CASE', 'open', 'Client One'), (2, '$CASE', 'open', 'Client Two'), (3, '1001', 'open', 'Client Three');"
rows() { mysql_as "$1" -e "SELECT IFNULL(GROUP_CONCAT(id ORDER BY id), '') FROM casedata.clients"; }
glass() { mysql_as "$1" -e "SELECT ntk_break_glass($2)" 2>&1 || true; }

ntk_assert_eq "" "$(rows oscar)" "oscar sees nothing of case $CASE before"

# Refusals: no reason, a malformed case, a role that may not break glass, nothing to break.
ntk_assert_contains "$(glass oscar "'$CASE', ''")" "a reason is required" "empty reason"
ntk_assert_contains "$(glass oscar "'$CASE', NULL")" "a reason is required" "NULL reason"
ntk_assert_contains "$(glass oscar "'$CASE or 1', 'x'")" "case_id must be a case id" "malformed case id"
ntk_assert_contains "$(glass oscar "'$CASE'")" "takes 2 arguments" "one argument"
audit_mark
out=$(glass mallory "'$CASE', 'curious'")
ntk_assert_contains "$out" "ntk_break_glass: refused: DENY reason=no-business-reason" "mallory's role may not break glass"
ntk_assert_contains "$out" "$MSG" "the refusal says where to go (deny_message)"
out=$(mysql_as mallory -e "SELECT ntk_explain('$CASE')")
ntk_assert_eq "DENY reason=no-business-reason"$'\n'"$MSG" "$(printf '%b' "$out")" "ntk_explain: the verdict, then deny_message"
ntk_assert_eq "ALLOW rule=assigned" "$(mysql_as alice -e "SELECT ntk_explain('1001')")" "no deny_message with an allow"
ntk_assert_eq "" "$(rows mallory)" "mallory still sees nothing"
rec=$(audit_search -m TRUSTED_APP -i | grep "acct=mallory" | grep "case=$CASE" || true)
ntk_assert_contains "$rec" "reason=no-business-reason" "mallory's refused break-glass is audited"
ntk_assert_contains "$(glass alice "'1001', 'x'")" "no grant needed: ALLOW rule=assigned" "alice's own case needs no glass"
ntk_assert_eq "DENY reason=no-business-reason" "$({ ntkctl_t check --user oscar --system FACTS --case "$CASE" || true; } | head -n 1)" \
	"nothing was granted to oscar by the refusals"

# The grant: for oscar, on FACTS, audited with the reason, the expiry returned.
audit_mark
before=$(date -u +%s)
exp=$(glass oscar "'$CASE', 'child brought to ER'")
ntk_log "oscar's grant expires: [$exp]"
exp_s=$(date -u -d "$exp UTC" +%s) || ntk_fail "not a time: [$exp]"
[ "$exp_s" -ge $((before + 55)) ] && [ "$exp_s" -le $((before + 70)) ] ||
	ntk_fail "expiry $exp is not about a minute from $before"
ntk_assert_eq "1,2" "$(rows oscar)" "oscar's view shows the case at once"
ntk_assert_eq "ALLOW rule=break-glass" "$(ntkctl_t check --user oscar --system FACTS --case "$CASE")" \
	"ntkd holds the same grant"
ntk_assert_eq "ALLOW rule=break-glass" "$(mysql_as oscar -e "SELECT ntk_explain('$CASE')")" "ntk_explain sees it"
rec=$(audit_search -m TRUSTED_APP -i | grep "acct=oscar" | grep "child brought to ER" || true)
ntk_assert_contains "$rec" "$CASE" "the grant is audited with its reason and case"
ntk_assert_eq "" "$(rows mallory)" "the grant is oscar's alone"

# Once per call site and statement, however many rows call it: one CHECK, one FACTS refetch
# (and the status call's own request). A grant in force is returned as it is, not renewed.
requests() { ntk_status | sed -n 's/^requests=//p'; }
r0=$(requests)
got=$(mysql_as oscar -e "SELECT GROUP_CONCAT(ntk_break_glass('$CASE', 'second look'))
	FROM (SELECT 1 n UNION ALL SELECT 2 UNION ALL SELECT 3) t" 2>&1 || true)
r1=$(requests)
ntk_assert_eq "$exp,$exp,$exp" "$got" "three rows, the same grant"
ntk_assert_eq "3" "$((r1 - r0))" "one CHECK and one FACTS for three rows"

# The grant ends: the rows go (the UDFs' facts cache lives 5 s at most).
wait=$((exp_s - $(date -u +%s) + 7))
[ "$wait" -gt 0 ] && [ "$wait" -le 90 ] && sleep "$wait"
ntk_assert_eq "" "$(rows oscar)" "the case's rows are gone when the grant ends"
kill -0 "$MYSQL_PID" || ntk_fail "mariadbd died"
mysql_sanitizer_clean
ntk_pass "break-glass from SQL: own account, role-checked, reason required, audited, expires"
