/*
 * yaml_scan: scalars (plain, single- and double-quoted, over several lines)
 * and one-line flow collections for the yaml parser (see yaml.c).
 */
#include <errno.h>
#include <string.h>

#include "kube/yaml_int.h"

/* --- scanning ---------------------------------------------------------------- */

/*
 * A quoted scalar opening at q; it may continue on later lines, which must
 * be indented deeper than `indent`. Sets *end past the closing quote and
 * *L to the line where it closes.
 */
int yaml_scan_quoted(struct parser *p, struct line *L, size_t q, int indent, int one_line, size_t *end)
{
	const char *s = p->s;
	char quote = s[q];
	size_t i = q + 1;
	struct line start = *L;

	for (;;) {
		while (i < L->le) {
			if (quote == '\'' && s[i] == '\'') {
				if (i + 1 < L->le && s[i + 1] == '\'') {
					i += 2;
					continue;
				}
				*end = i + 1;
				return 0;
			}
			if (quote == '"' && s[i] == '"') {
				*end = i + 1;
				return 0;
			}
			if (quote == '"' && s[i] == '\\') {
				size_t used;

				if (i + 1 == L->le && !one_line) {
					i++; /* escaped line break */
					continue;
				}
				if (yaml_escape(s, i + 1, L->le, &used) < 0)
					return FAIL_AT(p, L, i, "invalid escape in double-quoted scalar");
				i += 1 + used;
				continue;
			}
			i++;
		}
		if (one_line || !yaml_read_line(p, L))
			return FAIL_AT(p, &start, q, quote == '"' ? "unterminated double-quoted scalar" :
				       "unterminated single-quoted scalar");
		if (L->ls + 3 <= L->le && L->ind == 0 &&
		    (!memcmp(s + L->ls, "---", 3) || !memcmp(s + L->ls, "...", 3)))
			return FAIL_AT(p, &start, q, "unterminated quoted scalar at a document marker");
		/* a continuation line must be deeper than its block: most likely the quote is unclosed */
		if (!yaml_is_blank(p, L) && L->ind <= indent && s[L->cs] != '\t')
			return FAIL_AT(p, &start, q, quote == '"' ? "unterminated double-quoted scalar" :
				       "unterminated single-quoted scalar");
		i = L->ls;
	}
}

/*
 * Where a plain scalar starting at b on line L ends on that line (before
 * " #" and trailing blanks). *colon is set when ": " (or ':' at the end)
 * occurs, which makes the text a key.
 */
size_t yaml_plain_end(const struct parser *p, const struct line *L, size_t b, size_t *colon, int flow)
{
	const char *s = p->s;
	size_t i = b, last = b;

	*colon = NOCOLON;
	while (i < L->le) {
		char c = s[i];

		if (c == '#' && i > b && is_ws(s[i - 1]))
			break;
		if (c == ':' && (i + 1 == L->le || is_ws(s[i + 1]) ||
				 (flow && strchr(",[]{}", s[i + 1])))) {
			*colon = i;
			break;
		}
		if (flow && strchr(",[]{}", c))
			break;
		if (!is_ws(c))
			last = i + 1;
		i++;
	}
	return last;
}

int yaml_scalar_node(struct parser *p, const struct line *L, size_t b, size_t e, int style)
{
	int i;
	size_t n = e - b;

	if (style == XC_YAML_PLAIN && ((n == 1 && p->s[b] == '~') ||
	    (n == 4 && (!memcmp(p->s + b, "null", 4) || !memcmp(p->s + b, "Null", 4) ||
			!memcmp(p->s + b, "NULL", 4)))))
		i = yaml_new_node(p, XC_YAML_NULL, XC_YAML_PLAIN, L, b);
	else
		i = yaml_new_node(p, XC_YAML_SCALAR, style, L, b);
	if (i >= 0)
		p->nodes[i].len = (uint32_t)n;
	return i;
}

