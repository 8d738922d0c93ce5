/*
 * json: strict validating parser and lazy walker (see json.h; the emitter
 * is json_out.c, the shared scanners json_scan.h).
 *
 *   - validation (xc_json_parse): a goto-driven state machine with an
 *     explicit stack of expected closers, checking everything once;
 *   - walking (getters, iterators): trusts the validated text and only
 *     looks for the end of each value, so it can skip fast.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "base/json_scan.h"

static int hex4(const u8 *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		u8 c = p[i], d;

		if (is_digit(c))
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static size_t utf8_put(u8 *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xC0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3F);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xE0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3F);
		out[2] = 0x80 | (cp & 0x3F);
		return 3;
	}
	out[0] = 0xF0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3F);
	out[2] = 0x80 | (cp >> 6 & 0x3F);
	out[3] = 0x80 | (cp & 0x3F);
	return 4;
}

/*
 * Decode the escape at *pp (a backslash) into out[0..4) and advance *pp.
 * Returns the byte count, or -EINVAL for a malformed escape or a surrogate
 * that is not part of a pair.
 */
static int unescape(const u8 **pp, const u8 *end, u8 *out)
{
	const u8 *p = *pp;
	int u, lo;

	if (end - p < 2)
		return -EINVAL;
	*pp = p + 2;
	switch (p[1]) {
	case '"': case '\\': case '/':
		out[0] = p[1];
		return 1;
	case 'b': out[0] = '\b'; return 1;
	case 'f': out[0] = '\f'; return 1;
	case 'n': out[0] = '\n'; return 1;
	case 'r': out[0] = '\r'; return 1;
	case 't': out[0] = '\t'; return 1;
	case 'u': break;
	default: return -EINVAL;
	}
	if (end - p < 6 || (u = hex4(p + 2)) < 0)
		return -EINVAL;
	*pp = p + 6;
	if (u >= 0xDC00 && u <= 0xDFFF)
		return -EINVAL;
	if (u >= 0xD800 && u <= 0xDBFF) {
		if (end - p < 12 || p[6] != '\\' || p[7] != 'u')
			return -EINVAL;
		lo = hex4(p + 8);
		if (lo < 0xDC00 || lo > 0xDFFF)
			return -EINVAL;
		*pp = p + 12;
		u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
	}
	return (int)utf8_put(out, (uint32_t)u);
}

/* ---- validation ------------------------------------------------------------ */

struct parser {
	const u8 *base, *end;
	const u8 *at;      /* where it failed */
	const char *why;
	int rc;
};

static const u8 *fail(struct parser *ps, const u8 *at, const char *why)
{
	ps->at = at;
	ps->why = at >= ps->end ? "unexpected end of input" : why;
	ps->rc = -EINVAL;
	return NULL;
}

static const u8 *check_escape(struct parser *ps, const u8 *p)
{
	const u8 *q = p;
	u8 tmp[4];

	if (ps->end - p < 2)
		return fail(ps, ps->end, "");
	if (unescape(&q, ps->end, tmp) >= 0)
		return q;
	if (p[1] != 'u')
		return fail(ps, p, "invalid escape");
	if (ps->end - p < 6 || hex4(p + 2) < 0)
		return fail(ps, p, "invalid \\u escape");
	return fail(ps, p, "unpaired surrogate in \\u escape");
}

/* p: just past the opening quote. Returns the byte past the closing one. */
static const u8 *scan_string(struct parser *ps, const u8 *p)
{
	const u8 *end = ps->end;
	size_t n;

	for (;;) {
		p = string_stop(p, end, 1);
		if (p >= end)
			return fail(ps, p, "");
		if (*p == '"')
			return p + 1;
		if (*p == '\\') {
			if (!(p = check_escape(ps, p)))
				return NULL;
		} else if (*p < 0x20) {
			return fail(ps, p, "control character in string");
		} else if (*p >= 0x80) {
			if (!(n = utf8_len(p, end)))
				return fail(ps, p, "invalid UTF-8");
			p += n;
		} else {
			p++;
		}
	}
}

static const u8 *digits(const u8 *p, const u8 *end)
{
	while (p < end && is_digit(*p))
		p++;
	return p;
}

