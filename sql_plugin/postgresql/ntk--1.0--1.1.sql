-- SPDX-License-Identifier: LGPL-2.1-or-later
-- The ntk extension, 1.0 to 1.1: break-glass where staff work.
\echo Use "ALTER EXTENSION ntk UPDATE TO '1.1'" to load this file. \quit

-- Break-glass for the user who logged in, on one open case of ntk.system:
-- ntkd grants it as `ntkctl decide --reason` does (the role must allow it,
-- the grant's audit record must be written) or refuses with an error.
-- Returns the grant's end; NULL (and a notice) when the case is allowed
-- already on another basis. The case's rows are visible to the session at
-- once, and hidden again when the grant ends.
CREATE FUNCTION ntk.break_glass(case_id text, reason text)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'ntk_pg_fn_break_glass'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE;
