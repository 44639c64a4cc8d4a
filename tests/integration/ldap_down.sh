#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A hung LDAP server costs once, not per request: concurrent misses for one user
# share one search, and while slapd is frozen misses fail fast instead of each
# waiting out the timeout. Asserted with ntkd's counters; speeds are in bench/ldap_down.sh.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_tmpdir
slapd_start 28900 28919
status_of() { ntk_status | sed -n "s/^$1=//p"; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
trips() { status_of ldap_round_trips; }

NTK_TEST_LDAP_TIMEOUT=2 ntkd_write_conf
ntkd_start
ntk_on_exit "kill -CONT $SLAPD_PID"

# 1. Coalescing. What one fetch of carol costs (a supervisor: one search per level;
#    perhaps a bind too, on a worker's first use of its handle).
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1001
t0=$(trips)
ntkctl_t flush --user carol >/dev/null
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1001
one=$(( $(trips) - t0 ))
[ "$one" -ge 1 ] || ntk_fail "a fetch of carol cost $one round trips"
# Six askers at once while slapd is frozen (so the first fetch is still in flight
# when the others arrive), then thawed well within the 2 s timeout.
ntkctl_t flush --user carol >/dev/null
t0=$(trips)
slapd_pause
pids=()
for i in 1 2 3 4 5 6; do
	ntkctl_t check --user carol --system FACTS --case 1001 >"$NTK_TMP/co.$i" 2>&1 &
	pids+=($!)
done
sleep 0.7
slapd_resume
for p in "${pids[@]}"; do wait "$p" || true; done
for i in 1 2 3 4 5 6; do
	ntk_assert_eq "ALLOW rule=supervisor" "$(cat "$NTK_TMP/co.$i")" "coalesced asker $i"
done
six=$(( $(trips) - t0 ))
ntk_log "one fetch of carol: $one round trips; six concurrent askers: $six"
# One fetch, plus at most one bind for a worker whose handle was never used.
[ "$six" -le $((one + 1)) ] || ntk_fail "six concurrent misses for carol cost $six round trips (one fetch: $one)"

# 2. Frozen slapd, 8 loops of misses (distinct unknown users) for 6 s.
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
t0=$(trips)
slapd_pause
start=$(date +%s%N)
loop() {
	local n=0
	while [ "$(ms_since "$start")" -lt 6000 ]; do
		ntkctl_t check --user "miss$1x$n" --system FACTS --case 1001 >>"$NTK_TMP/miss.$1" 2>&1 || true
		n=$((n + 1))
	done
}
loops=()
for l in 1 2 3 4 5 6 7 8; do
	loop "$l" &
	loops+=($!)
done
# The cached user meanwhile, after the first wave of misses met the timeout: always from the cache.
sleep 3
worst=0
while [ "$(ms_since "$start")" -lt 5500 ]; do
	t1=$(date +%s%N)
	check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
	ms=$(ms_since "$t1")
	[ "$ms" -le "$worst" ] || worst=$ms
	sleep 0.1
done
state=$(ntk_status)
for p in "${loops[@]}"; do wait "$p"; done
trips_down=$(( $(trips) - t0 ))
misses=$(cat "$NTK_TMP"/miss.* | wc -l)
unavail=$(cat "$NTK_TMP"/miss.* | grep -c '^DENY reason=directory-unavailable$' || true)
timeouts=$(status_of ldap_timeouts)
ntk_log "frozen 6 s: $misses misses answered ($unavail directory-unavailable), $trips_down LDAP round trips, ${timeouts:-?} timeouts; cached check worst ${worst} ms"
ntk_assert_eq "$misses" "$unavail" "every miss while frozen is directory-unavailable"
# Old behaviour: every miss waited out its own 2 s timeout (one round trip or more each,
# 4 workers: a dozen misses in 6 s). Now: the first wave (one per worker) and a probe per backoff.
[ "$misses" -ge 40 ] || ntk_fail "only $misses misses answered in 6 s: they are not failing fast"
[ $((trips_down * 4)) -le "$misses" ] || ntk_fail "$trips_down LDAP round trips for $misses misses: not failing fast"
[ -n "$timeouts" ] && [ "$timeouts" -le 8 ] || ntk_fail "ldap_timeouts=${timeouts:-missing}: more than the first wave and the probes"
ntk_assert_contains "$state" "ldap_state=down" "status while frozen"
ntk_assert_contains "$state" "$SLAPD_URI down retry_in=" "per-server state while frozen"

# 3. Thawed: the next probe (backoff at most 4 s here) finds it again.
slapd_resume
ntk_wait_for 20 sh -c "'$NTKCTL' -c '$NTK_CONF' check --user bob --system FACTS --case 1003 | grep -q assigned" ||
	ntk_fail "no recovery after slapd resumed"
ntk_assert_eq up "$(status_of ldap_state)" "ldap state after recovery"
ntk_assert_contains "$(ntk_status)" "$SLAPD_URI up" "per-server state after recovery"
ntkd_finish
ntk_pass "a frozen server costs once; concurrent misses share one fetch"
