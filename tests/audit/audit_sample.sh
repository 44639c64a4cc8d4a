#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `ntkctl audit --input` over the checked-in sample of real auditd records
# (tests/audit/data/sample.audit, made by make_sample.sh): exact output for each
# view and format, the filters, and hostile values kept inside their field.
# NTK_AUDIT_UPDATE=1 rewrites the expected files (review the diff!).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/audit/audit_common.sh"

ntk_tmpdir
export TZ=UTC LC_ALL=C
[ -r "$AUDIT_SAMPLE" ] || ntk_fail "sample missing: $AUDIT_SAMPLE"

# expect NAME ARGS...: output over the sample (or $INPUT) equals expected/NAME (exit 0).
expect() {
	local name=$1
	shift
	audit_rc 0 "$NTK_TMP/$name" --input "${INPUT:-$AUDIT_SAMPLE}" "$@"
	if [ "${NTK_AUDIT_UPDATE:-0}" = 1 ]; then
		cp "$NTK_TMP/$name" "$AUDIT_EXPECTED/$name"
		return 0
	fi
	diff -u "$AUDIT_EXPECTED/$name" "$NTK_TMP/$name" >&2 ||
		ntk_fail "ntkctl audit $*: output differs from expected/$name"
}

# every view in every format
for view in summary list browsing; do
	for fmt in text csv json; do
		expect "$view.$fmt" --"$view" --format "$fmt"
	done
done
# the default view is the summary
expect summary.text

# filters
expect list-user-hostile.text --list --user 'evil" acct=root x=1'
expect list-case-1004.csv --list --case 1004 --format csv
expect list-case-comma.text --list --case 10,01
expect summary-denied.text --summary --denied
expect summary-allowed.csv --summary --allowed --format csv
expect list-courts-nbr.text --list --system COURTS --reason no-business-reason
expect list-two-users.json --list --user alice --user heidi --format json
# the sample's second second (hostile half): the same, whichever way time is written
expect list-since.text --list --since @1795247070
expect list-since.text --list --since 2026-11-21 07:44:30
expect list-since.text --list --since '11/21/2026 07:44:30'
expect list-since.text --list --since 11/21/26 07:44:30
expect list-until.text --list --until 2026-11-21T07:44:29 --system COURTS
expect browsing-threshold2.text --browsing --threshold 2

# the threshold from the config: [audit] browsing_threshold
AUDIT_CONF="$NTK_TMP/ntk.conf"
printf '[audit]\nbrowsing_threshold = 6\n' >"$AUDIT_CONF"
expect browsing-conf6.text --browsing
printf '[audit]\nallows = no\n' >"$AUDIT_CONF"
expect browsing.text --browsing      # key absent: 5
AUDIT_CONF=/nonexistent/ntk.conf

# hostile remote hosts and ttys (libaudit writes hostname= and terminal= unencoded):
# a fake res=success, or the enriched-format separator that makes auparse drop the
# rest of the record, never turns a denial into an allow; a fake case= is not read
INPUT="$top_srcdir/tests/audit/data/rhost.audit" expect rhost.text --list
INPUT="$top_srcdir/tests/audit/data/rhost.audit" expect rhost-summary.csv --summary --format csv

# records written by a real ntkd (make_ntkd_sample.sh): every rule and reason kind
INPUT="$top_srcdir/tests/audit/data/ntkd.audit" expect ntkd-list.text --list
INPUT="$top_srcdir/tests/audit/data/ntkd.audit" expect ntkd-summary.json --summary --format json
INPUT="$top_srcdir/tests/audit/data/ntkd.audit" expect ntkd-browsing.csv --browsing --format csv
INPUT="$top_srcdir/tests/audit/data/ntkd.audit" expect ntkd-allowed.text --list --allowed

