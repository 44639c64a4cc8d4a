/* The epoll loop hands ready connections (EPOLLONESHOT) to a pool of worker threads. */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
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
#include "ntk_clock.h"
#include "ntk_err.h"
#include "ntk_proto.h"
#include "server.h"

#define IN_MAX (NTK_HEADER_LEN + NTK_REQUEST_MAX)
#define READS_PER_TURN 16               /* then let other connections have a worker */

struct conn {
	int fd;
	struct ntkd_peer peer;
	uint8_t *in;
	size_t len, cap;
	/* Atomic: the worker writes them, the sweep reads them. */
	_Atomic int64_t last_ms;        /* last byte read */
	_Atomic int64_t partial_ms;     /* first byte of an unfinished message; 0: none */
	atomic_bool doomed;             /* shut down by the sweep; a worker frees it */
	struct conn *prev, *next;       /* every connection */
};

/*
 * Workers wait in epoll_wait on `cepfd` themselves (leader/follower): a
 * ready connection wakes one worker directly, EPOLLONESHOT keeps it to
 * that worker until it is re-armed. The main thread only accepts, reads
 * signals and sweeps; it never frees a connection a worker may hold, it
 * shuts it down and lets the wakeup reach a worker.
 */
struct server {
	struct ntkd *d;
	int epfd;                       /* main thread: listen socket, signalfd */
	int cepfd;                      /* connections, and the stop eventfd */
	int stopfd;                     /* eventfd: readable once stopping */
	pthread_mutex_t lock;           /* the connection list and counts */
	struct conn *conns;
	unsigned nconns;
};

struct worker_arg {
	struct server *s;
	struct ntkd_worker w;
};

/* Markers for the two non-connection fds in epoll. */
static char listen_tag, signal_tag, stop_tag;

/* Close and free a connection (lock held; the caller is the worker holding it, or nobody can). */
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
	int64_t deadline = ntk_mono_ms() + NTKD_WRITE_DEADLINE_MS;
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
		if ((left = deadline - ntk_mono_ms()) <= 0)
			return NTK_ERR_TIMEOUT;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return NTK_ERR_IO;
	}
	return 0;
}

/*
 * Answer every complete message in the buffer (all of them: a message left
 * behind would wait for bytes that may never come). Returns false when the
 * connection must close (bad header, undecodable request, write failure).
 */
static bool
answer(struct ntkd_worker *w, struct conn *c, struct ntk_buf *out)
{
	size_t off = 0;
	uint32_t blen;
	uint16_t type;
	bool ok = true;

	while (c->len - off >= NTK_HEADER_LEN) {
		if (ntk_proto_header(c->in + off, NTK_REQUEST_MAX, &blen, &type) != 0 ||
		    (type & NTK_MSG_REPLY) != 0) {
			ok = false;     /* wrong version, oversized, or not a request */
			break;
		}
		if (c->len - off - NTK_HEADER_LEN < blen)
			break;
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
		/* The read deadline runs from the first byte of the message still unfinished. */
		c->partial_ms = c->len > 0 ? ntk_mono_ms() : 0;
	}
	return ok;
}

/*
 * Read and answer what the connection has, at most READS_PER_TURN reads
 * (then other connections get the worker; epoll wakes us again for the
 * rest). False: close it.
 */
static bool
serve(struct ntkd_worker *w, struct conn *c, struct ntk_buf *out)
{
	int reads;
	ssize_t k;
	uint8_t *p;

	for (reads = 0; reads < READS_PER_TURN; reads++) {
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
		c->last_ms = ntk_mono_ms();
		if (c->partial_ms == 0)
			c->partial_ms = c->last_ms;
		if (!answer(w, c, out))
			return false;
	}
	return true;
}

