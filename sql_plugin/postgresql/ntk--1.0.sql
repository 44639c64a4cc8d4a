-- SPDX-License-Identifier: LGPL-2.1-or-later
-- The ntk extension, version 1.0: decisions for the current role, and the policies protect() puts on a table.
\echo Use "CREATE EXTENSION ntk" to load this file. \quit

GRANT USAGE ON SCHEMA ntk TO PUBLIC;

-- Explicit checks. They decide for current_user, never for a name passed in;
-- an unreachable ntkd is an error.
CREATE FUNCTION ntk.can_access(case_id text, state text DEFAULT 'open', access text DEFAULT 'read')
RETURNS boolean
AS 'MODULE_PATHNAME', 'ntk_pg_fn_can_access'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED;

-- The words of `ntkctl check`: ALLOW rule=... or DENY reason=...
CREATE FUNCTION ntk.explain(case_id text, state text DEFAULT 'open', access text DEFAULT 'read')
RETURNS text
AS 'MODULE_PATHNAME', 'ntk_pg_fn_explain'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED;

-- Asks ntkd, which audits a denial; a denial is an error (insufficient_privilege).
CREATE FUNCTION ntk.require(case_id text, state text DEFAULT 'open', access text DEFAULT 'read')
RETURNS void
AS 'MODULE_PATHNAME', 'ntk_pg_fn_require'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED;

-- The pieces of a policy. in_reach: is the row's case one the role may
-- reach when open (exact; an index on the case column serves it through
-- visible_cases, see the support function). row_allowed: the whole decision
-- for a row whose state is not open (closed, sealed, anything else).
-- Neither ever fails: false when in doubt, and the hidden row is counted for
-- the statement's audit record.
-- COST 10: PostgreSQL runs a statement's cheap leakproof conditions (name =
-- 'x') before a security qual that costs more, so a search decides only the
-- rows it matched: fewer calls, and the audit record counts the rows the
-- search would have returned, not every row it passed. Non-leakproof
-- conditions still run after the policy (security_level orders them).
CREATE FUNCTION ntk.row_allowed(case_id text, state text, access text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ntk_pg_fn_row_allowed'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED COST 10;

CREATE FUNCTION ntk.visible_cases(access text)
RETURNS text[]
AS 'MODULE_PATHNAME', 'ntk_pg_fn_visible_cases'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED COST 1;

CREATE FUNCTION ntk.in_reach_support(internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'ntk_pg_fn_in_reach_support'
LANGUAGE C STRICT;

CREATE FUNCTION ntk.in_reach(case_id text, access text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ntk_pg_fn_in_reach'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED COST 10
SUPPORT ntk.in_reach_support;

-- state_allowed: true for an open row (in_reach decided it), row_allowed
-- for any other. On an index over the state column it becomes the index
-- condition state = 'open' for a role that can have no closed or sealed case.
CREATE FUNCTION ntk.state_allowed_support(internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'ntk_pg_fn_state_allowed_support'
LANGUAGE C STRICT;

CREATE FUNCTION ntk.state_allowed(case_id text, state text, access text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ntk_pg_fn_state_allowed'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED COST 10
SUPPORT ntk.state_allowed_support;

-- The policy expression for one access on one table:
--   ntk.in_reach(case_col::text, A) AND ntk.state_allowed(case_col::text, state_col::text, A)
-- Without a state column every row is open and in_reach alone decides.
CREATE FUNCTION ntk.policy_expression(tbl regclass, case_column name, state_column name, access text)
RETURNS text
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	found_column name;
BEGIN
	IF access IS NULL OR access NOT IN ('read', 'write') THEN
		RAISE EXCEPTION 'ntk: access must be read or write' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOREACH found_column IN ARRAY ARRAY[case_column, state_column] LOOP
		CONTINUE WHEN found_column IS NULL;
		IF NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = tbl
		    AND a.attname = found_column AND a.attnum > 0 AND NOT a.attisdropped) THEN
			RAISE EXCEPTION 'ntk: table % has no column %', tbl, quote_ident(found_column)
			  USING ERRCODE = 'undefined_column';
		END IF;
	END LOOP;
	IF case_column IS NULL THEN
		RAISE EXCEPTION 'ntk: the case column must be named' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF state_column IS NULL THEN
		RETURN format('ntk.in_reach((%I)::text, %L)', case_column, access);
	END IF;
	RETURN format('ntk.in_reach((%I)::text, %L) AND ntk.state_allowed((%I)::text, (%I)::text, %L)',
	    case_column, access, case_column, state_column, access);
END
$fn$;

-- Put the policies on a table. Restrictive, so that no other permissive
-- policy can widen them; FORCE, so that the owner is held to them too.
-- Reading needs read access; UPDATE and DELETE need write access to the
-- existing row, INSERT and UPDATE write access to the new one.
CREATE FUNCTION ntk.protect(tbl regclass, case_column name, state_column name DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	r text := ntk.policy_expression(tbl, case_column, state_column, 'read');
	w text := ntk.policy_expression(tbl, case_column, state_column, 'write');
	p text;
BEGIN
	FOR p IN SELECT polname FROM pg_policy WHERE polrelid = tbl
	    AND polname IN ('ntk_permit', 'ntk_read', 'ntk_insert', 'ntk_update', 'ntk_delete') LOOP
		EXECUTE format('DROP POLICY %I ON %s', p, tbl);
	END LOOP;
	EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
	EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
	EXECUTE format('CREATE POLICY ntk_permit ON %s AS PERMISSIVE FOR ALL TO PUBLIC USING (true) WITH CHECK (true)', tbl);
	EXECUTE format('CREATE POLICY ntk_read ON %s AS RESTRICTIVE FOR SELECT TO PUBLIC USING (%s)', tbl, r);
	EXECUTE format('CREATE POLICY ntk_insert ON %s AS RESTRICTIVE FOR INSERT TO PUBLIC WITH CHECK (%s)', tbl, w);
	EXECUTE format('CREATE POLICY ntk_update ON %s AS RESTRICTIVE FOR UPDATE TO PUBLIC USING (%s) WITH CHECK (%s)', tbl, w, w);
	EXECUTE format('CREATE POLICY ntk_delete ON %s AS RESTRICTIVE FOR DELETE TO PUBLIC USING (%s)', tbl, w);
END
$fn$;

-- Take the policies off again (row-level security is switched off too).
CREATE FUNCTION ntk.unprotect(tbl regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	p text;
BEGIN
	FOR p IN SELECT polname FROM pg_policy WHERE polrelid = tbl
	    AND polname IN ('ntk_permit', 'ntk_read', 'ntk_insert', 'ntk_update', 'ntk_delete') LOOP
		EXECUTE format('DROP POLICY %I ON %s', p, tbl);
	END LOOP;
	EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', tbl);
	EXECUTE format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', tbl);
END
$fn$;

REVOKE ALL ON FUNCTION ntk.in_reach_support(internal) FROM PUBLIC;
REVOKE ALL ON FUNCTION ntk.state_allowed_support(internal) FROM PUBLIC;
