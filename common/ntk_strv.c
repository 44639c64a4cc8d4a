/* String vectors: the (char **, count) lists the codec and the daemon pass around. */
#include <stdlib.h>

#include "ntk_strv.h"

void
ntk_strv_free(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
