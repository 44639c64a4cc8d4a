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
	if (!foreground)
		openlog("ntkd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
ntkd_log(int priority, const char *fmt, ...)
{
	va_list ap;
	char line[2048];
	size_t i;

	if (priority == LOG_DEBUG && !log_debug)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
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
	} else {
		syslog(priority, "%s", line);
	}
}
