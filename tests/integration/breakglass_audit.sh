#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Break-glass is granted only once its record is in auditd's log: the kernel
# may take a record and drop it (rate limit, full backlog), and a writer held in
# the kernel must not hold decisions longer than the confirm timeout.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

auditd_ensure
ntk_tmpdir
slapd_start 28900 28919
ntkd_write_conf
# A short confirm timeout keeps the windows with machine-wide audit limits short.
sed -i '/^break_glass_minutes/a confirm_ms = 500' "$NTK_CONF"
ntkd_start
audit_mark
tag="t$$x$RANDOM"

# grant_record CASE: the raw ntk-break-glass record for CASE, if auditd logged one.
grant_record() {
	audit_search_once -p "$NTKD_PID" -m TRUSTED_APP --raw | grep 'op=ntk-break-glass' |
		grep "case=\"$1\"" || true
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# auditd keeping up: granted, and the record is in the log by the time the answer comes.
c0="51$RANDOM"
out=$(ntkctl_t decide --user oscar --system FACTS --case "$c0" --reason "fine $tag")
ntk_assert_eq "ALLOW rule=break-glass" "$out" "break-glass with auditd keeping up"
[ -n "$(grant_record "$c0")" ] || ntk_fail "granted before its record was in the log"

# The kernel's rate limit at 1 record a second, and a burst of other records
# using it up: the kernel takes the grant records and drops them (counted only in
# its "lost"). Three attempts at once keep the window short.
burst() {
	while [ ! -e "$NTK_TMP/burst.stop" ]; do
		"$NTK_SEND" "$NTK_SOCKET" checkloop 20 mallory FACTS read "49$RANDOM" open >/dev/null || true
	done
}
cases=("52$RANDOM" "53$RANDOM" "54$RANDOM")
attempts() {
	local i pids=() bpid
	burst &
	bpid=$!
	sleep 0.3
	for i in 0 1 2; do
		ntkctl_t decide --user oscar --system FACTS --case "${cases[i]}" \
			--reason "rate $tag" >"$NTK_TMP/bg.$i" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}" || true
	touch "$NTK_TMP/burst.stop"
	wait "$bpid" || true
}
audit_with_limits 1 - attempts
sleep 1
refused=0
for i in 0 1 2; do
	out=$(cat "$NTK_TMP/bg.$i")
	rec=$(grant_record "${cases[i]}")
	case "$out" in
	"ALLOW rule=break-glass")
		[ -n "$rec" ] || ntk_fail "case ${cases[i]}: granted, and its record is not in the log" ;;
	"DENY reason=no-business-reason")
		refused=$((refused + 1)) ;;
	*) ntk_fail "case ${cases[i]}: unexpected answer [$out]" ;;
	esac
done
[ "$refused" -ge 1 ] || ntk_fail "the rate limit let every grant record through: nothing tested"
st=$(ntk_status)
ntk_assert_contains "$st" "break_glass_refused=$refused" "refusals counted"
ntk_assert_contains "$st" "break_glass_unconfirmed=$refused" "refused for want of the record"
ntk_assert_contains "$st" "break_glass_last_refusal=unconfirmed" "status says why"
ntk_assert_contains "$st" "grants_active=$((1 + 3 - refused))" "no grant without its record"
grep -q "break-glass refused.*not in /var/log/audit/audit.log within" "$NTK_TMP/ntkd.log" ||
	ntk_fail "refusal not logged with its reason: $(grep break-glass "$NTK_TMP/ntkd.log")"

# A backlog of one record: the kernel holds senders until auditd catches up (or drops
# past backlog_wait_time). Whatever it does, a grant stands only with its record.
cases=("57$RANDOM" "58$RANDOM" "59$RANDOM")
rm -f "$NTK_TMP/burst.stop"
audit_with_limits - 1 attempts
sleep 1
for i in 0 1 2; do
	out=$(cat "$NTK_TMP/bg.$i")
	case "$out" in
	"ALLOW rule=break-glass")
		[ -n "$(grant_record "${cases[i]}")" ] ||
			ntk_fail "case ${cases[i]}: granted under -b 1, and its record is not in the log" ;;
	"DENY reason=no-business-reason") ;;
	*) ntk_fail "case ${cases[i]}: unexpected answer under -b 1 [$out]" ;;
	esac
	ntk_log "under -b 1: case ${cases[i]}: $out"
done
ntk_log "$(ntk_status | grep -E '^break_glass_' | tr '\n' ' ')"

# Once the limits are back, break-glass works again.
c4="55$RANDOM"
out=$(ntkctl_t decide --user oscar --system FACTS --case "$c4" --reason "again $tag")
ntk_assert_eq "ALLOW rule=break-glass" "$out" "break-glass after the rate limit"
[ -n "$(grant_record "$c4")" ] || ntk_fail "granted after the window, record not in the log"
ntkd_stop

# A full backlog holds the sender in the kernel (up to backlog_wait_time). Simulated
# (auditd is shared): every send takes 8 s. A denial puts the writer into one; break-glass
# requests on all four workers, then an ordinary decision: each answers within the
# confirm timeout (500 ms; 6 s allowed for a loaded machine), and nothing is granted.
NTKD_TEST_AUDIT_DELAY_MS=8000 ntkd_start
"$NTK_SEND" "$NTK_SOCKET" check mallory FACTS read "48$RANDOM" open "" >/dev/null || true
sleep 0.3
pids=()
for i in 0 1 2 3; do
	(
		t=$(date +%s%N)
		out=$(ntkctl_t decide --user oscar --system FACTS --case "56$i$RANDOM" --reason "stall $tag" 2>&1 || true)
		echo "$out $(ms_since "$t")" >"$NTK_TMP/stall.$i"
	) &
	pids+=($!)
done
sleep 0.3
t=$(date +%s%N)
out=$(ntkctl_t decide --user mallory --system FACTS --case "47$RANDOM" 2>&1 || true)
ms=$(ms_since "$t")
ntk_assert_eq "DENY reason=no-business-reason" "$out" "ordinary decision during a held write"
[ "$ms" -lt 6000 ] || ntk_fail "an ordinary decision waited ${ms} ms behind a held audit write"
ntk_log "ordinary decision behind a held write: ${ms} ms"
wait "${pids[@]}"
for i in 0 1 2 3; do
	read -r verdict reason ms <"$NTK_TMP/stall.$i"
	ntk_assert_eq "DENY reason=no-business-reason" "$verdict $reason" "break-glass behind a held write"
	[ "$ms" -lt 6000 ] || ntk_fail "break-glass answered after ${ms} ms behind a held write"
	ntk_log "break-glass behind a held write: refused after ${ms} ms"
done
# The writer is still held: the refusal says why, in --explain and in status.
out=$(ntkctl_t decide --user oscar --system FACTS --case "60$RANDOM" --reason "stall $tag" --explain || true)
ntk_assert_contains "$out" "DENY reason=no-business-reason" "refused while the writer is held"
ntk_assert_contains "$out" "refused, its audit record did not reach auditd's log" "explain says why"
st=$(ntk_status)
ntk_assert_contains "$st" "break_glass_last_refusal=writer-held" "status says the writer is held"
ntk_assert_contains "$st" "grants_active=0" "no grant while the writer is held"
ntkd_finish
ntk_pass "break-glass waits for its record in auditd's log"
