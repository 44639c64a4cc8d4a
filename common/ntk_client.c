/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client side of the ntkd socket: connect, send one framed request, read one bounded reply. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ntk_buf.h"
#include "ntk_case_index.h"
#include "ntk_client.h"
#include "ntk_clock.h"
#include "ntk_err.h"
#include "ntk_peer.h"
#include "ntk_proto.h"

struct ntk_conn {
	int fd;
	pid_t pid;              /* the process that opened it */
	int timeout_ms;         /* for connect, and for each call as a whole */
	bool broken;            /* the stream lost its framing: refuse further calls */
};

/* Wait for `events` on fd until `deadline`; 0, NTK_ERR_TIMEOUT or NTK_ERR_IO. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd;
	int64_t left;
	int n;

	for (;;) {
		left = deadline - ntk_mono_ms();
		if (left <= 0)
			return NTK_ERR_TIMEOUT;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return NTK_ERR_IO;
		}
		if (n == 0)
			return NTK_ERR_TIMEOUT;
		/* POLLHUP/POLLERR: let the following recv/send report what happened. */
		return 0;
	}
}

/* Pause a few milliseconds, without going past the deadline. */
static void
nap(int64_t deadline)
{
	int64_t left = deadline - ntk_mono_ms();

	if (left > 10)
		left = 10;
	if (left > 0)
		poll(NULL, 0, (int)left);
}

int
ntk_conn_open(const char *path, int timeout_ms, struct ntk_conn **out)
{
	uid_t ignored;

	return ntk_conn_open_uid(path, timeout_ms, out, &ignored);
}

int
ntk_conn_open_uid(const char *path, int timeout_ms, struct ntk_conn **out, uid_t *server_uid)
{
	struct sockaddr_un sa;
	struct ntk_conn *c = NULL;
	socklen_t elen;
	int64_t deadline;
	int fd = -1, err, r;

	*out = NULL;
	*server_uid = (uid_t)-1;
	if (path == NULL || path[0] == '\0' || timeout_ms <= 0)
		return NTK_ERR_BAD_VALUE;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return NTK_ERR_TOO_LONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	deadline = ntk_mono_ms() + timeout_ms;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NTK_ERR_NOMEM;
	c->fd = -1;
	/* Non-blocking throughout: every wait goes through poll() and a deadline. */
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
		r = NTK_ERR_IO;
		goto out;
	}
	for (;;) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		if (errno == EAGAIN) {
			/* Listen backlog full: the connect did not start, try again. */
			if (ntk_mono_ms() >= deadline) {
				r = NTK_ERR_TIMEOUT;
				goto out;
			}
			nap(deadline);
			continue;
		}
		if (errno != EINPROGRESS && errno != EINTR) {
			r = NTK_ERR_IO;
			goto out;
		}
		if ((r = wait_fd(fd, POLLOUT, deadline)) != 0)
			goto out;
		elen = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) {
			r = NTK_ERR_IO;
			goto out;
		}
		if (err != 0) {
			errno = err;
			r = NTK_ERR_IO;
			goto out;
		}
		break;
	}
	/*
	 * Anyone may bind a socket where a client is pointed (socket=, NTK_SOCKET,
	 * ntk.socket): believe it only when root, ntkd's user or our own uid listens on it.
	 */
	if ((r = ntk_peer_verify(fd, server_uid)) != 0)
		goto out;
	c->fd = fd;
	fd = -1;
	c->pid = getpid();
	c->timeout_ms = timeout_ms;
	*out = c;
	c = NULL;
	r = 0;
 out:
	if (fd >= 0) {
		err = errno;
		close(fd);
		errno = err;
	}
	free(c);
	return r;
}

