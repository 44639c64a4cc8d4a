#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Odd entries among a role's members and a case's holders: a referral object
# (never chased) and entries the bind may not read are skipped and logged,
# while the group's other members and holders still count.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

DIRTOOL=${DIRTOOL:-$top_builddir/tests/directory/dirtool}
[ -x "$DIRTOOL" ] || ntk_fail "dirtool not built: $DIRTOOL"
here=$top_srcdir/tests/directory
P="ou=people,dc=agency,dc=example"

ntk_tmpdir
# hidden: invisible to the bind; secret: the bind may learn it exists, nothing more.
SLAPD_EXTRA_ACL="access to dn.exact=\"uid=hidden,$P\" by * none
access to dn.exact=\"uid=secret,$P\" by * disclose" \
	slapd_start 29060 29069 "$here/role-groups.ldif" "$here/referral.ldif"
ntkd_write_conf
GCONF=$NTK_TMP/ntk-group.conf
sed '/^\[ldap\]/a role_source = group' "$NTK_CONF" >"$GCONF"

# What each odd entry looks like to the bind, so the test shows what it covers.
base_rc() {
	set +e
	ldapsearch -x -H "$SLAPD_URI" -D "$SLAPD_BINDDN" -w "$SLAPD_BINDPW" -s base -b "$1" >/dev/null 2>&1
	echo $?
	set -e
}
ntk_assert_eq 10 "$(base_rc "uid=moved,$P")" "a base search of the referral object: referral (10)"
ntk_assert_eq 32 "$(base_rc "uid=hidden,$P")" "a base search of hidden: noSuchObject (32)"
ntk_assert_eq 50 "$(base_rc "uid=secret,$P")" "a base search of secret: insufficientAccess (50)"

# dt WHAT EXPECTED CONF ARGS...: dirtool prints exactly EXPECTED (less its round-trip lines).
dt() {
	local what=$1 want=$2 got rc
	shift 2
	set +e
	got=$("$DIRTOOL" "$@" 2>>"$NTK_TMP/dirtool.log" | grep -v '^round_trips\|^server')
	rc=${PIPESTATUS[0]}
	set -e
	ntk_assert_eq "$want" "$got" "$what"
	ntk_assert_eq 0 "$rc" "$what: exit status"
}

dt "the members of a group holding a referral and unreadable entries" "role mixed
member alice
member erin" "$GCONF" role mixed
grep -q "uid=moved,$P" "$NTK_TMP/dirtool.log" || ntk_fail "the skipped referral is not logged: $(cat "$NTK_TMP/dirtool.log")"
grep -q "uid=secret,$P" "$NTK_TMP/dirtool.log" || ntk_fail "the unreadable member is not logged"
# Case 1001's holders: the referral object is not chased, the unreadable are not seen.
out=$("$DIRTOOL" "$NTK_CONF" case 1001 2>>"$NTK_TMP/dirtool.log") || ntk_fail "case 1001 failed: $out"
ntk_assert_contains "$out" "holder alice" "case 1001 keeps its readable holders"
ntk_assert_not_contains "$out" "moved" "no holder from the referral"
ntk_assert_not_contains "$out" "hidden" "no holder from an unreadable entry"
ntk_assert_not_contains "$out" "secret" "no holder from an unreadable entry"
ntk_pass "referrals and unreadable entries are skipped and logged, the rest still counts"
