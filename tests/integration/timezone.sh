#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# until=YYYY-MM-DD is the last valid day in ntkd's local time zone, not UTC:
# the same assignments decided by ntkd under UTC+14 and under UTC-11, whose
# dates always differ by a day or two, and FACTS that expire by midnight.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

EAST=Pacific/Kiritimati # UTC+14
WEST=Pacific/Pago_Pago  # UTC-11
[ -e "/usr/share/zoneinfo/$EAST" ] && [ -e "/usr/share/zoneinfo/$WEST" ] || ntk_skip "tzdata not installed"
ntk_tmpdir
# Taken at once, so the two dates belong to the same instant (rerun near a midnight if they disagree).
west_today=$(TZ=$WEST date +%F)
east_today=$(TZ=$EAST date +%F)
east_yesterday=$(TZ=$EAST date -d yesterday +%F)
[ "$west_today" \< "$east_today" ] || ntk_fail "zone dates not ordered: $west_today / $east_today"
cat >"$NTK_TMP/tz.ldif" <<LDIF
dn: uid=tzworker,ou=people,dc=agency,dc=example
objectClass: inetOrgPerson
objectClass: ntkStaff
uid: tzworker
cn: TZ Worker
sn: Worker
ntkRole: social_worker
ntkCaseAssignment: 9001;until=$west_today
ntkCaseAssignment: 9002;until=$east_today
ntkCaseAssignment: 9003;until=$east_yesterday
LDIF
slapd_start 28900 28919 "$NTK_TMP/tz.ldif"
ntkd_write_conf

# run_in_zone TZ: ntkd started with that zone; the checks below follow.
run_in_zone() {
	TZ=$1 ntkd_start
}

# West: its own today is still valid, and so is the east's (later) date.
run_in_zone "$WEST"
check_is "ALLOW rule=assigned" --user tzworker --system FACTS --case 9001
check_is "ALLOW rule=assigned" --user tzworker --system FACTS --case 9002
out=$(ntkctl_t check --user tzworker --system FACTS --case 9001 --explain || true)
ntk_assert_contains "$out" "9001 (until $west_today, system any, access read/write): active" "explain in the west"
# FACTS never outlive the local day.
max_age=$("$NTK_SEND" "$NTK_SOCKET" facts tzworker FACTS | sed -n 's/.* max_age=\([0-9]*\) .*/\1/p')
to_midnight=$(( $(TZ=$WEST date -d "tomorrow 00:00" +%s) - $(date +%s) ))
[ -n "$max_age" ] && [ "$max_age" -le $((to_midnight + 1)) ] ||
	ntk_fail "FACTS max_age $max_age outlives the local midnight in $to_midnight s"
ntkd_stop

# East: a day or two later, the west's today has passed.
run_in_zone "$EAST"
check_is "DENY reason=assignment-expired" --user tzworker --system FACTS --case 9001
check_is "ALLOW rule=assigned" --user tzworker --system FACTS --case 9002
check_is "DENY reason=assignment-expired" --user tzworker --system FACTS --case 9003
ntkd_finish
ntk_pass "until= dates are days in ntkd's local time zone"
