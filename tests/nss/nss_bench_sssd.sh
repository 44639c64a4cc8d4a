# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by nss_bench.sh: SSSD's memory cache on the bench's slapd, for the same lookups.
# Nothing is installed: the Debian packages are downloaded (apt-get download) and unpacked
# into the bench's temp dir, and sssd runs in a private mount namespace whose /usr/lib,
# /usr/libexec, /etc, /var and /run are overlays (the host's files below, the bench's on
# top, writes kept in the temp dir). apt-get install is not used: libnss-sss and libpam-sss,
# which sssd-common depends on, add `sss` to the host's nsswitch.conf and PAM stacks.

SSSD_PKGS="sssd-common sssd-ldap sssd-krb5-common libnss-sss libsss-idmap0 libsss-certmap0
libsss-nss-idmap0 libdhash1 libini-config5 libref-array1 libpath-utils1 libbasicobjects0
libcollection4 libtalloc2 libtevent0 libldb2 libtdb1 libnl-3-200 libnl-route-3-200 libnfsidmap1 libjose0"
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)

# The same groups as posix entries (ou=posix) for SSSD's rfc2307 schema: benchw, alice,
# ntk-case-1001 and benchw's case, system and role groups with the same names and gids.
sssd_ldif() { # out
	local out=$1 i
	{
		printf 'dn: ou=posix,dc=agency,dc=example\nobjectClass: organizationalUnit\nou: posix\n\n'
		for u in benchw:5100 alice:5001; do
			printf 'dn: uid=%s,ou=posix,dc=agency,dc=example\nobjectClass: account\nobjectClass: posixAccount\nuid: %s\ncn: %s\nuidNumber: %s\ngidNumber: %s\nhomeDirectory: /\n\n' \
				"${u%%:*}" "${u%%:*}" "${u%%:*}" "${u##*:}" "${u##*:}"
		done
		printf 'dn: cn=ntk-case-1001,ou=posix,dc=agency,dc=example\nobjectClass: posixGroup\ncn: ntk-case-1001\ngidNumber: 201001\nmemberUid: alice\nmemberUid: carol\nmemberUid: dave\nmemberUid: grace\n\n'
		printf 'dn: cn=ntk-sys-FACTS,ou=posix,dc=agency,dc=example\nobjectClass: posixGroup\ncn: ntk-sys-FACTS\ngidNumber: 190000\nmemberUid: benchw\nmemberUid: alice\n\n'
		printf 'dn: cn=ntk-role-social_worker,ou=posix,dc=agency,dc=example\nobjectClass: posixGroup\ncn: ntk-role-social_worker\ngidNumber: 191000\nmemberUid: benchw\nmemberUid: alice\n\n'
		for ((i = 0; i < NCASES; i++)); do
			printf 'dn: cn=ntk-case-%d,ou=posix,dc=agency,dc=example\nobjectClass: posixGroup\ncn: ntk-case-%d\ngidNumber: %d\nmemberUid: benchw\n\n' \
				$((3000 + i)) $((3000 + i)) $((203000 + i))
		done
	} >"$out"
}

# Why SSSD was not measured, or empty when it was.
SSSD_WHY=""

