#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ntkd down or hung: files groups still resolve, ntk lookups fail fast with UNAVAIL, and recover.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/nss/nss_lib.sh"

ntk_tmpdir
nss_need_module
nss_wrapper_setup
nss_start_servers

ms() { date +%s%3N; }

got=$(nss_wrap getent group ntk-case-1001 | nss_sorted)
ntk_assert_eq "${NSS_EXPECT_GROUPS[0]}" "$got" "ntk group while ntkd runs"

# A hung ntkd (stopped, its socket still listening): the lookup gives up
# after the module's 2 s timeout, never hangs, and files still answers.
kill -STOP "$NTKD_PID"
t0=$(ms)
got=$(nss_probe name ntk-case-1002)
t1=$(ms)
kill -CONT "$NTKD_PID"
ntk_assert_eq "UNAVAIL errno=EAGAIN" "$got" "lookup against a hung ntkd"
[ $((t1 - t0)) -lt 4000 ] || ntk_fail "lookup against a hung ntkd took $((t1 - t0)) ms"
[ $((t1 - t0)) -ge 1500 ] || ntk_fail "lookup against a hung ntkd returned after $((t1 - t0)) ms: no wait?"

ntkd_stop
# files first: local groups resolve as before.
got=$(nss_wrap getent group localstaff) || ntk_fail "files group with ntkd down"
ntk_assert_eq "localstaff:x:6000:alice,carol" "$got" "files group with ntkd down"
got=$(nss_wrap getent group root) || ntk_fail "getent group root with ntkd down"
ntk_assert_eq "root:x:0:" "$got" "getent group root with ntkd down"
# ntk groups: not found (exit 2), at once.
t0=$(ms)
set +e
nss_wrap getent group ntk-case-1001 >/dev/null
rc=$?
nss_wrap getent group 201001 >/dev/null
rc2=$?
set -e
t1=$(ms)
ntk_assert_eq 2 "$rc" "getent group ntk-case-1001 with ntkd down"
ntk_assert_eq 2 "$rc2" "getent group 201001 with ntkd down"
[ $((t1 - t0)) -lt 1000 ] || ntk_fail "lookups with ntkd down took $((t1 - t0)) ms"
ntk_assert_eq "UNAVAIL errno=ENOENT" "$(nss_probe name ntk-case-1001)" "status with ntkd down"
ntk_assert_eq "UNAVAIL errno=ENOENT" "$(nss_probe initgroups alice)" "initgroups with ntkd down"

# ntkd back: answers again.
ntkd_start
got=$(nss_wrap getent group ntk-case-1001 | nss_sorted)
ntk_assert_eq "${NSS_EXPECT_GROUPS[0]}" "$got" "ntk group after ntkd restart"

ntk_pass "files unaffected, fast UNAVAIL when ntkd is down, bounded wait when it hangs"
