/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Calls libnss_ntk's entry points directly (dlopen) and prints the exact NSS status, for the contract tests. */
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: nss_probe MODULE.so COMMAND ARG [N]
 *   name NAME [BUFLEN]   getgrnam_r        gid GID [BUFLEN]  getgrgid_r
 *   initgroups USER [LIMIT]                enum [BUFLEN]     setgrent/getgrent_r/endgrent
 *   minbuf NAME          smallest buffer getgrnam_r accepts; every smaller one must be ERANGE
 *   fdreuse NAME         check the module's socket is CLOEXEC, close it behind the module's
 *                        back, reuse the number for a pipe, look up again: the pipe is untouched
 *   loop NAME N MS       N getgrnam_r of NAME, MS milliseconds apart, in one process
 *   dlclose NAME MAP     look NAME up, dlclose the module; how often MAP is in /proc/self/maps
 *   drop setuid|seteuid USER NAME GID MEMBER
 *                        (root) look up NAME, then drop to USER and look up NAME, GID and
 *                        initgroups MEMBER again in the same process; seteuid goes back to
 *                        root after that and looks up NAME once more. Each line is prefixed
 *                        with the euid it was asked as.
 * Prints one line per answer: STATUS errno=NAME [name:passwd:gid:members].
 */

typedef enum nss_status (*grnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*grgid_fn)(gid_t, struct group *, char *, size_t, int *);
typedef enum nss_status (*initgr_fn)(const char *, gid_t, long *, long *, gid_t **, long, int *);
typedef enum nss_status (*set_fn)(void);
typedef enum nss_status (*grent_fn)(struct group *, char *, size_t, int *);

static void *mod;

static void *
sym(const char *name)
{
	void *p = dlsym(mod, name);

	if (p == NULL) {
		fprintf(stderr, "nss_probe: %s: %s\n", name, dlerror());
		exit(3);
	}
	return p;
}

static const char *
status_name(enum nss_status st)
{
	switch (st) {
	case NSS_STATUS_SUCCESS: return "SUCCESS";
	case NSS_STATUS_NOTFOUND: return "NOTFOUND";
	case NSS_STATUS_UNAVAIL: return "UNAVAIL";
	case NSS_STATUS_TRYAGAIN: return "TRYAGAIN";
	case NSS_STATUS_RETURN: return "RETURN";
	default: return "?";
	}
}

static const char *
errno_name(int e)
{
	switch (e) {
	case 0: return "0";
	case ENOENT: return "ENOENT";
	case ERANGE: return "ERANGE";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EINVAL: return "EINVAL";
	default: return "other";
	}
}

static void
print(enum nss_status st, int e, const struct group *gr)
{
	size_t i;

	printf("%s errno=%s", status_name(st), st == NSS_STATUS_SUCCESS ? "0" : errno_name(e));
	if (st == NSS_STATUS_SUCCESS) {
		printf(" %s:%s:%u:", gr->gr_name, gr->gr_passwd, (unsigned)gr->gr_gid);
		for (i = 0; gr->gr_mem[i] != NULL; i++)
			printf("%s%s", i > 0 ? "," : "", gr->gr_mem[i]);
	}
	printf("\n");
}

static int
by_name(const char *name, size_t buflen)
{
	grnam_fn f = (grnam_fn)sym("_nss_ntk_getgrnam_r");
	struct group gr;
	char *buf = malloc(buflen + 1);
	enum nss_status st;
	int e = 0;

	st = f(name, &gr, buf, buflen, &e);
	print(st, e, &gr);
	free(buf);
	return 0;
}

static int
by_gid(const char *arg, size_t buflen)
{
	grgid_fn f = (grgid_fn)sym("_nss_ntk_getgrgid_r");
	struct group gr;
	char *buf = malloc(buflen + 1);
	enum nss_status st;
	int e = 0;

	st = f((gid_t)strtoul(arg, NULL, 10), &gr, buf, buflen, &e);
	print(st, e, &gr);
	free(buf);
	return 0;
}

