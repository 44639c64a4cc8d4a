-- ntk.break_glass: for the user who logged in, granted by ntkd or refused;
-- the case's rows at once, whatever the facts cache. ntkd here grants for one
-- minute (tests/pg/pg.test.sh), and its FACTS system has a deny_message.
SELECT extversion FROM pg_extension WHERE extname = 'ntk';
-- Facts kept as long as ntkd allows: only the grant itself may make them new.
SET ntk.cache_seconds = 300;
-- oscar (oncall: assigned cases only, break_glass = yes) has no case yet.
SET SESSION AUTHORIZATION oscar;
SELECT session_user, current_user, array_agg(id ORDER BY id) AS ids FROM clients;
SELECT ntk.explain('1003');
-- A reason is required; a bad case id or a NULL is an error, and nothing is asked.
SELECT ntk.break_glass('1003', '');
SELECT ntk.break_glass('1003', E' \t ');
SELECT ntk.break_glass('1003', NULL);
SELECT ntk.break_glass(NULL, 'child brought to ER');
SELECT ntk.break_glass('10 03', 'child brought to ER');
SELECT ntk.break_glass('1003', repeat('x', 4097));
-- Granted: it ends break_glass_minutes (1) from now.
SELECT ntk.break_glass('1003', 'child brought to ER') AS grant_end \gset
SELECT :'grant_end'::timestamptz BETWEEN now() + interval '50 seconds'
    AND now() + interval '70 seconds' AS ends_in_a_minute;
-- At once, although the facts from before the grant could be kept 60 seconds more.
SELECT array_agg(id ORDER BY id) AS ids FROM clients;
SELECT ntk.explain('1003'), ntk.can_access('1003'), ntk.explain('1004');
-- Asked again while it runs: the same grant, not a longer one.
SELECT ntk.break_glass('1003', 'still in the ER') = :'grant_end'::timestamptz AS same_end;
-- Release is never under break-glass.
SELECT ntk.explain('1003', 'open', 'release');
RESET SESSION AUTHORIZATION;
-- A role whose roles do not allow it: refused, with the system's deny_message.
SET SESSION AUTHORIZATION mallory;
SELECT ntk.break_glass('1003', 'curious');
SELECT array_agg(id ORDER BY id) AS ids FROM clients;
RESET SESSION AUTHORIZATION;
-- Nothing to break on a case the user may read already: NULL, nothing granted.
SET SESSION AUTHORIZATION alice;
SELECT ntk.break_glass('1001', 'my own case') IS NULL AS nothing_granted;
RESET SESSION AUTHORIZATION;
-- Only for the user who logged in: not under SET ROLE ...
SET ROLE oscar;
SELECT ntk.break_glass('1004', 'child brought to ER');
RESET ROLE;
-- ... nor inside a SECURITY DEFINER function, where the record would name its owner.
CREATE FUNCTION oscar_breaks(c text) RETURNS timestamptz LANGUAGE sql SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$ SELECT ntk.break_glass(c, 'framed') $$;
ALTER FUNCTION oscar_breaks(text) OWNER TO oscar;
SET SESSION AUTHORIZATION mallory;
SELECT oscar_breaks('1004');
RESET SESSION AUTHORIZATION;
DROP FUNCTION oscar_breaks(text);
-- ntk.require's denial carries the deny_message as its HINT.
SET SESSION AUTHORIZATION mallory;
SELECT ntk.require('1003');
RESET SESSION AUTHORIZATION;
