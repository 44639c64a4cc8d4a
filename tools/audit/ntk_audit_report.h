/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ntkctl audit`: the security team's report over auditd's logs. */
#ifndef NTK_AUDIT_REPORT_H
#define NTK_AUDIT_REPORT_H

/*
 * Run `ntkctl audit ARGS...` (argv[0] is "audit"). config_path is the
 * ntk.conf to take defaults from (browsing_threshold); it is read without
 * the bind password, and a missing one is not an error. Returns the exit
 * code: 0 with results, 1 with none, 2 on error (message on stderr), 3 with
 * results from incomplete input (a gap in the rotations).
 */
int ntk_audit_main(int argc, char **argv, const char *config_path);

/*
 * Run `ntkctl review SERIAL --note TEXT` (argv[0] is "review"): a review
 * record for one break-glass grant. Returns 0 written, 1 no such grant, 2 error.
 */
int ntk_audit_review_main(int argc, char **argv, const char *config_path);

#endif /* NTK_AUDIT_REPORT_H */
