#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The NSS map: warm answers without ntkd (frozen), never past their expiry, retired on a cache drop and
# at restart, damaged or foreign map files ignored, per-uid views that show a user only their own groups.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/nss/nss_lib.sh"

ntk_tmpdir
nss_need_module
NTK_TEST_TTL=300
nss_start_servers
MAP="$NTK_SOCKET.map"
NSS_BENCH="$top_builddir/tests/nss/nss_bench"
stat_of() { ntk_status | sed -n "s/^$1=//p"; }
# A frozen ntkd answers nothing (a socket lookup would wait 2 s and be UNAVAIL); always thawed at exit.
freeze() { kill -STOP "$NTKD_PID"; }
thaw() { kill -CONT "$NTKD_PID" 2>/dev/null || true; }
ntk_on_exit thaw
want1001="SUCCESS errno=0 ${NSS_EXPECT_GROUPS[0]}"
probe1001() { nss_probe name ntk-case-1001 | nss_sorted_probe; }
# nss_probe prints "STATUS errno=E name:*:gid:members": sort the members.
nss_sorted_probe() {
	local line st
	while IFS= read -r line; do
		st=${line%% *}
		case $st in
		SUCCESS) echo "SUCCESS errno=0 $(echo "${line#SUCCESS errno=0 }" | nss_sorted)" ;;
		*) echo "$line" ;;
		esac
	done
}

# 1. Hits come from the map: ntkd is frozen and the answer is still right, at once.
ntk_assert_eq "$want1001" "$(probe1001)" "first lookup (socket)"
got=$(nss_probe initgroups alice)
nss_map_wait ntk-case-1001
nss_map_wait alice
ntk_assert_eq "-r--------" "$(stat -c %A "$MAP")" "full map mode (visibility = member)"
ntk_assert_eq "0" "$(stat -c %u "$MAP")" "full map owner"
r0=$(stat_of requests)
for i in 1 2 3 4 5; do nss_probe gid 201001 >/dev/null; done
ntk_assert_eq $((r0 + 1)) "$(stat_of requests)" "requests for 5 warm lookups"
freeze
start=$(date +%s%N)
got=$(probe1001)
ms=$((($(date +%s%N) - start) / 1000000))
ntk_assert_eq "$want1001" "$got" "warm lookup with ntkd frozen"
got=$(nss_probe initgroups alice)
ntk_assert_eq "SUCCESS errno=0 $(echo "${NSS_EXPECT_INITGROUPS[alice]}" | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"$(echo "$got" | cut -d' ' -f1-2) $(echo "$got" | cut -d' ' -f3- | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"initgroups alice with ntkd frozen"
# The same through nss_wrapper's getent.
nss_wrapper_setup
got=$(nss_wrap getent group ntk-case-1001 | nss_sorted) || { thaw; ntk_fail "nss_wrapper getent, ntkd frozen"; }
ntk_assert_eq "${NSS_EXPECT_GROUPS[0]}" "$got" "nss_wrapper getent group with ntkd frozen"
# dlclose() unmaps the map.
got=$(nss_probe dlclose ntk-case-1001 "${MAP##*/}")
ntk_assert_contains "$got" "mapped before dlclose: 1" "map mapped by the lookup"
ntk_assert_contains "$got" "mapped after dlclose: 0" "map unmapped by dlclose"
# A group never asked for is not in the map: the socket is asked, and it is frozen.
ntk_assert_eq "UNAVAIL errno=EAGAIN" "$(nss_probe name ntk-case-1002)" "miss with ntkd frozen"
thaw
echo "warm lookup with ntkd frozen: ${ms} ms (a socket lookup would have waited 2000 ms)"

# 2. Damaged, foreign and loose map files are ignored: the socket answers (one request each).
# (The frozen ntkd answered the queued ntk-case-1002 on thawing: let that publish settle first.)
nss_map_wait ntk-case-1002
sleep 0.2
cp -p "$MAP" "$NTK_TMP/map.good"
try_bad() { # what
	local r0
	r0=$(stat_of requests)
	ntk_assert_eq "$want1001" "$(probe1001)" "lookup with $1 map"
	ntk_assert_eq $((r0 + 2)) "$(stat_of requests)" "socket asked with $1 map"
}
install_map() { mv -f "$NTK_TMP/map.bad" "$MAP"; }
# A flipped byte in ntk-case-1001's record (its first member): that record's checksum fails,
# so the socket answers it; the rest of the map (alice's initgroups) is still served.
cp -p "$NTK_TMP/map.good" "$NTK_TMP/map.bad"
size=$(stat -c %s "$NTK_TMP/map.bad")
at=$(grep -obUa 'ntk-case-1001' "$NTK_TMP/map.bad" | head -1 | cut -d: -f1)
[ -n "$at" ] || ntk_fail "ntk-case-1001 not found in the map"
printf 'X' | dd of="$NTK_TMP/map.bad" bs=1 seek=$((at + 14)) conv=notrunc status=none
install_map
try_bad corrupted
r0=$(stat_of requests)
nss_probe initgroups alice >/dev/null
ntk_assert_eq $((r0 + 1)) "$(stat_of requests)" "the intact records of a damaged map still served"
# Truncated.
head -c $((size / 2)) "$NTK_TMP/map.good" >"$NTK_TMP/map.bad"
chmod 0400 "$NTK_TMP/map.bad"
install_map
try_bad truncated
# Not a map at all.
head -c "$size" /dev/urandom >"$NTK_TMP/map.bad"
chmod 0400 "$NTK_TMP/map.bad"
install_map
try_bad random
# World-writable, group-writable, owned by another user, a symlink.
for how in 0666 0620 nobody symlink; do
	cp -p "$NTK_TMP/map.good" "$NTK_TMP/map.bad"
	case $how in
	nobody) chown nobody "$NTK_TMP/map.bad" ;;
	symlink) cp -p "$NTK_TMP/map.good" "$NTK_TMP/map.target"; rm -f "$NTK_TMP/map.bad"
		ln -s "$NTK_TMP/map.target" "$NTK_TMP/map.bad" ;;
	*) chmod "$how" "$NTK_TMP/map.bad" ;;
	esac
	install_map
	try_bad "$how"
