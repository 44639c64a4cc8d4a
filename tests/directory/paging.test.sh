#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Large result sets come in pages (RFC 2696): with the server's size limit
# at 500 for ntkd's bind, a supervisor of 1,200, a case held by 1,500 and a
# role held by 2,000 (5,000 entries in all) are read whole, neither cut nor
# failed; the same searches unpaged stop at 500.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

DIRTOOL=${DIRTOOL:-$top_builddir/tests/directory/dirtool}
[ -x "$DIRTOOL" ] || ntk_fail "dirtool not built: $DIRTOOL"
ntk_tmpdir
W="ou=big,dc=agency,dc=example"
awk -v w="$W" 'BEGIN {
	print "dn: " w "\nobjectClass: organizationalUnit\nou: big\n"
	print "dn: uid=chief," w "\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: chief\ncn: c\nsn: c\nntkRole: supervisor\n"
	for (i = 0; i < 1200; i++)
		printf "dn: uid=rep%04d,%s\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: rep%04d\ncn: r\nsn: r\nntkRole: social_worker\nntkCaseAssignment: %d\nmanager: uid=chief,%s\n\n", i, w, i, 60000 + i, w
	for (i = 0; i < 1500; i++)
		printf "dn: uid=holder%04d,%s\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: holder%04d\ncn: h\nsn: h\nntkRole: social_worker\nntkCaseAssignment: 7777\n\n", i, w, i
	for (i = 0; i < 2000; i++)
		printf "dn: uid=clerk%04d,%s\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: clerk%04d\ncn: k\nsn: k\nntkRole: clerk\n\n", i, w, i
}' >"$NTK_TMP/big.ldif"
# Like AD's MaxPageSize: 500 entries per answer for ntkd's bind, any number in pages.
SLAPD_EXTRA_DB="limits dn.exact=\"$SLAPD_BINDDN\" size.soft=500 size.hard=500 size.prtotal=unlimited" \
	slapd_start 29070 29079 "$NTK_TMP/big.ldif"
NTK_TEST_LDAP_TIMEOUT=5 ntkd_write_conf

# The limit is real: an unpaged search as ntkd's bind stops at 500 (sizeLimitExceeded, 4).
set +e
n=$(ldapsearch -x -LLL -H "$SLAPD_URI" -D "$SLAPD_BINDDN" -w "$SLAPD_BINDPW" -b "$W" '(ntkRole=clerk)' 1.1 2>/dev/null | grep -c '^dn:')
rc=${PIPESTATUS[0]}
set -e
ntk_assert_eq 500 "$n" "unpaged entries"
ntk_assert_eq 4 "$rc" "unpaged search: sizeLimitExceeded"

# count WHAT PATTERN ARGS...: dirtool's lines matching PATTERN.
count() {
	local pat=$1 out
	shift
	out=$("$DIRTOOL" "$NTK_CONF" "$@" 2>>"$NTK_TMP/dirtool.log") || ntk_fail "dirtool $*: $out"
	printf '%s\n' "$out" | grep -c "$pat" || true
}
ntk_assert_eq 1200 "$(count '^supervised 1 rep' subject chief)" "a supervisor of 1,200: every report's case"
ntk_assert_eq 1500 "$(count '^holder holder' case 7777)" "a case held by 1,500"
ntk_assert_eq 2000 "$(count '^member clerk' role clerk)" "a role held by 2,000"
if grep -q 'cut at' "$NTK_TMP/dirtool.log"; then
	ntk_fail "a search was cut: $(grep 'cut at' "$NTK_TMP/dirtool.log")"
fi
ntk_pass "paged searches read 1,200 reports, 1,500 holders and 2,000 members past a 500-entry limit"
