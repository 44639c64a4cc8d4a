/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who serves the ntkd socket: the one check every client makes before it believes an answer. */
#ifndef NTK_PEER_H
#define NTK_PEER_H

#include <sys/types.h>

/* The password file the ntkd user is looked up in: read directly, never through NSS. */
#define NTK_PEER_PASSWD "/etc/passwd"

/*
 * The uid of the process that listens on the other end of the connected
 * Unix socket `fd` (SO_PEERCRED: fixed when the server called listen(), so
 * a root ntkd that later drops privileges still shows root). 0, or
 * NTK_ERR_IO.
 */
int ntk_peer_server_uid(int fd, uid_t *uid);

/*
 * May `uid` serve ntkd's socket to this process? Yes (0) for root, for our
 * own effective uid (a server run by the same uid can tell us nothing we
 * could not be made to believe anyway), and for the account `user` as
 * found in the file `passwd` ("" or NULL: none). Otherwise
 * NTK_ERR_UNTRUSTED_PEER. The file is read only when uid is neither root
 * nor ours, and only by fgetpwent_r: a lookup through NSS from inside
 * libnss_ntk could recurse into it.
 */
int ntk_peer_uid_trusted(uid_t uid, const char *user, const char *passwd);

/*
 * Both for a client about to talk to ntkd on `fd`, with the ntkd user
 * chosen at build time (./configure --with-ntkd-user) and NTK_PEER_PASSWD.
 * The server's uid goes to *uid whenever it was learnt (else (uid_t)-1),
 * so callers can name it. 0, NTK_ERR_UNTRUSTED_PEER or NTK_ERR_IO.
 */
int ntk_peer_verify(int fd, uid_t *uid);

#endif /* NTK_PEER_H */
