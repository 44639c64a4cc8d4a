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

	if (priority == LOG_DEBUG && !log_debug)
		return;
	va_start(ap, fmt);
	if (log_foreground) {
		/* One fprintf per line keeps lines from threads whole. */
		char line[2048];

		vsnprintf(line, sizeof(line), fmt, ap);
		fprintf(stderr, "ntkd[%s]: %s\n",
		    priority <= LOG_ERR ? "error" : priority == LOG_WARNING ? "warning" :
		    priority == LOG_DEBUG ? "debug" : "info", line);
	} else {
		vsyslog(priority, fmt, ap);
	}
	va_end(ap);
}
