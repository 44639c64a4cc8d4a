/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Many threads resolving ntk groups at once, with a fork() in the middle: every answer must be the expected one. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Usage: nss_stress THREADS ITERATIONS SPEC...
 *   g:NAME:GID:MEMBERS   the group exists with exactly these members (comma list, any order)
 *   n:NAME               no such group          x:GID   no such gid
 *   u:USER:GIDS          getgrouplist(USER) holds exactly these gids inside [lo, hi]
 *                        (lo and hi from NSS_STRESS_GID_RANGE="lo-hi", default 190000-299999)
 * Lookups go through the C library (getgrnam_r, getgrgid_r, getgrouplist),
 * so whatever NSS the process has (real nsswitch.conf or nss_wrapper) is tested.
 */

struct spec {
	char kind;
	char *name;
	gid_t gid;
	char **list;            /* members, sorted; or gids as strings */
	size_t nlist;
};

static struct spec *specs;
static size_t nspecs;
static long iterations;
static unsigned long gid_lo = 190000, gid_hi = 299999;
static atomic_long done, failures;

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
split(char *s, char ***out, size_t *n)
{
	char *save = NULL, *t;

	*out = NULL;
	*n = 0;
	for (t = strtok_r(s, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		*out = realloc(*out, (*n + 1) * sizeof(char *));
		(*out)[(*n)++] = t;
	}
	if (*n > 1)
		qsort(*out, *n, sizeof(char *), cmpstr);
}

static int
parse(char *arg, struct spec *s)
{
	char *f[4] = { 0 }, *save = NULL;
	int i;

	/* Fields separated by ':'; the last one may be empty. */
	f[0] = arg;
	for (i = 1; i < 4; i++) {
		char *c = strchr(f[i - 1], ':');
		if (c == NULL)
			break;
		*c = '\0';
		f[i] = c + 1;
	}
	(void)save;
	s->kind = f[0][0];
	switch (s->kind) {
	case 'g':
		if (f[3] == NULL)
			return -1;
		s->name = f[1];
		s->gid = (gid_t)strtoul(f[2], NULL, 10);
		split(f[3], &s->list, &s->nlist);
		return 0;
	case 'n':
		s->name = f[1];
		return f[1] == NULL ? -1 : 0;
	case 'x':
		if (f[1] == NULL)
			return -1;
		s->gid = (gid_t)strtoul(f[1], NULL, 10);
		return 0;
	case 'u':
		if (f[2] == NULL)
			return -1;
		s->name = f[1];
		split(f[2], &s->list, &s->nlist);
		return 0;
	}
	return -1;
}

static void
fail(const char *who, const struct spec *s, const char *what)
{
	atomic_fetch_add(&failures, 1);
	fprintf(stderr, "nss_stress %s: %c:%s:%u: %s\n", who, s->kind,
	    s->name != NULL ? s->name : "", (unsigned)s->gid, what);
}

/* Compare a struct group with the spec. */
static bool
same_group(const struct spec *s, const struct group *gr)
{
	char *mem[4096];
	size_t n = 0, i;

	if (strcmp(gr->gr_name, s->name) != 0 || gr->gr_gid != s->gid)
		return false;
	while (gr->gr_mem[n] != NULL && n < 4096) {
		mem[n] = gr->gr_mem[n];
		n++;
	}
	if (n != s->nlist)
		return false;
	qsort(mem, n, sizeof(char *), cmpstr);
	for (i = 0; i < n; i++)
		if (strcmp(mem[i], s->list[i]) != 0)
			return false;
	return true;
}

/* One lookup, with a buffer that starts small so the ERANGE retry path is always taken. */
static void
check(const char *who, const struct spec *s, bool by_gid)
{
	struct group gr, *res = NULL;
	size_t len = 16;
	char *buf = NULL;
	int rc;

	if (s->kind == 'u') {
		gid_t groups[256];
		int n = 256, i, found = 0;
		size_t j;
		char tmp[16];

		if (getgrouplist(s->name, 65534, groups, &n) < 0) {
			fail(who, s, "getgrouplist overflow");
			return;
		}
		for (i = 0; i < n; i++) {
			if (groups[i] < gid_lo || groups[i] > gid_hi)
				continue;
			snprintf(tmp, sizeof(tmp), "%u", (unsigned)groups[i]);
			for (j = 0; j < s->nlist && strcmp(s->list[j], tmp) != 0; j++)
				;
			if (j == s->nlist) {
				fail(who, s, "unexpected gid from getgrouplist");
				return;
			}
			found++;
		}
		if ((size_t)found != s->nlist)
			fail(who, s, "getgrouplist misses a gid");
		return;
	}
	for (;;) {
		buf = realloc(buf, len);
		if (s->kind == 'g' && by_gid)
			rc = getgrgid_r(s->gid, &gr, buf, len, &res);
		else if (s->kind == 'x')
			rc = getgrgid_r(s->gid, &gr, buf, len, &res);
		else
			rc = getgrnam_r(s->name, &gr, buf, len, &res);
		if (rc != ERANGE)
			break;
		len *= 2;
	}
	if (s->kind == 'g') {
		if (rc != 0 || res == NULL)
			fail(who, s, by_gid ? "getgrgid_r found nothing" : "getgrnam_r found nothing");
		else if (!same_group(s, res))
			fail(who, s, "wrong group or members");
	} else if (res != NULL) {
		fail(who, s, "found a group that must not exist");
	}
	free(buf);
}

static void *
worker(void *arg)
{
	long id = (long)arg, i;
	const struct spec *s;

	for (i = 0; i < iterations; i++) {
		s = &specs[(size_t)(id * 7 + i) % nspecs];
		check("thread", s, (i & 1) != 0);
		atomic_fetch_add(&done, 1);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t *th;
	long nthreads, t;
	const char *range;
	size_t i;
	pid_t pid;
	int status, child_ok = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: nss_stress THREADS ITERATIONS SPEC...\n");
		return 2;
	}
	nthreads = atol(argv[1]);
	iterations = atol(argv[2]);
	if ((range = getenv("NSS_STRESS_GID_RANGE")) != NULL)
		sscanf(range, "%lu-%lu", &gid_lo, &gid_hi);
	nspecs = (size_t)(argc - 3);
	specs = calloc(nspecs, sizeof(*specs));
	for (i = 0; i < nspecs; i++) {
		if (parse(argv[3 + i], &specs[i]) != 0) {
			fprintf(stderr, "nss_stress: bad spec %s\n", argv[3 + i]);
			return 2;
		}
	}
	th = calloc((size_t)nthreads, sizeof(*th));
	for (t = 0; t < nthreads; t++)
		pthread_create(&th[t], NULL, worker, (void *)t);

	/* Fork while the threads are busy: the child inherits a connection mid-use by others. */
	while (atomic_load(&done) < nthreads * iterations / 2)
		usleep(200);
	pid = fork();
	if (pid == 0) {
		long bad = atomic_load(&failures);
		int round;

		for (round = 0; round < 3; round++)
			for (i = 0; i < nspecs; i++) {
				check("child", &specs[i], false);
				check("child", &specs[i], true);
			}
		_exit(atomic_load(&failures) == bad ? 0 : 1);
	}
	for (t = 0; t < nthreads; t++)
		pthread_join(th[t], NULL);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0)
		child_ok = 1;
	printf("lookups=%ld failures=%ld child=%s\n", atomic_load(&done),
	    atomic_load(&failures), child_ok ? "ok" : "FAILED");
	for (i = 0; i < nspecs; i++)
		free(specs[i].list);
	free(specs);
	free(th);
	return atomic_load(&failures) == 0 && child_ok ? 0 : 1;
}