const char *yaml_bad_start(char c, char next)
{
	if (c == '&' || c == '*')
		return "anchors and aliases are not supported";
	if (c == '!')
		return "tags are not supported";
	if (c == '|' || c == '>')
		return "block scalars (| and >) are not supported";
	if (c == '?' && (next == ' ' || next == '\t' || next == '\0'))
		return "complex keys (?) are not supported";
	if (c == '%' || c == '@' || c == '`')
		return "reserved indicator";
	return NULL;
}

/*
 * A plain scalar value at b; more deeply indented lines that follow
 * continue it (kubectl folds long strings).
 */
int yaml_scan_plain(struct parser *p, struct line *L, size_t b, int indent, int *out)
{
	const char *s = p->s;
	size_t colon, e = yaml_plain_end(p, L, b, &colon, 0);
	struct line first = *L, nx;

	if (colon != NOCOLON)
		return FAIL_AT(p, L, colon, "mapping values are not allowed here");
	while (yaml_rest_empty(p, e, L->le) && !(e < L->le && s[e] == '#') &&
	       !(e < L->le && memchr(s + e, '#', L->le - e))) {
		size_t save = p->pos;
		unsigned save_line = p->line;
		int more = 0;

		while (yaml_read_line(p, &nx)) {
			if (yaml_is_blank(p, &nx) && !memchr(s + nx.cs, '#', nx.le - nx.cs))
				continue; /* empty lines may sit inside */
			more = nx.ind > indent && !yaml_is_blank(p, &nx) && s[nx.cs] != '\t';
			break;
		}
		if (!more) {
			p->pos = save;
			p->line = save_line;
			break;
		}
		e = yaml_plain_end(p, &nx, nx.cs, &colon, 0);
		if (colon != NOCOLON)
			return FAIL_AT(p, &nx, colon, "mapping values are not allowed here");
		*L = nx;
	}
	*out = yaml_scalar_node(p, &first, b, e, XC_YAML_PLAIN);
	return *out < 0 ? *out : 0;
}

/*
 * A flow collection at b, all on line L: nested {} and [] with scalars.
 * Attached to frame `parent` (NULL for the root) with key `key`.
 */