sssd_unpack() {
	local d="$NTK_TMP/sssd" p
	mkdir -p "$d/debs" "$d/root"
	command -v apt-get >/dev/null || { SSSD_WHY="no apt-get"; return 1; }
	# shellcheck disable=SC2086
	(cd "$d/debs" && timeout 300 apt-get download $SSSD_PKGS) >"$d/download.log" 2>&1 ||
		{ SSSD_WHY="apt-get download failed (see $d/download.log)"; return 1; }
	for p in "$d"/debs/*.deb; do dpkg-deb -x "$p" "$d/root" || { SSSD_WHY="dpkg-deb -x $p failed"; return 1; }; done
	[ -x "$d/root/usr/sbin/sssd" ] || { SSSD_WHY="no sssd in the packages"; return 1; }
}

# Runs inside the namespace (bash -c): overlays, config, sssd, then the figures, 3 runs each.
sssd_inner() {
	set -e
	local d=$1 key
	ov() { # dir lower-extra
		local name
		name=$(echo "$1" | tr / _)
		mkdir -p "$d/ov/$name/up" "$d/ov/$name/work"
		if [ -n "${2:-}" ]; then
			mount -t overlay overlay -o "lowerdir=$2:$1,upperdir=$d/ov/$name/up,workdir=$d/ov/$name/work" "$1"
		else
			mount -t overlay overlay -o "lowerdir=$1,upperdir=$d/ov/$name/up,workdir=$d/ov/$name/work" "$1"
		fi
	}
	ov "/usr/lib/$MA" "$d/root/usr/lib/$MA"
	ov /usr/libexec "$d/root/usr/libexec"
	ov /etc
	ov /var
	ov /run
	[ ! -d "$d/root/lib/$MA" ] || cp -a "$d/root/lib/$MA/." "/usr/lib/$MA/" 2>/dev/null || true
	mkdir -p /etc/sssd /var/lib/sss/db /var/lib/sss/mc /var/lib/sss/pipes/private /var/lib/sss/pubconf \
		/var/lib/sss/gpo_cache /var/log/sssd
	cat >/etc/sssd/sssd.conf <<CONF
[sssd]
services = nss
domains = bench
[nss]
memcache_timeout = 300
[domain/bench]
id_provider = ldap
auth_provider = none
ldap_uri = ${SLAPD_URI%/}
ldap_search_base = ou=posix,dc=agency,dc=example
ldap_schema = rfc2307
ldap_id_use_start_tls = false
ldap_auth_disable_tls_never_use_in_production = true
cache_credentials = false
entry_cache_timeout = 300
CONF
	chmod 0600 /etc/sssd/sssd.conf
	cp "$NTK_TMP/passwd.bench" /etc/passwd
	cp "$NTK_TMP/group.small" /etc/group
	sed -i -E 's/^group:.*/group: files sss/; s/^passwd:.*/passwd: files/' /etc/nsswitch.conf
	"$d/root/usr/sbin/sssd" -i --logger=files >"$d/sssd.out" 2>&1 &
	local spid=$! i
	for ((i = 0; i < 100; i++)); do
		getent group ntk-case-1001 >/dev/null 2>&1 && break
		sleep 0.2
	done
	getent group ntk-case-1001 >/dev/null || { echo "SSSD_FAIL sssd gave no answer"; kill "$spid"; return 0; }
	# Warm: every group of benchw (id resolves each gid), twice so the memory cache holds them.
	id benchw >/dev/null; id benchw >/dev/null
	getent group ntk-case-1001 >/dev/null
	[ -s /var/lib/sss/mc/group ] || echo "SSSD_NOTE no memory cache file"
	for i in 1 2 3; do
		echo "sssd: glibc getgrnam ntk-case-1001|$("$BENCH" "$N" libc-grnam ntk-case-1001)"
		echo "sssd: glibc getgrouplist benchw|$("$BENCH" "$N" libc-grouplist benchw)"
		echo "sssd: id benchw, whole process|$("$BENCH" "$NID" spawn-id benchw)"
	done
	sed -i -E 's/^group:.*/group: sss/' /etc/nsswitch.conf
	for i in 1 2 3; do
		echo "sssd: glibc getgrnam ntk-case-1001 (no files)|$("$BENCH" "$N" libc-grnam ntk-case-1001)"
		echo "sssd: glibc getgrouplist benchw (no files)|$("$BENCH" "$N" libc-grouplist benchw)"
	done
	for i in 1 2 3; do
		echo "sssd: glibc getgrnam $LAST_CASE (no files, as benchw)|$(setpriv --reuid="$BUID" --regid="$BUID" --clear-groups "$BENCH" "$N" libc-grnam "$LAST_CASE")"
		echo "sssd: glibc getgrouplist benchw (no files, as benchw)|$(setpriv --reuid="$BUID" --regid="$BUID" --clear-groups "$BENCH" "$N" libc-grouplist benchw)"
	done
	mkdir -p "$NTK_TMP/cnt" && chmod 1777 "$NTK_TMP/cnt"
	for i in 1 2 3; do
		echo "sssd: id benchw, whole process (no files)|$("$BENCH" "$NID" spawn-id benchw)"
		echo "sssd: id benchw, whole process (no files, as benchw)|$(setpriv --reuid="$BUID" --regid="$BUID" --clear-groups "$BENCH" "$NID" spawn-id benchw)"
	done
	echo "CNT sssd: instructions per id benchw process (no files, as benchw)|$(count_run "$NTK_TMP/cnt" setpriv --reuid="$BUID" --regid="$BUID" --clear-groups -- id benchw)"
	echo "CNT sssd: system calls per id benchw process (no files, as benchw)|$(count_syscalls "$NTK_TMP/cnt" setpriv --reuid="$BUID" --regid="$BUID" --clear-groups -- id benchw)"
	sed -i -E 's/^group:.*/group: files sss/' /etc/nsswitch.conf
	for i in 1 2 3; do
		echo "sssd: id benchw, whole process (as benchw)|$(setpriv --reuid="$BUID" --regid="$BUID" --clear-groups "$BENCH" "$NID" spawn-id benchw)"
	done
	# The counts (nss_bench_count.sh): group: sss alone for the look-ups, files sss for id.
	local cd="$NTK_TMP/cnt" as=(setpriv --reuid="$BUID" --regid="$BUID" --clear-groups)
	mkdir -p "$cd" && chmod 1777 "$cd"
	sed -i -E 's/^group:.*/group: sss/' /etc/nsswitch.conf
	echo "CNT sssd: instructions per getgrnam ntk-case-1001 (no files)|$(count_per_call "$cd" -- "$BENCH" libc-grnam ntk-case-1001)"
	echo "CNT sssd: instructions per getgrgid $LAST_GID (no files)|$(count_per_call "$cd" -- "$BENCH" libc-grgid "$LAST_GID")"
	echo "CNT sssd: instructions per getgrouplist benchw (no files)|$(count_per_call "$cd" -- "$BENCH" libc-grouplist benchw)"
	echo "CNT sssd: instructions per getgrouplist benchw (no files, as benchw)|$(count_per_call "$cd" "${as[@]}" -- "$BENCH" libc-grouplist benchw)"
	echo "CNT sssd: system calls per getgrnam ntk-case-1001 (no files)|$(count_syscalls_per_call "$cd" -- "$BENCH" libc-grnam ntk-case-1001)"
	echo "CNT sssd: system calls per getgrouplist benchw (no files)|$(count_syscalls_per_call "$cd" -- "$BENCH" libc-grouplist benchw)"
	echo "CNT sssd: system calls per getgrouplist benchw (no files, as benchw)|$(count_syscalls_per_call "$cd" "${as[@]}" -- "$BENCH" libc-grouplist benchw)"
	sed -i -E 's/^group:.*/group: files sss/' /etc/nsswitch.conf
	echo "CNT sssd: instructions per id benchw process|$(count_run "$cd" -- id benchw)"
	echo "CNT sssd: system calls per id benchw process|$(count_syscalls "$cd" -- id benchw)"
	echo "CNT sssd: instructions per id benchw process (as benchw)|$(count_run "$cd" "${as[@]}" -- id benchw)"
	echo "CNT sssd: system calls per id benchw process (as benchw)|$(count_syscalls "$cd" "${as[@]}" -- id benchw)"
	echo "SSSD_GROUPS $(id -G benchw | wc -w)"
	kill "$spid"
	wait "$spid" 2>/dev/null || true
}

