#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Large entries work end to end: a worker with 200,000 case assignments and
# a supervisor of 5,000 (20,000 cases below) get their decisions, their
# FACTS for the SQL plugins, their NSS groups; ntkd stays within the memory
# bound ntkd(8) documents.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_need_root
ntk_tmpdir
BIG_FIRST=100000 BIG_N=200000 SUBS=5000 SUB_CASES=4

# big: 200,000 assignments 100000..299999; boss: supervisor of sub1..sub5000,
# each holding 4 cases 700000 + 4i + k.
awk -v first="$BIG_FIRST" -v n="$BIG_N" -v subs="$SUBS" -v per="$SUB_CASES" 'BEGIN {
	p = "ou=people,dc=agency,dc=example"
	print "dn: uid=big," p "\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: big\ncn: Big\nsn: Big\nntkRole: social_worker"
	for (i = 0; i < n; i++) print "ntkCaseAssignment: " first + i
	print "\ndn: uid=boss," p "\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: boss\ncn: Boss\nsn: Boss\nntkRole: supervisor\n"
	for (i = 1; i <= subs; i++) {
		print "dn: uid=sub" i "," p "\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: sub" i "\ncn: Sub\nsn: Sub\nntkRole: social_worker\nmanager: uid=boss," p
		for (k = 0; k < per; k++) print "ntkCaseAssignment: " 700000 + 4 * i + k
		print ""
	}
}' >"$NTK_TMP/large.ldif"
slapd_start 28900 28919 "$NTK_TMP/large.ldif"
ntkd_write_conf
# Case gids for ids up to 799999.
sed -i 's/^case_gid_max = .*/case_gid_max = 999999/' "$NTK_CONF"
ntkd_start
send() { "$NTK_SEND" "$NTK_SOCKET" "$@"; }
# field_count LINE NAME: how many comma-separated items NAME= holds in ntk_send's facts line.
field_count() {
	printf '%s\n' "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print ($2 == "") ? 0 : gsub(/,/, ",", $2) + 1 }'
}

# CHECK: the first and the last of 200,000 values, and one that is not there.
check_is "ALLOW rule=assigned" --user big --system FACTS --case 100000
check_is "ALLOW rule=assigned" --user big --system FACTS --case 299999
check_is "DENY reason=no-business-reason" --user big --system FACTS --case 300000
# FACTS for the SQL plugins carries every one of them.
out=$(send facts big FACTS || true)
ntk_assert_contains "$out" "outcome=system-access" "FACTS for big"
ntk_assert_eq "$BIG_N" "$(field_count "$out" assignments)" "assignments in big's FACTS"
# NSS: system + role + one case group per assignment.
ntk_assert_eq $((BIG_N + 2)) "$( (send initgroups big || true) | wc -w)" "big's initgroups"
out=$(send group ntk-case-299999 || true)
ntk_assert_eq "ntk-case-299999 499999 big" "$out" "the last case's group"

# A supervisor of 5,000: the cases of the last subordinate, and all 20,000 in FACTS.
last=$((700000 + 4 * SUBS + 3))
check_is "ALLOW rule=supervisor" --user boss --system FACTS --case "$last"
check_is "ALLOW rule=supervisor" --user boss --system FACTS --case 700004
out=$(send facts boss FACTS || true)
ntk_assert_eq $((SUBS * SUB_CASES)) "$(field_count "$out" supervised)" "supervised in boss's FACTS"
ntk_assert_eq $((SUBS * SUB_CASES + 2)) "$( (send initgroups boss || true) | wc -w)" "boss's initgroups"
out=$(send group "ntk-case-$last" || true)
ntk_assert_eq "ntk-case-$last $((200000 + last)) boss,sub$SUBS" "$out" "the last subordinate's case group"

# The documented bound (ntkd(8), LIMITS): these two users' facts in a
# process that stays under 512 MiB at its peak.
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$NTKD_PID/status")
ntk_log "ntkd peak resident memory: $((hwm / 1024)) MiB"
[ "$hwm" -lt $((512 * 1024)) ] || ntk_fail "ntkd peaked at $((hwm / 1024)) MiB, over the 512 MiB bound"
ntkd_finish
ntk_pass "200,000 assignments and a supervisor of 5,000 work through CHECK, FACTS and NSS"
