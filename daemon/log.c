/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntkd's log: stderr in the foreground (-f), syslog as a daemon. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

static bool log_foreground;
static bool log_debug;

void
ntkd_log_init(bool foreground, bool debug)
{
	log_foreground = foreground;
	log_debug = debug;
	/* Opened in both modes: audit records that miss auditd always reach syslog. */
	openlog("ntkd", LOG_PID | (foreground ? 0 : LOG_NDELAY), LOG_DAEMON);
}

static void
vlog(int priority, bool both, const char *fmt, va_list ap)
{
	char line[8192];
	size_t i;

	if (priority == LOG_DEBUG && !log_debug)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	/*
	 * DNs, values and server messages land here unescaped: no control
	 * byte may reach the log, so no caller can start a forged line.
	 */
	for (i = 0; line[i] != '\0'; i++) {
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] == 0x7f)
			line[i] = '?';
	}
	if (log_foreground) {
		/* One fprintf per line keeps lines from threads whole. */
		fprintf(stderr, "ntkd[%s]: %s\n",
		    priority <= LOG_ERR ? "error" : priority == LOG_WARNING ? "warning" :
		    priority == LOG_DEBUG ? "debug" : "info", line);
		if (!both)
			return;
	}
	syslog(priority, "%s", line);
}

void
ntkd_log(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(priority, false, fmt, ap);
	va_end(ap);
}

bool
ntkd_log_debugging(void)
{
	return log_debug;
}

void
ntkd_log_always(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(priority, true, fmt, ap);
	va_end(ap);
}
