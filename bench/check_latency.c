/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Times one cached user's check, a fresh connection each (as PAM makes), and prints its percentiles. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ntk_client.h"
#include "ntk_clock.h"
#include "ntk_err.h"
#include "ntk_policy.h"
#include "ntk_proto.h"

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The value at fraction q of the sorted samples (nearest rank). */
static int64_t
pct(const int64_t *v, size_t n, double q)
{
	size_t k = (size_t)(q * (double)n + 0.999999);

	return v[k == 0 ? 0 : k - 1];
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "user", required_argument, NULL, 'u' },
		{ "system", required_argument, NULL, 's' },
		{ "case", required_argument, NULL, 'C' },
		{ "seconds", required_argument, NULL, 'T' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct ntk_check_req req = { .user = NULL };
	struct ntk_check_rep rep = { .verdict = NULL };
	struct ntk_conn *c;
	const char *sock = NULL;
	struct timespec gap;
	int64_t *v = NULL, end, t0;
	size_t n = 0, cap = 0, failed = 0;
	long seconds = 5, interval = 20;
	int opt, rc;

	req.system = "FACTS";
	req.case_id = "1001";
	req.reason = req.rhost = req.tty = "";
	req.action = NTK_ACTION_READ;
	req.state = NTK_STATE_OPEN;
	req.flags = NTK_CHECK_DRY_RUN;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'S': sock = optarg; break;
		case 'u': req.user = optarg; break;
		case 's': req.system = optarg; break;
		case 'C': req.case_id = optarg; break;
		case 'T': seconds = strtol(optarg, NULL, 10); break;
		case 'i': interval = strtol(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (sock == NULL || req.user == NULL || seconds <= 0 || interval < 0) {
		fprintf(stderr, "usage: check_latency --socket PATH --user U [--system S] [--case C] "
		    "[--seconds N] [--interval-ms N]\n");
		return 2;
	}
	gap.tv_sec = interval / 1000;
	gap.tv_nsec = (interval % 1000) * 1000000L;
	end = ntk_mono_ms() + seconds * 1000;
	while (ntk_mono_ms() < end) {
		if (n == cap) {
			int64_t *p = realloc(v, (cap = cap ? cap * 2 : 1024) * sizeof(*v));

			if (p == NULL)
				return 1;
			v = p;
		}
		t0 = now_us();
		if ((rc = ntk_conn_open(sock, 30000, &c)) == 0) {
			rc = ntk_client_check(c, &req, &rep);
			ntk_conn_close(c);
		}
		v[n++] = now_us() - t0;
		/* A cached user is allowed: anything else means the figure is not what it claims. */
		if (rc != 0 || !ntk_outcome_allows(rep.outcome))
			failed++;
		ntk_check_rep_clear(&rep);
		nanosleep(&gap, NULL);
	}
	qsort(v, n, sizeof(*v), cmp_i64);
	printf("n=%zu p50_us=%lld p99_us=%lld max_us=%lld not_allowed=%zu\n", n,
	    (long long)pct(v, n, 0.50), (long long)pct(v, n, 0.99), (long long)v[n - 1], failed);
	free(v);
	return failed == 0 ? 0 : 1;
}
