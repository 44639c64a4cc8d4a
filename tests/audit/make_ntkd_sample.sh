#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Regenerate data/ntkd.audit: records written by a real ntkd (to the running
# auditd) for real, non-dry-run requests against the sample directory:
# logins, case decisions with every kind of rule and reason, hostile names,
# releases allowed and denied, and SQL plugins' statement summaries. Needs root, auditd, slapd and ntkd.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

[ -x "$NTKD" ] || ntk_skip "ntkd not built"
CLIENT="$top_builddir/tests/audit/ntk_audit_client"
OUT="$top_srcdir/tests/audit/data/ntkd.audit"
auditd_ensure
ntk_tmpdir
slapd_start 29010 29019
NTK_TEST_AUDIT_ALLOWS=yes ntkd_write_conf
ntkd_start
audit_mark

n=0
ask() { # ARGS for ntk_audit_client after the socket; any verdict
	"$CLIENT" "$NTK_SOCKET" "$@" >/dev/null || [ $? = 1 ] || ntk_fail "request failed: $*"
	n=$((n + 1))
}
ask alice FACTS login
ask judy FACTS login
ask 'evil" acct=root x=1' FACTS login
ask alice FACTS read 1001
ask carol FACTS read 1003
ask erin COURTS read 1004 sealed
ask bob FACTS read 1004
ask frank FACTS write 1001
ask alice FACTS read 1002 sealed
ask ivan FACTS read 1001
for c in 1001 1002 1003 1004 1005; do
	ask mallory FACTS read "$c"
done
ask mallory FACTS read 1001
ask 'Zoë Ω' FACTS read 1001
ask --report mallory FACTS read 2 q-7 1001 1003
# releases: the case manager and legal allowed, a supervisor and a read-only assignment
# denied, and a SQL plugin's summary of the rows a release statement allowed
ask alice FACTS release 1001
ask erin COURTS release 1004 sealed
ask carol FACTS release 1001
ask grace FACTS release 1001
ask --report alice FACTS release 2 q-8 1001 1002

for ((i = 0; i < 50; i++)); do
	audit_search_once --raw -p "$NTKD_PID" -m USER_ACCT,TRUSTED_APP >"$NTK_TMP/ntkd.raw"
	[ "$(wc -l <"$NTK_TMP/ntkd.raw")" -ge "$n" ] && break
	sleep 0.2
done
[ "$(wc -l <"$NTK_TMP/ntkd.raw")" -eq "$n" ] ||
	ntk_fail "expected $n records from ntkd, got $(wc -l <"$NTK_TMP/ntkd.raw")"
cp "$NTK_TMP/ntkd.raw" "$OUT"
ntk_log "wrote $n ntkd records to $OUT"
