#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A cached user's check latency while 8 loops of cache misses run, slapd healthy
# and then frozen (SIGSTOP), timeout = 2 s; private slapd and ntkd on ports 29040-29049.
. "${top_srcdir:-..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

SECS=${NTK_BENCH_DOWN_SECONDS:-10}
ntk_tmpdir
slapd_start 29040 29049
NTK_TEST_LDAP_TIMEOUT=2 ntkd_write_conf
ntkd_start
ntk_on_exit "kill -CONT $SLAPD_PID"
ntkctl_t check --user alice --system FACTS --case 1001 >/dev/null

# misses TAG: 8 loops of checks for users nobody has asked about, SECS + 1 seconds.
MISS_PIDS=()
misses() {
	local l
	MISS_PIDS=()
	for l in 1 2 3 4 5 6 7 8; do
		(
			end=$(($(date +%s) + SECS + 1)) n=0
			while [ "$(date +%s)" -lt "$end" ]; do
				ntkctl_t check --user "$1$l-$n" --system FACTS --case 1001 >/dev/null 2>&1 || true
				n=$((n + 1))
			done
			echo "$n" >"$NTK_TMP/misses.$1.$l"
		) &
		MISS_PIDS+=($!)
	done
}

# phase TAG: the cached user's percentiles under the miss loops.
phase() {
	local t0 line
	t0=$(ntk_status | sed -n 's/^ldap_round_trips=//p')
	misses "$1"
	line=$("$top_builddir/bench/check_latency" --socket "$NTK_SOCKET" --user alice \
		--seconds "$SECS" --interval-ms 20) || ntk_fail "$1: the cached user was not always allowed: $line"
	wait "${MISS_PIDS[@]}"
	printf '%-8s cached check %s misses=%s ldap_round_trips=%s\n' "$1" "$line" \
		"$(cat "$NTK_TMP"/misses."$1".* | paste -sd+ | bc)" \
		$(( $(ntk_status | sed -n 's/^ldap_round_trips=//p') - t0 ))
	echo "$line" | sed -n 's/.*p50_us=\([0-9]*\) p99_us=\([0-9]*\).*/\1 \2/p' >"$NTK_TMP/pct.$1"
}

echo "ldap_down: cached user's check (fresh connection each, every 20 ms) for $SECS s beside 8 loops of misses"
phase healthy
slapd_pause
phase frozen
slapd_resume
read -r hp50 hp99 <"$NTK_TMP/pct.healthy"
read -r fp50 fp99 <"$NTK_TMP/pct.frozen"
printf 'ratio frozen/healthy: p50 %s p99 %s\n' "$(echo "scale=2; $fp50 / $hp50" | bc)" \
	"$(echo "scale=2; $fp99 / $hp99" | bc)"
ntk_status | grep -E '^(ldap_timeouts|ldap_fast_fails|ldap_uri[0-9]+)=' | sed 's/^/  ntkd /'
ntkd_stop
