#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# make bench: warm group lookups in one run, side by side: libnss_ntk's map, the same through
# the ntkd socket ([nss] map = no), SSSD's memory cache (when it can be run here), nss_files.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/nss/nss_lib.sh"
. "$top_srcdir/tests/nss/nss_bench_sssd.sh"
. "$top_srcdir/tests/nss/nss_bench_count.sh"

BENCH="$top_builddir/tests/nss/nss_bench"
N=${NSS_BENCH_N:-20000}
NBIG=${NSS_BENCH_NBIG:-300}
NID=${NSS_BENCH_NID:-200}
NCASES=${NSS_BENCH_NCASES:-50}

ntk_tmpdir
nss_need_module
# benchw: a social worker with NCASES case assignments (getgrouplist and id see NCASES + 2 ntk groups).
{
	printf 'dn: uid=benchw,ou=people,dc=agency,dc=example\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: benchw\ncn: Bench Worker\nsn: Worker\nntkRole: social_worker\n'
	for ((i = 0; i < NCASES; i++)); do printf 'ntkCaseAssignment: %d\n' $((3000 + i)); done
	echo
} >"$NTK_TMP/bench.ldif"
sssd_ldif "$NTK_TMP/posix.ldif"
nss_start_servers "$NTK_TMP/bench.ldif" "$NTK_TMP/posix.ldif"

