#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Break-glass review against the real auditd: a real grant from ntkd
# (ntkctl decide --reason) and accesses under it are listed by
# `ntkctl audit --break-glass` and `--unreviewed`; `ntkctl review SERIAL --note`
# writes an op=ntk-review record through libaudit (found again with ausearch),
# after which the grant is reviewed. Refused: a non-root caller, a login user
# outside [audit] reviewers, a note too long, an unknown serial.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/audit/audit_common.sh"

[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY: no live auditd test"
auditd_ensure
[ -x "$NTKD" ] || ntk_skip "ntkd not built"
[ -x "$NTKCTL" ] || ntk_skip "ntkctl not built"
command -v setpriv >/dev/null || ntk_skip "setpriv not installed (util-linux)"
ntk_tmpdir
export LC_ALL=C
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
slapd_start 29020 29029
ntkd_write_conf
ntkd_start
AUDIT_CONF=$NTK_CONF
out="$NTK_TMP/out"
t0=$(date +%s)
audit_mark
c="77$$"
tag="rv$$x$RANDOM"

# poll N ARGS...: wait up to 10 s for N csv rows of `ntkctl audit ARGS --format csv`
poll() {
	local n=$1 i got=0
	shift
	for ((i = 0; i < 50; i++)); do
		set +e
		ntk_audit "$@" --format csv >"$out" 2>"$out.err"
		set -e
		got=$(($(wc -l <"$out") - 1))
		[ "$got" -ge "$n" ] && return 0
		sleep 0.2
	done
	ntk_fail "expected $n rows for $*, got $got: $(cat "$out" "$out.err")"
}

# a real grant and two accesses under it
ntk_assert_eq "ALLOW rule=break-glass" "$(ntkctl_t decide --user oscar --system FACTS --case "$c" --reason "flood $tag")" "grant"
ntk_assert_eq "ALLOW rule=break-glass" "$(ntkctl_t decide --user oscar --system FACTS --case "$c")" "access 1"
ntk_assert_eq "ALLOW rule=break-glass" "$(ntkctl_t decide --user oscar --system FACTS --case "$c" --action write)" "access 2"
poll 1 --break-glass --since "@$t0" --user oscar --case "$c"
row=$(tail -n 1 "$out")
ntk_assert_contains "$row" ",oscar,FACTS,$c,flood $tag," "grant listed with its reason"
serial=$(cut -d, -f2 <<<"$row")
# the access the grant was asked for, and the two after it, reach the log after the grant
for ((i = 0; i < 50; i++)); do
	ntk_audit --break-glass --since "@$t0" --user oscar --case "$c" --format csv >"$out" 2>/dev/null || true
	[ "$(tail -n 1 "$out" | cut -d, -f9)" = 3 ] && break
	sleep 0.2
done
ntk_assert_eq 3 "$(tail -n 1 "$out" | cut -d, -f9)" "three accesses under the grant"
ntk_assert_contains "$(tail -n 1 "$out")" " read" "the read access"
ntk_assert_contains "$(tail -n 1 "$out")" " write" "the write access"
ntk_assert_contains "$(tail -n 1 "$out")" ",no,,,," "not reviewed yet"
audit_rc 0 "$out" --unreviewed --since "@$t0" --user oscar --case "$c" --format csv
ntk_assert_contains "$(cat "$out")" ",$serial," "--unreviewed lists it"

# refused: not root (the audit log needs CAP_AUDIT_WRITE); nothing written
set +e
setpriv --reuid=65534 --regid=65534 --clear-groups env LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}" \
	"$NTKCTL" -c /nonexistent/ntk.conf review "$serial" --note "x" >"$out" 2>"$out.err"
rc=$?
set -e
ntk_assert_eq 2 "$rc" "non-root review exit"
ntk_assert_contains "$(cat "$out.err")" "run as root" "non-root told why"
# refused: a login user (the kernel's loginuid, kept across su/sudo) outside [audit] reviewers
sed -i '/^break_glass_minutes/a reviewers = adm' "$NTK_CONF"
set +e
bash -c 'echo 65534 >/proc/self/loginuid && exec "$@"' _ "$NTKCTL" -c "$NTK_CONF" review "$serial" \
	--note "x" --since "@$t0" >"$out" 2>"$out.err"
