#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `ntkctl audit` exit codes: 0 with results, 1 with none, 2 on error with a clear message.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/audit/audit_common.sh"

ntk_tmpdir
export TZ=UTC LC_ALL=C
out="$NTK_TMP/out"

# 0: results
audit_rc 0 "$out" --input "$AUDIT_SAMPLE" --list --user mallory
[ "$(wc -l <"$out")" = 7 ] || ntk_fail "mallory: expected 6 rows and a header"

# 1: no matches, in every format; csv keeps its header, json is an empty array
audit_rc 1 "$out" --input "$AUDIT_SAMPLE" --list --user nobody-such
[ ! -s "$out" ] || ntk_fail "text with no rows printed [$(cat "$out")]"
ntk_assert_contains "$(cat "$out.err")" "no matching records" "no-match message"
audit_rc 1 "$out" --input "$AUDIT_SAMPLE" --summary --user nobody-such --format csv
ntk_assert_eq "group,key,denied,allowed,released,total" "$(cat "$out")" "empty csv"
audit_rc 1 "$out" --input "$AUDIT_SAMPLE" --summary --format json --since @1895247070
ntk_assert_eq "[]" "$(cat "$out")" "empty json"
audit_rc 1 "$out" --input "$AUDIT_SAMPLE" --browsing --threshold 7
audit_rc 1 "$out" --input /dev/null --summary
: >"$NTK_TMP/empty.log"
audit_rc 1 "$out" --input "$NTK_TMP/empty.log" --list

# 2: unreadable input
audit_rc 2 "$out" --input "$NTK_TMP/missing.log" --summary
ntk_assert_contains "$(cat "$out.err")" "cannot read $NTK_TMP/missing.log: No such file or directory" "missing file"
audit_rc 2 "$out" --input "$AUDIT_SAMPLE" "$NTK_TMP/missing.log" --summary
audit_rc 2 "$out" --input "$NTK_TMP" --summary
ntk_assert_contains "$(cat "$out.err")" "Is a directory" "directory as input"
[ ! -s "$out" ] || ntk_fail "error printed a report [$(cat "$out")]"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	# the default logs as an analyst who may not read them
	set +e
	setpriv --reuid=65534 --regid=65534 --clear-groups env LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}" \
		"$AUDIT_MAIN" --summary >"$out" 2>"$out.err"
	rc=$?
	set -e
	if [ -r /var/log/audit ] && ! setpriv --reuid=65534 --regid=65534 --clear-groups test -r /var/log/audit/audit.log; then
		ntk_assert_eq 2 "$rc" "unreadable default log exit"
		ntk_assert_contains "$(cat "$out.err")" "Permission denied" "unreadable default log message"
		ntk_assert_contains "$(cat "$out.err")" "cannot read /" "unreadable default log names the file"
	fi
fi

# 2: bad time words and bad options
for bad in tomorrow 13/01/2026 2026-02-30 02/29/2026 2026-02-30x 25:00:00 "2026-11-21 24:00:00" @abc ""; do
	audit_rc 2 "$out" --input "$AUDIT_SAMPLE" --since "$bad"
	ntk_assert_contains "$(cat "$out.err")" "--since: bad time '$bad'" "bad time word $bad"
done
audit_rc 2 "$out" --input "$AUDIT_SAMPLE" --until someday
ntk_assert_contains "$(cat "$out.err")" "--until: bad time 'someday'" "bad --until"
audit_rc 2 "$out" --input "$AUDIT_SAMPLE" --since today --until yesterday
ntk_assert_contains "$(cat "$out.err")" "--until is before --since" "until before since"
audit_rc 2 "$out" --input "$AUDIT_SAMPLE" --denied --allowed
audit_rc 2 "$out" --input "$AUDIT_SAMPLE" --list --summary
audit_rc 2 "$out" --input "$AUDIT_SAMPLE" --format xml
ntk_assert_contains "$(cat "$out.err")" "'xml' is not text, csv, json or ndjson" "bad format"
audit_rc 2 "$out" --input "$AUDIT_SAMPLE" --threshold 0
audit_rc 2 "$out" --input "$AUDIT_SAMPLE" --bogus
audit_rc 2 "$out" --input - "$AUDIT_SAMPLE"

# 2: a bad threshold in the config (a missing or unreadable config is not an error)
AUDIT_CONF="$NTK_TMP/ntk.conf"
printf '[audit]\nbrowsing_threshold = 5x\n' >"$AUDIT_CONF"
audit_rc 2 "$out" --input "$AUDIT_SAMPLE" --browsing
ntk_assert_contains "$(cat "$out.err")" ":audit:browsing_threshold: '5x' is not a number" "bad config threshold"
audit_rc 0 "$out" --input "$AUDIT_SAMPLE" --browsing --threshold 5   # the option wins
AUDIT_CONF="$NTK_TMP/none.conf"
audit_rc 0 "$out" --input "$AUDIT_SAMPLE" --browsing

# time words all parse
for w in now recent this-hour boot today yesterday this-week week-ago this-month this-year 07:00 07:00:00; do
	audit_rc 1 "$out" --input "$AUDIT_SAMPLE" --since "$w" --user nobody-such
done
ntk_pass "exit codes 0/1/2 ($AUDIT_VIA)"
