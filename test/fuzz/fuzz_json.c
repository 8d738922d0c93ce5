/*
 * fuzz_json: core/base/json's parser, walker and emitter on arbitrary bytes.
 *
 * Beyond "no crash", on every accepted document:
 *   - each value the iterator hands out is itself a valid document of the
 *     same type (the walker's skipping agrees with the validator);
 *   - count, at, get and the iterator agree with each other;
 *   - every string decodes to well-formed UTF-8, str_eq agrees with it;
 *   - re-emitting through the product's emitter calls (test/lib/jsoncopy.h;
 *     compact and indented) gives a document of the same structure, and
 *     compact output is a fixed point;
 *   - a buffer too small gives -ENOSPC, never an overflow.
 * On rejection: an offset within the input and a reason.
 * And the input (up to a NUL) as a string: the emitter's escaping round-trips.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/base/json.h"
#include "../lib/jsoncopy.h"

#define MUST(c) do { if (!(c)) abort(); } while (0)

/* Written here again, on purpose: an independent check of the decoder. */
static int valid_utf8(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		len = s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : s[i] >= 0xC0 ? 2 : 0;
		if (!len || s[i] > 0xF4 || i + len > n)
			return 0;
		cp = s[i] & (0x7F >> len);
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += len;
	}
	return 1;
}

static char *scratch(size_t n)
{
	char *p = malloc(n ? n : 1);

	MUST(p);
	return p;
}

static void check_string(const struct xc_json *v)
{
	char *buf = scratch(v->n);
	long n = xc_json_str(v, buf, v->n);

	/* decoding never grows a string beyond its escaped form, minus quotes */
	MUST(n >= 0 && (size_t)n <= v->n - 2);
	MUST(valid_utf8((const uint8_t *)buf, (size_t)n));
	if (!memchr(buf, '\0', (size_t)n))
		MUST(xc_json_str_eq(v, buf));
	if (n > 0)
		MUST(xc_json_str(v, buf, (size_t)n) == -ENOSPC);
	free(buf);
}

/* A span handed out by the walker must stand alone as the same value. */
static void check_span(const struct xc_json *v)
{
	struct xc_json again;

	MUST(xc_json_parse(v->p, v->n, &again, NULL) == 0);
	MUST(again.type == v->type && again.p == v->p && again.n == v->n);
}

static void walk(const struct xc_json *v, int depth);

/* xc_json_iter_member(obj, k) iterates what xc_json_get then xc_json_iter_init do. */
static void check_member_iter(const struct xc_json *obj, const char *k, const struct xc_json *got)
{
	struct xc_json_iter a, b;
	struct xc_json ka, va, kb, vb;
	int ra, rb, type = xc_json_iter_member(&a, obj, k);

	if (got->type != XC_JSON_ARRAY && got->type != XC_JSON_OBJECT) {
		MUST(type == -EINVAL && xc_json_next(&a, &ka, &va) == -EINVAL);
		return;
	}
	MUST(type == (int)got->type);
	xc_json_iter_init(&b, got);
	do {
		ra = xc_json_next(&a, &ka, &va);
		rb = xc_json_next(&b, &kb, &vb);
		MUST(ra == rb && ka.type == kb.type && ka.p == kb.p && ka.n == kb.n);
		MUST(va.type == vb.type && va.p == vb.p && va.n == vb.n);
	} while (ra > 0);
	MUST(xc_json_next(&a, NULL, NULL) == 0);
}

/*
 * xc_json_next_enter steps as xc_json_next does, and its child iterates
 * what xc_json_iter_init on the element would, whether the child is run
 * to its end, one step or not at all.
 */
