/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Latency of warm group lookups: libnss_ntk directly, through glibc, nss_files, and a no-op ntkd round trip. */
#include "config.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <grp.h>
#include <nss.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#include "ntk_client.h"
#include "ntk_err.h"

/*
 * Usage: nss_bench ITERATIONS OP ARG [ARG]
 *   ping SOCKET                    no-op round trip to ntkd on one warm connection
 *   module-grnam MODULE.so NAME    _nss_ntk_getgrnam_r, called directly
 *   module-grgid MODULE.so GID     _nss_ntk_getgrgid_r
 *   module-initgroups MODULE.so USER
 *   libc-grnam NAME                getgrnam_r through glibc's NSS (whatever nsswitch.conf says)
 *   libc-grgid GID                 getgrgid_r through glibc's NSS
 *   libc-grouplist USER            getgrouplist through glibc's NSS
 *   spawn-id USER                  a whole `id USER` process (fork, exec, every lookup it makes)
 * Prints: OP ARG median_us p99_us  (after 10 warm-up calls).
 */

typedef enum nss_status (*grnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*grgid_fn)(gid_t, struct group *, char *, size_t, int *);
typedef enum nss_status (*initgr_fn)(const char *, gid_t, long *, long *, gid_t **, long, int *);

static char buf[1 << 16];

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct ntk_conn *conn;
static grnam_fn m_grnam;
static grgid_fn m_grgid;
static initgr_fn m_initgr;
static const char *arg;

/* One operation; nonzero when it did not give an answer. */
static int
op_ping(void)
{
	return ntk_client_ping(conn);
}

static int
op_module_grnam(void)
{
	struct group gr;
	int e;

	return m_grnam(arg, &gr, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS;
}

static int
op_module_grgid(void)
{
	struct group gr;
	int e;

	return m_grgid((gid_t)strtoul(arg, NULL, 10), &gr, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS;
}

static int
op_module_initgroups(void)
{
	long start = 1, size = 64;
	gid_t groups[64] = { 65534 };
	gid_t *gp = malloc(sizeof(groups));
	enum nss_status st;
	int e;

	memcpy(gp, groups, sizeof(groups));
	st = m_initgr(arg, 65534, &start, &size, &gp, 0, &e);
	free(gp);
	return st != NSS_STATUS_SUCCESS;
}

static int
op_libc_grnam(void)
{
	struct group gr, *res = NULL;

	return getgrnam_r(arg, &gr, buf, sizeof(buf), &res) != 0 || res == NULL;
}

static int
op_libc_grgid(void)
{
	struct group gr, *res = NULL;

	return getgrgid_r((gid_t)strtoul(arg, NULL, 10), &gr, buf, sizeof(buf), &res) != 0 ||
	    res == NULL;
}

static int
op_libc_grouplist(void)
{
	gid_t groups[256];
	int n = 256;

	return getgrouplist(arg, 65534, groups, &n) < 0 || n < 2;
}

extern char **environ;

static int
op_spawn_id(void)
{
	char *argv[] = { "id", (char *)arg, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st = 1;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "id", &fa, NULL, argv, environ) == 0 && waitpid(pid, &st, 0) != pid)
		st = 1;
	posix_spawn_file_actions_destroy(&fa);
	return !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int
main(int argc, char **argv)
{
	int (*op)(void) = NULL;
	void *mod;
	double *t, t0;
	long n, i;
	int r;

	if (argc < 4)
		return 2;
	n = atol(argv[1]);
	if (n < 1 || n > 10000000)
		return 2;
	arg = argv[argc - 1];
	if (strcmp(argv[2], "ping") == 0) {
		if ((r = ntk_conn_open(argv[3], 2000, &conn)) != 0) {
			fprintf(stderr, "nss_bench: %s: %s\n", argv[3], ntk_strerror(r));
			return 1;
		}
		op = op_ping;
	} else if (strncmp(argv[2], "module-", 7) == 0 && argc > 4) {
		if ((mod = dlopen(argv[3], RTLD_NOW | RTLD_LOCAL)) == NULL) {
			fprintf(stderr, "nss_bench: %s\n", dlerror());
			return 1;
		}
		m_grnam = (grnam_fn)dlsym(mod, "_nss_ntk_getgrnam_r");
		m_grgid = (grgid_fn)dlsym(mod, "_nss_ntk_getgrgid_r");
		m_initgr = (initgr_fn)dlsym(mod, "_nss_ntk_initgroups_dyn");
		if (strcmp(argv[2], "module-grnam") == 0)
			op = op_module_grnam;
		else if (strcmp(argv[2], "module-grgid") == 0)
			op = op_module_grgid;
		else
			op = op_module_initgroups;
	} else if (strcmp(argv[2], "libc-grnam") == 0) {
		op = op_libc_grnam;
	} else if (strcmp(argv[2], "libc-grgid") == 0) {
		op = op_libc_grgid;
	} else if (strcmp(argv[2], "libc-grouplist") == 0) {
		op = op_libc_grouplist;
	} else if (strcmp(argv[2], "spawn-id") == 0) {
		op = op_spawn_id;
	}
	if (op == NULL)
		return 2;
	for (i = 0; i < 10; i++)
		if (op() != 0) {
			fprintf(stderr, "nss_bench: %s %s: no answer\n", argv[2], arg);
			return 1;
		}
	t = malloc((size_t)n * sizeof(double));
	for (i = 0; i < n; i++) {
		t0 = now_us();
		if (op() != 0) {
			fprintf(stderr, "nss_bench: %s %s: no answer at %ld\n", argv[2], arg, i);
			return 1;
		}
		t[i] = now_us() - t0;
	}
	qsort(t, (size_t)n, sizeof(double), cmpd);
	printf("%s %s %.1f %.1f\n", argv[2], arg, t[n / 2], t[(size_t)((double)n * 0.99)]);
	free(t);
	ntk_conn_close(conn);
	return 0;
}
