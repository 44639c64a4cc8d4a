#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# NSS groups from ntkd: names, gids, members, initgroups, visibility and enumeration.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_need_root
ntk_need_cmd setpriv
ntk_tmpdir
slapd_start 28900 28919 "$top_srcdir/tests/integration/nobody.ldif"
# Holders without a usable role (declared and listed by a system): quinn has none left (withdrawn),
# judy's hr role opens no system. ntkctl check denies both; no case group may hold them either.
slapd_modify <<LDIF
dn: uid=quinn,ou=people,dc=agency,dc=example
changetype: add
objectClass: inetOrgPerson
objectClass: ntkStaff
uid: quinn
cn: Quinn Former
sn: Former
ntkCaseAssignment: 1004

dn: uid=judy,ou=people,dc=agency,dc=example
changetype: modify
add: ntkCaseAssignment
ntkCaseAssignment: 1004
LDIF
ntkd_write_conf
ntkd_start
chmod 644 "$NTK_CONF"
# Copies the unprivileged peer can reach wherever the build tree lives.
cp "$NTKCTL" "$NTK_TMP/ntkctl"
cp "$NTK_SEND" "$NTK_TMP/ntk_send"
NTKCTL=$NTK_TMP/ntkctl
NTK_SEND=$NTK_TMP/ntk_send
send() { "$NTK_SEND" "$NTK_SOCKET" "$@"; }
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
group_is() { # EXPECTED_LINE ARGS...
	local want=$1 got
	shift
	got=$(send "$@" || true)
	ntk_assert_eq "$want" "$got" "ntk_send $*"
}

# Systems and roles, gids by config order.
group_is "ntk-sys-FACTS 190000 alice,bob,carol,dave,erin,frank,grace,heidi,ivan,mallory,nobody,oscar,trent" group ntk-sys-FACTS
group_is "ntk-sys-COURTS 190001 erin,grace" group ntk-sys-COURTS
group_is "ntk-role-supervisor 191001 carol,dave" group ntk-role-supervisor
group_is "ntk-role-hr 191007 judy" group ntk-role-hr
# Cases: active holders with a usable role (any system, releases too) and supervisors above one.
group_is "ntk-case-1001 201001 alice,carol,dave,grace,nobody" group ntk-case-1001
group_is "ntk-case-1002 201002 alice,carol,dave" group ntk-case-1002
group_is "ntk-case-1003 201003 bob,carol,dave,trent" group ntk-case-1003
group_is "ntk-case-1004 201004" group ntk-case-1004
group_is "ntk-case-1005 201005 heidi" group ntk-case-1005
group_is "ntk-case-4242 204242" group ntk-case-4242
# By gid: the ranges map back.
group_is "ntk-case-1001 201001 alice,carol,dave,grace,nobody" gid 201001
group_is "ntk-sys-COURTS 190001 erin,grace" gid 190001
group_is "ntk-role-supervisor 191001 carol,dave" gid 191001
# Outside every range, or not a canonical number: not found, without LDAP.
trips=$(ntk_status | sed -n 's/^ldap_round_trips=//p')
for name in ntk-case-01001 ntk-case-abc ntk-case-100000 ntk-case- ntk-case--1 ntk-sys-NOPE ntk-role-janitor ntk-foo root; do
	group_is "ERROR not found" group "$name"
done
for gid in 0 5 190002 191008 199999 300000 4294967295; do
	group_is "ERROR not found" gid "$gid"
done
ntk_assert_eq "$trips" "$(ntk_status | sed -n 's/^ldap_round_trips=//p')" "no LDAP for out-of-range names"

# initgroups: systems they may log in to, roles, own and supervised active cases.
group_is "190000 191000 201001 201002" initgroups alice
group_is "190000 191001 201001 201002 201003" initgroups carol
group_is "190000 191001 201001 201002 201003" initgroups dave
group_is "191007" initgroups judy
group_is "" initgroups quinn
# The same people as a decision: no role on any system, so no business reason either.
for u in quinn judy; do
	ntk_assert_contains "$(ntkctl_t check --user $u --system FACTS --case 1004 || true)" "DENY" "$u reads 1004"
done
group_is "190000 190001 191002" initgroups erin
group_is "190000 191000 201005" initgroups heidi
group_is "" initgroups nosuchuser

# visibility = member: an untrusted peer sees groups it belongs to, and only its own initgroups.
out=$(as_nobody "$NTK_SEND" "$NTK_SOCKET" group ntk-case-1001 || true)
ntk_assert_eq "ntk-case-1001 201001 alice,carol,dave,grace,nobody" "$out" "member sees its group"
out=$(as_nobody "$NTK_SEND" "$NTK_SOCKET" group ntk-case-1003 || true)
ntk_assert_eq "ERROR not found" "$out" "non-member does not see the group"
out=$(as_nobody "$NTK_SEND" "$NTK_SOCKET" gid 190001 || true)
ntk_assert_eq "ERROR not found" "$out" "non-member by gid"
out=$(as_nobody "$NTK_SEND" "$NTK_SOCKET" initgroups alice || true)
ntk_assert_eq "ERROR not found" "$out" "initgroups of someone else"
out=$(as_nobody "$NTK_SEND" "$NTK_SOCKET" initgroups nobody || true)
ntk_assert_eq "190000 191000 201001" "$out" "initgroups of itself"
# Enumeration is off by default.
group_is "ERROR not found" list

# SIGHUP: enumerate = yes, visibility = all.
sed -i 's/^enumerate = .*/enumerate = yes/; s/^visibility = .*/visibility = all/' "$NTK_CONF"
kill -HUP "$NTKD_PID"
ntk_wait_for 5 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -q config_generation=2" || ntk_fail "reload"
out=$(send list)
ntk_assert_eq 10 "$(printf '%s\n' "$out" | wc -l)" "2 system + 8 role groups listed"
ntk_assert_contains "$out" "ntk-sys-COURTS 190001 erin,grace" "list has systems"
ntk_assert_contains "$out" "ntk-role-oncall 191006 oscar" "list has roles"
ntk_assert_not_contains "$out" "ntk-case-" "list has no case groups"
out=$(as_nobody "$NTK_SEND" "$NTK_SOCKET" group ntk-case-1003 || true)
ntk_assert_eq "ntk-case-1003 201003 bob,carol,dave,trent" "$out" "visibility all"
out=$(as_nobody "$NTK_SEND" "$NTK_SOCKET" initgroups carol || true)
ntk_assert_eq "190000 191001 201001 201002 201003" "$out" "visibility all: initgroups of others"

# Membership follows the directory once the cached answer is flushed.
group_is "ntk-case-1004 201004" group ntk-case-1004
printf 'dn: uid=ivan,ou=people,dc=agency,dc=example\nchangetype: modify\nadd: ntkCaseAssignment\nntkCaseAssignment: 1004\n' | slapd_modify
group_is "ntk-case-1004 201004" group ntk-case-1004
ntkctl_t flush >/dev/null
group_is "ntk-case-1004 201004 ivan" group ntk-case-1004
ntkd_finish
ntk_pass "NSS groups"
