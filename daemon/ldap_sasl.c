/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SASL binds: GSSAPI from a keytab, EXTERNAL over TLS with a client certificate. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <ldap.h>
#include <sasl/sasl.h>

#include "ldap_sasl.h"

/* Neither mechanism asks anything: every prompt gets its default (an empty answer). */
static int
no_prompts(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_interact_t *p;

	(void)ld; (void)flags; (void)defaults;
	for (p = in; p != NULL && p->id != SASL_CB_LIST_END; p++) {
		p->result = p->defresult != NULL ? p->defresult : "";
		p->len = (unsigned)strlen(p->result);
	}
	return LDAP_SUCCESS;
}

/* The principal to bind as: krb5_principal, or the keytab's first entry. */
static krb5_error_code
client_principal(krb5_context ctx, krb5_keytab kt, const char *name, krb5_principal *out)
{
	krb5_kt_cursor cursor;
	krb5_keytab_entry entry;
	krb5_error_code kr;

	if (name != NULL)
		return krb5_parse_name(ctx, name, out);
	if ((kr = krb5_kt_start_seq_get(ctx, kt, &cursor)) != 0)
		return kr;
	if ((kr = krb5_kt_next_entry(ctx, kt, &entry, &cursor)) == 0) {
		kr = krb5_copy_principal(ctx, entry.principal, out);
		krb5_free_keytab_entry_contents(ctx, &entry);
	}
	krb5_kt_end_seq_get(ctx, kt, &cursor);
	return kr;
}

/*
 * A ticket-granting ticket for the principal, from krb5_keytab, into a
 * memory cache named for this thread: no ticket file on disk and no
 * environment variable (threads share those), and the principal is the one
 * the config names. GSSAPI then finds it as this thread's default cache.
 */
static int
kinit_memory(const struct ntk_config *cf, char *ccname, size_t len, const char **why)
{
	krb5_context ctx = NULL;
	krb5_keytab kt = NULL;
	krb5_principal princ = NULL;
	krb5_ccache cc = NULL;
	krb5_creds creds;
	int rc = LDAP_LOCAL_ERROR;

	memset(&creds, 0, sizeof(creds));
	snprintf(ccname, len, "MEMORY:ntkd-%ld", (long)syscall(SYS_gettid));
	if (krb5_init_context(&ctx) != 0) {
		*why = "Kerberos: no context (krb5.conf unreadable?)";
		return rc;
	}
	if (krb5_kt_resolve(ctx, cf->krb5_keytab, &kt) != 0 ||
	    client_principal(ctx, kt, cf->krb5_principal, &princ) != 0) {
		*why = "Kerberos: krb5_keytab unreadable, or krb5_principal not a principal name";
		goto out;
	}
	if (krb5_get_init_creds_keytab(ctx, &creds, princ, kt, 0, NULL, NULL) != 0) {
		*why = "no Kerberos credentials from krb5_keytab (KDC unreachable, or the keytab "
		    "does not hold krb5_principal)";
		goto out;
	}
	if (krb5_cc_resolve(ctx, ccname, &cc) != 0 || krb5_cc_initialize(ctx, cc, princ) != 0 ||
	    krb5_cc_store_cred(ctx, cc, &creds) != 0) {
		*why = "Kerberos: cannot keep the ticket in memory";
		goto out;
	}
	rc = LDAP_SUCCESS;
out:
	krb5_free_cred_contents(ctx, &creds);
	if (cc != NULL)
		krb5_cc_close(ctx, cc);         /* a memory cache outlives its handle */
	krb5_free_principal(ctx, princ);
	if (kt != NULL)
		krb5_kt_close(ctx, kt);
	krb5_free_context(ctx);
	return rc;
}

int
ntkd_ldap_sasl_bind(LDAP *ld, const struct ntk_config *cf, const char **why)
{
	char ccname[64];
	OM_uint32 minor;
	const char *ignored;
	int rc;

	if (why == NULL)
		why = &ignored;
	*why = "bind";
	if (cf->bind_mech == NTK_BIND_EXTERNAL)
		return ldap_sasl_interactive_bind_s(ld, NULL, "EXTERNAL", NULL, NULL, LDAP_SASL_QUIET,
		    no_prompts, NULL);
	if ((rc = kinit_memory(cf, ccname, sizeof(ccname), why)) != LDAP_SUCCESS)
		return rc;
	/*
	 * The service principal is ldap/HOST with HOST as the URI writes it:
	 * libldap would otherwise rewrite it through DNS (and for a loopback
	 * peer, to this machine's own name), so the ticket asked for would not
	 * be the server's.
	 */
	if (ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON) != LDAP_OPT_SUCCESS ||
	    GSS_ERROR(gss_krb5_ccache_name(&minor, ccname, NULL))) {
		*why = "cannot point GSSAPI at ntkd's ticket";
		return LDAP_LOCAL_ERROR;
	}
	return ldap_sasl_interactive_bind_s(ld, NULL, "GSSAPI", NULL, NULL, LDAP_SASL_QUIET,
	    no_prompts, NULL);
}
