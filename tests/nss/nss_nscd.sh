#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian's nscd with `group: files ntk`, in a private mount namespace (its own nsswitch.conf,
# nscd.conf, socket and cache dirs: the host's files and nscd are never touched). nscd asks as root
# and answers every uid from one cache, so it would show anyone root's view of ntk groups: the
# module must refuse to answer inside nscd, and with nscd's group cache off every process must see
# its own view again.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/nss/nss_lib.sh"

ntk_tmpdir
ntk_need_root
ntk_need_cmd setpriv unshare mount getent
NSCD=/usr/sbin/nscd
[ -x "$NSCD" ] || ntk_skip "nscd not installed"
getent passwd nobody >/dev/null || ntk_skip "no user nobody"
nss_need_module
NTK_TEST_VISIBILITY=member
nss_start_servers

N="$NTK_TMP/nscd"
mkdir -p "$N/run" "$N/cache"
sed -E 's/^group:.*/group: files ntk/' /etc/nsswitch.conf >"$N/nsswitch.conf"
grep -q '^group: files ntk$' "$N/nsswitch.conf" || echo 'group: files ntk' >>"$N/nsswitch.conf"
# Whatever happens to a namespace's shell, the nscd it started dies with the test: by the pids it
# recorded, and only while that pid is still an nscd.
stop_our_nscds() {
	local pid
	[ -s "$N/nscd.pids" ] || return 0
	while read -r pid; do
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$NSCD" ] && ntk_stop_pid "$pid"
	done <"$N/nscd.pids"
}
ntk_on_exit stop_our_nscds

# nscd_conf yes|no: Debian's group settings (an hour positive, a minute negative), other caches off.
# The persistent cache file needs /var/cache/nscd to put a temp dir over.
persistent=yes
[ -d /var/cache/nscd ] || persistent=no
nscd_conf() {
	cat >"$N/nscd.conf" <<CONF
debug-level 0
paranoia no
enable-cache passwd no
enable-cache hosts no
enable-cache services no
enable-cache netgroup no
enable-cache group $1
positive-time-to-live group 3600
negative-time-to-live group 60
check-files group yes
persistent group $persistent
shared group yes
CONF
}

# in_ns CMD...: run CMD in a fresh private mount namespace with nscd's world swapped for ours: its
# socket dir (compiled in: /run/nscd, under a private tmpfs /run when the host has none) and cache
# dir are temp dirs. CMD is session.sh, which starts a private nscd (its pid added to $N/nscd.pids)
# and stops it when it ends.
in_ns() {
	unshare -m --propagation private bash -c '
		set -eu
		N=$1; shift
		mount --bind "$N/nsswitch.conf" /etc/nsswitch.conf
		[ ! -e /etc/nscd.conf ] || mount --bind "$N/nscd.conf" /etc/nscd.conf
		if [ ! -d /run/nscd ]; then
			mount -t tmpfs -o mode=755 ntk-nscd-test /run
			mkdir /run/nscd
		fi
		mount --bind "$N/run" /run/nscd
		[ ! -d /var/cache/nscd ] || mount --bind "$N/cache" /var/cache/nscd
		rm -f "$N/run/"* "$N/cache/"*
		"$@"
	' in_ns "$N" "$@"
}

# Runs inside the namespace: start nscd, run the queries, stop nscd.
cat >"$N/session.sh" <<'SESSION'
set -u
N=$1 NSCD=$2
shift 2
env ${NSS_SAN_PRELOAD:+LD_PRELOAD="$NSS_SAN_PRELOAD"} LD_LIBRARY_PATH="$NSS_DIR" \
	NTK_SOCKET="$NTK_SOCKET" "$NSCD" -F -f "$N/nscd.conf" >"$N/nscd.log" 2>&1 &
