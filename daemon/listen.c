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

#include "ntk_err.h"
#include "server.h"

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
	int fd = -1;

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
	free(copy);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			*why = "path exists and is not a socket";
			return NTK_ERR_IO;
		}
		if (in_use(&addr)) {
			*why = "another ntkd is answering on this socket";
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
