/* The calendar day in ntkd's local time zone: what `until=` dates are compared with. */
#include "config.h"

#include <string.h>
#include <time.h>

#include "local_day.h"

int32_t
ntkd_local_day(int64_t now, int64_t *to_midnight)
{
	struct tm local, date, next;
	time_t t = (time_t)now, midnight;

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
	if (to_midnight != NULL) {
		next = local;
		next.tm_mday++;
		next.tm_hour = next.tm_min = next.tm_sec = 0;
		next.tm_isdst = -1;     /* the next day may be on the other side of a DST change */
		midnight = mktime(&next);
		*to_midnight = midnight > t ? (int64_t)(midnight - t) : 1;
	}
	return (int32_t)(timegm(&date) / 86400);
}
