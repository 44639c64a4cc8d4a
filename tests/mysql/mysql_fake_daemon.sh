#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An ntkd run by nobody on the socket the MariaDB UDFs use (NTK_SOCKET) is never believed: the
# secure view shows no rows and checks deny, as with no daemon. Once root's ntkd serves that
# same path, the same server shows alice her rows.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/mysql/mysql_lib.sh"

ntk_need_root
ntk_need_cmd setpriv
[ -x "$NTKD" ] || ntk_skip "ntkd not built: $NTKD"
ntk_tmpdir
slapd_start 28985 28989
ntkd_write_conf
ntkd_start_impostor
NTK_SOCKET=$IMPOSTOR_SOCKET mysql_start 28990 28999 FACTS
mysql_load_pattern alice
mysql_root -e "INSERT INTO casedata_private.clients VALUES
	(1, '1001', 'open', 'Client One'), (2, '1001', 'open', 'Client Two'),
	(3, '1002', 'open', 'Client Three'), (8, '2001', 'open', 'Client Eight');"
view_rows() { mysql_as "$1" -e "SELECT IFNULL(GROUP_CONCAT(id ORDER BY id), '') FROM casedata.clients"; }

got=$(view_rows alice)
ntk_log "alice's rows through a daemon run by nobody: [$got]"
ntk_assert_eq "" "$got" "alice's rows through a daemon run by nobody"
ntk_assert_eq "0" "$(mysql_as alice -e "SELECT ntk_can_access('1001')")" \
    "ntk_can_access through a daemon run by nobody"

# Root's ntkd on the very same path: believed.
ntk_stop_pid "$IMPOSTOR_PID"
chown root:root "$(dirname "$IMPOSTOR_SOCKET")"
sed -i "s|^socket = .*|socket = $IMPOSTOR_SOCKET|" "$NTK_CONF"
NTK_SOCKET=$IMPOSTOR_SOCKET
ntkd_start
ntk_assert_eq "1,2,3" "$(view_rows alice)" "alice's rows from ntkd run by root"
kill -0 "$MYSQL_PID" || ntk_fail "mariadbd died"
ntk_pass "the UDFs believe only a daemon run by root"