static const u8 *scan_number(struct parser *ps, const u8 *p)
{
	const u8 *end = ps->end;

	if (*p == '-')
		p++;
	if (p >= end || !is_digit(*p))
		return fail(ps, p, "invalid number");
	if (*p == '0') {
		if (++p < end && is_digit(*p))
			return fail(ps, p, "leading zero in number");
	} else {
		p = digits(p, end);
	}
	if (p < end && *p == '.') {
		if (++p >= end || !is_digit(*p))
			return fail(ps, p, "invalid number");
		p = digits(p, end);
	}
	if (p < end && (*p | 0x20) == 'e') {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
			return fail(ps, p, "invalid number");
		p = digits(p, end);
	}
	return p;
}

static const u8 *scan_literal(struct parser *ps, const u8 *p, const char *lit, size_t n)
{
	if ((size_t)(ps->end - p) < n || memcmp(p, lit, n))
		return fail(ps, p, "invalid literal");
	return p + n;
}

/*
 * The grammar as a state machine: `value` expects a value, `next` follows a
 * complete value, `key` expects a member name. close[] holds the closer
 * each open container expects; it is the only stack.
 */
static const u8 *scan_document(struct parser *ps, const u8 *p)
{
	const u8 *end = ps->end;
	u8 close[XC_JSON_MAX_DEPTH];
	size_t depth = 0;

value:
	if (p >= end)
		return fail(ps, p, "");
	switch (*p) {
	case '{':
	case '[':
		if (depth == XC_JSON_MAX_DEPTH) {
			fail(ps, p, "nesting too deep");
			ps->rc = -E2BIG;
			return NULL;
		}
		close[depth++] = *p + 2; /* '{'+2 is '}', '['+2 is ']' */
		p = skip_ws(p + 1, end);
		if (p < end && *p == close[depth - 1]) {
			depth--;
			p++;
			goto next;
		}
		if (close[depth - 1] == ']')
			goto value;
		goto key;
	case '"':
		p = scan_string(ps, p + 1);
		break;
	case 't':
		p = scan_literal(ps, p, "true", 4);
		break;
	case 'f':
		p = scan_literal(ps, p, "false", 5);
		break;
	case 'n':
		p = scan_literal(ps, p, "null", 4);
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		p = scan_number(ps, p);
		break;
	default:
		return fail(ps, p, "expected a value");
	}
	if (!p)
		return NULL;
next:
	if (depth == 0)
		return p;
	p = skip_ws(p, end);
	if (p >= end)
		return fail(ps, p, "");
	if (*p == close[depth - 1]) {
		depth--;
		p++;
		goto next;
	}
	if (*p != ',')
		return fail(ps, p, close[depth - 1] == '}' ?
			    "expected ',' or '}'" : "expected ',' or ']'");
	p = skip_ws(p + 1, end);
	if (close[depth - 1] == ']')
		goto value;
key:
	if (p >= end || *p != '"')
		return fail(ps, p, "expected a string key");
	if (!(p = scan_string(ps, p + 1)))
		return NULL;
	p = skip_ws(p, end);
	if (p >= end || *p != ':')
		return fail(ps, p, "expected ':'");
	p = skip_ws(p + 1, end);
	goto value;
}

static enum xc_json_type type_at(const u8 *p, const u8 *end)
{
	if (p >= end)
		return XC_JSON_NONE;
	switch (*p) {
	case '{': return XC_JSON_OBJECT;
	case '[': return XC_JSON_ARRAY;
	case '"': return XC_JSON_STRING;
	case 't': return XC_JSON_TRUE;
	case 'f': return XC_JSON_FALSE;
	case 'n': return XC_JSON_NULL;
	default: return *p == '-' || is_digit(*p) ? XC_JSON_NUMBER : XC_JSON_NONE;
	}
}

static int parse_error(struct xc_json_error *err, size_t offset, const char *why, int rc)
{
	if (err) {
		err->offset = offset;
		err->reason = why;
	}
	return rc;
}

