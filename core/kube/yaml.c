/*
 * yaml: kubeconfig's YAML subset (see yaml.h); this file is the block
 * structure and the document, yaml_scan.c scans scalars and flow
 * collections, yaml_str.c decodes and looks up.
 *
 * The parser walks the input line by line. Open block collections sit on
 * an explicit stack with the column of their entries; a line closes every
 * collection indented deeper than itself and must then continue the one on
 * top. A key or "- " with nothing after it leaves a pending slot that the
 * next line fills (a deeper node, or "- " entries at the key's own column)
 * or that becomes null. Scalars that continue over several lines and flow
 * collections are scanned where they start. Nothing recurses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kube/yaml_int.h"

int yaml_fail(struct parser *p, int rc, unsigned line, size_t col, const char *why)
{
	if (p->err) {
		p->err->line = line;
		p->err->col = (unsigned)col + 1;
		p->err->reason = why;
	}
	return rc;
}

/* Read the line at p->pos into *L; 0 at the end of input. */
int yaml_read_line(struct parser *p, struct line *L)
{
	size_t e;

	if (p->pos >= p->n)
		return 0;
	L->ls = p->pos;
	L->no = p->line;
	e = L->ls;
	while (e < p->n && p->s[e] != '\n')
		e++;
	L->next = e < p->n ? e + 1 : e;
	if (e > L->ls && p->s[e - 1] == '\r')
		e--;
	L->le = e;
	L->cs = L->ls;
	while (L->cs < L->le && p->s[L->cs] == ' ')
		L->cs++;
	L->ind = (int)(L->cs - L->ls);
	p->pos = L->next;
	p->line++;
	return 1;
}

/* Blank or comment-only (tabs allowed there). */
int yaml_is_blank(const struct parser *p, const struct line *L)
{
	size_t i = L->cs;

	while (i < L->le && is_ws(p->s[i]))
		i++;
	return i == L->le || p->s[i] == '#';
}

/* From `i`, skip blanks; 1 when only a comment or nothing remains. */
int yaml_rest_empty(const struct parser *p, size_t i, size_t le)
{
	int ws = 1;

	while (i < le && is_ws(p->s[i])) {
		i++;
		ws = 1;
	}
	return i == le || (p->s[i] == '#' && ws);
}

int yaml_new_node(struct parser *p, int type, int style, const struct line *L, size_t off)
{
	struct xc_yaml_node *nd;
	size_t col = off - L->ls;

	if (p->count >= p->cap)
		return yaml_fail(p, -ENOSPC, L->no, col, "too many nodes for the node array");
	nd = &p->nodes[p->count];
	memset(nd, 0, sizeof(*nd));
	nd->type = type;
	nd->style = style;
	nd->line = L->no;
	nd->col = col + 1 > 65535 ? 65535 : col + 1;
	nd->off = off;
	nd->parent = nd->next = nd->child = nd->key = -1;
	return (int)p->count++;
}

/* Hang node `i` (with key `key`, or -1) into the collection of frame f. */
void yaml_attach(struct parser *p, struct frame *f, int i, int key)
{
	struct xc_yaml_node *nd = &p->nodes[i];

	nd->key = key;
	if (!f) {
		p->root_done = 1;
		return;
	}
	nd->parent = f->node;
	if (key >= 0)
		p->nodes[key].parent = f->node;
	if (f->last < 0)
		p->nodes[f->node].child = i;
	else
		p->nodes[f->last].next = i;
	f->last = i;
	p->nodes[f->node].count++;
}

static struct frame *top(struct parser *p)
{
	return p->depth ? &p->st[p->depth - 1] : NULL;
}

static int push(struct parser *p, const struct line *L, int node, int indent, int indentless)
{
	struct frame *f;

	if (p->depth >= XC_YAML_MAX_DEPTH)
		return yaml_fail(p, -E2BIG, L->no, indent, "nested too deep");
	f = &p->st[p->depth++];
	f->node = node;
	f->last = -1;
	f->indent = indent;
	f->indentless = indentless;
	return 0;
}

/*
 * Is there a key at b on line L? Returns 1 and sets [*kb, *ke) (the key's
 * text, quotes included), its *style and *vpos (past the ':'); 0 when not;
 * <0 on error. Creates no node.
 */
