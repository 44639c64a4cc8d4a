#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# How soon a directory change reaches decisions (issue 13: <= 1 s with ttl = 3600):
# from ldapmodify returning to `ntkctl check` answering the new decision, p50/p99
# over 100 changes (a case assignment taken away and given back, in turn) with 20,000
# staff under base, against
# a baseline measured the same way without a change: one ntkctl check answering.
# A private slapd with syncprov (ports 29480-29499). Figures only, no pass/fail.
. "${top_srcdir:-..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

CHANGES=${NTK_BENCH_SYNC_CHANGES:-100}
# Staff added to the sample directory, so the subscription mirrors an agency's worth:
# 200 supervisors under dave, 99 workers with one case each under every one of them.
STAFF=${NTK_BENCH_SYNC_STAFF:-20000}
ntk_tmpdir
awk -v staff="$STAFF" 'BEGIN {
	p = "ou=people,dc=agency,dc=example"
	sups = int(staff / 100)
	for (s = 1; s <= sups; s++)
		print "dn: uid=sup" s "," p "\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: sup" s "\ncn: S\nsn: S\nntkRole: supervisor\nmanager: uid=dave," p "\n"
	for (w = 1; w <= staff - sups; w++)
		print "dn: uid=w" w "," p "\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: w" w "\ncn: W\nsn: W\nntkRole: social_worker\nntkCaseAssignment: " 500000 + w "\nmanager: uid=sup" (w % sups) + 1 "," p "\n"
}' >"$NTK_TMP/staff.ldif"
SLAPD_EXTRA_MODULES=syncprov SLAPD_EXTRA_DB=$'index entryCSN,entryUUID eq\noverlay syncprov\nsyncprov-checkpoint 100 1\nsyncprov-sessionlog 1000' \
	slapd_start 29480 29499 "$NTK_TMP/staff.ldif"
NTK_TEST_TTL=3600 ntkd_write_conf
t0=$(date +%s%N)
ntkd_start
ntk_wait_for 120 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx dir_sync=following" ||
	ntk_fail "no subscription: $(ntk_status | grep dir_sync)"
echo "sync: start to following (full refresh) with $(ntk_status | sed -n 's/^dir_sync_entries=//p') entries:" \
	"$((($(date +%s%N) - t0) / 1000000)) ms; ntkd RSS $(ps -o rss= -p "$NTKD_PID" | tr -d ' ') KiB"

now_us() { echo $(($(date +%s%N) / 1000)); }
check() { "$NTKCTL" -c "$NTK_CONF" check --user alice --system FACTS --case 1001 2>/dev/null || true; }
# pct FILE P: the P-th percentile (nearest rank) of the numbers in FILE, in ms.
pct() { sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; printf "%.1f", v[i] / 1000 }'; }

check >/dev/null
: >"$NTK_TMP/base.us"
for ((i = 0; i < CHANGES; i++)); do
	t0=$(now_us)
	check >/dev/null
	echo $(($(now_us) - t0)) >>"$NTK_TMP/base.us"
done

# await_decision WANT FILE: poll check until it answers WANT, append the microseconds to FILE.
# Bounded: 10 s per change (the subscription's absence would show as 10 s, counted in missed).
await_decision() {
	local t0
	t0=$(now_us)
	until [ "$(check)" = "$1" ]; do
		if (($(now_us) - t0 > 10000000)); then
			missed=$((missed + 1))
			break
		fi
	done
	echo $(($(now_us) - t0)) >>"$2"
}

: >"$NTK_TMP/change.us"
missed=0
for ((i = 0; i < CHANGES; i++)); do
	if ((i % 2 == 0)); then op=delete want="DENY reason=no-business-reason"; else op=add want="ALLOW rule=assigned"; fi
	[ "$(check)" != "$want" ] || ntk_fail "change $i: the decision is already [$want]"
	printf 'dn: uid=alice,ou=people,%s\nchangetype: modify\n%s: ntkCaseAssignment\nntkCaseAssignment: 1001\n' \
		"$SLAPD_BASE" "$op" | slapd_modify
	await_decision "$want" "$NTK_TMP/change.us"
done

# Role changes: not assignments only, so the walk below the user scans the mirror.
: >"$NTK_TMP/role.us"
for ((i = 0; i < CHANGES; i++)); do
	if ((i % 2 == 0)); then role=hr want="DENY reason=system-not-permitted"; else role=social_worker want="ALLOW rule=assigned"; fi
	[ "$(check)" != "$want" ] || ntk_fail "role change $i: the decision is already [$want]"
	printf 'dn: uid=alice,ou=people,%s\nchangetype: modify\nreplace: ntkRole\nntkRole: %s\n' \
		"$SLAPD_BASE" "$role" | slapd_modify
	await_decision "$want" "$NTK_TMP/role.us"
done

b50=$(pct "$NTK_TMP/base.us" 50)
b99=$(pct "$NTK_TMP/base.us" 99)
c50=$(pct "$NTK_TMP/change.us" 50)
c99=$(pct "$NTK_TMP/change.us" 99)
echo "sync: ldapmodify -> ntkctl check shows the new decision, $CHANGES changes, ttl = 3600:" \
	"p50 $c50 ms, p99 $c99 ms (target <= 1000 ms)"
echo "sync: the same for $CHANGES role changes (the walk below scans every entry):" \
	"p50 $(pct "$NTK_TMP/role.us" 50) ms, p99 $(pct "$NTK_TMP/role.us" 99) ms"
echo "sync: baseline, one ntkctl check without a change: p50 $b50 ms, p99 $b99 ms"
echo "sync: changes not seen within 10 s: $missed"
awk -v c="$c50" -v b="$b50" -v c9="$c99" -v b9="$b99" \
	'BEGIN { printf "sync: ratio change/baseline: p50 %.2fx, p99 %.2fx\n", c / b, c9 / b9 }'
ntk_status | grep -E '^dir_sync_(changes|dropped)=' | sed 's/^/  ntkd /'
ntkd_stop
