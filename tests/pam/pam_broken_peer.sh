#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A broken or hostile peer on the socket (short, garbage, oversized, wrong-type, refusing, silent replies) is never an allow.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

pam_need_built
pam_asan_preload
ntk_tmpdir
mkdir -p "$NTK_TMP/pam.d"
NTK_SOCKET=$NTK_TMP/peer.sock
pam_service ntk-test-peer "account required @NTK@ system=FACTS timeout=1 @SOCK@"

for mode in close short version huge truncated garbage badoutcome denied wrongtype silent; do
	"$PAM_PEER" reply "$mode" "$NTK_SOCKET" >"$NTK_TMP/peer.ready" 2>&1 &
	peer=$!
	ntk_on_exit "ntk_stop_pid $peer"
	ntk_wait_for 5 grep -qx ready "$NTK_TMP/peer.ready" ||
		ntk_fail "pam_peer $mode did not start: $(cat "$NTK_TMP/peer.ready")"
	start=$SECONDS
	drive ntk-test-peer alice --leftovers
	got=$(printf '%s\n' "$DRIVE_OUT" | sed -n 's/^result=//p')
	case "$got" in
	PAM_AUTHINFO_UNAVAIL | PAM_SYSTEM_ERR) ;;
	*) ntk_fail "peer mode $mode: expected PAM_AUTHINFO_UNAVAIL or PAM_SYSTEM_ERR, got [$got]: $DRIVE_OUT" ;;
	esac
	ntk_assert_not_contains "$DRIVE_OUT" "leftover=" "peer mode $mode"
	kill -0 "$peer" 2>/dev/null || ntk_fail "pam_peer $mode is gone: the module talked to nobody"
	[ $((SECONDS - start)) -le 4 ] || ntk_fail "peer mode $mode: took $((SECONDS - start)) s with timeout=1"
	[ "$mode" != denied ] || ntk_assert_eq PAM_SYSTEM_ERR "$got" "ntkd refusing the question"
	ntk_stop_pid "$peer"
	wait "$peer" 2>/dev/null || true
	rm -f "$NTK_TMP/peer.ready"
	ntk_log "$mode -> $got"
done
ntk_pass "every broken reply fails closed"
