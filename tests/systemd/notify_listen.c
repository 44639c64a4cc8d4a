/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * notify_listen ADDR NTKD_SOCKET UNTIL SECS: play systemd's end of the notify
 * protocol. Bind a datagram socket at ADDR (a path, or @name for an abstract
 * one), print "listening", then one line per datagram received: its lines
 * joined by spaces and " socket=up" or " socket=down" for whether
 * NTKD_SOCKET accepted a connection at that moment. Exit 0 after a datagram
 * holding the line UNTIL, 1 when SECS pass first, 2 on a setup error.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static socklen_t
make_addr(const char *name, struct sockaddr_un *sa)
{
	size_t n = strlen(name);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n >= sizeof(sa->sun_path))
		return 0;
	memcpy(sa->sun_path, name, n);
	if (name[0] == '@')
		sa->sun_path[0] = '\0';
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
}

static bool
accepts(const char *path)
{
	struct sockaddr_un sa;
	socklen_t len = make_addr(path, &sa);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool up;

	if (fd < 0 || len == 0)
		return false;
	up = connect(fd, (struct sockaddr *)&sa, len) == 0;
	close(fd);
	return up;
}

/* Does the datagram hold `line` as one of its newline-separated lines? */
static bool
has_line(const char *msg, const char *line)
{
	size_t n = strlen(line);
	const char *p = msg;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == msg || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
		p++;
	}
	return false;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sa;
	struct pollfd pfd;
	socklen_t len;
	char buf[4096];
	time_t end;
	ssize_t n;
	int one = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: notify_listen ADDR NTKD_SOCKET UNTIL SECS\n");
		return 2;
	}
	if ((len = make_addr(argv[1], &sa)) == 0 ||
	    (pfd.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		fprintf(stderr, "notify_listen: bad address or no socket\n");
		return 2;
	}
	if (argv[1][0] != '@')
		unlink(argv[1]);
	/* As systemd does: the kernel tells us the sender's pid. */
	setsockopt(pfd.fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	if (bind(pfd.fd, (struct sockaddr *)&sa, len) != 0) {
		fprintf(stderr, "notify_listen: bind %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	printf("listening\n");
	fflush(stdout);
	end = time(NULL) + atoi(argv[4]);
	pfd.events = POLLIN;
	while (time(NULL) < end) {
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		if ((n = recv(pfd.fd, buf, sizeof(buf) - 1, 0)) < 0)
			continue;
		buf[n] = '\0';
		/* Check the daemon's socket before anything else: the order is what is tested. */
		bool up = accepts(argv[2]);
		for (char *p = buf; *p != '\0'; p++)
			if (*p == '\n')
				putchar(' ');
			else
				putchar(*p);
		printf(" socket=%s\n", up ? "up" : "down");
		fflush(stdout);
		if (has_line(buf, argv[3]))
			return 0;
	}
	fprintf(stderr, "notify_listen: no %s within %s s\n", argv[3], argv[4]);
	return 1;
}
