# SPDX-License-Identifier: LGPL-2.1-or-later
# Make sure the shared auditd runs, and read back needtoknow records from it.
# Needs common.sh. auditd is never stopped by tests: other tests and the host use it.

# The pid the kernel sends audit records to; 0 when none.
audit_registered_pid() {
	auditctl -s 2>/dev/null | awk '$1 == "pid" { print $2 }'
}

# True when the registered pid is a running auditd. The kernel keeps a dead
# auditd's pid registered until it next fails to send a record, so "pid N" alone
# does not mean records will reach the log (seen on machines restored from a snapshot).
audit_daemon_alive() {
	local pid
	pid=$(audit_registered_pid)
	[ "${pid:-0}" != 0 ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = auditd ]
}

auditd_ensure() {
	[ "${NTK_UNIT_ONLY:-0}" != 1 ] || ntk_skip "NTK_UNIT_ONLY=1: server tests skipped"
	ntk_need_root
	ntk_need_cmd auditctl ausearch
	[ -x /sbin/auditd ] || [ -x /usr/sbin/auditd ] || ntk_skip "auditd not installed"
	if ! audit_daemon_alive; then
		# Registering replaces a stale registration: the kernel probes the old socket first.
		auditd || ntk_skip "auditd does not start here"
		ntk_wait_for 10 audit_daemon_alive ||
			ntk_skip "auditd did not register with the kernel"
	fi
	if auditctl -s | grep '^enabled 0$' >/dev/null; then # not -q: see pg_lib.sh
		# auditd normally enables auditing itself; without it user records are dropped.
		auditctl -e 1 >/dev/null
	fi
}

# A timestamp for `ausearch -ts` marking the start of this test's records.
audit_mark() {
	sleep 1 # ausearch -ts has one-second resolution
	AUDIT_MARK_DATE=$(LC_ALL=C date +%x)
	AUDIT_MARK_TIME=$(LC_ALL=C date +%T)
}

# audit_search ARGS...: ausearch records since audit_mark (interpreted, -i),
# polling up to 10 s for auditd to write them. Prints nothing when none.
audit_search() {
	local out i
	for ((i = 0; i < 50; i++)); do
		out=$(LC_ALL=C ausearch --input-logs -ts "$AUDIT_MARK_DATE" "$AUDIT_MARK_TIME" "$@" 2>/dev/null || true)
		if [ -n "$out" ]; then
			printf '%s\n' "$out"
			return 0
		fi
		sleep 0.2
	done
}

# The same without -i polling, for raw (encoded) records.
audit_search_once() {
	LC_ALL=C ausearch --input-logs -ts "$AUDIT_MARK_DATE" "$AUDIT_MARK_TIME" "$@" 2>/dev/null || true
}

# audit_with_limits RATE BACKLOG CMD...: run CMD with the kernel's audit rate
# limit and backlog limit set ("-": left as it is), then put back the exact
# values read before. The settings are machine-wide (other tests and the host
# share them): the window lasts only as long as CMD, and a failing or
# interrupted test restores them from its exit trap. Returns CMD's status.
AUDIT_SAVED_LIMITS=
audit_limits_restore() {
	[ -n "$AUDIT_SAVED_LIMITS" ] || return 0
	# shellcheck disable=SC2086
	auditctl $AUDIT_SAVED_LIMITS >/dev/null
	AUDIT_SAVED_LIMITS=
}
audit_with_limits() {
	local rate=$1 backlog=$2 status set=() saved=() rc t
	shift 2
	status=$(auditctl -s)
	if [ "$rate" != - ]; then
		saved+=(-r "$(awk '$1 == "rate_limit" { print $2 }' <<<"$status")")
		set+=(-r "$rate")
	fi
	if [ "$backlog" != - ]; then
		saved+=(-b "$(awk '$1 == "backlog_limit" { print $2 }' <<<"$status")")
		set+=(-b "$backlog")
	fi
	[[ "${saved[*]}" =~ ^(-[rb] [0-9]+ ?)+$ ]] || ntk_fail "auditctl -s: cannot read the limits"
	if [ -z "${AUDIT_LIMITS_TRAP:-}" ]; then
		ntk_on_exit audit_limits_restore
		AUDIT_LIMITS_TRAP=1
	fi
	AUDIT_SAVED_LIMITS="${saved[*]}"
	AUDIT_SAVED_LIMITS_WAS="${saved[*]}"
	t=$(date +%s%N)
	auditctl "${set[@]}" >/dev/null
	set +e
	"$@"
	rc=$?
	set -e
	audit_limits_restore
	ntk_log "kernel audit limits ${set[*]} for $(( ($(date +%s%N) - t) / 1000000 )) ms, restored to $AUDIT_SAVED_LIMITS_WAS"
	return "$rc"
}
