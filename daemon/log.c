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
	if (priority == LOG_DEBUG && !log_debug)
		return;
	if (log_foreground) {
		/* One fprintf per line keeps lines from threads whole. */
		char line[8192];
		va_list aq;

		va_copy(aq, ap);
		vsnprintf(line, sizeof(line), fmt, aq);
		va_end(aq);
		fprintf(stderr, "ntkd[%s]: %s\n",
		    priority <= LOG_ERR ? "error" : priority == LOG_WARNING ? "warning" :
		    priority == LOG_DEBUG ? "debug" : "info", line);
		if (!both)
			return;
	}
	vsyslog(priority, fmt, ap);
}

void
ntkd_log(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(priority, false, fmt, ap);
	va_end(ap);
}

void
ntkd_log_always(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(priority, true, fmt, ap);
	va_end(ap);
}
