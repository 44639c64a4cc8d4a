/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The calendar day in ntkd's local time zone: what `until=` dates are compared with. */
#ifndef NTKD_LOCAL_DAY_H
#define NTKD_LOCAL_DAY_H

#include <stdint.h>

/*
 * Days since 1970-01-01 of the local date at `now` (unix seconds), in the
 * time zone of TZ or /etc/localtime as read at start. When `to_midnight`
 * is not NULL it gets the seconds until the next local midnight (at least 1),
 * so facts handed out can be made to expire with the day.
 */
int32_t ntkd_local_day(int64_t now, int64_t *to_midnight);

/*
 * The answer is kept per thread until the local midnight (every request
 * asks). ntkd reads its zone once at start; a caller that changes TZ in
 * the process (a test) forgets the kept day after tzset().
 */
void ntkd_local_day_forget(void);

#endif /* NTKD_LOCAL_DAY_H */
