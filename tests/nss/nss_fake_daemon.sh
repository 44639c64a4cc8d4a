#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An ntkd run by nobody on the socket libnss_ntk is pointed at (NTK_SOCKET) is never believed:
# its groups are UNAVAIL and files still answers. The same daemon run by root is believed.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/nss/nss_lib.sh"

ntk_need_root
ntk_need_cmd setpriv
ntk_tmpdir
nss_need_module
nss_wrapper_setup
slapd_start "$NSS_LOW" "$NSS_HIGH"
ntkd_write_conf
ntkd_start_impostor

# The module called directly: an exact status, never SUCCESS with the impostor's members.
got=$(NTK_SOCKET=$IMPOSTOR_SOCKET nss_probe name ntk-case-1001)
ntk_log "getgrnam through a daemon run by nobody: $got"
ntk_assert_contains "$got" "UNAVAIL" "getgrnam through a daemon run by nobody"
got=$(NTK_SOCKET=$IMPOSTOR_SOCKET nss_probe initgroups alice)
ntk_assert_contains "$got" "UNAVAIL" "initgroups through a daemon run by nobody"
# Through getent: files still answers, the impostor's group is not found.
got=$(NTK_SOCKET=$IMPOSTOR_SOCKET nss_wrap getent group localstaff) || ntk_fail "files group"
ntk_assert_eq "localstaff:x:6000:alice,carol" "$got" "files group beside an impostor"
set +e
got=$(NTK_SOCKET=$IMPOSTOR_SOCKET nss_wrap getent group ntk-case-1001)
rc=$?
set -e
ntk_assert_eq 2 "$rc" "getent group ntk-case-1001 through a daemon run by nobody ($got)"

# The same policy from ntkd run by root: believed.
ntkd_start
got=$(nss_wrap getent group ntk-case-1001 | nss_sorted)
ntk_assert_eq "${NSS_EXPECT_GROUPS[0]}" "$got" "ntk group from ntkd run by root"
ntk_pass "libnss_ntk believes only a daemon run by root"
