#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Large teams stay cheap: the same figures on a generated agency of 2,000 and of
# 20,000 staff (scale_gen.awk: 3 manager levels, ~10 cases each, so 200,000
# assignments), side by side with their growth; PING in the same run is the
# baseline. Private slapd and ntkd on 29160-29179. NTK_SCALE_SIZES overrides
# the sizes ("2000 20000"), NTK_SCALE_ITERATIONS the warm operations per figure.
. "${top_srcdir:-..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

BENCH=$top_builddir/bench/ntk_scale_bench
[ -x "$BENCH" ] || ntk_fail "not built: $BENCH"
SIZES=${NTK_SCALE_SIZES:-2000 20000}
ITER=${NTK_SCALE_ITERATIONS:-5000}
BURST=32
ntk_tmpdir
# The 20,000-staff database with its substring index outgrows slapd.sh's 100 MB map.
SLAPD_EXTRA_DB="maxsize 2147483648"

# person numbers of scale_gen.awk: lead h_l, worker h_l_w; case k of person p.
p_lead() { echo $((2 + 1001 * $1 + 10 * $2)); }
p_worker() { echo $((3 + 1001 * $1 + 10 * $2 + $3)); }
case_of() { echo $((100000 + 10 * $1 + ${2:-0})); }

run_size() {
	local staff=$1 heads=$(($1 / 1000)) t0 wcase dcase
	t0=$EPOCHREALTIME
	awk -v staff="$staff" -f "$top_srcdir/bench/scale_gen.awk" >"$NTK_TMP/scale.ldif" ||
		ntk_fail "generator failed"
	slapd_start 29160 29179 "$NTK_TMP/scale.ldif"
	ntk_log "$staff staff: generated and loaded in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
	ntkd_write_conf
	sed -i -e 's/^case_gid_max = .*/case_gid_max = 4000000/' -e 's/^threads = .*/threads = 16/' "$NTK_CONF"
	ntkd_start
	# The last worker of head0's last lead: two levels below head0, one below the lead.
	wcase=$(case_of "$(p_worker 0 99 8)")
	# The director's farthest case: the last lead's own first case, two levels down.
	dcase=$(case_of "$(p_lead $((heads - 1)) 99)")
	# Memory: 1,000 workers, then every head of 1,000, each cached by one CHECK it is allowed.
	awk -v heads="$heads" 'BEGIN { n = 0
		for (h = 0; h < heads && n < 1000; h++) for (l = 0; l < 100 && n < 1000; l++)
			for (w = 0; w < 9 && n < 1000; w++) { p = 3 + 1001 * h + 10 * l + w; print "w" h "_" l "_" w "," 100000 + 10 * p; n++ } }' \
		>"$NTK_TMP/mem_users"
	awk -v heads="$heads" 'BEGIN { for (h = 0; h < heads; h++) print "head" h "," 100000 + 10 * (3 + 1001 * h + 998) }' \
		>"$NTK_TMP/mem_sups"
	"$BENCH" --socket "$NTK_SOCKET" --pid "$NTKD_PID" --iterations "$ITER" \
		--mem-users "$NTK_TMP/mem_users" --mem-sups "$NTK_TMP/mem_sups" \
		--check "worker,w0_99_8,$wcase" --check "lead,lead0_99,$wcase" \
		--check "head,head0,$wcase" --check "director,dir,$dcase" \
		--initgroups head0 --group ntk-role-social_worker --group "ntk-case-$wcase" \
		--cold "worker,w0_99_8,$wcase" --cold "head,head0,$wcase" --cold "director,dir,$dcase" \
		--burst "head,head0,$wcase" --burst-clients "$BURST" >"$NTK_TMP/res.$staff" ||
		ntk_fail "ntk_scale_bench failed at $staff staff: $(tail -5 "$NTK_TMP/ntkd.log")"
	ntkd_stop
	slapd_stop
	rm -rf "$SLAPD_DIR"
}

for s in $SIZES; do run_size "$s"; done
# shellcheck disable=SC2086 # the sizes are words
set -- $SIZES
SMALL=$1 LARGE=${2:-$1}
val() { awk -v k="$2" '$1 == k { print $2 }' "$NTK_TMP/res.$1"; }

