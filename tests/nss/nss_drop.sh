#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A root process that drops privileges (setuid, or seteuid only) keeps libnss_ntk loaded: after the
# drop it must see what the new uid may see (visibility = member), not what root saw before.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/nss/nss_lib.sh"

ntk_tmpdir
ntk_need_root
ntk_need_cmd setpriv
nss_need_module
getent passwd nobody >/dev/null || ntk_skip "no user nobody"
nobody=$(id -u nobody)
NTK_TEST_VISIBILITY=member
nss_start_servers

# Control: a process that starts as nobody reaches ntkd (NOTFOUND, not UNAVAIL) and sees nothing.
got=$(setpriv --reuid=nobody --regid=nogroup --clear-groups env NTK_SOCKET="$NTK_SOCKET" \
	"$NSS_PROBE" "$NSS_SO" name ntk-case-1001)
ntk_assert_eq "NOTFOUND errno=ENOENT" "$got" "nobody from the start"

root_sees="euid=0 SUCCESS errno=0 ntk-case-1001:*:201001:"
hidden="euid=$nobody NOTFOUND errno=ENOENT"

# setuid: the real, effective and saved uid all change.
mapfile -t lines < <(nss_probe drop setuid nobody ntk-case-1001 201001 alice)
ntk_log "setuid: ${lines[*]}"
ntk_assert_contains "${lines[0]:-}" "$root_sees" "root before setuid"
ntk_assert_eq "$hidden" "${lines[1]:-}" "by name after setuid(nobody)"
ntk_assert_eq "$hidden" "${lines[2]:-}" "by gid after setuid(nobody)"
ntk_assert_eq "$hidden" "${lines[3]:-}" "alice's initgroups after setuid(nobody)"

# seteuid: only the effective uid changes (SO_PEERCRED records the effective uid at connect()),
# and going back to root gives root's view again.
mapfile -t lines < <(nss_probe drop seteuid nobody ntk-case-1001 201001 alice)
ntk_log "seteuid: ${lines[*]}"
ntk_assert_contains "${lines[0]:-}" "$root_sees" "root before seteuid"
ntk_assert_eq "$hidden" "${lines[1]:-}" "by name after seteuid(nobody)"
ntk_assert_eq "$hidden" "${lines[2]:-}" "by gid after seteuid(nobody)"
ntk_assert_eq "$hidden" "${lines[3]:-}" "alice's initgroups after seteuid(nobody)"
ntk_assert_contains "${lines[4]:-}" "$root_sees" "root again after seteuid(0)"

ntk_pass "privilege drops: setuid and seteuid to nobody hide case groups; seteuid(0) shows them again"
