#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Many clients at once while the config is reloaded and the cache flushed: every answer right,
# the daemon alive, connections released, no sanitizer report.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_tmpdir
slapd_start 28900 28919
NTK_TEST_TTL=1 ntkd_write_conf
ntkd_start

# Eight clients, each its own connection, mixed users; short ttl so LDAP is asked often.
pids=()
for i in 1 2 3 4; do
	"$NTK_SEND" "$NTK_SOCKET" checkloop 3000 alice FACTS read 1001 open >"$NTK_TMP/allow.$i" 2>&1 &
	pids+=($!)
	"$NTK_SEND" "$NTK_SOCKET" checkloop 3000 mallory FACTS read 1001 open >"$NTK_TMP/deny.$i" 2>&1 &
	pids+=($!)
done
# Meanwhile: reloads, flushes, group lookups, status.
for i in $(seq 1 10); do
	kill -HUP "$NTKD_PID"
	ntkctl_t flush >/dev/null
	"$NTK_SEND" "$NTK_SOCKET" group ntk-case-1001 >/dev/null
	ntk_status >/dev/null
	sleep 0.2
done
for p in "${pids[@]}"; do wait "$p" || ntk_fail "a client failed: $(cat "$NTK_TMP"/allow.* "$NTK_TMP"/deny.*)"; done
for i in 1 2 3 4; do
	ntk_assert_eq "3000 decisions, 3000 allowed" "$(cat "$NTK_TMP/allow.$i")" "alice client $i"
	ntk_assert_eq "3000 decisions, 0 allowed" "$(cat "$NTK_TMP/deny.$i")" "mallory client $i"
done
kill -0 "$NTKD_PID" || ntk_fail "ntkd died"
st=$(ntk_status)
ntk_assert_contains "$st" "config_generation=11" "every reload applied"
ntk_wait_for 5 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -q '^connections=1\$'" ||
	ntk_fail "connections not released"
check_is "ALLOW rule=supervisor" --user dave --system FACTS --case 1001
ntkd_finish
ntk_pass "concurrent clients, reloads and flushes"
