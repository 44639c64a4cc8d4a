#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Following changes to role groups (role_source = group, syncprov, ttl = 3600):
# a member removed loses the role at once while the group's other members stay
# cached; a member added gains it; a role group deleted takes the role from all;
# a group nested in a role group (group_nesting = 1) added and taken out again.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
NTK_SEND=$top_builddir/tests/integration/ntk_send
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_tmpdir
SLAPD_EXTRA_MODULES=syncprov SLAPD_EXTRA_DB=$'index entryCSN,entryUUID eq\noverlay syncprov\nsyncprov-checkpoint 100 1\nsyncprov-sessionlog 1000' \
	slapd_start 29470 29479 "$top_srcdir/tests/directory/role-groups.ldif"
NTK_TEST_TTL=3600 NTK_TEST_NEGATIVE_TTL=3600 ntkd_write_conf
printf '\n[ldap]\nrole_source = group\ngroup_nesting = 1\n' >>"$NTK_CONF"
ntkd_start
send() { "$NTK_SEND" "$NTK_SOCKET" "$@"; }
modify() { printf '%s\n' "$@" | slapd_modify; }
poll_check() {
	local want=$1
	shift
	ntk_wait_for 10 sh -c "'$NTKCTL' -c '$NTK_CONF' check $* | grep -qx '$want'" ||
		ntk_fail "check $*: still [$(ntkctl_t check "$@" 2>&1 || true)] 10 s after the change, want [$want]"
	check_is "$want" "$@"
}
ntk_wait_for 20 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -qx dir_sync=following" ||
	ntk_fail "no subscription: $(ntk_status | grep dir_sync)"

check_is "ALLOW rule=role:legal" --user erin --system FACTS --case 1001
check_is "ALLOW rule=role:legal" --user grace --system FACTS --case 1003
check_is "ALLOW rule=supervisor" --user carol --system FACTS --case 1001
check_is "DENY reason=system-not-permitted" --user dave --system FACTS --case 1001
ntk_assert_contains "$(send group ntk-role-legal)" "erin,grace" "role group before"

# 1. A member removed: erin loses legal; grace, still a member, is not even refetched.
modify "dn: cn=legal,ou=groups,$SLAPD_BASE" "changetype: modify" "delete: member" \
	"member: uid=erin,ou=people,$SLAPD_BASE"
poll_check "DENY reason=system-not-permitted" --user erin --system FACTS --case 1001
ntk_wait_for 10 sh -c "'$NTK_SEND' '$NTK_SOCKET' group ntk-role-legal | grep -qx 'ntk-role-legal 191002 grace'" ||
	ntk_fail "role group after the removal: $(send group ntk-role-legal)"
out=$(ntkctl_t check --user grace --system FACTS --case 1003 --explain 2>&1 || true)
ntk_assert_contains "$out" "facts: from cache" "grace's facts kept"

# 2. A member added: dave becomes a supervisor (carol, then alice, below him).
modify "dn: cn=supervisor,ou=groups,$SLAPD_BASE" "changetype: modify" "add: member" \
	"member: uid=dave,ou=people,$SLAPD_BASE"
poll_check "ALLOW rule=supervisor" --user dave --system FACTS --case 1001

# 3. The group deleted: everyone in it loses the role.
ldapdelete -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" "cn=supervisor,ou=groups,$SLAPD_BASE"
poll_check "DENY reason=system-not-permitted" --user carol --system FACTS --case 1001
poll_check "DENY reason=system-not-permitted" --user dave --system FACTS --case 1001

# 4. Nesting (group_nesting = 1): a new group lawyers made a member of legal gives
#    frank, its member, the role; taken out again, frank loses it.
check_is "DENY reason=system-not-permitted" --user frank --system FACTS --case 1003
printf 'dn: cn=lawyers,ou=groups,%s\nobjectClass: groupOfNames\ncn: lawyers\nmember: uid=frank,ou=people,%s\n' \
	"$SLAPD_BASE" "$SLAPD_BASE" | ldapadd -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" >/dev/null
check_is "DENY reason=system-not-permitted" --user frank --system FACTS --case 1003
modify "dn: cn=legal,ou=groups,$SLAPD_BASE" "changetype: modify" "add: member" \
	"member: cn=lawyers,ou=groups,$SLAPD_BASE"
poll_check "ALLOW rule=role:legal" --user frank --system FACTS --case 1003
modify "dn: cn=legal,ou=groups,$SLAPD_BASE" "changetype: modify" "delete: member" \
	"member: cn=lawyers,ou=groups,$SLAPD_BASE"
poll_check "DENY reason=system-not-permitted" --user frank --system FACTS --case 1003
ntkd_finish
ntk_pass "role group changes followed: member removed, member added, group deleted, nested group"