pid=$!
echo "$pid" >>"$N/nscd.pids"
trap 'kill "$pid" 2>/dev/null; wait' EXIT
for i in $(seq 100); do [ -S /run/nscd/socket ] && break; sleep 0.1; done
[ -S /run/nscd/socket ] || { echo "nscd did not start: $(cat "$N/nscd.log")"; exit 1; }
# ask WHO CMD...: one line "rc OUTPUT" per query. With module=1 the client could load
# libnss_ntk itself (LD_LIBRARY_PATH, NTK_SOCKET) when nscd does not answer for groups.
ask() {
	local who=$1 module=$2 out rc
	shift 2
	local envs=()
	[ "$module" = 1 ] && envs=(LD_LIBRARY_PATH="$NSS_DIR" NTK_SOCKET="$NTK_SOCKET")
	if [ "$who" = root ]; then
		out=$(env "${envs[@]}" "$@" 2>&1) && rc=0 || rc=$?
	else
		out=$(setpriv --reuid="$who" --regid=nogroup --clear-groups env "${envs[@]}" "$@" 2>&1) && rc=0 || rc=$?
	fi
	echo "$rc $out"
}
"$@"
SESSION
NSS_DIR=$(dirname "$NSS_SO")
export NSS_DIR NTK_SOCKET NSS_SAN_PRELOAD

# 1. nscd caching groups. The clients cannot load libnss_ntk themselves (module=0): any ntk
#    answer they get comes from nscd. nobody asks first, then root, then nobody again.
cached_queries() {
	ask nobody 0 getent group ntk-case-1001
	ask root 0 getent group ntk-case-1001
	ask nobody 0 getent group ntk-case-1001
	ask nobody 0 getent group 201002
	ask nobody 0 getent initgroups alice
	# A root client that could answer itself still gets nscd's answer: nscd is in the loop.
	ask root 1 getent group ntk-case-1003
	"$NSCD" -g 2>&1 | awk '/cache:$/ {on = ($1 == "group")} on && /cache hits on (positive|negative)|cache misses on/' | tr -s ' \t' ' ' >"$N/stats"
}
export -f cached_queries
nscd_conf yes
mapfile -t got < <(in_ns bash "$N/session.sh" "$N" "$NSCD" cached_queries)
ntk_log "nscd caching groups: $(printf '[%s] ' "${got[@]}")"
ntk_log "nscd stats: $(tr '\n' ';' <"$N/stats")"
ntk_assert_eq "2 " "${got[0]:-}" "nobody, first asker, through nscd"
ntk_assert_eq "2 " "${got[1]:-}" "root through nscd (the module refuses inside nscd)"
ntk_assert_eq "2 " "${got[2]:-}" "nobody after root, through nscd"
ntk_assert_eq "2 " "${got[3]:-}" "nobody, gid 201002, through nscd"
ntk_assert_not_contains "${got[4]:-}" "2010" "nobody, alice's initgroups through nscd"
ntk_assert_eq "2 " "${got[5]:-}" "root with the module at hand still gets nscd's answer"
grep -Eq '^ ?[1-9][0-9]* cache (hits|misses)' "$N/stats" || ntk_fail "nscd's group cache was not used: $(cat "$N/stats")"

# 2. nscd running with its group cache off: clients resolve groups themselves, each as itself.
own_queries() {
	ask root 1 getent group ntk-case-1001
	ask nobody 1 getent group ntk-case-1001
	ask nobody 1 getent group 201002
	ask root 1 getent group ntk-case-1001
}
export -f own_queries
nscd_conf no
mapfile -t got < <(in_ns bash "$N/session.sh" "$N" "$NSCD" own_queries)
ntk_log "nscd without a group cache: $(printf '[%s] ' "${got[@]}")"
ntk_assert_eq "0 ${NSS_EXPECT_GROUPS[0]}" "0 $(echo "${got[0]#0 }" | nss_sorted)" "root, nscd group cache off"
ntk_assert_eq "2 " "${got[1]:-}" "nobody, nscd group cache off"
ntk_assert_eq "2 " "${got[2]:-}" "nobody, gid 201002, nscd group cache off"
ntk_assert_eq "0 ${NSS_EXPECT_GROUPS[0]}" "0 $(echo "${got[3]#0 }" | nss_sorted)" "root again, nscd group cache off"

ntk_pass "nscd never hands out ntk groups; with its group cache off each uid sees its own view"