int xc_json_parse(const char *text, size_t len, struct xc_json *root, struct xc_json_error *err)
{
	struct parser ps = { (const u8 *)text, (const u8 *)text + len, NULL, NULL, 0 };
	const u8 *start, *stop;

	if (root)
		*root = (struct xc_json){ XC_JSON_NONE, NULL, 0 };
	if (len > XC_JSON_MAX_SIZE)
		return parse_error(err, XC_JSON_MAX_SIZE, "input too large", -E2BIG);
	if (!text)
		return parse_error(err, 0, "empty input", -EINVAL);
	/* RFC 8259 lets a parser ignore a BOM; we name it rather than guess */
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		return parse_error(err, 0, "byte order mark", -EINVAL);
	start = skip_ws(ps.base, ps.end);
	if (start == ps.end)
		return parse_error(err, len, "empty input", -EINVAL);
	stop = scan_document(&ps, start);
	if (stop && skip_ws(stop, ps.end) != ps.end)
		fail(&ps, skip_ws(stop, ps.end), "trailing characters after the value");
	if (ps.rc)
		return parse_error(err, (size_t)(ps.at - ps.base), ps.why, ps.rc);
	if (root)
		*root = (struct xc_json){ type_at(start, stop), (const char *)start,
					  (size_t)(stop - start) };
	if (err)
		*err = (struct xc_json_error){ 0, NULL };
	return 0;
}

const char *xc_json_strerror(const struct xc_json_error *err, char *buf, size_t size)
{
	if (!size)
		return buf;
	if (!err || !err->reason)
		snprintf(buf, size, "no error");
	else
		snprintf(buf, size, "offset %zu: %s", err->offset, err->reason);
	return buf;
}

/* ---- walking validated text ---------------------------------------------- */

/*
 * Skipping a container is what walking costs: iterating a NodeList's items
 * skips each item once, and looking into an item skips its members again.
 * Token by token that is branch-bound, so whole 64-byte blocks are
 * classified into bit masks instead (one bit per byte): quotes, backslashes,
 * openers ('[' or '{') and closers (see json_scan.h). Escaped quotes are
 * dropped using the backslash bits, the bytes inside strings are then the
 * prefix XOR of the quote mask, and brackets outside strings only need
 * counting.
 *
 * struct skip is the state carried from block to block.
 */
struct skip {
	long depth;
	uint64_t in_string; /* all ones when a string runs on into the block */
	uint64_t escaped;   /* 1 when the block's first byte is escaped */
};

/*
 * Bits of the bytes a backslash escapes. Backslashes are rare (escaped
 * JSON in annotations), so walking their bits one by one is cheap; a
 * backslash that is itself escaped escapes nothing.
 */
HOT uint64_t escaped_bits(struct skip *st, uint64_t bslash)
{
	uint64_t esc = st->escaped, m;

	st->escaped = 0;
	for (m = bslash; m; m &= m - 1) {
		uint64_t bit = m & (0 - m);

		if (esc & bit)
			continue;
		if (bit >> 63)
			st->escaped = 1;
		else
			esc |= bit << 1;
	}
	return esc;
}

/* The brackets of a block, those in strings removed: count them. */
static const u8 *skip_block(struct skip *st, const u8 *p, uint64_t open, uint64_t close)
{
	uint64_t m;
	long closes;

	/* no closer: the depth only grows (and many blocks have no bracket) */
	if (!close) {
		if (open)
			st->depth += popcount(open);
		return NULL;
	}
	/* fewer closers than open containers: cannot reach depth 0 here */
	if ((closes = popcount(close)) < st->depth) {
		st->depth += (open ? popcount(open) : 0) - closes;
		return NULL;
	}
	for (m = open | close; m; m &= m - 1) {
		uint64_t bit = m & (0 - m);

		st->depth += open & bit ? 1 : -1;
		if (st->depth <= 0)
			return p + __builtin_ctzll(bit) + 1;
	}
	return NULL;
}

/*
 * p: at '{' or '[' with depth 0, or between the values of a container with
 * depth 1. Returns the byte past its closer (or end). The last,
 * partial block is classified from a zero-padded copy: NUL is neither a
 * quote nor a bracket.
 */
