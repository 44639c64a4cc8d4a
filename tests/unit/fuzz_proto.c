/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the wire codec: every decoder gets the input; whatever
 * decodes must encode back to the same bytes. Built with -DNTK_LIBFUZZER for
 * libFuzzer, otherwise a program that replays files and directories (by
 * default the seed corpus) so `make check` runs it without clang.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ntk_buf.h"
#include "ntk_err.h"
#include "ntk_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The canonical-encoding oracle: a decoded body re-encodes to its input. */
static void
same_bytes(const char *what, const struct ntk_buf *enc, const uint8_t *data, size_t size)
{
	if (enc->len != size || (size > 0 && memcmp(enc->data, data, size) != 0)) {
		fprintf(stderr, "fuzz_proto: %s re-encodes differently (%zu vs %zu bytes)\n",
		    what, enc->len, size);
		abort();
	}
}

/* A decoder/encoder pair, run on one input. */
#define ROUND(what, type, dec, enc, clear) do {                            \
	type v_;                                                            \
	ntk_buf_view(&in, data, size);                                      \
	if (dec(&in, &v_) == 0) {                                           \
		ntk_buf_reset(&out);                                        \
		if (enc(&out, &v_) != 0) {                                  \
			fprintf(stderr, "fuzz_proto: %s decoded but does not encode\n", what); \
			abort();                                            \
		}                                                           \
		same_bytes(what, &out, data, size);                         \
		clear(&v_);                                                 \
	}                                                                   \
} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ntk_buf in, out;
	uint32_t len, u;
	uint16_t type;
	char *s, *m;
	int code;

	ntk_buf_init(&out, NTK_HEADER_LEN + NTK_REPLY_MAX);
	if (size >= NTK_HEADER_LEN)
		(void)ntk_proto_header(data, NTK_REPLY_MAX, &len, &type);

	ROUND("check_req", struct ntk_check_req, ntk_proto_decode_check_req,
	    ntk_proto_encode_check_req, ntk_check_req_clear);
	ROUND("check_rep", struct ntk_check_rep, ntk_proto_decode_check_rep,
	    ntk_proto_encode_check_rep, ntk_check_rep_clear);
	ROUND("facts_req", struct ntk_facts_req, ntk_proto_decode_facts_req,
	    ntk_proto_encode_facts_req, ntk_facts_req_clear);
	ROUND("facts_rep", struct ntk_facts_rep, ntk_proto_decode_facts_rep,
	    ntk_proto_encode_facts_rep, ntk_facts_rep_clear);
	ROUND("report_req", struct ntk_report_req, ntk_proto_decode_report_req,
	    ntk_proto_encode_report_req, ntk_report_req_clear);
	ROUND("group", struct ntk_group, ntk_proto_decode_group,
	    ntk_proto_encode_group, ntk_group_clear);
	ROUND("group_list", struct ntk_group_list, ntk_proto_decode_group_list,
	    ntk_proto_encode_group_list, ntk_group_list_clear);
	ROUND("gid_list", struct ntk_gid_list, ntk_proto_decode_gid_list,
	    ntk_proto_encode_gid_list, ntk_gid_list_clear);

	ntk_buf_view(&in, data, size);
	if (ntk_proto_decode_str(&in, &s) == 0) {
		ntk_buf_reset(&out);
		if (ntk_proto_encode_str(&out, s) != 0)
			abort();
		same_bytes("str", &out, data, size);
		free(s);
	}
	ntk_buf_view(&in, data, size);
	if (ntk_proto_decode_u32(&in, &u) == 0) {
		ntk_buf_reset(&out);
		if (ntk_proto_encode_u32(&out, u) != 0)
			abort();
		same_bytes("u32", &out, data, size);
	}
	ntk_buf_view(&in, data, size);
	if (ntk_proto_decode_error(&in, &code, &m) == 0) {
		ntk_buf_reset(&out);
		if (ntk_proto_encode_error(&out, code, m) != 0)
			abort();
		same_bytes("error", &out, data, size);
		free(m);
	}
	ntk_buf_free(&out);
	return 0;
}

#ifndef NTK_LIBFUZZER

#define FILE_MAX (NTK_HEADER_LEN + NTK_REPLY_MAX)

static int
run_file(const char *path)
{
	uint8_t *data;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	if ((data = malloc(FILE_MAX)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(data, 1, FILE_MAX, f);
	fclose(f);
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	return 0;
}

/* Run a file, or every regular file in a directory; the number run, or -1. */
static int
run_path(const char *path)
{
	struct dirent *de;
	struct stat st;
	char sub[4096];
	DIR *d;
	int n = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path) == 0 ? 1 : -1;
	if ((d = opendir(path)) == NULL) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (stat(sub, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (run_file(sub) != 0) {
			closedir(d);
			return -1;
		}
		n++;
	}
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	int i, n, total = 0;

	if (argc < 2) {
		/* `make check`: replay the seed corpus; an empty one is a failure. */
		if ((n = run_path(FUZZ_CORPUS_DIR)) <= 0) {
			fprintf(stderr, "fuzz_proto: no corpus in %s\n", FUZZ_CORPUS_DIR);
			return 1;
		}
		printf("fuzz_proto: %d corpus inputs ran clean\n", n);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		if ((n = run_path(argv[i])) < 0)
			return 1;
		total += n;
	}
	printf("fuzz_proto: %d inputs ran clean\n", total);
	return 0;
}

#endif /* NTK_LIBFUZZER */
