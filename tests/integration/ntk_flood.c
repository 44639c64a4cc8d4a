/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test client for ntkd's fairness: many connections, a PING-only connection, a GROUP_BY_GID flood. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ntk_buf.h"
#include "ntk_err.h"
#include "ntk_proto.h"

#define WINDOW 32                       /* GROUP_BY_GID requests in flight per connection */

static void
usage(void)
{
	fprintf(stderr,
	    "usage: ntk_flood SOCKET COMMAND ARGS\n"
	    "  hold N           open N connections, PING on each, print how many were\n"
	    "                   answered, then hold them until stdin closes\n"
	    "  pingidle MS MAX  PING every MS ms; exit 0 when ntkd closes the\n"
	    "                   connection, 1 when still open after MAX seconds\n"
	    "  gids FIRST LAST CONNS  GROUP_BY_GID for every gid, pipelined on CONNS\n"
	    "                   connections; print found=, notfound=, other=\n");
	exit(2);
}

static int
connect_to(const char *path, bool nonblock)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * Non-blocking, so a full listen backlog is EAGAIN rather than a hang:
 * retried for up to 10 s while ntkd catches up with accepting (or refusing).
 */
static int
connect_patiently(const char *path)
{
	struct timespec ms = { 0, 1000000L };
	int fd, tries;

	for (tries = 0; tries < 10000; tries++) {
		if ((fd = connect_to(path, true)) >= 0 || errno != EAGAIN)
			return fd;
		nanosleep(&ms, NULL);
	}
	return -1;
}

/* One framed request of `type` with an optional u32 body, written whole (small: one send). */
static int
send_req(int fd, uint16_t type, const uint32_t *arg)
{
	struct ntk_buf b;
	int rc;

	ntk_buf_init(&b, NTK_HEADER_LEN + 16);
	if ((rc = ntk_proto_begin(&b, type)) == 0 && (arg == NULL ||
	    (rc = ntk_proto_encode_u32(&b, *arg)) == 0) && (rc = ntk_proto_end(&b)) == 0) {
		if (send(fd, ntk_buf_ptr(&b), ntk_buf_remaining(&b), MSG_NOSIGNAL) !=
		    (ssize_t)ntk_buf_remaining(&b))
			rc = NTK_ERR_IO;
	}
	ntk_buf_free(&b);
	return rc;
}

/* Read exactly n bytes (blocking, within ms); 0, or -1 on EOF/error/timeout. */
static int
read_full(int fd, uint8_t *p, size_t n, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t k;

	while (n > 0) {
		if (poll(&pfd, 1, ms) <= 0)
			return -1;
		k = recv(fd, p, n, 0);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* One reply frame; its type in *type, its body discarded. */
static int
read_reply(int fd, uint16_t *type, int ms)
{
	uint8_t hdr[NTK_HEADER_LEN], *body;
	uint32_t len;
	int rc;

	if (read_full(fd, hdr, sizeof(hdr), ms) != 0 ||
	    ntk_proto_header(hdr, NTK_REPLY_MAX, &len, type) != 0)
		return -1;
	if ((body = malloc(len + 1)) == NULL)
		return -1;
	rc = read_full(fd, body, len, ms);
	free(body);
	return rc;
}

static int
hold(const char *path, long n)
{
	struct rlimit rl;
	int *fds;
	long i, opened = 0, answered = 0;
	uint16_t type;
	char c;

	/* Room for n sockets: an unprivileged process may raise its soft limit to the hard one. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 16) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)n + 16 ? rl.rlim_max : (rlim_t)n + 16;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((fds = calloc((size_t)n, sizeof(*fds))) == NULL)
		return 2;
	for (i = 0; i < n; i++)
		if ((fds[i] = connect_patiently(path)) >= 0)
			opened++;
	for (i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		if (send_req(fds[i], NTK_MSG_PING, NULL) == 0 &&
		    read_reply(fds[i], &type, 10000) == 0 && type == (NTK_MSG_PING | NTK_MSG_REPLY))
			answered++;
	}
	printf("connected=%ld answered=%ld\nholding\n", opened, answered);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return 0;
}

static int
pingidle(const char *path, long ms, long max_s)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	time_t end = time(NULL) + max_s;
	uint16_t type;
	long pings = 0;
	int fd;

	if ((fd = connect_to(path, false)) < 0) {
		perror("connect");
		return 2;
	}
	while (time(NULL) < end) {
		if (send_req(fd, NTK_MSG_PING, NULL) != 0 || read_reply(fd, &type, 5000) != 0) {
			printf("closed after %ld pings\n", pings);
			close(fd);
			return 0;
		}
		pings++;
		nanosleep(&ts, NULL);
	}
	printf("open after %ld pings\n", pings);
	close(fd);
	return 1;
}

struct flow {
	int fd;
	uint32_t next;                  /* next gid to ask */
	long inflight;
};

static int
gids(const char *path, uint32_t first, uint32_t last, long nconns)
{
	struct flow *f;
	long i, found = 0, notfound = 0, other = 0, busy;
	uint32_t per = (last - first) / (uint32_t)nconns + 1;
	uint16_t type;
	int rc = 0;

	if ((f = calloc((size_t)nconns, sizeof(*f))) == NULL)
		return 2;
	for (i = 0; i < nconns; i++) {
		if ((f[i].fd = connect_to(path, false)) < 0) {
			perror("connect");
			return 2;
		}
		f[i].next = first + (uint32_t)i * per;
	}
	/* Keep WINDOW requests in flight on each connection over its share of the range. */
	do {
		busy = 0;
		for (i = 0; i < nconns; i++) {
			uint32_t stop = first + (uint32_t)(i + 1) * per;

			while (f[i].fd >= 0 && f[i].inflight < WINDOW && f[i].next < stop &&
			    f[i].next <= last) {
				if (send_req(f[i].fd, NTK_MSG_GROUP_BY_GID, &f[i].next) != 0) {
					close(f[i].fd);
					f[i].fd = -1;
					break;
				}
				f[i].next++;
				f[i].inflight++;
			}
			if (f[i].fd >= 0 && f[i].inflight > 0) {
				if (read_reply(f[i].fd, &type, 30000) != 0) {
					close(f[i].fd);
					f[i].fd = -1;
					rc = 1;
					continue;
				}
				f[i].inflight--;
				if (type == (NTK_MSG_GROUP_BY_GID | NTK_MSG_REPLY))
					found++;
				else if (type == NTK_MSG_ERROR)
					notfound++;     /* NOT_FOUND; any other error is as good here */
				else
					other++;
			}
			busy += f[i].fd >= 0 && (f[i].inflight > 0 || (f[i].next < stop && f[i].next <= last));
		}
	} while (busy > 0);
	for (i = 0; i < nconns; i++)
		if (f[i].fd >= 0)
			close(f[i].fd);
	free(f);
	printf("found=%ld notfound=%ld other=%ld\n", found, notfound, other);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	if (strcmp(argv[2], "hold") == 0 && argc == 4)
		return hold(argv[1], strtol(argv[3], NULL, 10));
	if (strcmp(argv[2], "pingidle") == 0 && argc == 5)
		return pingidle(argv[1], strtol(argv[3], NULL, 10), strtol(argv[4], NULL, 10));
	if (strcmp(argv[2], "gids") == 0 && argc == 6 && strtol(argv[5], NULL, 10) > 0)
		return gids(argv[1], (uint32_t)strtoul(argv[3], NULL, 10),
		    (uint32_t)strtoul(argv[4], NULL, 10), strtol(argv[5], NULL, 10));
	usage();
	return 2;
}
