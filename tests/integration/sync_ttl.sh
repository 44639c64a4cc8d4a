#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Without content sync ntkd falls back to ttl and says so: a slapd without the
# syncprov overlay refuses the subscription (status dir_sync=ttl with the server's
# reason, ntkd -t "offers no content sync"), decisions still follow the directory
# once ttl runs out; follow_changes = no never asks (dir_sync=off, ntkd -t says so).
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_tmpdir
slapd_start 29440 29449
status_of() { ntk_status | sed -n "s/^$1=//p"; }

# 1. No syncprov: the subscription is refused, ttl (3 s) is what bounds a change.
NTK_TEST_TTL=3 ntkd_write_conf
ntkd_start
ntk_wait_for 20 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx dir_sync=ttl" ||
	ntk_fail "no fallback to ttl: $(ntk_status | grep dir_sync)"
ntk_assert_contains "$(status_of dir_sync_reason)" "refuses content sync" "status reason"
ntk_assert_contains "$(status_of dir_sync_reason)" "Critical extension is unavailable" "the server's words"
out=$("$NTKD" -c "$NTK_CONF" -t 2>&1 || true)
ntk_assert_contains "$out" "offers no content sync (RFC 4533" "ntkd -t on a server without syncprov"
ntk_assert_contains "$out" "within ttl (3 s)" "ntkd -t names the bound"
ntk_assert_not_contains "$out" "error:" "ntkd -t: no sync is no error"
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
printf 'dn: uid=alice,ou=people,%s\nchangetype: modify\ndelete: ntkCaseAssignment\nntkCaseAssignment: 1001\n' \
	"$SLAPD_BASE" | slapd_modify
ntk_wait_for 15 sh -c "'$NTKCTL' -c '$NTK_CONF' check --user alice --system FACTS --case 1001 | grep -qx 'DENY reason=no-business-reason'" ||
	ntk_fail "the change never reached the decision under ttl"
ntkd_finish

# 2. follow_changes = no: not even asked.
NTK_TEST_TTL=3 ntkd_write_conf
printf '\n[ldap]\nfollow_changes = no\n' >>"$NTK_CONF"
ntkd_start
ntk_wait_for 10 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx dir_sync=off" ||
	ntk_fail "follow_changes = no: $(ntk_status | grep dir_sync)"
ntk_assert_eq "follow_changes = no" "$(status_of dir_sync_reason)" "status reason when off"
out=$("$NTKD" -c "$NTK_CONF" -t 2>&1 || true)
ntk_assert_contains "$out" "follow_changes = no: directory changes reach decisions within ttl (3 s)" "ntkd -t when off"
ntk_assert_not_contains "$out" "content sync" "ntkd -t does not probe when off"
ntkd_finish

# 3. A value other than yes/no is refused before anything starts.
ntkd_write_conf
printf '\n[ldap]\nfollow_changes = sometimes\n' >>"$NTK_CONF"
out=$("$NTKD" -c "$NTK_CONF" -t 2>&1 || true)
ntk_assert_contains "$out" "follow_changes" "bad follow_changes named"
ntk_pass "fallback to ttl without content sync, and follow_changes = no"