sssd_figures() {
	local d="$NTK_TMP/sssd" out line key val best
	if [ "$ROOT_NS" != yes ]; then
		SSSD_WHY="needs root and a private mount namespace"
	elif sssd_unpack; then
		export -f sssd_inner count_run count_per_call count_syscalls count_syscalls_per_call
		# last_gid, last_case: nss_bench.sh's, like BENCH and BUID.
		# shellcheck disable=SC2154
		export LAST_GID=$last_gid LAST_CASE=$last_case
		export NTK_TMP SLAPD_URI BENCH N NID MA BUID
		out=$(unshare -m --propagation private bash -c 'sssd_inner "$0"' "$d" 2>"$d/inner.err") ||
			SSSD_WHY="the namespace run failed: $(tail -3 "$d/inner.err" | tr '\n' ' ')"
		case $out in *SSSD_FAIL*) SSSD_WHY="$(echo "$out" | sed -n 's/^SSSD_FAIL //p'); $(tail -3 "$d/sssd.out" 2>/dev/null | tr '\n' ' ')" ;; esac
		if [ -z "$SSSD_WHY" ]; then
			echo "$out" | sed -n 's/^SSSD_NOTE /  note: /p'
			for key in "glibc getgrnam ntk-case-1001" "glibc getgrouplist benchw" \
				"glibc getgrnam ntk-case-1001 (no files)" "glibc getgrouplist benchw (no files)" \
				"id benchw, whole process" "glibc getgrnam $last_case (no files, as benchw)" \
				"glibc getgrouplist benchw (no files, as benchw)" "id benchw, whole process (as benchw)" \
				"id benchw, whole process (no files)" "id benchw, whole process (no files, as benchw)"; do
				best=""
				while IFS= read -r line; do
					val=${line#*|}
					[ -n "$val" ] || continue
					if [ -z "$best" ] || awk -v a="$(echo "$val" | awk '{print $(NF-1)}')" \
						-v b="$(echo "$best" | awk '{print $(NF-1)}')" 'BEGIN { exit !(a < b) }'; then
						best=$val
					fi
				done < <(echo "$out" | grep -F "sssd: $key|")
				[ -n "$best" ] || continue
				MED["sssd: $key"]=$(echo "$best" | awk '{print $(NF-1)}')
				P99["sssd: $key"]=$(echo "$best" | awk '{print $NF}')
				printf '  %-56s median %9s us   p99 %9s us\n' "sssd: $key" "${MED["sssd: $key"]}" "${P99["sssd: $key"]}"
			done
			while IFS= read -r line; do
				key=${line#CNT }
				count_put "${key%%|*}" "${line#*|}"
			done < <(echo "$out" | grep '^CNT ')
			echo "  (sssd: id -G benchw lists $(echo "$out" | sed -n 's/^SSSD_GROUPS //p') groups)"
		fi
	fi
	[ -z "$SSSD_WHY" ] || echo "  SSSD not measured: $SSSD_WHY"
}
