# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the audit tests: how to run `ntkctl audit`, and the checked-in sample.
# Needs common.sh. Uses ntkctl when it has the audit command, else the test driver.

AUDIT_MAIN="$top_builddir/tests/audit/audit_main"
AUDIT_SAMPLE="$top_srcdir/tests/audit/data/sample.audit"
AUDIT_EXPECTED="$top_srcdir/tests/audit/expected"
: "${AUDIT_CONF:=/nonexistent/ntk.conf}"

if [ -x "$NTKCTL" ] && "$NTKCTL" -c /nonexistent/ntk.conf audit --help >/dev/null 2>&1; then
	AUDIT_VIA=ntkctl
else
	[ -x "$AUDIT_MAIN" ] || ntk_fail "neither ntkctl audit nor $AUDIT_MAIN is built"
	AUDIT_VIA=audit_main
fi

# The command line of `ntkctl -c $AUDIT_CONF audit`, for programs that run it (time).
audit_argv() {
	if [ "$AUDIT_VIA" = ntkctl ]; then
		AUDIT_ARGV=("$NTKCTL" -c "$AUDIT_CONF" audit)
	else
		AUDIT_ARGV=("$AUDIT_MAIN" -c "$AUDIT_CONF")
	fi
}

# ntk_audit ARGS...: `ntkctl -c $AUDIT_CONF audit ARGS...`
ntk_audit() {
	audit_argv
	"${AUDIT_ARGV[@]}" "$@"
}

# audit_rc EXPECTED_RC OUTFILE ARGS...: run, keep stdout in OUTFILE and stderr in OUTFILE.err.
audit_rc() {
	local want=$1 out=$2 rc
	shift 2
	set +e
	ntk_audit "$@" >"$out" 2>"$out.err"
	rc=$?
	set -e
	[ "$rc" = "$want" ] || ntk_fail "ntkctl audit $*: exit $rc, expected $want (stderr: $(cat "$out.err"))"
}
