/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dirtool: run ntkd's directory queries against a config and print the answers in a stable form, for tests. */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ntk_assignment.h"
#include "ntk_config.h"
#include "ntk_err.h"
#include "directory.h"
#include "log.h"

/*
 * Usage: dirtool CONF COMMAND ARG [COMMAND ARG ...]
 *   subject USER | case ID | role ROLE | waitfile PATH
 * Every command runs on the same directory handle, in order. waitfile
 * prints "waiting", then waits (up to 60 s) until PATH exists, so a test can
 * stop, pause or restart the server between two calls. Lists are
 * sorted so the output does not depend on the server's order. After each
 * command: "round_trips N" (since open) and "server URI". An error prints
 * "error NAME" and makes the exit status 2.
 */

static const char *
err_name(int r)
{
	switch (r) {
	case NTK_ERR_NOMEM: return "NTK_ERR_NOMEM";
	case NTK_ERR_NOT_FOUND: return "NTK_ERR_NOT_FOUND";
	case NTK_ERR_UNAVAILABLE: return "NTK_ERR_UNAVAILABLE";
	case NTK_ERR_INTERNAL: return "NTK_ERR_INTERNAL";
	case NTK_ERR_BAD_VALUE: return "NTK_ERR_BAD_VALUE";
	default: return "NTK_ERR_OTHER";
	}
}

/* Lines collected, then printed sorted. */
struct lines {
	char **v;
	size_t n;
};

static void
lines_add(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
lines_add(struct lines *l, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s == NULL || (l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v))) == NULL) {
		fprintf(stderr, "dirtool: out of memory\n");
		exit(3);
	}
	l->v[l->n++] = s;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
