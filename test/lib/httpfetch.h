/*
 * httpfetch.h: one whole HTTP exchange on core/kube/http, for tests and
 * benchmarks that talk to a test server (the product reads its bodies
 * through core/kube/k8s, which adds tokens, retries and Status errors).
 */
#ifndef XC_HTTPFETCH_H
#define XC_HTTPFETCH_H

#include <errno.h>
#include <stdint.h>
#include <sys/types.h>

#include "kube/http.h"

/*
 * Request, then the whole body into out (at most out_max bytes; -EFBIG
 * beyond, checked against Content-Length before reading). Returns 0 with
 * c->resp.status and *out_len set, or a negative errno.
 */
static inline int ht_fetch(struct xc_http_conn *c, const char *method, const char *path,
			   const char *const *fields, const void *body, size_t body_len,
			   void *out, size_t out_max, size_t *out_len)
{
	uint64_t keep = c->body_max;
	ssize_t n;
	int r;

	*out_len = 0;
	c->body_max = out_max;
	r = xc_http_request(c, method, path, fields, body, body_len);
	c->body_max = keep;
	while (!r) {
		n = xc_http_read(c, (char *)out + *out_len, out_max - *out_len, c->timeout_ms);
		if (n == 0)
			break;
		if (n < 0)
			r = n == -ENOBUFS ? -EFBIG : (int)n;
		else
			*out_len += (size_t)n;
	}
	return r;
}

#endif
