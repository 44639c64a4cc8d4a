#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One unprivileged uid holding 1,100 connections: it gets its per-uid share, and root's
# checks and other uids' NSS requests are still answered; with no per-uid cap in the way,
# untrusted uids together still leave the last 64 connections to root and trusted peers.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_need_root
ntk_need_cmd setpriv
ntk_tmpdir
slapd_start 28900 28919 "$top_srcdir/tests/integration/nobody.ldif"
ntkd_write_conf
ntkd_start
chmod 644 "$NTK_CONF"
# Copies the unprivileged peers can reach wherever the build tree lives.
cp "$top_builddir/tests/integration/ntk_send" "$top_builddir/tests/integration/ntk_flood" "$NTK_TMP/"
as_uid() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups "$@"; }

# nobody opens 1,100 connections and holds them until its stdin closes.
mkfifo "$NTK_TMP/hold.in"
as_uid nobody "$NTK_TMP/ntk_flood" "$NTK_SOCKET" hold 1100 <"$NTK_TMP/hold.in" >"$NTK_TMP/hold.out" 2>&1 &
hold_pid=$!
exec 7>"$NTK_TMP/hold.in"
ntk_on_exit "exec 7>&-; wait $hold_pid"
ntk_wait_for 120 grep -q '^holding' "$NTK_TMP/hold.out" || ntk_fail "hold did not finish: $(cat "$NTK_TMP/hold.out")"
ntk_log "$(head -1 "$NTK_TMP/hold.out")"

# Root's ntkctl check, root's and another uid's NSS requests: all answered while nobody holds its share.
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
out=$("$NTK_TMP/ntk_send" "$NTK_SOCKET" gid 201002 || true)
ntk_assert_eq "ntk-case-1002 201002 alice,carol,dave" "$out" "root's GROUP_BY_GID"
set +e
out=$(as_uid daemon "$NTK_TMP/ntk_send" "$NTK_SOCKET" initgroups daemon 2>&1)
rc=$?
set -e
ntk_assert_eq "0:" "$rc:$out" "another uid's INITGROUPS (an NSS request)"
out=$(as_uid nobody "$NTK_TMP/ntk_send" "$NTK_SOCKET" ping 2>&1 || true)
ntk_assert_contains "$out" "ERROR" "nobody's 65th connection"
ntk_status | grep -q '^connections=' || ntk_fail "status"
# The default per-uid cap (64) answered; the rest were closed.
ntk_assert_contains "$(cat "$NTK_TMP/hold.out")" "connected=1100 answered=64" "nobody's connections within the per-uid cap"

exec 7>&-
wait "$hold_pid"

# Without a per-uid cap that bites, the last 64 of the 1,024 are still root's and trusted peers'.
ntk_wait_for 30 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx 'connections=1'" ||
	ntk_fail "nobody's connections not closed: $(ntk_status | grep connections)"
sed -i 's/^threads = .*/&\nmax_connections_per_uid = 1024/' "$NTK_CONF"
kill -HUP "$NTKD_PID"
ntk_wait_for 10 grep -q "config reloaded" "$NTK_TMP/ntkd.log" || ntk_fail "reload"
as_uid nobody "$NTK_TMP/ntk_flood" "$NTK_SOCKET" hold 1100 <"$NTK_TMP/hold.in" >"$NTK_TMP/hold.out" 2>&1 &
hold_pid=$!
exec 7>"$NTK_TMP/hold.in"
ntk_wait_for 120 grep -q '^holding' "$NTK_TMP/hold.out" || ntk_fail "hold did not finish: $(cat "$NTK_TMP/hold.out")"
ntk_log "$(head -1 "$NTK_TMP/hold.out")"
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
ntk_assert_contains "$(cat "$NTK_TMP/hold.out")" "connected=1100 answered=960" "untrusted connections stop 64 short of 1,024"
exec 7>&-
wait "$hold_pid"
ntkd_finish
ntk_pass "per-uid connection cap"