lines_flush(struct lines *l)
{
	size_t i;

	if (l->n == 0)
		return;
	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
	for (i = 0; i < l->n; i++) {
		printf("%s\n", l->v[i]);
		free(l->v[i]);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* CASEID[;system=S][;until=D][;access=read] */
static void
fmt_assignment(const struct ntk_assignment *a, char *buf, size_t len)
{
	char date[11];
	int n;

	n = snprintf(buf, len, "%s", a->case_id);
	if (a->system != NULL && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ";system=%s", a->system);
	if (a->until != NTK_NO_END && n >= 0 && (size_t)n < len) {
		ntk_date_format(a->until, date);
		n += snprintf(buf + n, len - (size_t)n, ";until=%s", date);
	}
	if (a->read_only && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ";access=read");
}

/* Space-separated sorted roles. */
static void
fmt_roles(char **roles, size_t n, char *buf, size_t len)
{
	char **copy;
	size_t i, o = 0;

	buf[0] = '\0';
	if (n == 0)
		return;
	if ((copy = malloc(n * sizeof(*copy))) == NULL)
		exit(3);
	memcpy(copy, roles, n * sizeof(*copy));
	qsort(copy, n, sizeof(*copy), cmp_str);
	for (i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "", copy[i]);
	free(copy);
}

static int
do_subject(struct ntkd_directory *d, const char *user)
{
	struct ntk_subject sub;
	struct lines l = { 0 };
	char a[256];
	size_t i;
	int r;

	printf("subject %s\n", user);
	if ((r = ntkd_directory_subject(d, user, &sub)) != 0)
		return r;
	printf("found %s\n", sub.found ? "yes" : "no");
	if (sub.disabled)
		printf("disabled yes\n");
	printf("name %s\n", sub.name != NULL ? sub.name : "(null)");
	for (i = 0; i < sub.nroles; i++)
		lines_add(&l, "role %s", sub.roles[i]);
	lines_flush(&l);
	for (i = 0; i < sub.nassignments; i++) {
		fmt_assignment(&sub.assignments[i], a, sizeof(a));
		lines_add(&l, "assignment %s", a);
	}
	lines_flush(&l);
	for (i = 0; i < sub.nsupervised; i++) {
		fmt_assignment(&sub.supervised[i].assignment, a, sizeof(a));
		lines_add(&l, "supervised %u %s %s", sub.supervised[i].depth,
		    sub.supervised[i].holder, a);
	}
	lines_flush(&l);
	ntk_subject_clear(&sub);
	return 0;
}

static int
do_case(struct ntkd_directory *d, const char *id, unsigned depth)
{
	struct ntkd_person *h = NULL, *s = NULL;
	size_t nh = 0, ns = 0, i, j, o;
	struct lines l = { 0 };
	char roles[512], as[1024], a[256];
	int r;

	printf("case %s\n", id);
	if ((r = ntkd_directory_case_people(d, id, depth, &h, &nh, &s, &ns)) != 0)
		return r;
	for (i = 0; i < nh; i++) {
		fmt_roles(h[i].roles, h[i].nroles, roles, sizeof(roles));
		as[0] = '\0';
		for (j = 0, o = 0; j < h[i].nassignments && o < sizeof(as); j++) {
			fmt_assignment(&h[i].assignments[j], a, sizeof(a));
			o += (size_t)snprintf(as + o, sizeof(as) - o, " %s", a);
		}
		lines_add(&l, "holder %s depth=%u roles=%s dn=%s assignments:%s", h[i].uid,
		    h[i].depth, roles, h[i].dn, as);
	}
	lines_flush(&l);
	for (i = 0; i < ns; i++) {
		fmt_roles(s[i].roles, s[i].nroles, roles, sizeof(roles));
		lines_add(&l, "supervisor %s depth=%u roles=%s dn=%s assignments=%zu", s[i].uid,
		    s[i].depth, roles, s[i].dn, s[i].nassignments);
	}
	lines_flush(&l);
	ntkd_person_free_array(h, nh);
	ntkd_person_free_array(s, ns);
	return 0;
}

static int
do_role(struct ntkd_directory *d, const char *role)
{
	struct lines l = { 0 };
	char **uids = NULL;
	size_t n = 0, i;
	int r;

	printf("role %s\n", role);
	if ((r = ntkd_directory_role_members(d, role, &uids, &n)) != 0)
		return r;
	for (i = 0; i < n; i++)
		lines_add(&l, "member %s", uids[i]);
	lines_flush(&l);
	ntk_strv_free(uids, n);
	return 0;
}

int
main(int argc, char **argv)
{
	struct ntk_config config;
	struct ntkd_directory *d = NULL;
	const char *server;
	char err[1024];
	int i, r, status = 0;

	if (argc < 4 || (argc - 2) % 2 != 0) {
		fprintf(stderr, "usage: dirtool CONF {subject USER|case ID|role ROLE|waitfile PATH}...\n");
		return 64;
	}
	/* libldap writes to sockets the server may have closed. */
	signal(SIGPIPE, SIG_IGN);
	ntkd_log_init(true, getenv("DIRTOOL_DEBUG") != NULL);
	memset(&config, 0, sizeof(config));
	if ((r = ntk_config_load(argv[1], &config, err, sizeof(err))) != 0) {
		fprintf(stderr, "dirtool: %s\n", err);
		return 3;
	}
	if ((r = ntkd_directory_open(&config, &d)) != 0) {
		fprintf(stderr, "dirtool: open: %s\n", err_name(r));
		ntk_config_clear(&config);
		return 3;
	}
	for (i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "subject") == 0)
			r = do_subject(d, argv[i + 1]);
		else if (strcmp(argv[i], "case") == 0)
			r = do_case(d, argv[i + 1], config.policy.supervision_depth);
		else if (strcmp(argv[i], "role") == 0)
			r = do_role(d, argv[i + 1]);
		else if (strcmp(argv[i], "waitfile") == 0) {
			printf("waiting\n");
			fflush(stdout);
			for (int t = 0; t < 1200 && access(argv[i + 1], F_OK) != 0; t++)
				usleep(50000);
			continue;
		}
		else {
			fprintf(stderr, "dirtool: unknown command %s\n", argv[i]);
			status = 64;
			break;
		}
		if (r != 0) {
			printf("error %s\n", err_name(r));
			status = 2;
		}
		server = ntkd_directory_server(d);
		printf("round_trips %lu\n", ntkd_directory_round_trips(d));
		printf("server %s\n", server != NULL ? server : "none");
		fflush(stdout);
	}
	ntkd_directory_close(d);
	ntk_config_clear(&config);
	return status;
}
