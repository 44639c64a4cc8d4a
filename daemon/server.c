/* The epoll loop hands ready connections (EPOLLONESHOT) to a pool of worker threads. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "directory.h"
#include "dispatch.h"
#include "log.h"
#include "ntk_err.h"
#include "ntk_proto.h"
#include "server.h"

#define IN_MAX (NTK_HEADER_LEN + NTK_REQUEST_MAX)
#define MSGS_PER_TURN 64                /* then let other connections have a worker */

struct conn {
	int fd;
	struct ntkd_peer peer;
	uint8_t *in;
	size_t len, cap;
	int64_t last_ms;                /* last byte read */
	int64_t partial_ms;             /* first byte of an unfinished message; 0: none */
	bool busy;                      /* a worker owns it */
	struct conn *prev, *next;       /* every connection */
	struct conn *qnext;             /* the ready queue */
};

struct server {
	struct ntkd *d;
	int epfd;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct conn *conns;
	struct conn *qhead, *qtail;
	unsigned nconns;
	bool stopping;
};

struct worker_arg {
	struct server *s;
	struct ntkd_worker w;
};

/* Markers for the two non-connection fds in epoll. */
static char listen_tag, signal_tag;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Close and free a connection (lock held, not owned by a worker or owned by the caller). */
static void
conn_free(struct server *s, struct conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->nconns--;
	atomic_store(&s->d->connections, s->nconns);
	close(c->fd);                   /* also removes it from epoll */
	free(c->in);
	free(c);
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	int64_t deadline = now_ms() + NTKD_WRITE_DEADLINE_MS;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t k;
	int64_t left;

	while (n > 0) {
		k = send(fd, p, n, MSG_NOSIGNAL);
		if (k > 0) {
			p += k;
			n -= (size_t)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return NTK_ERR_IO;
		if ((left = deadline - now_ms()) <= 0)
			return NTK_ERR_TIMEOUT;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return NTK_ERR_IO;
	}
	return 0;
}

/*
 * Answer every complete message in the buffer. Returns false when the
 * connection must close (bad header, undecodable request, write failure).
 */
static bool
answer(struct ntkd_worker *w, struct conn *c, struct ntk_buf *out, int *budget)
{
	size_t off = 0;
	uint32_t blen;
	uint16_t type;
	bool ok = true;

	while (c->len - off >= NTK_HEADER_LEN && *budget > 0) {
		if (ntk_proto_header(c->in + off, NTK_REQUEST_MAX, &blen, &type) != 0 ||
		    (type & NTK_MSG_REPLY) != 0) {
			ok = false;     /* wrong version, oversized, or not a request */
			break;
		}
		if (c->len - off - NTK_HEADER_LEN < blen)
			break;
		(*budget)--;
		if (ntkd_dispatch(w, &c->peer, type, c->in + off + NTK_HEADER_LEN, blen, out))
			ok = false;
		if (out->len > 0 && write_all(c->fd, out->data, out->len) != 0)
			ok = false;
		off += NTK_HEADER_LEN + blen;
		if (!ok)
			break;
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->len - off);
		c->len -= off;
	}
	return ok;
}

/* Read and answer what the connection has; false: close it. */
static bool
serve(struct ntkd_worker *w, struct conn *c, struct ntk_buf *out)
{
	int budget = MSGS_PER_TURN;
	ssize_t k;
	uint8_t *p;

	while (budget > 0) {
		if (c->cap - c->len < 4096 && c->cap < IN_MAX) {
			size_t cap = c->cap == 0 ? 4096 : c->cap * 2;

			if (cap > IN_MAX)
				cap = IN_MAX;
			if ((p = realloc(c->in, cap)) == NULL)
				return false;
			c->in = p;
			c->cap = cap;
		}
		if (c->len == c->cap)
			return false;   /* cannot happen: IN_MAX holds one whole message */
		k = recv(c->fd, c->in + c->len, c->cap - c->len, 0);
		if (k == 0)
			return false;
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return false;
		}
		c->len += (size_t)k;
		c->last_ms = now_ms();
		if (c->partial_ms == 0)
			c->partial_ms = c->last_ms;
		if (!answer(w, c, out, &budget))
			return false;
		if (c->len == 0)
			c->partial_ms = 0;
	}
	return true;
}

static void
rearm(struct server *s, struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.ptr = c };

	if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		conn_free(s, c);
}

static void *
worker_main(void *arg)
{
	struct worker_arg *wa = arg;
	struct server *s = wa->s;
	struct ntk_buf out;
	struct conn *c;
	bool keep;

	ntk_buf_init(&out, NTK_HEADER_LEN + NTK_REPLY_MAX);
	for (;;) {
		pthread_mutex_lock(&s->lock);
		while (s->qhead == NULL && !s->stopping)
			pthread_cond_wait(&s->cond, &s->lock);
		if (s->qhead == NULL) {
			pthread_mutex_unlock(&s->lock);
			break;
		}
		c = s->qhead;
		s->qhead = c->qnext;
		if (s->qhead == NULL)
			s->qtail = NULL;
		pthread_mutex_unlock(&s->lock);

		keep = serve(&wa->w, c, &out);
		ntk_buf_reset(&out);

		pthread_mutex_lock(&s->lock);
		c->busy = false;
		if (!keep || s->stopping)
			conn_free(s, c);
		else
			rearm(s, c);
		pthread_mutex_unlock(&s->lock);
	}
	ntk_buf_free(&out);
	ntkd_directory_close(wa->w.dir);
	ntkd_snapshot_unref(wa->w.dir_snap);
	wa->w.dir = NULL;
	wa->w.dir_snap = NULL;
	return NULL;
}

