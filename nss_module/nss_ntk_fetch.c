/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where libnss_ntk's answers come from: one connection to ntkd, safe across threads, fork and setuid. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "ntk_client.h"
#include "ntk_err.h"
#include "nss_ntk.h"

/*
 * One connection per process, used by one thread at a time: ntkd answers
 * in microseconds, so a lock costs less than a connection per thread would
 * cost ntkd. The lock is also held across fork() (pthread_atfork), so no
 * call is ever half-way through when a child starts: the child finds a
 * complete connection it must not use (it shares the parent's stream),
 * notices by its pid, and opens its own.
 */
static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t conn_once = PTHREAD_ONCE_INIT;
static struct ntk_conn *conn;
/* Identity of our socket, to notice an application that closed our fd and reused the number. */
static dev_t conn_dev;
static ino_t conn_ino;
/*
 * Who we were when we connected: ntkd decides on SO_PEERCRED, which holds
 * the effective uid and gid of connect() for the socket's whole life. A
 * root program that drops to another user (setuid, seteuid) must not keep
 * asking as root, so a change means a new connection.
 */
static uid_t conn_euid;
static gid_t conn_egid;

static void
atfork_prepare(void)
{
	pthread_mutex_lock(&conn_lock);
}

static void
atfork_parent(void)
{
	pthread_mutex_unlock(&conn_lock);
}

static void
atfork_child(void)
{
	/* The forking thread took the lock in prepare: it owns it here. */
	pthread_mutex_unlock(&conn_lock);
}

static void
conn_init(void)
{
	/* Handlers registered from a dlopen()ed object go away at dlclose (glibc passes __dso_handle). */
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

/* Is the fd still the socket we opened? If not, it belongs to the application now. */
static bool
conn_fd_ours(void)
{
	struct stat st;

	if (fstat(ntk_conn_fd(conn), &st) != 0)
		return false;
	return S_ISSOCK(st.st_mode) && st.st_dev == conn_dev && st.st_ino == conn_ino;
}

/*
 * Forget the connection. When the fd is no longer ours, closing it would
 * close the application's file: the few bytes of the struct are left
 * behind instead (ntk_conn_close always closes the fd). That only happens
 * to a process that closed descriptors it did not open.
 */
static void
conn_drop(void)
{
	if (conn == NULL)
		return;
	if (conn_fd_ours())
		ntk_conn_close(conn);
	conn = NULL;
}

static int
conn_open(void)
{
	/* Read before connect(): a change racing with it shows as a mismatch next call, never the reverse. */
	uid_t euid = geteuid();
	gid_t egid = getegid();
	const char *path;
	struct stat st;
	int r;

	/* secure_getenv: a setuid program never follows a user's NTK_SOCKET. */
	path = secure_getenv("NTK_SOCKET");
	if (path == NULL || path[0] == '\0')
		path = NTK_SOCKET_PATH;
	if ((r = ntk_conn_open(path, NTK_NSS_TIMEOUT_MS, &conn)) != 0)
		return r;
	if (fstat(ntk_conn_fd(conn), &st) != 0) {
		ntk_conn_close(conn);
		conn = NULL;
		return NTK_ERR_IO;
	}
	conn_dev = st.st_dev;
	conn_ino = st.st_ino;
	conn_euid = euid;
	conn_egid = egid;
	return 0;
}

/* Replies after which the stream is known to be in step: keep the connection. */
static bool
reply_level(int r)
{
	return r == 0 || r == NTK_ERR_NOT_FOUND || r == NTK_ERR_DENIED ||
	    r == NTK_ERR_UNAVAILABLE;
}

enum op { OP_BY_NAME, OP_BY_GID, OP_INITGROUPS, OP_LIST };

struct call {
	enum op op;
	const char *name;
	uint32_t gid;
	void *out;
};

static int
call_once(struct call *k)
{
	switch (k->op) {
	case OP_BY_NAME:
		return ntk_client_group_by_name(conn, k->name, k->out);
	case OP_BY_GID:
		return ntk_client_group_by_gid(conn, k->gid, k->out);
	case OP_INITGROUPS:
		return ntk_client_initgroups(conn, k->name, k->out);
	case OP_LIST:
		return ntk_client_group_list(conn, k->out);
	}
	return NTK_ERR_INTERNAL;
}

static int
call(struct call *k)
{
	bool fresh = false;
	int r, saved = errno, cancel;

	/* nscd would hand our answer to every uid: it gets what an untrusted peer gets for a hidden group. */
	if (ntk_nss_host_is_nscd())
		return NTK_ERR_DENIED;
	/*
	 * poll() is a cancellation point: a thread cancelled while holding the
	 * lock would leave it locked for every other thread. The call is
	 * bounded by the timeout, so cancellation waits until it is over.
	 */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	pthread_once(&conn_once, conn_init);
	pthread_mutex_lock(&conn_lock);
	if (conn != NULL && (!conn_fd_ours() || ntk_conn_pid(conn) != getpid() ||
	    conn_euid != geteuid() || conn_egid != getegid()))
		conn_drop();
	if (conn == NULL) {
		if ((r = conn_open()) != 0)
			goto out;
		fresh = true;
	}
	r = call_once(k);
	if (r == NTK_ERR_CLOSED && !fresh) {
		/* ntkd closed an idle connection or restarted: lookups are idempotent, ask once more. */
		conn_drop();
		if ((r = conn_open()) != 0)
			goto out;
		r = call_once(k);
	}
	if (!reply_level(r))
		conn_drop();
 out:
	pthread_mutex_unlock(&conn_lock);
	pthread_setcancelstate(cancel, NULL);
	/* The host program's errno is not ours to change on the way through. */
	errno = saved;
	return r;
}

int
ntk_nss_fetch_by_name(const char *name, struct ntk_group *out)
{
	struct call k = { .op = OP_BY_NAME, .name = name, .out = out };

	return call(&k);
}

int
ntk_nss_fetch_by_gid(uint32_t gid, struct ntk_group *out)
{
	struct call k = { .op = OP_BY_GID, .gid = gid, .out = out };

	return call(&k);
}

int
ntk_nss_fetch_initgroups(const char *user, struct ntk_gid_list *out)
{
	struct call k = { .op = OP_INITGROUPS, .name = user, .out = out };

	return call(&k);
}

int
ntk_nss_fetch_group_list(struct ntk_group_list *out)
{
	struct call k = { .op = OP_LIST, .out = out };

	return call(&k);
}
