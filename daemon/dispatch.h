/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* From one framed request to one framed reply: the table of permitted requests. */
#ifndef NTKD_DISPATCH_H
#define NTKD_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "ntk_buf.h"
#include "ntkd.h"

/*
 * Answer one request (`type`, `body` bytes) from `peer` into `out` (a
 * complete frame: the reply or an NTK_MSG_ERROR). Returns true when the
 * connection must be closed afterwards (undecodable request).
 */
bool ntkd_dispatch(struct ntkd_worker *w, struct ntkd_peer *peer, uint16_t type,
    const uint8_t *body, size_t len, struct ntk_buf *out);

#endif /* NTKD_DISPATCH_H */
