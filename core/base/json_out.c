/*
 * json_out: the JSON emitter declared in json.h.
 *
 * All output goes through put(), the only writer of the caller's buffer,
 * which checks the room left first.
 */
#include <errno.h>
#include <string.h>

#include "base/json.h"
#include "base/json_scan.h"

static void out_fail(struct xc_json_out *o, int rc)
{
	if (!o->error)
		o->error = rc;
}

/* The only writer of o->buf. */
static void put(struct xc_json_out *o, const void *s, size_t n)
{
	if (o->error)
		return;
	if (n > o->size - o->len) {
		out_fail(o, -ENOSPC);
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void newline(struct xc_json_out *o)
{
	static const char spaces[] = "                                ";
	size_t n = (size_t)o->indent * (size_t)o->depth;

	put(o, "\n", 1);
	for (; n > sizeof spaces - 1; n -= sizeof spaces - 1)
		put(o, spaces, sizeof spaces - 1);
	put(o, spaces, n);
}

void xc_json_out_init(struct xc_json_out *o, char *buf, size_t size, int indent)
{
	memset(o, 0, sizeof(*o));
	o->buf = buf;
	o->size = buf ? size : 0;
	o->indent = indent > 0 ? indent : 0;
	if (size && buf)
		buf[0] = '\0';
}

/* Place a value: check it may stand here, write the separator before it. */
static int begin_value(struct xc_json_out *o)
{
	int d = o->depth - 1;

	if (o->error)
		return -1;
	if (o->depth == 0) {
		/* anything written at depth 0 is a complete top-level value */
		if (o->len)
			out_fail(o, -EINVAL);
		return o->error;
	}
	if (o->is_obj[d]) {
		if (!o->after_key)
			out_fail(o, -EINVAL);
		o->after_key = 0;
		return o->error;
	}
	if (!o->first[d])
		put(o, ",", 1);
	o->first[d] = 0;
	if (o->indent)
		newline(o);
	return o->error;
}

static int begin_key(struct xc_json_out *o)
{
	int d = o->depth - 1;

	if (o->error)
		return -1;
	if (o->depth == 0 || !o->is_obj[d] || o->after_key) {
		out_fail(o, -EINVAL);
		return -1;
	}
	if (!o->first[d])
		put(o, ",", 1);
	o->first[d] = 0;
	if (o->indent)
		newline(o);
	return o->error;
}

static void end_key(struct xc_json_out *o)
{
	put(o, ": ", o->indent ? 2 : 1);
	o->after_key = 1;
}

static void open_container(struct xc_json_out *o, char c)
{
	if (begin_value(o))
		return;
	if (o->depth >= XC_JSON_MAX_DEPTH) {
		out_fail(o, -E2BIG);
		return;
	}
	put(o, &c, 1);
	o->first[o->depth] = 1;
	o->is_obj[o->depth] = c == '{';
	o->depth++;
}

void xc_json_obj(struct xc_json_out *o)
{
	open_container(o, '{');
}

void xc_json_arr(struct xc_json_out *o)
{
	open_container(o, '[');
}

void xc_json_end(struct xc_json_out *o)
{
	int d = o->depth - 1;

	if (o->error)
		return;
	if (o->depth == 0 || o->after_key) {
		out_fail(o, -EINVAL);
		return;
	}
	o->depth--;
	if (!o->first[d] && o->indent)
		newline(o);
	put(o, o->is_obj[d] ? "}" : "]", 1);
}

/*
 * Quote and escape s[0..n). Runs of bytes that need nothing are copied in
 * one put. Control characters become \n, \r, \t or \u00XX; bytes that are
 * not well-formed UTF-8 become U+FFFD, so the output is always valid JSON.
 */
static void put_string(struct xc_json_out *o, const u8 *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run = 0, k;
	char e[6];

	put(o, "\"", 1);
	while (i < n) {
		u8 c = s[i];

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80 && (k = utf8_len(s + i, s + n))) {
			i += k;
			continue;
		}
		put(o, s + run, i - run);
		run = ++i;
		if (c >= 0x80) {
			put(o, "\xEF\xBF\xBD", 3);
			continue;
		}
		e[0] = '\\';
		e[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : c;
		if (c >= 0x20 || e[1] != c) {
			put(o, e, 2);
			continue;
		}
		memcpy(e + 1, "u00", 3);
		e[4] = hex[c >> 4];
		e[5] = hex[c & 15];
		put(o, e, 6);
	}
	put(o, s + run, n - run);
	put(o, "\"", 1);
}

void xc_json_key(struct xc_json_out *o, const char *key)
{
	if (!key) {
		out_fail(o, -EINVAL);
		return;
	}
	if (begin_key(o))
		return;
	put_string(o, (const u8 *)key, strlen(key));
	end_key(o);
}

void xc_json_string(struct xc_json_out *o, const char *s)
{
	if (!s) {
		out_fail(o, -EINVAL);
		return;
	}
	if (begin_value(o))
		return;
	put_string(o, (const u8 *)s, strlen(s));
}

void xc_json_int64(struct xc_json_out *o, int64_t v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	if (!begin_value(o))
		put(o, p, (size_t)(tmp + sizeof tmp - p));
}

void xc_json_boolean(struct xc_json_out *o, int v)
{
	if (!begin_value(o))
		put(o, v ? "true" : "false", v ? 4 : 5);
}

void xc_json_null(struct xc_json_out *o)
{
	if (!begin_value(o))
		put(o, "null", 4);
}

long xc_json_out_end(struct xc_json_out *o)
{
	if (!o->error && (o->depth || o->after_key || !o->len))
		o->error = -EINVAL;
	if (o->len < o->size)
		o->buf[o->len] = '\0';
	else if (o->error && o->size)
		o->buf[o->size - 1] = '\0'; /* a partial text still ends */
	return o->error ? o->error : (long)o->len;
}
