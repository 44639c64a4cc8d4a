#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# End to end through PostgreSQL (`pam pamservice=` in pg_hba.conf): psql logs in as alice, and judy is refused by pam_ntk.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/pam/pam_lib.sh"

ntk_need_root
ntk_need_cmd psql setpriv
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/postgres" ] || ntk_skip "PostgreSQL 15 server not installed"
getent passwd postgres >/dev/null || ntk_skip "no postgres user"
pam_setup 28935 28936
# PostgreSQL deadlocks at start with the ASan runtime preloaded (bindtextdomain).
[ -z "$PAM_PRELOAD" ] || ntk_skip "sanitizer build: postgres cannot host an ASan module"

# PostgreSQL hands the password to PAM's auth stage (pam_permit here: this test is
# about the account stage); its backends run as postgres, a trusted peer of ntkd.
pam_service ntk-test-pg \
	"auth required @MOD@/pam_permit.so" \
	"account required @NTK@ system=FACTS @SOCK@"
pam_etc_service ntk-test-pg

D=$NTK_TMP/pg
mkdir -p "$D"
chown postgres: "$D"
as_pg() { setpriv --reuid postgres --regid postgres --init-groups -- "$@"; }
as_pg "$PGBIN/initdb" -D "$D/data" -U postgres -A trust --no-sync >"$D/initdb.log" 2>&1 ||
	ntk_fail "initdb: $(cat "$D/initdb.log")"
cat >"$D/data/pg_hba.conf" <<HBA
local all postgres trust
host all all 127.0.0.1/32 pam pamservice=ntk-test-pg
HBA
PG_PORT=$(ntk_free_port 28935 28936)
# Not through as_pg: `func &` forks a subshell, and $! would be its pid, not the postmaster's.
setpriv --reuid postgres --regid postgres --init-groups -- env $PAM_PRELOAD "$PGBIN/postgres" \
	-D "$D/data" -p "$PG_PORT" -k "$D" -c listen_addresses=127.0.0.1 -c fsync=off \
	>"$D/postgres.log" 2>&1 &
PG_PID=$!
ntk_on_exit "ntk_stop_pid $PG_PID"
ntk_wait_for 30 psql -h "$D" -p "$PG_PORT" -U postgres -d postgres -Atc 'select 1' ||
	ntk_fail "postgres did not start: $(cat "$D/postgres.log")"
psql -q -h "$D" -p "$PG_PORT" -U postgres -d postgres \
	-c 'CREATE ROLE alice LOGIN' -c 'CREATE ROLE judy LOGIN' -c 'CREATE ROLE ivan LOGIN' \
	-c 'CREATE ROLE nosuchperson LOGIN'

# pg_as USER: a TCP login (so pg_hba's pam line applies); output in PG_OUT, status in PG_RC.
pg_as() {
	set +e
	PG_OUT=$(PGPASSWORD=anything PGCONNECT_TIMEOUT=20 psql -h 127.0.0.1 -p "$PG_PORT" -U "$1" -d postgres \
		-Atc 'select current_user' 2>&1)
	PG_RC=$?
	set -e
}

pg_as alice
[ "$PG_RC" = 0 ] || ntk_fail "alice refused by PostgreSQL: $PG_OUT; $(tail -5 "$D/postgres.log")"
ntk_assert_eq alice "$PG_OUT" "alice's session"
pg_as ivan
[ "$PG_RC" = 0 ] || ntk_fail "ivan refused by PostgreSQL: $PG_OUT"

pg_as judy
[ "$PG_RC" != 0 ] || ntk_fail "judy logged in to PostgreSQL: $PG_OUT"
ntk_assert_contains "$PG_OUT" 'PAM authentication failed for user "judy"' "judy's psql"
pg_as nosuchperson
[ "$PG_RC" != 0 ] || ntk_fail "a user unknown to the directory logged in to PostgreSQL"
# The server log says why: pam_acct_mgmt failed.
ntk_wait_for 5 grep -q 'pam_acct_mgmt failed' "$D/postgres.log" ||
	ntk_fail "postgres did not log the account stage failure: $(tail -20 "$D/postgres.log")"

ntkd_stop
pg_as alice
[ "$PG_RC" != 0 ] || ntk_fail "alice logged in to PostgreSQL with ntkd down"
ntk_pass "PostgreSQL: alice and ivan in, judy and unknown users refused, nobody with ntkd down"
