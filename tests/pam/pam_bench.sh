#!/bin/bash
# Benchmark: what pam_ntk adds to a login's account stage, against pam_permit alone, in the same run.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

N=${PAM_BENCH_LOGINS:-2000}
ntk_need_root
pam_setup 38920 38939
pam_service ntk-bench-permit "account required @MOD@/pam_permit.so"
pam_service ntk-bench-ntk "account required @NTK@ system=FACTS @SOCK@" "account required @MOD@/pam_permit.so"

# per_login SERVICE USER COUNT: µs per login (pam_start, acct_mgmt, pam_end), warm.
per_login() {
	drive "$1" "$2" --repeat 20
	drive "$1" "$2" --repeat "$3"
	printf '%s\n' "$DRIVE_OUT" | sed -n 's/^us_per_login=//p'
}

base=$(per_login ntk-bench-permit alice "$N")
allow=$(per_login ntk-bench-ntk alice "$N")
deny=$(per_login ntk-bench-ntk judy "$((N / 4))")
awk -v b="$base" -v a="$allow" -v d="$deny" -v n="$N" 'BEGIN {
	printf "pam bench: account stage, %d logins each (pam_start + acct_mgmt + pam_end), warm cache\n", n
	printf "  pam_permit only            %8.1f us/login\n", b
	printf "  pam_ntk + pam_permit, allow %8.1f us/login  added %7.1f us  ratio %.2fx\n", a, a - b, a / b
	printf "  pam_ntk + pam_permit, deny  %8.1f us/login  added %7.1f us  ratio %.2fx\n", d, d - b, d / b
	printf "  target: <= 1000 us added per login: %s\n", (a - b <= 1000 && d - b <= 1000) ? "met" : "NOT met"
}'
