/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ntk.conf: loading, validation and the settings every component reads. */
#ifndef NTK_CONFIG_H
#define NTK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ntk_policy.h"

/* role_value: how a role_attribute value names a role. */
enum ntk_role_value {
	NTK_ROLE_VALUE_VALUE = 0,      /* the value is the role name (ntkRole: legal) */
	NTK_ROLE_VALUE_RDN = 1,        /* a group DN; its first RDN's value is the name (memberOf) */
};

#define NTK_GROUP_NESTING_MAX 8

/* bind_mech: how ntkd proves who it is to the directory. */
enum ntk_bind_mech {
	NTK_BIND_SIMPLE = 0,           /* binddn + bindpw_file (or anonymous) */
	NTK_BIND_GSSAPI = 1,           /* Kerberos: krb5_principal's key in krb5_keytab */
	NTK_BIND_EXTERNAL = 2,         /* the TLS client certificate tls_cert / tls_key */
};

enum ntk_role_source {
	NTK_ROLE_SOURCE_ATTRIBUTE = 0, /* multi-valued role_attribute on the staff entry */
	NTK_ROLE_SOURCE_GROUP = 1,     /* membership of groups found by role_group_filter */
};

enum ntk_visibility {
	NTK_VISIBILITY_MEMBER = 0,     /* a non-root peer sees only its own groups */
	NTK_VISIBILITY_ALL = 1,
};

enum ntk_tls_mode {
	NTK_TLS_NONE = 0,              /* plain ldap:// (or ldaps:// by URI) */
	NTK_TLS_STARTTLS = 1,          /* StartTLS required on ldap:// URIs */
};

struct ntk_config {
	char *path;

	/* [ldap] */
	char **uris;                   /* tried in order */
	size_t nuris;
	char *base;
	char *binddn;                  /* NULL: anonymous bind */
	char *bindpw_file;
	char *bindpw;                  /* read from bindpw_file; wiped when freed */
	char *user_filter;             /* one %s: the escaped user name */
	char *role_attribute;
	char *case_attribute;
	char *manager_attribute;
	enum ntk_role_source role_source;
	enum ntk_role_value role_value; /* a role_attribute value is the role, or a DN whose RDN is */
	char *role_group_filter;       /* one %s: the escaped user DN */
	char *role_group_attribute;    /* the group attribute that names the role */
	unsigned group_nesting;        /* levels of groups within role groups followed */
	unsigned timeout;              /* seconds, every LDAP operation */
	char *tls_cacert;
	enum ntk_tls_mode tls;         /* none only to loopback, ldapi:// or ldaps:// */
	char *name_attribute;          /* must hold the asked name byte for byte */
	char *staff_filter;            /* ANDed into subordinate, holder, member searches */
	enum ntk_bind_mech bind_mech;
	char *krb5_keytab;             /* GSSAPI: the client keytab */
	char *krb5_principal;          /* GSSAPI: whose key; NULL: the keytab's default */
	char *tls_cert;                /* EXTERNAL: client certificate (PEM) */
	char *tls_key;                 /* EXTERNAL: its key (PEM), root-readable only */
	bool follow_changes;           /* RFC 4533 change subscription when the server offers it */

	/* [daemon] */
	char *socket;
	char **trusted_peers;          /* user names; resolved to uids by ntkd */
	size_t ntrusted_peers;
	unsigned threads;
	unsigned max_connections_per_uid;  /* each untrusted uid; root and trusted_peers exempt */
	unsigned untrusted_idle;       /* seconds without a request other than PING */
	unsigned untrusted_rate;       /* requests a second for each untrusted uid */

	/* [cache] */
	unsigned cache_ttl;
	unsigned cache_negative_ttl;
	unsigned cache_offline_grace;

	/* [audit] */
	bool audit_allows;
	unsigned break_glass_minutes;
	unsigned audit_queue;          /* records waiting for the writer thread */
	unsigned browsing_threshold;   /* distinct denied cases that flag browsing */
	char *auditd_pid_file;         /* where auditd says it runs; NULL: not watched */
	char *auditd_log_file;         /* where break-glass records are confirmed; "": auditd.conf's */
	unsigned audit_confirm_ms;     /* how long a grant waits for its record in that file */
	unsigned audit_budget;         /* records per untrusted uid and interval; 0: no limit */
	unsigned audit_budget_interval; /* seconds */

	/* [nss] */
	enum ntk_visibility visibility;
	uint32_t case_gid_min;
	uint32_t case_gid_max;
	uint32_t system_gid_min;       /* ntk-sys-<system>: system_gid_min + index */
	uint32_t role_gid_min;         /* ntk-role-<role>: role_gid_min + index */
	bool enumerate;
	bool nss_map;                  /* publish the NSS map (SOCKET.map) for libnss_ntk */

	/* [system:*] and [role:*], and [ldap] supervision_depth */
	struct ntk_policy policy;
};

/*
 * Load and validate `path`. On failure returns NTK_ERR_CONFIG (or
 * NTK_ERR_NOMEM) and writes "FILE:SECTION:KEY: reason" (or "FILE: reason")
 * into err; *out is left cleared. Reads bindpw_file, refusing one that is
 * missing, unreadable, readable by group or others, or owned by anyone but
 * root or the effective uid. Refuses `tls = none` with an ldap:// URI to a
 * host that is not loopback.
 */
int ntk_config_load(const char *path, struct ntk_config *out, char *err, size_t errlen);

/* Free members (wiping the bind password); accepts NULL. */
void ntk_config_clear(struct ntk_config *config);

/*
 * One value of a config file, read by the same reader as ntk_config_load
 * (sections and keys checked, nothing else validated, no file it names
 * opened): for ntkctl, which needs [daemon] socket and must work for users
 * who cannot read the bind password. `section` lowercased ("daemon").
 * 0 with *out malloc'd (NULL when the key is absent), or an error with
 * "file: reason" in err.
 */
int ntk_config_peek(const char *path, const char *section, const char *key, char **out,
    char *err, size_t errlen);

#endif /* NTK_CONFIG_H */
