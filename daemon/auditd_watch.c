/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Watching auditd: is it running, and has a record reached its log file?
 *
 * Is auditd running? The kernel accepts user records with no audit daemon
 * registered (it holds a few for the next one and prints them to the kernel
 * log), so a successful write does not mean the record reached audit.log.
 * Asking the kernel (AUDIT_GET) needs CAP_AUDIT_CONTROL, which can also turn
 * auditing off; ntkd does not hold it. auditd's pid file and /proc say enough.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "audit.h"
#include "ntk_err.h"

/* auditd's own default when auditd.conf names no log_file. */
#define AUDITD_LOG_DEFAULT "/var/log/audit/audit.log"

/* The first line of a small file, without its newline; false when unreadable or empty. */
static bool
read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] != '\0';
}

bool
ntkd_auditd_running(const char *pid_file)
{
	char line[32], path[64];
	char *end;
	long pid;

	if (!read_line(pid_file, line, sizeof(line)))
		return false;
	errno = 0;
	pid = strtol(line, &end, 10);
	if (errno != 0 || end == line || *end != '\0' || pid <= 0 || pid > INT_MAX)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	/* A stale pid file names a dead process, or one that reused its pid. */
	return read_line(path, line, sizeof(line)) && strcmp(line, "auditd") == 0;
}

int
ntkd_auditd_log_file(const char *conf, char *buf, size_t len)
{
	char line[1024], *k, *v, *end;
	FILE *f;
	int rc = 0;

	if (snprintf(buf, len, "%s", AUDITD_LOG_DEFAULT) >= (int)len)
		return NTK_ERR_TOO_LONG;
	if ((f = fopen(conf, "re")) == NULL)
		return 0;
	/* auditd.conf: "key = value" lines, '#' comments; the last log_file wins, as in auditd. */
	while (fgets(line, sizeof(line), f) != NULL) {
		k = line + strspn(line, " \t");
		if (strncmp(k, "log_file", 8) != 0)
			continue;
		v = k + 8 + strspn(k + 8, " \t");
		if (*v != '=')
			continue;
		v += 1 + strspn(v + 1, " \t");
		end = v + strcspn(v, "\r\n");
		while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		if (*v != '/')
			continue;
		if (snprintf(buf, len, "%s", v) >= (int)len) {
			rc = NTK_ERR_TOO_LONG;
			break;
		}
	}
	fclose(f);
	return rc;
}

int
ntkd_auditlog_mark(const char *path, struct ntkd_auditlog *log)
{
	struct stat st;

	memset(log, 0, sizeof(*log));
	log->fd = -1;
	if (snprintf(log->path, sizeof(log->path), "%s", path) >= (int)sizeof(log->path))
		return NTK_ERR_TOO_LONG;
	if ((log->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return NTK_ERR_IO;
	if (fstat(log->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		ntkd_auditlog_close(log);
		return NTK_ERR_IO;
	}
	log->dev = st.st_dev;
	log->ino = st.st_ino;
	log->off = st.st_size;
	return 0;
}

/* Read what the open file holds past log->off; 1 when the needle is in it. */
static int
scan(struct ntkd_auditlog *log, const char *needle, size_t nlen)
{
	char buf[65536];
	ssize_t n;
	size_t have, keep;

	for (;;) {
		memcpy(buf, log->carry, log->ncarry);
		n = pread(log->fd, buf + log->ncarry, sizeof(buf) - log->ncarry, log->off);
		if (n < 0)
			return NTK_ERR_IO;
		if (n == 0)
			return 0;
		log->off += n;
		have = log->ncarry + (size_t)n;
		if (memmem(buf, have, needle, nlen) != NULL)
			return 1;
		/* A needle may straddle this read and the next. */
		keep = have < nlen - 1 ? have : nlen - 1;
		memcpy(log->carry, buf + have - keep, keep);
		log->ncarry = keep;
	}
}

int
ntkd_auditlog_seen(struct ntkd_auditlog *log, const char *needle)
{
	struct stat st;
	size_t nlen = strlen(needle);
	bool rotated;
	int fd, rc;

	if (nlen == 0 || nlen > sizeof(log->carry) || log->fd < 0)
		return NTK_ERR_BAD_VALUE;
	/*
	 * Look at the name before reading the old file to its end: auditd writes
	 * to the old file, then renames it, so once the name is another file's,
	 * all the old file will ever hold is already readable.
	 */
	rotated = stat(log->path, &st) == 0 && (st.st_dev != log->dev || st.st_ino != log->ino);
	if ((rc = scan(log, needle, nlen)) != 0 || !rotated)
		return rc;
	/* Non-blocking and a regular file, as when first marked: a FIFO must not hold us. */
	if ((fd = open(log->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return 0;       /* between the rename and the new file: look again later */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NTK_ERR_IO;
	}
	close(log->fd);
	log->fd = fd;
	log->dev = st.st_dev;
	log->ino = st.st_ino;
	log->off = 0;
	log->ncarry = 0;
	return scan(log, needle, nlen);
}

void
ntkd_auditlog_close(struct ntkd_auditlog *log)
{
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
}
