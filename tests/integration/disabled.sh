#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A disabled account gets nothing anywhere: with staff_filter excluding AD's
# disabled bit, the subject's own entry must match it, or every path says
# account-disabled (check, explain, decide and its audit record, FACTS for the
# SQL plugins, NSS initgroups and case groups, PAM through pamtester).
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
PAM_NTK_SO=$top_builddir/pam_module/.libs/pam_ntk.so
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_need_root
ntk_need_cmd pamtester
[ -f "$PAM_NTK_SO" ] || ntk_skip "pam_ntk.so not built"
auditd_ensure
ntk_tmpdir
SLAPD_EXTRA_SCHEMA="$top_srcdir/tests/directory/ad-subset.schema" \
	slapd_start 28900 28919 "$top_srcdir/tests/integration/disabled.ldif"
ntkd_write_conf
# The filter conf/ntk.conf.sample advises for AD: bit 2 of userAccountControl is "disabled".
printf '\n[ldap]\nstaff_filter = (&(objectClass=inetOrgPerson)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))\n' \
	>>"$NTK_CONF"
ntkd_start
send() { "$NTK_SEND" "$NTK_SOCKET" "$@"; }

# The directory itself agrees that the bit-and rule picks gone out.
out=$(ldapsearch -x -LLL -H "$SLAPD_URI" -b "$SLAPD_BASE" \
	'(&(uid=*)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))' uid | grep '^uid:' | sort | tr '\n' ' ')
ntk_assert_contains "$out" "uid: kept" "slapd evaluates AD's bit-and rule"
ntk_assert_not_contains "$out" "uid: gone" "slapd evaluates AD's bit-and rule"

# check and explain: login and cases, whatever the state.
check_is "DENY reason=account-disabled" --user gone --system FACTS
check_is "DENY reason=account-disabled" --user gone --system FACTS --case 1001
check_is "DENY reason=account-disabled" --user gone --system FACTS --case 1001 --action write
check_is "DENY reason=account-disabled" --user gone --system COURTS --case 1001
check_is "ALLOW rule=assigned" --user kept --system FACTS --case 1001
check_is "ALLOW rule=system-access" --user kept --system FACTS
out=$(ntkctl_t check --user gone --system FACTS --case 1001 --explain || true)
ntk_assert_contains "$out" "DENY reason=account-disabled" "explain's verdict"
ntk_assert_contains "$out" "does not match staff_filter" "explain says why"
# A supervisor does not reach a disabled subordinate's cases (case 1009 is only gone's).
check_is "DENY reason=no-business-reason" --user carol --system FACTS --case 1009
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1001

# decide: audited with the new reason.
audit_mark
set +e
out=$(ntkctl_t decide --user gone --system FACTS --case 1001 2>&1)
rc=$?
set -e
ntk_assert_eq "DENY reason=account-disabled" "$out" "decide for gone"
ntk_assert_eq 1 "$rc" "decide deny exit code"
out=$(audit_search -m TRUSTED_APP --success no -i | grep "op=ntk-case" | grep "acct=gone" | tr -d '"' || true)
ntk_assert_contains "$out" "acct=gone system=FACTS case=1001 access=read state=open reason=account-disabled" \
	"decide denial audited with account-disabled"

# FACTS for the SQL plugins: the deny outcome and no facts to decide rows from.
out=$(send facts gone FACTS || true)
ntk_assert_contains "$out" "outcome=account-disabled" "FACTS for gone"
ntk_assert_not_contains "$out" "1001" "FACTS for gone carries no assignment"
out=$(send facts kept FACTS || true)
ntk_assert_contains "$out" "outcome=system-access" "FACTS for kept"

# NSS: no groups for gone, and gone is in no case or system group.
ntk_assert_eq "" "$(send initgroups gone || true)" "initgroups gone"
ntk_assert_not_contains "$(send initgroups kept || true)" "ERROR" "initgroups kept"
ntk_assert_contains "$(send initgroups kept)" "201001" "initgroups kept has case 1001"
out=$(send group ntk-case-1001 || true)
ntk_assert_contains "$out" "kept" "ntk-case-1001 lists kept"
ntk_assert_not_contains "$out" "gone" "ntk-case-1001 leaves gone out"
ntk_assert_not_contains "$(send group ntk-sys-FACTS || true)" "gone" "ntk-sys-FACTS leaves gone out"

# PAM through pamtester: gone refused with the reason, kept let in.
svc="ntk-test-disabled"
[ ! -e "/etc/pam.d/$svc" ] || ntk_fail "/etc/pam.d/$svc exists already (another run?)"
ntk_on_exit "rm -f '/etc/pam.d/$svc'"
printf 'account required %s system=FACTS socket=%s\n' "$PAM_NTK_SO" "$NTK_SOCKET" >"/etc/pam.d/$svc"
preload=$(ntk_asan_preload "$PAM_NTK_SO")
set +e
# shellcheck disable=SC2086
out=$(env $preload pamtester "$svc" gone acct_mgmt 2>&1)
rc=$?
set -e
[ "$rc" != 0 ] || ntk_fail "pamtester let the disabled account in: $out"
ntk_assert_contains "$out" "account-disabled" "the reason shown at login"
# shellcheck disable=SC2086
env $preload pamtester "$svc" kept acct_mgmt >/dev/null 2>&1 || ntk_fail "pamtester refused the enabled account"

ntkd_finish
ntk_pass "a disabled account is denied account-disabled on every path"
