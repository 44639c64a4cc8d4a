/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monotonic clock, for deadlines and ages that must not jump with the wall clock. */
#ifndef NTK_CLOCK_H
#define NTK_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds on CLOCK_MONOTONIC (an arbitrary origin: compare, never print). */
static inline int64_t
ntk_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif /* NTK_CLOCK_H */
