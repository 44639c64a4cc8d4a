#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 12 part 1: no account may have the UDFs decide for another user. Against a real mariadbd,
# ntkd, slapd and auditd, mallory (no cases, but routines, views, triggers and events of her own
# in her own schema) tries every path to alice's answers or to audit records naming alice:
# literal names, AS aliases, prepared statements, DEFINER and INVOKER procedures and functions,
# triggers, events, her own views, and making alice run her DEFINER code over the secure view.
# Every attack is tried and the failures listed together, then the test fails.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/slapd.sh"
. "$top_srcdir/tests/lib/auditd.sh"
. "$top_srcdir/tests/lib/ntkd.sh"
. "$top_srcdir/tests/mysql/mysql_lib.sh"

ntk_need_root
[ -x "$NTKD" ] || ntk_skip "ntkd not built: $NTKD"
ntk_tmpdir
auditd_ensure
slapd_start 29040 29044
ntkd_write_conf
ntkd_start
mysql_start 29045 29049 FACTS
mysql_load_pattern alice mallory erin
mysql_root -e "INSERT INTO casedata_private.clients VALUES
	(1, '1001', 'open', 'Client One'), (2, '1001', 'open', 'Client Two'),
	(3, '1002', 'open', 'Client Three'), (4, '1003', 'open', 'Client Four');"

# mallory may build things in her own schema: what a developer or power user could have.
mysql_root -e "CREATE DATABASE mallory_db;
	GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, CREATE VIEW, SHOW VIEW, CREATE ROUTINE,
		ALTER ROUTINE, EXECUTE, TRIGGER, EVENT ON mallory_db.* TO 'mallory'@'127.0.0.1';
	SET GLOBAL event_scheduler = ON;" || ntk_fail "mallory's schema"
m() { mysql_as mallory -e "$1" 2>&1 || true; }
a() { mysql_as alice -e "$1" 2>&1 || true; }
# setup SQL: mallory builds something; what the server said goes to the log.
setup() { ntk_log "mallory builds: $(m "$1" | tr '\n' ' ')"; }

FAILED=()
# verdict WHAT OUTPUT: mallory must never get alice's answer (1, or an ALLOW verdict).
verdict() {
	local what=$1 out=$2
	ntk_log "$what: [$out]"
	case "$out" in
	*ALLOW*) FAILED+=("$what: got alice's verdict [$out]") ;;
	1 | *$'\n'1 | 1$'\n'*) FAILED+=("$what: got alice's access [$out]") ;;
	esac
}
# no_rows WHAT OUTPUT: nothing of alice's rows reached mallory's table.
no_rows() {
	ntk_log "$1: [$2]"
	[ -z "$2" ] || [ "$2" = 0 ] || FAILED+=("$1: alice's rows reached mallory: [$2]")
}

# Control: the view itself gives each their own rows.
ntk_assert_eq "1,2,3" "$(a "SELECT GROUP_CONCAT(id ORDER BY id) FROM casedata.clients")" "alice's rows"
ntk_assert_eq "0" "$(m "SELECT COUNT(*) FROM casedata.clients")" "mallory's rows"

