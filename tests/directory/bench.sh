#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark of ntkd's directory queries against a private slapd: time and round trips
# per call on one connection, against a baseline in the same run (a user who is not
# there: one search, no entry). Bounded: N calls per kind.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

DIRTOOL=${DIRTOOL:-$top_builddir/tests/directory/dirtool}
[ -x "$DIRTOOL" ] || ntk_fail "dirtool not built: $DIRTOOL"
N=${NTK_BENCH_N:-200}

ntk_tmpdir
{
	printf 'dn: ou=wide,dc=agency,dc=example\nobjectClass: organizationalUnit\nou: wide\n\n'
	printf 'dn: uid=boss,ou=wide,dc=agency,dc=example\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: boss\ncn: boss\nsn: boss\nntkRole: supervisor\n\n'
	for ((i = 0; i < 250; i++)); do
		printf 'dn: uid=lead%03d,ou=wide,dc=agency,dc=example\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: lead%03d\ncn: l\nsn: l\nntkRole: supervisor\nmanager: uid=boss,ou=wide,dc=agency,dc=example\n\n' "$i" "$i"
		printf 'dn: uid=work%03d,ou=wide,dc=agency,dc=example\nobjectClass: inetOrgPerson\nobjectClass: ntkStaff\nuid: work%03d\ncn: w\nsn: w\nntkRole: social_worker\nntkCaseAssignment: 2000;until=2099-01-01\nmanager: uid=lead%03d,ou=wide,dc=agency,dc=example\n\n' "$i" "$i" "$i"
	done
} >"$NTK_TMP/wide.ldif"
slapd_start 29050 29059 "$NTK_TMP/wide.ldif"
ntkd_write_conf

# run KIND ARG COUNT: COUNT calls on one handle; prints ms per call and round trips per call.
run() {
	local kind=$1 arg=$2 n=$3 args=() i t0 t1 rt
	for ((i = 0; i < n; i++)); do args+=("$kind" "$arg"); done
	t0=$EPOCHREALTIME
	"$DIRTOOL" "$NTK_CONF" "${args[@]}" >"$NTK_TMP/out" 2>/dev/null || ntk_fail "dirtool $kind $arg failed"
	t1=$EPOCHREALTIME
	rt=$(grep '^round_trips' "$NTK_TMP/out" | tail -1 | cut -d' ' -f2)
	awk -v a="$t0" -v b="$t1" -v n="$n" -v rt="$rt" 'BEGIN { printf "%.3f %.2f\n", (b - a) * 1000 / n, (rt - 1) / n }'
}

run subject nobody "$N" >/dev/null # warm up
base=$(run subject nobody "$N")
base_ms=${base% *}
printf '%-34s %10s %12s %8s\n' "query ($N calls each)" "ms/call" "trips/call" "ratio"
line() { # LABEL KIND ARG COUNT
	local r
	r=$(run "$2" "$3" "$4")
	printf '%-34s %10s %12s %8s\n' "$1" "${r% *}" "${r#* }" \
		"$(awk -v a="${r% *}" -v b="$base_ms" 'BEGIN { printf "%.2fx", a / b }')"
}
printf '%-34s %10s %12s %8s\n' "baseline: unknown user" "$base_ms" "${base#* }" "1.00x"
line "subject alice (1 search)" subject alice "$N"
line "subject carol (depth 2, 3 searches)" subject carol "$N"
line "case 1001 (holders + 2 levels)" case 1001 "$N"
line "subject boss (250 x 2 levels)" subject boss $((N / 10))
line "case 2000 (250 holders, batched)" case 2000 $((N / 10))
