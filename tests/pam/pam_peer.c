/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pam_peer: hostile or broken peers for pam_ntk's tests (a bad ntkd socket, a syslog sink). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ntk_err.h"
#include "ntk_proto.h"

/*
 * Usage:
 *   pam_peer reply MODE SOCKET    answer every request on SOCKET badly, for
 *                                 at most 60 s or 200 connections. MODE:
 *       close      accept, read the request, close without a byte
 *       short      send 3 bytes of a header and close
 *       version    a header with a protocol version we do not speak
 *       huge       a header announcing a body over the reply limit
 *       truncated  a CHECK reply header whose body is cut short
 *       garbage    a CHECK reply whose body is random-looking bytes
 *       badoutcome a well-formed CHECK reply with outcome 9999
 *       denied     an ERROR reply with NTK_ERR_DENIED
 *       wrongtype  a PING reply to a CHECK
 *       silent     never answer (the client must time out)
 *       allow      a well-formed CHECK reply: ALLOW rule=system-access (an
 *                  impostor's answer, for a peer run by an untrusted uid)
 *   pam_peer syslog PATH OUTFILE  a datagram sink at PATH appending each
 *                                 message as a line to OUTFILE, for 60 s.
 * Prints "ready" on stdout once listening.
 */

#define PEER_LIFETIME_S 60
#define PEER_MAX_CONNS 200

static int
peer_unix(const char *path, int type, struct sockaddr_un *sa)
{
	int fd;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -1;
	strcpy(sa->sun_path, path);
	unlink(path);
	if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)sa, sizeof(*sa)) != 0) {
		close(fd);
		return -1;
	}
	chmod(path, 0666);
	return fd;
}

static void
peer_put_header(uint8_t *h, uint32_t len, uint16_t version, uint16_t type)
{
	h[0] = (uint8_t)(len >> 24);
	h[1] = (uint8_t)(len >> 16);
	h[2] = (uint8_t)(len >> 8);
	h[3] = (uint8_t)len;
	h[4] = (uint8_t)(version >> 8);
	h[5] = (uint8_t)version;
	h[6] = (uint8_t)(type >> 8);
	h[7] = (uint8_t)type;
}

static void
peer_write(int fd, const void *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p = (const uint8_t *)p + w;
		n -= (size_t)w;
	}
}

/* Read one request: header, then its body, discarded. */
static void
peer_read_request(int fd)
{
	uint8_t h[NTK_HEADER_LEN], sink[4096];
	size_t got = 0;
	uint32_t len;
	ssize_t r;

	while (got < sizeof(h)) {
		if ((r = recv(fd, h + got, sizeof(h) - got, 0)) <= 0)
			return;
		got += (size_t)r;
	}
	len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
	while (len > 0) {
		if ((r = recv(fd, sink, len < sizeof(sink) ? len : sizeof(sink), 0)) <= 0)
			return;
		len -= (uint32_t)r;
	}
}