static void check_enter(const struct xc_json *v)
{
	struct xc_json_iter a, b, child, whole;
	struct xc_json ka, va, kb, vb, kc, vc, kw, vw;
	int ra, rb, rc, rw;

	xc_json_iter_init(&a, v);
	xc_json_iter_init(&b, v);
	for (int i = 0;; i++) {
		ra = xc_json_next_enter(&a, &ka, &va, &child);
		rb = xc_json_next(&b, &kb, &vb);
		MUST(ra == rb && ka.type == kb.type && ka.p == kb.p && ka.n == kb.n);
		MUST(va.type == vb.type && va.p == vb.p);
		if (ra <= 0)
			break;
		if (vb.type != XC_JSON_ARRAY && vb.type != XC_JSON_OBJECT) {
			MUST(va.n == vb.n && xc_json_next(&child, NULL, NULL) == -EINVAL);
			continue;
		}
		MUST(va.n == 0);
		xc_json_iter_init(&whole, &vb);
		for (int j = 0; i % 3 == 2 || j < i % 3; j++) {
			rc = xc_json_next(&child, &kc, &vc);
			rw = xc_json_next(&whole, &kw, &vw);
			MUST(rc == rw && kc.p == kw.p && kc.n == kw.n);
			MUST(vc.type == vw.type && vc.p == vw.p && vc.n == vw.n);
			if (rc <= 0)
				break;
		}
	}
	MUST(xc_json_next(&a, NULL, NULL) == 0);
}

static void walk_container(const struct xc_json *v, int depth)
{
	struct xc_json_iter it;
	struct xc_json key, val, at, got;
	long count = xc_json_count(v), i = 0;
	int rc;

	MUST(count >= 0);
	xc_json_iter_init(&it, v);
	while ((rc = xc_json_next(&it, &key, &val)) > 0) {
		MUST(val.p >= v->p && val.p + val.n <= v->p + v->n);
		check_span(&val);
		if (v->type == XC_JSON_ARRAY) {
			MUST(key.type == XC_JSON_NONE);
			MUST(xc_json_at(v, (size_t)i, &at) == 0 && at.p == val.p && at.n == val.n);
		} else {
			char *k = scratch(key.n);
			long kn = xc_json_str(&key, k, key.n);

			MUST(key.type == XC_JSON_STRING && kn >= 0);
			check_string(&key);
			/* get finds the first member of that name: this one or an earlier one */
			if (!memchr(k, '\0', (size_t)kn)) {
				MUST(xc_json_get(v, k, &got) == 0 && got.p <= val.p);
				MUST(got.p < val.p || got.n == val.n);
				check_member_iter(v, k, &got);
			}
			free(k);
		}
		walk(&val, depth + 1);
		i++;
	}
	MUST(rc == 0 && i == count);
	check_enter(v);
	MUST(xc_json_at(v, (size_t)count, &at) == (v->type == XC_JSON_ARRAY ? -ENOENT : -EINVAL));
}

static void walk(const struct xc_json *v, int depth)
{
	int64_t i;
	int b;

	MUST(depth <= XC_JSON_MAX_DEPTH);
	switch (v->type) {
	case XC_JSON_STRING:
		check_string(v);
		break;
	case XC_JSON_NUMBER:
		b = xc_json_int(v, &i);
		MUST(b == 0 || b == -EINVAL || b == -ERANGE);
		break;
	case XC_JSON_TRUE:
	case XC_JSON_FALSE:
		MUST(xc_json_bool(v, &b) == 0 && b == (v->type == XC_JSON_TRUE));
		break;
	case XC_JSON_ARRAY:
	case XC_JSON_OBJECT:
		walk_container(v, depth);
		break;
	default:
		MUST(v->type == XC_JSON_NULL);
	}
}

