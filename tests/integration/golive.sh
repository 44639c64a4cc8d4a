#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ntkd -t checks a config against the live directory before go-live: the
# AD sample as shipped (clean), then one mistake at a time — a wrong bind
# password, a second server that is down, a base that does not exist, a
# role section misspelled, a disabled sample user — each named on its own
# line with exit 1 (warnings) or 2 (errors).
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/lib/ad_dir.sh"
[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"

ntk_tmpdir
ad_slapd_start 28900 28919
ad_write_conf
good=$NTK_TMP/good.conf
cp "$NTK_CONF" "$good"

# golive_is RC CONF [ARGS...]: ntkd -t exits RC; its output is in OUT (stdout) and LOG (stderr).
golive_is() {
	local want=$1 conf=$2 rc
	shift 2
	set +e
	OUT=$("$NTKD" -t -c "$conf" "$@" 2>"$NTK_TMP/golive.err")
	rc=$?
	set -e
	LOG=$(cat "$NTK_TMP/golive.err")
	printf '%s\n' "$OUT" >>"$NTK_TMP/golive.all"
	[ "$rc" = "$want" ] || ntk_fail "ntkd -t $conf $*: exit $rc, expected $want: $OUT $LOG"
}
# variant NAME SED...: a copy of the good config with one change.
variant() {
	local name=$1
	shift
	sed "$@" "$good" >"$NTK_TMP/$name.conf"
	chmod 644 "$NTK_TMP/$name.conf"
}

# Clean: every server binds, base exists, the user's groups are roles.
golive_is 0 "$good" --user ana
ntk_assert_contains "$OUT" "ok: $SLAPD_URI: connected, bound as $SLAPD_BINDDN, base \"$SLAPD_BASE\" exists" "the server line"
ntk_assert_contains "$OUT" 'ok: user "ana": found; 1 role(s), 2 assignment(s), 0 supervised assignment(s)' "the user line"
ntk_assert_contains "$OUT" 'info: user "ana" on FACTS: ALLOW rule=system-access' "what ana would get"
ntk_assert_contains "$OUT" 'info: group "Court Liaisons" in the directory is not a role' "other groups are only noted"
ntk_assert_not_contains "$OUT" "warning:" "a clean config"
ntk_assert_not_contains "$OUT" "error:" "a clean config"

# A wrong password: the server's error, exit 2.
printf 'not-the-password\n' >"$NTK_TMP/badpw"
chmod 600 "$NTK_TMP/badpw"
variant badpw -e "s|^bindpw_file = .*|bindpw_file = $NTK_TMP/badpw|"
golive_is 2 "$NTK_TMP/badpw.conf"
ntk_assert_contains "$OUT" "error: $SLAPD_URI: cannot connect, start TLS or bind: bind: Invalid credentials" \
	"bind failure named with LDAP's reason"
ntk_assert_contains "$LOG" "Invalid credentials" "LDAP's reason in the log"

# A second server that is down: an error for it, the first still checked.
closed=$(ntk_free_port 28930 28939)
variant second -e "s|^uri = .*|uri = $SLAPD_URI ldap://127.0.0.1:$closed/|"
golive_is 2 "$NTK_TMP/second.conf" --user ana
ntk_assert_contains "$OUT" "ok: $SLAPD_URI: connected" "the first server"
ntk_assert_contains "$OUT" "error: ldap://127.0.0.1:$closed/: cannot connect" "the second server"
ntk_assert_contains "$OUT" 'ok: user "ana": found' "the user checked on the first"

# A base that does not exist.
variant base -e "s|^base = .*|base = ou=nowhere,$SLAPD_BASE|"
golive_is 2 "$NTK_TMP/base.conf"
ntk_assert_contains "$OUT" "error: $SLAPD_URI: base \"ou=nowhere,$SLAPD_BASE\" does not exist (noSuchObject)" "missing base"

# A role section that misses the directory's group name by a character.
variant typo -e 's/FACTS-Caseworkers/FACTS_Caseworkers/g'
golive_is 1 "$NTK_TMP/typo.conf" --user ana
ntk_assert_contains "$OUT" 'warning: role "FACTS-Caseworkers" in the directory matches no [role:] section; did you mean [role:FACTS_Caseworkers]?' "near miss"
ntk_assert_contains "$OUT" "warning: [role:FACTS_Caseworkers]: no entry in the directory holds it" "unheld section"
ntk_assert_contains "$OUT" 'info: user "ana" on FACTS: DENY reason=system-not-permitted' "what the typo costs ana"

# Sample users: disabled (a warning), unknown (an error).
golive_is 1 "$good" --user gone
ntk_assert_contains "$OUT" 'warning: user "gone": found, but the entry does not match staff_filter' "disabled user"
golive_is 2 "$good" --user nosuchuser
ntk_assert_contains "$OUT" 'error: user "nosuchuser": user_filter finds no single entry' "unknown user"

# A config ntkd would refuse is refused the same way.
variant bad -e 's/^role_value = rdn/role_value = cn/'
golive_is 2 "$NTK_TMP/bad.conf"
ntk_assert_contains "$OUT" "error: $NTK_TMP/bad.conf:ldap:role_value: must be value or rdn" "config refusal"
ntk_log "ntkd -t output, all runs: $NTK_TMP/golive.all"
cp "$NTK_TMP/golive.all" "${NTK_GOLIVE_SAMPLE:-/dev/null}" 2>/dev/null || true
ntk_pass "ntkd -t names each go-live problem on its own line and exits 0/1/2"
