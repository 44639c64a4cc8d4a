-- Roles named like the sample directory's staff, and a clients table protected by ntk.
CREATE EXTENSION ntk;
-- Owns the table; not in the directory.
CREATE ROLE records_owner;
CREATE ROLE alice;
CREATE ROLE bob;
CREATE ROLE carol;
CREATE ROLE dave;
CREATE ROLE heidi;
CREATE ROLE mallory;
CREATE ROLE trent;
CREATE ROLE erin;
CREATE ROLE frank;
CREATE ROLE grace;
CREATE ROLE ivan;
CREATE ROLE judy;
CREATE ROLE oscar;
CREATE ROLE auditor BYPASSRLS;
-- Case states come from the rows: 1002 is closed, 1005 sealed; nobody is assigned to 9999.
CREATE TABLE clients (
	id integer PRIMARY KEY,
	case_id text NOT NULL,
	state text NOT NULL DEFAULT 'open',
	name text NOT NULL
);
CREATE INDEX clients_case_id ON clients (case_id);
INSERT INTO clients VALUES
	(1, '1001', 'open', 'Ann'),
	(2, '1001', 'open', 'Ben'),
	(3, '1002', 'closed', 'Cat'),
	(4, '1003', 'open', 'Dan'),
	(5, '1004', 'open', 'Eve'),
	(6, '1005', 'sealed', 'Fay'),
	(7, '9999', 'open', 'Gus');
ALTER TABLE clients OWNER TO records_owner;
GRANT SELECT, INSERT, UPDATE, DELETE ON clients TO PUBLIC;
-- The owner protects its own table; no superuser needed.
SET ROLE records_owner;
SELECT ntk.protect('clients', 'case_id', 'state');
RESET ROLE;
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'clients'::regclass;
SELECT policyname, permissive, cmd, qual, with_check
  FROM pg_policies WHERE tablename = 'clients' ORDER BY policyname;
-- Protecting again replaces the policies.
SELECT ntk.protect('clients', 'case_id', 'state');
SELECT count(*) FROM pg_policies WHERE tablename = 'clients';
-- Bad arguments.
SELECT ntk.protect('clients', 'no_such_column');
SELECT ntk.protect('clients', 'case_id', 'no_such_column');
SELECT ntk.protect('no_such_table', 'case_id');
