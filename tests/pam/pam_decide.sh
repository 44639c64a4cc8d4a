#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The account stage against the real slapd + ntkd: allowed, denied, unknown, hostile names, daemon and directory down.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

ntk_need_root
pam_setup 28920 28923

pam_service ntk-test-facts "account required @NTK@ system=FACTS @SOCK@"
pam_service ntk-test-courts "account required @NTK@ system=COURTS @SOCK@"
pam_service ntk-test-nosuchsys "account required @NTK@ system=NOSUCH @SOCK@"
pam_service ntk-test-ignore \
	"account required @NTK@ system=FACTS unknown_user=ignore @SOCK@" \
	"account required @MOD@/pam_permit.so"
pam_service ntk-test-deny \
	"account required @NTK@ system=FACTS unknown_user=deny debug @SOCK@" \
	"account required @MOD@/pam_permit.so"

# Allowed: a social worker and intake (no cases, but may log in).
drive_is PAM_SUCCESS ntk-test-facts alice --rhost 192.0.2.10 --tty pts/3 --leftovers
drive_conv_none
drive_is PAM_SUCCESS ntk-test-facts ivan
drive_is PAM_SUCCESS ntk-test-courts erin

# Denied, with the reason shown unless PAM_SILENT.
drive_is PAM_PERM_DENIED ntk-test-facts judy --leftovers
drive_conv_has "needtoknow: access to FACTS denied (system-not-permitted)"
drive_is PAM_PERM_DENIED ntk-test-facts judy --silent
drive_conv_none
drive_is PAM_PERM_DENIED ntk-test-facts judy --no-conv
drive_is PAM_PERM_DENIED ntk-test-courts alice
drive_conv_has "needtoknow: access to COURTS denied (system-not-permitted)"
drive_is PAM_PERM_DENIED ntk-test-nosuchsys alice
drive_conv_has "needtoknow: access to NOSUCH denied (unknown-system)"

# Unknown users: denied by default; unknown_user=ignore leaves the decision to the rest of the stack.
drive_is PAM_PERM_DENIED ntk-test-facts nosuchperson
drive_conv_has "needtoknow: access to FACTS denied (unknown-user)"
drive_is PAM_PERM_DENIED ntk-test-deny nosuchperson
drive_is PAM_SUCCESS ntk-test-ignore nosuchperson
drive_is PAM_PERM_DENIED ntk-test-ignore judy
drive_is PAM_SUCCESS ntk-test-ignore alice

# Hostile names go to ntkd as they are and match nobody.
for u in 'alice)(uid=*' '*' 'alice)(|(uid=*)' 'alice" system="FACTS' $'alice\nuid=bob' \
	$'judy\x01' 'alice\2a' 'uid=alice,ou=people,dc=agency,dc=example' '../../alice'; do
	drive_is PAM_PERM_DENIED ntk-test-facts "$u" --leftovers
done
# Names ntkd could never take: refused before asking.
drive_is PAM_USER_UNKNOWN ntk-test-facts ""
drive_is PAM_USER_UNKNOWN ntk-test-facts "$(printf 'a%.0s' {1..257})"
drive_is PAM_PERM_DENIED ntk-test-facts "$(printf 'a%.0s' {1..256})"

# A peer that is neither root nor trusted may ask only about itself: never an allow.
cp "$PAM_DRIVE" "$NTK_TMP/lib/pam_drive"
chmod -R a+rX "$NTK_TMP/pam.d" "$NTK_TMP/lib"
out=$(runuser -u nobody -- "$NTK_TMP/lib/pam_drive" --confdir "$NTK_TMP/pam.d" \
	ntk-test-facts alice 2>&1 || true)
ntk_assert_contains "$out" "result=PAM_SYSTEM_ERR" "untrusted peer asking about alice"

# Directory down: a user ntkd has not cached yet cannot be decided.
slapd_stop
drive_is PAM_AUTHINFO_UNAVAIL ntk-test-facts bob
drive_conv_has "needtoknow: access to FACTS cannot be checked now"
drive_is PAM_SUCCESS ntk-test-facts alice   # cached within ttl

# Daemon down: fails closed, leaves nothing behind.
ntkd_stop
drive_is PAM_AUTHINFO_UNAVAIL ntk-test-facts alice --leftovers
drive_conv_has "needtoknow: access to FACTS cannot be checked now"
drive_is PAM_AUTHINFO_UNAVAIL ntk-test-facts alice --silent
drive_conv_none
ntk_pass "allow, deny with reason, unknown users, hostile names, directory and daemon down"
