/*
 * yaml_int.h: what the files of the yaml module share (yaml.c: block
 * structure; yaml_scan.c: scalars and flow collections; yaml_str.c:
 * decoding and lookups). Not part of the public API.
 */
#ifndef XC_YAML_INT_H
#define XC_YAML_INT_H

#include <stddef.h>

#include "kube/yaml.h"

struct frame {
	int node;
	int last;       /* last entry attached, -1 */
	int indent;     /* column (0-based) of the entries */
	int indentless; /* a sequence at its parent key's column */
};

struct parser {
	const char *s;
	size_t n;
	size_t pos;     /* start of the next line to read */
	unsigned line;  /* number of the line at `pos` */
	struct xc_yaml_node *nodes;
	size_t cap, count;
	struct xc_yaml_error *err;
	struct frame st[XC_YAML_MAX_DEPTH];
	int depth;
	int pend;         /* a key or "- " waits for its value */
	int pend_key;     /* the key node, -1 for a sequence entry */
	int pend_indent;
	size_t pend_ls, pend_off;
	unsigned pend_line;
	int root_done;
};

/* The current line: [ls, le) without its line break; content at cs. */
struct line {
	size_t ls, le, cs, next;
	unsigned no;
	int ind;
};

static inline int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Record an error at (line, 0-based col) in p->err; returns rc. */
int yaml_fail(struct parser *p, int rc, unsigned line, size_t col, const char *why);

#define FAIL_AT(p, L, at, why) yaml_fail(p, -EINVAL, (L)->no, (at) - (L)->ls, why)

/* Read the line at p->pos into *L and advance; 0 at the end of input. */
int yaml_read_line(struct parser *p, struct line *L);

/* The line is blank or only a comment. */
int yaml_is_blank(const struct parser *p, const struct line *L);

/* From `i` to `le` only blanks and maybe a comment remain. */
int yaml_rest_empty(const struct parser *p, size_t i, size_t le);

/* A new node starting at `off` on line L; its index or -ENOSPC. */
int yaml_new_node(struct parser *p, int type, int style, const struct line *L, size_t off);

/* Hang node i (with key `key` or -1) into frame f's collection (NULL: the root). */
void yaml_attach(struct parser *p, struct frame *f, int i, int key);

/* -EINVAL (reported at the key) when frame f's mapping already has key `key`. */
int yaml_check_dup(struct parser *p, const struct line *L, struct frame *f, int key);

/* A scalar node for [b, e) of line L; plain null words become NULL nodes. */
int yaml_scalar_node(struct parser *p, const struct line *L, size_t b, size_t e, int style);

/* Why a node cannot start with c (then next), or NULL. */
const char *yaml_bad_start(char c, char next);

/*
 * A quoted scalar opening at q, continuing on lines deeper than `indent`
 * unless one_line; *end is set past the closing quote, *L to its line.
 */
int yaml_scan_quoted(struct parser *p, struct line *L, size_t q, int indent, int one_line, size_t *end);

#define NOCOLON ((size_t)-1)

/* End of a plain scalar from b on line L; *colon set at a key's ':' (else NOCOLON). */
size_t yaml_plain_end(const struct parser *p, const struct line *L, size_t b, size_t *colon, int flow);

/* A plain scalar value at b, continued by deeper lines; its node in *out. */
int yaml_scan_plain(struct parser *p, struct line *L, size_t b, int indent, int *out);

/* A flow collection at b, all on line L, attached to `parent` with `key`. */
int yaml_scan_flow(struct parser *p, struct line *L, size_t b, struct frame *parent, int key);

/* The code point of the escape letter at s[i] (-1 if invalid); *used bytes. */
long yaml_escape(const char *s, size_t i, size_t end, size_t *used);

/* Scalar (or NULL node) i decodes to exactly s. */
int yaml_node_eq(const struct xc_yaml *doc, int i, const char *s);

#endif
