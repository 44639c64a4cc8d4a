/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which program libnss_ntk is loaded into: inside nscd it must give no ntk answers at all. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "nss_ntk.h"

static pthread_once_t host_once = PTHREAD_ONCE_INIT;
static bool host_is_nscd;

static void
host_check(void)
{
	char exe[PATH_MAX];
	ssize_t n;
	int saved = errno;

	/*
	 * Either sign will do: the executable (/usr/sbin/nscd, also after an
	 * upgrade replaced it), or the name it was started as, for when /proc is
	 * not mounted. A program that merely calls itself nscd only loses ntk groups.
	 */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		host_is_nscd = ntk_nss_exe_is_nscd(exe);
	}
	if (strcmp(program_invocation_short_name, "nscd") == 0)
		host_is_nscd = true;
	if (host_is_nscd)
		syslog(LOG_AUTHPRIV | LOG_WARNING, "libnss_ntk: no answers inside nscd, whose group "
		    "cache would show every user what root sees; set 'enable-cache group no' in "
		    "nscd.conf (see libnss_ntk(8))");
	errno = saved;
}

bool
ntk_nss_host_is_nscd(void)
{
	pthread_once(&host_once, host_check);
	return host_is_nscd;
}