done
# The good one back: served from the map again.
rm -f "$MAP"
cp -p "$NTK_TMP/map.good" "$MAP"
r0=$(stat_of requests)
ntk_assert_eq "$want1001" "$(probe1001)" "lookup with the good map back"
ntk_assert_eq $((r0 + 1)) "$(stat_of requests)" "no socket with the good map back"

# 3. A cache drop retires the published map at once: the next lookup asks ntkd.
ntkctl_t flush >/dev/null
freeze
ntk_assert_eq "UNAVAIL errno=EAGAIN" "$(nss_probe name ntk-case-1001)" "dropped answer not served from the map"
thaw
ntk_assert_eq "$want1001" "$(probe1001)" "lookup after flush"
nss_map_wait ntk-case-1001

# 4. Expiry: with ttl = 2 an answer is served from the map for at most 2 s, then it is a miss.
NTK_TEST_TTL=2 nss_restart_ntkd
ntk_assert_eq "$want1001" "$(probe1001)" "lookup, ttl 2"
nss_map_wait ntk-case-1001
freeze
ntk_assert_eq "$want1001" "$(probe1001)" "served from the map within the ttl"
sleep 3
ntk_assert_eq "UNAVAIL errno=EAGAIN" "$(nss_probe name ntk-case-1001)" "expired record not served (ntkd frozen)"
thaw

# 5. Restart: the old map is retired and removed; one process looking up throughout gets
# only right answers (from the map, the socket, or UNAVAIL while ntkd is down), and the new
# map afterwards.
NTK_TEST_TTL=300 nss_restart_ntkd
ntk_assert_eq "$want1001" "$(probe1001)" "lookup after restart"
nss_map_wait ntk-case-1001
ino0=$(stat -c %i "$MAP")
# Held open, the old file's inode cannot be reused by the new one (ext4 reuses freed inodes).
exec 9<"$MAP"
nss_probe loop ntk-case-1001 60 50 >"$NTK_TMP/loop.out" &
loop_pid=$!
sleep 0.5
nss_restart_ntkd
ntk_assert_eq "$want1001" "$(probe1001)" "lookup after the second restart"
# Regrowth: more answers published while the loop runs.
for g in ntk-case-1002 ntk-case-1003 ntk-sys-FACTS ntk-role-supervisor; do nss_probe name "$g" >/dev/null; done
nss_map_wait ntk-role-supervisor
wait "$loop_pid"
bad=$(nss_sorted_probe <"$NTK_TMP/loop.out" | grep -vxF "$want1001" | grep -v '^UNAVAIL ' || true)
ntk_assert_eq "" "$bad" "answers across a restart"
ntk_assert_eq 60 "$(wc -l <"$NTK_TMP/loop.out")" "loop answers"
[ "$(stat -c %i "$MAP")" != "$ino0" ] || ntk_fail "the restarted ntkd kept the old map file"
exec 9<&-
# ntkd stopped cleanly: no map left behind.
ntkd_stop
[ ! -e "$MAP" ] || ntk_fail "map left after ntkd stopped"
ntk_assert_eq "UNAVAIL errno=ENOENT" "$(nss_probe name ntk-case-1001)" "no ntkd, no map"
ntkd_start

