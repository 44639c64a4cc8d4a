#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An AD-shaped directory (user/group classes, sAMAccountName, memberOf from
# slapd's memberof overlay, userAccountControl, a county's own case
# attribute) decided with conf/ntk.conf.ad.sample as shipped, less the site
# names: roles by group RDN, case-insensitive role names, disabled accounts,
# supervision, NSS role groups; and nested groups with role_source = group.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

. "$top_srcdir/tests/lib/ad_dir.sh"
C=$AD_OU
ntk_tmpdir
ad_slapd_start 28900 28919
out=$(ldapsearch -x -LLL -H "$SLAPD_URI" -b "$C" '(sAMAccountName=ana)' memberOf)
ntk_assert_contains "$out" "memberOf: cn=FACTS-Caseworkers,$C" "the overlay wrote ana's memberOf"
ad_write_conf
ntkd_start
send() { "$NTK_SEND" "$NTK_SOCKET" "$@"; }

# Roles from group RDNs; Legal in AD is [role:legal] in the config.
check_is "ALLOW rule=assigned" --user ana --system FACTS --case 5001
check_is "DENY reason=assignment-expired" --user ana --system FACTS --case 5003
check_is "DENY reason=no-business-reason" --user ana --system FACTS --case 5002
check_is "ALLOW rule=supervisor" --user sam --system FACTS --case 5001
check_is "ALLOW rule=role:legal" --user lee --system FACTS --case 5002
out=$(ntkctl_t check --user lee --system FACTS --case 5002 --explain)
ntk_assert_contains "$out" "roles: Legal" "lee's role as the directory spells it"
# The logon name is exact: AD matches ANA to ana, needtoknow does not.
check_is "DENY reason=unknown-user" --user ANA --system FACTS
# Disabled by userAccountControl; no group, no access.
check_is "DENY reason=account-disabled" --user gone --system FACTS --case 5001
check_is "DENY reason=system-not-permitted" --user tom --system FACTS --case 5001
# memberOf lists direct groups only: pat (in Court Liaisons, inside Legal) gets nothing here.
check_is "DENY reason=system-not-permitted" --user pat --system FACTS
# NSS: case and role groups named from the same facts.
ntk_assert_eq "ntk-case-5001 205001 ana,sam" "$(send group ntk-case-5001 || true)" "case group 5001"
ntk_assert_eq "ntk-role-FACTS-Caseworkers 191000 ana" "$(send group ntk-role-FACTS-Caseworkers || true)" \
	"role group by group RDN (gone is disabled)"
ntk_assert_eq "ntk-role-legal 191002 lee" "$(send group ntk-role-legal || true)" "role group legal"
ntkd_stop

# role_source = group, following one level of groups within groups (and a cycle).
sed -i -e 's|^role_attribute = memberOf|role_source = group\nrole_group_filter = (\&(objectClass=group)(member=%s))\ngroup_nesting = 2|' \
	-e '/^role_value = rdn/d' "$NTK_CONF"
ntkd_start
check_is "ALLOW rule=role:legal" --user pat --system FACTS --case 5002
check_is "ALLOW rule=role:legal" --user lee --system FACTS --case 5002
check_is "ALLOW rule=assigned" --user ana --system FACTS --case 5001
ntk_assert_eq "ntk-role-legal 191002 lee,pat" "$(send group ntk-role-legal || true)" "nested role group members"
ntkd_stop
sed -i 's/^group_nesting = 2/group_nesting = 0/' "$NTK_CONF"
ntkd_start
check_is "DENY reason=system-not-permitted" --user pat --system FACTS --case 5002
ntk_assert_eq "ntk-role-legal 191002 lee" "$(send group ntk-role-legal || true)" "no nesting: direct members only"
ntkd_finish
ntk_pass "an AD-shaped directory decides through conf/ntk.conf.ad.sample"
