/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The request handlers the dispatch table points at; each writes a framed reply into r->out. */
#ifndef NTKD_HANDLERS_H
#define NTKD_HANDLERS_H

#include "ntkd.h"

int ntkd_handle_ping(struct ntkd_req *r);
int ntkd_handle_check(struct ntkd_req *r);
int ntkd_handle_facts(struct ntkd_req *r);
int ntkd_handle_report(struct ntkd_req *r);
int ntkd_handle_group_by_name(struct ntkd_req *r);
int ntkd_handle_group_by_gid(struct ntkd_req *r);
int ntkd_handle_initgroups(struct ntkd_req *r);
int ntkd_handle_group_list(struct ntkd_req *r);
int ntkd_handle_status(struct ntkd_req *r);
int ntkd_handle_flush(struct ntkd_req *r);

/* Start the reply frame for r->type; finish it with ntk_proto_end(r->out). */
int ntkd_reply_begin(struct ntkd_req *r);

#endif /* NTKD_HANDLERS_H */
