#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libnss_ntk.so.2 is fit to load into every process: no LDAP/audit/config libraries, only _nss_ntk_* exported.
. "$top_srcdir/tests/lib/common.sh"

so="$top_builddir/nss_module/.libs/libnss_ntk.so.2"
[ -f "$so" ] || ntk_fail "module not built: $so"
ntk_need_cmd readelf nm

needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
for lib in libldap liblber libaudit libauparse libiniparser libpam libssl libgnutls; do
	ntk_assert_not_contains " $needed" " $lib" "libraries the module needs"
done
exported=$(nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sort | tr '\n' ' ')
ntk_assert_eq "_nss_ntk_endgrent _nss_ntk_getgrent_r _nss_ntk_getgrgid_r _nss_ntk_getgrnam_r _nss_ntk_initgroups_dyn _nss_ntk_setgrent " \
	"$exported" "exported symbols"
# Nothing left unresolved that glibc would have to find elsewhere (-z defs at link time, checked here too).
# A sanitizer build binds libc calls to the sanitizer's interceptors: that check does not apply.
case $needed in
*libasan*) ntk_pass "needs [$needed], exports only _nss_ntk_* (sanitizer build)"; exit 0 ;;
esac
undefined=$(nm -D --undefined-only "$so" | awk '{print $2}' | grep -Ev '^(_ITM_|__gmon_start__|__cxa_finalize|_Jv_)' |
	grep -Ev '@GLIBC_' | grep -Ev '^__(asan|ubsan|lsan|sanitizer)' | tr '\n' ' ' || true)
ntk_assert_eq "" "$undefined" "symbols not from glibc"
ntk_pass "needs [$needed], exports only _nss_ntk_*"
