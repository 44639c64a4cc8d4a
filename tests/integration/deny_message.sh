#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# [system:NAME] deny_message: ntkctl check and decide print it on the line after the
# verdict (which stays first), only with a denial, only the asked system's; ntkd
# refuses to start on a message that is not one printable line.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/integration/finish.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

auditd_ensure
ntk_tmpdir
slapd_start 28900 28919
ntkd_write_conf
MSG='Requests for records outside your assignments go to the Legal Division, ext. 4410; #2 for urgent'
# Quoted: ';' and '#' would otherwise start a comment. COURTS keeps none.
sed -i "/^\[system:FACTS\]/a deny_message = \"$MSG\"" "$NTK_CONF"
ntkd_start

# out_is EXPECTED_RC EXPECTED_OUTPUT ntkctl ARGS...: exact stdout and exit code.
out_is() {
	local rc_want=$1 want=$2 got rc
	shift 2
	set +e
	got=$(ntkctl_t "$@" 2>&1)
	rc=$?
	set -e
	ntk_assert_eq "$want" "$got" "ntkctl $*"
	ntk_assert_eq "$rc_want" "$rc" "ntkctl $* exit code"
}

out_is 1 "$(printf 'DENY reason=no-business-reason\n%s' "$MSG")" check --user mallory --system FACTS --case 1001
out_is 1 "$(printf 'DENY reason=system-not-permitted\n%s' "$MSG")" check --user judy --system FACTS
out_is 1 "$(printf 'DENY reason=unknown-user\n%s' "$MSG")" check --user nosuchperson --system FACTS
# An allow needs no advice; a system without a deny_message gives none; an unknown system has none.
out_is 0 "ALLOW rule=assigned" check --user alice --system FACTS --case 1001
out_is 1 "DENY reason=system-not-permitted" check --user alice --system COURTS
out_is 1 "DENY reason=unknown-system" check --user alice --system NOSUCH
# decide (audited) says the same.
out_is 1 "$(printf 'DENY reason=no-business-reason\n%s' "$MSG")" decide --user mallory --system FACTS --case 1001
# The verdict stays the first line a script reads, and the message comes right after it.
set +e
first=$(ntkctl_t check --user mallory --system FACTS --case 1001 | head -1)
set -e
ntk_assert_eq "DENY reason=no-business-reason" "$first" "the verdict is the first line"
# With --explain the explanation comes first, as before, and the message still right after the verdict.
set +e
got=$(ntkctl_t check --user mallory --system FACTS --case 1001 --explain)
set -e
ntk_assert_eq "$(printf 'DENY reason=no-business-reason\n%s' "$MSG")" "$(printf '%s\n' "$got" | tail -2)" \
	"with --explain: verdict, then the message, at the end"
# A refused break-glass (mallory's role does not allow it) carries it too; a granted one does not.
out_is 1 "$(printf 'DENY reason=no-business-reason\n%s' "$MSG")" decide --user mallory --system FACTS --case 1003 --reason curious
out_is 0 "ALLOW rule=break-glass" decide --user oscar --system FACTS --case "9$RANDOM$$" --reason "child brought to ER"
ntk_pass "ntkctl check/decide print deny_message after the verdict, with denials only"

# Bad messages: ntkd refuses to start, naming file, section and key; nothing is served.
ntkd_finish
for bad in "$(printf 'bell\a')" "$(printf 'esc \033[2J')" "$(printf '%0600d' 1)" "$(printf 'latin1 \351')"; do
	cp "$NTK_CONF" "$NTK_TMP/bad.conf"
	sed -i "s|^deny_message = .*|deny_message = \"$bad\"|" "$NTK_TMP/bad.conf"
	set +e
	out=$(timeout 20 "$NTKD" -c "$NTK_TMP/bad.conf" -f 2>&1 </dev/null)
	rc=$?
	set -e
	ntk_assert_contains "$out" "$NTK_TMP/bad.conf:system:FACTS:deny_message: " "config error names file, section and key"
	[ "$rc" = 2 ] || ntk_fail "ntkd on a bad deny_message: exit $rc, want 2: $out"
	[ ! -S "$NTK_SOCKET" ] || ntk_fail "socket created by a refused config"
done
ntk_pass "a deny_message with control bytes, not UTF-8 or over 512 bytes is refused by name"
