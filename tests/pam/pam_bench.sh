#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: what pam_ntk adds to a login's account stage, against pam_permit alone, in the same run.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

N=${PAM_BENCH_LOGINS:-2000}
ntk_need_root
pam_setup 28920 28939
pam_service ntk-bench-permit "account required @MOD@/pam_permit.so"
pam_service ntk-bench-ntk "account required @NTK@ system=FACTS @SOCK@" "account required @MOD@/pam_permit.so"

# The median is the headline: on a busy host the mean and p99 carry stalls of
# libpam's own USER_ACCT record (the kernel holds its sender while auditd
# catches up; seen at up to seconds under strace), which both stacks write.
# stats SERVICE USER COUNT: "mean median p99" µs per login (pam_start, acct_mgmt, pam_end), warm.
stats() {
	drive "$1" "$2" --repeat 20
	drive "$1" "$2" --repeat "$3"
	printf '%s\n' "$DRIVE_OUT" | awk -F= '
		$1 == "us_per_login" { m = $2 } $1 == "us_median" { d = $2 } $1 == "us_p99" { p = $2 }
		END { print m, d, p }'
}

read -r bm bd bp < <(stats ntk-bench-permit alice "$N")
read -r am ad ap < <(stats ntk-bench-ntk alice "$N")
read -r dm dd dp < <(stats ntk-bench-ntk judy "$((N / 4))")
awk -v bm="$bm" -v bd="$bd" -v bp="$bp" -v am="$am" -v ad="$ad" -v ap="$ap" \
	-v dm="$dm" -v dd="$dd" -v dp="$dp" -v n="$N" 'BEGIN {
	printf "pam bench: account stage, %d logins (%d denied), each pam_start + acct_mgmt + pam_end, warm cache\n", n, n / 4
	printf "  %-28s %9s %9s %9s   %s\n", "us per login", "median", "mean", "p99", "added (median) / ratio"
	printf "  %-28s %9.1f %9.1f %9.1f\n", "pam_permit only", bd, bm, bp
	printf "  %-28s %9.1f %9.1f %9.1f   %7.1f us  %.2fx\n", "pam_ntk + pam_permit, allow", ad, am, ap, ad - bd, ad / bd
	printf "  %-28s %9.1f %9.1f %9.1f   %7.1f us  %.2fx\n", "pam_ntk + pam_permit, deny", dd, dm, dp, dd - bd, dd / bd
	printf "  target <= 1000 us added per warm login (median): %s\n", (ad - bd <= 1000 && dd - bd <= 1000) ? "met" : "NOT met"
}'
