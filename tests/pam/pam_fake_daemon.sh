#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A daemon run by nobody on the socket pam_ntk is given (socket=PATH) answers ALLOW: the
# account stage must say PAM_AUTHINFO_UNAVAIL, never PAM_SUCCESS. The same answer from root is believed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

pam_need_built
ntk_need_root
ntk_need_cmd setpriv unshare mount
pam_asan_preload
ntk_tmpdir
mkdir -p "$NTK_TMP/pam.d" "$NTK_TMP/fake"
# A copy nobody can run wherever the build tree lives, and a directory of nobody's own.
cp "$PAM_PEER" "$NTK_TMP/pam_peer"
chmod 755 "$NTK_TMP/pam_peer"
chown nobody:nogroup "$NTK_TMP/fake"

# fake_peer WHO SOCKET: pam_peer answering ALLOW on SOCKET, run by WHO (root or nobody).
fake_peer() {
	local who=$1 sock=$2 peer
	if [ "$who" = root ]; then
		"$NTK_TMP/pam_peer" reply allow "$sock" >"$NTK_TMP/peer.ready" 2>&1 &
	else
		setpriv --reuid="$who" --regid=nogroup --clear-groups \
		    "$NTK_TMP/pam_peer" reply allow "$sock" >"$NTK_TMP/peer.ready" 2>&1 &
	fi
	peer=$!
	ntk_on_exit "ntk_stop_pid $peer"
	ntk_wait_for 5 grep -qx ready "$NTK_TMP/peer.ready" ||
		ntk_fail "pam_peer as $who did not start: $(cat "$NTK_TMP/peer.ready")"
	FAKE_PID=$peer
}

# Control: the fake's ALLOW, from root, is a real allow (the test can tell the two apart).
NTK_SOCKET=$NTK_TMP/root.sock
pam_service ntk-test-fake-root "account required @NTK@ system=FACTS timeout=2 @SOCK@"
fake_peer root "$NTK_SOCKET"
drive_is PAM_SUCCESS ntk-test-fake-root alice
ntk_stop_pid "$FAKE_PID"

# The attack: the same answer from nobody, with syslog captured to see what the admin is told.
NTK_SOCKET=$NTK_TMP/fake/ntkd.sock
pam_service ntk-test-fake "account required @NTK@ system=FACTS timeout=2 @SOCK@"
# Under a sufficient line too: the module's error must not become anyone's success.
pam_service ntk-test-fake-suff "account sufficient @NTK@ system=FACTS timeout=2 @SOCK@" \
    "account required @MOD@/pam_deny.so"
fake_peer nobody "$NTK_SOCKET"
cat >"$NTK_TMP/inner.sh" <<'INNER'
for svc in ntk-test-fake ntk-test-fake-suff; do
	"$PAM_DRIVE" --confdir "$NTK_TMP/pam.d" "$svc" alice >"$NTK_TMP/$svc.out" 2>&1 ||
		echo "exit=$?" >>"$NTK_TMP/$svc.out"
done
INNER
pam_syslog_capture "$NTK_TMP/syslog" "$NTK_TMP/inner.sh"
ntk_stop_pid "$FAKE_PID"

DRIVE_OUT=$(cat "$NTK_TMP/ntk-test-fake.out")
got=$(printf '%s\n' "$DRIVE_OUT" | sed -n 's/^result=//p')
ntk_log "daemon run by nobody -> $got"
ntk_assert_eq PAM_AUTHINFO_UNAVAIL "$got" "account stage against a daemon run by nobody"
drive_conv_has "needtoknow: access to FACTS cannot be checked now"
DRIVE_OUT=$(cat "$NTK_TMP/ntk-test-fake-suff.out")
ntk_assert_contains "$DRIVE_OUT" "result=" "sufficient pam_ntk before pam_deny"
ntk_assert_not_contains "$DRIVE_OUT" "result=PAM_SUCCESS" "sufficient pam_ntk before pam_deny"
log=$(cat "$NTK_TMP/syslog" 2>/dev/null || true)
ntk_assert_contains "$log" "refusing the daemon at $NTK_SOCKET: it is run by uid $(id -u nobody)" \
    "syslog names the socket and the uid"
ntk_pass "pam_ntk believes only a daemon run by root"
