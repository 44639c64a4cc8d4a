/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who serves the ntkd socket: SO_PEERCRED of the listener against root, the ntkd user and ourselves. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ntk_err.h"
#include "ntk_peer.h"

/* One passwd line, with room to spare; a longer one is not ours to trust. */
#define PEER_PWBUF 4096

int
ntk_peer_server_uid(int fd, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	*uid = (uid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return NTK_ERR_IO;
	if (len != sizeof(cred))
		return NTK_ERR_IO;
	*uid = cred.uid;
	return 0;
}

int
ntk_peer_uid_trusted(uid_t uid, const char *user, const char *passwd)
{
	struct passwd pw, *found;
	char buf[PEER_PWBUF];
	FILE *fp;
	int r = NTK_ERR_UNTRUSTED_PEER, saved = errno;

	if (uid == 0 || uid == geteuid())
		return 0;
	/* (uid_t)-1 is nobody's: an overflow uid must not match an empty passwd field. */
	if (user == NULL || user[0] == '\0' || passwd == NULL || uid == (uid_t)-1)
		return NTK_ERR_UNTRUSTED_PEER;
	if ((fp = fopen(passwd, "re")) == NULL)
		goto out;
	/* The first entry of that name counts, as for nss_files. */
	while (fgetpwent_r(fp, &pw, buf, sizeof(buf), &found) == 0) {
		if (strcmp(found->pw_name, user) == 0) {
			if (found->pw_uid == uid)
				r = 0;
			break;
		}
	}
	/* ERANGE (a line too long) stops the scan: unreadable means untrusted. */
	fclose(fp);
 out:
	/* Called from inside host processes (NSS): leave their errno as it was. */
	errno = saved;
	return r;
}

int
ntk_peer_verify(int fd, uid_t *uid)
{
	int r;

	if ((r = ntk_peer_server_uid(fd, uid)) != 0)
		return r;
	return ntk_peer_uid_trusted(*uid, NTK_NTKD_USER, NTK_PEER_PASSWD);
}
