# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers for needtoknow's shell tests: failing, skipping, temp dirs, ports, cleanup.
# Source it first; it expects top_srcdir and top_builddir (set by the Makefiles).

set -euo pipefail

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir top_builddir

NTKD=${NTKD:-$top_builddir/daemon/ntkd}
NTKCTL=${NTKCTL:-$top_builddir/tools/ntkctl}
NTK_TEST_NAME=$(basename "$0")

ntk_log() { printf '[%s] %s\n' "$NTK_TEST_NAME" "$*" >&2; }

ntk_fail() {
	printf 'FAIL [%s]: %s\n' "$NTK_TEST_NAME" "$*" >&2
	exit 1
}

# A missing environment skips (77), unless CI demands the real servers.
ntk_skip() {
	if [ "${NTK_REQUIRE_SERVERS:-0}" = 1 ]; then
		printf 'FAIL [%s]: required environment missing: %s\n' "$NTK_TEST_NAME" "$*" >&2
		exit 99
	fi
	printf 'SKIP [%s]: %s\n' "$NTK_TEST_NAME" "$*" >&2
	exit 77
}

ntk_need_root() { [ "$(id -u)" = 0 ] || ntk_skip "needs root"; }
ntk_need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || ntk_skip "command not found: $c"
	done
}

# Cleanup actions run in reverse order at exit, whatever the exit path.
NTK_CLEANUPS=()
ntk_on_exit() { NTK_CLEANUPS+=("$*"); }
ntk_run_cleanups() {
	local rc=$? i
	set +e
	for ((i = ${#NTK_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${NTK_CLEANUPS[$i]}" >/dev/null 2>&1
	done
	exit "$rc"
}
trap ntk_run_cleanups EXIT
trap 'exit 130' INT TERM

# A private temp dir, removed at exit (kept when NTK_KEEP_TMP=1, for debugging).
ntk_tmpdir() {
	NTK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ntk-${NTK_TEST_NAME%.sh}.XXXXXX")
	chmod 755 "$NTK_TMP"
	if [ "${NTK_KEEP_TMP:-0}" != 1 ]; then
		ntk_on_exit "rm -rf '$NTK_TMP'"
	fi
	export NTK_TMP
}

# The first TCP port in [low, high] nobody listens on at 127.0.0.1.
# Test ports lie in 28900-29999, below the kernel's ephemeral range (32768 and
# up by default): an outgoing connection handed a server's port as its own, even
# in TIME-WAIT afterwards, would make that server's bind fail.
ntk_free_port() {
	local low=$1 high=$2 p
	for ((p = low; p <= high; p++)); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	ntk_fail "no free port in $low-$high"
}

# ntk_start_on_free_port LOW HIGH START: run `START PORT` on the first free port
# of LOW..HIGH and set NTK_PORT. A port that refuses connect() can still be
# bound by another socket (an outgoing connection's ephemeral port, a socket
# bound and idle): when START fails, log what holds the port and try the next
# free one, three ports at most. False when none would do.
ntk_start_on_free_port() {
	local low=$1 high=$2 start=$3 tries=0
	NTK_PORT=$(ntk_free_port "$low" "$high")
	until "$start" "$NTK_PORT"; do
		ntk_log "$start failed on port $NTK_PORT; sockets there:" \
			"$(ss -tan 2>/dev/null | grep ":$NTK_PORT " | tr '\n' ';')"
		tries=$((tries + 1))
		[ "$tries" -lt 3 ] && [ "$NTK_PORT" -lt "$high" ] || return 1
		NTK_PORT=$(ntk_free_port $((NTK_PORT + 1)) "$high")
	done
}

# Wait up to $1 seconds (tenths) for a command to succeed.
ntk_wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	return 1
}

# Stop a process we started, by PID: TERM, then KILL after 5 s.
ntk_stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -CONT "$pid" 2>/dev/null || true
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	# Gone before the caller goes on: a restart on the same port must not meet it.
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
}

ntk_assert_eq() { # expected actual what
	[ "$1" = "$2" ] || ntk_fail "$3: expected [$1], got [$2]"
}

ntk_assert_contains() { # haystack needle what
	case "$1" in
	*"$2"*) ;;
	*) ntk_fail "$3: [$2] not found in [$1]" ;;
	esac
}

ntk_assert_not_contains() { # haystack needle what
	case "$1" in
	*"$2"*) ntk_fail "$3: [$2] unexpectedly found in [$1]" ;;
	*) ;;
	esac
}

ntk_pass() { printf 'PASS [%s]: %s\n' "$NTK_TEST_NAME" "$*" >&2; }

# ntk_asan_preload LIBRARY: the environment (for env) that loads a sanitizer
# build of LIBRARY into an uninstrumented host process, or nothing.
ntk_asan_preload() {
	local deps lib
	# Not `ldd | grep -q`: with pipefail, grep's early exit fails the pipeline.
	deps=$(ldd "$1")
	lib=$(printf '%s\n' "$deps" | awk '/libasan/ {print $3}')
	if [ -n "$lib" ]; then
		printf 'LD_PRELOAD=%s ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0\n' "$lib"
	fi
}
