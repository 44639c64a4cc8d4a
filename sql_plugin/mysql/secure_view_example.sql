-- The needtoknow pattern for MariaDB/MySQL: base table out of reach, a
-- DEFINER view that filters every row for the logged-in user, grants only on
-- the view. See ntk_udf(7) for why each line is there.
--
-- Run as an administrator after install.sql. The names are examples.

-- 1. Base tables in a schema ordinary users are granted nothing on.
CREATE DATABASE IF NOT EXISTS casedata_private;
CREATE TABLE IF NOT EXISTS casedata_private.clients (
	id INT PRIMARY KEY,
	case_id VARCHAR(64) NOT NULL,
	state ENUM('open', 'closed', 'sealed') NOT NULL DEFAULT 'open',
	name VARCHAR(200) NOT NULL,
	KEY (case_id)
);

-- 2. The account that owns the view: it may read the base table, nobody
--    logs in as it (no password, account locked).
CREATE USER IF NOT EXISTS 'ntk_definer'@'localhost' ACCOUNT LOCK;
GRANT SELECT ON casedata_private.* TO 'ntk_definer'@'localhost';

-- 3. The view runs with the definer's rights (so it can read the base
--    table) but passes SESSION_USER(): the account the client logged in as.
--    CURRENT_USER() would be wrong here: inside a SQL SECURITY DEFINER view
--    it is the definer, 'ntk_definer', for everyone.
--
--    TEMPTABLE and the LIMIT are a barrier, and both are needed. A MERGE
--    view lets the optimizer run the caller's own WHERE on rows the filter
--    would drop: `WHERE CAST(name AS SIGNED) = 0; SHOW WARNINGS` then prints
--    the names of other people's clients. A TEMPTABLE view alone still gets
--    the caller's condition pushed into it (condition_pushdown_for_derived);
--    a LIMIT stops that, so the filter runs on every row first and the
--    caller's conditions only ever see rows it let through.
CREATE DATABASE IF NOT EXISTS casedata;
CREATE OR REPLACE
	ALGORITHM = TEMPTABLE
	DEFINER = 'ntk_definer'@'localhost'
	SQL SECURITY DEFINER
	VIEW casedata.clients AS
	SELECT id, case_id, state, name
	FROM casedata_private.clients
	WHERE ntk_can_access(case_id, state) = 1
	LIMIT 18446744073709551615;

-- 4. Staff get SELECT on the view and nothing on casedata_private.
--    Their MariaDB account names must be their directory uids.
-- CREATE USER 'alice'@'localhost' IDENTIFIED VIA pam USING 'mariadb';
-- GRANT SELECT ON casedata.clients TO 'alice'@'localhost';
