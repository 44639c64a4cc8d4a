#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# End to end through MariaDB (auth_pam): alice connects, judy is refused by pam_ntk in the account stage.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

ntk_need_root
ntk_need_cmd mariadb mariadb-install-db
[ -x /usr/sbin/mariadbd ] || ntk_skip "mariadb-server not installed"
pam_setup 28937 28939

pam_service ntk-test-mysql \
	"auth required @MOD@/pam_permit.so" \
	"account required @NTK@ system=FACTS @SOCK@"
pam_etc_service ntk-test-mysql

# auth_pam runs PAM in a setuid helper, which does not inherit the ASan preload;
# auth_pam_v1 runs it inside mariadbd (which then must be a trusted peer: root here).
plugin=auth_pam
[ -z "$PAM_PRELOAD" ] || plugin=auth_pam_v1

M=$NTK_TMP/mysql
mkdir -p "$M"
mariadb-install-db --no-defaults --datadir="$M/data" --user=root --skip-test-db \
	>"$M/install.log" 2>&1 || ntk_fail "mariadb-install-db: $(cat "$M/install.log")"
MY_PORT=$(ntk_free_port 28937 28939)
env $PAM_PRELOAD /usr/sbin/mariadbd --no-defaults --datadir="$M/data" --socket="$M/sock" \
	--port="$MY_PORT" --bind-address=127.0.0.1 --user=root --pid-file="$M/pid" \
	--log-error="$M/error.log" --plugin-load-add=$plugin --skip-name-resolve \
	--innodb-buffer-pool-size=16M >"$M/stderr.log" 2>&1 &
MY_PID=$!
ntk_on_exit "ntk_stop_pid $MY_PID"
ntk_wait_for 60 mariadb --no-defaults -S "$M/sock" -u root -e 'select 1' ||
	ntk_fail "mariadbd did not start: $(cat "$M/error.log")"
mariadb --no-defaults -S "$M/sock" -u root -e "
	CREATE USER alice@'%' IDENTIFIED VIA pam USING 'ntk-test-mysql';
	CREATE USER ivan@'%' IDENTIFIED VIA pam USING 'ntk-test-mysql';
	CREATE USER judy@'%' IDENTIFIED VIA pam USING 'ntk-test-mysql';
	CREATE USER nosuchperson@'%' IDENTIFIED VIA pam USING 'ntk-test-mysql';"

# my_as USER: a TCP login; output in MY_OUT, status in MY_RC.
my_as() {
	set +e
	MY_OUT=$(timeout 30 mariadb --no-defaults -h 127.0.0.1 -P "$MY_PORT" -u "$1" -panything \
		--connect-timeout=20 -N -e 'select current_user()' 2>&1)
	MY_RC=$?
	set -e
}

my_as alice
[ "$MY_RC" = 0 ] || ntk_fail "alice refused by MariaDB: $MY_OUT; $(tail -5 "$M/error.log")"
ntk_assert_contains "$MY_OUT" "alice@%" "alice's session"
my_as ivan
[ "$MY_RC" = 0 ] || ntk_fail "ivan refused by MariaDB: $MY_OUT"

my_as judy
[ "$MY_RC" != 0 ] || ntk_fail "judy logged in to MariaDB: $MY_OUT"
ntk_assert_contains "$MY_OUT" "Access denied for user 'judy'" "judy's mariadb client"
my_as nosuchperson
[ "$MY_RC" != 0 ] || ntk_fail "a user unknown to the directory logged in to MariaDB"

ntkd_stop
my_as alice
[ "$MY_RC" != 0 ] || ntk_fail "alice logged in to MariaDB with ntkd down"
ntk_pass "MariaDB auth_pam: alice and ivan in, judy and unknown users refused, nobody with ntkd down"
