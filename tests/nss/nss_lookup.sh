#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# getent group / the module's entry points against slapd + ntkd: every group kind, ERANGE retries, filters, enumeration.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/nss/nss_lib.sh"

ntk_tmpdir
nss_need_module
nss_wrapper_setup
nss_big_ldif 300
nss_start_servers "$NTK_TMP/big.ldif"

# Every group kind, by name and by gid, through getent under nss_wrapper.
for want in "${NSS_EXPECT_GROUPS[@]}"; do
	name=${want%%:*}
	gid=$(echo "$want" | cut -d: -f3)
	got=$(nss_wrap getent group "$name" | nss_sorted) || ntk_fail "getent group $name failed"
	ntk_assert_eq "$want" "$got" "getent group $name"
	got=$(nss_wrap getent group "$gid" | nss_sorted) || ntk_fail "getent group $gid failed"
	ntk_assert_eq "$want" "$got" "getent group $gid"
done
# An empty case group is found: the gid exists, nobody has a reason to know.
got=$(nss_probe name ntk-case-1004)
ntk_assert_eq "SUCCESS errno=0 ntk-case-1004:*:201004:" "$got" "empty case group"
# files still comes first and is untouched.
got=$(nss_wrap getent group localstaff)
ntk_assert_eq "localstaff:x:6000:alice,carol" "$got" "files group"

# A group bigger than glibc's first buffer: the caller's retry gets all 300 members.
got=$(nss_wrap getent group ntk-case-1009) || ntk_fail "getent group ntk-case-1009 failed"
n=$(echo "$got" | cut -d: -f4 | tr ',' '\n' | grep -c '^worker')
ntk_assert_eq 300 "$n" "members of ntk-case-1009"
# Every buffer smaller than needed is ERANGE + TRYAGAIN, then the exact size works.
got=$(nss_probe minbuf ntk-case-1009) || ntk_fail "minbuf ntk-case-1009: $got"
ntk_assert_contains "$got" "SUCCESS errno=0 ntk-case-1009:*:201009:" "minbuf ntk-case-1009"
got=$(nss_probe minbuf ntk-case-1001) || ntk_fail "minbuf ntk-case-1001: $got"
ntk_assert_contains "$got" "SUCCESS errno=0 ntk-case-1001:" "minbuf ntk-case-1001"
got=$(nss_probe name ntk-case-1001 8)
ntk_assert_eq "TRYAGAIN errno=ERANGE" "$got" "8-byte buffer"
got=$(nss_probe gid 201001 0)
ntk_assert_eq "TRYAGAIN errno=ERANGE" "$got" "0-byte buffer by gid"

# Names that cannot be ours, or carry filter metacharacters: NOTFOUND, and getent exits 2.
for name in 'ntk-case-*' 'ntk-case-(' 'ntk-role-*)(uid=*' 'ntk-sys-FACTS*' 'ntk-case-01001' \
	'ntk-case-1001 ' 'ntk-case-4294967296' 'ntk-role-' 'nosuchgroup' 'ntk-role-nosuchrole' \
	'ntk-sys-NOSUCH' 'ntk-case-200000'; do
	got=$(nss_probe name "$name")
	ntk_assert_eq "NOTFOUND errno=ENOENT" "$got" "getgrnam_r [$name]"
	set +e
	nss_wrap getent group "$name" >/dev/null
	rc=$?
	set -e
	ntk_assert_eq 2 "$rc" "getent group [$name] exit status"
done
# Unknown gids: outside the build window, and inside it but assigned to nothing.
for gid in 0 100 189999 300000 4294967294 190050 191099; do
	got=$(nss_probe gid "$gid")
	ntk_assert_eq "NOTFOUND errno=ENOENT" "$got" "getgrgid_r $gid"
done

# NOTFOUND without asking: with no daemon at all, foreign names and gids are
# still NOTFOUND (asking would give UNAVAIL), ours are UNAVAIL.
NTK_SOCKET_SAVED=$NTK_SOCKET
NTK_SOCKET="$NTK_TMP/no-such.sock"
ntk_assert_eq "NOTFOUND errno=ENOENT" "$(nss_probe name root)" "foreign name, no daemon"
ntk_assert_eq "NOTFOUND errno=ENOENT" "$(nss_probe name 'ntk-case-*')" "bad case name, no daemon"
ntk_assert_eq "NOTFOUND errno=ENOENT" "$(nss_probe gid 0)" "foreign gid, no daemon"
ntk_assert_eq "UNAVAIL errno=ENOENT" "$(nss_probe name ntk-case-1001)" "our name, no daemon"
ntk_assert_eq "UNAVAIL errno=ENOENT" "$(nss_probe gid 201001)" "our gid, no daemon"
ntk_assert_eq "UNAVAIL errno=ENOENT" "$(nss_probe initgroups alice)" "initgroups, no daemon"
NTK_SOCKET=$NTK_SOCKET_SAVED

