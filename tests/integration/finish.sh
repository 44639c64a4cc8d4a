# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the daemon's integration tests: stop ntkd and fail on any sanitizer report in its log.
ntkd_finish() {
	ntkd_stop
	if grep -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
		"$NTK_TMP/ntkd.log" >/dev/null 2>&1; then
		cat "$NTK_TMP/ntkd.log" >&2
		ntk_fail "sanitizer report in ntkd's log"
	fi
}