static const u8 *skip_container(const u8 *p, const u8 *end, long depth)
{
	struct skip st = { depth, 0, 0 };
	struct block b;
	u8 tail[64];
	const u8 *r;

	for (; p < end; p += 64) {
		if (end - p >= 64) {
			classify(p, &b);
		} else {
			memset(tail, 0, sizeof tail);
			memcpy(tail, p, (size_t)(end - p));
			classify(tail, &b);
		}
		if (b.bslash | st.escaped)
			b.quote &= ~escaped_bits(&st, b.bslash);
		uint64_t inside = prefix_xor(b.quote) ^ st.in_string;

		st.in_string = 0 - (inside >> 63);
		if ((r = skip_block(&st, p, b.open & ~inside, b.close & ~inside)))
			return r;
	}
	return end;
}

static const u8 *skip_value(const u8 *p, const u8 *end)
{
	int esc;

	if (p >= end)
		return end;
	if (*p == '"')
		return skip_string(p + 1, end, &esc);
	if (*p == '{' || *p == '[')
		return skip_container(p, end, 0);
	return skip_scalar(p, end);
}


static void set_none(struct xc_json *v)
{
	if (v)
		*v = (struct xc_json){ XC_JSON_NONE, NULL, 0 };
}

void xc_json_iter_init(struct xc_json_iter *it, const struct xc_json *c)
{
	int container = c && c->p && c->n >= 2 &&
			(c->type == XC_JSON_OBJECT || c->type == XC_JSON_ARRAY);

	it->pos = container ? c->p + 1 : NULL;
	it->end = container ? c->p + c->n - 1 : NULL;
	it->is_object = container ? c->type == XC_JSON_OBJECT : -1;
	it->child = NULL;
}

/*
 * Where `it` goes on after the element `child` iterates: past its closer,
 * which a child that reached its end has found (pos == end at the closer),
 * else walked to from where the child stopped (between two values).
 */
static const char *after_child(const struct xc_json_iter *it, const struct xc_json_iter *child)
{
	const u8 *end = (const u8 *)it->end;

	if (child->pos == child->end && child->end < it->end)
		return child->end + 1;
	return (const char *)skip_container((const u8 *)child->pos, end, 1);
}

/*
 * Step to the next element, or past the next member's key and colon:
 * returns 1 with *val at its value (the key in *key, *key_esc set when it
 * holds an escape), 0 at the end. The end is `end` or the container's own
 * closer, whichever comes first: in validated text a closer where a value
 * could start is the container's, so an iterator may have an end that
 * lies past its container (xc_json_iter_member).
 */
static int iter_step(struct xc_json_iter *it, struct xc_json *key, int *key_esc, const u8 **val)
{
	const u8 *end = (const u8 *)it->end, *p, *q;

	set_none(key);
	if (it->is_object < 0)
		return -EINVAL;
	if (it->child) {
		it->pos = after_child(it, it->child);
		it->child = NULL;
	}
	p = skip_ws((const u8 *)it->pos, end);
	if (p < end && *p == ',')
		p = skip_ws(p + 1, end);
	if (p >= end) {
		it->pos = it->end;
		return 0;
	}
	/* at the container's own closer: it ends there (end may lie beyond) */
	if (*p == ']' || *p == '}') {
		it->pos = it->end = (const char *)p;
		return 0;
	}
	if (it->is_object) {
		if (*p != '"')
			return -EINVAL;
		*key_esc = 0;
		q = skip_string(p + 1, end, key_esc);
		if (key)
			*key = (struct xc_json){ XC_JSON_STRING, (const char *)p, (size_t)(q - p) };
		p = skip_ws(q, end);
		if (p < end && *p == ':')
			p = skip_ws(p + 1, end);
	}
	*val = p;
	return 1;
}

/* xc_json_next, also telling whether the key holds an escape. */
static int iter_next(struct xc_json_iter *it, struct xc_json *key, struct xc_json *val,
		     int *key_esc)
{
	const u8 *end = (const u8 *)it->end, *p, *q;
	int rc;

	set_none(val);
	if ((rc = iter_step(it, key, key_esc, &p)) <= 0)
		return rc;
	q = skip_value(p, end);
	if (q == p)
		return -EINVAL;
	if (val)
		*val = (struct xc_json){ type_at(p, end), (const char *)p, (size_t)(q - p) };
	it->pos = (const char *)q;
	return 1;
}

