#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Start a private slapd and ntkd (ports 29020-29039) and run the daemon benchmark against them.
. "${top_srcdir:-..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

ntk_tmpdir
# nobody is a known user (one case), so the flood is an untrusted uid walking groups it is not in.
slapd_start 29020 29039 "$top_srcdir/tests/integration/nobody.ldif"
ntkd_write_conf
ntkd_start
set +e
"$top_builddir/bench/ntk_bench" --socket "$NTK_SOCKET" --uri "$SLAPD_URI" --base "$SLAPD_BASE" \
	--binddn "$SLAPD_BINDDN" --bindpw-file "$NTK_TMP/bindpw" --iterations "${NTK_BENCH_ITERATIONS:-20000}"
rc=$?
set -e
ntk_status | grep -E '^(ldap_round_trips|cache_hit_rate|requests)=' | sed 's/^/  ntkd /'
# Figures are the product; a missed target is reported, not a build failure.
[ "$rc" -le 1 ] || ntk_fail "benchmark did not run"
