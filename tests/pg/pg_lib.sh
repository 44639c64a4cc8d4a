# SPDX-License-Identifier: LGPL-2.1-or-later
# A throwaway PostgreSQL cluster with the built ntk extension, for the pg test and bench.
# Needs common.sh, ntk_tmpdir and a running ntkd (NTK_SOCKET). Sets PG_PORT, PG_BIN, PGDATA_T,
# PG_ROOT (the private copy of the installation the server runs from).

PG_CONFIG=${PG_CONFIG:-$(command -v pg_config || echo /usr/lib/postgresql/15/bin/pg_config)}
PG_EXT_DIR="$top_builddir/sql_plugin/postgresql"
PG_EXT_SRC="$top_srcdir/sql_plugin/postgresql"

pg_need() {
	[ "${NTK_UNIT_ONLY:-0}" = 1 ] && ntk_skip "unit tests only"
	ntk_need_root
	[ -x "$PG_CONFIG" ] || ntk_skip "pg_config not found"
	PG_BIN=$("$PG_CONFIG" --bindir)
	[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] || ntk_skip "PostgreSQL server not installed in $PG_BIN"
	[ -f "$PG_EXT_DIR/.libs/ntk.so" ] || ntk_skip "the ntk extension was not built"
	# A sanitizer build of ntk.so needs the ASan runtime first in the server,
	# and the server does not run with it preloaded (pg_valgrind.sh covers memory errors).
	# Not `grep -q`: its early exit kills ldd with SIGPIPE, and pipefail reads that as "no".
	if ldd "$PG_EXT_DIR/.libs/ntk.so" 2>/dev/null | grep libasan >/dev/null; then
		ntk_skip "sanitizer build: ntk.so cannot load into the uninstrumented server"
	fi
	id postgres >/dev/null 2>&1 || ntk_skip "no postgres OS user (install postgresql-15)"
	ntk_need_cmd runuser
}

# Install the built extension into a private copy of the server's installation
# ($PG_ROOT in the test's temp dir) and point PG_BIN at it: nothing is written
# under the system's pkglibdir or sharedir, so concurrent runs cannot race and a
# developer's own PostgreSQL is never touched. PostgreSQL finds its share and
# lib directories relative to the real path of its executable, so the
# programs that look for them (postgres, initdb, pg_ctl) are copies; every
# other file is a symlink to the system's, and ntk's files are the only real
# ones in lib/ and share/extension/.
pg_install_extension() {
	local bindir libdir sharedir root f
	bindir=$("$PG_CONFIG" --bindir)
	libdir=$("$PG_CONFIG" --pkglibdir)
	sharedir=$("$PG_CONFIG" --sharedir)
	root=$NTK_TMP/pgroot
	mkdir -p "$root$bindir" "$root$libdir" "$root$sharedir/extension"
	for f in "$bindir"/*; do
		case ${f##*/} in
		postgres | initdb | pg_ctl) cp -p "$f" "$root$bindir/" ;;
		*) ln -s "$f" "$root$bindir/" ;;
		esac
	done
	for f in "$libdir"/*; do ln -s "$f" "$root$libdir/"; done
	for f in "$sharedir"/*; do
		[ "${f##*/}" = extension ] || ln -s "$f" "$root$sharedir/"
	done
	for f in "$sharedir"/extension/*; do
		case ${f##*/} in ntk.control | ntk--*.sql) ;; *) ln -s "$f" "$root$sharedir/extension/" ;; esac
	done
	rm -f "$root$libdir/ntk.so"
	install -m 644 "$PG_EXT_DIR/.libs/ntk.so" "$root$libdir/ntk.so"
	install -m 644 "$PG_EXT_SRC/ntk.control" "$PG_EXT_SRC"/ntk--*.sql "$root$sharedir/extension/"
	# The server runs as postgres: every directory on the way must let it through.
	find "$root" -type d -exec chmod 755 {} +
	PG_ROOT=$root
	PG_BIN=$root$bindir
	PG_PKGLIBDIR=$root$libdir
	export PG_ROOT PG_BIN PG_PKGLIBDIR
}

pg_as_postgres() { runuser -u postgres -- "$@"; }

# pg_start LOW HIGH [-c name=value ...]: initdb as postgres, start on 127.0.0.1.
pg_start() {
	local low=$1 high=$2
	shift 2
	PGDATA_T="$NTK_TMP/pgdata"
	PG_SOCKDIR="$NTK_TMP/pgsock"
	PG_LOG="$NTK_TMP/pglog/postgres.log"
	mkdir -p "$PGDATA_T" "$PG_SOCKDIR" "$NTK_TMP/pglog"
	chown postgres: "$PGDATA_T" "$PG_SOCKDIR" "$NTK_TMP/pglog"
	pg_as_postgres "$PG_BIN/initdb" -D "$PGDATA_T" -U postgres -A trust --no-sync \
		>"$NTK_TMP/initdb.log" 2>&1 || ntk_fail "initdb: $(tail -5 "$NTK_TMP/initdb.log")"
	PG_START_OPTS="$*"
	ntk_on_exit "pg_stop"
	ntk_start_on_free_port "$low" "$high" pg_launch || { cat "$PG_LOG" >&2; ntk_fail "postgres did not start"; }
	PG_PORT=$NTK_PORT
	export PG_PORT PGDATA_T PG_BIN PG_LOG
}

# pg_launch PORT: start the cluster of pg_start on PORT (pg_ctl waits until it answers).
pg_launch() {
	pg_as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA_T" -l "$PG_LOG" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $1 -c unix_socket_directories=$PG_SOCKDIR \
-c ntk.socket=$NTK_SOCKET -c ntk.system=FACTS -c fsync=off $PG_START_OPTS" start >/dev/null
}

pg_stop() {
	[ -n "${PGDATA_T:-}" ] && [ -f "$PGDATA_T/postmaster.pid" ] || return 0
	pg_as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA_T" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

# psql_t DB ARGS...: psql as the postgres superuser, unaligned, tuples only, stop on error.
psql_t() {
	local db=$1
	shift
	"$PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$db" "$@"
}
