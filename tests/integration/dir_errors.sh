#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Directory errors show where they happen: a base that does not exist is a
# directory error (directory-unavailable, never unknown-user, never cached
# as one), a wrong bind password is logged at start before any request;
# ntkctl status names the error, reports degraded (exit 1), and --json says
# the same for monitoring.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_tmpdir
slapd_start 28900 28919
ntkd_write_conf
good=$NTK_TMP/good.conf
cp "$NTK_CONF" "$good"

# status_rc ARGS...: ntkctl status's output in STATUS, its exit code in RC.
status_rc() {
	RC=0
	STATUS=$("$NTKCTL" -c "$NTK_CONF" status "$@") || RC=$?
}

# A base that does not exist.
sed "s|^base = .*|base = ou=nowhere,$SLAPD_BASE|" "$good" >"$NTK_CONF"
ntkd_start
ntk_wait_for 10 grep -q 'startup check: base "ou=nowhere' "$NTK_TMP/ntkd.log" ||
	ntk_fail "the missing base is not logged at start: $(cat "$NTK_TMP/ntkd.log")"
check_is "DENY reason=directory-unavailable" --user alice --system FACTS
# Not cached as "no such user": the second answer is the same.
check_is "DENY reason=directory-unavailable" --user alice --system FACTS
status_rc
ntk_assert_eq 1 "$RC" "status exit code with the base missing"
ntk_assert_contains "$STATUS" "ldap_error=base does not exist (noSuchObject)" "status names the error"
ntk_assert_contains "$STATUS" "health=degraded" "status says degraded"
status_rc --json
ntk_assert_eq 1 "$RC" "status --json exit code"
ntk_assert_contains "$STATUS" '"ldap_error":"base does not exist (noSuchObject)"' "JSON names the error"
ntk_assert_contains "$STATUS" '"health":"degraded"' "JSON health"
ntk_assert_contains "$STATUS" '"requests":' "JSON counters are numbers"
ntkd_stop

# A wrong password: logged at start with LDAP's reason, with no request made.
printf 'wrong\n' >"$NTK_TMP/bindpw"
cp "$good" "$NTK_CONF"
: >"$NTK_TMP/ntkd.log"
ntkd_start
ntk_wait_for 10 grep -q 'bind: Invalid credentials' "$NTK_TMP/ntkd.log" ||
	ntk_fail "the bind failure is not logged at start: $(cat "$NTK_TMP/ntkd.log")"
status_rc
ntk_assert_eq 1 "$RC" "status exit code with the bind failing"
ntk_assert_contains "$STATUS" "ldap_error=bind: Invalid credentials" "status names the bind error"
ntk_assert_contains "$STATUS" "ldap_uri1=$SLAPD_URI down" "the server is marked down"
check_is "DENY reason=directory-unavailable" --user alice --system FACTS
ntkd_stop

# The server down at start: ntkd keeps trying, with a backoff, and says so when it answers.
slapd_stop
printf '%s\n' "$SLAPD_BINDPW" >"$NTK_TMP/bindpw"
: >"$NTK_TMP/ntkd.log"
ntkd_start
ntk_wait_for 10 grep -q 'startup check: no server could be bound' "$NTK_TMP/ntkd.log" ||
	ntk_fail "the unreachable server is not logged at start: $(cat "$NTK_TMP/ntkd.log")"
slapd_restart
ntk_wait_for 40 grep -q 'startup check: bound to' "$NTK_TMP/ntkd.log" ||
	ntk_fail "ntkd did not try again once the server was back: $(cat "$NTK_TMP/ntkd.log")"
ntkd_stop

# The right password: healthy once a lookup has answered (0), unless auditd is not running here.
: >"$NTK_TMP/ntkd.log"
ntkd_start
ntk_wait_for 10 grep -q 'startup check: bound to' "$NTK_TMP/ntkd.log" || ntk_fail "startup check"
check_is "ALLOW rule=system-access" --user alice --system FACTS
status_rc
ntk_assert_contains "$STATUS" "ldap_error=none" "no standing error"
if grep -q '^auditd=running' <<<"$STATUS"; then
	ntk_assert_eq 0 "$RC" "status exit code when healthy"
	ntk_assert_contains "$STATUS" "health=healthy" "status says healthy"
fi
ntkd_finish
# Unreachable: exit 2.
rc=0
"$NTKCTL" -c "$NTK_CONF" status >/dev/null 2>&1 || rc=$?
ntk_assert_eq 2 "$rc" "status with ntkd stopped"
ntk_pass "directory errors are logged where they happen and shown by status (0/1/2, --json)"
