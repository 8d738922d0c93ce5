/*
 * yaml_str: decoding scalars and looking nodes up (see yaml.h).
 *
 * Decoding is one routine that either writes to a buffer or compares with
 * a string, so lookups by key need no buffer.
 */
#include <errno.h>
#include <string.h>

#include "kube/yaml_int.h"

/* --- scalar decoding: to a buffer, or compared with a string ---------------- */

struct sink {
	char *buf;        /* write here (size bytes) ... */
	size_t size;
	const char *cmp;  /* ... or compare with this */
	size_t n;         /* bytes produced so far */
	int differs;
};

static void put(struct sink *k, char c)
{
	if (k->cmp) {
		/* once different, k->cmp is not read again: it may end here */
		if (!k->differs && (k->cmp[k->n] == '\0' || k->cmp[k->n] != c))
			k->differs = 1;
	} else if (k->buf && k->n + 1 < k->size) {
		k->buf[k->n] = c;
	}
	k->n++;
}

static void put_utf8(struct sink *k, uint32_t cp)
{
	if (cp < 0x80) {
		put(k, cp);
	} else if (cp < 0x800) {
		put(k, 0xC0 | cp >> 6);
		put(k, 0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		put(k, 0xE0 | cp >> 12);
		put(k, 0x80 | (cp >> 6 & 0x3F));
		put(k, 0x80 | (cp & 0x3F));
	} else {
		put(k, 0xF0 | cp >> 18);
		put(k, 0x80 | (cp >> 12 & 0x3F));
		put(k, 0x80 | (cp >> 6 & 0x3F));
		put(k, 0x80 | (cp & 0x3F));
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * The escape after a backslash at s[i] (i indexes the letter): its code
 * point, or -1 when invalid; *used = bytes after the backslash.
 */
long yaml_escape(const char *s, size_t i, size_t end, size_t *used)
{
	static const char from[] = "0abt\tnvfre \"/\\N_LP";
	static const long to[] = { 0, 7, 8, 9, 9, 10, 11, 12, 13, 27, 32, 34, 47, 92,
				   0x85, 0xA0, 0x2028, 0x2029 };
	const char *hit;
	int digits;
	long cp = 0;

	if (i >= end)
		return -1;
	hit = memchr(from, s[i], sizeof(from) - 1);
	if (hit && s[i]) {
		*used = 1;
		return to[hit - from];
	}
	digits = s[i] == 'x' ? 2 : s[i] == 'u' ? 4 : s[i] == 'U' ? 8 : 0;
	if (!digits || end - i - 1 < (size_t)digits)
		return -1;
	for (int d = 1; d <= digits; d++) {
		int v = hexval(s[i + d]);

		if (v < 0)
			return -1;
		cp = cp << 4 | v;
	}
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*used = 1 + digits;
	return cp;
}

/*
 * Decode [b, e) of style `style` (quotes excluded) with YAML's line folding:
 * white space around a line break goes, a single break becomes a space,
 * n empty lines become n newlines, and an escaped break (\ at the end of a
 * double-quoted line) joins without a space. The text was validated.
 */
static void decode(const char *s, size_t b, size_t e, int style, struct sink *k)
{
	size_t i = b;

	while (i < e) {
		char c = s[i];

		if (is_ws(c)) {
			size_t j = i;

			while (j < e && is_ws(s[j]))
				j++;
			if (j < e && (s[j] == '\n' || s[j] == '\r')) {
				i = j; /* trailing white space before a break */
				continue;
			}
			while (i < j)
				put(k, s[i++]);
			continue;
		}
		if (c == '\n' || c == '\r') {
			int empty = 0;

			i += (c == '\r' && i + 1 < e && s[i + 1] == '\n') ? 2 : 1;
			for (;;) { /* leading blanks of the next line; count empty lines */
				while (i < e && is_ws(s[i]))
					i++;
				if (i < e && (s[i] == '\n' || s[i] == '\r')) {
					empty++;
					i += (s[i] == '\r' && i + 1 < e && s[i + 1] == '\n') ? 2 : 1;
					continue;
				}
				break;
			}
			if (!empty)
				put(k, ' ');
			while (empty--)
				put(k, '\n');
			continue;
		}
		if (style == XC_YAML_SINGLE && c == '\'') {
			put(k, '\'');
			i += 2; /* '' */
			continue;
		}
		if (style == XC_YAML_DOUBLE && c == '\\') {
			size_t used = 0;
			long cp;

			if (i + 1 < e && (s[i + 1] == '\n' || s[i + 1] == '\r')) {
				i += (s[i + 1] == '\r' && i + 2 < e && s[i + 2] == '\n') ? 3 : 2;
				while (i < e && is_ws(s[i]))
					i++;
				continue;
			}
			cp = yaml_escape(s, i + 1, e, &used);
			put_utf8(k, cp < 0 ? 0xFFFD : (uint32_t)cp);
			i += 1 + used;
			continue;
		}
		put(k, c);
		i++;
	}
}

static int run_decode(const struct xc_yaml *doc, int i, struct sink *k)
{
	const struct xc_yaml_node *nd = xc_yaml_node(doc, i);

	if (!nd)
		return -EINVAL;
	if (nd->type == XC_YAML_NULL)
		return 0;
	if (nd->type != XC_YAML_SCALAR)
		return -EINVAL;
	if (nd->style == XC_YAML_PLAIN)
		decode(doc->text, nd->off, nd->off + nd->len, XC_YAML_PLAIN, k);
	else
		decode(doc->text, nd->off + 1, nd->off + nd->len - 1, nd->style, k);
	return 0;
}

int yaml_node_eq(const struct xc_yaml *doc, int i, const char *s)
{
	struct sink k = { .cmp = s };

	if (run_decode(doc, i, &k) < 0)
		return 0;
	return !k.differs && s[k.n] == '\0';
}

/* --- access ------------------------------------------------------------------- */

const struct xc_yaml_node *xc_yaml_node(const struct xc_yaml *doc, int i)
{
	if (!doc || !doc->nodes || i < 0 || (size_t)i >= doc->count)
		return NULL;
	return &doc->nodes[i];
}

enum xc_yaml_type xc_yaml_type(const struct xc_yaml *doc, int i)
{
	const struct xc_yaml_node *nd = xc_yaml_node(doc, i);

	return nd ? (enum xc_yaml_type)nd->type : XC_YAML_NONE;
}

int xc_yaml_first(const struct xc_yaml *doc, int coll)
{
	enum xc_yaml_type t = xc_yaml_type(doc, coll);

	if (t != XC_YAML_MAP && t != XC_YAML_SEQ)
		return -EINVAL;
	return doc->nodes[coll].child >= 0 ? doc->nodes[coll].child : -ENOENT;
}

int xc_yaml_next(const struct xc_yaml *doc, int i)
{
	const struct xc_yaml_node *nd = xc_yaml_node(doc, i);

	if (!nd)
		return -EINVAL;
	return nd->next >= 0 ? nd->next : -ENOENT;
}

int xc_yaml_get(const struct xc_yaml *doc, int map, const char *key)
{
	if (xc_yaml_type(doc, map) != XC_YAML_MAP || !key)
		return -EINVAL;
	for (int v = doc->nodes[map].child; v >= 0; v = doc->nodes[v].next)
		if (yaml_node_eq(doc, doc->nodes[v].key, key))
			return v;
	return -ENOENT;
}

long xc_yaml_str(const struct xc_yaml *doc, int i, char *buf, size_t size)
{
	struct sink k = { .buf = buf, .size = size };
	int rc = run_decode(doc, i, &k);

	if (rc < 0)
		return rc;
	if (size)
		buf[k.n < size ? k.n : size - 1] = '\0';
	return k.n < size ? (long)k.n : -ENOSPC;
}

int xc_yaml_bool(const struct xc_yaml *doc, int i, int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON" };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF" };
	const struct xc_yaml_node *nd = xc_yaml_node(doc, i);

	/* quoted "true" is a string to Go's YAML, not a bool */
	if (!nd || nd->type != XC_YAML_SCALAR || nd->style != XC_YAML_PLAIN)
		return -EINVAL;
	for (size_t j = 0; j < sizeof(yes) / sizeof(yes[0]); j++) {
		if (yaml_node_eq(doc, i, yes[j])) {
			*out = 1;
			return 0;
		}
		if (yaml_node_eq(doc, i, no[j])) {
			*out = 0;
			return 0;
		}
	}
	return -EINVAL;
}
