# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared setup for the libnss_ntk tests: slapd + ntkd, nss_wrapper, and the real nsswitch.conf (root).
# Source after common.sh, slapd.sh and ntkd.sh.

# distcheck runs the unit tests only.
if [ "${NTK_UNIT_ONLY:-0}" = 1 ]; then
	ntk_skip "NTK_UNIT_ONLY=1: server tests not run"
fi

NSS_SO="$top_builddir/nss_module/.libs/libnss_ntk.so.2"
NSS_PROBE="$top_builddir/tests/nss/nss_probe"
NSS_STRESS="$top_builddir/tests/nss/nss_stress"
# The nss range is 28940-28959; each script takes its own three ports so
# `make -j check` never has two of them race for the same free port.
case $NTK_TEST_NAME in
nss_lookup.sh) NSS_LOW=28940 ;;
nss_down.sh) NSS_LOW=28943 ;;
nss_threads.sh) NSS_LOW=28946 ;;
nss_kernel.sh) NSS_LOW=28949 ;;
nss_drop.sh) NSS_LOW=28952 ;;
nss_nscd.sh) NSS_LOW=28955 ;;
nss_map.sh) NSS_LOW=28959 ;;
*) NSS_LOW=28958 ;;
esac
NSS_HIGH=$((NSS_LOW + 2))
[ "$NSS_HIGH" -le 28959 ] || NSS_HIGH=28959
# The last two share the range's end: one port each.
case $NTK_TEST_NAME in nss_map.sh) ;; *) [ "$NSS_LOW" != 28958 ] || NSS_HIGH=28958 ;; esac

# A sanitizer build of the module needs the sanitizer runtimes loaded first in every process it enters.
nss_san_preload() {
	local lib out=""
	for lib in $(ldd "$NSS_SO" 2>/dev/null | awk '/lib(asan|ubsan)\.so/ {print $3}'); do
		out="$out $lib"
	done
	printf '%s' "${out# }"
}
NSS_SAN_PRELOAD=$(nss_san_preload)
if [ -n "$NSS_SAN_PRELOAD" ]; then
	# The host programs (getent, ls) are not ours: do not judge their leaks.
	# (Later options win: ours go last.)
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:verify_asan_link_order=0"
fi

nss_need_module() {
	[ -f "$NSS_SO" ] || ntk_fail "module not built: $NSS_SO"
	[ -x "$NTKD" ] || ntk_skip "ntkd not built"
}

# slapd with the sample directory (plus extra LDIF files) and ntkd on it.
nss_start_servers() {
	slapd_start "$NSS_LOW" "$NSS_HIGH" "$@"
	ntkd_write_conf
	ntkd_start
}

# Restart ntkd with the current NTK_TEST_* settings (e.g. visibility).
nss_restart_ntkd() {
	ntkd_stop
	ntkd_write_conf
	ntkd_start
}

# nss_wrapper: local users in private passwd/group files, ntk from the built module.
nss_wrapper_setup() {
	local lib
	# awk reads to the end: an early exit would kill ldconfig with SIGPIPE (pipefail).
	lib=$(ldconfig -p 2>/dev/null | awk '/libnss_wrapper\.so / && !found {print $NF; found = 1}')
	[ -n "$lib" ] || ntk_skip "libnss-wrapper not installed"
	NSS_WRAPPER_LIB=$lib
	cat >"$NTK_TMP/passwd" <<PW
root:x:0:0:root:/root:/bin/sh
alice:x:5001:5001::/nonexistent:/bin/sh
bob:x:5002:5002::/nonexistent:/bin/sh
carol:x:5003:5003::/nonexistent:/bin/sh
dave:x:5004:5004::/nonexistent:/bin/sh
mallory:x:5005:5005::/nonexistent:/bin/sh
grace:x:5006:5006::/nonexistent:/bin/sh
PW
	cat >"$NTK_TMP/group" <<GR
root:x:0:
alice:x:5001:
bob:x:5002:
carol:x:5003:
dave:x:5004:
mallory:x:5005:
grace:x:5006:
localstaff:x:6000:alice,carol
GR
}

# Run a command under nss_wrapper with the module.
nss_wrap() {
	env LD_PRELOAD="${NSS_SAN_PRELOAD:+$NSS_SAN_PRELOAD }$NSS_WRAPPER_LIB" \
		NSS_WRAPPER_PASSWD="$NTK_TMP/passwd" NSS_WRAPPER_GROUP="$NTK_TMP/group" \
		NSS_WRAPPER_MODULE_SO_PATH="$NSS_SO" NSS_WRAPPER_MODULE_FN_PREFIX=ntk \
		NTK_SOCKET="$NTK_SOCKET" "$@"
}

# The module called directly (exact NSS status codes).
nss_probe() {
	env ${NSS_SAN_PRELOAD:+LD_PRELOAD="$NSS_SAN_PRELOAD"} NTK_SOCKET="$NTK_SOCKET" "$NSS_PROBE" "$NSS_SO" "$@"
}

# getent's output for a group with its member list sorted: name:passwd:gid:a,b,c
nss_sorted() {
	awk -F: '{ n = split($4, m, ","); s = "";
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (m[j] < m[i]) { t = m[i]; m[i] = m[j]; m[j] = t }
		for (i = 1; i <= n; i++) s = s (i > 1 ? "," : "") m[i];
		print $1 ":" $2 ":" $3 ":" s }'
}

