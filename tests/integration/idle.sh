#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An untrusted connection that only PINGs is closed after [daemon] untrusted_idle; root's is not.
# The new [daemon] limits refuse out-of-range values.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_need_root
ntk_need_cmd setpriv
ntk_tmpdir
slapd_start 28900 28919 "$top_srcdir/tests/integration/nobody.ldif"
ntkd_write_conf
# Out-of-range limits are refused with the file, section and key.
for bad in "untrusted_idle = 0" "untrusted_rate = 0" "max_connections_per_uid = 1025" "untrusted_idle = 1e3"; do
	sed "s/^threads = .*/&\n$bad/" "$NTK_CONF" >"$NTK_TMP/bad.conf"
	set +e
	out=$(timeout 10 "$NTKD" -c "$NTK_TMP/bad.conf" -f 2>&1)
	rc=$?
	set -e
	ntk_assert_eq 2 "$rc" "ntkd with [$bad]"
	ntk_assert_contains "$out" "bad.conf:daemon:${bad%% *}" "refusal of [$bad]"
done

ntkd_start
chmod 644 "$NTK_CONF"
cp "$top_builddir/tests/integration/ntk_flood" "$NTK_TMP/"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

# The limit is reloadable: SIGHUP sets it to 2 seconds.
sed -i 's/^threads = .*/&\nuntrusted_idle = 2/' "$NTK_CONF"
kill -HUP "$NTKD_PID"
# (A refused reload shows as the PING-only connection staying open.)
ntk_wait_for 10 grep -qE "config reloaded|reload refused" "$NTK_TMP/ntkd.log" || ntk_fail "reload not logged"

# A PING every half second does not keep an untrusted connection open.
set +e
out=$(as_nobody "$NTK_TMP/ntk_flood" "$NTK_SOCKET" pingidle 500 30)
rc=$?
set -e
ntk_assert_eq 0 "$rc" "nobody's PING-only connection closed ($out)"
# Root is trusted: the same PINGs for longer than the limit, still open.
set +e
out=$("$NTK_TMP/ntk_flood" "$NTK_SOCKET" pingidle 500 5)
rc=$?
set -e
ntk_assert_eq 1 "$rc" "root's PING-only connection kept ($out)"
ntkd_finish
ntk_pass "untrusted idle limit"
