/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test driver: runs ntk_audit_main as `ntkctl [-c CONF] audit ARGS...` would. */
#include "config.h"

#include <string.h>

#include "ntk_audit_report.h"

int
main(int argc, char **argv)
{
	const char *conf = NULL;

	if (argc >= 3 && strcmp(argv[1], "-c") == 0) {
		conf = argv[2];
		argv += 2;
		argc -= 2;
	}
	/* argv[0] stands for "audit", as ntkctl passes it */
	return ntk_audit_main(argc, argv, conf);
}