audit_mark
# --- mallory alone, naming alice ---------------------------------------------------
verdict "literal name, ntk_can_access" "$(m "SELECT ntk_can_access('alice', '1001')")"
# A refused row would be audited under the name given: framing alice in the security log.
verdict "literal name on a refused case (audited)" "$(m "SELECT ntk_can_access('alice', '2001')")"
verdict "literal name, ntk_explain" "$(m "SELECT ntk_explain('alice', '1001')")"
verdict "user@host form" "$(m "SELECT ntk_explain('alice@127.0.0.1', '1001')")"
verdict "AS alias naming SESSION_USER()" "$(m "SELECT ntk_explain('alice' AS \`SESSION_USER()\`, '1001')")"
verdict "AS alias on a column" "$(m "SELECT ntk_can_access(u AS \`SESSION_USER()\`, '1001') FROM (SELECT 'alice' AS u) t")"
verdict "prepared statement" "$(m "PREPARE s FROM 'SELECT ntk_explain(?, ?)'; SET @u = 'alice', @c = '1001'; EXECUTE s USING @u, @c")"
verdict "prepared statement, one argument" "$(m "PREPARE s FROM 'SELECT ntk_explain(?)'; SET @c = '1001'; EXECUTE s USING @c")"
setup "CREATE DEFINER = CURRENT_USER PROCEDURE mallory_db.pd() SQL SECURITY DEFINER SELECT ntk_explain('alice', '1001');
	CREATE DEFINER = CURRENT_USER PROCEDURE mallory_db.pi() SQL SECURITY INVOKER SELECT ntk_explain('alice', '1001');
	CREATE DEFINER = CURRENT_USER FUNCTION mallory_db.fd() RETURNS TEXT SQL SECURITY DEFINER RETURN ntk_explain('alice', '1001');
	CREATE DEFINER = CURRENT_USER FUNCTION mallory_db.fi() RETURNS TEXT SQL SECURITY INVOKER RETURN ntk_explain('alice', '1001');"
verdict "DEFINER procedure" "$(m "CALL mallory_db.pd()")"
verdict "INVOKER procedure" "$(m "CALL mallory_db.pi()")"
verdict "DEFINER function" "$(m "SELECT mallory_db.fd()")"
verdict "INVOKER function" "$(m "SELECT mallory_db.fi()")"
setup "CREATE TABLE mallory_db.t (c VARCHAR(64), v TEXT);
	CREATE DEFINER = CURRENT_USER TRIGGER mallory_db.tr BEFORE INSERT ON mallory_db.t FOR EACH ROW
		SET NEW.v = ntk_explain('alice', NEW.c);
	INSERT INTO mallory_db.t (c) VALUES ('1001');"
verdict "trigger" "$(m "SELECT IFNULL(v, 'NULL') FROM mallory_db.t")"
setup "CREATE DEFINER = CURRENT_USER VIEW mallory_db.v AS SELECT ntk_explain('alice', '1001') AS e;
	CREATE DEFINER = CURRENT_USER SQL SECURITY INVOKER VIEW mallory_db.vi AS SELECT ntk_explain('alice', '1001') AS e;"
verdict "mallory's DEFINER view" "$(m "SELECT e FROM mallory_db.v")"
verdict "mallory's INVOKER view" "$(m "SELECT e FROM mallory_db.vi")"
setup "CREATE TABLE mallory_db.ev (v TEXT);
	CREATE DEFINER = CURRENT_USER EVENT mallory_db.e ON SCHEDULE AT CURRENT_TIMESTAMP
		DO INSERT INTO mallory_db.ev SELECT ntk_explain('alice', '1001');"
sleep 3
verdict "event" "$(m "SELECT IFNULL(GROUP_CONCAT(IFNULL(v, 'NULL')), '(event wrote nothing)') FROM mallory_db.ev")"

# No audit record may name alice: none of the statements above was hers.
recs=$(audit_search_once -m TRUSTED_APP -i | grep 'op=ntk-statement' | grep "query=mariadb:$MYSQL_PID:" || true)
arec=$(printf '%s\n' "$recs" | grep 'acct=alice' || true)
[ -z "$arec" ] || FAILED+=("audit records naming alice from mallory's statements: $arec")

# --- alice made to run mallory's DEFINER code over the secure view (confused deputy) ---
setup "CREATE TABLE mallory_db.loot (id INT);
	CREATE DEFINER = CURRENT_USER PROCEDURE mallory_db.steal() SQL SECURITY DEFINER
		INSERT INTO mallory_db.loot SELECT id FROM casedata.clients;
	DELIMITER //
	CREATE DEFINER = CURRENT_USER FUNCTION mallory_db.steal_f() RETURNS INT SQL SECURITY DEFINER
		BEGIN INSERT INTO mallory_db.loot SELECT id FROM casedata.clients; RETURN 1; END //
	DELIMITER ;
	CREATE TABLE mallory_db.box (x INT);
	CREATE DEFINER = CURRENT_USER TRIGGER mallory_db.box_tr AFTER INSERT ON mallory_db.box FOR EACH ROW
		INSERT INTO mallory_db.loot SELECT id FROM casedata.clients;"
mysql_root -e "GRANT EXECUTE ON PROCEDURE mallory_db.steal TO 'alice'@'127.0.0.1';
	GRANT EXECUTE ON FUNCTION mallory_db.steal_f TO 'alice'@'127.0.0.1';
	GRANT INSERT ON mallory_db.box TO 'alice'@'127.0.0.1';"
a "CALL mallory_db.steal()" >/dev/null
no_rows "alice calls mallory's DEFINER procedure" "$(m "SELECT IFNULL(GROUP_CONCAT(id ORDER BY id), '') FROM mallory_db.loot")"
m "DELETE FROM mallory_db.loot" >/dev/null
a "SELECT mallory_db.steal_f()" >/dev/null
no_rows "alice calls mallory's DEFINER function" "$(m "SELECT IFNULL(GROUP_CONCAT(id ORDER BY id), '') FROM mallory_db.loot")"
m "DELETE FROM mallory_db.loot" >/dev/null
a "INSERT INTO mallory_db.box VALUES (1)" >/dev/null
no_rows "alice fires mallory's trigger" "$(m "SELECT IFNULL(GROUP_CONCAT(id ORDER BY id), '') FROM mallory_db.loot")"

# --- the identity the server gives, context by context (the one-argument form) -----------
ntk_assert_eq "ALLOW rule=assigned" "$(a "SELECT ntk_explain('1001')")" "alice asks for herself"
ntk_assert_eq "DENY reason=no-business-reason" "$(m "SELECT ntk_explain('1001')")" "mallory asks: her own verdict"
ntk_assert_eq "DENY reason=no-business-reason" "$(m "PREPARE s FROM 'SELECT ntk_explain(?)'; SET @c = '1001'; EXECUTE s USING @c")" \
	"mallory's prepared statement: her own verdict"
setup "CREATE DEFINER = CURRENT_USER PROCEDURE mallory_db.pd1() SQL SECURITY DEFINER SELECT ntk_explain('1001');
	CREATE DEFINER = CURRENT_USER PROCEDURE mallory_db.pi1() SQL SECURITY INVOKER SELECT ntk_explain('1001');
	CREATE DEFINER = CURRENT_USER FUNCTION mallory_db.fd1() RETURNS TEXT SQL SECURITY DEFINER RETURN ntk_explain('1001');
	CREATE DEFINER = CURRENT_USER VIEW mallory_db.v1 AS SELECT ntk_explain('1001') AS e;
	CREATE TABLE mallory_db.t1 (c VARCHAR(64), v TEXT);
	CREATE DEFINER = CURRENT_USER TRIGGER mallory_db.tr1 BEFORE INSERT ON mallory_db.t1 FOR EACH ROW
		SET NEW.v = ntk_explain(NEW.c);
	CREATE TABLE mallory_db.ev1 (v TEXT);
	CREATE DEFINER = CURRENT_USER EVENT mallory_db.e1 ON SCHEDULE AT CURRENT_TIMESTAMP
		DO INSERT INTO mallory_db.ev1 SELECT ntk_explain('1001');"
mysql_root -e "GRANT EXECUTE ON mallory_db.* TO 'alice'@'127.0.0.1';
	GRANT SELECT ON mallory_db.v1 TO 'alice'@'127.0.0.1';
	GRANT INSERT ON mallory_db.t1 TO 'alice'@'127.0.0.1';"
# Inside code running with mallory's rights, the decision is mallory's, whoever called it.
ntk_assert_eq "DENY reason=no-business-reason" "$(a "CALL mallory_db.pd1()")" "alice calls mallory's DEFINER procedure"
ntk_assert_eq "DENY reason=no-business-reason" "$(a "SELECT mallory_db.fd1()")" "alice calls mallory's DEFINER function"
a "INSERT INTO mallory_db.t1 (c) VALUES ('1001')" >/dev/null
ntk_assert_eq "DENY reason=no-business-reason" "$(m "SELECT v FROM mallory_db.t1")" "alice fires mallory's trigger"
sleep 3
ntk_assert_eq "DENY reason=no-business-reason" "$(m "SELECT IFNULL(GROUP_CONCAT(v), '(none)') FROM mallory_db.ev1")" \
	"mallory's event decides for mallory"
# With the caller's own rights (INVOKER code, any view), the decision is the caller's and goes to the caller.
ntk_assert_eq "ALLOW rule=assigned" "$(a "CALL mallory_db.pi1()")" "alice calls mallory's INVOKER procedure: her own"
ntk_assert_eq "ALLOW rule=assigned" "$(a "SELECT e FROM mallory_db.v1")" "alice reads mallory's view: her own"
ntk_assert_eq "DENY reason=no-business-reason" "$(m "SELECT e FROM mallory_db.v1")" "mallory reads her view: her own"

# The account is read when the statement runs, not when it was prepared: alice's own prepared
# statements, executed by mallory's DEFINER procedure, decide for mallory.
setup "CREATE DEFINER = CURRENT_USER PROCEDURE mallory_db.run_s() SQL SECURITY DEFINER EXECUTE s;
	CREATE DEFINER = CURRENT_USER PROCEDURE mallory_db.run_v() SQL SECURITY DEFINER EXECUTE v;"
ntk_assert_eq "$(printf 'ALLOW rule=assigned\nDENY reason=no-business-reason')" \
	"$(a "PREPARE s FROM 'SELECT ntk_explain(''1001'')'; EXECUTE s; CALL mallory_db.run_s();")" \
	"alice's prepared ntk_explain, run by her and by mallory's procedure"
ntk_assert_eq "$(printf '3\n0')" \
	"$(a "PREPARE v FROM 'SELECT COUNT(*) FROM casedata.clients'; EXECUTE v; CALL mallory_db.run_v();")" \
	"alice's prepared scan of the view, run by her and by mallory's procedure"

# An anonymous account authenticates nobody: no decision at all.
mysql_root -e "CREATE USER ''@'127.0.0.1' IDENTIFIED BY 'pw-'"
out=$(mariadb --no-defaults -h 127.0.0.1 -P "$MYSQL_PORT" -u zed -ppw- -N -B -e "SELECT USER(), ntk_explain('1001')" 2>&1 || true)
ntk_assert_contains "$out" "no authenticated account" "an anonymous account gets no verdict"
mysql_root -e "DROP USER ''@'127.0.0.1'"

# A refused row of mallory's is audited under her name, never anyone else's.
audit_mark
ntk_assert_eq "0" "$(m "SELECT ntk_can_access('2001')")" "mallory's refused row"
for ((i = 0; i < 50; i++)); do
	recs=$(audit_search_once -m TRUSTED_APP -i | grep 'op=ntk-statement' | grep "query=mariadb:$MYSQL_PID:" || true)
	[ -n "$recs" ] && break
	sleep 0.2
done
ntk_assert_contains "$recs" "acct=mallory " "mallory's refusal names mallory"
ntk_assert_not_contains "$recs" "acct=alice" "and nobody else"

# --- the view's masks: code of the caller's own never sees a row the view hides ----------
# The view is MERGE: MariaDB may run the caller's conditions on rows its WHERE drops. Every
# column of such a row reads NULL. A closed row in alice's own case 1001 is hidden from her.
mysql_root -e "INSERT INTO casedata_private.clients VALUES (5, '1001', 'closed', 'Client Hidden')"
setup "CREATE TABLE mallory_db.seen (v TEXT);
	DELIMITER //
	CREATE DEFINER = CURRENT_USER FUNCTION mallory_db.spy(v TEXT) RETURNS INT SQL SECURITY DEFINER
		MODIFIES SQL DATA BEGIN INSERT INTO mallory_db.seen VALUES (v); RETURN 0; END //
	DELIMITER ;"
m "SELECT COUNT(*) FROM casedata.clients WHERE mallory_db.spy(CONCAT_WS('|', id, case_id, state, name)) = 1" >/dev/null
m "SELECT COUNT(*) FROM casedata.clients WHERE id BETWEEN 1 AND 5 AND mallory_db.spy(name) = 1" >/dev/null
m "SELECT COUNT(*) FROM casedata.clients WHERE case_id = '1003' AND mallory_db.spy(name) = 1" >/dev/null
a "SELECT COUNT(*) FROM casedata.clients WHERE mallory_db.spy(CONCAT_WS('|', id, case_id, state, name)) = 1" >/dev/null
a "SELECT COUNT(*) FROM casedata.clients WHERE id = 5 AND mallory_db.spy(name) = 1" >/dev/null
seen=$(m "SELECT IFNULL(GROUP_CONCAT(v ORDER BY v SEPARATOR ';'), '') FROM mallory_db.seen WHERE v IS NOT NULL AND v <> ''")
ntk_log "what a stored function in the caller's WHERE saw: [$seen]"
ntk_assert_not_contains "$seen" "Hidden" "a hidden row of alice's own case reached a stored function"
ntk_assert_not_contains "$seen" "Client Four" "another case's row reached a stored function"
ntk_assert_contains "$seen" "1|1001|open|Client One" "alice's own rows do reach her function (control)"
out=$(a "SELECT COUNT(*) FROM casedata.clients WHERE CAST(name AS SIGNED) = 0; SHOW WARNINGS")
ntk_assert_not_contains "$out" "Hidden" "alice's CAST probe names no hidden row of her case"
ntk_assert_contains "$out" "Client One" "alice's CAST probe (control: her rows do warn)"

mysql_root -e "SET GLOBAL event_scheduler = OFF"
if [ "${#FAILED[@]}" -gt 0 ]; then
	printf '  %s\n' "${FAILED[@]}" >&2
	ntk_fail "${#FAILED[@]} identity attacks succeeded"
fi
kill -0 "$MYSQL_PID" || ntk_fail "mariadbd died"
mysql_sanitizer_clean
ntk_pass "no name, alias, prepared statement, routine, trigger, event or view decides for another user"
