#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The reference model (ntk_model.py) against the hand-written answers of
# decisions.sh and nss_lib.sh on the sample agency: no server, no C code.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"

PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || ntk_skip "$PYTHON not installed (python3)"
"$PYTHON" -B "$top_srcdir/tests/differential/model_selftest.py" "$top_srcdir" ||
	ntk_fail "the reference model differs from the suites' hand-written answers"
ntk_pass "the reference model gives every hand-written answer of decisions.sh and nss_lib.sh"
