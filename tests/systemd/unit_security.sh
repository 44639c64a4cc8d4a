#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The shipped ntkd.service: Type=notify, ordered before user lookups and logins, hardened to
# `systemd-analyze security` exposure <= 3.0, and valid; the tmpfiles.d entry makes /run/ntk.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib/common.sh"

ntk_need_cmd systemd-analyze systemd-tmpfiles
UNIT=$top_builddir/conf/ntkd.service
[ -f "$UNIT" ] || ntk_fail "unit not built: $UNIT"
ntk_tmpdir

# The unit as shipped but for ExecStart naming the ntkd just built (verify wants it to exist).
mkdir -p "$NTK_TMP/units"
sed -e "s|^ExecStart=[^ ]*|ExecStart=$NTKD|" "$UNIT" >"$NTK_TMP/units/ntkd.service"

# unit_value KEY: the values of KEY= lines, space-joined.
unit_value() { sed -n "s/^$1=//p" "$UNIT" | tr '\n' ' ' | sed 's/ $//'; }
ntk_assert_eq notify "$(unit_value Type)" "Type"
ntk_assert_eq main "$(unit_value NotifyAccess)" "NotifyAccess"
ntk_assert_eq "nss-user-lookup.target systemd-user-sessions.service" "$(unit_value Before)" "Before"
ntk_assert_contains " $(unit_value Wants) " " nss-user-lookup.target " "Wants"
ntk_assert_contains " $(unit_value RestrictAddressFamilies) " " AF_NETLINK " "RestrictAddressFamilies (audit)"
ntk_assert_contains " $(unit_value CapabilityBoundingSet) " " CAP_AUDIT_WRITE " "CapabilityBoundingSet"
ntk_assert_eq 0077 "$(unit_value UMask)" "UMask"
for key in PrivateDevices ProtectKernelTunables ProtectKernelModules ProtectKernelLogs \
	ProtectControlGroups ProtectClock MemoryDenyWriteExecute LockPersonality RestrictNamespaces; do
	ntk_assert_eq yes "$(unit_value "$key")" "$key"
done
ntk_assert_contains "$(unit_value SystemCallFilter)" "@system-service" "SystemCallFilter"

out=$(cd "$NTK_TMP/units" && systemd-analyze verify --man=no ./ntkd.service 2>&1) ||
	ntk_fail "systemd-analyze verify: $out"
ntk_assert_eq "" "$out" "systemd-analyze verify says nothing"

sec=$(systemd-analyze security --offline=true --no-pager "$NTK_TMP/units/ntkd.service" 2>&1) ||
	ntk_fail "systemd-analyze security: $sec"
score=$(printf '%s\n' "$sec" | sed -n 's/^→ Overall exposure level for ntkd.service: \([0-9.]*\) .*/\1/p')
[ -n "$score" ] || ntk_fail "no exposure level in: $sec"
ntk_log "systemd-analyze security: exposure $score"
awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }' ||
	ntk_fail "exposure level $score > 3.0: $(printf '%s\n' "$sec" | grep '✗')"
ntk_pass "ntkd.service: Type=notify, before nss-user-lookup.target and logins, exposure $score <= 3.0"

# tmpfiles.d: /run/ntk as ntkd's own mkdir makes it (root, 0755), under a private root.
root=$NTK_TMP/root
mkdir -p "$root/run"
systemd-tmpfiles --create --root="$root" "$top_srcdir/conf/tmpfiles.d/ntkd.conf" ||
	ntk_fail "systemd-tmpfiles refused conf/tmpfiles.d/ntkd.conf"
ntk_assert_eq "755 0 0" "$(stat -c '%a %u %g' "$root/run/ntk")" "/run/ntk made by tmpfiles.d"
ntk_pass "tmpfiles.d/ntkd.conf creates /run/ntk 0755 root:root"
