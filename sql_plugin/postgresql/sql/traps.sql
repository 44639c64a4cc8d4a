-- The known row-level security traps.

-- 1. A prepared statement reused after SET ROLE (CVE-2016-2193): replanned, decided for the new role.
SET plan_cache_mode = force_generic_plan;
SET ROLE alice;
PREPARE q AS SELECT current_user, array_agg(id ORDER BY id) AS ids FROM clients;
EXECUTE q;
SET ROLE bob;
EXECUTE q;
SET ROLE erin;
EXECUTE q;
SET ROLE mallory;
EXECUTE q;
SET ROLE alice;
EXECUTE q;
RESET ROLE;
DEALLOCATE q;
SET ROLE erin;
PREPARE q2(text) AS SELECT array_agg(id ORDER BY id) AS ids FROM clients WHERE case_id <> $1;
EXECUTE q2('none');
SET ROLE alice;
EXECUTE q2('none');
RESET ROLE;
DEALLOCATE q2;
RESET plan_cache_mode;

-- The plan follows the role: an index narrows for alice; erin, who reaches
-- every case, has each row decided.
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SET ROLE alice;
EXPLAIN (COSTS OFF) SELECT * FROM clients;
SET ROLE erin;
EXPLAIN (COSTS OFF) SELECT * FROM clients;
-- With the recommended (case, state) index, alice (whose roles see no closed
-- case) is narrowed to her open rows by the index alone: no call per row.
RESET ROLE;
CREATE INDEX clients_case_state ON clients (case_id, state);
SET ROLE alice;
EXPLAIN (COSTS OFF) SELECT count(*) FROM clients;
SELECT count(*) FROM clients;
RESET ROLE;
DROP INDEX clients_case_state;
-- A search's own cheap leakproof condition runs before the policy (which
-- costs more), so only the rows it matches are decided; see 5. for a leaky one.
SET enable_indexscan = off;
SET ROLE alice;
EXPLAIN (COSTS OFF) SELECT id FROM clients WHERE name = 'Dan';
RESET ROLE;
RESET enable_indexscan;
RESET enable_seqscan;
RESET enable_bitmapscan;

-- 2. SECURITY DEFINER functions decide for their owner, who is current_user inside them.
CREATE FUNCTION owner_clients() RETURNS integer[] LANGUAGE sql SECURITY DEFINER
	SET search_path = public, pg_temp
	AS $$ SELECT array_agg(id ORDER BY id) FROM clients $$;
ALTER FUNCTION owner_clients() OWNER TO records_owner;
CREATE FUNCTION alice_clients() RETURNS integer[] LANGUAGE sql SECURITY DEFINER
	SET search_path = public, pg_temp
	AS $$ SELECT array_agg(id ORDER BY id) FROM clients $$;
ALTER FUNCTION alice_clients() OWNER TO alice;
SET ROLE mallory;
SELECT owner_clients() AS as_owner, alice_clients() AS as_alice;
RESET ROLE;

-- 3. Views: the policy decides for the querying role through a view owned by
-- the table owner, and through a security_invoker view.
CREATE VIEW clients_by_owner AS SELECT id, case_id, name FROM clients;
ALTER VIEW clients_by_owner OWNER TO records_owner;
CREATE VIEW clients_by_invoker WITH (security_invoker = true) AS SELECT id, case_id, name FROM clients;
GRANT SELECT ON clients_by_owner, clients_by_invoker TO PUBLIC;
SET ROLE alice;
SELECT array_agg(id ORDER BY id) AS ids FROM clients_by_owner;
SELECT array_agg(id ORDER BY id) AS ids FROM clients_by_invoker;
SET ROLE bob;
SELECT array_agg(id ORDER BY id) AS ids FROM clients_by_owner;
RESET ROLE;

-- 4. INSERT ... ON CONFLICT DO UPDATE cannot reach a hidden row.
BEGIN;
SET LOCAL ROLE alice;
INSERT INTO clients VALUES (4, '1001', 'open', 'Dan?')
	ON CONFLICT (id) DO UPDATE SET name = 'taken';
ROLLBACK;
BEGIN;
SET LOCAL ROLE alice;
INSERT INTO clients VALUES (1, '1001', 'open', 'Ann')
	ON CONFLICT (id) DO UPDATE SET name = 'Ann updated' RETURNING id, name;
ROLLBACK;

-- 5. A leaky function in the WHERE clause sees only the rows the policy let through.
CREATE FUNCTION leak(text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001
	AS $$ BEGIN RAISE NOTICE 'leak saw %', $1; RETURN true; END $$;
SET ROLE alice;
SELECT id FROM clients WHERE leak(name) ORDER BY id;
SET ROLE mallory;
SELECT id FROM clients WHERE leak(name) ORDER BY id;
-- Also when the scan reads every row: the policy runs before the leaky function.
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SET ROLE alice;
EXPLAIN (COSTS OFF) SELECT id FROM clients WHERE leak(name);
SELECT id FROM clients WHERE leak(name) ORDER BY id;
RESET ROLE;
RESET enable_indexscan;
RESET enable_bitmapscan;

-- 6. The table owner is held to the policy (FORCE); it is not in the directory.
SET ROLE records_owner;
SELECT count(*) FROM clients;
SELECT ntk.explain('1001');
RESET ROLE;

-- Outside the policy, as documented: superusers and BYPASSRLS roles.
SELECT count(*) FROM clients;
SET ROLE auditor;
SELECT count(*) FROM clients;
RESET ROLE;

-- Only a superuser chooses the system and the daemon.
SET ROLE alice;
SET ntk.system = 'COURTS';
SET ntk.socket = '/tmp/my-own-ntkd.sock';
SET ntk.cache_seconds = 300;
RESET ROLE;

-- ntk.require: an explicit check that ntkd audits; a denial is an error.
SET ROLE alice;
SELECT ntk.require('1001');
SELECT ntk.require('1003');
SELECT ntk.require('1002', 'closed');
SET ROLE grace;
SELECT ntk.require('1001', 'open', 'write');
RESET ROLE;

-- release: an application's print/export/send button asks ntk.require(..., 'release'),
-- audited allowed too. The case manager and legal may; a supervisor reads but may not
-- release, nor may a read-only assignment.
SET ROLE alice;
SELECT ntk.require('1001', 'open', 'release');
SELECT ntk.require('1002', 'closed', 'release');
SET ROLE carol;
SELECT ntk.can_access('1001'), ntk.can_access('1001', 'open', 'release');
SELECT ntk.require('1001', 'open', 'release');
SET ROLE erin;
SELECT ntk.require('1005', 'sealed', 'release');
SET ROLE grace;
SELECT ntk.explain('1001'), ntk.explain('1001', 'open', 'release');
-- No SQL command releases a row: the row functions know only read and write.
SET ROLE alice;
SELECT ntk.in_reach('1001', 'read'), ntk.in_reach('1001', 'release'),
       ntk.row_allowed('1001', 'open', 'release');
RESET ROLE;
SELECT ntk.policy_expression('clients', 'case_id', 'state', 'release');