# nss_map_wait STRING [FILE]: ntkd has published a live map (FILE, default the
# full map SOCKET.map) that holds STRING. The retired word is at byte 24.
nss_map_live() {
	local f=${2:-$NTK_SOCKET.map}
	[ -f "$f" ] && [ "$(od -An -tu4 -j24 -N4 "$f" | tr -d ' ')" = 0 ] && grep -qaF -- "$1" "$f"
}
nss_map_wait() {
	ntk_wait_for 10 nss_map_live "$@" || ntk_fail "no live NSS map holding [$1] in ${2:-$NTK_SOCKET.map}"
}

# --- the real NSS (root only) --------------------------------------------------
# glibc's own NSS with `ntk` added to the group line, without touching the
# host: each command runs in a private mount namespace where a copy of
# /etc/nsswitch.conf is bind-mounted over the real one, and glibc finds the
# built libnss_ntk.so.2 through LD_LIBRARY_PATH (honoured for programs that
# are not setuid). The kernel's permission checks are the same in there.
nss_real_setup() {
	ntk_need_root
	ntk_need_cmd unshare mount
	sed -E '/^group:/{/[[:space:]]ntk([[:space:]]|$)/!s/$/ ntk/}' /etc/nsswitch.conf >"$NTK_TMP/nsswitch.conf"
	grep -Eq '^group:.*[[:space:]]ntk([[:space:]]|$)' "$NTK_TMP/nsswitch.conf" ||
		ntk_fail "/etc/nsswitch.conf has no group line to add ntk to"
	unshare -m --propagation private sh -c 'mount --bind "$0" /etc/nsswitch.conf' "$NTK_TMP/nsswitch.conf" ||
		ntk_skip "cannot bind-mount in a private mount namespace"
}

# Run under the real NSS with the test socket (NTK_SOCKET works: these programs are not setuid).
nss_real() {
	unshare -m --propagation private sh -c 'mount --bind "$0" /etc/nsswitch.conf && exec "$@"' \
		"$NTK_TMP/nsswitch.conf" env ${NSS_SAN_PRELOAD:+LD_PRELOAD="$NSS_SAN_PRELOAD"} \
		LD_LIBRARY_PATH="$(dirname "$NSS_SO")" NTK_SOCKET="$NTK_SOCKET" "$@"
}

# Local users for the sample staff, removed at exit (only those we created).
nss_local_users() {
	local u
	ntk_need_cmd useradd userdel
	for u in "$@"; do
		if ! getent passwd "$u" >/dev/null; then
			useradd --no-create-home --user-group --shell /usr/sbin/nologin "$u" ||
				ntk_fail "useradd $u"
			ntk_on_exit "userdel '$u'"
		fi
	done
}

# --- what the sample directory and config must produce ------------------------
# gids: systems from 190000 and roles from 191000 in config order, cases 200000 + id.
NSS_EXPECT_GROUPS=(
	"ntk-case-1001:*:201001:alice,carol,dave,grace"
	"ntk-case-1002:*:201002:alice,carol,dave"
	"ntk-case-1003:*:201003:bob,carol,dave,trent"
	"ntk-case-1004:*:201004:"
	"ntk-sys-FACTS:*:190000:alice,bob,carol,dave,erin,frank,grace,heidi,ivan,mallory,oscar,trent"
	"ntk-sys-COURTS:*:190001:erin,grace"
	"ntk-role-social_worker:*:191000:alice,bob,heidi,mallory,trent"
	"ntk-role-supervisor:*:191001:carol,dave"
	"ntk-role-legal:*:191002:erin"
)
# initgroups: the ntk gids of each user, sorted numerically.
declare -A NSS_EXPECT_INITGROUPS=(
	[alice]="190000 191000 201001 201002"
	[carol]="190000 191001 201001 201002 201003"
	[dave]="190000 191001 201001 201002 201003"
	[mallory]="190000 191000"
	[grace]="190000 190001 191004 201001"
	[bob]="190000 191000 201003"
)

# nss_big_ldif N: $NTK_TMP/big.ldif adds N social workers assigned to case
# 1009 (a group bigger than any first buffer); they also join ntk-sys-FACTS
# and ntk-role-social_worker, and the expectations say so.
nss_big_ldif() {
	local n=$1 i out="$NTK_TMP/big.ldif" workers
	: >"$out"
	for ((i = 1; i <= n; i++)); do
		printf 'dn: uid=worker%03d,ou=people,dc=agency,dc=example\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: worker%03d\ncn: Worker %d\nsn: Worker\nntkRole: social_worker\nntkCaseAssignment: 1009\n\n' \
			"$i" "$i" "$i" >>"$out"
	done
	workers=$(seq -f 'worker%03g' 1 "$n" | paste -sd,)
	# Names sort after "trent": appending keeps the lists sorted.
	NSS_EXPECT_GROUPS[4]="${NSS_EXPECT_GROUPS[4]},$workers"
	NSS_EXPECT_GROUPS[6]="${NSS_EXPECT_GROUPS[6]},$workers"
	NSS_EXPECT_GROUPS+=("ntk-case-1009:*:201009:$workers")
}