int xc_json_next(struct xc_json_iter *it, struct xc_json *key, struct xc_json *val)
{
	int esc;

	return iter_next(it, key, val, &esc);
}

int xc_json_next_enter(struct xc_json_iter *it, struct xc_json *key, struct xc_json *val,
		       struct xc_json_iter *child)
{
	const u8 *p;
	int rc, esc;

	set_none(val);
	rc = iter_step(it, key, &esc, &p); /* first: it may go on after `child` */
	*child = (struct xc_json_iter){ NULL, NULL, -1, NULL };
	if (rc <= 0)
		return rc;
	if (*p != '{' && *p != '[') {
		const u8 *q = skip_value(p, (const u8 *)it->end);

		if (q == p)
			return -EINVAL;
		if (val)
			*val = (struct xc_json){ type_at(p, q), (const char *)p, (size_t)(q - p) };
		it->pos = (const char *)q;
		return 1;
	}
	/* the element's end is not looked for: `it`'s end bounds it */
	if (val)
		*val = (struct xc_json){ type_at(p, p + 1), (const char *)p, 0 };
	*child = (struct xc_json_iter){ (const char *)p + 1, it->end, *p == '{', NULL };
	it->pos = (const char *)p;
	it->child = child;
	return 1;
}

/* Whether key k (esc: it holds an escape) is `key` of length klen. */
static int key_is(const struct xc_json *k, int esc, const char *key, size_t klen)
{
	/* no escape: the raw body is the key, a memcmp decides */
	return esc ? xc_json_str_eq(k, key) : k->n - 2 == klen && !memcmp(k->p + 1, key, klen);
}

int xc_json_get(const struct xc_json *obj, const char *key, struct xc_json *out)
{
	struct xc_json_iter it;
	struct xc_json k, v;
	size_t klen;
	int rc, esc;

	/* `out` may be `obj` itself: take what is needed before clearing it */
	if (!obj || obj->type != XC_JSON_OBJECT || !key) {
		set_none(out);
		return -EINVAL;
	}
	klen = strlen(key);
	xc_json_iter_init(&it, obj);
	set_none(out);
	while ((rc = iter_next(&it, &k, &v, &esc)) > 0) {
		if (key_is(&k, esc, key, klen)) {
			if (out)
				*out = v;
			return 0;
		}
	}
	return rc < 0 ? rc : -ENOENT;
}

int xc_json_iter_member(struct xc_json_iter *it, const struct xc_json *obj, const char *key)
{
	struct xc_json_iter o;
	struct xc_json k;
	const u8 *p;
	size_t klen;
	int rc, esc;

	*it = (struct xc_json_iter){ NULL, NULL, -1, NULL };
	if (!obj || obj->type != XC_JSON_OBJECT || !key)
		return -EINVAL;
	klen = strlen(key);
	xc_json_iter_init(&o, obj);
	while ((rc = iter_step(&o, &k, &esc, &p)) > 0) {
		if (key_is(&k, esc, key, klen)) {
			if (p >= (const u8 *)o.end || (*p != '{' && *p != '['))
				return -EINVAL;
			/* the value's end is not looked for: obj's closer bounds it */
			*it = (struct xc_json_iter){ (const char *)p + 1, o.end, *p == '{', NULL };
			return *p == '{' ? XC_JSON_OBJECT : XC_JSON_ARRAY;
		}
		o.pos = (const char *)skip_value(p, (const u8 *)o.end);
	}
	return rc < 0 ? rc : -ENOENT;
}

int xc_json_at(const struct xc_json *arr, size_t index, struct xc_json *out)
{
	struct xc_json_iter it;
	int rc;

	if (!arr || arr->type != XC_JSON_ARRAY) {
		set_none(out);
		return -EINVAL;
	}
	xc_json_iter_init(&it, arr);
	while ((rc = xc_json_next(&it, NULL, out)) > 0)
		if (index-- == 0)
			return 0;
	set_none(out);
	return rc < 0 ? rc : -ENOENT;
}