static int find_key(struct parser *p, const struct line *L, size_t b, size_t *ke, int *style, size_t *vpos)
{
	const char *s = p->s;
	size_t e, colon = 0;

	*style = XC_YAML_PLAIN;
	if (s[b] == '\'' || s[b] == '"') {
		struct line tmp = *L;
		size_t save = p->pos;
		unsigned save_line = p->line;
		struct xc_yaml_error *save_err = p->err;
		int rc;

		p->err = NULL; /* not closed on this line is no error here */
		rc = yaml_scan_quoted(p, &tmp, b, 0, 1, &e);
		p->err = save_err;
		p->pos = save;
		p->line = save_line;
		if (rc < 0)
			return 0;
		colon = e;
		while (colon < L->le && is_ws(s[colon]))
			colon++;
		if (colon >= L->le || s[colon] != ':' || (colon + 1 < L->le && !is_ws(s[colon + 1])))
			return 0;
		*style = s[b] == '"' ? XC_YAML_DOUBLE : XC_YAML_SINGLE;
	} else {
		if (yaml_bad_start(s[b], b + 1 < L->le ? s[b + 1] : 0) || s[b] == '[' || s[b] == '{')
			return 0;
		e = yaml_plain_end(p, L, b, &colon, 0);
		if (colon == NOCOLON)
			return 0;
		if (colon == b)
			return FAIL_AT(p, L, b, "empty key");
	}
	if (e - b > XC_YAML_MAX_KEY)
		return FAIL_AT(p, L, b, "key longer than 1024 bytes");
	*ke = e;
	*vpos = colon + 1;
	return 1;
}

/* The key node for find_key's result (a key "null" is the text null). */
static int make_key(struct parser *p, const struct line *L, size_t b, size_t e, int style)
{
	int k = yaml_scalar_node(p, L, b, e, style);

	if (k >= 0)
		p->nodes[k].type = XC_YAML_SCALAR;
	return k;
}

/* Reject a key that the mapping on frame f already has. */
int yaml_check_dup(struct parser *p, const struct line *L, struct frame *f, int key)
{
	struct xc_yaml doc = { p->s, p->n, p->nodes, p->count };
	char a[XC_YAML_MAX_KEY + 1], b[XC_YAML_MAX_KEY + 1];
	long n = xc_yaml_str(&doc, key, a, sizeof(a)), m;

	/* keys decode to at most their length; compare bytes, as keys may hold \0 */
	if (n < 0)
		return 0;
	for (int v = p->nodes[f->node].child; v >= 0; v = p->nodes[v].next) {
		m = xc_yaml_str(&doc, p->nodes[v].key, b, sizeof(b));
		if (m == n && !memcmp(a, b, n))
			return FAIL_AT(p, L, p->nodes[key].off, "duplicate key");
	}
	return 0;
}

/* --- block structure -------------------------------------------------------- */

static int is_dash(const struct parser *p, const struct line *L, size_t i)
{
	return i < L->le && p->s[i] == '-' && (i + 1 == L->le || is_ws(p->s[i + 1]));
}

static size_t skip_ws(const struct parser *p, const struct line *L, size_t i)
{
	while (i < L->le && is_ws(p->s[i]))
		i++;
	return i;
}

static void set_pending(struct parser *p, const struct line *L, size_t at, int key, int indent)
{
	p->pend = 1;
	p->pend_key = key;
	p->pend_indent = indent;
	p->pend_line = L->no;
	p->pend_ls = L->ls;
	p->pend_off = at;
}

/* The pending value is absent: a NULL node where it would have been. */
static int pending_null(struct parser *p)
{
	struct line at = { .ls = p->pend_ls, .no = p->pend_line };
	int v = yaml_new_node(p, XC_YAML_NULL, XC_YAML_PLAIN, &at, p->pend_off);

	if (v < 0)
		return v;
	yaml_attach(p, top(p), v, p->pend_key);
	p->pend = 0;
	return 0;
}

/*
 * The node that starts at column `i` of line L, as the value of `key` (or
 * a sequence entry, key -1) in frame `parent` (NULL: the root), whose
 * entries are at column `indent`. `compact` allows a block collection to
 * open here (at the start of a line, or right after "- ").
 */
