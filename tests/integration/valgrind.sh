#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ntkd under valgrind: decisions, groups, reload, garbage and a clean SIGTERM, with no errors or leaks.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_need_cmd valgrind
# A sanitizer build cannot run under valgrind: not a missing server, so a plain skip.
if nm "$NTKD" 2>/dev/null | grep __asan_init >/dev/null; then
	printf 'SKIP [%s]: ntkd is built with sanitizers\n' "$NTK_TEST_NAME" >&2
	exit 77
fi
ntk_tmpdir
slapd_start 28900 28919
ntkd_write_conf
NTKD_WRAPPER="valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 --track-fds=no --log-file=$NTK_TMP/valgrind.log" \
	ntkd_start
send() { "$NTK_SEND" "$NTK_SOCKET" "$@"; }

check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
ntkctl_t check --user dave --system FACTS --case 1001 --explain >/dev/null
check_is "DENY reason=unknown-user" --user 'x)(uid=*' --system FACTS
check_is "ALLOW rule=break-glass" --user oscar --system FACTS --case 1001 --reason test
send check oscar FACTS read 1002 open "valgrind run" >/dev/null
send check alice FACTS login "" open "" 192.0.2.1 pts/1 >/dev/null
send facts dave FACTS >/dev/null
send report alice FACTS read 21 2 q 1 2 3 >/dev/null
send group ntk-case-1002 >/dev/null
send group ntk-sys-FACTS >/dev/null
send initgroups carol >/dev/null
send gid 191001 >/dev/null
for kind in random huge badbody; do send garbage "$kind" >/dev/null || true; done
ntk_status >/dev/null
ntkctl_t flush --user alice >/dev/null
sed -i 's/^supervision_depth = .*/supervision_depth = 1/' "$NTK_CONF"
kill -HUP "$NTKD_PID"
ntk_wait_for 20 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -q config_generation=2" || ntk_fail "reload"
check_is "DENY reason=no-business-reason" --user dave --system FACTS --case 1001
sed -i 's/^threads = .*/threads = x/' "$NTK_CONF"
kill -HUP "$NTKD_PID"
ntk_wait_for 20 grep -q "reload refused" "$NTK_TMP/ntkd.log" || ntk_fail "bad reload"
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001

kill -TERM "$NTKD_PID"
set +e
wait "$NTKD_PID"
rc=$?
set -e
NTKD_PID=
if [ "$rc" != 0 ] || [ -s "$NTK_TMP/valgrind.log" ]; then
	cat "$NTK_TMP/valgrind.log" >&2
	ntk_fail "valgrind: exit $rc"
fi
ntk_pass "valgrind clean"
