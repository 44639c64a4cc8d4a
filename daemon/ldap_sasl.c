/* SASL binds: GSSAPI from a keytab, EXTERNAL over TLS with a client certificate. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
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

/*
 * Initial credentials for krb5_principal from krb5_keytab, into a memory
 * cache of this process: no ticket file on disk, no environment variable
 * shared by threads, and the principal is the one the config names.
 */
static int
gss_creds(const struct ntk_config *cf, gss_cred_id_t *out, const char **why)
{
	gss_key_value_element_desc elems[2];
	gss_key_value_set_desc store = { 2, elems };
	gss_buffer_desc name_buf;
	gss_name_t name = GSS_C_NO_NAME;
	OM_uint32 major, minor;

	*out = GSS_C_NO_CREDENTIAL;
	elems[0].key = "client_keytab";
	elems[0].value = cf->krb5_keytab;
	elems[1].key = "ccache";
	elems[1].value = "MEMORY:ntkd";
	if (cf->krb5_principal != NULL) {
		name_buf.value = cf->krb5_principal;
		name_buf.length = strlen(cf->krb5_principal);
		major = gss_import_name(&minor, &name_buf, GSS_KRB5_NT_PRINCIPAL_NAME, &name);
		if (GSS_ERROR(major)) {
			*why = "krb5_principal is not a Kerberos principal name";
			return LDAP_LOCAL_ERROR;
		}
	}
	major = gss_acquire_cred_from(&minor, name, GSS_C_INDEFINITE, GSS_C_NO_OID_SET,
	    GSS_C_INITIATE, &store, out, NULL, NULL);
	gss_release_name(&minor, &name);
	if (GSS_ERROR(major)) {
		*why = "no Kerberos credentials from krb5_keytab (KDC unreachable, or the keytab "
		    "does not hold krb5_principal)";
		return LDAP_LOCAL_ERROR;
	}
	return LDAP_SUCCESS;
}

int
ntkd_ldap_sasl_bind(LDAP *ld, const struct ntk_config *cf, const char **why)
{
	gss_cred_id_t creds = GSS_C_NO_CREDENTIAL;
	OM_uint32 minor;
	const char *ignored;
	int rc;

	if (why == NULL)
		why = &ignored;
	*why = "bind";
	if (cf->bind_mech == NTK_BIND_EXTERNAL)
		return ldap_sasl_interactive_bind_s(ld, NULL, "EXTERNAL", NULL, NULL, LDAP_SASL_QUIET,
		    no_prompts, NULL);
	if ((rc = gss_creds(cf, &creds, why)) != LDAP_SUCCESS)
		return rc;
	if (ldap_set_option(ld, LDAP_OPT_X_SASL_GSS_CREDS, creds) != LDAP_OPT_SUCCESS) {
		*why = "libldap does not take GSSAPI credentials";
		rc = LDAP_LOCAL_ERROR;
	} else {
		rc = ldap_sasl_interactive_bind_s(ld, NULL, "GSSAPI", NULL, NULL, LDAP_SASL_QUIET,
		    no_prompts, NULL);
		/* The security context holds what it needs; the handle must not keep a freed pointer. */
		(void)ldap_set_option(ld, LDAP_OPT_X_SASL_GSS_CREDS, NULL);
	}
	gss_release_cred(&minor, &creds);
	return rc;
}
