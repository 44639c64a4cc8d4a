/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Peer credentials (SO_PEERCRED), the peer's user name and executable. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ntk_err.h"
#include "peer.h"
#include "snapshot.h"

bool
ntkd_peer_trusted(const struct ntkd_snapshot *snap, uid_t uid)
{
	size_t i;

	if (uid == 0)
		return true;
	for (i = 0; i < snap->ntrusted; i++)
		if (snap->trusted_uids[i] == uid)
			return true;
	return false;
}

int
ntkd_peer_from_fd(int fd, struct ntkd_peer *out)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	memset(out, 0, sizeof(*out));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred))
		return NTK_ERR_IO;
	out->uid = cred.uid;
	out->gid = cred.gid;
	out->pid = cred.pid;
	return 0;
}

void
ntkd_peer_resolve(struct ntkd_peer *p)
{
	struct passwd pw, *res = NULL;
	char buf[4096], path[64];
	ssize_t n;

	if (p->resolved)
		return;
	p->resolved = true;
	if (getpwuid_r(p->uid, &pw, buf, sizeof(buf), &res) == 0 && res != NULL &&
	    strlen(res->pw_name) <= NTK_NAME_MAX) {
		memcpy(p->name, res->pw_name, strlen(res->pw_name) + 1);
		p->has_name = true;
	}
	snprintf(path, sizeof(path), "/proc/%ld/exe", (long)p->pid);
	n = readlink(path, p->exe, sizeof(p->exe) - 1);
	if (n <= 0)
		strcpy(p->exe, "?");
	else
		p->exe[n] = '\0';
}

int
ntkd_peer_uid_of(const char *name, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return NTK_ERR_NOT_FOUND;
	*uid = res->pw_uid;
	return 0;
}