void
ntk_conn_close(struct ntk_conn *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

pid_t
ntk_conn_pid(const struct ntk_conn *c)
{
	return c != NULL ? c->pid : -1;
}

int
ntk_conn_fd(const struct ntk_conn *c)
{
	return c != NULL ? c->fd : -1;
}

static int
send_all(int fd, const uint8_t *p, size_t n, int64_t deadline)
{
	ssize_t w;
	int r;

	while (n > 0) {
		/* MSG_NOSIGNAL: a closed peer is EPIPE here, never a SIGPIPE in our host process. */
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if ((r = wait_fd(fd, POLLOUT, deadline)) != 0)
					return r;
				continue;
			}
			if (errno == EPIPE || errno == ECONNRESET)
				return NTK_ERR_CLOSED;
			return NTK_ERR_IO;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Read exactly n bytes. End of stream before the first byte is CLOSED when
 * `first` (nothing of the reply seen yet), TRUNCATED otherwise.
 */
static int
recv_all(int fd, uint8_t *p, size_t n, int64_t deadline, bool first)
{
	size_t got = 0;
	ssize_t rd;
	int r;

	while (got < n) {
		rd = recv(fd, p + got, n - got, 0);
		if (rd < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if ((r = wait_fd(fd, POLLIN, deadline)) != 0)
					return r;
				continue;
			}
			if (errno == ECONNRESET)
				return first && got == 0 ? NTK_ERR_CLOSED : NTK_ERR_TRUNCATED;
			return NTK_ERR_IO;
		}
		if (rd == 0)
			return first && got == 0 ? NTK_ERR_CLOSED : NTK_ERR_TRUNCATED;
		got += (size_t)rd;
	}
	return 0;
}

/* Turn an ERROR body into its code; a malformed one is an error of its own. */
static int
error_reply(struct ntk_buf *rep)
{
	char *msg = NULL;
	int code, r;

	if ((r = ntk_proto_decode_error(rep, &code, &msg)) != 0)
		return r;
	free(msg);
	return code;
}

int
ntk_conn_call(struct ntk_conn *c, const struct ntk_buf *req, uint16_t expect_type,
    struct ntk_buf *rep)
{
	uint8_t hdr[NTK_HEADER_LEN];
	uint8_t *p;
	uint32_t len;
	uint16_t type;
	int64_t deadline;
	int r;

	ntk_buf_reset(rep);
	if (c == NULL || c->fd < 0 || c->broken)
		return NTK_ERR_IO;
	/* A forked child must not read the parent's replies. */
	if (c->pid != getpid())
		return NTK_ERR_IO;
	if (req == NULL || req->data == NULL || req->len < NTK_HEADER_LEN)
		return NTK_ERR_INTERNAL;
	expect_type |= NTK_MSG_REPLY;
	deadline = ntk_mono_ms() + c->timeout_ms;

	if ((r = send_all(c->fd, req->data, req->len, deadline)) != 0 ||
	    (r = recv_all(c->fd, hdr, sizeof(hdr), deadline, true)) != 0 ||
	    (r = ntk_proto_header(hdr, NTK_REPLY_MAX, &len, &type)) != 0)
		goto fail;
	if ((p = ntk_buf_reserve(rep, len)) == NULL) {
		r = len > rep->max ? NTK_ERR_TOO_LONG : NTK_ERR_NOMEM;
		goto fail;
	}
	if ((r = recv_all(c->fd, p, len, deadline, false)) != 0)
		goto fail;
	ntk_buf_commit(rep, len);

	/* The reply is complete: the stream is still in step whatever it says. */
	if (type == NTK_MSG_ERROR) {
		r = error_reply(rep);
		ntk_buf_reset(rep);
		return r;
	}
	if (type != expect_type) {
		ntk_buf_reset(rep);
		return NTK_ERR_BAD_TYPE;
	}
	return 0;
 fail:
	/* Part of a message may be left in the socket: nothing after it can be trusted. */
	c->broken = true;
	ntk_buf_reset(rep);
	return r;
}

/* ---- typed calls -------------------------------------------------------- */

/*
 * The request and reply buffers of one typed call. The request is framed
 * by the caller between begin and ntk_proto_end.
 */
struct call {
	struct ntk_buf req;
	struct ntk_buf rep;
};

static int
call_begin(struct call *k, uint16_t type)
{
	ntk_buf_init(&k->req, NTK_HEADER_LEN + NTK_REQUEST_MAX);
	ntk_buf_init(&k->rep, NTK_REPLY_MAX);
	return ntk_proto_begin(&k->req, type);
}

static int
call_send(struct ntk_conn *c, struct call *k, uint16_t type)
{
	int r;

	if ((r = ntk_proto_end(&k->req)) != 0)
		return r;
	return ntk_conn_call(c, &k->req, type, &k->rep);
}

static void
call_done(struct call *k)
{
	ntk_buf_free(&k->req);
	ntk_buf_free(&k->rep);
}

int
ntk_client_ping(struct ntk_conn *c)
{
	struct call k;
	int r;

	if ((r = call_begin(&k, NTK_MSG_PING)) != 0 ||
	    (r = call_send(c, &k, NTK_MSG_PING)) != 0)
		goto out;
	r = ntk_proto_expect_end(&k.rep);
 out:
	call_done(&k);
	return r;
}

int
ntk_client_check(struct ntk_conn *c, const struct ntk_check_req *req, struct ntk_check_rep *rep)
{
	struct call k;
	int r;

	memset(rep, 0, sizeof(*rep));
	if ((r = call_begin(&k, NTK_MSG_CHECK)) != 0 ||
	    (r = ntk_proto_encode_check_req(&k.req, req)) != 0 ||
	    (r = call_send(c, &k, NTK_MSG_CHECK)) != 0)
		goto out;
	r = ntk_proto_decode_check_rep(&k.rep, rep);
 out:
	call_done(&k);
	return r;
}

int
ntk_client_break_glass(struct ntk_conn *c, const char *user, const char *system,
    const char *case_id, const char *reason, struct ntk_check_rep *rep)
{
	struct ntk_check_req req;

	memset(rep, 0, sizeof(*rep));
	/* An empty reason would be an ordinary decision: never send one as a break-glass request. */
	if (user == NULL || system == NULL || case_id == NULL || reason == NULL ||
	    user[0] == '\0' || system[0] == '\0' || case_id[0] == '\0' || reason[0] == '\0')
		return NTK_ERR_BAD_VALUE;
	memset(&req, 0, sizeof(req));
	req.user = (char *)user;
	req.system = (char *)system;
	req.action = NTK_ACTION_READ;
	req.case_id = (char *)case_id;
	req.state = NTK_STATE_OPEN;
	req.reason = (char *)reason;
	req.rhost = "";
	req.tty = "";
	return ntk_client_check(c, &req, rep);
}

int
ntk_client_facts(struct ntk_conn *c, const struct ntk_facts_req *req, struct ntk_facts_rep *rep)
{
	struct call k;
	int r;

	memset(rep, 0, sizeof(*rep));
	if ((r = call_begin(&k, NTK_MSG_FACTS)) != 0 ||
	    (r = ntk_proto_encode_facts_req(&k.req, req)) != 0 ||
	    (r = call_send(c, &k, NTK_MSG_FACTS)) != 0)
		goto out;
	/*
	 * The SQL plugins decide row by row from these facts: index them once
	 * (without memory for it, decisions scan, with the same outcomes).
	 */
	if ((r = ntk_proto_decode_facts_rep(&k.rep, rep)) == 0)
		(void)ntk_case_index_build(&rep->subject);
 out:
	call_done(&k);
	return r;
}

int
ntk_client_report(struct ntk_conn *c, const struct ntk_report_req *req)
{
	struct call k;
	int r;

	if ((r = call_begin(&k, NTK_MSG_REPORT)) != 0 ||
	    (r = ntk_proto_encode_report_req(&k.req, req)) != 0 ||
	    (r = call_send(c, &k, NTK_MSG_REPORT)) != 0)
		goto out;
	r = ntk_proto_expect_end(&k.rep);
 out:
	call_done(&k);
	return r;
}

int
ntk_client_group_by_name(struct ntk_conn *c, const char *name, struct ntk_group *out)
{
	struct call k;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = call_begin(&k, NTK_MSG_GROUP_BY_NAME)) != 0 ||
	    (r = ntk_proto_encode_str(&k.req, name)) != 0 ||
	    (r = call_send(c, &k, NTK_MSG_GROUP_BY_NAME)) != 0)
		goto out;
	r = ntk_proto_decode_group(&k.rep, out);
 out:
	call_done(&k);
	return r;
}

