#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Peer trust by SO_PEERCRED: untrusted peers ask only about themselves; FLUSH is root only;
# trusted_peers (resolved at load and on SIGHUP) may ask about anyone; hostile names find nobody.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_need_root
ntk_need_cmd setpriv
ntk_tmpdir
slapd_start 28900 28919 "$top_srcdir/tests/integration/nobody.ldif"
NTK_TEST_TRUSTED="postgres no-such-user-here" ntkd_write_conf
ntkd_start
# The unprivileged peer must be able to reach the binaries and read the config.
chmod 644 "$NTK_CONF"
# Copies the unprivileged peer can reach wherever the build tree lives.
cp "$NTKCTL" "$NTK_TMP/ntkctl"
cp "$NTK_SEND" "$NTK_TMP/ntk_send"
NTKCTL=$NTK_TMP/ntkctl
NTK_SEND=$NTK_TMP/ntk_send
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

# About someone else: refused, exit 2, a message, and a log line naming the peer.
set +e
err=$(as_nobody "$NTKCTL" -c "$NTK_CONF" check --user alice --system FACTS --case 1001 2>&1)
rc=$?
set -e
ntk_assert_eq 2 "$rc" "untrusted peer asking about alice"
ntk_assert_contains "$err" "refused" "refusal message"
ntk_wait_for 5 grep -q "refused: peer uid 65534 .* asked about user \"alice\"" "$NTK_TMP/ntkd.log" ||
	ntk_fail "refusal not logged: $(cat "$NTK_TMP/ntkd.log")"
# The name is sanitised in the log.
set +e
as_nobody "$NTK_SEND" "$NTK_SOCKET" check "$(printf 'evil\nname')" FACTS login "" open "" >/dev/null
rc=$?
set -e
ntk_assert_eq 3 "$rc" "hostile name from untrusted peer is DENIED"
ntk_wait_for 5 grep -q 'asked about user "evil\\x0aname"' "$NTK_TMP/ntkd.log" ||
	ntk_fail "hostile name not sanitised in the log"

# About itself: allowed (a real decision, here an allow).
out=$(as_nobody "$NTKCTL" -c "$NTK_CONF" check --user nobody --system FACTS --case 1001)
ntk_assert_eq "ALLOW rule=assigned" "$out" "nobody about itself"
out=$(as_nobody "$NTK_SEND" "$NTK_SOCKET" facts nobody FACTS)
ntk_assert_contains "$out" "outcome=system-access" "FACTS about itself"
set +e
as_nobody "$NTK_SEND" "$NTK_SOCKET" facts alice FACTS >/dev/null; rc=$?
ntk_assert_eq 3 "$rc" "FACTS about someone else"
as_nobody "$NTK_SEND" "$NTK_SOCKET" report alice FACTS read 21 3 q1 1001 >/dev/null; rc=$?
ntk_assert_eq 3 "$rc" "REPORT about someone else"
# FLUSH is root only; STATUS is for anyone.
err=$(as_nobody "$NTKCTL" -c "$NTK_CONF" flush 2>&1); rc=$?
ntk_assert_eq 2 "$rc" "flush by nobody"
ntk_assert_contains "$err" "root only" "flush refusal"
# The log names the request, not its wire number.
ntk_wait_for 5 grep -q "refused: peer uid 65534 pid [0-9]* sent a root-only request (FLUSH)" "$NTK_TMP/ntkd.log" ||
	ntk_fail "root-only refusal not named in the log: $(grep root-only "$NTK_TMP/ntkd.log")"
set -e
as_nobody "$NTKCTL" -c "$NTK_CONF" status >"$NTK_TMP/status.nobody" || [ $? = 1 ] || ntk_fail "status for nobody"
grep '^requests=' "$NTK_TMP/status.nobody" >/dev/null || ntk_fail "status for nobody: no requests line"

# A trusted_peers name that does not exist is logged and ignored.
ntk_assert_contains "$(cat "$NTK_TMP/ntkd.log")" "no such user no-such-user-here" "missing trusted peer logged"

# Filter injection: every hostile name is just a user nobody has.
for name in '*' ')(uid=*' 'alice*' 'alice)(uid=*' '\2a' 'al*ce' '(uid=alice)' "alice\\"; do
	check_is "DENY reason=unknown-user" --user "$name" --system FACTS
	check_is "DENY reason=unknown-user" --user "$name" --system FACTS --case 1001
done

# SIGHUP with nobody trusted: now it may ask about alice.
sed -i 's/^trusted_peers = .*/trusted_peers = nobody/' "$NTK_CONF"
kill -HUP "$NTKD_PID"
ntk_wait_for 5 grep -q "config reloaded" "$NTK_TMP/ntkd.log" || ntk_fail "reload not logged"
out=$(as_nobody "$NTKCTL" -c "$NTK_CONF" check --user alice --system FACTS --case 1001)
ntk_assert_eq "ALLOW rule=assigned" "$out" "trusted nobody asking about alice"
set +e
as_nobody "$NTKCTL" -c "$NTK_CONF" flush >/dev/null 2>&1; rc=$?
set -e
ntk_assert_eq 2 "$rc" "flush stays root only for trusted peers"
ntkd_finish
ntk_pass "peer trust"