static void
peer_answer(int fd, const char *mode)
{
	uint8_t m[256];
	uint16_t rep = NTK_MSG_CHECK | NTK_MSG_REPLY;
	size_t i;

	if (strcmp(mode, "silent") == 0) {
		/* Hold the connection open past any sane client timeout. */
		poll(NULL, 0, 5000);
		return;
	}
	peer_read_request(fd);
	if (strcmp(mode, "close") == 0) {
		return;
	} else if (strcmp(mode, "short") == 0) {
		peer_put_header(m, 12, NTK_PROTO_VERSION, rep);
		peer_write(fd, m, 3);
	} else if (strcmp(mode, "version") == 0) {
		peer_put_header(m, 0, NTK_PROTO_VERSION + 7, rep);
		peer_write(fd, m, NTK_HEADER_LEN);
	} else if (strcmp(mode, "huge") == 0) {
		peer_put_header(m, NTK_REPLY_MAX + 1, NTK_PROTO_VERSION, rep);
		peer_write(fd, m, NTK_HEADER_LEN);
	} else if (strcmp(mode, "truncated") == 0) {
		/* Promises 40 bytes, sends 6: outcome 0 (allow!) and half a string length. */
		peer_put_header(m, 40, NTK_PROTO_VERSION, rep);
		memset(m + 8, 0, 6);
		peer_write(fd, m, 14);
	} else if (strcmp(mode, "garbage") == 0) {
		peer_put_header(m, 64, NTK_PROTO_VERSION, rep);
		for (i = 0; i < 64; i++)
			m[8 + i] = (uint8_t)(i * 37 + 11);
		m[8] = m[9] = m[10] = m[11] = 0;    /* outcome 0: an allow, if anyone believed it */
		peer_write(fd, m, 72);
	} else if (strcmp(mode, "badoutcome") == 0) {
		/* outcome 9999, verdict "", explain "", grant_expires 0, deny_message "" */
		peer_put_header(m, 24, NTK_PROTO_VERSION, rep);
		memset(m + 8, 0, 24);
		m[10] = 0x27;
		m[11] = 0x0f;
		peer_write(fd, m, 32);
	} else if (strcmp(mode, "denied") == 0) {
		/* i32 code, str message "no" */
		int32_t code = NTK_ERR_DENIED;
		uint32_t u = (uint32_t)code;

		peer_put_header(m, 10, NTK_PROTO_VERSION, NTK_MSG_ERROR);
		m[8] = (uint8_t)(u >> 24);
		m[9] = (uint8_t)(u >> 16);
		m[10] = (uint8_t)(u >> 8);
		m[11] = (uint8_t)u;
		memset(m + 12, 0, 4);
		m[15] = 2;
		m[16] = 'n';
		m[17] = 'o';
		peer_write(fd, m, 18);
	} else if (strcmp(mode, "allow") == 0) {
		/* outcome 0 (system-access), verdict "", explain "", grant_expires 0, deny_message "" */
		peer_put_header(m, 24, NTK_PROTO_VERSION, rep);
		memset(m + 8, 0, 24);
		peer_write(fd, m, 32);
	} else if (strcmp(mode, "wrongtype") == 0) {
		peer_put_header(m, 0, NTK_PROTO_VERSION, NTK_MSG_PING | NTK_MSG_REPLY);
		peer_write(fd, m, NTK_HEADER_LEN);
	}
}

static int
peer_reply(const char *mode, const char *path)
{
	struct sockaddr_un sa;
	time_t end = time(NULL) + PEER_LIFETIME_S;
	int lfd, fd, n = 0;

	if ((lfd = peer_unix(path, SOCK_STREAM, &sa)) < 0 || listen(lfd, 16) != 0) {
		perror("pam_peer: listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (time(NULL) < end && n++ < PEER_MAX_CONNS) {
		struct pollfd p = { lfd, POLLIN, 0 };

		if (poll(&p, 1, 1000) <= 0)
			continue;
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;
		peer_answer(fd, mode);
		close(fd);
	}
	close(lfd);
	unlink(path);
	return 0;
}

static int
peer_syslog(const char *path, const char *outfile)
{
	struct sockaddr_un sa;
	time_t end = time(NULL) + PEER_LIFETIME_S;
	char msg[2048];
	FILE *out;
	ssize_t r;
	int fd;

	if ((out = fopen(outfile, "a")) == NULL || (fd = peer_unix(path, SOCK_DGRAM, &sa)) < 0) {
		perror("pam_peer: syslog");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (time(NULL) < end) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, 1000) <= 0)
			continue;
		if ((r = recv(fd, msg, sizeof(msg) - 1, 0)) <= 0)
			continue;
		msg[r] = '\0';
		fprintf(out, "%s\n", msg);
		fflush(out);
	}
	fclose(out);
	close(fd);
	unlink(path);
	return 0;
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && strcmp(argv[1], "reply") == 0)
		return peer_reply(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "syslog") == 0)
		return peer_syslog(argv[2], argv[3]);
	fprintf(stderr, "usage: pam_peer reply MODE SOCKET | pam_peer syslog PATH OUTFILE\n");
	return 2;
}