int
ntk_client_group_by_gid(struct ntk_conn *c, uint32_t gid, struct ntk_group *out)
{
	struct call k;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = call_begin(&k, NTK_MSG_GROUP_BY_GID)) != 0 ||
	    (r = ntk_proto_encode_u32(&k.req, gid)) != 0 ||
	    (r = call_send(c, &k, NTK_MSG_GROUP_BY_GID)) != 0)
		goto out;
	r = ntk_proto_decode_group(&k.rep, out);
 out:
	call_done(&k);
	return r;
}

int
ntk_client_initgroups(struct ntk_conn *c, const char *user, struct ntk_gid_list *out)
{
	struct call k;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = call_begin(&k, NTK_MSG_INITGROUPS)) != 0 ||
	    (r = ntk_proto_encode_str(&k.req, user)) != 0 ||
	    (r = call_send(c, &k, NTK_MSG_INITGROUPS)) != 0)
		goto out;
	r = ntk_proto_decode_gid_list(&k.rep, out);
 out:
	call_done(&k);
	return r;
}

int
ntk_client_group_list(struct ntk_conn *c, struct ntk_group_list *out)
{
	struct call k;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = call_begin(&k, NTK_MSG_GROUP_LIST)) != 0 ||
	    (r = call_send(c, &k, NTK_MSG_GROUP_LIST)) != 0)
		goto out;
	r = ntk_proto_decode_group_list(&k.rep, out);
 out:
	call_done(&k);
	return r;
}

int
ntk_client_status(struct ntk_conn *c, char **text)
{
	struct call k;
	int r;

	*text = NULL;
	if ((r = call_begin(&k, NTK_MSG_STATUS)) != 0 ||
	    (r = call_send(c, &k, NTK_MSG_STATUS)) != 0)
		goto out;
	r = ntk_proto_decode_str(&k.rep, text);
 out:
	call_done(&k);
	return r;
}

int
ntk_client_flush(struct ntk_conn *c, const char *user, uint32_t *dropped)
{
	struct call k;
	int r;

	*dropped = 0;
	if ((r = call_begin(&k, NTK_MSG_FLUSH)) != 0 ||
	    (r = ntk_proto_encode_str(&k.req, user)) != 0 ||
	    (r = call_send(c, &k, NTK_MSG_FLUSH)) != 0)
		goto out;
	r = ntk_proto_decode_u32(&k.rep, dropped);
 out:
	call_done(&k);
	return r;
}
