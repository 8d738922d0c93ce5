/*
 * fuzz_http: core/kube/http's response parser and chunked decoder, and its URL
 * parser, on arbitrary bytes.
 *
 * The first input byte picks the options (a HEAD request, a body limit,
 * piece sizes); the rest is the response as it comes off the wire. It is
 * parsed twice: whole, into a large buffer, and in small pieces into a
 * small buffer. Beyond "no crash":
 *   - the parser never claims more input or output than it was given;
 *   - the body limit is never exceeded;
 *   - both runs agree on success, and on success give the same body bytes
 *     (where the input is cut never changes the result);
 *   - once the body is complete it stays complete and takes nothing more.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/kube/http.h"

#define MUST(c) do { if (!(c)) abort(); } while (0)
#define OUT_MAX 65536

static struct xc_http_resp resp;
static unsigned char out_whole[OUT_MAX], out_split[OUT_MAX];

struct run {
	int status;      /* <0 error, 0 incomplete, 1 complete */
	size_t body;     /* body bytes produced */
};

static struct run parse(const uint8_t *in, size_t len, int head_req, uint64_t max,
			size_t step, size_t room, unsigned char *out)
{
	struct run run = { 0, 0 };
	size_t pos = 0, used, got, n, give;
	int r = 0, in_head = 1, stuck = 0;

	xc_http_resp_init(&resp, head_req, max);
	while (pos < len && r >= 0 && stuck < 2) {
		n = len - pos < step ? len - pos : step;
		if (in_head) {
			r = xc_http_resp_head(&resp, in + pos, n, &used);
			MUST(used <= n);
			in_head = r != 1;
		} else {
			give = OUT_MAX - run.body < room ? OUT_MAX - run.body : room;
			r = xc_http_resp_body(&resp, in + pos, n, &used, out + run.body, give, &got);
			MUST(used <= n && got <= give);
			run.body += got;
			if (r == 1)
				break;
			stuck = (!used && !got) ? stuck + 1 : 0;
		}
		pos += used;
		MUST(!max || resp.body_seen <= max);
	}
	run.status = r < 0 ? -1 : (!in_head && xc_http_resp_done(&resp));
	if (run.status == 1) {
		/* Complete means complete: nothing more is taken. */
		MUST(xc_http_resp_body(&resp, "x", 1, &used, out, 1, &got) == 1);
		MUST(used == 0 && got == 0);
		MUST(xc_http_resp_eof(&resp) == 1);
	}
	return run;
}

static void fuzz_url(const uint8_t *data, size_t size)
{
	struct xc_http_url u;
	char text[512];

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = 0;
	if (!xc_http_url_parse(text, &u)) {
		MUST(u.port > 0);
		MUST(u.host[0] && strlen(u.host) <= XC_HTTP_HOST_MAX);
		MUST(!strchr(u.path, ' ') && !strchr(u.path, '\r') && !strchr(u.path, '\n'));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run whole, split;
	int head_req;
	uint64_t max;
	size_t step, room;

	if (size < 1)
		return 0;
	fuzz_url(data, size);
	head_req = data[0] & 1;
	max = (data[0] & 2) ? 64 + (data[0] >> 4) * 16 : 0;
	step = 1 + ((data[0] >> 2) & 3) * 5;
	room = 1 + (data[0] >> 5);
	data++, size--;

	whole = parse(data, size, head_req, max, size ? size : 1, OUT_MAX, out_whole);
	split = parse(data, size, head_req, max, step, room, out_split);
	MUST((whole.status < 0) == (split.status < 0));
	if (whole.status >= 0) {
		MUST(whole.status == split.status);
		MUST(whole.body == split.body);
		MUST(!memcmp(out_whole, out_split, whole.body));
	}
	return 0;
}
