/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check suite for what keeps a down LDAP server cheap: the shared server state and the in-flight table. */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "inflight.h"
#include "ldap_health.h"
#include "ntk_clock.h"
#include "ntk_err.h"

/* ---- in-flight table ------------------------------------------------------ */

static int destroyed;

struct val {
	struct ntkd_cached base;
	int n;
};

static void
val_destroy(struct ntkd_cached *v)
{
	__atomic_add_fetch(&destroyed, 1, __ATOMIC_SEQ_CST);
	free(v);
}

static struct ntkd_inflight table = NTKD_INFLIGHT_INIT;

struct waiter {
	pthread_t thread;
	const char *key;
	int64_t wait_ms;
	int rc;
	bool led;
	struct ntkd_cached *value;
	int64_t took_ms;
};

static void *
waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct ntkd_flight *lead;
	int64_t t0 = ntk_mono_ms();

	w->rc = ntkd_inflight_join(&table, w->key, 1, w->wait_ms, &lead, &w->value);
	w->led = lead != NULL;
	w->took_ms = ntk_mono_ms() - t0;
	/* Nobody should lead here; if one does, finish its flight so nothing hangs. */
	if (lead != NULL)
		ntkd_inflight_done(&table, lead, NTK_ERR_INTERNAL, NULL);
	return NULL;
}

START_TEST(inflight_waiters_share_the_answer)
{
	struct ntkd_flight *lead;
	struct ntkd_cached *v;
	struct val *x = calloc(1, sizeof(*x));
	struct waiter w[3];
	int i;

	destroyed = 0;
	ck_assert_ptr_nonnull(x);
	ntkd_cached_init(&x->base, 100, val_destroy);
	x->n = 42;
	ck_assert_int_eq(ntkd_inflight_join(&table, "alice", 1, 5000, &lead, &v), 0);
	ck_assert_ptr_nonnull(lead);
	ck_assert_ptr_null(v);
	for (i = 0; i < 3; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].key = "alice";
		w[i].wait_ms = 5000;
		ck_assert_int_eq(pthread_create(&w[i].thread, NULL, waiter_main, &w[i]), 0);
	}
	usleep(200000);
	ntkd_inflight_done(&table, lead, 0, &x->base);
	ntkd_cached_unref(&x->base);
	for (i = 0; i < 3; i++) {
		pthread_join(w[i].thread, NULL);
		ck_assert(!w[i].led);
		ck_assert_int_eq(w[i].rc, 0);
		ck_assert_ptr_eq(w[i].value, &x->base);
		ck_assert_int_eq(((struct val *)w[i].value)->n, 42);
	}
	ck_assert_int_eq(destroyed, 0);
	for (i = 0; i < 3; i++)
		ntkd_cached_unref(w[i].value);
	ck_assert_int_eq(destroyed, 1);
	/* Done means gone: the next asker leads a fetch of its own. */
	ck_assert_int_eq(ntkd_inflight_join(&table, "alice", 1, 5000, &lead, &v), 0);
	ck_assert_ptr_nonnull(lead);
	ntkd_inflight_done(&table, lead, NTK_ERR_UNAVAILABLE, NULL);
}
END_TEST

START_TEST(inflight_errors_and_bounded_waits)
{
	struct ntkd_flight *lead, *lead2;
	struct ntkd_cached *v;
	struct waiter w;

	/* A waiter gives up after wait_ms: unavailable, no value. */
	ck_assert_int_eq(ntkd_inflight_join(&table, "bob", 1, 5000, &lead, &v), 0);
	ck_assert_ptr_nonnull(lead);
	memset(&w, 0, sizeof(w));
	w.key = "bob";
	w.wait_ms = 300;
	ck_assert_int_eq(pthread_create(&w.thread, NULL, waiter_main, &w), 0);
	pthread_join(w.thread, NULL);
	ck_assert(!w.led);
	ck_assert_int_eq(w.rc, NTK_ERR_UNAVAILABLE);
	ck_assert_ptr_null(w.value);
	ck_assert_int_ge(w.took_ms, 290);
	ck_assert_int_lt(w.took_ms, 3000);

	/* Another config generation is another fetch. */
	ck_assert_int_eq(ntkd_inflight_join(&table, "bob", 2, 5000, &lead2, &v), 0);
	ck_assert_ptr_nonnull(lead2);
	ntkd_inflight_done(&table, lead2, 0, NULL);

	/* The fetcher's error reaches the waiters. */
	memset(&w, 0, sizeof(w));
	w.key = "bob";
	w.wait_ms = 5000;
	ck_assert_int_eq(pthread_create(&w.thread, NULL, waiter_main, &w), 0);
	usleep(200000);
	ntkd_inflight_done(&table, lead, NTK_ERR_UNAVAILABLE, NULL);
	pthread_join(w.thread, NULL);
	ck_assert(!w.led);
	ck_assert_int_eq(w.rc, NTK_ERR_UNAVAILABLE);
	ck_assert_ptr_null(w.value);
}
END_TEST

