#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A daemon run by nobody on a socket ntkctl is pointed at is never believed: exit 2 naming its uid.
# The impostor is a real ntkd started as nobody, so its answers are well formed and would allow.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_need_root
ntk_need_cmd setpriv
ntk_tmpdir
slapd_start 28900 28919
ntkd_write_conf
NOBODY_UID=$(id -u nobody)

ntkd_start_impostor

# The impostor is a working ntkd: root asked it would say ALLOW, were it believed.
set +e
out=$("$NTKCTL" -c "$IMPOSTOR_CONF" check --user alice --system FACTS --case 1001 2>&1)
rc=$?
set -e
ntk_log "ntkctl against a daemon run by nobody: exit $rc: $out"
ntk_assert_eq 2 "$rc" "ntkctl against a daemon run by nobody"
ntk_assert_not_contains "$out" "ALLOW" "ntkctl against a daemon run by nobody"
ntk_assert_contains "$out" "uid $NOBODY_UID" "ntkctl names the uid that answered"
ntk_assert_contains "$out" "$IMPOSTOR_SOCKET" "ntkctl names the socket"
set +e
out=$("$NTKCTL" -c "$IMPOSTOR_CONF" status 2>&1)
rc=$?
set -e
ntk_assert_eq 2 "$rc" "ntkctl status against a daemon run by nobody"
ntk_assert_contains "$out" "uid $NOBODY_UID" "ntkctl status names the uid"

# The real ntkd, run by root, on the same directory and policy: believed.
ntkd_start
check_is "ALLOW rule=assigned" --user alice --system FACTS --case 1001
ntkd_finish
ntk_pass "ntkctl believes only a daemon run by root"
