/* String vectors: the (char **, count) lists the codec and the daemon pass around. */
#ifndef NTK_STRV_H
#define NTK_STRV_H

#include <stddef.h>

/* Free each of the n strings and the array; accepts NULL. */
void ntk_strv_free(char **v, size_t n);

#endif /* NTK_STRV_H */