static int parse_node(struct parser *p, struct line *L, size_t i, int key, int indent, int compact)
{
	const char *s = p->s;

	for (;;) {
		struct frame *parent = top(p);
		int col = (int)(i - L->ls), k, v, rc, style;
		size_t vpos, ke;
		const char *why;
		char c = s[i];

		if (compact && is_dash(p, L, i)) {
			int indentless = parent && p->nodes[parent->node].type == XC_YAML_MAP &&
					 col == parent->indent;

			v = yaml_new_node(p, XC_YAML_SEQ, XC_YAML_BLOCK, L, i);
			if (v < 0)
				return v;
			yaml_attach(p, parent, v, key);
			rc = push(p, L, v, col, indentless);
			if (rc < 0)
				return rc;
			i = skip_ws(p, L, i + 1);
			if (yaml_rest_empty(p, i, L->le)) {
				set_pending(p, L, i, -1, col);
				return 0;
			}
			key = -1;
			indent = col;
			continue;
		}
		rc = find_key(p, L, i, &ke, &style, &vpos);
		if (rc < 0)
			return rc;
		if (rc && !compact)
			return FAIL_AT(p, L, vpos - 1, "mapping values are not allowed here");
		if (rc) {
			/* a compact mapping: "- name: x", or a mapping after a pending key */
			v = yaml_new_node(p, XC_YAML_MAP, XC_YAML_BLOCK, L, i);
			if (v < 0)
				return v;
			yaml_attach(p, parent, v, key);
			rc = push(p, L, v, col, 0);
			if (rc < 0)
				return rc;
			k = make_key(p, L, i, ke, style);
			if (k < 0)
				return k;
			i = skip_ws(p, L, vpos);
			if (yaml_rest_empty(p, i, L->le)) {
				set_pending(p, L, vpos, k, col);
				return 0;
			}
			key = k;
			indent = col;
			compact = 0;
			continue;
		}
		why = yaml_bad_start(c, i + 1 < L->le ? s[i + 1] : 0);
		if (why)
			return FAIL_AT(p, L, i, why);
		if (is_dash(p, L, i))
			return FAIL_AT(p, L, i, "a block sequence cannot start here");
		if (c == '[' || c == '{')
			return yaml_scan_flow(p, L, i, parent, key);
		v = -1;
		if (c == '\'' || c == '"') {
			size_t e;
			struct line first = *L;

			rc = yaml_scan_quoted(p, L, i, indent, 0, &e);
			if (rc < 0)
				return rc;
			if (!yaml_rest_empty(p, e, L->le)) {
				size_t j = skip_ws(p, L, e);

				return FAIL_AT(p, L, j, s[j] == ':' ? "mapping values are not allowed here" :
					       "unexpected text after a quoted scalar");
			}
			v = yaml_scalar_node(p, &first, i, e, c == '"' ? XC_YAML_DOUBLE : XC_YAML_SINGLE);
		} else {
			rc = yaml_scan_plain(p, L, i, indent, &v);
			if (rc < 0)
				return rc;
		}
		if (v < 0)
			return v;
		yaml_attach(p, parent, v, key);
		return 0;
	}
}

static int entry_line(struct parser *p, struct line *L)
{
	const char *s = p->s;
	struct frame *f;
	int dash = is_dash(p, L, L->cs), rc, k, style;
	size_t vpos, i, ke;

	if (p->pend) {
		if (L->ind > p->pend_indent || (L->ind == p->pend_indent && dash && p->pend_key >= 0)) {
			p->pend = 0;
			return parse_node(p, L, L->cs, p->pend_key, p->pend_indent, 1);
		}
		rc = pending_null(p);
		if (rc < 0)
			return rc;
	}
	if (!p->depth) {
		if (p->root_done)
			return FAIL_AT(p, L, L->cs, "unexpected content after the document's root");
		return parse_node(p, L, L->cs, -1, -1, 1);
	}
	while (p->depth) {
		f = top(p);
		if (f->indent > L->ind || (f->indent == L->ind && f->indentless && !dash))
			p->depth--;
		else
			break;
	}
	f = top(p);
	if (!f || f->indent != L->ind)
		return FAIL_AT(p, L, L->cs, "bad indentation");
	if (p->nodes[f->node].type == XC_YAML_SEQ) {
		if (!dash)
			return FAIL_AT(p, L, L->cs, "expected '- ' (a sequence entry)");
		i = skip_ws(p, L, L->cs + 1);
		if (yaml_rest_empty(p, i, L->le)) {
			set_pending(p, L, i, -1, L->ind);
			return 0;
		}
		return parse_node(p, L, i, -1, L->ind, 1);
	}
	if (dash)
		return FAIL_AT(p, L, L->cs, "expected a mapping key, not '- '");
	rc = find_key(p, L, L->cs, &ke, &style, &vpos);
	if (rc <= 0)
		return rc < 0 ? rc : FAIL_AT(p, L, L->cs, s[L->cs] == '[' || s[L->cs] == '{' ?
					     "flow collections as keys are not supported" :
					     "expected a mapping key ('key: value')");
	k = make_key(p, L, L->cs, ke, style);
	if (k < 0)
		return k;
	rc = yaml_check_dup(p, L, f, k);
	if (rc < 0)
		return rc;
	i = skip_ws(p, L, vpos);
	if (yaml_rest_empty(p, i, L->le)) {
		set_pending(p, L, vpos, k, L->ind);
		return 0;
	}
	return parse_node(p, L, i, k, L->ind, 0);
}

