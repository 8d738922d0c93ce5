/*
 * jsoncopy.h: a parsed JSON value written again through core/base/json's
 * emitter, for round trips of the emitter against the parser (test_json,
 * fuzz_json).
 *
 * It uses only the calls the product builds its output with (obj, arr,
 * key, string, int64, boolean, null), so a round trip tests what the
 * product can write. What those calls cannot write is refused with -EDOM,
 * and the caller passes such a document over: a number that is not an
 * int64 (a fraction, an exponent, out of range) and a string or key that
 * holds a NUL (\u0000). An int64 is written in its shortest form ("-0"
 * comes back as "0"); strings are decoded and escaped again.
 */
#ifndef XC_JSONCOPY_H
#define XC_JSONCOPY_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

/* The decoded text of string s, as a C string to free; -EDOM if it holds a NUL. */
static inline int jc_text(const struct xc_json *s, char **out)
{
	char *buf = malloc(s->n); /* decoded: at most n - 2 bytes, and the NUL */
	long n;

	if (!buf)
		return -ENOMEM;
	n = xc_json_str(s, buf, s->n);
	if (n < 0 || memchr(buf, '\0', (size_t)n)) {
		free(buf);
		return n < 0 ? (int)n : -EDOM;
	}
	*out = buf;
	return 0;
}

/*
 * Write v (from xc_json_parse) into o. Returns 0, -EDOM for what the
 * product's calls cannot write (o then holds a partial text), or another
 * negative errno. Errors of the emitter itself show at xc_json_out_end.
 */
static inline int jc_copy(struct xc_json_out *o, const struct xc_json *v)
{
	struct xc_json_iter it;
	struct xc_json k, e;
	int64_t i;
	char *s;
	int rc;

	switch (v->type) {
	case XC_JSON_NULL:
		xc_json_null(o);
		return 0;
	case XC_JSON_TRUE:
	case XC_JSON_FALSE:
		xc_json_boolean(o, v->type == XC_JSON_TRUE);
		return 0;
	case XC_JSON_NUMBER:
		if (xc_json_int(v, &i))
			return -EDOM;
		xc_json_int64(o, i);
		return 0;
	case XC_JSON_STRING:
		if ((rc = jc_text(v, &s)))
			return rc;
		xc_json_string(o, s);
		free(s);
		return 0;
	case XC_JSON_ARRAY:
	case XC_JSON_OBJECT:
		if (v->type == XC_JSON_OBJECT)
			xc_json_obj(o);
		else
			xc_json_arr(o);
		xc_json_iter_init(&it, v);
		while ((rc = xc_json_next(&it, &k, &e)) > 0) {
			if (k.type == XC_JSON_STRING) {
				if ((rc = jc_text(&k, &s)))
					return rc;
				xc_json_key(o, s);
				free(s);
			}
			if ((rc = jc_copy(o, &e)))
				return rc;
		}
		if (rc < 0)
			return rc;
		xc_json_end(o);
		return 0;
	default:
		return -EINVAL;
	}
}

/* Numbers the same for a round trip: the same text, or the same int64. */
static inline int jc_same_number(const struct xc_json *a, const struct xc_json *b)
{
	int64_t x, y;

	if (a->n == b->n && !memcmp(a->p, b->p, a->n))
		return 1;
	return !xc_json_int(a, &x) && !xc_json_int(b, &y) && x == y;
}

#endif
