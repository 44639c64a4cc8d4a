# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared setup for pam_ntk's tests: the module, the driver, service files, and a running ntkd.
# Source after nothing else: it sources tests/lib/*.sh itself.

# shellcheck source=../lib/common.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/lib/auditd.sh"

PAM_NTK_SO=$top_builddir/pam_module/.libs/pam_ntk.so
PAM_DRIVE=$top_builddir/tests/pam/pam_drive
PAM_PEER=$top_builddir/tests/pam/pam_peer
PAM_MODDIR=$(dirname "$(find /lib /usr/lib -name pam_permit.so -path '*security*' -print -quit 2>/dev/null)")

pam_need_built() {
	[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests not run"
	[ -f "$PAM_NTK_SO" ] || ntk_fail "module not built: $PAM_NTK_SO"
	[ -x "$PAM_DRIVE" ] || ntk_fail "driver not built: $PAM_DRIVE"
	[ -n "$PAM_MODDIR" ] && [ -f "$PAM_MODDIR/pam_permit.so" ] || ntk_skip "pam_permit.so not found"
}

# A sanitizer build's module needs the ASan runtime first in any host process
# that was not built with it (pamtester, sshd, postgres, mariadbd). pam_drive
# is built with it, and keeps LeakSanitizer on.
PAM_PRELOAD=
pam_asan_preload() { PAM_PRELOAD=$(ntk_asan_preload "$PAM_NTK_SO"); }

# pam_setup LOW HIGH: temp dir, slapd on a port in [LOW, HIGH], ntkd on a socket in the temp dir.
pam_setup() {
	pam_need_built
	[ -x "$NTKD" ] || ntk_skip "ntkd not built: $NTKD"
	pam_asan_preload
	ntk_tmpdir
	mkdir -p "$NTK_TMP/pam.d" "$NTK_TMP/lib"
	# Servers running as other users (postgres) must read the module: the build
	# tree may be under a private home. Same bytes, in a world-readable place.
	cp "$PAM_NTK_SO" "$NTK_TMP/lib/pam_ntk.so"
	chmod 755 "$NTK_TMP/lib"
	chmod 644 "$NTK_TMP/lib/pam_ntk.so"
	PAM_NTK_SO=$NTK_TMP/lib/pam_ntk.so
	slapd_start "$1" "$2"
	ntkd_write_conf
	ntkd_start
	# Other users' processes (postgres, mysql) must reach the socket through the temp dir.
	chmod 755 "$NTK_TMP"
}

# pam_service NAME LINE...: a service file in the test's confdir; @NTK@ is the
# built module with this test's socket, @MOD@ the system module directory.
pam_service() {
	local name=$1 line
	shift
	: >"$NTK_TMP/pam.d/$name"
	for line in "$@"; do
		line=${line//@NTK@/$PAM_NTK_SO}
		line=${line//@SOCK@/socket=$NTK_SOCKET}
		line=${line//@MOD@/$PAM_MODDIR}
		printf '%s\n' "$line" >>"$NTK_TMP/pam.d/$name"
	done
}

# pam_etc_service NAME: install the confdir service as /etc/pam.d/NAME (ntk-test-* only), removed at exit.
pam_etc_service() {
	local name=$1
	case "$name" in ntk-test-*) ;; *) ntk_fail "refusing to write /etc/pam.d/$name" ;; esac
	[ ! -e "/etc/pam.d/$name" ] || ntk_fail "/etc/pam.d/$name exists already (another run?)"
	ntk_on_exit "rm -f '/etc/pam.d/$name'"
	cp "$NTK_TMP/pam.d/$name" "/etc/pam.d/$name"
}

# drive SERVICE USER [driver options...]: run the account stage, output in $DRIVE_OUT.
drive() {
	local svc=$1 user=$2
	shift 2
	DRIVE_OUT=$("$PAM_DRIVE" --confdir "$NTK_TMP/pam.d" "$@" "$svc" "$user" 2>&1) ||
		ntk_fail "pam_drive $svc $user $*: exit $?: $DRIVE_OUT"
}

# drive_is RESULT SERVICE USER [options...]: the account stage gives RESULT.
drive_is() {
	local want=$1
	shift
	drive "$@"
	DRIVE_RESULT=$(printf '%s\n' "$DRIVE_OUT" | sed -n 's/^result=//p')
	[ "$DRIVE_RESULT" = "$want" ] ||
		ntk_fail "account stage of $1 for [$2] ($*): expected $want, got [$DRIVE_RESULT]: $DRIVE_OUT"
}

# drive_conv_has TEXT / drive_conv_none: what the last drive showed the user.
drive_conv_has() { ntk_assert_contains "$DRIVE_OUT" "conv=error:$1" "message shown to the user"; }
drive_conv_none() { ntk_assert_not_contains "$DRIVE_OUT" "conv=" "message shown to the user"; }

# A local Unix user for a client test, removed at exit only if we made it.
pam_local_user() {
	local u=$1
	if ! getent passwd "$u" >/dev/null; then
		useradd -m -s /bin/bash "$u" || ntk_fail "useradd $u"
		ntk_on_exit "userdel -r '$u'"
	fi
}

# pam_syslog_capture LOG SCRIPT: run the bash file SCRIPT in a private mount namespace with a
# private /dev whose log socket is a sink appending each syslog(3) message to LOG as a line.
# SCRIPT sees NTK_TMP, PAM_PEER and PAM_DRIVE. Skips where mount namespaces are not allowed.
pam_syslog_capture() {
	local log=$1 script=$2
	cat >"$NTK_TMP/syslog-wrap.sh" <<'WRAP'
set -eu
log=$1 script=$2
mkdir -p "$NTK_TMP/realdev"
mount --rbind /dev "$NTK_TMP/realdev"
mount -t tmpfs -o mode=755 ntk-test-dev /dev
for f in null zero urandom random full tty; do ln -s "$NTK_TMP/realdev/$f" "/dev/$f"; done
rm -f "$NTK_TMP/sink.ready"
"$PAM_PEER" syslog /dev/log "$log" >"$NTK_TMP/sink.ready" &
sink=$!
trap 'kill "$sink" 2>/dev/null || true' EXIT
for i in $(seq 50); do grep -qx ready "$NTK_TMP/sink.ready" && break; sleep 0.1; done
grep -qx ready "$NTK_TMP/sink.ready"
bash "$script"
sleep 0.3
kill "$sink"
wait "$sink" 2>/dev/null || true
WRAP
	export NTK_TMP PAM_PEER PAM_DRIVE
	unshare -m --propagation private true 2>/dev/null || ntk_skip "no private mount namespace here"
	unshare -m --propagation private bash "$NTK_TMP/syslog-wrap.sh" "$log" "$script" ||
		ntk_fail "syslog capture failed"
}
