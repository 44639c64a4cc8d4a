#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A login pam_ntk denies reaches auditd as ntkd's USER_ACCT record with acct, system, reason, hostname, terminal and res=failed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

ntk_need_root
auditd_ensure
pam_setup 28927 28929
pam_service ntk-test-audit "account required @NTK@ system=FACTS @SOCK@"

audit_mark
drive_is PAM_PERM_DENIED ntk-test-audit judy --rhost 198.51.100.23 --tty pts/42
drive_is PAM_SUCCESS ntk-test-audit alice --rhost 198.51.100.24 --tty pts/43
# A name crafted to forge fields in the record.
drive_is PAM_PERM_DENIED ntk-test-audit 'mallory res=success reason=x' --rhost 198.51.100.25 --tty pts/44

# What the analyst runs. --input-logs: ausearch reads a piped stdin instead of the logs (make -j gives tests one).
found=$(audit_search --input-logs -m USER_ACCT --success no -i)
rec=$(printf '%s\n' "$found" | grep 'op=ntk-login' | grep 'acct=judy' | grep 'terminal=pts/42' || true)
[ -n "$rec" ] || ntk_fail "no failed USER_ACCT record for judy in: $found"
[[ $rec =~ system=\"?FACTS\"?\  ]] || ntk_fail "judy's record: no system=FACTS in [$rec]"
ntk_assert_contains "$rec" "reason=system-not-permitted" "judy's record"
ntk_assert_contains "$rec" "terminal=pts/42" "judy's record"
ntk_assert_contains "$rec" "198.51.100.23" "judy's record (hostname/addr)"
ntk_assert_contains "$rec" "res=failed" "judy's record"
ntk_assert_contains "$rec" "peer_uid=" "judy's record"

# The raw record: untrusted values encoded, fixed tokens bare.
raw=$(audit_search_once --input-logs -m USER_ACCT --success no | grep 'op=ntk-login' | grep 'acct="judy"' | grep 'terminal=pts/42' || true)
[ -n "$raw" ] || ntk_fail "raw record for judy not found"
ntk_assert_contains "$raw" 'system="FACTS"' "raw record"
ntk_assert_contains "$raw" "reason=system-not-permitted" "raw record"
ntk_assert_contains "$raw" "terminal=pts/42" "raw record"
ntk_assert_contains "$raw" "res=failed" "raw record"

# Allowed logins are audited too, as successes.
ok=$(audit_search --input-logs -m USER_ACCT --success yes -i | grep 'op=ntk-login' | grep 'acct=alice' || true)
[ -n "$ok" ] || ntk_fail "no successful USER_ACCT record for alice"
ntk_assert_contains "$ok" "terminal=pts/43" "alice's record"

# The forged name is hex-encoded in the raw record: one res=, and it says failed.
hexname=$(printf '%s' 'mallory res=success reason=x' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
forged=$(audit_search_once --input-logs -m USER_ACCT | grep op=ntk-login | grep "acct=$hexname" || true)
[ -n "$forged" ] || ntk_fail "record for the forging name not found hex-encoded (acct=$hexname)"
ntk_assert_eq 1 "$(printf '%s\n' "$forged" | grep -o 'res=' | wc -l)" "res= fields in the forged name's record"
ntk_assert_contains "$forged" "res=failed" "forged name's record"
ntk_assert_contains "$forged" "reason=unknown-user" "forged name's record"
ntk_pass "denial audited with acct, system, reason, hostname, terminal, res=failed; names cannot forge fields"