static void
accept_all(struct server *s, int lfd)
{
	struct epoll_event ev;
	struct conn *c;
	int fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				ntkd_log(LOG_WARNING, "accept: %s", strerror(errno));
			return;
		}
		if (s->nconns >= NTKD_MAX_CONNECTIONS || (c = calloc(1, sizeof(*c))) == NULL) {
			ntkd_log(LOG_WARNING, "connection refused: %u connections open", s->nconns);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->last_ms = now_ms();
		if (ntkd_peer_from_fd(fd, &c->peer) != 0) {
			close(fd);
			free(c);
			continue;
		}
		pthread_mutex_lock(&s->lock);
		c->next = s->conns;
		if (s->conns != NULL)
			s->conns->prev = c;
		s->conns = c;
		s->nconns++;
		atomic_store(&s->d->connections, s->nconns);
		ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
		ev.data.ptr = c;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
			conn_free(s, c);
		pthread_mutex_unlock(&s->lock);
	}
}

/* Close connections stuck mid-message or idle too long (not those a worker holds). */
static void
sweep(struct server *s)
{
	int64_t now = now_ms();
	struct conn *c, *next;

	pthread_mutex_lock(&s->lock);
	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		if (c->busy)
			continue;
		if ((c->partial_ms != 0 && now - c->partial_ms > NTKD_READ_DEADLINE_MS) ||
		    now - c->last_ms > NTKD_IDLE_CLOSE_MS) {
			ntkd_log(LOG_DEBUG, "closing %s connection from uid %lu",
			    c->partial_ms != 0 ? "stalled" : "idle", (unsigned long)c->peer.uid);
			conn_free(s, c);
		}
	}
	pthread_mutex_unlock(&s->lock);
}

static void
enqueue(struct server *s, struct conn *c)
{
	pthread_mutex_lock(&s->lock);
	c->busy = true;
	c->qnext = NULL;
	if (s->qtail != NULL)
		s->qtail->qnext = c;
	else
		s->qhead = c;
	s->qtail = c;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

/* Returns true when asked to stop. */
static bool
on_signal(struct server *s, int sigfd)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			ntkd_reload(s->d);
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			ntkd_log(LOG_INFO, "signal %u: stopping", si.ssi_signo);
			return true;
		}
	}
	return false;
}

int
ntkd_server_run(struct ntkd *d, int lfd, int sigfd, unsigned nthreads)
{
	struct server s;
	struct worker_arg *workers = NULL;
	struct epoll_event ev, evs[64];
	struct conn *c;
	int64_t last_sweep = now_ms();
	unsigned i, started = 0;
	bool stop = false;
	int n, k, rc = 0;

	memset(&s, 0, sizeof(s));
	s.d = d;
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	if ((s.epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		rc = NTK_ERR_IO;
		goto out;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = &listen_tag;
	if (epoll_ctl(s.epfd, EPOLL_CTL_ADD, lfd, &ev) != 0) {
		rc = NTK_ERR_IO;
		goto out;
	}
	ev.data.ptr = &signal_tag;
	if (epoll_ctl(s.epfd, EPOLL_CTL_ADD, sigfd, &ev) != 0) {
		rc = NTK_ERR_IO;
		goto out;
	}
	if (nthreads == 0)
		nthreads = 1;
	if ((workers = calloc(nthreads, sizeof(*workers))) == NULL) {
		rc = NTK_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < nthreads; i++) {
		workers[i].s = &s;
		workers[i].w.d = d;
		if (pthread_create(&workers[i].w.thread, NULL, worker_main, &workers[i]) != 0) {
			rc = NTK_ERR_INTERNAL;
			goto out;
		}
		started++;
	}
	ntkd_log(LOG_INFO, "ready: %u worker threads", nthreads);
	while (!stop) {
		n = epoll_wait(s.epfd, evs, 64, 1000);
		if (n < 0 && errno != EINTR) {
			ntkd_log(LOG_ERR, "epoll_wait: %s", strerror(errno));
			rc = NTK_ERR_IO;
			break;
		}
		for (k = 0; k < n; k++) {
			if (evs[k].data.ptr == &listen_tag)
				accept_all(&s, lfd);
			else if (evs[k].data.ptr == &signal_tag)
				stop = on_signal(&s, sigfd) || stop;
			else
				enqueue(&s, evs[k].data.ptr);
		}
		if (now_ms() - last_sweep >= 1000) {
			sweep(&s);
			last_sweep = now_ms();
		}
	}
 out:
	pthread_mutex_lock(&s.lock);
	s.stopping = true;
	pthread_cond_broadcast(&s.cond);
	pthread_mutex_unlock(&s.lock);
	for (i = 0; i < started; i++)
		pthread_join(workers[i].w.thread, NULL);
	/* Connections still queued were never picked up: close them with the rest. */
	while ((c = s.conns) != NULL)
		conn_free(&s, c);
	free(workers);
	if (s.epfd >= 0)
		close(s.epfd);
	pthread_cond_destroy(&s.cond);
	pthread_mutex_destroy(&s.lock);
	return rc;
}
