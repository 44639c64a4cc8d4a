/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who the UDFs decide for: the account of the server's current security context, asked of mariadbd. */
#include "config.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include "ntk_err.h"
#include "ntk_udf.h"

/*
 * mariadbd's own exported functions (plugin.h): the running thread's THD,
 * and the priv_user of the THD's current security context. Looked up at
 * run time: a UDF library may not link against the server.
 */
typedef void *(*current_thd_fn)(void);
typedef const char *(*thd_priv_user_fn)(void *thd, size_t *length);
typedef unsigned long long (*thd_query_id_fn)(const void *thd);

/* Written once when the library is loaded, before any thread can call in; read-only afterwards. */
static current_thd_fn current_thd;
static thd_priv_user_fn thd_priv_user;
static thd_query_id_fn thd_query_id;

__attribute__((constructor)) static void
identity_resolve(void)
{
	current_thd = (current_thd_fn)dlsym(RTLD_DEFAULT, "_current_thd");
	thd_priv_user = (thd_priv_user_fn)dlsym(RTLD_DEFAULT, "thd_priv_user");
	thd_query_id = (thd_query_id_fn)dlsym(RTLD_DEFAULT, "thd_query_id");
}

int
ntk_udf_identity(char out[NTK_NAME_MAX + 1])
{
	const char *name;
	size_t len = 0, i;
	void *thd;

	out[0] = '\0';
	/* Not inside mariadbd (or a server without these): nobody to decide for. */
	if (current_thd == NULL || thd_priv_user == NULL)
		return NTK_ERR_UNAVAILABLE;
	if ((thd = current_thd()) == NULL || (name = thd_priv_user(thd, &len)) == NULL)
		return NTK_ERR_UNAVAILABLE;
	/* '' is an anonymous account: whatever name the client typed, nobody authenticated. */
	if (len == 0 || len > NTK_NAME_MAX)
		return NTK_ERR_BAD_VALUE;
	/* No NUL, space or control byte: LDAP matching ignores spaces, so " erin" would be erin. */
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] <= 0x20 || name[i] == 0x7f)
			return NTK_ERR_BAD_VALUE;
	memcpy(out, name, len);
	out[len] = '\0';
	return 0;
}

int
ntk_udf_statement(const void **thd, unsigned long long *query_id)
{
	*thd = NULL;
	*query_id = 0;
	if (current_thd == NULL || thd_query_id == NULL || (*thd = current_thd()) == NULL)
		return NTK_ERR_UNAVAILABLE;
	*query_id = thd_query_id(*thd);
	return 0;
}
