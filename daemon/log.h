/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntkd's log: stderr in the foreground (-f), syslog as a daemon. */
#ifndef NTKD_LOG_H
#define NTKD_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Call once before any thread starts. */
void ntkd_log_init(bool foreground, bool debug);

/* priority is a syslog LOG_* level; LOG_DEBUG lines appear only with debug on. */
void ntkd_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True with -d: lets callers skip building debug-only text. */
bool ntkd_log_debugging(void);

/* The same, and to syslog even in the foreground (audit records that missed auditd). */
void ntkd_log_always(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* NTKD_LOG_H */
