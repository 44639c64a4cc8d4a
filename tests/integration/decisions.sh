#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every rule and deny reason of DESIGN.md through `ntkctl check`, against the sample directory.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_tmpdir
slapd_start 28900 28919
ntkd_write_conf
ntkd_start

# assigned, supervisor (depth 1 and 2), roles covering every case
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1002 --action write
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1001
check_is "ALLOW rule=supervisor" --user dave --system FACTS --case 1001
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1001 --state closed
check_is "ALLOW rule=role:legal" --user erin --system FACTS --case 1001 --state sealed
check_is "ALLOW rule=role:legal" --user erin --system COURTS --case 9999 --action write
check_is "ALLOW rule=role:records" --user frank --system FACTS --case 1003 --state closed
check_is "ALLOW rule=system-access" --user alice --system FACTS
check_is "ALLOW rule=system-access" --user ivan --system FACTS
check_is "ALLOW rule=system-access" --user grace --system COURTS

# denials, one per reason
check_is "DENY reason=read-only" --user frank --system FACTS --case 1003 --action write
check_is "DENY reason=case-sealed" --user frank --system FACTS --case 1003 --state sealed
check_is "DENY reason=case-closed" --user alice --system FACTS --case 1001 --state closed
check_is "ALLOW rule=assigned" --user grace --system FACTS --case 1001
check_is "DENY reason=read-only" --user grace --system FACTS --case 1001 --action write
check_is "DENY reason=assignment-expired" --user grace --system FACTS --case 1002
check_is "DENY reason=assignment-expired" --user bob --system FACTS --case 1004
check_is "ALLOW rule=assigned" --user bob --system FACTS --case 1003
check_is "DENY reason=no-business-reason" --user ivan --system FACTS --case 1001
check_is "DENY reason=no-business-reason" --user mallory --system FACTS --case 1001
check_is "DENY reason=no-business-reason" --user alice --system FACTS --case 1003
check_is "DENY reason=system-not-permitted" --user judy --system FACTS
check_is "DENY reason=system-not-permitted" --user judy --system FACTS --case 1001
check_is "DENY reason=system-not-permitted" --user alice --system COURTS
check_is "DENY reason=unknown-user" --user nobody --system FACTS
check_is "DENY reason=unknown-user" --user nobody --system FACTS --case 1001
trips=$(ntk_status | sed -n 's/^ldap_round_trips=//p')
check_is "DENY reason=unknown-system" --user alice --system NOPE
check_is "DENY reason=unknown-system" --user nobody-new --system NOPE --case 1001
ntk_assert_eq "$trips" "$(ntk_status | sed -n 's/^ldap_round_trips=//p')" "unknown system decided without LDAP"

# heidi: 1005 only on FACTS; her malformed values grant nothing and are logged
check_is "ALLOW rule=assigned" --user heidi --system FACTS --case 1005
check_is "DENY reason=system-not-permitted" --user heidi --system COURTS --case 1005
check_is "DENY reason=no-business-reason" --user heidi --system FACTS --case 1007
check_is "DENY reason=no-business-reason" --user heidi --system FACTS --case 1006
out=$("$NTK_SEND" "$NTK_SOCKET" facts heidi FACTS || true)
ntk_assert_contains "$out" "outcome=system-access" "heidi FACTS facts"
ntk_assert_contains "$out" "assignments=1005 " "heidi's only valid assignment"
out=$("$NTK_SEND" "$NTK_SOCKET" facts heidi COURTS || true)
ntk_assert_contains "$out" "outcome=system-not-permitted" "heidi COURTS facts"
ntk_assert_contains "$out" "subject_roles= " "no facts sent with a deny"
log=$(cat "$NTK_TMP/ntkd.log")
ntk_assert_contains "$log" '"10 06"' "malformed value logged"
ntk_assert_contains "$log" '1007;shared=yes' "unknown parameter logged"

# trent's manager mallory holds no supervisor role: she gains nothing
check_is "ALLOW rule=assigned" --user trent --system FACTS --case 1003
check_is "DENY reason=no-business-reason" --user mallory --system FACTS --case 1003
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1003

# break-glass: ntkctl check is a dry run (no grant: asking again without reason still denies)
check_is "DENY reason=no-business-reason" --user oscar --system FACTS --case 1001
check_is "ALLOW rule=break-glass" --user oscar --system FACTS --case 1001 --reason "child at risk"
check_is "DENY reason=no-business-reason" --user oscar --system FACTS --case 1001
# a reason does not help a role that may not break glass
check_is "DENY reason=no-business-reason" --user mallory --system FACTS --case 1001 --reason "curious"

