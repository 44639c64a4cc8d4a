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

-- The pieces of a policy. row_allowed decides one row exactly (never an error:
-- false when in doubt, and the hidden row is counted for the statement's audit
-- record). visible_cases is the superset an index narrows to first.
-- covers_all is replaced by its value when a statement is planned.
CREATE FUNCTION ntk.row_allowed(case_id text, state text, access text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ntk_pg_fn_row_allowed'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED COST 1;

CREATE FUNCTION ntk.visible_cases(access text)
RETURNS text[]
AS 'MODULE_PATHNAME', 'ntk_pg_fn_visible_cases'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED COST 1;

CREATE FUNCTION ntk.covers_all_support(internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'ntk_pg_fn_covers_all_support'
LANGUAGE C STRICT;

CREATE FUNCTION ntk.covers_all(access text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ntk_pg_fn_covers_all'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED COST 1
SUPPORT ntk.covers_all_support;

-- The policy expression for one access on one table:
--   (ntk.covers_all(A) OR case_col = ANY (ntk.visible_cases(A)))
--     AND ntk.row_allowed(case_col::text, state_col::text, A)
-- The first part only narrows (an index on case_col serves it for a role
-- that does not cover every case); row_allowed decides. A case column that
-- is not text or varchar gets row_allowed alone (no index narrowing).
CREATE FUNCTION ntk.policy_expression(tbl regclass, case_column name, state_column name, access text)
RETURNS text
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	case_type oid;
	state_type oid;
	state_sql text;
BEGIN
	IF access IS NULL OR access NOT IN ('read', 'write') THEN
		RAISE EXCEPTION 'ntk: access must be read or write' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT a.atttypid INTO case_type FROM pg_attribute a
	 WHERE a.attrelid = tbl AND a.attname = case_column AND a.attnum > 0 AND NOT a.attisdropped;
	IF case_type IS NULL THEN
		RAISE EXCEPTION 'ntk: table % has no column %', tbl, quote_ident(case_column)
		  USING ERRCODE = 'undefined_column';
	END IF;
	IF state_column IS NULL THEN
		state_sql := '''open''::text';
	ELSE
		SELECT a.atttypid INTO state_type FROM pg_attribute a
		 WHERE a.attrelid = tbl AND a.attname = state_column AND a.attnum > 0 AND NOT a.attisdropped;
		IF state_type IS NULL THEN
			RAISE EXCEPTION 'ntk: table % has no column %', tbl, quote_ident(state_column)
			  USING ERRCODE = 'undefined_column';
		END IF;
		state_sql := format('(%I)::text', state_column);
	END IF;
	IF case_type IN ('text'::regtype, 'varchar'::regtype) THEN
		RETURN format('(ntk.covers_all(%L) OR %I = ANY (ntk.visible_cases(%L))) AND ntk.row_allowed((%I)::text, %s, %L)',
		    access, case_column, access, case_column, state_sql, access);
	END IF;
	RETURN format('ntk.row_allowed((%I)::text, %s, %L)', case_column, state_sql, access);
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

REVOKE ALL ON FUNCTION ntk.covers_all_support(internal) FROM PUBLIC;
