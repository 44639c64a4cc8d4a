# SPDX-License-Identifier: LGPL-2.1-or-later
# Start a throwaway mariadbd with ntk_udf.so, and load the needtoknow view pattern into it.
# Needs common.sh, ntk_tmpdir, and NTK_SOCKET (ntkd.sh). Sets MYSQL_SOCK, MYSQL_PID, MYSQL_PORT.

MARIADBD=${MARIADBD:-/usr/sbin/mariadbd}
NTK_UDF_SO=${NTK_UDF_SO:-$top_builddir/sql_plugin/mysql/.libs/ntk_udf.so}

# mysql_start LOW HIGH SYSTEM: a private server on 127.0.0.1 and a socket in the temp dir.
mysql_start() {
	local low=$1 high=$2 system=$3
	[ -x "$MARIADBD" ] || ntk_skip "mariadbd not installed"
	ntk_need_cmd mariadb mariadb-install-db
	[ -f "$NTK_UDF_SO" ] || ntk_skip "ntk_udf.so not built (libmariadb-dev missing?)"
	MYSQL_DIR="$NTK_TMP/mysql"
	mkdir -p "$MYSQL_DIR/plugin"
	# Our library alone in the plugin dir: the server loads nothing else by name.
	cp "$NTK_UDF_SO" "$MYSQL_DIR/plugin/ntk_udf.so"
	mariadb-install-db --no-defaults --datadir="$MYSQL_DIR/data" --user=root \
		>"$MYSQL_DIR/install.log" 2>&1 || ntk_fail "mariadb-install-db: $(tail -5 "$MYSQL_DIR/install.log")"
	# A sanitizer build of the library needs its runtime loaded first in mariadbd;
	# mariadbd's own allocations at exit are not ours to judge (detect_leaks=0).
	local preload=
	if ldd "$NTK_UDF_SO" | grep libasan >/dev/null; then
		preload=$(ldd "$NTK_UDF_SO" | awk '/libasan|libubsan/ { printf "%s:", $3 }')
		MYSQL_WRAPPER=${MYSQL_WRAPPER:-env LD_PRELOAD=$preload ASAN_OPTIONS=detect_leaks=0:log_path=$MYSQL_DIR/asan UBSAN_OPTIONS=print_stacktrace=1:log_path=$MYSQL_DIR/ubsan}
	fi
	MYSQL_PORT=$(ntk_free_port "$low" "$high")
	MYSQL_SOCK="$MYSQL_DIR/mysqld.sock"
	# The UDFs read their system and ntkd socket from the server's environment.
	NTK_SYSTEM=$system NTK_SOCKET=$NTK_SOCKET ${MYSQL_WRAPPER:-} "$MARIADBD" --no-defaults \
		--datadir="$MYSQL_DIR/data" --socket="$MYSQL_SOCK" --port="$MYSQL_PORT" \
		--bind-address=127.0.0.1 --user=root --pid-file="$MYSQL_DIR/mysqld.pid" \
		--plugin-dir="$MYSQL_DIR/plugin" --skip-name-resolve --max-connections=200 \
		--log-error="$MYSQL_DIR/error.log" &
	MYSQL_PID=$!
	ntk_on_exit "mysql_stop"
	ntk_wait_for 60 mysql_root -e 'SELECT 1' || {
		tail -20 "$MYSQL_DIR/error.log" >&2
		ntk_fail "mariadbd did not answer on $MYSQL_SOCK"
	}
	# The server loads plugins and UDF libraries from our temp dir only; nothing goes into the system's.
	[ "$(mysql_root -e 'SELECT @@plugin_dir')" = "$MYSQL_DIR/plugin/" ] ||
		ntk_fail "mariadbd's plugin_dir is not the test's own: $(mysql_root -e 'SELECT @@plugin_dir')"
	export MYSQL_SOCK MYSQL_PID MYSQL_PORT MYSQL_DIR
}

mysql_stop() {
	[ -n "${MYSQL_PID:-}" ] || return 0
	ntk_stop_pid "$MYSQL_PID"
	wait "$MYSQL_PID" 2>/dev/null || true
	MYSQL_PID=
}

# mysql_sanitizer_clean: no ASan/UBSan report from inside mariadbd.
mysql_sanitizer_clean() {
	local f
	for f in "$MYSQL_DIR"/asan* "$MYSQL_DIR"/ubsan*; do
		[ -e "$f" ] || continue
		ntk_fail "sanitizer report from mariadbd: $(head -40 "$f")"
	done
}

# The administrator (root over the socket, unix_socket authentication).
mysql_root() { mariadb --no-defaults -S "$MYSQL_SOCK" -u root -N -B "$@"; }

# mysql_as USER ARGS...: a member of staff, over TCP with their password.
mysql_as() {
	local u=$1
	shift
	mariadb --no-defaults -h 127.0.0.1 -P "$MYSQL_PORT" -u "$u" -p"pw-$u" -N -B "$@"
}

# mysql_read_counters USER SQL COUNTER...: run SQL (one value) as USER, then print that value and
# the session's storage engine counters it moved, one line: "20008 Handler_read_key=1 ... ".
# COUNTER is a Handler_read_ suffix (first, key, next, rnd_next).
mysql_read_counters() {
	local user=$1 sql=$2 names= c
	shift 2
	for c in "$@"; do names+="${names:+, }'Handler_read_$c'"; done
	mysql_as "$user" -e "$sql; SHOW SESSION STATUS WHERE Variable_name IN ($names)" | tr '\t\n' '= '
}

# mysql_plan_of USER: how MariaDB reads the base table (c) for USER's count through the view:
# "access-type key extra" from EXPLAIN. EXPLAIN needs rights on the base table, so USER is lent
# them for this one statement.
mysql_plan_of() {
	local account="'$1'@'127.0.0.1'" plan
	mysql_root -e "GRANT SHOW VIEW ON casedata.clients TO $account;
		GRANT SELECT ON casedata_private.clients TO $account;"
	plan=$(mysql_as "$1" -e "EXPLAIN SELECT COUNT(*) FROM casedata.clients" |
		awk -F'\t' '$3 == "c" { print $4, $6, $NF }')
	mysql_root -e "REVOKE SHOW VIEW ON casedata.clients FROM $account;
		REVOKE SELECT ON casedata_private.clients FROM $account;"
	printf '%s\n' "$plan"
}

# mysql_load_pattern USERS...: the UDFs, the base table, the DEFINER view, and
# one account per user with SELECT on the view only.
mysql_load_pattern() {
	local u
	mysql_root <"$top_srcdir/sql_plugin/mysql/install.sql" || ntk_fail "install.sql failed"
	mysql_root <"$top_srcdir/sql_plugin/mysql/secure_view_example.sql" ||
		ntk_fail "secure_view_example.sql failed"
	# The pattern needs no anonymous accounts: with one, USER() is whatever name the client typed.
	mysql_root -e "DELETE FROM mysql.global_priv WHERE User = ''; FLUSH PRIVILEGES;"
	for u in "$@"; do
		mysql_root -e "CREATE USER '$u'@'127.0.0.1' IDENTIFIED BY 'pw-$u';
			GRANT SELECT ON casedata.clients TO '$u'@'127.0.0.1';"
	done
}