static int
probe_initgroups(const char *user, long limit)
{
	initgr_fn f = (initgr_fn)sym("_nss_ntk_initgroups_dyn");
	long start = 1, size = 1, i;
	gid_t *groups = malloc(sizeof(gid_t));
	enum nss_status st;
	int e = 0;

	/* A primary group the module must skip if it knows it. */
	groups[0] = 4242;
	st = f(user, 4242, &start, &size, &groups, limit, &e);
	printf("%s errno=%s", status_name(st), st == NSS_STATUS_SUCCESS ? "0" : errno_name(e));
	for (i = 1; i < start; i++)
		printf(" %u", (unsigned)groups[i]);
	printf("\n");
	if (limit > 0 && size > limit) {
		printf("size %ld over limit %ld\n", size, limit);
		return 1;
	}
	free(groups);
	return 0;
}

static int
enumerate(size_t buflen)
{
	set_fn set = (set_fn)sym("_nss_ntk_setgrent");
	set_fn end = (set_fn)sym("_nss_ntk_endgrent");
	grent_fn get = (grent_fn)sym("_nss_ntk_getgrent_r");
	struct group gr;
	enum nss_status st;
	size_t len = buflen;
	char *buf;
	int e = 0;

	printf("setgrent %s\n", status_name(set()));
	for (;;) {
		buf = malloc(len);
		st = get(&gr, buf, len, &e);
		if (st == NSS_STATUS_TRYAGAIN && e == ERANGE) {
			/* As glibc does: the same entry again, with twice the room. */
			free(buf);
			len *= 2;
			continue;
		}
		print(st, e, &gr);
		free(buf);
		if (st != NSS_STATUS_SUCCESS)
			break;
	}
	end();
	return 0;
}

static int
minbuf(const char *name)
{
	grnam_fn f = (grnam_fn)sym("_nss_ntk_getgrnam_r");
	struct group gr;
	enum nss_status st;
	size_t len;
	char *buf;
	int e;

	for (len = 0; len < 1 << 20; len++) {
		buf = malloc(len + 1);
		e = 0;
		st = f(name, &gr, buf, len, &e);
		if (st == NSS_STATUS_SUCCESS) {
			printf("minbuf %zu ", len);
			print(st, e, &gr);
			free(buf);
			return 0;
		}
		free(buf);
		if (st != NSS_STATUS_TRYAGAIN || e != ERANGE) {
			printf("at %zu: ", len);
			print(st, e, &gr);
			return 1;
		}
	}
	printf("no buffer size worked\n");
	return 1;
}

/* The fds that are sockets. */
static int
sockets(int *fds, int max)
{
	struct stat st;
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0, fd;

	while (dir != NULL && (d = readdir(dir)) != NULL && n < max) {
		fd = atoi(d->d_name);
		if (d->d_name[0] != '.' && fd != dirfd(dir) && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode))
			fds[n++] = fd;
	}
	if (dir != NULL)
		closedir(dir);
	return n;
}

static int
fdreuse(const char *name)
{
	int before[64], after[64], nb, na, i, j, fd = -1, p[2];
	char c;

	nb = sockets(before, 64);
	by_name(name, 4096);
	na = sockets(after, 64);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j == nb)
			fd = after[i];
	}
	if (fd < 0) {
		printf("no module socket found\n");
		return 1;
	}
	/* Never inherited by a program the host executes. */
	if ((fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0) {
		printf("module socket %d is not close-on-exec\n", fd);
		return 1;
	}
	/* The application closes the module's fd and the number goes to a pipe of its own. */
	if (pipe(p) != 0 || dup2(p[0], fd) != fd) {
		printf("pipe/dup2 failed\n");
		return 1;
	}
	by_name(name, 4096);
	/* The pipe must be untouched and still open: nothing read from it, nothing closed. */
	if (fcntl(fd, F_GETFD) < 0) {
		printf("application fd %d was closed\n", fd);
		return 1;
	}
	if (write(p[1], "x", 1) != 1 || read(fd, &c, 1) != 1 || c != 'x') {
		printf("application pipe was disturbed\n");
		return 1;
	}
	printf("fd %d left alone\n", fd);
	return 0;
}

