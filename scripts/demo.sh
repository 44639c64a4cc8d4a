#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The needtoknow demo: build, start a throwaway slapd (the sample agency),
# auditd and ntkd, then walk through allowed and denied decisions with their
# reasons, releases of information, a real login gate through PAM, and the
# security team's report.
# Run as root on Debian 12. Everything it starts is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

if [ "${NTK_SKIP_DEPS:-0}" != 1 ]; then
	scripts/install-deps.sh
fi

echo "== building needtoknow (build-demo/) =="
[ -x configure ] || ./autogen.sh >/dev/null
mkdir -p build-demo
(cd build-demo && { [ -f Makefile ] || ../configure --sysconfdir=/etc >/dev/null; } && make -j"$(nproc)" >/dev/null)

export top_srcdir=$top top_builddir=$top/build-demo
# shellcheck source=../tests/lib/common.sh
source tests/lib/common.sh
source tests/lib/slapd.sh
source tests/lib/auditd.sh
source tests/lib/ntkd.sh
NTK_TEST_NAME=demo

ntk_tmpdir
slapd_start 29040 29049
auditd_ensure
ntkd_write_conf
ntkd_start
audit_mark

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() {
	local shown
	shown=$(printf ' %q' "$@")
	printf '$ ntkctl%s\n' "$shown"
	ntkctl_t "$@" || true
}

say "The directory (conf/sample-directory.ldif): Riverbend County Children's Services."
say "alice is assigned case 1001: she may read and write it."
run check --user alice --system FACTS --case 1001 --action write
say "Her supervisor carol, and carol's manager dave, have a reason through the manager chain."
run check --user carol --system FACTS --case 1001
run check --user dave --system FACTS --case 1001 --explain
say "mallory, a social worker on other cases, has no business reason: denied."
run check --user mallory --system FACTS --case 1001
say "grace, an outside attorney, holds a signed release for 1001: read only."
run check --user grace --system FACTS --case 1001
run check --user grace --system FACTS --case 1001 --action write
say "Her release for 1002 ended in 2020."
run check --user grace --system FACTS --case 1002
say "Legal (erin) acts on every case, sealed ones too; records (frank) may not see sealed cases."
run check --user erin --system FACTS --case 1003 --state sealed
run check --user frank --system FACTS --case 1003 --state sealed
say "judy (HR) may not use FACTS at all; a name nobody has is unknown."
run check --user judy --system FACTS
run check --user 'alice)(uid=*' --system FACTS

if [ -x "$top_builddir/pam_module/.libs/pam_ntk.so" ] && command -v pamtester >/dev/null; then
	say "A real login gate: /etc/pam.d/ntk-demo has 'account required pam_ntk.so system=FACTS'."
	cat >/etc/pam.d/ntk-demo <<PAM
auth     required pam_permit.so
account  required $top_builddir/pam_module/.libs/pam_ntk.so system=FACTS socket=$NTK_SOCKET
PAM
	ntk_on_exit "rm -f /etc/pam.d/ntk-demo"
	for u in alice judy; do
		printf '$ pamtester ntk-demo %s acct_mgmt\n' "$u"
		pamtester -I rhost=192.0.2.7 -I tty=pts/3 ntk-demo "$u" acct_mgmt 2>&1 || true
	done
	say "judy's refused login is in the audit log:"
	audit_search -m USER_ACCT --success no -i | grep ntk-login | tail -n 1
fi

say "The ntkctl check calls above were dry runs; real decisions are audited."
say "mallory goes looking through cases that are not hers (ntkctl decide, as an application would ask)."
for c in 1001 1002 1003 1004 1005; do
	run decide --user mallory --system FACTS --case "$c"
done
say "oscar, on call, states an emergency: break-glass is granted for 60 minutes and audited for review."
run decide --user oscar --system FACTS --case 1003 --reason "child brought to ER at 02:10"
run check --user oscar --system FACTS --case 1003

say "Releasing a case outside the agency (a print, an export, a letter to a court) is more than reading it."
say "alice, the assigned worker, may release 1001; every release is audited, allowed ones too."
run decide --user alice --system FACTS --case 1001 --action release
say "carol supervises alice and may read 1001, but she is not the case manager: she may not release it."
run decide --user carol --system FACTS --case 1001 --action release
run check --user carol --system FACTS --case 1001 --action release --explain
say "Legal (erin, release = yes) may release any case; oscar's break-glass grant never allows a release."
run decide --user erin --system FACTS --case 1001 --action release
run decide --user oscar --system FACTS --case 1003 --action release

say "What the security team sees: auditd's records, through ntkctl audit (releases in their own column)."
since="$AUDIT_MARK_DATE $AUDIT_MARK_TIME"
sleep 1
run audit --since "$since" --summary
run audit --since "$since" --browsing --threshold 3
run audit --since "$since" --list --allowed
say "Every emergency access is reviewed afterwards. Grants nobody has reviewed yet:"
run audit --since "$since" --break-glass --unreviewed
serial=$(ntkctl_t audit --since "$since" --break-glass --unreviewed --format csv 2>/dev/null | awk -F, 'NR == 2 { print $2 }')
if [ -n "$serial" ]; then
	say "A reviewer records the review in the audit log itself (root, or a group in [audit] reviewers)."
	run review "$serial" --since "$since" --note "ER visit confirmed with the on-call supervisor"
	run audit --since "$since" --break-glass
fi
printf '$ ausearch -m USER_ACCT,TRUSTED_APP --success no -i -ts %s (last two)\n' "$since"
LC_ALL=C ausearch --input-logs -m USER_ACCT,TRUSTED_APP --success no -i -ts $since 2>/dev/null | grep 'op=ntk' | tail -n 2 || true
say "Done. Everything started for the demo is being stopped."
