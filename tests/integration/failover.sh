#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# LDAP failover, the facts cache when the directory is down (ttl, offline_grace),
# a frozen slapd: uncached users time out to directory-unavailable, cached ones keep
# flowing, and a hung first URI: the second serves everyone after one timeout.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_tmpdir
slapd_start 28900 28919
status_of() { ntk_status | sed -n "s/^$1=//p"; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# 1. The first URI is a closed port (1: privileged, nothing listens; a port from the
#    shared range could be taken by another test's slapd meanwhile): the second answers.
NTK_TEST_TTL=3 ntkd_write_conf "ldap://127.0.0.1:1/" "$SLAPD_URI"
ntkd_start
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
ntk_assert_eq "$SLAPD_URI" "$(status_of ldap_server)" "server in use after failover"
ntk_assert_eq up "$(status_of ldap_state)" "ldap state"
# The closed port is down for every worker: the next misses go straight to the second URI.
ntk_assert_contains "$(ntk_status)" "ldap_uri1=ldap://127.0.0.1:1/ down" "first URI's state"
ntk_assert_eq "$SLAPD_URI up" "$(status_of ldap_uri2)" "second URI's state"
check_is "ALLOW rule=assigned" --user bob --system FACTS --case 1003
ntkctl_t flush --user bob >/dev/null

# 2. slapd stopped (connections refused): cached alice still decided, uncached bob is not.
#    Checked at once and restarted: the freed port is in a range other test runs share.
slapd_stop
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
check_is "DENY reason=directory-unavailable" --user bob --system FACTS --case 1003
check_is "DENY reason=directory-unavailable" --user bob --system FACTS
ntk_assert_eq down "$(status_of ldap_state)" "ldap state while down"
slapd_restart
# Both URIs are down now: the next probe (backoff 1 s, doubling) finds slapd again.
ntk_wait_for 10 sh -c "'$NTKCTL' -c '$NTK_CONF' check --user bob --system FACTS --case 1003 | grep -q assigned" ||
	ntk_fail "no recovery after slapd restarted"
check_is "ALLOW rule=assigned" --user bob --system FACTS --case 1003
ntk_assert_eq up "$(status_of ldap_state)" "ldap state after restart"

# 3. Unreachable for longer (frozen, so the port stays ours): alice's facts last ttl = 3 s.
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
t0=$(date +%s%N)
slapd_pause
ntk_on_exit "kill -CONT $SLAPD_PID"
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
while [ "$(ms_since "$t0")" -lt 3500 ]; do sleep 0.2; done
check_is "DENY reason=directory-unavailable" --user alice --system FACTS --case 1001
# Unknown systems are still decided: they need no directory.
check_is "DENY reason=unknown-system" --user alice --system NOPE
slapd_resume
ntk_wait_for 10 sh -c "'$NTKCTL' -c '$NTK_CONF' check --user alice --system FACTS --case 1001 | grep -q assigned" ||
	ntk_fail "no recovery after slapd resumed"
ntkd_stop

# 3b. offline_grace = 5 extends ttl = 3 while the directory is unreachable.
NTK_TEST_TTL=3 NTK_TEST_OFFLINE_GRACE=5 ntkd_write_conf
ntkd_start
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
t0=$(date +%s%N)
slapd_pause
sleep 4
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
out=$(ntkctl_t check --user alice --system FACTS --case 1001 --explain)
ntk_assert_contains "$out" "directory unavailable" "explain says the facts are offline"
while [ "$(ms_since "$t0")" -lt 8500 ]; do sleep 0.2; done
check_is "DENY reason=directory-unavailable" --user alice --system FACTS --case 1001
slapd_resume
ntkd_stop

# 4. slapd frozen (SIGSTOP): an uncached user waits at most the LDAP timeout (2 s);
#    meanwhile a cached user is answered at once by another worker.
NTK_TEST_LDAP_TIMEOUT=2 ntkd_write_conf
ntkd_start
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
slapd_pause
t0=$(date +%s%N)
ntkctl_t check --user carol --system FACTS --case 1001 >"$NTK_TMP/slow.out" 2>&1 &
slow=$!
sleep 0.3
t1=$(date +%s%N)
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
fast=$(ms_since "$t1")
[ "$fast" -lt 1000 ] || ntk_fail "cached answer took ${fast} ms while LDAP was frozen"
set +e
wait "$slow"
rc=$?
set -e
slow_ms=$(ms_since "$t0")
ntk_assert_eq 1 "$rc" "uncached check while frozen exits deny"
ntk_assert_eq "DENY reason=directory-unavailable" "$(cat "$NTK_TMP/slow.out")" "uncached check while frozen"
[ "$slow_ms" -lt 5000 ] || ntk_fail "uncached check took ${slow_ms} ms (timeout 2 s + 3 s margin)"
ntk_log "frozen slapd: cached answer ${fast} ms, uncached deny ${slow_ms} ms"
slapd_resume
ntk_wait_for 10 sh -c "'$NTKCTL' -c '$NTK_CONF' check --user carol --system FACTS --case 1001 | grep -q supervisor" ||
	ntk_fail "no recovery after slapd resumed"
ntkd_stop

# 5. A hung first URI (a socket that takes connections and never answers) before a
#    healthy one: after the first timeouts every worker goes straight to the second,
#    probing the first once per backoff, and misses are answered, not denied as unavailable.
hung_launch() {
	perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
		LocalPort => $ARGV[0], Listen => 128, ReuseAddr => 1) or exit 1; sleep 600' "$1" &
	HUNG_PID=$!
	sleep 0.3
	kill -0 "$HUNG_PID" 2>/dev/null
}
ntk_start_on_free_port 28900 28919 hung_launch || ntk_fail "cannot listen for the hung server"
ntk_on_exit "kill $HUNG_PID"
NTK_TEST_LDAP_TIMEOUT=2 ntkd_write_conf "ldap://127.0.0.1:$NTK_PORT/" "$SLAPD_URI"
ntkd_start
t0=$(date +%s%N)
loops=()
for l in 1 2 3 4 5 6 7 8; do
	(
		n=0
		while [ "$(ms_since "$t0")" -lt 6000 ]; do
			ntkctl_t check --user "hung$l-$n" --system FACTS --case 1001 >>"$NTK_TMP/hung.$l" 2>&1 || true
			n=$((n + 1))
		done
	) &
	loops+=($!)
done
for p in "${loops[@]}"; do wait "$p"; done
misses=$(cat "$NTK_TMP"/hung.* | wc -l)
unavail=$(cat "$NTK_TMP"/hung.* | grep -c 'directory-unavailable' || true)
timeouts=$(status_of ldap_timeouts)
ntk_log "hung first URI: $misses misses in 6 s, $unavail unavailable, $timeouts timeouts"
[ "$misses" -ge 40 ] || ntk_fail "only $misses misses answered in 6 s beside a hung first URI"
ntk_assert_eq 0 "$unavail" "misses denied as unavailable while the second URI answers"
[ "$timeouts" -ge 1 ] && [ "$timeouts" -le 8 ] ||
	ntk_fail "ldap_timeouts=$timeouts: the hung URI must time out, once per worker and probe at most"
ntk_assert_contains "$(status_of ldap_uri1)" "down" "hung URI's state"
ntk_assert_eq "$SLAPD_URI up" "$(status_of ldap_uri2)" "second URI's state"
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
ntkd_finish
ntk_pass "failover, cache and offline behaviour"
