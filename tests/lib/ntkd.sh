# SPDX-License-Identifier: LGPL-2.1-or-later
# Write a test ntk.conf and run a private ntkd on a socket in the test's temp dir.
# Needs common.sh, ntk_tmpdir and slapd.sh. Sets NTK_CONF, NTK_SOCKET, NTKD_PID.

# ntkd_write_conf [URI...]: the sample policy against the test slapd, with
# short cache times so tests can watch them expire. Extra settings can be
# appended to $NTK_CONF before ntkd_start (sections may repeat keys only once).
ntkd_write_conf() {
	local uris=${*:-$SLAPD_URI}
	NTK_CONF="$NTK_TMP/ntk.conf"
	NTK_SOCKET="$NTK_TMP/ntkd.sock"
	printf '%s\n' "$SLAPD_BINDPW" >"$NTK_TMP/bindpw"
	chmod 600 "$NTK_TMP/bindpw"
	cat >"$NTK_CONF" <<CONF
[ldap]
uri = $uris
base = $SLAPD_BASE
binddn = $SLAPD_BINDDN
bindpw_file = $NTK_TMP/bindpw
supervision_depth = 2
timeout = ${NTK_TEST_LDAP_TIMEOUT:-2}

[daemon]
socket = $NTK_SOCKET
trusted_peers = ${NTK_TEST_TRUSTED:-postgres mysql}
threads = 4

[cache]
ttl = ${NTK_TEST_TTL:-300}
negative_ttl = ${NTK_TEST_NEGATIVE_TTL:-60}
offline_grace = ${NTK_TEST_OFFLINE_GRACE:-0}

[audit]
allows = ${NTK_TEST_AUDIT_ALLOWS:-no}
break_glass_minutes = 60
auditd_pid_file = ${NTK_TEST_AUDITD_PID_FILE:-/run/auditd.pid}

[nss]
visibility = ${NTK_TEST_VISIBILITY:-member}
case_gid_min = 200000
case_gid_max = 299999
system_gid_min = 190000
role_gid_min = 191000
enumerate = ${NTK_TEST_ENUMERATE:-no}
map = ${NTK_TEST_NSS_MAP:-yes}
CONF
	# The systems and roles of the sample config, unchanged.
	sed -n '/^\[system:/,$p' "$top_srcdir/conf/ntk.conf.sample" >>"$NTK_CONF"
	export NTK_CONF NTK_SOCKET
}

# ntkd_start: run ntkd in the foreground (-f) in the background of this shell,
# under $NTKD_WRAPPER when set (e.g. valgrind), and wait for its socket.
ntkd_start() {
	[ -x "$NTKD" ] || ntk_fail "ntkd not built: $NTKD"
	rm -f "$NTK_SOCKET"
	# shellcheck disable=SC2086
	${NTKD_WRAPPER:-} "$NTKD" -c "$NTK_CONF" -f >>"$NTK_TMP/ntkd.log" 2>&1 &
	NTKD_PID=$!
	ntk_on_exit "ntkd_stop"
	ntk_wait_for 30 test -S "$NTK_SOCKET" || {
		cat "$NTK_TMP/ntkd.log" >&2
		ntk_fail "ntkd did not create $NTK_SOCKET"
	}
	export NTKD_PID
}

ntkd_stop() {
	[ -n "${NTKD_PID:-}" ] || return 0
	ntk_stop_pid "$NTKD_PID"
	wait "$NTKD_PID" 2>/dev/null || true
	NTKD_PID=
}

# ntkctl against the test daemon.
ntkctl_t() { "$NTKCTL" -c "$NTK_CONF" "$@"; }
# ntkctl status, healthy (0) or degraded (1) alike: tests read its lines.
ntk_status() {
	local rc=0
	"$NTKCTL" -c "$NTK_CONF" status "$@" || rc=$?
	[ "$rc" -le 1 ] || return "$rc"
}

# check_is EXPECTED_LINE ARGS...: ntkctl check prints exactly this line.
check_is() {
	local want=$1 got rc
	shift
	set +e
	got=$(ntkctl_t check "$@" 2>&1)
	rc=$?
	set -e
	[ "$got" = "$want" ] || ntk_fail "ntkctl check $*: expected [$want], got [$got]"
	case "$want" in
	ALLOW*) [ "$rc" = 0 ] || ntk_fail "ntkctl check $*: allow must exit 0, got $rc" ;;
	DENY*) [ "$rc" = 1 ] || ntk_fail "ntkctl check $*: deny must exit 1, got $rc" ;;
	esac
}

# ntkd_start_impostor: a real ntkd run by nobody, with the test's policy, on its own socket
# ($IMPOSTOR_SOCKET, in a directory of nobody's own): what an attacker could start and point a
# client at. Its config stays root's (ntkd accepts that whoever runs it). Sets IMPOSTOR_CONF,
# IMPOSTOR_SOCKET, IMPOSTOR_PID. Needs root, setpriv and ntkd_write_conf first.
ntkd_start_impostor() {
	local dir=$NTK_TMP/impostor
	mkdir -p "$dir"
	cp "$NTK_TMP/bindpw" "$dir/bindpw"
	chown -R nobody:nogroup "$dir"
	chmod 755 "$dir"
	IMPOSTOR_CONF=$NTK_TMP/impostor.conf
	IMPOSTOR_SOCKET=$dir/ntkd.sock
	sed -e "s|^socket = .*|socket = $IMPOSTOR_SOCKET|" \
	    -e "s|^bindpw_file = .*|bindpw_file = $dir/bindpw|" "$NTK_CONF" >"$IMPOSTOR_CONF"
	chmod 644 "$IMPOSTOR_CONF"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$NTKD" -c "$IMPOSTOR_CONF" -f \
	    >>"$NTK_TMP/impostor.log" 2>&1 &
	IMPOSTOR_PID=$!
	ntk_on_exit "ntk_stop_pid $IMPOSTOR_PID"
	ntk_wait_for 30 test -S "$IMPOSTOR_SOCKET" ||
		ntk_fail "the impostor ntkd did not start: $(cat "$NTK_TMP/impostor.log")"
	export IMPOSTOR_CONF IMPOSTOR_SOCKET IMPOSTOR_PID
}
