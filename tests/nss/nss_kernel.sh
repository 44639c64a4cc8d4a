#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The real thing: glibc NSS with `group: files ntk`, local users, a case folder mode 2770 owned by
# ntk-case-1001; after login (initgroups) the assigned worker and the supervisor get in, others EACCES.
# Also the privacy rule: a non-root process sees only its own ntk groups unless visibility = all.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/nss/nss_lib.sh"

ntk_tmpdir
ntk_need_root
ntk_need_cmd setpriv
nss_need_module
NTK_TEST_VISIBILITY=member
nss_start_servers
nss_real_setup
# Assigned (alice), supervisor (carol), unassigned (mallory, bob: another case), release holder (grace).
nss_local_users alice carol mallory bob grace

# getent and id through glibc's own NSS.
got=$(nss_real getent group ntk-case-1001 | nss_sorted) || ntk_fail "getent group ntk-case-1001"
ntk_assert_eq "${NSS_EXPECT_GROUPS[0]}" "$got" "real getent group ntk-case-1001"
got=$(nss_real getent group 201003 | nss_sorted) || ntk_fail "getent group 201003"
ntk_assert_eq "${NSS_EXPECT_GROUPS[2]}" "$got" "real getent group 201003"
for u in alice carol mallory; do
	got=$(nss_real getent initgroups "$u") || ntk_fail "getent initgroups $u"
	ids=$(echo "$got" | tr -s ' ' '\n' | awk '$1 >= 190000 && $1 <= 299999' | sort -n | tr '\n' ' ')
	ntk_assert_eq "${NSS_EXPECT_INITGROUPS[$u]} " "$ids" "getent initgroups $u"
done
got=$(nss_real id -Gn alice) || ntk_fail "id alice"
ntk_assert_contains " $got " " ntk-case-1001 " "id alice"
ntk_assert_contains " $got " " ntk-sys-FACTS " "id alice"
got=$(nss_real id -Gn carol)
ntk_assert_contains " $got " " ntk-case-1003 " "id carol (supervises bob)"
got=$(nss_real id -Gn mallory)
ntk_assert_not_contains "$got" "ntk-case-" "id mallory"

# The case folder: root:ntk-case-1001, mode 2770.
dir="$NTK_TMP/case-1001"
mkdir "$dir"
touch "$dir/report.txt"
chgrp 201001 "$dir"
chmod 2770 "$dir"
ntk_assert_eq "ntk-case-1001 2770" "$(nss_real stat -c '%G %a' "$dir")" "case folder owner and mode"

# login: setpriv calls initgroups(3) for the user, in a process that is not
# setuid, so NTK_SOCKET reaches the module; the kernel then decides.
as_user() {
	local u=$1
	shift
	nss_real setpriv --reuid="$u" --regid="$u" --init-groups "$@"
}
for u in alice carol grace; do
	got=$(as_user "$u" ls "$dir" 2>&1) || ntk_fail "$u cannot list the case folder: $got"
	ntk_assert_eq "report.txt" "$got" "$u lists the case folder"
done
for u in mallory bob; do
	set +e
	got=$(as_user "$u" ls "$dir" 2>&1)
	rc=$?
	set -e
	[ "$rc" != 0 ] || ntk_fail "$u listed the case folder"
	ntk_assert_contains "$got" "Permission denied" "$u gets EACCES"
done
# Same with ntkd down: nobody gets in through ntk (fail closed), files groups still work.
ntkd_stop
set +e
got=$(as_user alice ls "$dir" 2>&1)
rc=$?
set -e
[ "$rc" != 0 ] || ntk_fail "alice listed the case folder with ntkd down"
ntk_assert_contains "$got" "Permission denied" "alice with ntkd down"
got=$(nss_real getent group root) || ntk_fail "getent group root with ntkd down"
ntk_assert_eq "root:x:0:" "$got" "files with ntkd down"
ntkd_start

# Privacy (visibility = member): mallory's processes see her own ntk groups, not case 1001.
as_mallory() { nss_real setpriv --reuid=mallory --regid=mallory --clear-groups "$@"; }
set +e
as_mallory getent group ntk-case-1001 >/dev/null
rc1=$?
as_mallory getent group 201001 >/dev/null
rc2=$?
set -e
ntk_assert_eq 2 "$rc1" "mallory looks up ntk-case-1001 by name (visibility=member)"
ntk_assert_eq 2 "$rc2" "mallory looks up 201001 (visibility=member)"
got=$(as_mallory getent group ntk-sys-FACTS) || ntk_fail "mallory cannot see her own ntk-sys-FACTS"
ntk_assert_contains "$got" "ntk-sys-FACTS:*:190000:" "mallory sees her own group"
got=$(nss_real getent group ntk-case-1001 | nss_sorted)
ntk_assert_eq "${NSS_EXPECT_GROUPS[0]}" "$got" "root sees ntk-case-1001"
# ...and alice sees the case group she is in.
got=$(nss_real setpriv --reuid=alice --regid=alice --clear-groups getent group ntk-case-1001) ||
	ntk_fail "alice cannot see ntk-case-1001"

NTK_TEST_VISIBILITY=all nss_restart_ntkd
got=$(as_mallory getent group ntk-case-1001 | nss_sorted) || ntk_fail "mallory, visibility=all"
ntk_assert_eq "${NSS_EXPECT_GROUPS[0]}" "$got" "mallory looks up ntk-case-1001 (visibility=all)"

ntk_pass "case folder 2770: assigned, supervisor and release holder in, others EACCES; visibility"
