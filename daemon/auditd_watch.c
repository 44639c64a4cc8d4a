/*
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

#include "audit.h"

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
