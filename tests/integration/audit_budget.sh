#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# No uid floods the audit log: an unprivileged peer deciding about itself in a loop
# gets its budget of records, then one ntk-suppressed summary per interval with
# the exact count; root (and trusted peers) are never held back.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_need_cmd setpriv
auditd_ensure
ntk_tmpdir
slapd_start 28900 28919 "$top_srcdir/tests/integration/nobody.ldif"
ntkd_write_conf
budget=10
interval=4
loops=40
sed -i "/^break_glass_minutes/a budget = $budget\\nbudget_interval = $interval" "$NTK_CONF"
ntkd_start
chmod 644 "$NTK_CONF"
# A copy the unprivileged peer can run wherever the build tree lives.
cp "$NTKCTL" "$NTK_TMP/ntkctl"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
nobody_uid=$(id -u nobody)
audit_mark
tag="9$$"

# nobody asks about itself, each time about another case: every answer is a denial
# that would be a record.
t=$(date +%s)
for ((i = 0; i < loops; i++)); do
	out=$(as_nobody "$NTK_TMP/ntkctl" -c "$NTK_CONF" decide --user nobody --system FACTS \
		--case "$tag$i" 2>&1 || true)
	ntk_assert_eq "DENY reason=no-business-reason" "$out" "decision $i (answers are never held back)"
done
windows=$(( ($(date +%s) - t) / interval + 1 ))
# root is trusted: never budgeted, even past nobody's budget.
for i in 1 2 3; do
	ntkctl_t decide --user mallory --system FACTS --case "$tag$i" >/dev/null 2>&1 || true
done

sleep 1
raw=$(audit_search_once -p "$NTKD_PID" -m TRUSTED_APP --raw)
records=$(printf '%s\n' "$raw" | grep 'op=ntk-case' | grep -c "peer_uid=$nobody_uid " || true)
[ "$records" -le $((budget * windows)) ] ||
	ntk_fail "$records records from uid $nobody_uid in $windows interval(s) of budget $budget"
# The summary comes when nobody's interval ends.
ntk_wait_for $((interval * 3)) sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -q '^audit_summaries=[1-9]'" ||
	ntk_fail "no summary written: $(ntk_status | grep audit_)"
sleep 1
raw=$(audit_search_once -p "$NTKD_PID" -m TRUSTED_APP --raw)
records=$(printf '%s\n' "$raw" | grep 'op=ntk-case' | grep -c "peer_uid=$nobody_uid " || true)
summaries=$(printf '%s\n' "$raw" | grep 'op=ntk-suppressed' | grep "peer_uid=$nobody_uid " || true)
[ -n "$summaries" ] || ntk_fail "no op=ntk-suppressed record in the log"
suppressed=$(printf '%s\n' "$summaries" | grep -o ' suppressed=[0-9]*' | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')
ntk_assert_eq "$loops" "$((records + suppressed))" "records written + suppressed (exact)"
# Fields as the other records write them: acct and cases encoded, res=failed for denials.
interp=$(audit_search_once -p "$NTKD_PID" -m TRUSTED_APP -i --success no | grep 'op=ntk-suppressed' |
	tr -d '"' | grep "acct=nobody " | head -n 1)
ntk_assert_contains "$interp" "acct=nobody system=FACTS" "summary names the account"
ntk_assert_contains "$interp" "cases=$tag" "summary lists the suppressed cases"
ntk_assert_contains "$interp" "interval=$interval" "summary names its interval"
ntk_assert_contains "$interp" "res=failed" "summary of denials is a failure"
# root's three were all written.
n=$(printf '%s\n' "$raw" | grep 'op=ntk-case' | grep 'acct="mallory"' | grep -c "case=\"$tag[123]\"" || true)
ntk_assert_eq 3 "$n" "root's records"
st=$(ntk_status)
ntk_assert_contains "$st" "audit_suppressed=$suppressed" "status counts the suppressed records"

# Past its budget, a release is still a record of its own: disclosures are reviewed one by one.
for ((i = 0; i < budget + 2; i++)); do
	as_nobody "$NTK_TMP/ntkctl" -c "$NTK_CONF" decide --user nobody --system FACTS \
		--case "r$tag$i" >/dev/null 2>&1 || true
done
out=$(as_nobody "$NTK_TMP/ntkctl" -c "$NTK_CONF" decide --user nobody --system FACTS \
	--case 1001 --action release 2>&1 || true)
ntk_assert_eq "ALLOW rule=assigned" "$out" "nobody releases its own case"
ntk_wait_for 10 sh -c "ausearch --input-logs -p '$NTKD_PID' -m TRUSTED_APP --raw 2>/dev/null |
	grep 'op=ntk-case' | grep 'access=release' | grep -q 'peer_uid=$nobody_uid '" ||
	ntk_fail "the release past the budget has no record of its own"
ntkd_finish
ntk_pass "audit budget per uid"
