#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pam_ntk.so exports only its PAM entry point and pulls in no libldap, libaudit or iniparser.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

ntk_need_cmd nm readelf
[ -f "$PAM_NTK_SO" ] || ntk_fail "module not built: $PAM_NTK_SO"

exports=$(nm -D --defined-only "$PAM_NTK_SO" | awk '$2 ~ /^[TDBRVWi]$/ {print $3}' | sort | tr '\n' ' ')
ntk_assert_eq "pam_sm_acct_mgmt " "$exports" "dynamic symbols defined by pam_ntk.so"

needed=$(readelf -d "$PAM_NTK_SO" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
for lib in libldap liblber libaudit libauparse libiniparser libpthread; do
	ntk_assert_not_contains "$needed" "$lib" "libraries pam_ntk.so needs"
done
ntk_assert_contains "$needed" "libpam.so" "libraries pam_ntk.so needs"

# A module in someone else's process: no exit, no stdio output, no handlers, no threads.
undef=" $(nm -D --undefined-only "$PAM_NTK_SO" | awk '{print $2}' | sed 's/@.*//' | tr '\n' ' ') "
for sym in exit _exit _Exit abort printf puts putchar fputs fprintf vfprintf perror \
	signal sigaction pthread_create fork daemon setenv putenv atexit; do
	case "$undef" in
	*" $sym "*) ntk_fail "pam_ntk.so calls $sym" ;;
	esac
done
ntk_pass "exports only pam_sm_acct_mgmt; needs [$needed]"