/* ---- shared server state -------------------------------------------------- */

static char *
printed(char *const *uris, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ntkd_ldap_health_print(f, uris, n);
	fclose(f);
	return text;
}

START_TEST(health_backoff_and_one_probe)
{
	char *uris[] = { "ldap://health-a/", "ldap://health-b/" };
	struct ntkd_ldap_health *a, *a2, *b;
	bool probe;
	char *text;

	ck_assert_int_eq(ntkd_ldap_health_get(uris[0], &a), 0);
	ck_assert_int_eq(ntkd_ldap_health_get(uris[0], &a2), 0);
	ck_assert_ptr_eq(a, a2);        /* one state per URI, whoever asks */
	ck_assert_int_eq(ntkd_ldap_health_get(uris[1], &b), 0);
	ck_assert(ntkd_ldap_health_admit(a, &probe));
	ck_assert(!probe);

	/* The first failure: down for 1 s; stragglers failing meanwhile change nothing. */
	ntkd_ldap_health_report(a, false, false, true);
	ntkd_ldap_health_report(a, false, false, true);
	ck_assert(!ntkd_ldap_health_admit(a, &probe));
	ck_assert(!ntkd_ldap_health_usable(a));
	ck_assert(ntkd_ldap_health_admit(b, &probe));    /* the other server is not affected */
	text = printed(uris, 2);
	ck_assert_ptr_nonnull(strstr(text, "ldap_uri1=ldap://health-a/ down retry_in=1 failures=1\n"));
	ck_assert_ptr_nonnull(strstr(text, "ldap_uri2=ldap://health-b/ up\n"));
	ck_assert_ptr_nonnull(strstr(text, "ldap_timeouts=2\n"));
	free(text);

	/* The backoff over: one probe, the others still skip it. */
	usleep(1100000);
	ck_assert(ntkd_ldap_health_usable(a));
	ck_assert(ntkd_ldap_health_admit(a, &probe));
	ck_assert(probe);
	ck_assert(!ntkd_ldap_health_admit(a, &probe));
	text = printed(uris, 1);
	ck_assert_ptr_nonnull(strstr(text, "ldap_uri1=ldap://health-a/ down probing failures=1\n"));
	free(text);

	/* The probe failed: 2 s now. */
	ntkd_ldap_health_report(a, true, false, false);
	usleep(1100000);
	ck_assert(!ntkd_ldap_health_admit(a, &probe));
	usleep(1000000);
	ck_assert(ntkd_ldap_health_admit(a, &probe));
	ck_assert(probe);

	/* It answered: up for everyone, the backoff forgotten. */
	ntkd_ldap_health_report(a, true, true, false);
	ck_assert(ntkd_ldap_health_admit(a, &probe));
	ck_assert(!probe);
	ntkd_ldap_health_fast_fail();
	text = printed(uris, 1);
	ck_assert_ptr_nonnull(strstr(text, "ldap_uri1=ldap://health-a/ up\n"));
	ck_assert_ptr_nonnull(strstr(text, "ldap_fast_fails=1\n"));
	free(text);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ldapdown");
	TCase *tc = tcase_create("units");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, inflight_waiters_share_the_answer);
	tcase_add_test(tc, inflight_errors_and_bounded_waits);
	tcase_add_test(tc, health_backoff_and_one_probe);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
