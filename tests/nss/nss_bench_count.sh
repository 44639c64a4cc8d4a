# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by nss_bench.sh (and run inside SSSD's namespace): figures that the machine's load does
# not move. Instructions executed (valgrind's callgrind) per look-up, as the difference between
# 2000 and 1000 calls in one process, and per whole `id` process; system calls (strace) per `id`
# and per look-up.
# Each prints nothing when its tool is missing.

# count_run DIR WRAP... -- PROG ARGS... : run PROG ARGS under WRAP with callgrind; print its instructions.
count_run() {
	local dir=$1 f wrap=() i
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do wrap+=("$1"); shift; done
	shift
	command -v valgrind >/dev/null || return 0
	f="$dir/cg.$RANDOM$RANDOM"
	"${wrap[@]}" valgrind --tool=callgrind --callgrind-out-file="$f" "$@" >/dev/null 2>&1 </dev/null || { rm -f "$f"; return 0; }
	i=$(awk '/^summary:/ {print $2}' "$f" 2>/dev/null)
	rm -f "$f"
	echo "$i"
}

# count_per_call DIR WRAP... -- BENCH OP ARG : instructions per call of nss_bench OP ARG.
count_per_call() {
	local dir=$1 wrap=() a b
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do wrap+=("$1"); shift; done
	shift
	a=$(count_run "$dir" "${wrap[@]}" -- "$1" 1000 "${@:2}")
	b=$(count_run "$dir" "${wrap[@]}" -- "$1" 2000 "${@:2}")
	[ -n "$a" ] && [ -n "$b" ] && echo $(((b - a) / 1000))
}

# count_syscalls DIR WRAP... -- PROG ARGS... : system calls PROG made (strace -c), all threads.
count_syscalls() {
	local dir=$1 f wrap=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do wrap+=("$1"); shift; done
	shift
	command -v strace >/dev/null || return 0
	f="$dir/st.$RANDOM$RANDOM"
	"${wrap[@]}" strace -f -c -o "$f" "$@" >/dev/null 2>&1 </dev/null || { rm -f "$f"; return 0; }
	# "100.00 seconds usecs/call calls [errors] total": calls is the 4th column either way.
	awk '$NF == "total" {print $4}' "$f"
	rm -f "$f"
}

# count_syscalls_per_call DIR WRAP... -- BENCH OP ARG : system calls per call of nss_bench OP ARG
# (1100 calls minus 100, over 1000).
count_syscalls_per_call() {
	local dir=$1 wrap=() a b
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do wrap+=("$1"); shift; done
	shift
	a=$(count_syscalls "$dir" "${wrap[@]}" -- "$1" 100 "${@:2}")
	b=$(count_syscalls "$dir" "${wrap[@]}" -- "$1" 1100 "${@:2}")
	[ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f\n", (b - a) / 1000 }'
}
