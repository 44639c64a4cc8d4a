#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Audit records through auditd: formats, encoding of hostile values, dry runs never audited,
# break-glass granted only with its record, REPORT statements, and the queue's overflow counter.
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
ntkd_start
audit_mark
# A tag unique to this run keeps records of other runs out of the assertions.
tag="t$$x$RANDOM"

# Login decisions: USER_ACCT, allow and deny, with PAM's host and terminal.
"$NTK_SEND" "$NTK_SOCKET" check alice FACTS login "" open "" 192.0.2.7 pts/7 >/dev/null
set +e
"$NTK_SEND" "$NTK_SOCKET" check judy FACTS login "" open "" >/dev/null
"$NTK_SEND" "$NTK_SOCKET" check mallory FACTS read "9$RANDOM" open "" >/dev/null
set -e
out=$(audit_search -p "$NTKD_PID" -m USER_ACCT -i | grep 'op=ntk-login' | tr -d '"' || true)
ntk_assert_contains "$out" "acct=alice system=FACTS rule=system-access" "login allow record"
ntk_assert_contains "$out" "addr=192.0.2.7 terminal=pts/7 res=success" "login host/tty"
ntk_assert_contains "$out" "acct=judy system=FACTS reason=system-not-permitted" "login deny record"
out=$(audit_search -p "$NTKD_PID" -m TRUSTED_APP -i --success no | grep 'op=ntk-case' | tr -d '"' || true)
ntk_assert_contains "$out" "acct=mallory system=FACTS case=9" "case deny record"
ntk_assert_contains "$out" "access=read state=open reason=no-business-reason" "case deny fields"
ntk_assert_contains "$out" "peer_uid=0" "peer fields"
ntk_assert_contains "$out" "peer_exe=$top_builddir/tests/integration" "peer_exe"

# Case allows are not audited with allows = no; dry runs (ntkctl check) never are.
case_ok="77$RANDOM"
"$NTK_SEND" "$NTK_SOCKET" check erin FACTS read "$case_ok" open "" >/dev/null
ntkctl_t check --user ivan --system FACTS >/dev/null
set +e
ntkctl_t check --user bob --system FACTS --case "$case_ok" >/dev/null
set -e
# A dry-run break-glass says what would happen, grants nothing and writes nothing.
dry="66$RANDOM"
check_is "ALLOW rule=break-glass" --user oscar --system FACTS --case "$dry" --reason "dry $tag"
check_is "DENY reason=no-business-reason" --user oscar --system FACTS --case "$dry"

