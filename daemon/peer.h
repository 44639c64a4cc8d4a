/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who is on the other end of a connection: SO_PEERCRED and what it leads to. */
#ifndef NTKD_PEER_H
#define NTKD_PEER_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "ntk_policy.h"

struct ntkd_snapshot;

struct ntkd_peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	bool resolved;                  /* name and exe looked up */
	bool has_name;                  /* the uid has a passwd entry */
	char name[NTK_NAME_MAX + 1];    /* user name of uid */
	char exe[PATH_MAX];             /* /proc/PID/exe, or "?" */
};

/* Root, or a uid in the snapshot's trusted_peers: may ask about anyone, exempt from per-uid caps. */
bool ntkd_peer_trusted(const struct ntkd_snapshot *snap, uid_t uid);

/* Read SO_PEERCRED of a connected unix socket. */
int ntkd_peer_from_fd(int fd, struct ntkd_peer *out);

/* Look up the user name and executable (once; cheap afterwards). */
void ntkd_peer_resolve(struct ntkd_peer *p);

/* The uid of a user name via getpwnam_r; NTK_ERR_NOT_FOUND when none. */
int ntkd_peer_uid_of(const char *name, uid_t *uid);

#endif /* NTKD_PEER_H */
