/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
	struct ntk_audit_timeline *tl;
	struct ntk_audit_grants *grants;
	struct ntk_audit_out *out;
};

/* One user's --list is a timeline: sorted, in sessions (ndjson keeps a SIEM's fields). */
static bool
is_timeline(const struct ntk_audit_opts *o)
{
	return o->view == NTK_AUDIT_LIST && o->nusers == 1 && o->format != NTK_AUDIT_NDJSON;
}

static int
on_record(const struct ntk_audit_rec *r, void *ctx)
{
	struct run *run = ctx;

	if (run->o->view == NTK_AUDIT_BREAK_GLASS)
		return ntk_audit_grants_add(run->grants, r, run->o);
	if (r->op == NTK_AUDIT_OP_REVIEW)
		return 0;                      /* a review is no access decision */
	if (is_timeline(run->o))
		return ntk_audit_timeline_add(run->tl, r);
	if (run->o->view == NTK_AUDIT_LIST)
		return ntk_audit_list_row(run->out, run->o->format, r);
	return ntk_audit_agg_add(run->agg, r, run->o->view, run->o->by);
}

static void
columns(const struct ntk_audit_opts *o, const struct ntk_audit_col **cols, size_t *ncols)
{
	if (o->view == NTK_AUDIT_BREAK_GLASS) {
		*cols = ntk_audit_grant_cols;
		*ncols = ntk_audit_grant_ncols;
	} else if (is_timeline(o)) {
		*cols = ntk_audit_timeline_cols;
		*ncols = ntk_audit_timeline_ncols;
	} else if (o->view == NTK_AUDIT_LIST && o->format == NTK_AUDIT_NDJSON) {
		*cols = ntk_audit_ndjson_cols;
		*ncols = ntk_audit_ndjson_ncols;
	} else if (o->view == NTK_AUDIT_LIST) {
		*cols = ntk_audit_list_cols;
		*ncols = ntk_audit_list_ncols;
	} else if (o->view == NTK_AUDIT_BROWSING) {
		*cols = ntk_audit_browsing_cols;
		*ncols = ntk_audit_browsing_ncols;
	} else if (o->by == NTK_AUDIT_BY_CASE) {
		*cols = ntk_audit_by_case_cols;
		*ncols = ntk_audit_by_case_ncols;
	} else {
		*cols = ntk_audit_summary_cols;
		*ncols = ntk_audit_summary_ncols;
	}
}

/* The views that print at the end. */
static int
print_view(struct run *run, unsigned threshold)
{
	const struct ntk_audit_opts *o = run->o;

	if (o->view == NTK_AUDIT_BREAK_GLASS)
		return ntk_audit_grants_print(run->grants, o->unreviewed, run->out);
	if (is_timeline(o))
		return ntk_audit_timeline_print(run->tl, o->gap, run->out);
	if (o->view == NTK_AUDIT_BROWSING)
		return ntk_audit_agg_browsing(run->agg, threshold, o->top, run->out);
	if (o->by == NTK_AUDIT_BY_CASE)
		return ntk_audit_agg_by_case(run->agg, o->top, run->out);
	return ntk_audit_agg_summary(run->agg, o->top, run->out);
}

int
ntk_audit_main(int argc, char **argv, const char *config_path)
{
	struct ntk_audit_opts o;
	struct run run = { &o, NULL, NULL, NULL, NULL };
	const struct ntk_audit_col *cols;
	unsigned threshold = 0;
	size_t ncols;
	bool streaming, incomplete = false;
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
	columns(&o, &cols, &ncols);
	if ((r = ntk_audit_agg_new(&run.agg)) != 0 || (r = ntk_audit_timeline_new(&run.tl)) != 0 ||
	    (r = ntk_audit_grants_new(&run.grants)) != 0)
		goto fail;
	/* a plain --list streams rows as they are read; the other views print at the end */
	streaming = o.view == NTK_AUDIT_LIST && !is_timeline(&o);
	if (streaming && (r = ntk_audit_out_begin(stdout, o.format, cols, ncols, &run.out)) != 0)
		goto fail;
	if ((r = ntk_audit_read(&o, on_record, &run, &incomplete)) != 0)
		goto fail_quiet;
	if (!streaming) {
		if ((r = ntk_audit_out_begin(stdout, o.format, cols, ncols, &run.out)) != 0 ||
		    (r = print_view(&run, threshold)) != 0)
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
	if (incomplete)
		fprintf(stderr, "ntkctl audit: the report is incomplete (see above)\n");
	rc = incomplete ? 3 : rows > 0 ? 0 : 1;
	goto out;
fail:
	fprintf(stderr, "ntkctl audit: %s\n", ntk_strerror(r));
fail_quiet:
	rc = 2;
out:
	ntk_audit_out_free(run.out);
	ntk_audit_agg_free(run.agg);
	ntk_audit_timeline_free(run.tl);
	ntk_audit_grants_free(run.grants);
	free(o.inputs);
	return rc;
}