# Two group files for nss_files: a small one (look up an early line) and
# one of 20000 lines (look up the last: glibc reads the file on every call).
{ echo "root:x:0:"; echo "staff:x:50:alice"; echo "benchw:x:5100:"; for i in $(seq 1 17); do echo "grp$i:x:$((7000 + i)):alice"; done; } >"$NTK_TMP/group.small"
{ echo "root:x:0:"; for i in $(seq 1 19998); do echo "grp$i:x:$((100000 + i)):u$i"; done; echo "last:x:99999:alice"; } >"$NTK_TMP/group.big"
ROOT_NS=no
[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null && ROOT_NS=yes
# benchw as a local user too (removed at exit if we made it): ntkd must know its uid to write
# it a view, and the "as benchw" figures run with it. An unprivileged process that cannot
# change its uid makes no system call on a map hit; root checks geteuid() on each.
BUID=5100
if [ "$ROOT_NS" = yes ]; then
	nss_local_users benchw
	BUID=$(id -u benchw)
fi
printf 'root:x:0:0::/root:/bin/sh\nalice:x:5001:5001::/:/bin/sh\nbenchw:x:%s:%s::/:/bin/sh\n' "$BUID" "$BUID" >"$NTK_TMP/passwd.bench"

declare -A MED P99
# Each figure is the best of 3 runs (lowest median): the machine is shared.
run() { # key op args...
	local key=$1 out best="" i
	shift
	for i in 1 2 3; do
		out=$("$@") || ntk_fail "bench $key: $out"
		if [ -z "$best" ] || awk -v a="$(echo "$out" | awk '{print $(NF-1)}')" \
			-v b="$(echo "$best" | awk '{print $(NF-1)}')" 'BEGIN { exit !(a < b) }'; then
			best=$out
		fi
	done
	MED[$key]=$(echo "$best" | awk '{print $(NF-1)}')
	P99[$key]=$(echo "$best" | awk '{print $NF}')
	printf '  %-56s median %9s us   p99 %9s us\n' "$key" "${MED[$key]}" "${P99[$key]}"
}

# The same process view for every libc figure: a private mount namespace
# where /etc/group, /etc/passwd and /etc/nsswitch.conf are the bench's own.
in_ns() { # group-file nsswitch-group-line command...
	local gf=$1 line=$2
	shift 2
	sed -E "s/^group:.*/group: $line/; s/^passwd:.*/passwd: files/" /etc/nsswitch.conf >"$NTK_TMP/nsswitch.bench"
	unshare -m --propagation private sh -c 'mount --bind "$0" /etc/group && mount --bind "$1" /etc/nsswitch.conf && mount --bind "$2" /etc/passwd && shift 2 && exec "$@"' \
		"$gf" "$NTK_TMP/nsswitch.bench" "$NTK_TMP/passwd.bench" \
		env LD_LIBRARY_PATH="$(dirname "$NSS_SO")" NTK_SOCKET="$NTK_SOCKET" "$@"
}
last_case="ntk-case-$((3000 + NCASES - 1))"

# The ntk figures, under a label: "map" or "socket".
ntk_figures() { # label
	local l=$1
	run "$l: module getgrnam ntk-case-1001" env NTK_SOCKET="$NTK_SOCKET" "$BENCH" "$N" module-grnam "$NSS_SO" ntk-case-1001
	run "$l: module initgroups benchw" env NTK_SOCKET="$NTK_SOCKET" "$BENCH" "$N" module-initgroups "$NSS_SO" benchw
	if [ "$ROOT_NS" = yes ]; then
		run "$l: glibc getgrnam ntk-case-1001" in_ns "$NTK_TMP/group.small" "files ntk" "$BENCH" "$N" libc-grnam ntk-case-1001
		run "$l: glibc getgrouplist benchw" in_ns "$NTK_TMP/group.small" "files ntk" "$BENCH" "$N" libc-grouplist benchw
		run "$l: glibc getgrnam ntk-case-1001 (no files)" in_ns "$NTK_TMP/group.small" "ntk" "$BENCH" "$N" libc-grnam ntk-case-1001
		run "$l: glibc getgrouplist benchw (no files)" in_ns "$NTK_TMP/group.small" "ntk" "$BENCH" "$N" libc-grouplist benchw
		run "$l: id benchw, whole process" in_ns "$NTK_TMP/group.small" "files ntk" "$BENCH" "$NID" spawn-id benchw
		run "$l: glibc getgrnam $last_case (no files, as benchw)" in_ns "$NTK_TMP/group.small" "ntk" \
			"${AS_BENCHW[@]}" "$BENCH" "$N" libc-grnam "$last_case"
		run "$l: glibc getgrouplist benchw (no files, as benchw)" in_ns "$NTK_TMP/group.small" "ntk" \
			"${AS_BENCHW[@]}" "$BENCH" "$N" libc-grouplist benchw
		run "$l: id benchw, whole process (as benchw)" in_ns "$NTK_TMP/group.small" "files ntk" \
			"${AS_BENCHW[@]}" "$BENCH" "$NID" spawn-id benchw
		run "$l: id benchw, whole process (no files)" in_ns "$NTK_TMP/group.small" "ntk" "$BENCH" "$NID" spawn-id benchw
		run "$l: id benchw, whole process (no files, as benchw)" in_ns "$NTK_TMP/group.small" "ntk" \
			"${AS_BENCHW[@]}" "$BENCH" "$NID" spawn-id benchw
	fi
}
AS_BENCHW=(setpriv --reuid="$BUID" --regid="$BUID" --clear-groups)
# The counts (instructions, system calls) for the map, under a label.
declare -A CNT
count_put() { # key value
	[ -n "$2" ] || return 0
	CNT[$1]=$2
	printf '  %-56s %12s\n' "$1" "$2"
}
ntk_counts() { # label
	local l=$1 d="$NTK_TMP/cnt" nf=(in_ns "$NTK_TMP/group.small" "ntk") fn=(in_ns "$NTK_TMP/group.small" "files ntk")
	mkdir -p "$d" && chmod 1777 "$d"
	count_put "$l: instructions per getgrnam ntk-case-1001 (no files)" "$(count_per_call "$d" "${nf[@]}" -- "$BENCH" libc-grnam ntk-case-1001)"
	count_put "$l: instructions per getgrgid $last_gid (no files)" "$(count_per_call "$d" "${nf[@]}" -- "$BENCH" libc-grgid "$last_gid")"
	count_put "$l: instructions per getgrouplist benchw (no files)" "$(count_per_call "$d" "${nf[@]}" -- "$BENCH" libc-grouplist benchw)"
	count_put "$l: system calls per getgrnam ntk-case-1001 (no files)" "$(count_syscalls_per_call "$d" "${nf[@]}" -- "$BENCH" libc-grnam ntk-case-1001)"
	count_put "$l: system calls per getgrouplist benchw (no files)" "$(count_syscalls_per_call "$d" "${nf[@]}" -- "$BENCH" libc-grouplist benchw)"
	count_put "$l: system calls per getgrouplist benchw (no files, as benchw)" \
		"$(count_syscalls_per_call "$d" "${nf[@]}" "${AS_BENCHW[@]}" -- "$BENCH" libc-grouplist benchw)"
	count_put "$l: instructions per id benchw process" "$(count_run "$d" "${fn[@]}" -- id benchw)"
	count_put "$l: system calls per id benchw process" "$(count_syscalls "$d" "${fn[@]}" -- id benchw)"
	count_put "$l: instructions per getgrouplist benchw (no files, as benchw)" \
		"$(count_per_call "$d" "${nf[@]}" "${AS_BENCHW[@]}" -- "$BENCH" libc-grouplist benchw)"
	count_put "$l: instructions per id benchw process (as benchw)" "$(count_run "$d" "${fn[@]}" "${AS_BENCHW[@]}" -- id benchw)"
	count_put "$l: instructions per id benchw process (no files, as benchw)" "$(count_run "$d" "${nf[@]}" "${AS_BENCHW[@]}" -- id benchw)"
	count_put "$l: system calls per id benchw process (no files, as benchw)" "$(count_syscalls "$d" "${nf[@]}" "${AS_BENCHW[@]}" -- id benchw)"
	count_put "$l: system calls per id benchw process (as benchw)" "$(count_syscalls "$d" "${fn[@]}" "${AS_BENCHW[@]}" -- id benchw)"
}
COUNT_KEYS=("instructions per getgrnam ntk-case-1001 (no files)" "instructions per getgrgid $((203000 + NCASES - 1)) (no files)"
	"instructions per getgrouplist benchw (no files)" "system calls per getgrnam ntk-case-1001 (no files)"
	"system calls per getgrouplist benchw (no files)" "system calls per getgrouplist benchw (no files, as benchw)"
	"instructions per id benchw process" "system calls per id benchw process"
	"instructions per getgrouplist benchw (no files, as benchw)" "instructions per id benchw process (as benchw)"
	"system calls per id benchw process (as benchw)" "instructions per id benchw process (no files, as benchw)"
	"system calls per id benchw process (no files, as benchw)")
last_gid=$((203000 + NCASES - 1))

# Warm ntkd's cache (and the map): every lookup the figures make, once.
warm() {
	nss_probe name ntk-case-1001 >/dev/null
	nss_probe initgroups benchw >/dev/null
	[ "$ROOT_NS" = no ] || in_ns "$NTK_TMP/group.small" "files ntk" id benchw >/dev/null
	# benchw asks for itself: ntkd writes its view (SOCKET.map.UID).
	[ "$ROOT_NS" = no ] || in_ns "$NTK_TMP/group.small" "files ntk" "${AS_BENCHW[@]}" id benchw >/dev/null
}

echo "NSS group lookups, warm ($N iterations each, id $NID processes; best of 3; $(nproc) cores, shared with other jobs: noisy)"
echo "benchw holds $NCASES case groups + system + role. nsswitch group: files ntk (map, socket), files sss (sssd);"
echo "(no files): group: ntk / group: sss alone, without nss_files reading /etc/group first."
run "ntkd no-op round trip (PING)" "$BENCH" "$N" ping "$NTK_SOCKET"
warm
nss_map_wait "$last_case"
nss_map_wait benchw
[ "$ROOT_NS" = no ] || nss_map_wait "$last_case" "$NTK_SOCKET.map.$BUID"
ntk_figures map
[ "$ROOT_NS" = no ] || ntk_counts map
NTK_TEST_NSS_MAP=no nss_restart_ntkd
warm
ntk_figures socket
sssd_figures
if [ "$ROOT_NS" = yes ]; then
	run "nss_files getgrnam, line 2 of 20" in_ns "$NTK_TMP/group.small" "files" "$BENCH" "$N" libc-grnam staff
	run "nss_files getgrnam, line 20000 of 20000" in_ns "$NTK_TMP/group.big" "files" "$BENCH" "$NBIG" libc-grnam last
	run "id benchw, files only (no ntk groups)" in_ns "$NTK_TMP/group.small" "files" "$BENCH" "$NID" spawn-id benchw
else
	echo "  (not root: the glibc, id and nss_files figures need a private mount namespace; skipped)"
fi
if [ "$ROOT_NS" = yes ]; then
	echo "counts (the same every run; callgrind and strace; fewer is better; sssd/map > 1 means the map does less):"
	for k in "${COUNT_KEYS[@]}"; do
		[ -n "${CNT[map: $k]:-}" ] || continue
		printf '  %-64s map %9s   sssd %9s   sssd/map %6s\n' "$k" "${CNT[map: $k]}" "${CNT[sssd: $k]:-n/a}" \
			"$(awk -v a="${CNT[sssd: $k]:-}" -v b="${CNT[map: $k]}" 'BEGIN { if (a == "" || b == 0) print "n/a"; else printf "%.2f", a / b }')"
	done
fi
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.2f", a / b }'; }
echo "ratios (median; > 1 means the map is faster):"
for op in "module getgrnam ntk-case-1001" "module initgroups benchw" "glibc getgrnam ntk-case-1001" \
	"glibc getgrouplist benchw" "glibc getgrnam ntk-case-1001 (no files)" "glibc getgrouplist benchw (no files)" \
	"id benchw, whole process" "glibc getgrnam $last_case (no files, as benchw)" \
	"glibc getgrouplist benchw (no files, as benchw)" "id benchw, whole process (as benchw)" \
	"id benchw, whole process (no files)" "id benchw, whole process (no files, as benchw)"; do
	[ -n "${MED[map: $op]:-}" ] || continue
	printf '  %-56s socket/map %8s   sssd/map %8s\n' "$op" \
		"$(ratio "${MED[socket: $op]}" "${MED[map: $op]}")" "$(ratio "${MED[sssd: $op]:-}" "${MED[map: $op]}")"
done