/* Structure equality: types, decoded strings, numbers (text or int64), order. */
static int same(const struct xc_json *a, const struct xc_json *b)
{
	struct xc_json_iter ia, ib;
	struct xc_json ka, va, kb, vb;
	int ra, rb, eq;

	if (a->type != b->type)
		return 0;
	if (a->type == XC_JSON_NUMBER)
		return jc_same_number(a, b);
	if (a->type == XC_JSON_STRING) {
		char *sa = scratch(a->n), *sb = scratch(b->n);
		long la = xc_json_str(a, sa, a->n), lb = xc_json_str(b, sb, b->n);

		eq = la >= 0 && la == lb && !memcmp(sa, sb, (size_t)la);
		free(sa);
		free(sb);
		return eq;
	}
	if (a->type != XC_JSON_ARRAY && a->type != XC_JSON_OBJECT)
		return 1;
	xc_json_iter_init(&ia, a);
	xc_json_iter_init(&ib, b);
	while ((ra = xc_json_next(&ia, &ka, &va)) == (rb = xc_json_next(&ib, &kb, &vb)) && ra > 0)
		if (ka.type != kb.type || (ka.type && !same(&ka, &kb)) || !same(&va, &vb))
			return 0;
	return ra == rb && ra == 0;
}

/* -EDOM: a value the product's calls cannot write (jsoncopy.h). */
static long emit(const struct xc_json *v, char *buf, size_t size, int indent)
{
	static struct xc_json_out o;
	int rc;

	xc_json_out_init(&o, buf, size, indent);
	rc = jc_copy(&o, v);
	MUST(rc == 0 || rc == -EDOM);
	return rc ? rc : xc_json_out_end(&o);
}

static void check_emit(const struct xc_json *root)
{
	/* the worst case of indentation: every byte on a line at full depth */
	size_t worst = root->n * (6 + 2 * (XC_JSON_MAX_DEPTH + 1)) + 64;
	size_t size = root->n * 8 + 64;
	char *a = scratch(size), *b = scratch(size);
	struct xc_json back;
	long n, m;

	for (int indent = 0; indent <= 2; indent += 2) {
		n = emit(root, a, size, indent);
		if (n == -EDOM)
			break;
		if (n == -ENOSPC && indent) {
			/* deep nesting: try again with room for the worst case */
			free(a);
			a = scratch(size = worst);
			n = emit(root, a, size, indent);
		}
		MUST(n > 0);
		MUST(xc_json_parse(a, (size_t)n, &back, NULL) == 0);
		MUST(same(root, &back));
		if (indent)
			continue;
		/* compact output of compact output is the same text */
		m = emit(&back, b, size, 0);
		MUST(m == n && !memcmp(a, b, (size_t)n));
		/* one byte short: refused, and nothing written past the end */
		char *tight = scratch((size_t)n - 1);

		MUST(emit(root, tight, (size_t)n - 1, 0) == -ENOSPC);
		free(tight);
	}
	free(a);
	free(b);
}

/* The input up to a NUL as a string value: valid UTF-8 comes back byte for byte. */
static void check_escape(const uint8_t *data, size_t size)
{
	static struct xc_json_out o;
	size_t cap = size * 6 + 8;
	char *buf = scratch(cap), *dec = scratch(cap), *s = scratch(size + 1);
	struct xc_json v;
	long n;

	memcpy(s, data, size);
	s[size] = '\0';
	size = strlen(s);
	xc_json_out_init(&o, buf, cap, 0);
	xc_json_string(&o, s);
	n = xc_json_out_end(&o);
	MUST(n >= 2);
	MUST(xc_json_parse(buf, (size_t)n, &v, NULL) == 0 && v.type == XC_JSON_STRING);
	n = xc_json_str(&v, dec, cap);
	MUST(n >= 0);
	if (valid_utf8(data, size))
		MUST((size_t)n == size && !memcmp(dec, data, size));
	free(buf);
	free(dec);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xc_json root;
	struct xc_json_error err = { 0, NULL };
	int rc = xc_json_parse((const char *)data, size, &root, &err);

	if (rc == 0) {
		MUST(err.reason == NULL);
		MUST(root.p >= (const char *)data && root.p + root.n <= (const char *)data + size);
		walk(&root, 0);
		check_emit(&root);
	} else {
		MUST(rc == -EINVAL || rc == -E2BIG);
		MUST(err.reason && err.offset <= size);
		MUST(root.type == XC_JSON_NONE);
	}
	if (size <= 4096)
		check_escape(data, size);
	return 0;
}
