#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ntkd speaks systemd's notify protocol ($NOTIFY_SOCKET): READY=1 only once its socket accepts
# connections and the first LDAP bind was tried (bound, or failed and logged), RELOADING=1 then
# READY=1 around a SIGHUP reload, STOPPING=1 on SIGTERM; abstract (@name) and path sockets.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

LISTEN=$top_builddir/tests/systemd/notify_listen
[ -x "$LISTEN" ] || ntk_fail "not built: $LISTEN"
ntk_tmpdir
slapd_start 29520 29529
ntkd_write_conf

# listen_start ADDR UNTIL: the listener in the background, its lines in $NTK_TMP/notify.out.
listen_start() {
	: >"$NTK_TMP/notify.out"
	"$LISTEN" "$1" "$NTK_SOCKET" "$2" 60 >"$NTK_TMP/notify.out" 2>"$NTK_TMP/notify.err" &
	LISTEN_PID=$!
	ntk_on_exit "ntk_stop_pid $LISTEN_PID"
	ntk_wait_for 10 grep -q '^listening$' "$NTK_TMP/notify.out" ||
		ntk_fail "notify_listen did not start: $(cat "$NTK_TMP/notify.err")"
}
# have N: the listener has printed N datagrams (after its "listening" line).
have() { [ "$(($(wc -l <"$NTK_TMP/notify.out") - 1))" -ge "$1" ]; }
# notified N: wait until the listener has printed N datagrams; print the Nth.
notified() {
	ntk_wait_for 30 have "$1" || {
		cat "$NTK_TMP/ntkd.log" >&2
		ntk_fail "ntkd sent fewer than $1 notifications: $(cat "$NTK_TMP/notify.out")"
	}
	sed -n "$(($1 + 1))p" "$NTK_TMP/notify.out"
}

# --- LDAP up, abstract socket: READY=1, reload, stop ---------------------------
listen_start "@ntk-notify-test-$$" STOPPING=1
NOTIFY_SOCKET="@ntk-notify-test-$$" ntkd_start
got=$(notified 1)
ntk_assert_eq "READY=1 STATUS=serving; LDAP bound socket=up" "$got" "first notification"
# The bind was tried before READY=1: its log line was written first, by the same thread.
grep -q 'ldap: startup check: bound to' "$NTK_TMP/ntkd.log" ||
	ntk_fail "READY=1 before the startup bind was logged: $(cat "$NTK_TMP/ntkd.log")"

kill -HUP "$NTKD_PID"
got=$(notified 2)
case "$got" in
"RELOADING=1 MONOTONIC_USEC="[0-9]*" socket=up") ;;
*) ntk_fail "after SIGHUP: expected RELOADING=1 MONOTONIC_USEC=..., got [$got]" ;;
esac
ntk_assert_eq "READY=1 socket=up" "$(notified 3)" "after the reload"
ntk_wait_for 10 grep -q 'config reloaded' "$NTK_TMP/ntkd.log" || ntk_fail "no reload logged"

kill -TERM "$NTKD_PID"
ntk_assert_eq "STOPPING=1 socket=up" "$(notified 4)" "on SIGTERM"
wait "$LISTEN_PID" || ntk_fail "notify_listen: $(cat "$NTK_TMP/notify.err")"
ntkd_stop
ntk_pass "READY=1 after listen and the first bind; RELOADING=1/READY=1 on SIGHUP; STOPPING=1 on SIGTERM"

# --- LDAP down, path socket: READY=1 still comes, after the failed bind was logged ----
down=$(ntk_free_port 29530 29539)
ntkd_write_conf "ldap://127.0.0.1:$down/"
: >"$NTK_TMP/ntkd.log"
listen_start "$NTK_TMP/notify.sock" READY=1
NOTIFY_SOCKET="$NTK_TMP/notify.sock" ntkd_start
got=$(notified 1)
ntk_assert_eq "READY=1 STATUS=serving; no LDAP server bound yet (see the log) socket=up" "$got" \
	"READY=1 with LDAP down"
grep -q 'ldap: startup check: no server could be bound' "$NTK_TMP/ntkd.log" ||
	ntk_fail "READY=1 before the failed bind was logged: $(cat "$NTK_TMP/ntkd.log")"
wait "$LISTEN_PID" || ntk_fail "notify_listen: $(cat "$NTK_TMP/notify.err")"
ntkd_stop
ntk_pass "READY=1 with every LDAP server down, once the failed bind is logged"

# Without NOTIFY_SOCKET nothing is sent and ntkd runs as before (the other suites); a
# NOTIFY_SOCKET nobody listens on costs a warning, not the service.
NOTIFY_SOCKET="$NTK_TMP/nobody.sock" ntkd_start
ntk_wait_for 10 grep -q 'systemd notify' "$NTK_TMP/ntkd.log" ||
	ntk_fail "no warning for an unreachable NOTIFY_SOCKET: $(cat "$NTK_TMP/ntkd.log")"
kill -0 "$NTKD_PID" || ntk_fail "ntkd died over an unreachable NOTIFY_SOCKET"
ntk_pass "an unreachable NOTIFY_SOCKET is a logged warning"