# stdin, and several files, give the same as the one file
set +e
ntk_audit --input - --list <"$AUDIT_SAMPLE" >"$NTK_TMP/stdin.out"
set -e
diff -u "$AUDIT_EXPECTED/list.text" "$NTK_TMP/stdin.out" >&2 || ntk_fail "--input - differs"
gzip -c "$AUDIT_SAMPLE" >"$NTK_TMP/sample.gz"
set +e
zcat "$NTK_TMP/sample.gz" | ntk_audit --input - --browsing --format csv >"$NTK_TMP/pipe.out"
set -e
diff -u "$AUDIT_EXPECTED/browsing.csv" "$NTK_TMP/pipe.out" >&2 || ntk_fail "zcat | --input - differs"
# a last line without its newline is still read
head -n 33 "$AUDIT_SAMPLE" | head -c -1 >"$NTK_TMP/nonl"   # ends inside an ntk record
audit_rc 0 "$NTK_TMP/nonl.out" --list --input "$NTK_TMP/nonl"
diff -u "$AUDIT_EXPECTED/list.text" "$NTK_TMP/nonl.out" >&2 || ntk_fail "no final newline differs"
head -n 17 "$AUDIT_SAMPLE" >"$NTK_TMP/part1"
tail -n +18 "$AUDIT_SAMPLE" >"$NTK_TMP/part2"
audit_rc 0 "$NTK_TMP/parts.out" --list --input "$NTK_TMP/part1" "$NTK_TMP/part2"
diff -u "$AUDIT_EXPECTED/list.text" "$NTK_TMP/parts.out" >&2 || ntk_fail "--input A B differs"

# hostile values stay in their field: one line per record in text, 27 records
# (the sample's 33 ntk-looking and other records less the 7 ignored)
[ "$(wc -l <"$AUDIT_EXPECTED/list.text")" = 28 ] || ntk_fail "list.text is not 27 rows and a header"
ntk_assert_contains "$(cat "$AUDIT_EXPECTED/list.text")" '"evil\" acct=root x=1"' "quoted hostile name"
ntk_assert_contains "$(cat "$AUDIT_EXPECTED/list.text")" '"nl\nuser"' "escaped newline"
ntk_assert_contains "$(cat "$AUDIT_EXPECTED/list.text")" '"tab\tuser\x1B[31m"' "escaped ESC"
ntk_assert_not_contains "$(cat "$AUDIT_EXPECTED/list.text")" $'\x1b' "raw ESC in text"
ntk_assert_contains "$(cat "$AUDIT_EXPECTED/list.csv")" "'=SUM(A1:A9)" "formula neutralised"
ntk_assert_contains "$(cat "$AUDIT_EXPECTED/list.csv")" "'@import" "formula neutralised"
ntk_assert_contains "$(cat "$AUDIT_EXPECTED/list.json")" '"user": "evil\" acct=root x=1"' "json quote"
ntk_assert_contains "$(cat "$AUDIT_EXPECTED/list.json")" '"user": "bad\ufffd\ufffd"' "json bad utf-8"
# ignored: PAM's own accounting, USER_LOGIN, other ops, op=ntk-* not first, auditctl -m
ntk_assert_not_contains "$(cat "$AUDIT_EXPECTED/list.text")" "1009" "other op ignored"
ntk_assert_not_contains "$(cat "$AUDIT_EXPECTED/list.text")" "1010" "no op ignored"
ntk_assert_not_contains "$(cat "$AUDIT_EXPECTED/list.text")" "1011" "late op ignored"
ntk_assert_not_contains "$(cat "$AUDIT_EXPECTED/list.text")" "1012" "auditctl -m ignored"
# a hostile rhost (libaudit writes hostname= unencoded) cannot turn a denial into an allow
ntk_assert_contains "$(grep ghost "$AUDIT_EXPECTED/list.text")" "denied" "ghost stays denied"
# no invalid access and no leak, under valgrind when it is installed
# (not on a sanitizer build; grep reads all of ldd's output: pipefail and SIGPIPE)
if command -v valgrind >/dev/null && [ "$(ldd "$AUDIT_MAIN" | grep -c libasan)" = 0 ]; then
	for view in summary list browsing; do
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			"$AUDIT_MAIN" --input "$AUDIT_SAMPLE" --"$view" --format json >/dev/null 2>"$NTK_TMP/vg" ||
			{ cat "$NTK_TMP/vg" >&2; ntk_fail "valgrind: --$view"; }
	done
	# the views that keep records (grants, one user's timeline) and the by-case pairs, gzipped input
	gzip -c "$top_srcdir/tests/audit/data/reviews.audit" >"$NTK_TMP/reviews.gz"
	for args in "--break-glass --format csv" "--unreviewed" "--summary --by case --top 3" \
	    "--list --user heidi" "--list --format ndjson"; do
		# shellcheck disable=SC2086
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			"$AUDIT_MAIN" --input "$AUDIT_SAMPLE" "$NTK_TMP/reviews.gz" $args >/dev/null 2>"$NTK_TMP/vg" ||
			{ cat "$NTK_TMP/vg" >&2; ntk_fail "valgrind: $args"; }
	done
fi
ntk_pass "sample: $(ls "$AUDIT_EXPECTED" | wc -l) expected outputs match ($AUDIT_VIA)"