/* --- the document ----------------------------------------------------------- */

/* UTF-8 and YAML's printable set: no C0 controls but tab and line breaks, no DEL. */
static int check_text(struct parser *p, size_t from)
{
	const unsigned char *s = (const unsigned char *)p->s;
	unsigned line = 1;
	size_t ls = 0;

	for (size_t i = from; i < p->n;) {
		unsigned c = s[i];
		size_t need = 0;
		uint32_t cp;

		if (c == '\n') {
			line++;
			ls = ++i;
			continue;
		}
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F)
				return yaml_fail(p, -EINVAL, line, i - ls, "control character");
			if (c == '\r' && (i + 1 >= p->n || s[i + 1] != '\n'))
				return yaml_fail(p, -EINVAL, line, i - ls, "carriage return without line feed");
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3, cp = c & 0x07;
		else
			return yaml_fail(p, -EINVAL, line, i - ls, "invalid UTF-8");
		if (p->n - i - 1 < need)
			return yaml_fail(p, -EINVAL, line, i - ls, "invalid UTF-8");
		for (size_t j = 1; j <= need; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return yaml_fail(p, -EINVAL, line, i - ls, "invalid UTF-8");
			cp = cp << 6 | (s[i + j] & 0x3F);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return yaml_fail(p, -EINVAL, line, i - ls, "invalid UTF-8");
		i += need + 1;
	}
	return 0;
}

static int marker(const struct parser *p, const struct line *L, const char *m)
{
	return L->ind == 0 && L->le - L->ls >= 3 && !memcmp(p->s + L->ls, m, 3) &&
	       (L->le - L->ls == 3 || is_ws(p->s[L->ls + 3]));
}

int xc_yaml_parse(struct xc_yaml *doc, const char *text, size_t len,
		  struct xc_yaml_node *nodes, size_t cap, struct xc_yaml_error *err)
{
	struct parser p = { .s = text, .n = len, .line = 1, .nodes = nodes, .cap = cap, .err = err };
	struct line L;
	int rc, started = 0, ended = 0;

	memset(doc, 0, sizeof(*doc));
	if (err)
		memset(err, 0, sizeof(*err));
	if (len > XC_YAML_MAX_SIZE)
		return yaml_fail(&p, -E2BIG, 1, 0, "input too large");
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		p.pos = 3; /* a byte order mark */
	rc = check_text(&p, p.pos);
	if (rc < 0)
		return rc;
	while (yaml_read_line(&p, &L)) {
		if (yaml_is_blank(&p, &L))
			continue;
		if (p.s[L.cs] == '\t')
			return FAIL_AT(&p, &L, L.cs, "tab in indentation");
		if (ended)
			return FAIL_AT(&p, &L, L.cs, "content after the end of the document");
		if (L.ind == 0 && p.s[L.ls] == '%')
			return FAIL_AT(&p, &L, L.ls, "directives (%) are not supported");
		if (marker(&p, &L, "---")) {
			if (started || p.root_done)
				return FAIL_AT(&p, &L, L.ls, "several documents are not supported");
			if (!yaml_rest_empty(&p, L.ls + 3, L.le))
				return FAIL_AT(&p, &L, L.ls + 4, "content after --- is not supported");
			started = 1;
			continue;
		}
		if (marker(&p, &L, "...")) {
			if (!yaml_rest_empty(&p, L.ls + 3, L.le))
				return FAIL_AT(&p, &L, L.ls + 4, "content after ... is not supported");
			ended = 1;
			continue;
		}
		started = 1;
		rc = entry_line(&p, &L);
		if (rc < 0)
			return rc;
	}
	if (p.pend) {
		rc = pending_null(&p);
		if (rc < 0)
			return rc;
	}
	if (!p.count) {
		L.ls = L.le = L.cs = 0;
		L.no = 1;
		rc = yaml_new_node(&p, XC_YAML_NULL, XC_YAML_PLAIN, &L, 0);
		if (rc < 0)
			return rc;
	}
	doc->text = text;
	doc->len = len;
	doc->nodes = nodes;
	doc->count = p.count;
	return 0;
}

const char *xc_yaml_strerror(const struct xc_yaml_error *err, char *buf, size_t size)
{
	if (size)
		snprintf(buf, size, "line %u, column %u: %s", err->line, err->col,
			 err->reason ? err->reason : "no error");
	return buf;
}
