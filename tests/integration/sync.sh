#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Following directory changes (RFC 4533 refreshAndPersist against slapd's syncprov):
# with ttl = 3600 every warmed decision and group answer below would stay as it was
# for an hour; each ldapmodify must reach `ntkctl check` within a bounded poll -
# a case reassigned away (holder, supervisor, supervisor's supervisor, case group),
# a role withdrawn (role and system groups), an account disabled through
# staff_filter, a manager changed (old and new chains). Unrelated users stay cached.
# Then the connection is cut (a proxy we stop): an assignment revoked and an entry
# deleted meanwhile end when ntkd reconnects and refreshes with its cookie.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"
ntk_need_cmd socat ldapmodify

ntk_tmpdir
SLAPD_EXTRA_MODULES=syncprov SLAPD_EXTRA_DB=$'index entryCSN,entryUUID eq\noverlay syncprov\nsyncprov-checkpoint 100 1\nsyncprov-sessionlog 1000' \
	slapd_start 29400 29419

# ntkd reaches slapd through a TCP proxy with a gate, so the test can cut its
# connections and refuse new ones without giving up the port (others' tests share the range).
PROXY_PID=
proxy_launch() {
	socat "TCP-LISTEN:$1,bind=127.0.0.1,reuseaddr,fork" \
		"SYSTEM:[ -e '$NTK_TMP/cut' ] || exec socat - TCP\\:127.0.0.1\\:$SLAPD_PORT" 2>>"$NTK_TMP/socat.log" &
	PROXY_PID=$!
	sleep 0.3
	kill -0 "$PROXY_PID" 2>/dev/null
}
# Close every proxied connection (ours, by parent PID) and turn new ones away.
proxy_cut() {
	local c
	touch "$NTK_TMP/cut"
	for c in $(pgrep -P "$PROXY_PID"); do
		pkill -TERM -P "$c" 2>/dev/null || true
		kill -TERM "$c" 2>/dev/null || true
	done
}
proxy_stop() {
	[ -n "$PROXY_PID" ] || return 0
	proxy_cut
	ntk_stop_pid "$PROXY_PID"
	PROXY_PID=
}
ntk_start_on_free_port 29420 29439 proxy_launch || ntk_fail "cannot start the proxy"
PROXY_PORT=$NTK_PORT
ntk_on_exit proxy_stop

NTK_TEST_TTL=3600 NTK_TEST_NEGATIVE_TTL=3600 ntkd_write_conf "ldap://127.0.0.1:$PROXY_PORT/"
printf '\n[ldap]\nstaff_filter = (&(objectClass=inetOrgPerson)(!(description=disabled)))\n' >>"$NTK_CONF"
ntkd_start
status_of() { ntk_status | sed -n "s/^$1=//p"; }
send() { "$NTK_SEND" "$NTK_SOCKET" "$@"; }
modify() { printf '%s\n' "$@" | slapd_modify; }
# poll_check WANT ARGS...: ntkctl check answers WANT within 10 s (then asserted exactly).
poll_check() {
	local want=$1
	shift
	ntk_wait_for 10 sh -c "'$NTKCTL' -c '$NTK_CONF' check $* | grep -qx '$want'" ||
		ntk_fail "check $*: still [$(ntkctl_t check "$@" 2>&1 || true)] 10 s after the change, want [$want]"
	check_is "$want" "$@"
}
# from_cache USER: the user's facts were not dropped (explain names the cache).
from_cache() {
	local out
	out=$(ntkctl_t check --user "$1" --system FACTS --case 1003 --explain 2>&1 || true)
	ntk_assert_contains "$out" "facts: from cache" "$1's facts kept"
}

ntk_wait_for 20 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx dir_sync=following" ||
	ntk_fail "no subscription: $(ntk_status | grep dir_sync)"
ntk_assert_contains "$("$NTKD" -c "$NTK_CONF" -t 2>&1 || true)" "offers content sync (RFC 4533)" "ntkd -t"

# Warm every answer the changes below must end.
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1001
check_is "ALLOW rule=supervisor" --user dave --system FACTS --case 1001
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1002
check_is "ALLOW rule=role:legal" --user erin --system FACTS --case 1001
check_is "ALLOW rule=assigned" --user bob --system FACTS --case 1003
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1003
check_is "DENY reason=no-business-reason" --user carol --system FACTS --case 1005
check_is "DENY reason=no-business-reason" --user dave --system FACTS --case 1005
check_is "ALLOW rule=assigned" --user grace --system FACTS --case 1001
check_is "ALLOW rule=system-access" --user oscar --system FACTS
check_is "ALLOW rule=role:records" --user frank --system FACTS --case 1003
check_is "ALLOW rule=assigned" --user trent --system FACTS --case 1003
ntk_assert_contains "$(send group ntk-case-1001)" "alice,carol,dave,grace" "case group before"
ntk_assert_contains "$(send group ntk-role-legal)" "erin" "role group before"
ntk_assert_contains "$(send group ntk-sys-COURTS)" "erin,grace" "system group before"
from_cache frank

# 1. A case reassigned away: the holder, both supervisors above and the case group.
modify "dn: uid=alice,ou=people,$SLAPD_BASE" "changetype: modify" "delete: ntkCaseAssignment" \
	"ntkCaseAssignment: 1001"
