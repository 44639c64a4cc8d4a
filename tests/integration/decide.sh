#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ntkctl decide: the same words and exit codes as check, but audited, and
# --reason obtains a break-glass grant that later decisions see.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

auditd_ensure
ntk_tmpdir
slapd_start 28900 28919
ntkd_write_conf
# A second system where oscar's role may break glass too: a grant is for one system.
printf '\n[system:ER]\nroles = oncall\n' >>"$NTK_CONF"
ntkd_start
audit_mark

# decide_is EXPECTED ARGS...: like check_is, through the audited command.
decide_is() {
	local want=$1 got rc
	shift
	set +e
	got=$(ntkctl_t decide "$@" 2>&1)
	rc=$?
	set -e
	ntk_assert_eq "$want" "$got" "ntkctl decide $*"
	case "$want" in
	ALLOW*) ntk_assert_eq 0 "$rc" "decide allow exit code" ;;
	DENY*) ntk_assert_eq 1 "$rc" "decide deny exit code" ;;
	esac
}

# A case id unique to this run keeps other runs' records out of the assertions.
case_id="8$RANDOM$$"
decide_is "DENY reason=no-business-reason" --user mallory --system FACTS --case "$case_id"
out=$(audit_search -m TRUSTED_APP --success no -i | grep "op=ntk-case" | grep "case=$case_id" | tr -d '"' || true)
ntk_assert_contains "$out" "acct=mallory system=FACTS case=$case_id access=read state=open reason=no-business-reason" "decide denial audited"
ntk_assert_contains "$out" "peer_exe=$top_builddir/tools" "the asking program is ntkctl"

# check stays a dry run: the same request leaves no second record.
check_is "DENY reason=no-business-reason" --user mallory --system FACTS --case "$case_id"
sleep 1
n=$(audit_search_once -m TRUSTED_APP --success no -i | grep -c "case=$case_id" || true)
ntk_assert_eq 1 "$n" "records for $case_id after a dry-run check"

# Break-glass: a dry run only says it would be granted; decide grants it.
check_is "DENY reason=no-business-reason" --user oscar --system FACTS --case "$case_id"
check_is "ALLOW rule=break-glass" --user oscar --system FACTS --case "$case_id" --reason "child brought to ER"
check_is "DENY reason=no-business-reason" --user oscar --system FACTS --case "$case_id"
decide_is "ALLOW rule=break-glass" --user oscar --system FACTS --case "$case_id" --reason "child brought to ER"
check_is "ALLOW rule=break-glass" --user oscar --system FACTS --case "$case_id"
out=$(audit_search -m TRUSTED_APP -i | grep "op=ntk-break-glass" | grep "case=$case_id" || true)
ntk_assert_contains "$out" 'justification=child brought to ER' "grant record carries the justification"
ntk_assert_contains "$out" "res=success" "grant record is a success to review"
# The grant was given on FACTS: it opens the case nowhere else.
check_is "DENY reason=system-not-permitted" --user oscar --system COURTS --case "$case_id"
check_is "DENY reason=no-business-reason" --user oscar --system ER --case "$case_id"
decide_is "DENY reason=no-business-reason" --user oscar --system ER --case "$case_id"
out=$(ntkctl_t check --user oscar --system ER --case "$case_id" --explain || true)
ntk_assert_contains "$out" "break-glass grant for case $case_id on system FACTS" "explain names the grant's system"
ntk_assert_contains "$out" "(another system: does not count)" "explain says it does not count here"
out=$(ntkctl_t check --user oscar --system FACTS --case "$case_id" --explain)
ntk_assert_contains "$out" "basis: break-glass grant for case $case_id on system FACTS" "explain basis names the system"
# A grant on ER is its own, and leaves FACTS's in place.
decide_is "ALLOW rule=break-glass" --user oscar --system ER --case "$case_id" --reason "seen in ER"
check_is "ALLOW rule=break-glass" --user oscar --system ER --case "$case_id"
check_is "ALLOW rule=break-glass" --user oscar --system FACTS --case "$case_id"
out=$(audit_search -m TRUSTED_APP -i | grep "op=ntk-break-glass" | grep "case=$case_id" | tr -d '"' || true)
ntk_assert_contains "$out" "system=ER case=$case_id" "ER grant audited with its system"
# mallory's role does not allow break-glass: a reason changes nothing.
decide_is "DENY reason=no-business-reason" --user mallory --system FACTS --case "$case_id" --reason "curious"

# Releases: audited allowed too (allows = no here), since a disclosure is what security
# reviews; a break-glass grant in force never allows one, nor does its reason.
decide_is "ALLOW rule=break-glass" --user oscar --system FACTS --case "$case_id"
decide_is "DENY reason=not-case-manager" --user oscar --system FACTS --case "$case_id" --action release \
	--reason "send to hospital"
decide_is "ALLOW rule=role:legal" --user erin --system FACTS --case "$case_id" --action release
decide_is "DENY reason=not-case-manager" --user carol --system FACTS --case 1001 --action release
# release_records RESULT: the records of this run's releases, polled until both are there.
release_records() {
	local i out=
	for ((i = 0; i < 50; i++)); do
		out=$(audit_search_once -m TRUSTED_APP -i --success "$1" | grep "op=ntk-case" |
			grep "access=release" | tr -d '"' || true)
		case "$1:$out" in
		yes:*"acct=erin"*) break ;;
		no:*"acct=oscar"*"acct=carol"* | no:*"acct=carol"*"acct=oscar"*) break ;;
		esac
		sleep 0.2
	done
	printf '%s\n' "$out"
}
out=$(release_records yes)
ntk_assert_contains "$out" "acct=erin system=FACTS case=$case_id access=release state=open rule=role:legal" "allowed release audited"
ntk_assert_contains "$out" "res=success" "allowed release is a success"
out=$(release_records no)
ntk_assert_contains "$out" "acct=oscar system=FACTS case=$case_id access=release state=open reason=not-case-manager" "break-glass release denial audited"
ntk_assert_contains "$out" "acct=carol system=FACTS case=1001 access=release state=open reason=not-case-manager" "supervisor release denial audited"
# An allowed read stays unaudited with allows = no; a dry-run release is never audited.
decide_is "ALLOW rule=role:legal" --user erin --system FACTS --case "1$case_id"
check_is "ALLOW rule=role:legal" --user erin --system FACTS --case "2$case_id" --action release
sleep 1
all=$(audit_search_once -m TRUSTED_APP -i | tr -d '"')
ntk_assert_not_contains "$all" "case=1$case_id" "allowed read audited with allows = no"
ntk_assert_not_contains "$all" "case=2$case_id" "dry-run release audited"

# Bad arguments are errors (2), not decisions.
set +e
ntkctl_t decide --user alice >/dev/null 2>&1
rc=$?
set -e
ntk_assert_eq 2 "$rc" "decide without --system"
ntkd_finish
ntk_pass "decide audits, grants break-glass, and check stays a dry run"
