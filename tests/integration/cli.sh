#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Command-line conventions of every installed binary: --help (usage on stdout, exit 0),
# --version, an unknown option (usage on stderr, exit 2), `ntkctl SUB --help` for every
# subcommand, and one actionable sentence when ntkd cannot be reached.
. "${top_srcdir:-../..}/tests/lib/common.sh"
. "$top_srcdir/tests/lib/ntkd.sh"

NTKD=${NTKD:-$top_builddir/daemon/ntkd}
NTKCTL=${NTKCTL:-$top_builddir/tools/ntkctl}
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
ntk_tmpdir

# run NAME CMD...: stdout, stderr and exit status of CMD in $NTK_TMP/NAME.{out,err,rc}.
run() {
	local name=$1
	shift
	set +e
	"$@" >"$NTK_TMP/$name.out" 2>"$NTK_TMP/$name.err"
	echo $? >"$NTK_TMP/$name.rc"
	set -e
}
expect() { # NAME RC STDOUT-NEEDLE STDERR-NEEDLE (empty needle: that stream must be empty)
	local name=$1 rc=$2 out=$3 err=$4
	ntk_assert_eq "$rc" "$(cat "$NTK_TMP/$name.rc")" "$name: exit status"
	if [ -n "$out" ]; then
		ntk_assert_contains "$(cat "$NTK_TMP/$name.out")" "$out" "$name: stdout"
	else
		ntk_assert_eq "" "$(cat "$NTK_TMP/$name.out")" "$name: stdout"
	fi
	if [ -n "$err" ]; then
		ntk_assert_contains "$(cat "$NTK_TMP/$name.err")" "$err" "$name: stderr"
	else
		ntk_assert_eq "" "$(cat "$NTK_TMP/$name.err")" "$name: stderr"
	fi
}

for bin in ntkd ntkctl; do
	path=$NTKD
	[ $bin = ntkd ] || path=$NTKCTL
	run $bin-help "$path" --help
	expect $bin-help 0 "usage: $bin" ""
	run $bin-h "$path" -h
	expect $bin-h 0 "usage: $bin" ""
	run $bin-version "$path" --version
	expect $bin-version 0 "$bin (needtoknow) $version" ""
	run $bin-unknown "$path" --frobnicate
	expect $bin-unknown 2 "" "usage: $bin"
done
run ntkd-stray "$NTKD" stray-argument
expect ntkd-stray 2 "" "usage: ntkd"

# Every subcommand explains itself, and only itself.
for sub in check decide status flush audit review; do
	run sub-$sub "$NTKCTL" $sub --help
	expect sub-$sub 0 "usage: ntkctl $sub" ""
	run sub-$sub-unknown "$NTKCTL" $sub --frobnicate
	expect sub-$sub-unknown 2 "" "ntkctl $sub"
done
run sub-none "$NTKCTL"
expect sub-none 2 "" "usage: ntkctl"
run sub-bogus "$NTKCTL" frobnicate
expect sub-bogus 2 "" "ntkctl: unknown command: frobnicate"

# No daemon: one sentence saying what to do, no stacked errno texts, exit 2.
printf '[daemon]\nsocket = %s/absent.sock\n' "$NTK_TMP" >"$NTK_TMP/ntk.conf"
run unreachable "$NTKCTL" -c "$NTK_TMP/ntk.conf" status
expect unreachable 2 "" \
	"ntkctl: cannot reach ntkd at $NTK_TMP/absent.sock: no such socket (is ntkd running? systemctl status ntkd)"
ntk_assert_eq 1 "$(wc -l <"$NTK_TMP/unreachable.err")" "one line for an unreachable daemon"
ntk_assert_not_contains "$(cat "$NTK_TMP/unreachable.err")" "input/output error" "no stacked errno text"
# A socket nobody listens on.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$NTK_TMP/dead.sock"
printf '[daemon]\nsocket = %s/dead.sock\n' "$NTK_TMP" >"$NTK_TMP/dead.conf"
run dead "$NTKCTL" -c "$NTK_TMP/dead.conf" check --user alice --system FACTS
expect dead 2 "" "cannot reach ntkd at $NTK_TMP/dead.sock: nobody listens on the socket (is ntkd running?"
ntk_pass "--help, --version, unknown options, subcommand help and unreachable-daemon messages"
