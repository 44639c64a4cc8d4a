/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Why a client could not reach ntkd, said so that a sysadmin knows what to do next. */
#ifndef NTK_CONN_WHY_H
#define NTK_CONN_WHY_H

#include <stddef.h>

/*
 * One sentence for a failed ntk_conn_open/ntk_conn_open_uid: `rc` is its
 * result, `err` the errno it left. Written into buf, which is returned.
 * Example: "no such socket (is ntkd running? systemctl status ntkd)".
 */
const char *ntk_conn_why(int rc, int err, char *buf, size_t len);

#endif
