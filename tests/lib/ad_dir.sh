# SPDX-License-Identifier: LGPL-2.1-or-later
# An AD-shaped directory on the test slapd, and conf/ntk.conf.ad.sample pointed at it.
# Needs common.sh, slapd.sh, ntkd.sh and ntk_tmpdir. Sets AD_OU.

AD_OU="ou=county,dc=agency,dc=example"

# ad_slapd_start LOW HIGH: users by slapadd, groups online so the memberof overlay fills memberOf.
ad_slapd_start() {
	local here=$top_srcdir/tests/directory
	[ -e /usr/lib/ldap/memberof.so ] || [ -e /usr/lib/ldap/memberof.la ] ||
		ntk_skip "slapd's memberof overlay not installed"
	SLAPD_EXTRA_SCHEMA="$here/ad-subset.schema" SLAPD_EXTRA_MODULES=memberof \
		SLAPD_EXTRA_DB="overlay memberof
memberof-group-oc group
memberof-member-ad member
memberof-memberof-ad memberOf
index sAMAccountName eq
index member eq
index memberOf eq" \
		slapd_start "$1" "$2" "$here/ad-users.ldif"
	ldapmodify -a -x -H "$SLAPD_URI" -D "$SLAPD_ROOTDN" -w "$SLAPD_ROOTPW" -f "$here/ad-groups.ldif" \
		>/dev/null || ntk_fail "ldapmodify of the AD groups"
}

# ad_write_conf: the shipped AD sample with this server's names in place of the site's.
ad_write_conf() {
	ntkd_write_conf
	sed -e "s|^uri = .*|uri = $SLAPD_URI|" \
		-e "s|^base = .*|base = $SLAPD_BASE|" \
		-e "s|^binddn = .*|binddn = $SLAPD_BINDDN|" \
		-e "s|^bindpw_file = .*|bindpw_file = $NTK_TMP/bindpw|" \
		-e "s|^socket = .*|socket = $NTK_SOCKET|" \
		"$top_srcdir/conf/ntk.conf.ad.sample" >"$NTK_CONF"
}
