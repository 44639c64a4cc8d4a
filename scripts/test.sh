#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build needtoknow and run every test against real servers (slapd, auditd,
# PostgreSQL, MariaDB, sshd): a normal build with valgrind checks inside the
# tests, an ASan/UBSan build of the unit and integration suites, and distcheck.
# Run as root on Debian 12. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

if [ "${NTK_SKIP_DEPS:-0}" != 1 ]; then
	scripts/install-deps.sh
fi

jobs=$(nproc)
export NTK_REQUIRE_SERVERS=1 # a missing server is a failure here, not a skip

step() { printf '\n==== %s ====\n' "$*"; }

step "autogen"
./autogen.sh >/dev/null

step "build and test (release build, valgrind inside the tests)"
rm -rf build && mkdir build
(cd build && ../configure --enable-werror --sysconfdir=/etc >/dev/null &&
	make -j"$jobs" >/dev/null && make check) || {
	find build -name 'test-suite.log' -newer configure -exec cat {} + >&2 || true
	exit 1
}

step "ASan/UBSan build: unit, directory and daemon integration tests"
rm -rf build-asan && mkdir build-asan
(cd build-asan && ../configure --enable-werror --enable-sanitizers --sysconfdir=/etc >/dev/null &&
	make -j"$jobs" >/dev/null &&
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		make -C tests/unit check &&
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 make -C tests/directory check &&
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 make -C tests/integration check) || {
	find build-asan -name 'test-suite.log' -newer configure -exec cat {} + >&2 || true
	exit 1
}

step "distcheck (unit tests; the server suites ran above)"
(cd build && NTK_REQUIRE_SERVERS=0 NTK_UNIT_ONLY=1 make distcheck >/dev/null) || exit 1

# One closing line over both builds' automake results (.trs files).
count() { cat build/tests/*/*.trs build-asan/tests/*/*.trs 2>/dev/null | grep -c "^:test-result: $1" || true; }
step "all tests passed"
printf '%s passed, %s failed, %s skipped\n' "$(count PASS)" "$(($(count FAIL) + $(count ERROR)))" "$(count SKIP)"
