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
--    statement for (the UDFs ask mariadbd; no user name is passed), once per
--    statement, not per row:
--    k    one row of constants: the states visible in every case
--         (ntk_all_states), whether that is everything, and up to 32 case ids
--         with rows visible case by case (ntk_case_ids). A one-row derived
--         table is read before the plan is made, so MariaDB turns
--         `c.case_id IN (k.c1, ...)` into index ranges; a role that sees
--         every state of every case gets no condition at all. (x computes
--         the UDFs once; its columns stay short so both one-row tables are
--         in-memory ones.)
--    WHERE the rows visible: a state visible in every case, or a case/state
--         pair of ntk_cases(). More than 32 case ids: a scan, same answer.
--    The columns are masked with the same test: the view is MERGE (no
--    materialised copy), so MariaDB may run the caller's own conditions on
--    rows the WHERE will drop (`WHERE CAST(name AS SIGNED) = 0; SHOW
--    WARNINGS`, SLEEP(), a stored function); every column of such a row reads
--    NULL, so nothing of it can leak.
CREATE DATABASE IF NOT EXISTS casedata;
CREATE OR REPLACE
	ALGORITHM = MERGE
	DEFINER = 'ntk_definer'@'localhost'
	SQL SECURITY DEFINER
	VIEW casedata.clients AS
	SELECT
	IF(k.everything OR FIND_IN_SET(c.state, k.all_states) > 0 OR
	       FIND_IN_SET(BINARY CONCAT(c.case_id, '/', c.state), ntk_cases()) > 0,
	   c.id, NULL) AS id,
	IF(k.everything OR FIND_IN_SET(c.state, k.all_states) > 0 OR
	       FIND_IN_SET(BINARY CONCAT(c.case_id, '/', c.state), ntk_cases()) > 0,
	   c.case_id, NULL) AS case_id,
	IF(k.everything OR FIND_IN_SET(c.state, k.all_states) > 0 OR
	       FIND_IN_SET(BINARY CONCAT(c.case_id, '/', c.state), ntk_cases()) > 0,
	   c.state, NULL) AS state,
	IF(k.everything OR FIND_IN_SET(c.state, k.all_states) > 0 OR
	       FIND_IN_SET(BINARY CONCAT(c.case_id, '/', c.state), ntk_cases()) > 0,
	   c.name, NULL) AS name
	FROM (SELECT x.all_states, x.everything, x.many,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 1), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c1,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 2), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c2,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 3), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c3,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 4), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c4,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 5), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c5,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 6), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c6,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 7), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c7,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 8), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c8,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 9), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c9,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 10), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c10,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 11), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c11,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 12), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c12,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 13), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c13,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 14), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c14,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 15), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c15,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 16), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c16,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 17), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c17,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 18), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c18,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 19), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c19,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 20), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c20,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 21), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c21,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 22), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c22,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 23), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c23,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 24), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c24,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 25), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c25,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 26), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c26,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 27), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c27,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 28), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c28,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 29), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c29,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 30), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c30,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 31), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c31,
		CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(x.ids, ',', 32), ',', -1) AS CHAR(64)
		     CHARACTER SET ascii) COLLATE ascii_bin AS c32
		FROM (SELECT CAST(ntk_all_states() AS CHAR(20) CHARACTER SET ascii) AS all_states,
			ntk_all_states() = 'open,closed,sealed' AS everything,
			CAST(ntk_case_ids() AS CHAR(512) CHARACTER SET ascii) AS ids,
			LENGTH(ntk_case_ids()) > 512 OR
			LENGTH(ntk_case_ids()) - LENGTH(REPLACE(ntk_case_ids(), ',', '')) >= 32 AS many
			LIMIT 1) AS x
		LIMIT 1) AS k
	JOIN casedata_private.clients AS c
	WHERE (k.all_states <> '' OR k.many OR
		c.case_id IN (k.c1, k.c2, k.c3, k.c4, k.c5, k.c6, k.c7, k.c8,
			k.c9, k.c10, k.c11, k.c12, k.c13, k.c14, k.c15, k.c16,
			k.c17, k.c18, k.c19, k.c20, k.c21, k.c22, k.c23, k.c24,
			k.c25, k.c26, k.c27, k.c28, k.c29, k.c30, k.c31, k.c32))
	  AND (k.everything OR FIND_IN_SET(c.state, k.all_states) > 0 OR
	       FIND_IN_SET(BINARY CONCAT(c.case_id, '/', c.state), ntk_cases()) > 0);

-- 4. Staff get SELECT on the view and nothing on casedata_private.
--    Their MariaDB account names must be their directory uids.
-- CREATE USER 'alice'@'localhost' IDENTIFIED VIA pam USING 'mariadb';
-- GRANT SELECT ON casedata.clients TO 'alice'@'localhost';
