/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SASL binds: GSSAPI from a keytab, EXTERNAL over TLS with a client certificate. */
#ifndef NTKD_LDAP_SASL_H
#define NTKD_LDAP_SASL_H

#include <ldap.h>

#include "ntk_config.h"

/*
 * Bind `ld` (connected, TLS already started when configured) with
 * bind_mech GSSAPI or EXTERNAL. Returns an LDAP result code; on failure
 * `why` (may be NULL) gets a static description of the step that failed.
 */
int ntkd_ldap_sasl_bind(LDAP *ld, const struct ntk_config *cf, const char **why);

#endif /* NTKD_LDAP_SASL_H */
