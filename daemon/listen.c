/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The listening unix socket: directory, stale socket, mode. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ntk_config_perm.h"
#include "ntk_err.h"
#include "server.h"

/*
 * The socket's directory must be changed only by root or by us: anyone else
 * who may write there can remove our socket and bind their own in its place,
 * and anyone who may write a directory above it can swap the directory
 * itself. Clients check who answers (SO_PEERCRED), but the daemon should not
 * invite it.
 */
static int
dir_safe(const char *dir, const char **why)
{
	static char reason[4096 + 256];     /* single-threaded: start-up only */
	char what[128], *real;
	struct stat st;
	int r;

	if (stat(dir, &st) != 0) {
		*why = "cannot stat the socket's directory";
		return NTK_ERR_IO;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(reason, sizeof(reason), "%s is not a directory", dir);
		*why = reason;
		errno = 0;
		return NTK_ERR_CONFIG;
	}
	if (ntk_perm_check_stat(&st, false, what, sizeof(what)) != 0) {
		snprintf(reason, sizeof(reason), "refusing the socket's directory %s: it is %s", dir, what);
		*why = reason;
		errno = 0;
		return NTK_ERR_CONFIG;
	}
	/* The directories above, as the config file's are checked. */
	if ((real = realpath(dir, NULL)) == NULL) {
		*why = "cannot resolve the socket's directory";
		return NTK_ERR_IO;
	}
	r = ntk_perm_check_dirs(dir, real, reason, sizeof(reason));
	free(real);
	if (r != 0) {
		*why = reason;
		errno = 0;
	}
	return r;
}

/* True when a daemon answers on `addr` (a live socket must not be stolen). */
static bool
in_use(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	live = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
	close(fd);
	return live;
}

int
ntkd_server_listen(const char *path, const char **why)
{
	struct sockaddr_un addr, tmp;
	struct stat st;
	char *copy, *dir;
	int fd = -1, r;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr.sun_path)) {
		*why = "socket path too long";
		return NTK_ERR_TOO_LONG;
	}
	strcpy(addr.sun_path, path);
	tmp = addr;
	if ((copy = strdup(path)) == NULL) {
		*why = "out of memory";
		return NTK_ERR_NOMEM;
	}
	dir = dirname(copy);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		free(copy);
		*why = "cannot create the socket's directory";
		return NTK_ERR_IO;
	}
	if ((r = dir_safe(dir, why)) != 0) {
		free(copy);
		return r;
	}
	free(copy);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			*why = "path exists and is not a socket";
			errno = 0;
			return NTK_ERR_IO;
		}
		if (in_use(&addr)) {
			*why = "another ntkd is answering on this socket";
			errno = 0;
			return NTK_ERR_IO;
		}
		unlink(path);
	}
	/*
	 * Bind under a temporary name and rename once listening: a client (or
	 * a script waiting for the socket to appear) never finds a socket that
	 * refuses connections.
	 */
	if ((size_t)snprintf(tmp.sun_path, sizeof(tmp.sun_path), "%s.%ld", path, (long)getpid()) >=
	    sizeof(tmp.sun_path)) {
		*why = "socket path too long";
		return NTK_ERR_TOO_LONG;
	}
	unlink(tmp.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
		*why = "socket";
		return NTK_ERR_IO;
	}
	if (bind(fd, (struct sockaddr *)&tmp, sizeof(tmp)) != 0) {
		*why = "bind";
		goto fail;
	}
	if (chmod(tmp.sun_path, 0666) != 0) {
		*why = "chmod";
		goto fail;
	}
	if (listen(fd, 128) != 0) {
		*why = "listen";
		goto fail;
	}
	if (rename(tmp.sun_path, path) != 0) {
		*why = "rename";
		goto fail;
	}
	return fd;
 fail:
	close(fd);
	unlink(tmp.sun_path);
	return NTK_ERR_IO;
}