poll_check "DENY reason=no-business-reason" --user alice --system FACTS --case 1001
poll_check "DENY reason=no-business-reason" --user carol --system FACTS --case 1001
poll_check "DENY reason=no-business-reason" --user dave --system FACTS --case 1001
ntk_wait_for 10 sh -c "'$NTK_SEND' '$NTK_SOCKET' group ntk-case-1001 | grep -qx 'ntk-case-1001 201001 grace'" ||
	ntk_fail "case group after the reassignment: $(send group ntk-case-1001)"
# Precise: a user the change does not concern is still answered from cache.
from_cache frank
from_cache trent

# 2. A role withdrawn: the user, the role group and the system groups it fed.
modify "dn: uid=erin,ou=people,$SLAPD_BASE" "changetype: modify" "delete: ntkRole" "ntkRole: legal"
poll_check "DENY reason=system-not-permitted" --user erin --system FACTS --case 1001
ntk_wait_for 10 sh -c "! '$NTK_SEND' '$NTK_SOCKET' group ntk-role-legal | grep -q erin" ||
	ntk_fail "role group after the withdrawal: $(send group ntk-role-legal)"
ntk_assert_not_contains "$(send group ntk-sys-COURTS)" "erin" "system group after the withdrawal"

# 3. An account disabled (staff_filter no longer matches): the user, and the supervisor
#    who saw the case through it.
modify "dn: uid=bob,ou=people,$SLAPD_BASE" "changetype: modify" "add: description" "description: disabled"
poll_check "DENY reason=account-disabled" --user bob --system FACTS --case 1003
poll_check "DENY reason=no-business-reason" --user carol --system FACTS --case 1003

# 4. Managers changed: heidi gets one (the new chain gains her case 1005), alice moves
#    from carol to dave (the old manager loses 1002, the one above keeps it, now direct).
modify "dn: uid=heidi,ou=people,$SLAPD_BASE" "changetype: modify" "add: manager" \
	"manager: uid=carol,ou=people,$SLAPD_BASE"
poll_check "ALLOW rule=supervisor" --user carol --system FACTS --case 1005
poll_check "ALLOW rule=supervisor" --user dave --system FACTS --case 1005
modify "dn: uid=alice,ou=people,$SLAPD_BASE" "changetype: modify" "replace: manager" \
	"manager: uid=dave,ou=people,$SLAPD_BASE"
poll_check "DENY reason=no-business-reason" --user carol --system FACTS --case 1002
check_is "ALLOW rule=supervisor" --user dave --system FACTS --case 1002
from_cache frank

# 4b. An assignment's until moved into the past (same case id, new value): it expires
#     at once, for the holder and in the case group.
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1002
ntk_assert_contains "$(send group ntk-case-1002)" "alice" "case group before the expiry"
modify "dn: uid=alice,ou=people,$SLAPD_BASE" "changetype: modify" "delete: ntkCaseAssignment" \
	"ntkCaseAssignment: 1002;until=2099-12-31" "-" "add: ntkCaseAssignment" \
	"ntkCaseAssignment: 1002;until=2020-12-31"
poll_check "DENY reason=assignment-expired" --user alice --system FACTS --case 1002
ntk_wait_for 10 sh -c "! '$NTK_SEND' '$NTK_SOCKET' group ntk-case-1002 | grep -q alice" ||
	ntk_fail "case group after the expiry: $(send group ntk-case-1002)"
from_cache frank
changes=$(status_of dir_sync_changes)
[ "$changes" -ge 6 ] || ntk_fail "dir_sync_changes=$changes after 6 changes"

# 5. Away: the connection is cut, a grant revoked and an entry deleted meanwhile; the
#    cached answers stand (ttl = 3600) until ntkd is back and refreshes with its cookie.
check_is "ALLOW rule=assigned" --user grace --system FACTS --case 1001
resumed0=$(status_of dir_sync_resumed)
proxy_cut
ntk_wait_for 10 sh -c "! '$NTKCTL' -c '$NTK_CONF' status | grep -qx dir_sync=following" ||
	ntk_fail "the subscription did not notice the cut"
ntk_wait_for 10 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx dir_sync=down" ||
	ntk_fail "dir_sync not down during the cut: $(ntk_status | grep dir_sync)"
set +e
out=$(ntkctl_t status 2>&1)
rc=$?
set -e
ntk_assert_eq 1 "$rc" "ntkctl status exit while the subscription is down"
ntk_assert_contains "$(printf '%s\n' "$out" | grep '^health=')" "dir-sync-down" "health names the subscription"
modify "dn: uid=grace,ou=people,$SLAPD_BASE" "changetype: modify" "delete: ntkCaseAssignment" \
	"ntkCaseAssignment: 1001;until=2099-06-30;access=read"
ldapdelete -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" "uid=oscar,ou=people,$SLAPD_BASE"
check_is "ALLOW rule=assigned" --user grace --system FACTS --case 1001
check_is "ALLOW rule=system-access" --user oscar --system FACTS
rm -f "$NTK_TMP/cut"
ntk_wait_for 30 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx dir_sync=following" ||
	ntk_fail "no subscription after the proxy came back: $(ntk_status | grep dir_sync)"
poll_check "DENY reason=no-business-reason" --user grace --system FACTS --case 1001
poll_check "DENY reason=unknown-user" --user oscar --system FACTS
resumed=$(status_of dir_sync_resumed)
[ "$resumed" -gt "$resumed0" ] || ntk_fail "dir_sync_resumed=$resumed: the refresh did not use the cookie"
# Reconciled entry by entry, not by dropping everything.
from_cache frank
ntk_log "$(ntk_status | grep '^dir_sync' | tr '\n' ' ')"
ntkd_finish
ntk_pass "directory changes followed: reassignment, role, disabled account, managers, cookie resume"
