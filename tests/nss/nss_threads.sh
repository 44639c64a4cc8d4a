#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# 16 threads resolving ntk groups at once with a fork() in the middle: every answer must be right.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/nss/nss_lib.sh"

ntk_tmpdir
nss_need_module
nss_big_ldif 300
nss_start_servers "$NTK_TMP/big.ldif"

specs=()
for g in "${NSS_EXPECT_GROUPS[@]}"; do
	IFS=: read -r name _ gid members <<<"$g"
	specs+=("g:$name:$gid:$members")
done
specs+=("n:ntk-case-*" "n:ntk-role-nosuchrole" "n:nosuchgroup" "x:300000" "x:190050")

if [ "$(id -u)" = 0 ]; then
	# The real NSS: getgrouplist goes through glibc and initgroups_dyn.
	nss_real_setup
	for u in "${!NSS_EXPECT_INITGROUPS[@]}"; do
		specs+=("u:$u:$(echo "${NSS_EXPECT_INITGROUPS[$u]}" | tr ' ' ',')")
	done
	run() { nss_real "$@"; }
else
	# nss_wrapper's getgrouplist enumerates rather than calling initgroups_dyn: groups only.
	nss_wrapper_setup
	run() { nss_wrap "$@"; }
fi

got=$(run "$NSS_STRESS" 16 400 "${specs[@]}" 2>&1) || ntk_fail "nss_stress: $got"
ntk_assert_contains "$got" "failures=0 child=ok" "nss_stress"
ntk_pass "$got"
