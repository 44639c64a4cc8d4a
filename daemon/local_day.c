/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The calendar day in ntkd's local time zone: what `until=` dates are compared with. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "local_day.h"

/*
 * Each thread remembers its last answer: every request asks for today, and
 * localtime_r takes glibc's time zone lock. The day holds until midnight.
 */
static __thread int64_t cached_from = 1, cached_until;        /* [from, until): empty at first */
static __thread int32_t cached_day;

void
ntkd_local_day_forget(void)
{
	cached_from = 1;
	cached_until = 0;
}

int32_t
ntkd_local_day(int64_t now, int64_t *to_midnight)
{
	struct tm local, date, next;
	time_t t = (time_t)now, midnight;

	if (now >= cached_from && now < cached_until) {
		if (to_midnight != NULL)
			*to_midnight = cached_until - now;
		return cached_day;
	}

	if (localtime_r(&t, &local) == NULL) {
		/* Out of range for the calendar: fall back to UTC days. */
		if (to_midnight != NULL)
			*to_midnight = 86400 - now % 86400;
		return (int32_t)(now / 86400);
	}
	/* The local date read as a UTC midnight gives its day number. */
	memset(&date, 0, sizeof(date));
	date.tm_year = local.tm_year;
	date.tm_mon = local.tm_mon;
	date.tm_mday = local.tm_mday;
	next = local;
	next.tm_mday++;
	next.tm_hour = next.tm_min = next.tm_sec = 0;
	next.tm_isdst = -1;     /* the next day may be on the other side of a DST change */
	midnight = mktime(&next);
	if (to_midnight != NULL)
		*to_midnight = midnight > t ? (int64_t)(midnight - t) : 1;
	cached_day = (int32_t)(timegm(&date) / 86400);
	if (midnight > t) {
		cached_from = now - (local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec);
		cached_until = (int64_t)midnight;
	}
	return cached_day;
}
