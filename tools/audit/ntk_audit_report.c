/* `ntkctl audit`: the security team's report over needtoknow's records in auditd's logs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ntk_err.h"
#include "ntk_audit.h"
#include "ntk_audit_report.h"

struct run {
	const struct ntk_audit_opts *o;
	struct ntk_audit_agg *agg;
	struct ntk_audit_out *out;
};

static int
on_record(const struct ntk_audit_rec *r, void *ctx)
{
	struct run *run = ctx;

	if (run->o->view == NTK_AUDIT_LIST)
		return ntk_audit_list_row(run->out, r);
	return ntk_audit_agg_add(run->agg, r, run->o->view == NTK_AUDIT_BROWSING);
}

int
ntk_audit_main(int argc, char **argv, const char *config_path)
{
	struct ntk_audit_opts o;
	struct run run = { &o, NULL, NULL };
	const struct ntk_audit_col *cols;
	unsigned threshold = 0;
	size_t ncols;
	long rows;
	int r, err, rc = 2;

	if (ntk_audit_parse_args(argc, argv, &o, time(NULL)) != 0) {
		fprintf(stderr, "Try 'ntkctl audit --help'.\n");
		return 2;
	}
	if (o.help) {
		ntk_audit_usage(stdout);
		rc = 0;
		goto out;
	}
	if (o.view == NTK_AUDIT_BROWSING) {
		threshold = o.threshold;
		if (threshold == 0) {
			threshold = ntk_audit_config_threshold(config_path, &err);
			if (err != 0)
				goto out;
		}
	}
	cols = o.view == NTK_AUDIT_LIST ? ntk_audit_list_cols :
	    o.view == NTK_AUDIT_BROWSING ? ntk_audit_browsing_cols : ntk_audit_summary_cols;
	ncols = o.view == NTK_AUDIT_LIST ? ntk_audit_list_ncols :
	    o.view == NTK_AUDIT_BROWSING ? ntk_audit_browsing_ncols : ntk_audit_summary_ncols;
	if ((r = ntk_audit_agg_new(&run.agg)) != 0)
		goto fail;
	/* --list streams rows as they are read; the other views print at the end. */
	if (o.view == NTK_AUDIT_LIST && (r = ntk_audit_out_begin(stdout, o.format, cols, ncols, &run.out)) != 0)
		goto fail;
	if ((r = ntk_audit_read(&o, on_record, &run)) != 0)
		goto fail_quiet;
	if (o.view != NTK_AUDIT_LIST) {
		if ((r = ntk_audit_out_begin(stdout, o.format, cols, ncols, &run.out)) != 0)
			goto fail;
		r = o.view == NTK_AUDIT_BROWSING ? ntk_audit_agg_browsing(run.agg, threshold, run.out) :
		    ntk_audit_agg_summary(run.agg, run.out);
		if (r != 0)
			goto fail;
	}
	rows = ntk_audit_out_end(run.out);
	run.out = NULL;
	if (rows < 0) {
		r = (int)rows;
		goto fail;
	}
	if (rows == 0 && o.format == NTK_AUDIT_TEXT)
		fprintf(stderr, "ntkctl audit: no matching records\n");
	rc = rows > 0 ? 0 : 1;
	goto out;
fail:
	fprintf(stderr, "ntkctl audit: %s\n", ntk_strerror(r));
fail_quiet:
	rc = 2;
out:
	ntk_audit_out_free(run.out);
	ntk_audit_agg_free(run.agg);
	free(o.inputs);
	return rc;
}