static void
rearm(struct server *s, struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.ptr = c };

	if (epoll_ctl(s->cepfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		conn_free(s, c);
}

static void *
worker_main(void *arg)
{
	struct worker_arg *wa = arg;
	struct server *s = wa->s;
	struct epoll_event ev;
	struct ntk_buf out;
	struct conn *c;
	bool keep;
	int n;

	ntk_buf_init(&out, NTK_HEADER_LEN + NTK_REPLY_MAX);
	for (;;) {
		n = epoll_wait(s->cepfd, &ev, 1, -1);
		if (n < 0 && errno != EINTR) {
			ntkd_log(LOG_ERR, "worker epoll_wait: %s", strerror(errno));
			break;
		}
		if (n <= 0)
			continue;
		if (ev.data.ptr == &stop_tag)
			break;  /* level-triggered: every worker sees it */
		c = ev.data.ptr;
		/*
		 * The worker that re-armed it did so holding the lock: taking it
		 * once orders its writes to the connection before ours (epoll
		 * alone does too, but invisibly to thread checkers).
		 */
		pthread_mutex_lock(&s->lock);
		pthread_mutex_unlock(&s->lock);
		keep = !c->doomed && serve(&wa->w, c, &out);
		ntk_buf_reset(&out);

		pthread_mutex_lock(&s->lock);
		if (!keep || c->doomed)
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
		if (atomic_load(&s->d->connections) >= NTKD_MAX_CONNECTIONS ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			ntkd_log(LOG_WARNING, "connection refused: %u connections open",
			    atomic_load(&s->d->connections));
			close(fd);
			continue;
		}
		c->fd = fd;
		c->last_ms = ntk_mono_ms();
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
		if (epoll_ctl(s->cepfd, EPOLL_CTL_ADD, fd, &ev) != 0)
			conn_free(s, c);
		pthread_mutex_unlock(&s->lock);
	}
}

/*
 * Connections stuck mid-message or idle too long are shut down: the
 * hangup wakes a worker (now, or when one finishes with it), which frees it.
 */
static void
sweep(struct server *s)
{
	int64_t now = ntk_mono_ms();
	struct conn *c;

	pthread_mutex_lock(&s->lock);
	for (c = s->conns; c != NULL; c = c->next) {
		if (c->doomed)
			continue;
		if ((c->partial_ms != 0 && now - c->partial_ms > NTKD_READ_DEADLINE_MS) ||
		    now - c->last_ms > NTKD_IDLE_CLOSE_MS) {
			ntkd_log(LOG_DEBUG, "closing %s connection from uid %lu",
			    c->partial_ms != 0 ? "stalled" : "idle", (unsigned long)c->peer.uid);
			c->doomed = true;
			shutdown(c->fd, SHUT_RDWR);
		}
	}
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

static int
add_fd(int epfd, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : NTK_ERR_IO;
}

int
ntkd_server_run(struct ntkd *d, int lfd, int sigfd, unsigned nthreads)
{
	struct server s;
	struct worker_arg *workers = NULL;
	struct epoll_event evs[16];
	struct conn *c;
	int64_t last_sweep = ntk_mono_ms();
	unsigned i, started = 0;
	bool stop = false;
	int n, k, rc = 0;

	memset(&s, 0, sizeof(s));
	s.d = d;
	s.epfd = s.cepfd = s.stopfd = -1;
	pthread_mutex_init(&s.lock, NULL);
	if ((s.epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (s.cepfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (s.stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
	    add_fd(s.epfd, lfd, &listen_tag) != 0 ||
	    add_fd(s.epfd, sigfd, &signal_tag) != 0 ||
	    add_fd(s.cepfd, s.stopfd, &stop_tag) != 0) {
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
		n = epoll_wait(s.epfd, evs, 16, 1000);
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
		}
		if (ntk_mono_ms() - last_sweep >= 1000) {
			sweep(&s);
			last_sweep = ntk_mono_ms();
		}
	}
 out:
	/* Wake every worker: the eventfd stays readable (level-triggered). */
	if (s.stopfd >= 0) {
		uint64_t one = 1;

		if (write(s.stopfd, &one, sizeof(one)) != sizeof(one))
			ntkd_log(LOG_ERR, "cannot wake the workers");
	}
	for (i = 0; i < started; i++)
		pthread_join(workers[i].w.thread, NULL);
	/* Every worker is gone: what is left belongs to nobody. */
	pthread_mutex_lock(&s.lock);
	while ((c = s.conns) != NULL)
		conn_free(&s, c);
	pthread_mutex_unlock(&s.lock);
	free(workers);
	if (s.stopfd >= 0)
		close(s.stopfd);
	if (s.cepfd >= 0)
		close(s.cepfd);
	if (s.epfd >= 0)
		close(s.epfd);
	pthread_mutex_destroy(&s.lock);
	return rc;
}
