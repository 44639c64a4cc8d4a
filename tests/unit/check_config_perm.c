/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check suite for common/ntk_config_perm.c: which modes and owners of the config and its directories are refused. */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ntk_config_perm.h"
#include "ntk_err.h"

static char top[64];        /* mkdtemp under /tmp: root's (or ours), 0700 */
static char sub[128];       /* top/etc */
static char conf[192];      /* top/etc/ntk.conf */
static char err[1024];

static void
setup(void)
{
	int fd;

	snprintf(top, sizeof(top), "/tmp/ntk-check-perm-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	ck_assert_int_eq(chmod(top, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/etc", top);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	snprintf(conf, sizeof(conf), "%s/ntk.conf", sub);
	ck_assert_int_ge(fd = open(conf, O_WRONLY | O_CREAT | O_EXCL, 0644), 0);
	close(fd);
	ck_assert_int_eq(chmod(conf, 0644), 0);
}

static void
teardown(void)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/link.conf", top);
	unlink(p);
	snprintf(p, sizeof(p), "%s/open/link.conf", top);
	unlink(p);
	snprintf(p, sizeof(p), "%s/open", top);
	rmdir(p);
	unlink(conf);
	rmdir(sub);
	rmdir(top);
}

/* The check's verdict on conf; err must start with the path as given. */
static int
check(const char *path)
{
	int r = ntk_config_perm_check(path, err, sizeof(err));

	if (r != 0)
		ck_assert_msg(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':',
		    "error does not start with the file: %s", err);
	return r;
}

START_TEST(test_safe)
{
	ck_assert_int_eq(check(conf), 0);
	ck_assert_int_eq(chmod(conf, 0600), 0);
	ck_assert_int_eq(check(conf), 0);
	/* Readable by all is fine: the secret is in bindpw_file, not here. */
	ck_assert_int_eq(chmod(conf, 0444), 0);
	ck_assert_int_eq(check(conf), 0);
}
END_TEST

START_TEST(test_file_writable)
{
	ck_assert_int_eq(chmod(conf, 0666), 0);
	ck_assert_int_eq(check(conf), NTK_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "writable by group or others (mode 0666)"));
	ck_assert_int_eq(chmod(conf, 0620), 0);
	ck_assert_int_eq(check(conf), NTK_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "mode 0620"));
}
END_TEST

START_TEST(test_dir_writable)
{
	/* The file's own directory: never, sticky or not. */
	ck_assert_int_eq(chmod(sub, 0775), 0);
	ck_assert_int_eq(check(conf), NTK_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, sub));
	ck_assert_int_eq(chmod(sub, 01777), 0);
	ck_assert_int_eq(check(conf), NTK_ERR_CONFIG);
	ck_assert_int_eq(chmod(sub, 0755), 0);
	/* Above it: only with the sticky bit. */
	ck_assert_int_eq(chmod(top, 0777), 0);
	ck_assert_int_eq(check(conf), NTK_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, top));
	ck_assert_int_eq(chmod(top, 01777), 0);
	ck_assert_int_eq(check(conf), 0);
	ck_assert_int_eq(chmod(top, 0755), 0);
}
END_TEST

START_TEST(test_owner)
{
	if (geteuid() != 0)
		return;         /* only root can give a file away */
	ck_assert_int_eq(chown(conf, 65534, 65534), 0);
	ck_assert_int_eq(check(conf), NTK_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "owned by uid 65534"));
	ck_assert_int_eq(chown(conf, 0, 0), 0);
	ck_assert_int_eq(chown(sub, 65534, 65534), 0);
	ck_assert_int_eq(check(conf), NTK_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "owned by uid 65534"));
	ck_assert_int_eq(chown(sub, 0, 0), 0);
	ck_assert_int_eq(check(conf), 0);
}
END_TEST

START_TEST(test_symlink)
{
	char link[256], open_dir[192];

	/* A link in a safe directory to a safe file: fine. */
	snprintf(link, sizeof(link), "%s/link.conf", top);
	ck_assert_int_eq(symlink(conf, link), 0);
	ck_assert_int_eq(check(link), 0);
	/* The target's modes count... */
	ck_assert_int_eq(chmod(conf, 0666), 0);
	ck_assert_int_eq(check(link), NTK_ERR_CONFIG);
	ck_assert_int_eq(chmod(conf, 0644), 0);
	/* ...and so does the directory holding the link: anyone there could repoint it. */
	snprintf(open_dir, sizeof(open_dir), "%s/open", top);
	ck_assert_int_eq(mkdir(open_dir, 0755), 0);
	ck_assert_int_eq(chmod(open_dir, 0777), 0);
	snprintf(link, sizeof(link), "%s/link.conf", open_dir);
	ck_assert_int_eq(symlink(conf, link), 0);
	ck_assert_int_eq(check(link), NTK_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, open_dir));
	unlink(link);
	/*
	 * A symlinked directory on the way: open/dir -> etc. Resolved, the path
	 * is etc/ntk.conf (safe); but whoever may write `open` can repoint `dir`.
	 */
	snprintf(link, sizeof(link), "%s/dir", open_dir);
	ck_assert_int_eq(symlink(sub, link), 0);
	snprintf(link, sizeof(link), "%s/dir/ntk.conf", open_dir);
	ck_assert_int_eq(check(link), NTK_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, open_dir));
	snprintf(link, sizeof(link), "%s/dir", open_dir);
	unlink(link);
}
END_TEST

START_TEST(test_missing)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/absent.conf", sub);
	ck_assert_int_eq(check(p), NTK_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(err, "cannot open"));
}
END_TEST

static Suite *
perm_suite(void)
{
	Suite *s = suite_create("ntk_config_perm");
	TCase *tc = tcase_create("perm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_safe);
	tcase_add_test(tc, test_file_writable);
	tcase_add_test(tc, test_dir_writable);
	tcase_add_test(tc, test_owner);
	tcase_add_test(tc, test_symlink);
	tcase_add_test(tc, test_missing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(perm_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
