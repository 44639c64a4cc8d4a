#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bad config refused at start with file:key: reason; SIGHUP keeps a good config over a bad one
# and applies a good one; SIGTERM removes the socket and exits 0; daemon mode detaches.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_tmpdir
slapd_start 28900 28919
ntkd_write_conf
cp "$NTK_CONF" "$NTK_TMP/good.conf"

# refused CONF_EDIT EXPECTED...: apply a sed edit to a copy, expect exit 2 and each text on stderr.
refused() {
	local edit=$1 rc out
	shift
	cp "$NTK_TMP/good.conf" "$NTK_TMP/bad.conf"
	sed -i "$edit" "$NTK_TMP/bad.conf"
	set +e
	out=$("$NTKD" -c "$NTK_TMP/bad.conf" -f 2>&1)
	rc=$?
	set -e
	ntk_assert_eq 2 "$rc" "ntkd exit status for [$edit]"
	for want in "$@"; do
		ntk_assert_contains "$out" "$want" "refusal message for [$edit]"
	done
	[ ! -S "$NTK_SOCKET" ] || ntk_fail "socket created by a refused config"
}
refused 's/^threads = .*/threads = many/' "$NTK_TMP/bad.conf:" "threads"
refused 's/^\[daemon\]/[daemon]\nbogus = 1/' "$NTK_TMP/bad.conf:" "bogus"
refused 's/^\[cache\]/[cahce]/' "$NTK_TMP/bad.conf:" "cahce"
refused 's/^roles = legal release/roles = legal judge/' "$NTK_TMP/bad.conf:" "judge"
refused 's/^cases = assigned/cases = some/' "$NTK_TMP/bad.conf:" "cases"
refused 's/^ttl = .*/ttl = -5/' "$NTK_TMP/bad.conf:" "ttl"
refused "s|^bindpw_file = .*|bindpw_file = $NTK_TMP/missing|" "$NTK_TMP/bad.conf:" "bindpw_file"
chmod 644 "$NTK_TMP/bindpw"
refused 's/^x//' "$NTK_TMP/bad.conf:" "bindpw_file"
chmod 600 "$NTK_TMP/bindpw"
set +e
out=$("$NTKD" -c "$NTK_TMP/absent.conf" -f 2>&1); rc=$?
set -e
ntk_assert_eq 2 "$rc" "missing config"
ntk_assert_contains "$out" "$NTK_TMP/absent.conf" "missing config named"
set +e
"$NTKD" -x >/dev/null 2>&1; rc=$?
set -e
ntk_assert_eq 2 "$rc" "bad option"

# SIGHUP with a bad config: still serving the old one, and the log says why.
ntkd_start
check_is "ALLOW rule=supervisor" --user dave --system FACTS --case 1001
sed -i 's/^threads = .*/threads = lots/' "$NTK_CONF"
kill -HUP "$NTKD_PID"
ntk_wait_for 5 grep -q "reload refused, keeping the running config: $NTK_CONF:.*threads" "$NTK_TMP/ntkd.log" ||
	ntk_fail "bad reload not logged: $(cat "$NTK_TMP/ntkd.log")"
check_is "ALLOW rule=supervisor" --user dave --system FACTS --case 1001
ntk_assert_contains "$(ntk_status)" "config_generation=1" "old config kept"

# SIGHUP with a good config: supervision_depth = 1 takes dave's reach away from alice's case.
cp "$NTK_TMP/good.conf" "$NTK_CONF"
sed -i 's/^supervision_depth = .*/supervision_depth = 1/' "$NTK_CONF"
kill -HUP "$NTKD_PID"
ntk_wait_for 5 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -q config_generation=2" || ntk_fail "good reload not applied"
check_is "DENY reason=no-business-reason" --user dave --system FACTS --case 1001
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1001

# SIGTERM: exit 0 and the socket is gone.
kill -TERM "$NTKD_PID"
set +e
wait "$NTKD_PID"
rc=$?
set -e
NTKD_PID=
ntk_assert_eq 0 "$rc" "exit status after SIGTERM"
[ ! -e "$NTK_SOCKET" ] || ntk_fail "socket left behind"
ntk_assert_contains "$(cat "$NTK_TMP/ntkd.log")" "stopped" "stop logged"
# No daemon: ntkctl says where it looked and exits 2, never a decision.
set +e
out=$(ntkctl_t check --user alice --system FACTS 2>&1); rc=$?
set -e
ntk_assert_eq 2 "$rc" "ntkctl without a daemon"
ntk_assert_contains "$out" "ntkctl: cannot reach ntkd at $NTK_SOCKET" "unreachable message"

# A live daemon's socket is not stolen by a second one.
ntkd_start
set +e
out=$("$NTKD" -c "$NTK_CONF" -f 2>&1); rc=$?
set -e
[ "$rc" != 0 ] || ntk_fail "second ntkd started on a live socket"
ntk_assert_contains "$out" "another ntkd" "second daemon refused"
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1001
ntkd_stop

# Daemon mode (no -f): the parent returns 0 once detached, the daemon serves.
"$NTKD" -c "$NTK_CONF"
ntk_wait_for 10 test -S "$NTK_SOCKET" || ntk_fail "daemon mode: no socket"
dpid=$(ntk_status | sed -n 's/^pid=//p')
[ -n "$dpid" ] || ntk_fail "daemon mode: no pid in status"
ntk_on_exit "ntk_stop_pid $dpid"
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1001
ntk_stop_pid "$dpid"
ntk_wait_for 5 sh -c "! test -e '$NTK_SOCKET'" || ntk_fail "daemon mode: socket left after SIGTERM"
ntkd_finish
ntk_pass "config refusal, reload, stop"
