#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# How long a break-glass grant waits for its record to land in auditd's log:
# N grants through ntkctl decide against a private slapd and ntkd and the
# shared auditd, then ntkd's own figures (break_glass_confirm_ms_*) and the
# client's. Figures only: nothing here fails on a number. Run by hand:
#   top_srcdir=. top_builddir=build bench/breakglass-confirm.sh [N]
. "${top_srcdir:-..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

n=${1:-50}
auditd_ensure
ntk_tmpdir
slapd_start 29040 29059
ntkd_write_conf
ntkd_start
ms=()
for ((i = 0; i < n; i++)); do
	t=$(date +%s%N)
	out=$(ntkctl_t decide --user oscar --system FACTS --case "7$$$i" --reason "bench $i" || true)
	ms+=($(( ($(date +%s%N) - t) / 1000 )))
	[ "$out" = "ALLOW rule=break-glass" ] || ntk_log "grant $i: $out"
done
# A decision without break-glass, for the client's own overhead.
t=$(date +%s%N)
ntkctl_t decide --user mallory --system FACTS --case "7$$" >/dev/null 2>&1 || true
base=$(( ($(date +%s%N) - t) / 1000 ))
printf '%s\n' "${ms[@]}" | sort -n | awk -v n="$n" -v base="$base" '
	{ v[NR] = $1; s += $1 }
	END {
		printf "break-glass via ntkctl decide, %d grants (us): median %d, p90 %d, max %d, mean %d; plain decide %d\n",
		    n, v[int((NR + 1) / 2)], v[int(NR * 0.9)], v[NR], s / NR, base
	}'
ntk_status | grep -E '^(break_glass_|audit_written)' | sed 's/^/  ntkd /'
