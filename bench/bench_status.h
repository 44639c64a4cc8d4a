/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One counter from ntkd's STATUS text, for the benchmarks. */
#ifndef NTK_BENCH_STATUS_H
#define NTK_BENCH_STATUS_H

#include "ntk_client.h"

/* The value of `key=` in STATUS (the last one), or -1 when absent or unreachable. */
long ntk_bench_status_value(struct ntk_conn *c, const char *key);

#endif
