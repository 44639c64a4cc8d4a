#!/bin/bash
# How soon a directory change reaches decisions (issue 13: <= 1 s with ttl = 3600):
# from ldapmodify returning to `ntkctl check` answering the new decision, p50/p99
# over 100 changes (a case assignment taken away and given back, in turn), against
# a baseline measured the same way without a change: one ntkctl check answering.
# A private slapd with syncprov (ports 39480-39499). Figures only, no pass/fail.
. "${top_srcdir:-..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

CHANGES=${NTK_BENCH_SYNC_CHANGES:-100}
ntk_tmpdir
SLAPD_EXTRA_MODULES=syncprov SLAPD_EXTRA_DB=$'index entryCSN,entryUUID eq\noverlay syncprov\nsyncprov-checkpoint 100 1\nsyncprov-sessionlog 1000' \
	slapd_start 39480 39499
NTK_TEST_TTL=3600 ntkd_write_conf
ntkd_start
ntk_wait_for 20 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx dir_sync=following" ||
	ntk_fail "no subscription: $(ntk_status | grep dir_sync)"

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

: >"$NTK_TMP/change.us"
missed=0
for ((i = 0; i < CHANGES; i++)); do
	if ((i % 2 == 0)); then op=delete want="DENY reason=no-business-reason"; else op=add want="ALLOW rule=assigned"; fi
	[ "$(check)" != "$want" ] || ntk_fail "change $i: the decision is already [$want]"
	printf 'dn: uid=alice,ou=people,%s\nchangetype: modify\n%s: ntkCaseAssignment\nntkCaseAssignment: 1001\n' \
		"$SLAPD_BASE" "$op" | slapd_modify
	t0=$(now_us)
	# Bounded: 10 s per change (the subscription's absence would show as 10 s).
	until [ "$(check)" = "$want" ]; do
		if (($(now_us) - t0 > 10000000)); then
			missed=$((missed + 1))
			break
		fi
	done
	echo $(($(now_us) - t0)) >>"$NTK_TMP/change.us"
done

b50=$(pct "$NTK_TMP/base.us" 50)
b99=$(pct "$NTK_TMP/base.us" 99)
c50=$(pct "$NTK_TMP/change.us" 50)
c99=$(pct "$NTK_TMP/change.us" 99)
echo "sync: ldapmodify -> ntkctl check shows the new decision, $CHANGES changes, ttl = 3600:" \
	"p50 $c50 ms, p99 $c99 ms (target <= 1000 ms); $missed not seen within 10 s"
echo "sync: baseline, one ntkctl check without a change: p50 $b50 ms, p99 $b99 ms"
awk -v c="$c50" -v b="$b50" -v c9="$c99" -v b9="$b99" \
	'BEGIN { printf "sync: ratio change/baseline: p50 %.2fx, p99 %.2fx\n", c / b, c9 / b9 }'
ntk_status | grep -E '^dir_sync_(changes|dropped)=' | sed 's/^/  ntkd /'
ntkd_stop
