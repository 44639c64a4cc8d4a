/* `ntkctl audit`: placeholder until the report lands (issue 7). */
#include "config.h"

#include <stdio.h>

#include "ntk_audit_report.h"

int
ntk_audit_main(int argc, char **argv, const char *config_path)
{
	(void)argc;
	(void)argv;
	(void)config_path;
	fprintf(stderr, "ntkctl audit: not available in this build\n");
	return 2;
}