/*
 * A privileged program that drops to another user keeps its module loaded:
 * what it sees after the drop must be what USER may see, not what root saw.
 */
static int
drop(const char *how, const char *user, const char *name, const char *gid, const char *member)
{
	struct passwd *pw = getpwnam(user);
	uid_t uid;
	gid_t ugid;

	if (pw == NULL) {
		printf("no user %s\n", user);
		return 1;
	}
	uid = pw->pw_uid;
	ugid = pw->pw_gid;
	printf("euid=%u ", (unsigned)geteuid());
	by_name(name, 4096);
	if (strcmp(how, "setuid") == 0) {
		if (setgroups(0, NULL) != 0 || setgid(ugid) != 0 || setuid(uid) != 0) {
			printf("setuid %s failed\n", user);
			return 1;
		}
	} else if (strcmp(how, "seteuid") == 0) {
		if (setegid(ugid) != 0 || seteuid(uid) != 0) {
			printf("seteuid %s failed\n", user);
			return 1;
		}
	} else {
		printf("unknown drop %s\n", how);
		return 2;
	}
	printf("euid=%u ", (unsigned)geteuid());
	by_name(name, 4096);
	printf("euid=%u ", (unsigned)geteuid());
	by_gid(gid, 4096);
	printf("euid=%u ", (unsigned)geteuid());
	probe_initgroups(member, 0);
	if (strcmp(how, "seteuid") == 0) {
		if (seteuid(0) != 0 || setegid(0) != 0) {
			printf("seteuid back failed\n");
			return 1;
		}
		printf("euid=%u ", (unsigned)geteuid());
		by_name(name, 4096);
	}
	return 0;
}

/* Lines of /proc/self/maps naming `what`. */
static int
maps_count(const char *what)
{
	char line[4096];
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, what) != NULL)
			n++;
	fclose(f);
	return n;
}

/* Look NAME up (mapping the NSS map), dlclose the module: the map must be unmapped with it. */
static int
unload(const char *name, const char *map)
{
	by_name(name, 4096);
	printf("mapped before dlclose: %d\n", maps_count(map));
	dlclose(mod);
	printf("mapped after dlclose: %d\n", maps_count(map));
	return 0;
}

/* N look-ups by name, MS milliseconds apart, in one process (one map for its whole life). */
static int
loop(const char *name, long n, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	long i;

	for (i = 0; i < n; i++) {
		by_name(name, 4096);
		nanosleep(&ts, NULL);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	size_t n;

	if (argc < 3) {
		fprintf(stderr, "usage: nss_probe MODULE.so COMMAND [ARG] [N]\n");
		return 2;
	}
	if ((mod = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "nss_probe: %s\n", dlerror());
		return 3;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	n = argc > 4 ? strtoul(argv[4], NULL, 10) : 4096;
	if (strcmp(argv[2], "name") == 0 && argc > 3)
		return by_name(argv[3], n);
	if (strcmp(argv[2], "gid") == 0 && argc > 3)
		return by_gid(argv[3], n);
	if (strcmp(argv[2], "initgroups") == 0 && argc > 3)
		return probe_initgroups(argv[3], argc > 4 ? atol(argv[4]) : 0);
	if (strcmp(argv[2], "enum") == 0)
		return enumerate(argc > 3 ? strtoul(argv[3], NULL, 10) : 1);
	if (strcmp(argv[2], "minbuf") == 0 && argc > 3)
		return minbuf(argv[3]);
	if (strcmp(argv[2], "fdreuse") == 0 && argc > 3)
		return fdreuse(argv[3]);
	if (strcmp(argv[2], "dlclose") == 0 && argc > 4)
		return unload(argv[3], argv[4]);
	if (strcmp(argv[2], "loop") == 0 && argc > 5)
		return loop(argv[3], atol(argv[4]), atol(argv[5]));
	if (strcmp(argv[2], "drop") == 0 && argc > 7)
		return drop(argv[3], argv[4], argv[5], argv[6], argv[7]);
	fprintf(stderr, "nss_probe: unknown command %s\n", argv[2]);
	return 2;
}
