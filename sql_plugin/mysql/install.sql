-- SPDX-License-Identifier: LGPL-2.1-or-later
-- Register the needtoknow UDFs (ntk_udf.so in the server's plugin_dir).
-- Run as an administrator: mariadb < install.sql
-- mariadbd reads NTK_SYSTEM (required) and NTK_SOCKET from its environment;
-- see ntk_udf(7).
CREATE FUNCTION IF NOT EXISTS ntk_can_access RETURNS INTEGER SONAME 'ntk_udf.so';
CREATE FUNCTION IF NOT EXISTS ntk_explain RETURNS STRING SONAME 'ntk_udf.so';
CREATE FUNCTION IF NOT EXISTS ntk_cases RETURNS STRING SONAME 'ntk_udf.so';
CREATE FUNCTION IF NOT EXISTS ntk_all_states RETURNS STRING SONAME 'ntk_udf.so';
CREATE FUNCTION IF NOT EXISTS ntk_case_ids RETURNS STRING SONAME 'ntk_udf.so';
CREATE FUNCTION IF NOT EXISTS ntk_visible_json RETURNS STRING SONAME 'ntk_udf.so';
CREATE FUNCTION IF NOT EXISTS ntk_break_glass RETURNS STRING SONAME 'ntk_udf.so';
