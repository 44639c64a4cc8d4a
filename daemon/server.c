/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The epoll loop hands ready connections (EPOLLONESHOT) to a pool of worker threads. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <poll.h>
#include <sys/resource.h>
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
#include "notify.h"
#include "ntk_clock.h"
#include "ntk_err.h"
#include "ntk_proto.h"
#include "server.h"

#define IN_MAX (NTK_HEADER_LEN + NTK_REQUEST_MAX)
#define READS_PER_TURN 16               /* then let other connections have a worker */
#define READ_CHUNK 16384
#define UID_BUCKETS 256
#define FD_SLACK 32                     /* fds besides connections and LDAP: epoll, log, audit */

struct conn;

/* Connections held by no worker and out of epoll, waiting their turn. */
struct conn_fifo {
	struct conn *head, *tail;
};

/* One peer uid's share of the daemon (guarded by the server lock). */
struct uid_share {
	uid_t uid;
	unsigned conns;                 /* open connections */
	unsigned busy;                  /* workers serving one of them now */
	struct conn_fifo parked;        /* ready, waiting for busy to drop */
	int64_t budget_us;              /* untrusted: when its turns are paid up to (GCRA) */
	struct uid_share *next;         /* hash chain */
};

struct conn {
	int fd;
	struct ntkd_peer peer;
	bool trusted;                   /* root or trusted_peers when it connected */
	struct uid_share *share;
	struct ntk_buf in;              /* bytes read, not yet answered (IN_MAX at most) */
	/* Atomic: the worker writes them, the sweep reads them. */
	_Atomic int64_t last_ms;        /* last byte read */
	_Atomic int64_t request_ms;     /* last request other than PING, or the accept */
	_Atomic int64_t partial_ms;     /* first byte of an unfinished message; 0: none */
	atomic_bool doomed;             /* shut down by the sweep; a worker frees it */
	struct conn_fifo *waiting;      /* parked or throttled on this list; NULL: neither */
	struct conn *wait_next;
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
	pthread_mutex_t lock;           /* the connection list, counts and shares */
	struct conn *conns;
	unsigned nconns;
	unsigned nuntrusted;            /* of nconns, from untrusted peers */
	unsigned max_conns;             /* NTKD_MAX_CONNECTIONS, or less to fit RLIMIT_NOFILE */
	unsigned nworkers;
	struct uid_share *shares[UID_BUCKETS];
	struct conn_fifo throttled;     /* untrusted uids over untrusted_rate */
	atomic_uint nthrottled;
	atomic_uint rate;               /* [daemon] untrusted_rate, refreshed by the sweep */
	/* Main thread only: refusals are logged once a second, not once each. */
	unsigned long refused;
	int64_t refused_log_ms;
	int spare_fd;                   /* given up to take one connection off the backlog at EMFILE */
};

struct worker_arg {
	struct server *s;
	struct ntkd_worker w;
};

/* Markers for the two non-connection fds in epoll. */
static char listen_tag, signal_tag, stop_tag;

static struct uid_share *
share_find(const struct server *s, uid_t uid)
{
	struct uid_share *u;

	for (u = s->shares[uid % UID_BUCKETS]; u != NULL; u = u->next)
		if (u->uid == uid)
			return u;
	return NULL;
}

/* The uid's share, created on its first connection (lock held); NULL when out of memory. */
static struct uid_share *
share_get(struct server *s, uid_t uid)
{
	struct uid_share *u;

	if ((u = share_find(s, uid)) != NULL)
		return u;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	u->uid = uid;
	u->next = s->shares[uid % UID_BUCKETS];
	s->shares[uid % UID_BUCKETS] = u;
	return u;
}

static void
share_put(struct server *s, struct uid_share *u)
{
	struct uid_share **pp = &s->shares[u->uid % UID_BUCKETS];

	if (u->conns > 0)
		return;
	while (*pp != u)
		pp = &(*pp)->next;
	*pp = u->next;
	free(u);
}