long xc_json_count(const struct xc_json *v)
{
	struct xc_json_iter it;
	long n = 0;
	int rc;

	xc_json_iter_init(&it, v);
	while ((rc = xc_json_next(&it, NULL, NULL)) > 0)
		n++;
	return rc < 0 ? rc : n;
}

static int is_string(const struct xc_json *v)
{
	return v && v->type == XC_JSON_STRING && v->p && v->n >= 2;
}

long xc_json_str(const struct xc_json *v, char *buf, size_t size)
{
	const u8 *p, *end, *q;
	size_t o = 0, run;
	u8 tmp[4];
	int n;

	if (buf && size)
		buf[0] = '\0';
	if (!is_string(v))
		return -EINVAL;
	p = (const u8 *)v->p + 1;
	end = (const u8 *)v->p + v->n - 1;
	for (;;) {
		q = memchr(p, '\\', (size_t)(end - p));
		run = (size_t)((q ? q : end) - p);
		if (run >= size - o || !buf)
			goto nospace;
		memcpy(buf + o, p, run);
		o += run;
		if (!q)
			break;
		p = q;
		if ((n = unescape(&p, end, tmp)) < 0) {
			buf[0] = '\0';
			return -EINVAL;
		}
		if ((size_t)n >= size - o)
			goto nospace;
		memcpy(buf + o, tmp, (size_t)n);
		o += (size_t)n;
	}
	buf[o] = '\0';
	return (long)o;
nospace:
	if (buf && size)
		buf[0] = '\0';
	return -ENOSPC;
}

int xc_json_str_eq(const struct xc_json *v, const char *s)
{
	const u8 *p, *end, *t = (const u8 *)s;
	u8 tmp[4];
	int n;

	if (!is_string(v) || !s)
		return 0;
	p = (const u8 *)v->p + 1;
	end = (const u8 *)v->p + v->n - 1;
	while (p < end) {
		if (*p != '\\') {
			if (!*t || *t++ != *p++)
				return 0;
			continue;
		}
		if ((n = unescape(&p, end, tmp)) < 0)
			return 0;
		/* a decoded NUL never matches: *t == 0 is the end of s */
		for (int i = 0; i < n; i++)
			if (!*t || *t++ != tmp[i])
				return 0;
	}
	return *t == '\0';
}

int xc_json_int(const struct xc_json *v, int64_t *out)
{
	const u8 *p, *end;
	uint64_t acc = 0, limit = INT64_MAX;
	int neg, range = 0;

	if (!v || v->type != XC_JSON_NUMBER || !v->p || !v->n)
		return -EINVAL;
	p = (const u8 *)v->p;
	end = p + v->n;
	neg = *p == '-';
	if (neg) {
		p++;
		limit = (uint64_t)INT64_MAX + 1;
	}
	if (p >= end)
		return -EINVAL;
	/* a fraction or an exponent is a type error, even when it overflows */
	for (; p < end; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (d > 9)
			return -EINVAL;
		if (acc > (limit - d) / 10)
			range = 1;
		else
			acc = acc * 10 + d;
	}
	if (range)
		return -ERANGE;
	if (out)
		*out = !neg ? (int64_t)acc : acc == limit && neg ? INT64_MIN : -(int64_t)acc;
	return 0;
}

int xc_json_bool(const struct xc_json *v, int *out)
{
	if (!v || (v->type != XC_JSON_TRUE && v->type != XC_JSON_FALSE))
		return -EINVAL;
	if (out)
		*out = v->type == XC_JSON_TRUE;
	return 0;
}

long xc_json_get_str(const struct xc_json *obj, const char *key, char *buf, size_t size)
{
	struct xc_json v;
	int rc;

	if (buf && size)
		buf[0] = '\0';
	if ((rc = xc_json_get(obj, key, &v)))
		return rc;
	return xc_json_str(&v, buf, size);
}

int xc_json_get_int(const struct xc_json *obj, const char *key, int64_t *out)
{
	struct xc_json v;
	int rc = xc_json_get(obj, key, &v);

	return rc ? rc : xc_json_int(&v, out);
}

const char *xc_json_type_name(enum xc_json_type t)
{
	static const char *const names[] = {
		"none", "null", "false", "true", "number", "string", "array", "object",
	};

	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "invalid";
}
