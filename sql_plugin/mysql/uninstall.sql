-- SPDX-License-Identifier: LGPL-2.1-or-later
-- Unregister the needtoknow UDFs. Views using them fail (an error, never rows) until they are registered again.
DROP FUNCTION IF EXISTS ntk_can_access;
DROP FUNCTION IF EXISTS ntk_explain;
DROP FUNCTION IF EXISTS ntk_cases;
DROP FUNCTION IF EXISTS ntk_all_states;
DROP FUNCTION IF EXISTS ntk_case_ids;
DROP FUNCTION IF EXISTS ntk_visible_json;
DROP FUNCTION IF EXISTS ntk_break_glass;
