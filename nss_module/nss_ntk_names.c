/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure filters: the group names and gids libnss_ntk forwards to ntkd, and which executable is nscd. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "nss_ntk.h"

/* System and role names: the characters a config section name may sensibly hold. */
static bool
name_part_ok(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++) {
		if (n >= NTK_NSS_NAME_MAX)
			return false;
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return false;
	}
	return n > 0;
}

/* A case id that has a group: canonical decimal (no sign, no leading zero) within 32 bits. */
static bool
case_part_ok(const char *s)
{
	uint64_t v = 0;
	size_t n = 0;

	if (s[0] == '0')
		return s[1] == '\0';
	for (; *s != '\0'; s++, n++) {
		if (*s < '0' || *s > '9' || n >= 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return n > 0 && v <= UINT32_MAX;
}

bool
ntk_nss_name_ours(const char *name)
{
	if (name == NULL)
		return false;
	if (strncmp(name, NTK_NSS_PREFIX_SYS, strlen(NTK_NSS_PREFIX_SYS)) == 0)
		return name_part_ok(name + strlen(NTK_NSS_PREFIX_SYS));
	if (strncmp(name, NTK_NSS_PREFIX_ROLE, strlen(NTK_NSS_PREFIX_ROLE)) == 0)
		return name_part_ok(name + strlen(NTK_NSS_PREFIX_ROLE));
	if (strncmp(name, NTK_NSS_PREFIX_CASE, strlen(NTK_NSS_PREFIX_CASE)) == 0)
		return case_part_ok(name + strlen(NTK_NSS_PREFIX_CASE));
	return false;
}

bool
ntk_nss_gid_ours(uint32_t gid, uint32_t gid_min, uint32_t gid_max)
{
	return gid >= gid_min && gid <= gid_max;
}

bool
ntk_nss_exe_is_nscd(const char *path)
{
	static const char deleted[] = " (deleted)";
	const char *base;
	size_t n;

	if (path == NULL)
		return false;
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	n = strlen(base);
	/* The kernel appends this to /proc/self/exe once the binary is replaced (a glibc upgrade). */
	if (n > sizeof(deleted) - 1 && strcmp(base + n - (sizeof(deleted) - 1), deleted) == 0)
		n -= sizeof(deleted) - 1;
	return n == 4 && strncmp(base, "nscd", 4) == 0;
}
