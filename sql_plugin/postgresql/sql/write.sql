-- UPDATE and DELETE need write access to the existing row; INSERT and UPDATE to the new one.
BEGIN;
SET LOCAL ROLE alice;
UPDATE clients SET name = name || '!' RETURNING id, name;
DELETE FROM clients WHERE true RETURNING id;
INSERT INTO clients VALUES (10, '1001', 'open', 'New') RETURNING id;
ROLLBACK;
-- Into a case alice has no reason to know.
BEGIN;
SET LOCAL ROLE alice;
INSERT INTO clients VALUES (11, '1003', 'open', 'Other');
ROLLBACK;
-- Moving a row to another case, or closing it, is a write to the new row.
BEGIN;
SET LOCAL ROLE alice;
UPDATE clients SET case_id = '1003' WHERE id = 1;
ROLLBACK;
BEGIN;
SET LOCAL ROLE alice;
UPDATE clients SET state = 'closed' WHERE id = 1;
ROLLBACK;
-- A supervisor may write closed cases of the team.
BEGIN;
SET LOCAL ROLE carol;
UPDATE clients SET name = name || '!' RETURNING id, name;
ROLLBACK;
-- bob deletes only his own case's rows.
BEGIN;
SET LOCAL ROLE bob;
DELETE FROM clients RETURNING id;
ROLLBACK;
-- Read-only: a release (grace) and records (frank) read but change nothing.
BEGIN;
SET LOCAL ROLE grace;
SELECT array_agg(id ORDER BY id) AS ids FROM clients;
UPDATE clients SET name = 'x' RETURNING id;
DELETE FROM clients RETURNING id;
ROLLBACK;
BEGIN;
SET LOCAL ROLE grace;
INSERT INTO clients VALUES (12, '1001', 'open', 'Grace was here');
ROLLBACK;
BEGIN;
SET LOCAL ROLE frank;
UPDATE clients SET name = 'x' RETURNING id;
ROLLBACK;
-- Legal writes everywhere, sealed included.
BEGIN;
SET LOCAL ROLE erin;
UPDATE clients SET name = name || '!' WHERE state = 'sealed' RETURNING id, name;
INSERT INTO clients VALUES (13, '1005', 'sealed', 'Sealed new') RETURNING id;
ROLLBACK;
-- A row with a state nobody declared, or none, is hidden from everyone but a superuser.
INSERT INTO clients VALUES (20, '1001', 'archived', 'Odd');
SET ROLE erin;
SELECT array_agg(id ORDER BY id) AS ids FROM clients;
RESET ROLE;
DELETE FROM clients WHERE id = 20;
