-- SPDX-License-Identifier: LGPL-2.1-or-later
-- The needtoknow pattern for MariaDB/MySQL: base table out of reach, a
-- DEFINER view that filters every row for the logged-in user, grants only on
-- the view. See ntk_udf(7) for why each line is there.
--
-- Run as an administrator after install.sql. The names are examples.

-- 1. Base tables in a schema ordinary users are granted nothing on. Case ids
--    are ASCII ([A-Za-z0-9._:-]) and compared exactly (ascii_nopad_bin), as
--    the policy compares them: with ascii_bin, which ignores trailing spaces,
--    a row of case '1001 ' would be shown as case 1001. The view's case list
--    must have the same collation as this column for MariaDB to use the index,
--    and the state column shares it (a CONCAT of the two would otherwise fail
--    with "Illegal mix of collations").
CREATE DATABASE IF NOT EXISTS casedata_private;
CREATE TABLE IF NOT EXISTS casedata_private.clients (
	id INT PRIMARY KEY,
	case_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL,
	state ENUM('open', 'closed', 'sealed') CHARACTER SET ascii COLLATE ascii_nopad_bin NOT NULL DEFAULT 'open',
	name VARCHAR(200) NOT NULL,
	-- With the state in the index, a worker's read is exactly her visible rows.
	KEY case_id (case_id, state)
);

-- 2. The account that owns the view: it may read the base table, nobody
--    logs in as it (no password, account locked).
CREATE USER IF NOT EXISTS 'ntk_definer'@'localhost' ACCOUNT LOCK;
GRANT SELECT ON casedata_private.* TO 'ntk_definer'@'localhost';

-- 3. The view. Its rows are decided for the account the server runs the
--    statement for (the UDF asks mariadbd; no user name is passed), once per
--    statement, not per row:
--    v    ntk_visible_json('read', <lowest case id>) unpacked by JSON_TABLE:
--         one row per visible (case, state), and one row for the states a
--         role sees in every case (all_from when that is every state,
--         some_from and states when it is some: the UDF's second argument,
--         the lowest value the case column can hold, '' for a character
--         column). A key the JSON lacks is NULL, which matches nothing.
--         One UDF call per statement, no limit on the number of cases.
--    c    the base table, read after v (STRAIGHT_JOIN).
--    The join's ON is the visibility test with one addition: the every-case
--    branch is guarded by (SELECT ntk_all_states('read') WHERE 1) <> ''.
--    MariaDB evaluates that scalar subquery (no table, not merged into its
--    parent because of the WHERE) while it optimises each statement, so for
--    a user who sees no state in every case the branch folds away before
--    MariaDB plans the join: c is read by key lookups on (case_id, state),
--    exactly her visible index entries (EXPLAIN: ref). For a role that sees
--    every case the guard is true and MariaDB picks how to read c per row of
--    v ("Range checked for each record"): the every-case row is the whole
--    case index from its lowest value, read from the index alone when the
--    statement needs no other column (a count), or a plain scan of the table
--    when that is cheaper. The guard only chooses the plan: were it stale or
--    wrong, the ON could only be narrower than the visibility test, never
--    wider. No policy branch names the primary key, so a count reads no
--    column outside the case index.
--    The columns are masked with the visibility test itself: the view is
--    MERGE (no materialised copy), so MariaDB may run the caller's own
--    conditions on rows the join is about to drop (in a plan the caller
--    steers: a hash join scans c; `WHERE CAST(name AS SIGNED) = 0; SHOW
--    WARNINGS`, SLEEP(), a stored function). Every mask names v's columns,
--    so no caller condition can be evaluated before a row is joined to v,
--    and every column of a row v does not make visible reads NULL: nothing
--    of a hidden row can leak. The every-case tests come first, so a role
--    that sees every case decides each row on its first comparison.
--    The JSON_TABLE columns have the case column's character set and
--    collation: otherwise every row's value is converted before comparing.
--    A row whose case id is NULL belongs to no case and is shown to nobody.
CREATE DATABASE IF NOT EXISTS casedata;
CREATE OR REPLACE
	ALGORITHM = MERGE
	DEFINER = 'ntk_definer'@'localhost'
	SQL SECURITY DEFINER
	VIEW casedata.clients AS
	SELECT
	IF(c.case_id >= v.all_from OR c.case_id >= v.some_from AND FIND_IN_SET(c.state, v.states) OR
	   c.case_id = v.case_id AND c.state = v.states, c.id, NULL) AS id,
	IF(c.case_id >= v.all_from OR c.case_id >= v.some_from AND FIND_IN_SET(c.state, v.states) OR
	   c.case_id = v.case_id AND c.state = v.states, c.case_id, NULL) AS case_id,
	IF(c.case_id >= v.all_from OR c.case_id >= v.some_from AND FIND_IN_SET(c.state, v.states) OR
	   c.case_id = v.case_id AND c.state = v.states, c.state, NULL) AS state,
	IF(c.case_id >= v.all_from OR c.case_id >= v.some_from AND FIND_IN_SET(c.state, v.states) OR
	   c.case_id = v.case_id AND c.state = v.states, c.name, NULL) AS name
	FROM JSON_TABLE(ntk_visible_json('read', ''), '$[*]' COLUMNS (
		case_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_nopad_bin PATH '$.case',
		states VARCHAR(20) CHARACTER SET ascii COLLATE ascii_nopad_bin PATH '$.states',
		all_from VARCHAR(64) CHARACTER SET ascii COLLATE ascii_nopad_bin PATH '$.all',
		some_from VARCHAR(64) CHARACTER SET ascii COLLATE ascii_nopad_bin PATH '$.from')) AS v
	STRAIGHT_JOIN casedata_private.clients AS c
	ON ((SELECT ntk_all_states('read') WHERE 1) <> '' AND
	    (c.case_id >= v.all_from OR c.case_id >= v.some_from AND FIND_IN_SET(c.state, v.states)) OR
	    c.case_id = v.case_id AND c.state = v.states);

-- 4. Staff get SELECT on the view and nothing on casedata_private.
--    Their MariaDB account names must be their directory uids.
-- CREATE USER 'alice'@'localhost' IDENTIFIED VIA pam USING 'mariadb';
-- GRANT SELECT ON casedata.clients TO 'alice'@'localhost';