# release (rule 6b): the case manager and legal disclose; a supervisor, a read-only
# assignment, records and break-glass do not; closed, sealed and expired come first
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001 --action release
check_is "ALLOW rule=role:legal" --user erin --system FACTS --case 1001 --action release
check_is "ALLOW rule=role:legal" --user erin --system COURTS --case 1003 --state sealed --action release
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1001 --action read
check_is "DENY reason=not-case-manager" --user carol --system FACTS --case 1001 --action release
check_is "DENY reason=not-case-manager" --user dave --system FACTS --case 1001 --action release
check_is "DENY reason=not-case-manager" --user grace --system FACTS --case 1001 --action release
check_is "DENY reason=not-case-manager" --user frank --system FACTS --case 1003 --action release
check_is "DENY reason=case-closed" --user alice --system FACTS --case 1001 --state closed --action release
check_is "DENY reason=case-sealed" --user frank --system FACTS --case 1003 --state sealed --action release
check_is "DENY reason=assignment-expired" --user grace --system FACTS --case 1002 --action release
check_is "DENY reason=assignment-expired" --user bob --system FACTS --case 1004 --action release
check_is "DENY reason=no-business-reason" --user mallory --system FACTS --case 1001 --action release
check_is "DENY reason=no-business-reason" --user oscar --system FACTS --case 1001 --action release \
	--reason "child at risk"
check_is "DENY reason=system-not-permitted" --user judy --system FACTS --case 1001 --action release
out=$(ntkctl_t check --user carol --system FACTS --case 1001 --action release --explain || true)
ntk_assert_contains "$out" "release: the basis below allows reading, not releasing" "explain release denial"
ntk_assert_contains "$out" "counting roles with release = yes: none" "explain release roles"
ntk_assert_contains "$out" "basis: supervises alice (depth 1)" "explain release read basis"
ntk_assert_eq "DENY reason=not-case-manager" "$(printf '%s\n' "$out" | tail -n 1)" "explain release last line"
out=$(ntkctl_t check --user erin --system FACTS --case 1001 --action release --explain)
ntk_assert_contains "$out" "role legal: cases=all write=yes closed=yes sealed=yes break_glass=no release=yes: counts" "explain release role"
ntk_assert_contains "$out" "counting roles with release = yes: legal" "explain release roles listed"

# FACTS for a plugin: only the asked system and its roles, with the supervised chain
out=$("$NTK_SEND" "$NTK_SOCKET" facts dave FACTS)
ntk_assert_contains "$out" "systems=1 roles=social_worker,supervisor,legal,records,release,intake,oncall" "FACTS policy subset"
ntk_assert_contains "$out" "supervised=" "dave supervised"
ntk_assert_contains "$out" "1001@alice" "dave sees alice's 1001"
out=$("$NTK_SEND" "$NTK_SOCKET" facts grace COURTS)
ntk_assert_contains "$out" "systems=1 roles=legal,release " "COURTS subset"
out=$("$NTK_SEND" "$NTK_SOCKET" facts nobody FACTS || true)
ntk_assert_contains "$out" "outcome=unknown-user" "FACTS unknown user"
out=$("$NTK_SEND" "$NTK_SOCKET" facts alice NOPE || true)
ntk_assert_contains "$out" "outcome=unknown-system" "FACTS unknown system"

# --explain: the facts first, the verdict line last
out=$(ntkctl_t check --user dave --system FACTS --case 1001 --explain)
ntk_assert_contains "$out" "roles: supervisor" "explain roles"
ntk_assert_contains "$out" "supervision: alice (depth 2) holds 1001" "explain supervision path"
ntk_assert_contains "$out" "basis: supervises alice (depth 2)" "explain basis"
ntk_assert_eq "ALLOW rule=supervisor" "$(printf '%s\n' "$out" | tail -n 1)" "explain last line"
out=$(ntkctl_t check --user grace --system FACTS --case 1002 --explain || true)
ntk_assert_contains "$out" "assignment 1002 (until 2020-01-31, system any, access read): expired" "explain expired assignment"
out=$(ntkctl_t check --user alice --system NOPE --explain || true)
ntk_assert_contains "$out" "system NOPE: not declared" "explain unknown system"

# usage errors exit 2
set +e
ntkctl_t check --user alice >/dev/null 2>&1; rc=$?
ntk_assert_eq 2 "$rc" "check without --system"
ntkctl_t check --user alice --system FACTS --action fly >/dev/null 2>&1; rc=$?
ntk_assert_eq 2 "$rc" "bad --action"
ntkctl_t check --user alice --system FACTS --action write >/dev/null 2>&1; rc=$?
ntk_assert_eq 2 "$rc" "write without --case"
ntkctl_t check --user alice --system FACTS --action release >/dev/null 2>&1; rc=$?
ntk_assert_eq 2 "$rc" "release without --case"
ntkctl_t frobnicate >/dev/null 2>&1; rc=$?
ntk_assert_eq 2 "$rc" "unknown command"
err=$("$NTKCTL" -c "$NTK_CONF" status 2>&1 >/dev/null); rc=$?
[ "$rc" -le 1 ] || ntk_fail "status: exit $rc: $err"
set -e

# status and flush
out=$(ntk_status)
ntk_assert_contains "$out" "ldap_server=$SLAPD_URI" "status server"
ntk_assert_contains "$out" "ldap_state=up" "status state"
ntk_assert_contains "$out" "cache_hit_rate=" "status hit rate"
ntk_assert_eq "flushed 1" "$(ntkctl_t flush --user alice)" "flush one user"
ntk_assert_eq "flushed 0" "$(ntkctl_t flush --user alice)" "flush again"
out=$(ntkctl_t flush)
case "$out" in "flushed "[1-9]*) ;; *) ntk_fail "flush all: $out" ;; esac
ntkd_finish
ntk_pass "every rule and reason"
