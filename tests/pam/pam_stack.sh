#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pam_ntk in /etc/pam.d stacks through pamtester: required, requisite and [success=ok default=bad]
# positions gate the login; sufficient and [default=ignore] do not (the pitfalls pam_ntk(8) warns of).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

ntk_need_root
ntk_need_cmd pamtester
pam_setup 28924 28926

permit="account required @MOD@/pam_permit.so"
pam_service ntk-test-required "account required @NTK@ system=FACTS @SOCK@" "$permit"
pam_service ntk-test-requisite "account requisite @NTK@ system=FACTS @SOCK@" "$permit"
pam_service ntk-test-bad "account [success=ok default=bad] @NTK@ system=FACTS @SOCK@" "$permit"
pam_service ntk-test-sufficient "account sufficient @NTK@ system=FACTS @SOCK@" "$permit"
pam_service ntk-test-ignore-pit "account [success=ok default=ignore] @NTK@ system=FACTS @SOCK@" "$permit"
for s in required requisite bad sufficient ignore-pit; do
	pam_etc_service "ntk-test-$s"
done

# pt_is ok|fail SERVICE USER: pamtester's account stage passes or fails.
pt_is() {
	local want=$1 svc=$2 user=$3 out rc
	set +e
	out=$(env $PAM_PRELOAD pamtester -I rhost=192.0.2.20 -I tty=pts/7 "$svc" "$user" acct_mgmt 2>&1)
	rc=$?
	set -e
	case "$want" in
	ok) [ "$rc" = 0 ] || ntk_fail "pamtester $svc [$user]: expected success, got $rc: $out" ;;
	fail) [ "$rc" != 0 ] || ntk_fail "pamtester $svc [$user]: expected failure, got success: $out" ;;
	esac
	PT_OUT=$out
}

for s in required requisite bad; do
	pt_is ok "ntk-test-$s" alice
	pt_is ok "ntk-test-$s" ivan
	pt_is fail "ntk-test-$s" judy
	ntk_assert_contains "$PT_OUT" "needtoknow: access to FACTS denied (system-not-permitted)" "reason shown by pamtester ($s)"
	pt_is fail "ntk-test-$s" nosuchperson
	ntk_assert_contains "$PT_OUT" "(unknown-user)" "reason shown by pamtester ($s)"
	pt_is fail "ntk-test-$s" 'alice)(uid=*'
	pt_is fail "ntk-test-$s" '*'
	pt_is fail "ntk-test-$s" 'alice" reason=x'
done

# The pitfalls: with pam_permit after it, sufficient and default=ignore let judy in.
pt_is ok ntk-test-sufficient judy
pt_is ok ntk-test-ignore-pit judy

ntkd_stop
for s in required requisite bad; do
	pt_is fail "ntk-test-$s" alice
done
# ... and let everyone in when the daemon is down.
pt_is ok ntk-test-sufficient alice
pt_is ok ntk-test-ignore-pit alice
ntk_pass "required, requisite and [success=ok default=bad] gate logins; the documented pitfalls do not"