row() { # LABEL KEY: the figure at both sizes and large / small
	local a b
	a=$(val "$SMALL" "$2")
	b=$(val "$LARGE" "$2")
	printf '%-46s %12s %12s %8s\n' "$1" "$a" "$b" \
		"$(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.2fx", b / a; else print "-" }')"
}
echo "scale benchmark: generated agency, 3 manager levels, ~10 cases a person, supervision_depth 2"
echo "(warm figures: p50 over $ITER operations on one connection; the machine is shared, figures are noisy)"
printf '\n%-46s %12s %12s %8s\n' "figure" "$SMALL staff" "$LARGE staff" "growth"
row "PING p50 us (baseline)" ping_us
row "CHECK warm worker (assigned) p50 us" check_worker_us
row "CHECK warm lead of 9 (supervisor) p50 us" check_lead_us
row "CHECK warm head of 1,000 p50 us" check_head_us
row "CHECK warm director (all leads) p50 us" check_director_us
for who in worker lead head director; do
	row "  CHECK $who / PING sent before each" "check_${who}_ratio"
done
row "INITGROUPS warm head of 1,000 p50 us" initgroups_us
row "  gids in that answer" initgroups_gids
row "GROUP ntk-role-social_worker warm p50 us" group0_us
row "  members" group0_members
row "GROUP of head0's farthest case warm p50 us" group1_us
row "cold CHECK worker: LDAP round trips" cold_worker_trips
row "cold CHECK head of 1,000: LDAP round trips" cold_head_trips
row "cold CHECK director: LDAP round trips" cold_director_trips
row "cold CHECK head of 1,000: us" cold_head_us
row "cold CHECK director: us" cold_director_us
row "$BURST clients miss head0 at once: round trips" burst_trips
row "ntkd memory per cached worker (bytes)" mem_worker_bytes
row "ntkd memory per cached head of 1,000 (bytes)" mem_head_bytes
row "ntkd resident after the memory phase (KiB)" rss_kib


fails=0
target() { # OK TEXT
	if [ "$1" = 1 ]; then printf '  ok   %s\n' "$2"; else printf '  MISS %s\n' "$2"; fails=$((fails + 1)); fi
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? 1 : 0 }'; }
echo
echo "targets (at $LARGE staff):"
for who in lead head director; do
	r=$(val "$LARGE" "check_${who}_ratio")
	target "$(le "$r" 1.3)" "warm CHECK $who <= 1.3x PING (p50 $(val "$LARGE" "check_${who}_us") us, PING $(val "$LARGE" "check_${who}_ping_us") us): ${r}x"
done
ig=$(val "$LARGE" initgroups_us)
target "$(le "$ig" 1000)" "warm INITGROUPS head of 1,000 <= 1 ms: $ig us ($(val "$LARGE" initgroups_gids) gids)"
for who in head director; do
	t=$(val "$LARGE" "cold_${who}_trips")
	target "$(le "$t" 4)" "cold CHECK $who <= 2 + supervision_depth (2) LDAP round trips: $t"
done
b=$(val "$LARGE" burst_trips) c=$(val "$LARGE" cold_head_trips)
target "$([ "$b" = "$c" ] && echo 1 || echo 0)" "$BURST concurrent misses for head0 cost one fetch: $b round trips (one cold fetch: $c)"
worst=$(for k in check_worker_us check_lead_us check_head_us check_director_us initgroups_us group1_us \
	cold_head_trips cold_director_trips mem_worker_bytes mem_head_bytes; do
	awk -v a="$(val "$SMALL" "$k")" -v b="$(val "$LARGE" "$k")" 'BEGIN { if (a > 0) printf "%.2f\n", b / a }'
done | sort -g | tail -1)
lin=$(awk -v a="$SMALL" -v b="$LARGE" 'BEGIN { printf "%.0f", b / a }')
target "$(le "$worst" "$lin")" "growth $SMALL -> $LARGE staff no worse than linear (${lin}x): worst ${worst}x"
mh=$(val "$LARGE" mem_head_bytes)
target "$(le "$mh" $((4 * 1024 * 1024)))" "memory per cached head of 1,000 bounded (<= 4 MiB): $mh bytes"
# Figures are the product; a missed target is reported, not a build failure.
exit 0
