#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Report features over checked-in logs: node= from a collector (rows, --node,
# the summary's node group), --format ndjson, ISO 8601 --since/--until with a
# zone, --by case, --top, one user's --list as a sorted timeline with sessions,
# and the break-glass review view over grants, accesses and reviews, where a
# review not written by root is not one.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/audit/audit_common.sh"

ntk_tmpdir
export TZ=UTC LC_ALL=C
out="$NTK_TMP/out"
REVIEWS="$top_srcdir/tests/audit/data/reviews.audit"

# --- nodes: what a collector's log looks like with name_format (node=NAME first)
sed -n '1,17p' "$AUDIT_SAMPLE" | sed 's/^/node=srv-a /' >"$NTK_TMP/collector.log"
sed -n '18,$p' "$AUDIT_SAMPLE" | sed 's/^/node=srv-b /' >>"$NTK_TMP/collector.log"
audit_rc 0 "$out" --list --format csv --input "$NTK_TMP/collector.log"
ntk_assert_contains "$(cat "$out")" ",login,alice,FACTS,,login,,system-access,/usr/sbin/sshd,4100,0,ws1.agency.example,srv-a,42" "node of a row"
ntk_assert_contains "$(cat "$out")" ",trent,COURTS,2006,read,open,no-business-reason,/usr/sbin/mariadbd,6002,106,,srv-b,59" "node of another row"
audit_rc 0 "$out" --list --format csv --input "$NTK_TMP/collector.log" --node srv-b
ntk_assert_not_contains "$(cat "$out")" ",srv-a," "--node filters"
ntk_assert_eq 10 "$(($(wc -l <"$out") - 1))" "srv-b rows"
audit_rc 0 "$out" --summary --format csv --input "$NTK_TMP/collector.log"
ntk_assert_contains "$(cat "$out")" "node,srv-a,14,3,0,17" "summary groups by node (srv-a)"
ntk_assert_contains "$(cat "$out")" "node,srv-b,10,0,0,10" "summary groups by node (srv-b)"
# without node= there is no node group (a single host's own log)
audit_rc 0 "$out" --summary --format csv --input "$AUDIT_SAMPLE"
ntk_assert_not_contains "$(cat "$out")" "node," "no node group for a local log"

# --- ndjson: one object per line, ISO 8601 time with offset, epoch, the SIEM fields
audit_rc 0 "$out" --list --format ndjson --input "$NTK_TMP/collector.log"
ntk_assert_eq 27 "$(wc -l <"$out")" "one line per record"
ntk_assert_contains "$(head -n 1 "$out")" '{"time": "2026-11-21T07:44:29.361+00:00", "epoch": 1795247069.361, "node": "srv-a", "serial": 42, "result": "allowed", "op": "login", "user": "alice", "system": "FACTS", "case": null, "access": "login", "state": null, "reason": "system-access",' "ndjson fields"
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys
for l in sys.stdin: json.loads(l)' <"$out" || ntk_fail "a line is not JSON"
fi
TZ=Europe/Paris ntk_audit --list --format ndjson --input "$AUDIT_SAMPLE" >"$out" || true
ntk_assert_contains "$(head -n 1 "$out")" '"time": "2026-11-21T08:44:29.361+01:00", "epoch": 1795247069.361' "offset of the zone"
ntk_assert_contains "$(grep -F '"user": "nl\nuser"' "$out")" '"case": "1002"' "escaped newline keeps one line"
audit_rc 0 "$out" --summary --format ndjson --input "$AUDIT_SAMPLE"
ntk_assert_contains "$(head -n 1 "$out")" '{"group": "user", "key": "mallory", "denied": 6,' "summary as ndjson"

# --- ISO 8601 with a zone: the same instant whatever TZ is
for tz in UTC America/New_York Asia/Kolkata; do
	set +e
	TZ=$tz ntk_audit --list --format csv --input "$AUDIT_SAMPLE" \
		--since 2026-11-21T08:44:30+01:00 --until 2026-11-21T07:44:30.900Z >"$out" 2>"$out.err"
	set -e
	ntk_assert_eq 9 "$(($(wc -l <"$out") - 1))" "ISO window in TZ=$tz"
	ntk_assert_not_contains "$(cat "$out")" ",42" "before the window ($tz)"
done
audit_rc 2 "$out" --input "$AUDIT_SAMPLE" --since 2026-11-21T07:44:30+24:00
ntk_assert_contains "$(cat "$out.err")" "ISO 8601" "bad zone names the form"

# --- --by case: who touched each case, allowed and denied
audit_rc 0 "$out" --summary --by case --format csv --input "$AUDIT_SAMPLE"
ntk_assert_eq "case,user,denied,allowed,released,total" "$(head -n 1 "$out")" "by case header"
ntk_assert_contains "$(cat "$out")" "1001,alice,0,1,0,1" "allowed user of 1001"
ntk_assert_contains "$(cat "$out")" "1001,mallory,2,0,0,2" "denied user of 1001"
ntk_assert_contains "$(cat "$out")" "1005,mallory,1,0,0,1" "statement cases are split"
ntk_assert_contains "$(cat "$out")" "1005,heidi,0,1,0,1" "the break-glass grant is an access"
# --top N: the N busiest cases (by case), or N rows per summary group
audit_rc 0 "$out" --summary --by case --top 1 --format csv --input "$AUDIT_SAMPLE"
ntk_assert_eq "1001" "$(tail -n +2 "$out" | cut -d, -f1 | sort -u)" "--top 1 keeps the busiest case"
audit_rc 0 "$out" --summary --top 2 --format csv --input "$AUDIT_SAMPLE"
ntk_assert_eq 2 "$(grep -c '^user,' "$out")" "--top 2 users"
ntk_assert_eq 2 "$(grep -c '^reason,' "$out")" "--top 2 reasons"
ntk_assert_eq "user,mallory,6,0,0,6" "$(grep -m1 '^user,' "$out")" "the top user first"

