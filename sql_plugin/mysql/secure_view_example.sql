-- SPDX-License-Identifier: LGPL-2.1-or-later
-- The needtoknow pattern for MariaDB/MySQL: base table out of reach, a
-- DEFINER view that filters every row for the logged-in user, grants only on
-- the view. See ntk_udf(7) for why each line is there.
--
-- Run as an administrator after install.sql. The names are examples.

-- 1. Base tables in a schema ordinary users are granted nothing on. Case ids
--    are ASCII ([A-Za-z0-9._:-]) and compared exactly (ascii_bin), as the
--    policy compares them; the view's case list must have the same collation
--    as this column for MariaDB to use the index.
CREATE DATABASE IF NOT EXISTS casedata_private;
CREATE TABLE IF NOT EXISTS casedata_private.clients (
	id INT PRIMARY KEY,
	case_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	state ENUM('open', 'closed', 'sealed') NOT NULL DEFAULT 'open',
	name VARCHAR(200) NOT NULL,
	-- With the state in the index, the view's test reads no row it will drop.
	KEY case_id (case_id, state)
);

-- 2. The account that owns the view: it may read the base table, nobody
--    logs in as it (no password, account locked).
CREATE USER IF NOT EXISTS 'ntk_definer'@'localhost' ACCOUNT LOCK;
GRANT SELECT ON casedata_private.* TO 'ntk_definer'@'localhost';

-- 3. The view. Its rows are decided for the account the server runs the
--    statement for (the UDF asks mariadbd; no user name is passed), once per
--    statement, not per row:
--    v    ntk_visible_json() unpacked by JSON_TABLE: one row per range of
--         case ids with the states visible in it, e.g. ("1001", "1001",
--         "open", 0) for an assigned case, ("", <above every id>,
--         "open,closed", 0) for the states a role sees in every case; every
--         is 1 for a role that sees every row, so its rows skip the state
--         test. One UDF call per statement, no limit on the number of cases.
--    c    the base table, read after v (STRAIGHT_JOIN): for each v row
--         MariaDB picks index ranges on the case column from lo and hi
--         (EXPLAIN: "Range checked for each record"), so an assigned worker's
--         statement reads her cases' index entries only.
--    The columns are masked with the same test as the join: the view is MERGE
--    (no materialised copy), so MariaDB may run the caller's own conditions
--    on rows the join is about to drop (a closed row of a visible open case,
--    `WHERE CAST(name AS SIGNED) = 0; SHOW WARNINGS`, SLEEP(), a stored
--    function). Every mask names v's columns, so no caller condition can be
--    evaluated before a row is joined to its range, and every column of a
--    row outside its range reads NULL: nothing of a hidden row can leak.
CREATE DATABASE IF NOT EXISTS casedata;
CREATE OR REPLACE
	ALGORITHM = MERGE
	DEFINER = 'ntk_definer'@'localhost'
	SQL SECURITY DEFINER
	VIEW casedata.clients AS
	SELECT
	IF(v.every OR (c.case_id BETWEEN v.lo AND v.hi AND FIND_IN_SET(c.state, v.states) > 0),
	   c.id, NULL) AS id,
	IF(v.every OR (c.case_id BETWEEN v.lo AND v.hi AND FIND_IN_SET(c.state, v.states) > 0),
	   c.case_id, NULL) AS case_id,
	IF(v.every OR (c.case_id BETWEEN v.lo AND v.hi AND FIND_IN_SET(c.state, v.states) > 0),
	   c.state, NULL) AS state,
	IF(v.every OR (c.case_id BETWEEN v.lo AND v.hi AND FIND_IN_SET(c.state, v.states) > 0),
	   c.name, NULL) AS name
	FROM JSON_TABLE(ntk_visible_json(), '$[*]' COLUMNS (
		lo VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin PATH '$[0]',
		hi VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin PATH '$[1]',
		states VARCHAR(20) CHARACTER SET ascii PATH '$[2]',
		every INT PATH '$[3]')) AS v
	STRAIGHT_JOIN casedata_private.clients AS c
	ON c.case_id BETWEEN v.lo AND v.hi AND (v.every OR FIND_IN_SET(c.state, v.states) > 0);

-- 4. Staff get SELECT on the view and nothing on casedata_private.
--    Their MariaDB account names must be their directory uids.
-- CREATE USER 'alice'@'localhost' IDENTIFIED VIA pam USING 'mariadb';
-- GRANT SELECT ON casedata.clients TO 'alice'@'localhost';