int yaml_scan_flow(struct parser *p, struct line *L, size_t b, struct frame *parent, int key)
{
	const char *s = p->s;
	struct frame fst[XC_YAML_MAX_DEPTH];
	int fkey[XC_YAML_MAX_DEPTH];
	int depth = 0, expect_value = 1;
	size_t i = b;

	for (;;) {
		struct frame *f = depth ? &fst[depth - 1] : NULL;
		int is_map = f && p->nodes[f->node].type == XC_YAML_MAP;
		char c;

		while (i < L->le && is_ws(s[i]))
			i++;
		if (i >= L->le || (s[i] == '#' && is_ws(s[i - 1])))
			return FAIL_AT(p, L, i, "flow collection must end on its line");
		c = s[i];
		if (f && (c == ']' || c == '}')) {
			if (c != (is_map ? '}' : ']'))
				return FAIL_AT(p, L, i, "mismatched bracket in flow collection");
			if (is_map && fkey[depth - 1] >= 0) { /* {a} or {a: } */
				int v = yaml_new_node(p, XC_YAML_NULL, XC_YAML_PLAIN, L, i);

				if (v < 0)
					return v;
				yaml_attach(p, f, v, fkey[depth - 1]);
			}
			p->nodes[f->node].len = (uint32_t)(i + 1 - p->nodes[f->node].off);
			depth--;
			i++;
			if (!depth)
				break;
			expect_value = 0;
			continue;
		}
		if (f && !expect_value) {
			if (c != ',')
				return FAIL_AT(p, L, i, "expected ',' or a closing bracket");
			expect_value = 1;
			i++;
			continue;
		}
		if (c == ',')
			return FAIL_AT(p, L, i, "empty entry in flow collection");
		if (is_map && fkey[depth - 1] < 0) { /* a key */
			size_t e, colon;
			int k, rc, style = XC_YAML_PLAIN;

			if (c == '\'' || c == '"') {
				rc = yaml_scan_quoted(p, L, i, 0, 1, &e);

				if (rc < 0)
					return rc;
				style = c == '"' ? XC_YAML_DOUBLE : XC_YAML_SINGLE;
			} else if (strchr("[{", c) || yaml_bad_start(c, s[i + 1 < L->le ? i + 1 : i])) {
				return FAIL_AT(p, L, i, "unsupported key in flow mapping");
			} else {
				e = yaml_plain_end(p, L, i, &colon, 1);
				if (e == i)
					return FAIL_AT(p, L, i, "empty key");
			}
			if (e - i > XC_YAML_MAX_KEY)
				return FAIL_AT(p, L, i, "key longer than 1024 bytes");
			k = yaml_scalar_node(p, L, i, e, style);
			if (k < 0)
				return k;
			p->nodes[k].type = XC_YAML_SCALAR;
			rc = yaml_check_dup(p, L, f, k);
			if (rc < 0)
				return rc;
			fkey[depth - 1] = k;
			i = e;
			while (i < L->le && is_ws(s[i]))
				i++;
			if (i < L->le && s[i] == ':')
				i++;
			else if (i < L->le && s[i] != ',' && s[i] != '}')
				return FAIL_AT(p, L, i, "expected ':' after a key in a flow mapping");
			expect_value = 1;
			/* the value may be absent: "{a: }" or "{a, b: c}" */
			while (i < L->le && is_ws(s[i]))
				i++;
			if (i < L->le && (s[i] == ',' || s[i] == '}')) {
				int v = yaml_new_node(p, XC_YAML_NULL, XC_YAML_PLAIN, L, i);

				if (v < 0)
					return v;
				yaml_attach(p, f, v, k);
				fkey[depth - 1] = -1;
				expect_value = 0;
			}
			continue;
		}
		{
			int v, k = is_map ? fkey[depth - 1] : -1;
			const char *why = yaml_bad_start(c, i + 1 < L->le ? s[i + 1] : 0);

			if (why)
				return FAIL_AT(p, L, i, why);
			if (c == '[' || c == '{') {
				if (depth >= XC_YAML_MAX_DEPTH)
					return yaml_fail(p, -E2BIG, L->no, i - L->ls, "nested too deep");
				v = yaml_new_node(p, c == '[' ? XC_YAML_SEQ : XC_YAML_MAP, XC_YAML_FLOW, L, i);
				if (v < 0)
					return v;
				if (f)
					yaml_attach(p, f, v, k);
				else
					yaml_attach(p, parent, v, key);
				if (is_map)
					fkey[depth - 1] = -1;
				fst[depth].node = v;
				fst[depth].last = -1;
				fkey[depth] = -1;
				depth++;
				i++;
				expect_value = 1;
				continue;
			}
			if (!f)
				return FAIL_AT(p, L, i, "expected a flow collection");
			if (c == '\'' || c == '"') {
				size_t e;
				int rc = yaml_scan_quoted(p, L, i, 0, 1, &e);

				if (rc < 0)
					return rc;
				v = yaml_scalar_node(p, L, i, e, c == '"' ? XC_YAML_DOUBLE : XC_YAML_SINGLE);
				i = e;
			} else {
				size_t colon, e = yaml_plain_end(p, L, i, &colon, 1);

				if (colon != NOCOLON)
					return FAIL_AT(p, L, colon, "mappings inside flow sequences are not supported");
				v = yaml_scalar_node(p, L, i, e, XC_YAML_PLAIN);
				i = e;
			}
			if (v < 0)
				return v;
			yaml_attach(p, f, v, k);
			if (is_map)
				fkey[depth - 1] = -1;
			expect_value = 0;
		}
	}
	if (!yaml_rest_empty(p, i, L->le))
		return FAIL_AT(p, L, i, "unexpected text after a flow collection");
	return 0;
}
