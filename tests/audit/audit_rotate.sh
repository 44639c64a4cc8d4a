#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Rotated logs: every rotation auditd keeps is read by default (log_file from
# auditd.conf, here a private one through NTK_AUDITD_CONF), gzipped ones too;
# --input reads the files named in order, .gz too; a gap in the numbering is said
# on stderr and exits 3 with the rest reported; an unreadable log names
# auditd.conf's log_group.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/audit/audit_common.sh"

ntk_tmpdir
export TZ=UTC LC_ALL=C
out="$NTK_TMP/out"
d="$NTK_TMP/log"
mkdir -p "$d"

# The sample's 34 lines as four files, oldest first: audit.log.3 .. audit.log.
# auditd rotates audit.log -> .1 -> .2 ...: the highest number is the oldest.
split_sample() {
	rm -f "$d"/audit.log*
	sed -n '1,9p' "$AUDIT_SAMPLE" >"$d/audit.log.3"
	sed -n '10,17p' "$AUDIT_SAMPLE" >"$d/audit.log.2"
	sed -n '18,25p' "$AUDIT_SAMPLE" >"$d/audit.log.1"
	sed -n '26,$p' "$AUDIT_SAMPLE" >"$d/audit.log"
}
split_sample
cat >"$NTK_TMP/auditd.conf" <<CONF
log_file = $d/audit.log
log_group = adm
CONF
export NTK_AUDITD_CONF="$NTK_TMP/auditd.conf"

# default: all four files, the same as the one sample
audit_rc 0 "$out" --list
diff -u "$AUDIT_EXPECTED/list.text" "$out" >&2 || ntk_fail "default rotations differ from the sample"
ntk_assert_eq "" "$(cat "$out.err")" "nothing said when complete"

# gzipped rotations (logrotate's compress), by default and with --input
gzip "$d/audit.log.2" "$d/audit.log.3"
audit_rc 0 "$out" --list
diff -u "$AUDIT_EXPECTED/list.text" "$out" >&2 || ntk_fail "default with .gz rotations differs"
audit_rc 0 "$out" --list --input "$d/audit.log.3.gz" "$d/audit.log.2.gz" "$d/audit.log.1" "$d/audit.log"
diff -u "$AUDIT_EXPECTED/list.text" "$out" >&2 || ntk_fail "--input with .gz differs"
# the bug this fixes: --input audit.log.2.gz alone said "no matching records"
audit_rc 0 "$out" --list --input "$d/audit.log.2.gz" --format csv
[ "$(($(wc -l <"$out") - 1))" -ge 1 ] || ntk_fail "--input X.2.gz read nothing: $(cat "$out")"
ntk_assert_contains "$(cat "$out")" ",allowed,break-glass,heidi,FACTS,1005," "a record of the gzipped rotation"

# a gap: audit.log.2 gone. Said on stderr, exit 3, the rest still reported
rm "$d/audit.log.2.gz"
audit_rc 3 "$out" --list --format csv
ntk_assert_contains "$(cat "$out.err")" "$d/audit.log.2 is missing (the rotations have a gap" "default gap said"
ntk_assert_contains "$(cat "$out.err")" "the report is incomplete" "incomplete said"
ntk_assert_contains "$(cat "$out")" ",denied,login,mallory,COURTS," "records of .3 still read"
ntk_assert_not_contains "$(cat "$out")" ",denied,case,carol,FACTS,1005," "no record of the missing .2"
# the same gap among files named: said, exit 3; with nothing missing: exit 0
audit_rc 3 "$out" --summary --input "$d/audit.log.3.gz" "$d/audit.log.1" "$d/audit.log"
ntk_assert_contains "$(cat "$out.err")" "$d/audit.log.2 is not among the files named" "--input gap said"
audit_rc 3 "$out" --summary --input "$d/audit.log.3.gz" "$d/audit.log"
ntk_assert_contains "$(cat "$out.err")" "$d/audit.log.1 is not among the files named" "--input gap to the live log"
audit_rc 0 "$out" --summary --input "$d/audit.log.1" "$d/audit.log"
ntk_assert_eq "" "$(cat "$out.err")" "consecutive files: nothing said"

# a damaged .gz: said, exit 2 (not a silent short report)
split_sample
gzip "$d/audit.log.2"
head -c 200 "$d/audit.log.2.gz" >"$d/audit.log.2.gz.cut" && mv "$d/audit.log.2.gz.cut" "$d/audit.log.2.gz"
audit_rc 2 "$out" --summary
ntk_assert_contains "$(cat "$out.err")" "cannot read $d/audit.log.2.gz" "truncated gzip said"

# unreadable: exit 2, nothing printed, and the group that may read it named
split_sample
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 0640 "$d/audit.log.1"
	chmod 0755 "$NTK_TMP" "$d"
	set +e
	setpriv --reuid=65534 --regid=65534 --clear-groups env LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}" \
		NTK_AUDITD_CONF="$NTK_AUDITD_CONF" "$AUDIT_MAIN" --summary >"$out" 2>"$out.err"
	rc=$?
	set -e
	ntk_assert_eq 2 "$rc" "unreadable rotation exit"
	ntk_assert_contains "$(cat "$out.err")" "cannot read $d/audit.log.1: Permission denied (auditd.conf log_group is adm: run as root or as a member of adm)" "log_group named"
	[ ! -s "$out" ] || ntk_fail "a report from unreadable logs: $(cat "$out")"
else
	ntk_log "not root or no setpriv: the unreadable-log case is not run"
fi
ntk_pass "rotations, .gz, gaps and unreadable logs ($AUDIT_VIA)"
