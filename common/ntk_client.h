/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client side of the ntkd socket, shared by ntkctl and every module. */
#ifndef NTK_CLIENT_H
#define NTK_CLIENT_H

#include <stdint.h>
#include <sys/types.h>

#include "ntk_buf.h"
#include "ntk_proto.h"

/*
 * One connection. Not shared between threads without a lock; a caller that
 * may fork (NSS) compares ntk_conn_pid() with getpid() and reopens in the
 * child rather than read a reply meant for the parent. The fd is CLOEXEC.
 * No signal handlers are installed (MSG_NOSIGNAL on send), nothing is
 * printed; errors are returned.
 */
struct ntk_conn;

/*
 * Connect to `path` within timeout_ms. The server must be run by root, by
 * ntkd's user or by our own uid (ntk_peer_verify): any other is refused
 * with NTK_ERR_UNTRUSTED_PEER before a byte is exchanged.
 */
int ntk_conn_open(const char *path, int timeout_ms, struct ntk_conn **out);
/* The same, and the server's uid in *server_uid once known ((uid_t)-1 before), to name it in errors. */
int ntk_conn_open_uid(const char *path, int timeout_ms, struct ntk_conn **out, uid_t *server_uid);
void ntk_conn_close(struct ntk_conn *c);
pid_t ntk_conn_pid(const struct ntk_conn *c);
int ntk_conn_fd(const struct ntk_conn *c);

/*
 * Send the framed request in `req` (built with ntk_proto_begin/encode/end)
 * and wait up to the connection's timeout for the reply. On success the
 * reply body is in `rep` (read offset at its start) and 0 is returned.
 * expect_type is the request's type (NTK_MSG_REPLY is implied). An
 * NTK_MSG_ERROR reply returns its code (message dropped); a reply of the
 * wrong type returns NTK_ERR_BAD_TYPE. After an I/O error the connection is
 * unusable: close it.
 */
int ntk_conn_call(struct ntk_conn *c, const struct ntk_buf *req, uint16_t expect_type,
    struct ntk_buf *rep);

/*
 * Typed calls: build, send, decode. A CHECK reply carries the system's
 * deny_message with a denial (rep->deny_message, "" when none): show it to
 * the person denied, after the verdict. A FACTS reply carries it always.
 */
int ntk_client_ping(struct ntk_conn *c);
int ntk_client_check(struct ntk_conn *c, const struct ntk_check_req *req, struct ntk_check_rep *rep);
/*
 * Break-glass for `user` on one open case of `system`, as `ntkctl decide
 * --reason` asks it: a CHECK for read with the reason, not a dry run. The
 * outcome says what happened: NTK_ALLOW_BREAK_GLASS with rep->grant_expires
 * the grant's end (made now, or an earlier one still running); another
 * allow: nothing was needed, nothing granted; a denial: refused (the role
 * does not allow it, or its audit record could not be written), with the
 * system's rep->deny_message ("" when none). NTK_ERR_BAD_VALUE for an empty
 * argument: a reason is required.
 */
int ntk_client_break_glass(struct ntk_conn *c, const char *user, const char *system,
    const char *case_id, const char *reason, struct ntk_check_rep *rep);
int ntk_client_facts(struct ntk_conn *c, const struct ntk_facts_req *req, struct ntk_facts_rep *rep);
int ntk_client_report(struct ntk_conn *c, const struct ntk_report_req *req);
int ntk_client_group_by_name(struct ntk_conn *c, const char *name, struct ntk_group *out);
int ntk_client_group_by_gid(struct ntk_conn *c, uint32_t gid, struct ntk_group *out);
int ntk_client_initgroups(struct ntk_conn *c, const char *user, struct ntk_gid_list *out);
int ntk_client_group_list(struct ntk_conn *c, struct ntk_group_list *out);
int ntk_client_status(struct ntk_conn *c, char **text);
int ntk_client_flush(struct ntk_conn *c, const char *user, uint32_t *dropped);

#endif /* NTK_CLIENT_H */
