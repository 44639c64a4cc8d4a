/* Throwaway stand-in for the directory branch: canned facts for alice only. Deleted when directory.c lands. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "directory.h"
#include "ntk_err.h"

struct ntkd_directory {
	unsigned long trips;
};

int
ntkd_directory_open(const struct ntk_config *config, struct ntkd_directory **out)
{
	(void)config;
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? 0 : NTK_ERR_NOMEM;
}

void
ntkd_directory_close(struct ntkd_directory *d)
{
	free(d);
}

const char *
ntkd_directory_server(const struct ntkd_directory *d)
{
	(void)d;
	return "stub:";
}

unsigned long
ntkd_directory_round_trips(const struct ntkd_directory *d)
{
	return d->trips;
}

int
ntkd_directory_subject(struct ntkd_directory *d, const char *user, struct ntk_subject *out)
{
	memset(out, 0, sizeof(*out));
	d->trips++;
	if (strcmp(user, "alice") != 0)
		return 0;
	out->found = true;
	out->name = strdup(user);
	out->roles = calloc(1, sizeof(char *));
	out->assignments = calloc(1, sizeof(*out->assignments));
	if (out->name == NULL || out->roles == NULL || out->assignments == NULL ||
	    (out->roles[0] = strdup("social_worker")) == NULL) {
		ntk_subject_clear(out);
		return NTK_ERR_NOMEM;
	}
	out->nroles = 1;
	strcpy(out->assignments[0].case_id, "1001");
	out->assignments[0].until = NTK_NO_END;
	out->nassignments = 1;
	return 0;
}

int
ntkd_directory_case_people(struct ntkd_directory *d, const char *case_id, unsigned depth,
    struct ntkd_person **holders, size_t *nholders,
    struct ntkd_person **supervisors, size_t *nsupervisors)
{
	(void)d; (void)case_id; (void)depth;
	*holders = NULL;
	*supervisors = NULL;
	*nholders = *nsupervisors = 0;
	return 0;
}

int
ntkd_directory_role_members(struct ntkd_directory *d, const char *role, char ***uids, size_t *nuids)
{
	(void)d; (void)role;
	*uids = NULL;
	*nuids = 0;
	return 0;
}

void
ntkd_person_free_array(struct ntkd_person *people, size_t n)
{
	(void)people; (void)n;
}

void
ntkd_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}
