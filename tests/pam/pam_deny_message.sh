#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A refusal says where to go: the system's deny_message reaches the user as a PAM_ERROR_MSG of its
# own after the reason (pam_drive's conversation and pamtester), never with an allow, never under
# PAM_SILENT, and only the asked system's.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

ntk_need_root
ntk_need_cmd pamtester
pam_setup 28927 28929
MSG='Requests for records outside your assignments go to the Legal Division, ext. 4410'
ntkd_stop
sed -i "/^\[system:FACTS\]/a deny_message = \"$MSG\"" "$NTK_CONF"
ntkd_start

pam_service ntk-test-facts "account required @NTK@ system=FACTS @SOCK@"
pam_service ntk-test-courts "account required @NTK@ system=COURTS @SOCK@"

drive_is PAM_PERM_DENIED ntk-test-facts judy
drive_conv_has "needtoknow: access to FACTS denied (system-not-permitted)"
drive_conv_has "$MSG"
# Two messages, the reason first: the advice never hides why.
ntk_assert_eq "$(printf 'conv=error:needtoknow: access to FACTS denied (system-not-permitted)\nconv=error:%s' "$MSG")" \
	"$(printf '%s\n' "$DRIVE_OUT" | grep '^conv=')" "the reason, then the deny_message"
drive_is PAM_PERM_DENIED ntk-test-facts nosuchperson
drive_conv_has "$MSG"
drive_is PAM_PERM_DENIED ntk-test-facts judy --silent
drive_conv_none
drive_is PAM_SUCCESS ntk-test-facts alice
drive_conv_none
# COURTS has no deny_message: the reason alone.
drive_is PAM_PERM_DENIED ntk-test-courts alice
drive_conv_has "needtoknow: access to COURTS denied (system-not-permitted)"
ntk_assert_not_contains "$DRIVE_OUT" "$MSG" "no other system's message"
ntk_pass "pam_drive: deny_message shown after the reason, with refusals only"

# The same through pamtester and /etc/pam.d (removed at exit).
svc="ntk-test-denymsg-$$"
pam_service "$svc" "account required @NTK@ system=FACTS @SOCK@"
pam_etc_service "$svc"
set +e
out=$(env $PAM_PRELOAD pamtester "$svc" judy acct_mgmt 2>&1)
rc=$?
set -e
[ "$rc" != 0 ] || ntk_fail "pamtester: judy's account stage passed: $out"
ntk_assert_contains "$out" "needtoknow: access to FACTS denied (system-not-permitted)" "pamtester shows the reason"
ntk_assert_contains "$out" "$MSG" "pamtester shows the deny_message"
out=$(env $PAM_PRELOAD pamtester "$svc" alice acct_mgmt 2>&1) || ntk_fail "pamtester: alice refused: $out"
ntk_assert_not_contains "$out" "$MSG" "no deny_message for an allowed login"
ntk_pass "pamtester shows deny_message on a refusal"