static void
fifo_push(struct conn_fifo *f, struct conn *c)
{
	c->waiting = f;
	c->wait_next = NULL;
	if (f->tail != NULL)
		f->tail->wait_next = c;
	else
		f->head = c;
	f->tail = c;
}

/* Unlink `c`, whose predecessor on its list is `prev` (NULL: the head). */
static void
fifo_unlink(struct conn *c, struct conn *prev)
{
	struct conn_fifo *f = c->waiting;

	if (prev == NULL)
		f->head = c->wait_next;
	else
		prev->wait_next = c->wait_next;
	if (f->tail == c)
		f->tail = prev;
	c->wait_next = NULL;
	c->waiting = NULL;
}

/* Take `c` off whichever list it waits on. */
static void
fifo_remove(struct conn *c)
{
	struct conn *prev = NULL, *p;

	for (p = c->waiting->head; p != c; p = p->wait_next)
		prev = p;
	fifo_unlink(c, prev);
}

/* Close and free a connection (lock held; the caller is the worker holding it, or nobody can). */
static void
conn_free(struct server *s, struct conn *c)
{
	if (c->waiting == &s->throttled)
		atomic_fetch_sub(&s->nthrottled, 1);
	if (c->waiting != NULL)
		fifo_remove(c);
	c->share->conns--;
	share_put(s, c->share);
	if (!c->trusted)
		s->nuntrusted--;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	s->nconns--;
	atomic_store(&s->d->connections, s->nconns);
	close(c->fd);                   /* also removes it from epoll */
	ntk_buf_free(&c->in);
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

/* A whole request at the front of the buffer: 1; not yet: 0; a bad header: -1. */
static int
complete(const struct conn *c, uint32_t *blen, uint16_t *type)
{
	size_t n = ntk_buf_remaining(&c->in);

	if (n < NTK_HEADER_LEN)
		return 0;
	if (ntk_proto_header(ntk_buf_ptr(&c->in), NTK_REQUEST_MAX, blen, type) != 0 ||
	    (*type & NTK_MSG_REPLY) != 0)
		return -1;      /* wrong version, oversized, or not a request */
	return n - NTK_HEADER_LEN >= *blen ? 1 : 0;
}

/* Answer the request at the front of the buffer and drop it. False: close. */
static bool
answer_one(struct ntkd_worker *w, struct conn *c, struct ntk_buf *out, uint32_t blen,
    uint16_t type)
{
	size_t used = NTK_HEADER_LEN + blen;
	uint16_t t;
	bool ok = true;

	/* PING proves a client alive, not busy: it does not hold an untrusted connection open. */
	if (type != NTK_MSG_PING)
		c->request_ms = ntk_mono_ms();
	if (ntkd_dispatch(w, &c->peer, type, ntk_buf_ptr(&c->in) + NTK_HEADER_LEN, blen, out))
		ok = false;
	if (ntk_buf_remaining(out) > 0 &&
	    write_all(c->fd, ntk_buf_ptr(out), ntk_buf_remaining(out)) != 0)
		ok = false;
	ntk_buf_reset(out);
	if (ntk_buf_consume(&c->in, used) != 0)
		ok = false;     /* cannot happen: complete() saw all of it */
	/* The read deadline runs from the first byte of a message still unfinished. */
	c->partial_ms = ntk_buf_remaining(&c->in) > 0 && complete(c, &blen, &t) == 0 ?
	    ntk_mono_ms() : 0;
	return ok;
}

/*
 * One request per turn: one already buffered, else read (at most
 * READS_PER_TURN reads) until one is whole. Pipelined requests wait for
 * the connection's next turn, behind every other ready connection.
 * False: close it.
 */
static bool
serve(struct ntkd_worker *w, struct conn *c, struct ntk_buf *out)
{
	int reads = 0, st;
	uint32_t blen;
	uint16_t type;
	size_t got;

	while ((st = complete(c, &blen, &type)) == 0 && reads++ < READS_PER_TURN) {
		/* IN_MAX holds a whole message: a full buffer has one complete, so never TOO_LONG. */
		if (ntk_buf_recv(&c->in, c->fd, READ_CHUNK, &got) != 0)
			return false;
		if (got == 0)
			break;  /* nothing more for now */
		c->last_ms = ntk_mono_ms();
		if (c->partial_ms == 0)
			c->partial_ms = c->last_ms;
	}
	if (st < 0)
		return false;
	return st == 0 || answer_one(w, c, out, blen, type);
}

/*
 * Wait for the next event (lock held). A request already buffered adds
 * EPOLLOUT, which is ready at once: the connection rejoins the back of
 * epoll's ready list, so pipelining buys no more than one request a turn
 * (and a client that reads no replies stops being served).
 */
static void
rearm(struct server *s, struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.ptr = c };
	uint32_t blen;
	uint16_t type;

	if (complete(c, &blen, &type) != 0)
		ev.events |= EPOLLOUT;
	if (epoll_ctl(s->cepfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		conn_free(s, c);
}

/*
 * May a worker serve this connection now (lock held)? An untrusted uid
 * gets at most nworkers - 1 workers at once, so one is always left for
 * everyone else; its other ready connections are parked until one of
 * its turns ends.
 */
static bool
share_may_run(const struct server *s, const struct conn *c)
{
	return c->trusted || c->doomed || s->nworkers < 2 || c->share->busy < s->nworkers - 1;
}

/*
 * Charge an untrusted uid one turn at [daemon] untrusted_rate a second,
 * with a second's worth of burst (GCRA). False: over it, so the
 * connection waits on the throttled list; the turns a uid can buy bound
 * the CPU one uid's flood takes from everyone else, whatever it sends.
 */
static bool
budget_take(struct server *s, struct uid_share *u, int64_t now_us)
{
	int64_t step = 1000000 / (int64_t)atomic_load(&s->rate);

	if (u->budget_us < now_us)
		u->budget_us = now_us;
	if (u->budget_us - now_us >= 1000000)
		return false;
	u->budget_us += step;
	return true;
}

/* Main thread, lock held: throttled connections whose uid has budget again go back to epoll. */
static void
release_throttled(struct server *s)
{
	int64_t now_us = ntk_mono_ms() * 1000;
	struct conn *c, *next, *prev = NULL;

	/* One walk, unlinking as it goes: a search per release would be quadratic under the lock. */
	for (c = s->throttled.head; c != NULL; c = next) {
		next = c->wait_next;
		if (c->doomed || c->share->budget_us - now_us < 1000000) {
			fifo_unlink(c, prev);
			atomic_fetch_sub(&s->nthrottled, 1);
			rearm(s, c);
		} else {
			prev = c;
		}
	}
}

/*
 * A turn of `c` ended (lock held). With siblings parked, a `c` that still
 * holds a request queues behind them and the longest-parked goes back to
 * epoll: the uid keeps only its share of connections in play, and the
 * others' events are not churned through idle workers only to be parked.
 */
static void
turn_done(struct server *s, struct conn *c, bool keep)
{
	struct uid_share *u = c->share;
	struct conn *next;
	uint32_t blen;
	uint16_t type;

	u->busy--;
	if ((next = u->parked.head) != NULL)
		fifo_remove(next);
	if (!keep || c->doomed)
		conn_free(s, c);
	else if (next != NULL && complete(c, &blen, &type) == 1)
		fifo_push(&u->parked, c);
	else
		rearm(s, c);
	if (next != NULL)
		rearm(s, next);
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
		if (!share_may_run(s, c)) {
			fifo_push(&c->share->parked, c);
			pthread_mutex_unlock(&s->lock);
			continue;
		}
		if (!c->trusted && !c->doomed && !budget_take(s, c->share, ntk_mono_ms() * 1000)) {
			fifo_push(&s->throttled, c);
			atomic_fetch_add(&s->nthrottled, 1);
			pthread_mutex_unlock(&s->lock);
			continue;
		}
		c->share->busy++;
		pthread_mutex_unlock(&s->lock);
		keep = !c->doomed && serve(&wa->w, c, &out);
		ntk_buf_reset(&out);

		pthread_mutex_lock(&s->lock);
		turn_done(s, c, keep);
		pthread_mutex_unlock(&s->lock);
	}
	ntk_buf_free(&out);
	ntkd_directory_close(wa->w.dir);
	ntkd_snapshot_unref(wa->w.dir_snap);
	wa->w.dir = NULL;
	wa->w.dir_snap = NULL;
	return NULL;
}

/*
 * May a new connection from `peer` stay (lock held)? NTK_ERR_DENIED with
 * *why when not. The last NTKD_RESERVED_CONNECTIONS are for root and
 * trusted peers (PAM, the SQL servers, ntkctl), so untrusted uids
 * together never fill the daemon; each untrusted uid has its own cap.
 */
static int
admit(const struct server *s, const struct ntkd_peer *peer, bool trusted, unsigned per_uid,
    const char **why)
{
	unsigned reserved = s->max_conns / 8 < NTKD_RESERVED_CONNECTIONS ?
	    s->max_conns / 8 : NTKD_RESERVED_CONNECTIONS;
	const struct uid_share *u;

	if (s->nconns >= s->max_conns)
		*why = "every connection in use";
	else if (trusted)
		return 0;
	else if (s->nuntrusted >= s->max_conns - reserved)
		*why = "the rest is reserved for root and trusted_peers";
	else if ((u = share_find(s, peer->uid)) != NULL && u->conns >= per_uid)
		*why = "max_connections_per_uid reached";
	else
		return 0;
	return NTK_ERR_DENIED;
}

/* One log line a second at most: a uid retrying in a loop must not flood the log. */
static void
log_refusal(struct server *s, uid_t uid, const char *why)
{
	int64_t now = ntk_mono_ms();

	s->refused++;
	if (now - s->refused_log_ms < 1000)
		return;
	ntkd_log(LOG_WARNING, "connection from uid %lu refused: %s (%lu refused since the last report)",
	    (unsigned long)uid, why, s->refused);
	s->refused = 0;
	s->refused_log_ms = now;
}

static void
accept_all(struct server *s, int lfd)
{
	struct ntkd_snapshot *snap;
	struct epoll_event ev;
	struct ntkd_peer peer;
	struct conn *c;
	const char *why = NULL;
	bool trusted;
	int fd;

	pthread_mutex_lock(&s->d->snap_lock);
	snap = ntkd_snapshot_ref(s->d->snap);
	pthread_mutex_unlock(&s->d->snap_lock);
	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE) && s->spare_fd >= 0) {
			/*
			 * Out of fds: the backlog would keep the listen socket ready
			 * and this loop spinning. Free one fd, take the waiting
			 * connection and close it, and take the fd back.
			 */
			close(s->spare_fd);
			if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
				if (ntkd_peer_from_fd(fd, &peer) == 0)
					log_refusal(s, peer.uid, "out of file descriptors");
				close(fd);
			}
			s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			/*
			 * accept4 says EMFILE before it looks at the backlog: go
			 * round again only when a waiting connection was taken, or
			 * an empty backlog would keep this loop spinning.
			 */
			if (fd < 0)
				break;
			continue;
		}
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				ntkd_log(LOG_WARNING, "accept: %s", strerror(errno));
			break;
		}
		if (ntkd_peer_from_fd(fd, &peer) != 0) {
			close(fd);
			continue;
		}
		trusted = ntkd_peer_trusted(snap, peer.uid);
		c = NULL;
		pthread_mutex_lock(&s->lock);
		if (admit(s, &peer, trusted, snap->config.max_connections_per_uid, &why) == 0 &&
		    ((c = calloc(1, sizeof(*c))) == NULL || (c->share = share_get(s, peer.uid)) == NULL)) {
			free(c);
			c = NULL;
			why = "out of memory";
		}
		if (c == NULL) {
			pthread_mutex_unlock(&s->lock);
			log_refusal(s, peer.uid, why);
			close(fd);
			continue;
		}
		c->fd = fd;
		ntk_buf_init(&c->in, IN_MAX);
		c->peer = peer;
		c->trusted = trusted;
		c->last_ms = c->request_ms = ntk_mono_ms();
		c->share->conns++;
		if (!trusted)
			s->nuntrusted++;
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
	ntkd_snapshot_unref(snap);
}

