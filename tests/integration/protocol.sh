#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Protocol garbage on the socket: the connection is closed, the daemon lives on.
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

for kind in random version huge badbody reply stall; do
	out=$("$NTK_SEND" "$NTK_SOCKET" garbage "$kind") || ntk_fail "garbage $kind: connection left open: $out"
	ntk_assert_contains "$out" "closed" "garbage $kind"
	kill -0 "$NTKD_PID" || ntk_fail "ntkd died on garbage $kind"
	ntk_assert_eq PONG "$("$NTK_SEND" "$NTK_SOCKET" ping)" "ping after garbage $kind"
done
# An undecodable body gets an error reply before the close.
ntk_assert_contains "$("$NTK_SEND" "$NTK_SOCKET" garbage badbody)" "closed (3" "error reply to a bad body"

# Well-framed requests of every type with random bodies: each answered or closed, daemon alive.
# Mutated requests may turn into real decisions and reports: keep them out of the shared audit log.
ntkd_stop
NTKD_TEST_AUDIT_REFUSE=1 ntkd_start
out=$("$NTK_SEND" "$NTK_SOCKET" fuzz 2000 "$$") || ntk_fail "fuzz: $out"
ntk_log "fuzz: $out"
kill -0 "$NTKD_PID" || ntk_fail "ntkd died under fuzzing"
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001

# Requests pipelined in one write are all answered (none left waiting in the buffer).
ntk_assert_eq "1000 replies" "$("$NTK_SEND" "$NTK_SOCKET" pipeline 1000)" "pipelined pings"

# Many requests on one persistent connection.
ntk_assert_eq PONG "$("$NTK_SEND" "$NTK_SOCKET" ping 5000)" "5000 pings on one connection"
ntk_assert_eq "300 decisions, 300 allowed" \
	"$(ntk_status >/dev/null; "$NTK_SEND" "$NTK_SOCKET" checkloop 300 erin FACTS read 1 sealed)" "persistent decisions"

# Many connections at once, some idle, then a normal answer.
pids=()
for i in $(seq 1 50); do
	"$NTK_SEND" "$NTK_SOCKET" garbage stall >/dev/null &
	pids+=($!)
done
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
for p in "${pids[@]}"; do wait "$p" || ntk_fail "a stalled connection was not closed"; done
kill -0 "$NTKD_PID" || ntk_fail "ntkd died"
ntk_wait_for 5 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -q '^connections=1\$'" ||
	ntk_fail "connections not released: $(ntk_status | grep connections)"
ntkd_finish
ntk_pass "protocol garbage"
