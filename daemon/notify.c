/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The systemd notify protocol: one datagram to $NOTIFY_SOCKET per state change. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "ntk_err.h"

int
ntkd_notify(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t n, len = strlen(state);
	socklen_t salen;
	ssize_t sent;
	int fd, r = 0;

	if (name == NULL || name[0] == '\0')
		return 0;
	/* systemd hands out a path or an abstract name; vsock and others are not ours. */
	if (name[0] != '/' && name[0] != '@')
		return NTK_ERR_BAD_VALUE;
	n = strlen(name);
	if (n >= sizeof(sa.sun_path))
		return NTK_ERR_TOO_LONG;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, n);
	/* An abstract name is the bytes after a leading NUL, exactly n long. */
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return NTK_ERR_IO;
	/* systemd reads the sender's pid from the kernel (SO_PASSCRED on its end). */
	do
		sent = sendto(fd, state, len, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	while (sent < 0 && errno == EINTR);
	if (sent < 0 || (size_t)sent != len) {
		/* systemd gone or the address wrong: serving goes on, the unit times out visibly. */
		ntkd_log(LOG_WARNING, "systemd notify (%s): %s", name, strerror(errno));
		r = NTK_ERR_IO;
	}
	close(fd);
	return r;
}

int
ntkd_notify_reloading(void)
{
	struct timespec ts;
	char msg[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	return ntkd_notify(msg);
}
