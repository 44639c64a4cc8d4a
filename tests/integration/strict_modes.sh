#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# StrictModes for ntkd: a config (or a directory above it) that anyone but root or ntkd's user
# can change is refused at start and on SIGHUP with "file: reason"; so is a socket directory
# that is not root's or is writable by group or others.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_need_root
ntk_need_cmd timeout
ntk_tmpdir
slapd_start 28900 28919
ntkd_write_conf
NOBODY_UID=$(id -u nobody)

# refused FILE WHAT WANT...: ntkd -c FILE exits non-zero at once (an accepted config would
# serve until the timeout), with each WANT on stderr and no socket left behind.
refused() {
	local conf=$1 what=$2 rc out want
	shift 2
	set +e
	out=$(timeout 10 "$NTKD" -c "$conf" -f 2>&1)
	rc=$?
	set -e
	ntk_log "$what: exit $rc: $out"
	case "$rc" in
	0 | 124) ntk_fail "$what: ntkd accepted it (exit $rc): $out" ;;
	esac
	for want in "$@"; do
		ntk_assert_contains "$out" "$want" "refusal message for $what"
	done
	[ ! -S "$NTK_SOCKET" ] || ntk_fail "$what: socket created anyway"
}

# conf_in DIR: a copy of the test config in DIR (root's, 0644), its path on stdout.
conf_in() {
	mkdir -p "$1"
	cp "$NTK_CONF" "$1/ntk.conf"
	chmod 644 "$1/ntk.conf"
	printf '%s\n' "$1/ntk.conf"
}

# The file itself.
c=$(conf_in "$NTK_TMP/file")
chmod 666 "$c"
refused "$c" "world-writable config" "$c:" "writable by group or others" "0666"
chmod 664 "$c"
refused "$c" "group-writable config" "$c:" "writable by group or others" "0664"
chmod 644 "$c"
chown nobody "$c"
refused "$c" "config owned by nobody" "$c:" "owned by uid $NOBODY_UID"
chown root "$c"

# Its directory: writable by others (sticky or not), or someone else's.
c=$(conf_in "$NTK_TMP/wdir")
chmod 777 "$NTK_TMP/wdir"
refused "$c" "config in a world-writable directory" "$c:" "$NTK_TMP/wdir" "writable by group or others"
chmod 1777 "$NTK_TMP/wdir"
refused "$c" "config in a sticky world-writable directory" "$c:" "$NTK_TMP/wdir"
chmod 755 "$NTK_TMP/wdir"
chown nobody "$NTK_TMP/wdir"
refused "$c" "config in nobody's directory" "$c:" "$NTK_TMP/wdir" "owned by uid $NOBODY_UID"

# A directory further up that others may rename things in (not sticky): the whole path counts.
c=$(conf_in "$NTK_TMP/up/etc")
chmod 777 "$NTK_TMP/up"
refused "$c" "config below a world-writable directory" "$c:" "$NTK_TMP/up" "writable by group or others"
chmod 755 "$NTK_TMP/up"

# The socket's directory: ntkd refuses to listen where others could swap the socket.
bad_sock_conf() {
	sed "s|^socket = .*|socket = $1/ntkd.sock|" "$NTK_CONF" >"$NTK_TMP/sock.conf"
	chmod 644 "$NTK_TMP/sock.conf"
}
mkdir -m 777 "$NTK_TMP/wsock"
chmod 777 "$NTK_TMP/wsock"
bad_sock_conf "$NTK_TMP/wsock"
refused "$NTK_TMP/sock.conf" "world-writable socket directory" "$NTK_TMP/wsock" "writable by group or others"
[ ! -e "$NTK_TMP/wsock/ntkd.sock" ] || ntk_fail "socket made in a world-writable directory"
chmod 1777 "$NTK_TMP/wsock"
refused "$NTK_TMP/sock.conf" "sticky world-writable socket directory" "$NTK_TMP/wsock"
chmod 755 "$NTK_TMP/wsock"
chown nobody "$NTK_TMP/wsock"
refused "$NTK_TMP/sock.conf" "socket directory owned by nobody" "$NTK_TMP/wsock" "owned by uid $NOBODY_UID"

# SIGHUP: a config made writable by others is refused and the running one kept.
ntkd_start
check_is "ALLOW rule=supervisor" --user dave --system FACTS --case 1001
chmod 666 "$NTK_CONF"
kill -HUP "$NTKD_PID"
ntk_wait_for 5 grep -q "reload refused, keeping the running config: $NTK_CONF: .*writable by group or others" \
    "$NTK_TMP/ntkd.log" || ntk_fail "writable config reloaded: $(cat "$NTK_TMP/ntkd.log")"
ntk_assert_contains "$(ntk_status)" "config_generation=1" "old config kept"
# Put right, the same file loads.
chmod 644 "$NTK_CONF"
kill -HUP "$NTKD_PID"
ntk_wait_for 5 sh -c "'$NTKCTL' -c '$NTK_CONF' status | grep -q config_generation=2" ||
	ntk_fail "config not reloaded once safe: $(cat "$NTK_TMP/ntkd.log")"
ntkd_finish
ntk_pass "config and socket directory permissions"
