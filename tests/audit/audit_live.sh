#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `ntkctl audit` on records just written to the running auditd, read from its
# default logs: (1) records in ntkd's format written with libaudit by
# ntk_audit_gen, (2) records written by a real ntkd for real checks
# (non-dry-run) when ntkd is built. Hostile names must come back decoded.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/audit/audit_common.sh"

[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY: no live auditd test"
auditd_ensure
ntk_tmpdir
export LC_ALL=C
out="$NTK_TMP/out"
GEN="$top_builddir/tests/audit/ntk_audit_gen"
CLIENT="$top_builddir/tests/audit/ntk_audit_client"

# poll_rows N ARGS...: wait up to 10 s for auditd to flush N rows of `--list --format csv ARGS`.
poll_rows() {
	local n=$1 i got
	shift
	for ((i = 0; i < 50; i++)); do
		set +e
		ntk_audit --list --format csv "$@" >"$out" 2>"$out.err"
		set -e
		got=$(($(wc -l <"$out") - 1))
		[ "$got" -ge "$n" ] && return 0
		sleep 0.2
	done
	ntk_fail "expected $n rows for $*, got $got: $(cat "$out" "$out.err")"
}

# (1) libaudit records in ntkd's format, a hostile and unique user name
user="live $$ \"q\" acct=root"
"$GEN" live "$user" || ntk_fail "ntk_audit_gen live failed"
poll_rows 4 --since recent --user "$user"
[ "$(wc -l <"$out")" = 5 ] || ntk_fail "more rows than written: $(cat "$out")"
csv_user=${user//\"/\"\"}
ntk_assert_contains "$(cat "$out")" ",denied,case,\"$csv_user\",FACTS,1001,read,open,no-business-reason," "decoded case denial"
ntk_assert_contains "$(cat "$out")" ",denied,case,\"$csv_user\",FACTS,1002,read,sealed,case-sealed," "sealed denial"
ntk_assert_contains "$(cat "$out")" ",allowed,login,\"$csv_user\",FACTS,,login,,system-access," "login allow"
audit_rc 0 "$out" --since recent --user "$user" --denied --summary --format json
ntk_assert_contains "$(cat "$out")" "{\"group\": \"user\", \"key\": \"live $$ \\\"q\\\" acct=root\", \"denied\": 3, \"allowed\": 0, \"released\": 0, \"total\": 3}" "summary json"
# the analyst's recipe: who was denied case 1001 this week
audit_rc 0 "$out" --list --denied --case 1001 --since this-week --user "$user" --format csv
[ "$(wc -l <"$out")" = 2 ] || ntk_fail "this-week recipe: $(cat "$out")"
# the same window read from auditd's log file as a copied log
audit_rc 0 "$out" --input /var/log/audit/audit.log --since recent --user "$user" --list
[ "$(wc -l <"$out")" = 5 ] || ntk_fail "--input audit.log: $(cat "$out")"
ntk_pass "libaudit records read back from auditd ($AUDIT_VIA)"

# (2) ntkd's own records, when ntkd exists
if [ ! -x "$NTKD" ]; then
	ntk_log "ntkd not built: the ntkd part is not run"
	exit 0
fi
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
[ -x "$CLIENT" ] || ntk_fail "$CLIENT not built"
slapd_start 29000 29009
ntkd_write_conf
ntkd_start
audit_mark
hostile='evil" acct=root x=1'
set +e
"$CLIENT" "$NTK_SOCKET" alice FACTS login >"$NTK_TMP/v0"
"$CLIENT" "$NTK_SOCKET" mallory FACTS read 1001 >"$NTK_TMP/v1"
"$CLIENT" "$NTK_SOCKET" mallory FACTS read 1002 sealed >"$NTK_TMP/v2"
"$CLIENT" "$NTK_SOCKET" "$hostile" FACTS login >"$NTK_TMP/v3"
"$CLIENT" "$NTK_SOCKET" "$hostile" FACTS read 1003 >"$NTK_TMP/v4"
set -e
poll_rows 2 --since recent --user "$hostile"
ntk_assert_contains "$(cat "$out")" ',denied,login,"evil"" acct=root x=1",FACTS,,login,,unknown-user,' "ntkd hostile login"
ntk_assert_contains "$(cat "$out")" ',denied,case,"evil"" acct=root x=1",FACTS,1003,read,open,unknown-user,' "ntkd hostile case"
ntk_assert_contains "$(cat "$out")" "ws-live.example" "rhost as host"
poll_rows 2 --since recent --user mallory --case 1001 --case 1002
ntk_assert_contains "$(cat "$out")" ",denied,case,mallory,FACTS,1001,read,open,no-business-reason," "ntkd case denial"
ntk_assert_contains "$(cat "$out")" ",denied,case,mallory,FACTS,1002,read,sealed," "ntkd sealed denial"
poll_rows 1 --since recent --user alice --allowed --reason system-access
ntk_assert_contains "$(cat "$out")" ",allowed,login,alice,FACTS,,login,,system-access," "ntkd login allow"
audit_rc 0 "$out" --since recent --user mallory --browsing --threshold 2 --format json
ntk_assert_contains "$(cat "$out")" '"user": "mallory"' "mallory flagged as browsing"
# releases: audited allowed too (this ntkd has allows = no), counted in their own column;
# erin's cases are this run's own, so other runs' records stay out of the summary
rel="7$$" rd="8$$"
set +e
"$CLIENT" "$NTK_SOCKET" erin FACTS release "$rel" >"$NTK_TMP/v5"
"$CLIENT" "$NTK_SOCKET" erin FACTS read "$rd" >"$NTK_TMP/v6"
"$CLIENT" "$NTK_SOCKET" carol FACTS release 1001 >"$NTK_TMP/v7"
set -e
ntk_assert_eq "ALLOW rule=role:legal" "$(cat "$NTK_TMP/v5")" "erin's release"
ntk_assert_eq "DENY reason=not-case-manager" "$(cat "$NTK_TMP/v7")" "carol's release"
poll_rows 1 --since recent --user erin --case "$rel"
ntk_assert_contains "$(cat "$out")" ",allowed,case,erin,FACTS,$rel,release,open,role:legal," "ntkd release allow"
poll_rows 1 --since recent --user carol --case 1001 --reason not-case-manager
ntk_assert_contains "$(cat "$out")" ",denied,case,carol,FACTS,1001,release,open,not-case-manager," "ntkd release denial"
audit_rc 0 "$out" --since recent --case "$rel" --case "$rd" --summary --format csv
ntk_assert_contains "$(cat "$out")" "user,erin,0,1,1,1" "erin: one allowed release, the read not audited"
ntk_assert_contains "$(cat "$out")" "reason,role:legal,0,1,1,1" "the release's rule"
ntk_pass "ntkd records read back from auditd ($AUDIT_VIA)"
