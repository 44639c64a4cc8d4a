#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Regenerate data/sample.audit: real auditd records written by ntk_audit_gen
# (ntkd's record format, hostile values included) plus another program's
# record, pulled back out of the audit log raw with ausearch. Needs root and auditd.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/auditd.sh"

auditd_ensure
ntk_tmpdir
GEN="$top_builddir/tests/audit/ntk_audit_gen"
OUT="$top_srcdir/tests/audit/data/sample.audit"

audit_mark
if [ "${NTK_SAMPLE_ONLY:-}" = rhost ]; then
	OUT="$NTK_TMP/unused"
fi
"$GEN" sample &
gen_pid=$!
wait "$gen_pid" || ntk_fail "ntk_audit_gen failed"
# another program's user record that mentions ntk words: ignored by type
auditctl -m "op=ntk-case acct=mallory case=1012 res=failed" >/dev/null

want=33 # records ntk_audit_gen sample writes
for ((i = 0; i < 50; i++)); do
	audit_search_once --raw -p "$gen_pid" >"$NTK_TMP/gen.raw"
	[ "$(wc -l <"$NTK_TMP/gen.raw")" -ge "$want" ] && break
	sleep 0.2
done
[ "$(wc -l <"$NTK_TMP/gen.raw")" -eq "$want" ] ||
	ntk_fail "expected $want records from pid $gen_pid, got $(wc -l <"$NTK_TMP/gen.raw")"
audit_search_once --raw -m USER -x /usr/sbin/auditctl >"$NTK_TMP/other.raw"
[ -s "$NTK_TMP/other.raw" ] || ntk_fail "auditctl -m record not found"
cat "$NTK_TMP/gen.raw" "$NTK_TMP/other.raw" >"$OUT"
ntk_log "wrote $(wc -l <"$OUT") records to $OUT"

# data/rhost.audit: hostile remote hosts and ttys, which libaudit does not encode
RHOST="$top_srcdir/tests/audit/data/rhost.audit"
"$GEN" rhost &
gen_pid=$!
wait "$gen_pid" || ntk_fail "ntk_audit_gen rhost failed"
for ((i = 0; i < 50; i++)); do
	audit_search_once --raw -p "$gen_pid" >"$RHOST"
	[ "$(wc -l <"$RHOST")" -ge 3 ] && break
	sleep 0.2
done
[ "$(wc -l <"$RHOST")" -eq 3 ] || ntk_fail "expected 3 rhost records, got $(wc -l <"$RHOST")"
ntk_log "wrote 3 records to $RHOST"