# 6. [nss] map = no: nothing published, every lookup a round trip.
NTK_TEST_NSS_MAP=no nss_restart_ntkd
nss_probe name ntk-case-1001 >/dev/null
sleep 0.3
[ ! -e "$MAP" ] || ntk_fail "map published with map = no"
r0=$(stat_of requests)
for i in 1 2 3; do nss_probe name ntk-case-1001 >/dev/null; done
ntk_assert_eq $((r0 + 4)) "$(stat_of requests)" "requests with map = no"
nss_restart_ntkd

# 7. Visibility (root: local users and setpriv). With visibility = member no file an
# untrusted uid can read holds more than its own groups and initgroups.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	nss_real_setup
	nss_local_users alice bob mallory
	as() { local u=$1; shift; nss_real setpriv --reuid="$u" --regid="$u" --clear-groups "$@"; }
	# Root fills the full map with everything; the users ask for their own.
	for g in ntk-case-1001 ntk-case-1002 ntk-case-1003 ntk-sys-FACTS ntk-role-social_worker; do
		nss_probe name "$g" >/dev/null
	done
	for u in alice bob mallory; do
		as "$u" getent initgroups "$u" >/dev/null || true
		as "$u" getent group ntk-sys-FACTS >/dev/null || true
	done
	as alice getent group ntk-case-1001 >/dev/null
	as bob getent group ntk-case-1003 >/dev/null
	nss_map_wait ntk-case-1003
	for u in alice bob mallory; do
		uid=$(id -u "$u")
		nss_map_wait "$u" "$MAP.$uid"
		ntk_assert_eq "$u -r--------" "$(stat -c '%U %A' "$MAP.$uid")" "view of $u: owner and mode"
	done
	nss_map_wait ntk-case-1001 "$MAP.$(id -u alice)"
	# What each user can read: its own view only; never the full map or another's view.
	for u in alice bob mallory; do
		readable=""
		for f in "$MAP" "$MAP".*; do
			if as "$u" cat "$f" >/dev/null 2>&1; then readable="$readable ${f##*/}"; fi
		done
		ntk_assert_eq " ${MAP##*/}.$(id -u "$u")" "$readable" "map files $u can read"
	done
	# And what a view holds: the user's own groups and initgroups only.
	view_of() { strings -n 3 "$MAP.$(id -u "$1")" | grep -E '^ntk-|^[a-z]+$' | sort -u | tr '\n' ' '; }
	av=$(view_of alice)
	ntk_assert_contains "$av" "ntk-case-1001 " "alice's view"
	ntk_assert_contains "$av" "ntk-sys-FACTS " "alice's view"
	ntk_assert_not_contains "$av" "ntk-case-1003" "alice's view (bob's case)"
	mv=$(view_of mallory)
	ntk_assert_not_contains "$mv" "ntk-case-" "mallory's view"
	bv=$(view_of bob)
	ntk_assert_contains "$bv" "ntk-case-1003 " "bob's view"
	ntk_assert_not_contains "$bv" "ntk-case-1001" "bob's view"
	# A user whose answer the map already holds (root asked first, so the user's request
	# changes no record) still gets its view written, at once rather than at the next change.
	nss_local_users heidi
	nss_probe initgroups heidi >/dev/null
	nss_map_wait heidi
	sleep 0.3
	as heidi getent initgroups heidi >/dev/null
	nss_map_wait heidi "$MAP.$(id -u heidi)"
	# Served from the view with ntkd frozen; what is not in it is not revealed (socket: frozen).
	freeze
	got=$(as alice getent group ntk-case-1001 | nss_sorted) || { thaw; ntk_fail "alice, frozen ntkd"; }
	ntk_assert_eq "${NSS_EXPECT_GROUPS[0]}" "$got" "alice's group from her view"
	set +e
	as mallory getent group ntk-case-1001 >/dev/null
	rc=$?
	set -e
	thaw
	ntk_assert_eq 2 "$rc" "mallory does not get ntk-case-1001 from any map"
	# No system call on a hit: 1000 more look-ups make no more system calls (brk aside: the
	# bench's own array, and sysinfo: its qsort). A non-root process that cannot change its uid skips even geteuid();
	# root (whose euid can change) makes exactly one geteuid() per hit.
	if command -v strace >/dev/null; then
		sys_count() { # user n
			local f="$NTK_TMP/st/strace.$1.$2"
			if [ "$1" = root ]; then
				nss_real strace -f -qq -o "$f" "$NSS_BENCH" "$2" module-grnam "$NSS_SO" ntk-case-1001 >/dev/null
			else
				as "$1" strace -f -qq -o "$f" "$NSS_BENCH" "$2" module-grnam "$NSS_SO" ntk-case-1001 >/dev/null
			fi
			grep -cv -e 'brk(' -e 'sysinfo(' -e 'exited with' "$f"
		}
		mkdir -p "$NTK_TMP/st"
		chmod 1777 "$NTK_TMP/st"
		a=$(sys_count alice 100)
		b=$(sys_count alice 1100)
		ntk_assert_eq "$a" "$b" "system calls of alice's 100 vs 1100 map hits"
		a=$(sys_count root 100)
		b=$(sys_count root 1100)
		ntk_assert_eq $((a + 1000)) "$b" "system calls of root's 100 vs 1100 map hits"
		ntk_assert_eq $(($(grep -c '^[0-9]* *geteuid(' "$NTK_TMP/st/strace.root.100") + 1000)) \
			"$(grep -c '^[0-9]* *geteuid(' "$NTK_TMP/st/strace.root.1100")" "root's extra calls are geteuid()"
	fi
	# A trusted peer's view holds everything; once a reload takes the trust away, it must not.
	NTK_TEST_TRUSTED=mallory nss_restart_ntkd
	nss_probe name ntk-case-1001 >/dev/null
	as mallory getent group ntk-case-1001 >/dev/null
	nss_map_wait ntk-case-1001 "$MAP.$(id -u mallory)"
	NTK_TEST_TRUSTED="postgres mysql" ntkd_write_conf
	kill -HUP "$NTKD_PID"
	ntk_wait_for 10 grep -q "config reloaded" "$NTK_TMP/ntkd.log" || ntk_fail "no reload"
	nss_probe name ntk-case-1001 >/dev/null
	as mallory getent group ntk-sys-FACTS >/dev/null
	as mallory getent initgroups mallory >/dev/null || true
	nss_map_wait ntk-sys-FACTS "$MAP.$(id -u mallory)"
	ntk_assert_not_contains "$(view_of mallory)" "ntk-case-" "mallory's view after her trust was taken away"
	# visibility = all: one full map everyone may read, no views.
	NTK_TEST_VISIBILITY=all nss_restart_ntkd
	nss_probe name ntk-case-1001 >/dev/null
	as mallory getent group ntk-case-1003 >/dev/null
	nss_map_wait ntk-case-1003
	ntk_assert_eq "-r--r--r--" "$(stat -c %A "$MAP")" "full map mode (visibility = all)"
	[ -z "$(ls "$MAP".* 2>/dev/null)" ] || ntk_fail "views written with visibility = all: $(ls "$MAP".*)"
	freeze
	got=$(as mallory getent group ntk-case-1001 | nss_sorted) || { thaw; ntk_fail "mallory, visibility=all"; }
	thaw
	ntk_assert_eq "${NSS_EXPECT_GROUPS[0]}" "$got" "mallory from the full map (visibility = all)"
else
	echo "visibility part skipped: needs root and setpriv"
fi

ntk_pass "NSS map: hits without ntkd, expiry, drop, restart, damaged maps ignored, per-uid views"