rc=$?
set -e
ntk_assert_eq 2 "$rc" "non-reviewer exit"
ntk_assert_contains "$(cat "$out.err")" "nobody is not in a reviewers group ([audit] reviewers = adm)" "non-reviewer told why"
# refused: bad arguments
set +e
"$NTKCTL" -c "$NTK_CONF" review "$serial" --since "@$t0" >"$out" 2>"$out.err"; r1=$?
"$NTKCTL" -c "$NTK_CONF" review "$serial" --note "$(head -c 1025 /dev/zero | tr '\0' x)" >"$out" 2>"$out.err"; r2=$?
"$NTKCTL" -c "$NTK_CONF" review 999999999 --note "x" --since "@$t0" >"$out" 2>"$out.err"; r3=$?
"$NTKCTL" -c "$NTK_CONF" review abc --note "x" >"$out" 2>"$out.err"; r4=$?
# two grants with one serial (serials restart at boot and differ per node): refused, said
"$NTKCTL" -c "$NTK_CONF" review 52 --note "x" --input "$AUDIT_SAMPLE" "$AUDIT_SAMPLE" >"$out" 2>"$out.err"; r5=$?
set -e
ntk_assert_contains "$(cat "$out.err")" "2 grants have serial 52" "ambiguous serial said"
ntk_assert_eq "2 2 1 2 2" "$r1 $r2 $r3 $r4 $r5" "no note, long note, unknown serial, bad serial, ambiguous"
[ -z "$(audit_search_once -m TRUSTED_APP --raw | grep "op=ntk-review.*grant_serial=$serial " || true)" ] ||
	ntk_fail "a refused review wrote a record"

# a member of a reviewers group (here nobody, whose primary group is nogroup) reviews;
# the note is hostile: a quote, a field of its own, a newline
sed -i 's/^reviewers = adm/reviewers = secteam-none, nogroup/' "$NTK_CONF"
note=$'checked with oscar\'s manager" res=failed reviewer=root\nok'
bash -c 'echo 65534 >/proc/self/loginuid && exec "$@"' _ "$NTKCTL" -c "$NTK_CONF" review "$serial" \
	--note "$note" --since "@$t0" >"$out" 2>"$out.err" || ntk_fail "review failed: $(cat "$out.err")"
ntk_assert_contains "$(cat "$out")" "reviewed grant $serial (oscar, FACTS, case $c) as nobody" "review confirmed"
raw=$(audit_search -m TRUSTED_APP --raw | grep "op=ntk-review.*grant_serial=$serial " || true)
[ -n "$raw" ] || ntk_fail "no op=ntk-review record for grant $serial in auditd's log"
ntk_assert_contains "$raw" " uid=0 auid=65534 " "written by root, login user nobody"
ntk_assert_contains "$raw" 'reviewer="nobody"' "reviewer field"
ntk_assert_contains "$raw" "note=$(printf '%s' "$note" | od -An -tx1 | tr -d ' \n' | tr a-f A-F) " "note hex-encoded"
ntk_assert_eq 1 "$(grep -o 'res=' <<<"$raw" | wc -l)" "the note adds no res= field"
# now reviewed, and gone from --unreviewed
poll 1 --break-glass --since "@$t0" --user oscar --case "$c"
ntk_assert_contains "$(tail -n 1 "$out")" ",yes,nobody," "reviewed by nobody"
ntk_assert_contains "$(tail -n 1 "$out")" "checked with oscar's manager\"\" res=failed reviewer=root\\nok" "note decoded and escaped"
audit_rc 1 "$out" --unreviewed --since "@$t0" --user oscar --case "$c" --format csv
ntk_pass "break-glass grant $serial listed with 3 accesses, reviewed through libaudit ($AUDIT_VIA)"