/*
 * Connections stuck mid-message or idle too long are shut down: the
 * hangup wakes a worker (now, or when one finishes with it), which frees it.
 * Untrusted connections are idle after [daemon] untrusted_idle without a
 * request other than PING, so a held connection costs its uid a request
 * every so often, and PINGs alone never keep one.
 */
static void
sweep(struct server *s)
{
	int64_t now = ntk_mono_ms(), untrusted_ms;
	const char *what;
	struct conn *c;

	pthread_mutex_lock(&s->d->snap_lock);
	untrusted_ms = (int64_t)s->d->snap->config.untrusted_idle * 1000;
	atomic_store(&s->rate, s->d->snap->config.untrusted_rate);
	pthread_mutex_unlock(&s->d->snap_lock);
	pthread_mutex_lock(&s->lock);
	for (c = s->conns; c != NULL; c = c->next) {
		if (c->doomed)
			continue;
		if (c->partial_ms != 0 && now - c->partial_ms > NTKD_READ_DEADLINE_MS)
			what = "stalled";
		else if (now - c->last_ms > NTKD_IDLE_CLOSE_MS)
			what = "idle";
		else if (!c->trusted && now - c->request_ms > untrusted_ms)
			what = "idle (untrusted_idle)";
		else
			continue;
		ntkd_log(LOG_DEBUG, "closing %s connection from uid %lu", what,
		    (unsigned long)c->peer.uid);
		c->doomed = true;
		shutdown(c->fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&s->lock);
}

/*
 * Connections that fit RLIMIT_NOFILE (main.c raised it to the hard limit)
 * next to the workers' LDAP sockets and the daemon's own fds: past it
 * accept() fails with EMFILE and nobody, root included, gets in.
 */
static unsigned
max_connections(unsigned nthreads)
{
	rlim_t room, slack = FD_SLACK + 2 * (rlim_t)nthreads;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return NTKD_MAX_CONNECTIONS;
	room = rl.rlim_cur > 2 * slack ? rl.rlim_cur - slack : rl.rlim_cur / 2;
	if (room >= NTKD_MAX_CONNECTIONS)
		return NTKD_MAX_CONNECTIONS;
	ntkd_log(LOG_WARNING, "RLIMIT_NOFILE %lu: at most %lu connections",
	    (unsigned long)rl.rlim_cur, (unsigned long)room);
	return room > 0 ? (unsigned)room : 1;
}

/* Returns true when asked to stop. */
static bool
on_signal(struct server *s, int sigfd)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			ntkd_notify_reloading();
			ntkd_reload(s->d);
			ntkd_notify("READY=1");
		} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			ntkd_log(LOG_INFO, "signal %u: stopping", si.ssi_signo);
			ntkd_notify("STOPPING=1");
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
	s.spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
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
	s.nworkers = nthreads;
	atomic_init(&s.rate, d->snap->config.untrusted_rate);
	s.max_conns = max_connections(nthreads);
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
		/* Throttled connections are let go within 10 ms of their uid's budget allowing. */
		n = epoll_wait(s.epfd, evs, 16, atomic_load(&s.nthrottled) > 0 ? 10 : 1000);
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
		if (atomic_load(&s.nthrottled) > 0) {
			pthread_mutex_lock(&s.lock);
			release_throttled(&s);
			pthread_mutex_unlock(&s.lock);
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
	if (s.spare_fd >= 0)
		close(s.spare_fd);
	pthread_mutex_destroy(&s.lock);
	return rc;
}