# A hostile user name: spaces, quotes, =, a newline. It must stay inside acct=.
evil=$(printf 'evil" acct=root x=1 %s\nres=success' "$tag")
set +e
"$NTK_SEND" "$NTK_SOCKET" check "$evil" FACTS read 1001 open "" >/dev/null
set -e
hex=$(printf '%s' "$evil" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
raw=$(audit_search -p "$NTKD_PID" -m TRUSTED_APP --raw | grep "acct=$hex" || true)
[ -n "$raw" ] || ntk_fail "hostile name record not found hex-encoded"
ntk_assert_eq 1 "$(printf '%s\n' "$raw" | head -n 1 | grep -o ' acct=' | wc -l)" "exactly one acct= field"
ntk_assert_not_contains "$raw" "acct=root" "forged acct"
ntk_assert_contains "$raw" "reason=unknown-user" "hostile record reason"
ntk_assert_contains "$raw" "res=failed" "hostile record result"
interp=$(audit_search -p "$NTKD_PID" -m TRUSTED_APP -i | grep "$tag" || true)
ntk_assert_contains "$interp" "acct=evil\" acct=root x=1 $tag" "ausearch -i decodes the name"

# Break-glass for real: the grant record first, then ALLOW rule=break-glass, audited.
bg="55$RANDOM"
out=$("$NTK_SEND" "$NTK_SOCKET" check oscar FACTS read "$bg" open "child at risk $tag")
ntk_assert_eq "ALLOW rule=break-glass" "$out" "break-glass grant"
out=$("$NTK_SEND" "$NTK_SOCKET" check oscar FACTS read "$bg" open "")
ntk_assert_eq "ALLOW rule=break-glass" "$out" "access under the grant"
check_is "ALLOW rule=break-glass" --user oscar --system FACTS --case "$bg"
check_is "DENY reason=no-business-reason" --user oscar --system FACTS --case "1$bg"
ntk_assert_contains "$(ntk_status)" "grants_active=1" "grant counted"
out=$(audit_search -p "$NTKD_PID" -m TRUSTED_APP -i --success yes | grep "case=$bg" | tr -d '"' || true)
ntk_assert_contains "$out" "op=ntk-break-glass acct=oscar system=FACTS case=$bg access=read state=open rule=break-glass justification=child at risk $tag minutes=60" "break-glass record"
ntk_assert_eq 2 "$(printf '%s\n' "$out" | grep -c 'op=ntk-case.*rule=break-glass')" "both accesses audited as successes"

# REPORT: one ntk-statement record, res=failed, cases capped and encoded.
"$NTK_SEND" "$NTK_SOCKET" report alice FACTS read 21 3 "q-$tag" 1003 1004 >/dev/null
out=$(audit_search -p "$NTKD_PID" -m TRUSTED_APP -i --success no | grep "op=ntk-statement" | grep "$tag" | tr -d '"' || true)
ntk_assert_contains "$out" "acct=alice system=FACTS access=read reason=no-business-reason rows=3 cases=1003,1004 query=q-$tag" "statement record"
# A release statement's allowed rows: a success record; an allow for anything else is refused.
"$NTK_SEND" "$NTK_SOCKET" report alice FACTS release 1 2 "r-$tag" 1001 1002 >/dev/null
out=$(audit_search -p "$NTKD_PID" -m TRUSTED_APP -i --success yes | grep "op=ntk-statement" | grep "r-$tag" | tr -d '"' || true)
ntk_assert_contains "$out" "acct=alice system=FACTS access=release rule=assigned rows=2 cases=1001,1002 query=r-$tag" "release statement record"
set +e
out=$("$NTK_SEND" "$NTK_SOCKET" report alice FACTS read 1 2 "x-$tag" 1001 2>&1)
rc=$?
set -e
[ "$rc" != 0 ] || ntk_fail "an allowed read summary was accepted: $out"

# Nothing was audited for the dry runs and the unaudited allow.
sleep 1
all=$(audit_search_once -p "$NTKD_PID" -i -m USER_ACCT,TRUSTED_APP | tr -d '"')
ntk_assert_not_contains "$all" "acct=ivan" "dry-run login audited"
ntk_assert_not_contains "$all" "acct=bob" "dry-run case audited"
ntk_assert_not_contains "$all" "case=$case_ok" "case allow audited with allows = no"
ntk_assert_not_contains "$all" "case=$dry" "dry-run break-glass audited"
ntk_assert_not_contains "$all" "x-$tag" "refused allowed read summary audited"
st=$(ntk_status)
ntk_assert_contains "$st" "audit_failed=0" "no failed writes"
ntk_assert_contains "$st" "audit_dropped=0" "no drops"
ntk_assert_contains "$st" "audit_unheard=0" "every record reached a running auditd"
ntk_assert_contains "$st" "auditd=running" "status says auditd runs"

# A stalled auditd (simulated: the writer sleeps 50 ms a record) and a 16-record queue:
# decisions keep flowing, overflow goes to syslog and is counted, nothing is lost silently.
ntkd_stop
sed -i '/^break_glass_minutes/a queue = 16' "$NTK_CONF"
NTKD_TEST_AUDIT_DELAY_MS=50 ntkd_start
start=$(date +%s%N)
out=$("$NTK_SEND" "$NTK_SOCKET" checkloop 200 mallory FACTS read "44$RANDOM" open)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
ntk_assert_eq "200 decisions, 0 allowed" "$out" "decisions under a stalled auditd"
[ "$ms" -lt 3000 ] || ntk_fail "decisions waited on auditd: ${ms} ms for 200"
st=$(ntk_status)
dropped=$(printf '%s\n' "$st" | sed -n 's/^audit_dropped=//p')
[ "$dropped" -ge 100 ] || ntk_fail "expected most records dropped, got $dropped"
ntk_wait_for 5 grep -q "dropped (audit queue full).*op=ntk-case acct=.mallory" "$NTK_TMP/ntkd.log" ||
	ntk_fail "dropped record not sent to syslog"
ntk_wait_for 10 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -q '^audit_written=$((200 - dropped))\$'" ||
	ntk_fail "written + dropped != 200: $(ntk_status | grep audit_)"
ntkd_stop

# Audit writes refused (simulated): decisions go on, records go to syslog and are counted
# as failed, and break-glass is refused because its record cannot be written.
NTKD_TEST_AUDIT_REFUSE=1 ntkd_start
out=$("$NTK_SEND" "$NTK_SOCKET" check oscar FACTS read "33$RANDOM" open "emergency $tag" || true)
ntk_assert_eq "DENY reason=no-business-reason" "$out" "break-glass without its audit record"
ntk_assert_contains "$(ntk_status)" "grants_active=0" "no grant without a record"
set +e
"$NTK_SEND" "$NTK_SOCKET" check judy FACTS login "" open "" >/dev/null
set -e
ntk_wait_for 5 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -q '^audit_failed=3\$'" ||
	ntk_fail "failed writes not counted: $(ntk_status | grep audit_)"
ntk_assert_contains "$(cat "$NTK_TMP/ntkd.log")" "break-glass refused" "refusal logged"
grep -q "not written to the audit log.*op=ntk-login acct=.judy" "$NTK_TMP/ntkd.log" ||
	ntk_fail "failed record not sent to syslog"
ntkd_stop

# auditd not running (its pid file names a dead process; the shared auditd is
# never stopped): the kernel takes records but nobody logs them. Each also goes
# to syslog and counts as unheard, and break-glass is refused.
sleep 0 &
dead=$!
wait "$dead"
echo "$dead" >"$NTK_TMP/auditd.pid"
NTK_TEST_AUDITD_PID_FILE="$NTK_TMP/auditd.pid" ntkd_write_conf
ntkd_start
set +e
"$NTK_SEND" "$NTK_SOCKET" check judy FACTS login "" open "" >/dev/null
set -e
ntk_wait_for 5 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -q '^audit_unheard=1\$'" ||
	ntk_fail "a record with no auditd not counted: $(ntk_status | grep audit)"
st=$(ntk_status)
ntk_assert_contains "$st" "auditd=not-running" "status says auditd is not running"
ntk_assert_contains "$st" "audit_written=0" "nothing counted as written"
grep -q "sent to the kernel with no auditd running.*op=ntk-login acct=.judy" "$NTK_TMP/ntkd.log" ||
	ntk_fail "unheard record not sent to syslog"
ntk_assert_contains "$(cat "$NTK_TMP/ntkd.log")" "auditd is not running ($NTK_TMP/auditd.pid)" \
	"auditd's absence logged"
out=$("$NTK_SEND" "$NTK_SOCKET" check oscar FACTS read "34$RANDOM" open "emergency $tag" || true)
ntk_assert_eq "DENY reason=no-business-reason" "$out" "break-glass with no auditd to log it"
ntk_assert_contains "$(ntk_status)" "grants_active=0" "no grant while auditd is not running"
ntkd_finish
ntk_pass "audit records"
