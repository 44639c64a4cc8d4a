#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pam_ntk under valgrind: allow, deny, unknown user and daemon down, with no memory error, no leak, nothing left behind.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

ntk_need_root
ntk_need_cmd valgrind
pam_setup 28930 28931
[ -z "$PAM_PRELOAD" ] || ntk_skip "sanitizer build: valgrind cannot run ASan code (the ASan build covers it)"
pam_service ntk-test-vg "account required @NTK@ system=FACTS @SOCK@"
pam_service ntk-test-vg-down "account required @NTK@ system=FACTS socket=$NTK_TMP/nobody-here.sock"

# vg_is RESULT USER [SERVICE]: the account stage under valgrind gives RESULT, cleanly.
vg_is() {
	local want=$1 user=$2 svc=${3:-ntk-test-vg} out rc
	set +e
	out=$(valgrind -q --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \
		--error-exitcode=3 --track-fds=no "$PAM_DRIVE" --confdir "$NTK_TMP/pam.d" --leftovers \
		--rhost 192.0.2.30 --tty pts/1 --repeat 3 "$svc" "$user" 2>&1)
	rc=$?
	set -e
	[ "$rc" = 0 ] || ntk_fail "valgrind [$user] on $svc: exit $rc: $out"
	ntk_assert_contains "$out" "result=$want" "valgrind [$user] on $svc"
	ntk_assert_not_contains "$out" "==" "valgrind [$user] on $svc: valgrind reported"
}

vg_is PAM_SUCCESS alice
vg_is PAM_PERM_DENIED judy
vg_is PAM_PERM_DENIED nosuchperson
vg_is PAM_PERM_DENIED $'alice\n)(uid=*'
vg_is PAM_AUTHINFO_UNAVAIL alice ntk-test-vg-down
ntk_pass "no valgrind error or leak on allow, deny, unknown, hostile and unreachable paths"