# ntkd's own counters (ntkctl status): a status call counts itself as one request.
stat_of() { ntk_status | sed -n "s/^$1=//p"; }
# Names and gids that cannot be ours never reach ntkd.
r0=$(stat_of requests)
for name in root nosuchgroup 'ntk-case-*' 'ntk-case-01' 'ntk-role-(' 'ntk-sys-'; do
	nss_probe name "$name" >/dev/null
	nss_wrap getent group "$name" >/dev/null || true
done
for gid in 0 100 189999 300000; do nss_probe gid "$gid" >/dev/null; done
r1=$(stat_of requests)
ntk_assert_eq $((r0 + 1)) "$r1" "ntkd requests across 16 foreign lookups"
# A warm lookup is answered from the NSS map ntkd published: no request at all.
nss_map_wait ntk-case-1001
r0=$(stat_of requests)
for i in $(seq 1 10); do nss_probe gid 201001 >/dev/null; done
ntk_assert_eq $((r0 + 1)) "$(stat_of requests)" "ntkd requests for 10 warm lookups (map)"
# Membership comes from ntkd's cache: 100 warm lookups (ls -l over a share) cost no LDAP round trip.
lt0=$(stat_of ldap_round_trips)
for i in $(seq 1 25); do
	nss_probe gid 201001
	nss_probe name ntk-case-1003
	nss_probe gid 190000
	nss_probe name ntk-role-supervisor
done >/dev/null
ntk_assert_eq "$lt0" "$(stat_of ldap_round_trips)" "LDAP round trips during 100 warm lookups"

# initgroups: the user's system, role and case groups, primary group skipped.
for u in "${!NSS_EXPECT_INITGROUPS[@]}"; do
	got=$(nss_probe initgroups "$u")
	ids=$(echo "$got" | cut -d' ' -f3- | tr ' ' '\n' | sort -n | tr '\n' ' ')
	ntk_assert_eq "SUCCESS errno=0" "$(echo "$got" | cut -d' ' -f1-2)" "initgroups $u status"
	ntk_assert_eq "${NSS_EXPECT_INITGROUPS[$u]} " "$ids" "initgroups $u"
done
ntk_assert_eq "NOTFOUND errno=ENOENT" "$(nss_probe initgroups nosuchuser)" "initgroups unknown user"
# The caller's limit is respected (nss_probe fails if the array grew past it).
got=$(nss_probe initgroups carol 3) || ntk_fail "initgroups limit: $got"
ntk_assert_eq 2 "$(echo "$got" | wc -w | awk '{print $1 - 2}')" "initgroups carol with limit 3"

# Enumeration is off by default: setgrent succeeds, getgrent finds nothing.
got=$(nss_probe enum 1)
ntk_assert_eq "setgrent SUCCESS
NOTFOUND errno=ENOENT" "$got" "enumeration off"

# The module's socket is close-on-exec; the application closes it and reuses the number: noticed, left alone.
# (Through a link to the socket: no map is published next to the link, so both lookups use the socket.)
ln -s "$NTK_SOCKET" "$NTK_TMP/link.sock"
got=$(NTK_SOCKET="$NTK_TMP/link.sock" ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
	nss_probe fdreuse ntk-case-1001) ||
	ntk_fail "fd reuse: $got"
ntk_assert_eq 2 "$(echo "$got" | grep -c '^SUCCESS errno=0 ntk-case-1001:')" "lookups around fd reuse"

# Enumeration turned on: the system and role groups (case groups are looked up
# by name or gid only: there is one per possible case id), each through a
# 1-byte first buffer, so every entry takes the ERANGE retry.
NTK_TEST_ENUMERATE=yes nss_restart_ntkd
got=$(nss_probe enum 1)
listed=$(echo "$got" | sed -n 's/^SUCCESS errno=0 //p' | nss_sorted)
for want in "${NSS_EXPECT_GROUPS[@]}"; do
	case $want in
	ntk-case-*) ntk_assert_not_contains "$listed" "${want%%:*}:" "enumerated" ;;
	*) ntk_assert_contains "$listed" "$want" "enumerated" ;;
	esac
done
# 2 systems and 8 roles in the sample config.
ntk_assert_eq 10 "$(echo "$listed" | grep -c '^ntk-')" "groups enumerated"
ntk_assert_eq "NOTFOUND errno=ENOENT" "$(echo "$got" | tail -1)" "enumeration ends"
got=$(nss_wrap getent group | grep -c '^ntk-') || true
ntk_assert_eq 10 "$got" "getent group (enumeration through nss_wrapper)"

# The module under valgrind: no invalid access, no leak, across lookups of every kind.
if command -v valgrind >/dev/null 2>&1 && [ -z "$NSS_SAN_PRELOAD" ]; then
	for args in "name ntk-case-1009 100" "gid 201001" "initgroups carol" "enum 1" "minbuf ntk-case-1003"; do
		# shellcheck disable=SC2086
		NTK_SOCKET=$NTK_SOCKET valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$NSS_PROBE" "$NSS_SO" $args >/dev/null 2>"$NTK_TMP/vg.log" ||
			ntk_fail "valgrind nss_probe $args: $(cat "$NTK_TMP/vg.log")"
	done
fi

ntk_pass "group kinds, ERANGE retries, filters, initgroups, enumeration"