# --- one user's timeline: sorted whatever the input order, sessions split by --gap
{ cat "$REVIEWS"; cat "$AUDIT_SAMPLE"; } >"$NTK_TMP/unsorted.log"
audit_rc 0 "$out" --list --user heidi --format csv --input "$NTK_TMP/unsorted.log"
ntk_assert_eq "session,idle_before,time,result,op,user,system,case,access,state,reason,peer,peer_pid,peer_uid,host,node,serial" "$(head -n 1 "$out")" "timeline header"
ntk_assert_eq "52 53 901 902 903" "$(tail -n +2 "$out" | cut -d, -f17 | tr '\n' ' ' | sed 's/ $//')" "sorted by time"
ntk_assert_contains "$(sed -n 6p "$out")" "2,3h15m,2026-11-21 11:03:20.000,allowed,case" "a new session after 3h15m idle"
ntk_assert_eq "1 1 1 1 2" "$(tail -n +2 "$out" | cut -d, -f1 | tr '\n' ' ' | sed 's/ $//')" "session numbers"
audit_rc 0 "$out" --list --user heidi --format csv --gap 1 --input "$NTK_TMP/unsorted.log"
ntk_assert_eq "1 1 2 3 4" "$(tail -n +2 "$out" | cut -d, -f1 | tr '\n' ' ' | sed 's/ $//')" "--gap 1 (minute)"
ntk_assert_contains "$(sed -n 4p "$out")" "2,2m,2026-11-21 07:46:40.000" "idle time shown"

# --- break-glass: each grant, its accesses within its minutes, its review
audit_rc 0 "$out" --break-glass --format json --input "$AUDIT_SAMPLE" "$REVIEWS"
ntk_assert_contains "$(cat "$out")" '{"node": null, "serial": 52, "time": "2026-11-21 07:44:29.361", "expires": "2026-11-21 08:44:29.361", "user": "heidi", "system": "FACTS", "case": "1005", "reason": "child at risk, on call", "accesses": 2, "access_list": ["2026-11-21 07:46:40.000 read", "2026-11-21 07:48:20.000 write"], "reviewed": true, "reviewer": "secboss", "reviewed_at": "2026-11-21 08:33:20.000", "note": "called heidi:\nreal emergency", "grant_id": null}' "grant 52 with accesses and review"
# a review written by a uid other than root (only a copied or doctored log can hold one) is none
ntk_assert_contains "$(cat "$out")" '"serial": 904, "time": "2026-11-21 07:50:00.000", "expires": "2026-11-21 08:20:00.000", "user": "ivan", "system": "FACTS", "case": "1006", "reason": "flood", "accesses": 0, "access_list": [], "reviewed": false, "reviewer": null' "forged review ignored"
audit_rc 0 "$out" --unreviewed --format csv --input "$AUDIT_SAMPLE" "$REVIEWS"
ntk_assert_eq 1 "$(($(wc -l <"$out") - 1))" "one unreviewed grant"
ntk_assert_contains "$(cat "$out")" ",904," "the unreviewed one"
audit_rc 0 "$out" --break-glass --unreviewed --user ivan --input "$AUDIT_SAMPLE" "$REVIEWS"
audit_rc 1 "$out" --break-glass --unreviewed --user heidi --input "$AUDIT_SAMPLE" "$REVIEWS"
# text: the note's newline is escaped, the row stays one line
audit_rc 0 "$out" --break-glass --input "$AUDIT_SAMPLE" "$REVIEWS"
ntk_assert_contains "$(grep heidi "$out")" '"called heidi:\nreal emergency"' "note escaped in text"
ntk_assert_eq 3 "$(wc -l <"$out")" "header and two grants"
# on a collector: a review written on another server (srv-c) still goes with its grant's node
sed 's/^/node=srv-a /' "$AUDIT_SAMPLE" >"$NTK_TMP/bg-collector.log"
printf '%s\n' "node=srv-c type=TRUSTED_APP msg=audit(1795250000.000:17): pid=3300 uid=0 auid=1020 ses=9 msg='op=ntk-review grant_node=\"srv-a\" grant_serial=52 grant_time=1795247069.361 acct=\"heidi\" system=\"FACTS\" case=\"1005\" reviewer=\"secboss\" note=\"ok\" exe=\"/usr/bin/ntkctl\" hostname=? addr=? terminal=? res=success'" >>"$NTK_TMP/bg-collector.log"
audit_rc 0 "$out" --break-glass --node srv-a --format csv --input "$NTK_TMP/bg-collector.log"
ntk_assert_contains "$(cat "$out")" "srv-a,52," "grant on srv-a"
ntk_assert_contains "$(cat "$out")" ",yes,secboss," "reviewed from srv-c"
audit_rc 1 "$out" --unreviewed --node srv-a --input "$NTK_TMP/bg-collector.log"
# reviews are no access decisions: not in --list or --summary
audit_rc 0 "$out" --list --format csv --input "$REVIEWS"
ntk_assert_not_contains "$(cat "$out")" ",review," "review not listed as a decision"
ntk_pass "nodes, ndjson, ISO times, --by case, --top, timeline, break-glass review ($AUDIT_VIA)"
