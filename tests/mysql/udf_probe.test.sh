#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ntk_udf.so loaded into a threaded process as mariadbd loads it, against a real ntkd:
# right answers from 16 threads, _init refusals, only the UDF symbols exported, no
# descriptor left after unload, and (when valgrind is here) no leak or race.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

PROBE=$top_builddir/tests/mysql/udf_probe
SO=$top_builddir/sql_plugin/mysql/.libs/ntk_udf.so
[ -x "$PROBE" ] && [ -f "$SO" ] || ntk_skip "udf_probe or ntk_udf.so not built"
[ -x "$NTKD" ] || ntk_skip "ntkd not built: $NTKD"
ntk_tmpdir
slapd_start 28985 28989
ntkd_write_conf
ntkd_start
export NTK_SYSTEM=FACTS NTK_SOCKET

# Sanitizer builds need their runtime first in the process.
preload=
if ldd "$SO" | grep libasan >/dev/null; then
	preload=$(ldd "$SO" | awk '/libasan|libubsan/ { printf "%s:", $3 }')
fi

LD_PRELOAD=$preload "$PROBE" "$SO" 16 10 || ntk_fail "udf_probe with 16 threads"

if command -v valgrind >/dev/null 2>&1 && [ -z "$preload" ]; then
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--log-file="$NTK_TMP/vg.log" "$PROBE" "$SO" 4 3 >/dev/null ||
		ntk_fail "valgrind memcheck udf_probe: $(cat "$NTK_TMP/vg.log")"
	valgrind -q --tool=helgrind --error-exitcode=99 --log-file="$NTK_TMP/hg.log" \
		"$PROBE" "$SO" 4 3 >/dev/null ||
		ntk_fail "valgrind helgrind udf_probe: $(cat "$NTK_TMP/hg.log")"
fi

# No NTK_SYSTEM in the server's environment: nothing is allowed.
out=$(env -u NTK_SYSTEM LD_PRELOAD=$preload "$PROBE" "$SO" 1 1 2>&1 || true)
ntk_assert_contains "$out" "ntk_can_access: user=alice case=1001 state=open: got 0" "no system: alice denied"
ntk_assert_contains "$out" "ntk_explain: user=alice case=1001 state=open: got NULL" "no system: no verdict"

# ntkd gone: every answer is a deny (the probe's allow rows then fail), quickly.
ntkd_stop
start=$(date +%s)
out=$("$PROBE" "$SO" 4 2 2>&1 || true)
took=$(($(date +%s) - start))
ntk_assert_contains "$out" "wrong answers" "ntkd stopped: the allows become denials"
ntk_assert_contains "$out" "ntk_can_access: user=alice case=1001 state=open: got 0" "ntkd stopped: alice denied"
[ "$took" -le 5 ] || ntk_fail "ntkd stopped: the probe took ${took}s"
ntk_pass "16 threads, init refusals, symbols, descriptors, valgrind, fail closed"
