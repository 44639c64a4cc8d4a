#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Arguments: a missing system=, an unknown option (a typo such as sytem=) or a malformed value
# (timeout=abc) is a service error, logged: a typo must not silently weaken a login gate.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

ntk_need_root
ntk_need_cmd unshare mount
pam_need_built
pam_asan_preload
ntk_tmpdir
mkdir -p "$NTK_TMP/pam.d"
NTK_SOCKET=$NTK_TMP/no-such.sock
pam_service ntk-test-nosys "account required @NTK@ @SOCK@"
pam_service ntk-test-emptysys "account required @NTK@ system= @SOCK@"
pam_service ntk-test-unknownopt "account required @NTK@ system=FACTS frobnicate=1 @SOCK@"
pam_service ntk-test-badtimeout "account required @NTK@ system=FACTS timeout=abc @SOCK@"
pam_service ntk-test-typo "account required @NTK@ sytem=FACTS @SOCK@"
pam_service ntk-test-goodopts "account required @NTK@ system=FACTS timeout=5 debug unknown_user=deny @SOCK@"

# syslog(3) writes to /dev/log: the drives run where that is our sink.
cat >"$NTK_TMP/inner.sh" <<'INNER'
for svc in ntk-test-nosys ntk-test-emptysys ntk-test-unknownopt ntk-test-badtimeout ntk-test-typo ntk-test-goodopts; do
	"$PAM_DRIVE" --confdir "$NTK_TMP/pam.d" --leftovers "$svc" alice >"$NTK_TMP/$svc.out" 2>&1 ||
		echo "exit=$?" >>"$NTK_TMP/$svc.out"
done
"$PAM_DRIVE" --confdir "$NTK_TMP/pam.d" --silent ntk-test-goodopts alice >"$NTK_TMP/silent.out" 2>&1 || true
INNER
pam_syslog_capture "$NTK_TMP/syslog" "$NTK_TMP/inner.sh"

out=$(cat "$NTK_TMP/ntk-test-nosys.out")
ntk_assert_contains "$out" "result=PAM_SERVICE_ERR" "stack without system="
ntk_assert_not_contains "$out" "leftover=" "stack without system="
out=$(cat "$NTK_TMP/ntk-test-emptysys.out")
ntk_assert_contains "$out" "result=PAM_SERVICE_ERR" "stack with an empty system="

# Unknown or malformed options stop the module before it asks anyone: a service error.
for svc in ntk-test-unknownopt ntk-test-badtimeout ntk-test-typo; do
	out=$(cat "$NTK_TMP/$svc.out")
	ntk_assert_contains "$out" "result=PAM_SERVICE_ERR" "stack $svc"
	ntk_assert_not_contains "$out" "leftover=" "stack $svc"
done
# Every known option accepted: the module goes on to ask ntkd (absent here) and fails closed.
out=$(cat "$NTK_TMP/ntk-test-goodopts.out")
ntk_assert_contains "$out" "result=PAM_AUTHINFO_UNAVAIL" "known options, no daemon"
ntk_assert_contains "$out" "conv=error:needtoknow: access to FACTS cannot be checked now" "message without PAM_SILENT"
ntk_assert_not_contains "$out" "leftover=" "daemon unreachable"
out=$(cat "$NTK_TMP/silent.out")
ntk_assert_contains "$out" "result=PAM_AUTHINFO_UNAVAIL" "PAM_SILENT, no daemon"
ntk_assert_not_contains "$out" "conv=" "PAM_SILENT must show nothing"

log=$(cat "$NTK_TMP/syslog" 2>/dev/null || true)
ntk_assert_contains "$log" "pam_ntk(ntk-test-nosys:account): no usable system= argument in the stack of service ntk-test-nosys" "syslog for a missing system="
ntk_assert_contains "$log" "pam_ntk(ntk-test-emptysys:account): no usable system=" "syslog for an empty system="
ntk_assert_contains "$log" "pam_ntk(ntk-test-unknownopt:account): unknown option refused (service ntk-test-unknownopt): frobnicate=1" "syslog for an unknown option"
ntk_assert_contains "$log" "pam_ntk(ntk-test-typo:account): unknown option refused (service ntk-test-typo): sytem=FACTS" "syslog for a typo"
ntk_assert_contains "$log" "pam_ntk(ntk-test-badtimeout:account): malformed option refused (service ntk-test-badtimeout): timeout=abc" "syslog for a malformed option"
ntk_assert_contains "$log" "cannot reach ntkd at $NTK_SOCKET: no such socket (is ntkd running? systemctl status ntkd)" "syslog for an unreachable daemon"
ntk_pass "system= required, unknown or malformed options refused and logged, unreachable daemon fails closed"
