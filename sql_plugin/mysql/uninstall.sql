-- Unregister the needtoknow UDFs. Views using them stop working (and return no rows).
DROP FUNCTION IF EXISTS ntk_can_access;
DROP FUNCTION IF EXISTS ntk_explain;
