#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A GROUP_BY_GID flood by an untrusted uid under visibility = member: no LDAP for gids it is
# not a member of, and root's cached groups and facts stay cached.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_need_root
ntk_need_cmd setpriv
ntk_tmpdir
slapd_start 28900 28919 "$top_srcdir/tests/integration/nobody.ldif"
ntkd_write_conf
ntkd_start
chmod 644 "$NTK_CONF"
cp "$top_builddir/tests/integration/ntk_send" "$top_builddir/tests/integration/ntk_flood" "$NTK_TMP/"
send() { "$NTK_TMP/ntk_send" "$NTK_SOCKET" "$@"; }
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
trips() { ntk_status | sed -n 's/^ldap_round_trips=//p'; }

# Root's entries: two case groups and alice's facts, cached.
ntk_assert_eq "ntk-case-1002 201002 alice,carol,dave" "$(send gid 201002)" "root gid 201002"
ntk_assert_eq "ntk-case-1003 201003 bob,carol,dave,trent" "$(send gid 201003)" "root gid 201003"
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
# nobody's own facts and its one case group, cached.
out=$(as_nobody "$NTK_TMP/ntk_send" "$NTK_SOCKET" gid 201001 || true)
ntk_assert_eq "ntk-case-1001 201001 alice,carol,dave,grace,nobody" "$out" "nobody's own group"

# The flood: 4,000 case gids on 8 connections, 201001 among them.
before=$(trips)
out=$(as_nobody "$NTK_TMP/ntk_flood" "$NTK_SOCKET" gids 200000 203999 8)
ntk_log "flood: $out, LDAP round trips $before -> $(trips)"
ntk_assert_eq "found=1 notfound=3999 other=0" "$out" "nobody sees only its own group"
ntk_assert_eq "$before" "$(trips)" "LDAP round trips during the flood"

# Root's entries are still cached: asking again costs no LDAP.
ntk_assert_eq "ntk-case-1002 201002 alice,carol,dave" "$(send gid 201002)" "root gid 201002 again"
ntk_assert_eq "ntk-case-1003 201003 bob,carol,dave,trent" "$(send gid 201003)" "root gid 201003 again"
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
ntk_assert_eq "$before" "$(trips)" "LDAP round trips for root's cached entries after the flood"
ntkd_finish
ntk_pass "group flood by an untrusted uid"
