/*
 * yaml: the YAML subset kubeconfig files are written in, parsed without
 * allocation or recursion into a caller-provided node array (as jsmn does).
 *
 * Supported: one document (an optional leading "---", an optional final
 * "..."), block mappings and block sequences, including "- " entries at the
 * same indentation as their key (kubectl writes "clusters:\n- cluster:") and
 * compact forms ("- name: x", "- - a"); plain, single-quoted and
 * double-quoted scalars, also spanning several lines (kubectl folds long
 * strings at 80 columns) with YAML's line folding and all double-quoted
 * escapes; flow collections on one line ("preferences: {}", "[a, b]",
 * "{k: v}"); comments; empty values (null). Input must be UTF-8; a leading
 * BOM is skipped; CRLF line ends are accepted.
 *
 * Refused with an error naming line and column: tabs in indentation, bad
 * indentation, unterminated quotes, invalid escapes, anchors, aliases, tags,
 * block scalars (| >), complex keys (?), directives (%), several documents,
 * duplicate keys in one mapping, flow collections spanning lines, keys longer
 * than 1024 bytes, nesting deeper than XC_YAML_MAX_DEPTH, control characters.
 * A kubeconfig written as multi-line JSON (flow spanning lines) is refused
 * too: a caller should hand text starting with '{' to core/base/json instead.
 *
 * Model. Node 0 is the document's root (a NULL node for an empty document).
 * A mapping's entries are its values, chained through `next`, each naming
 * its key node in `key` (keys are scalars, outside the chain). A sequence's
 * entries are chained the same way with key = -1. Scalars keep their text
 * in the input (quotes included); xc_yaml_str() decodes one into a caller
 * buffer. The input must outlive the nodes.
 *
 * Plain scalars are not typed: "true", "8443" and "null" are text, as
 * kubeconfig's Go types read them; only an empty value and the plain words
 * null, Null, NULL and ~ become XC_YAML_NULL nodes.
 *
 * Errors: functions return 0 (or a non-negative result) or a negative errno:
 *   -EINVAL   malformed or unsupported input (parse), wrong node type (getters)
 *   -ENOSPC   node array or caller buffer too small
 *   -E2BIG    input larger than XC_YAML_MAX_SIZE or nested too deep
 *   -ENOENT   key not present, or no next entry
 *
 * Names: xc_yaml_
 */
#ifndef XC_YAML_H
#define XC_YAML_H

#include <stddef.h>
#include <stdint.h>

enum xc_yaml_type {
	XC_YAML_NONE = 0,
	XC_YAML_NULL,   /* empty value, null, Null, NULL or ~ */
	XC_YAML_SCALAR,
	XC_YAML_MAP,
	XC_YAML_SEQ,
};

enum xc_yaml_style {
	XC_YAML_PLAIN = 0, /* scalars: unquoted */
	XC_YAML_SINGLE,    /* scalars: 'single-quoted' */
	XC_YAML_DOUBLE,    /* scalars: "double-quoted" */
	XC_YAML_BLOCK,     /* collections: indented block form */
	XC_YAML_FLOW,      /* collections: {} or [] form */
};

/*
 * One node. Offsets and lengths are in bytes of the input. For scalars
 * `off`/`len` cover the whole text including quotes; for flow collections
 * the brackets and what is between; for block collections `len` is 0.
 */
struct xc_yaml_node {
	uint8_t type;    /* enum xc_yaml_type */
	uint8_t style;   /* enum xc_yaml_style */
	uint16_t col;    /* 1-based column of its first byte (65535 if further) */
	uint32_t line;   /* 1-based line of its first byte */
	uint32_t off;
	uint32_t len;
	int32_t parent;  /* enclosing collection; -1 for the root */
	int32_t next;    /* next entry of the same collection; -1 at the end */
	int32_t child;   /* collections: first entry; -1 when empty */
	int32_t key;     /* values of a mapping: their key node; otherwise -1 */
	uint32_t count;  /* collections: number of entries */
};

/* A parsed document: the input and the caller's node array. */
struct xc_yaml {
	const char *text;
	size_t len;
	struct xc_yaml_node *nodes;
	size_t count;    /* nodes used */
};

#define XC_YAML_MAX_DEPTH 32
#define XC_YAML_MAX_SIZE ((size_t)64 << 20)
#define XC_YAML_MAX_KEY 1024

/* Where and why parsing failed: 1-based line and column (in bytes). */
struct xc_yaml_error {
	unsigned line;
	unsigned col;
	const char *reason; /* static text, e.g. "tab in indentation" */
};

/*
 * Parse `len` bytes at `text` into `nodes` (room for `cap`) and fill `doc`.
 * Returns 0; -EINVAL (malformed or unsupported), -ENOSPC (more than `cap`
 * nodes) or -E2BIG (too large, too deep), with `err` (if not NULL) filled.
 * kubectl's kubeconfigs take about 2 nodes per line; size for 4.
 */
int xc_yaml_parse(struct xc_yaml *doc, const char *text, size_t len,
		  struct xc_yaml_node *nodes, size_t cap, struct xc_yaml_error *err);

/* Format an error as "line L, column C: reason" into buf; returns buf. */
const char *xc_yaml_strerror(const struct xc_yaml_error *err, char *buf, size_t size);

/* The node at index `i`, or NULL when `i` is out of range. */
const struct xc_yaml_node *xc_yaml_node(const struct xc_yaml *doc, int i);

/* The type of node `i` (XC_YAML_NONE when out of range). */
enum xc_yaml_type xc_yaml_type(const struct xc_yaml *doc, int i);

/*
 * Value of `key` in mapping `map`: its node index, -ENOENT when absent,
 * -EINVAL when `map` is not a mapping. Keys compare after decoding.
 */
int xc_yaml_get(const struct xc_yaml *doc, int map, const char *key);

/*
 * Iteration over a mapping's values or a sequence's entries, in order
 * (a mapping value's key is xc_yaml_node(doc, v)->key):
 *
 *   for (int v = xc_yaml_first(doc, coll); v >= 0; v = xc_yaml_next(doc, v))
 *           ...
 *
 * xc_yaml_first returns the first entry, -ENOENT when empty, -EINVAL when
 * `coll` is no collection; xc_yaml_next the following entry or -ENOENT.
 */
int xc_yaml_first(const struct xc_yaml *doc, int coll);
int xc_yaml_next(const struct xc_yaml *doc, int i);

/*
 * Decode scalar `i` into `buf` (NUL-terminated UTF-8). A NULL node decodes
 * to "". Returns the length without the NUL, -EINVAL for a collection,
 * -ENOSPC when it does not fit (buf then holds a truncated, terminated
 * prefix if size > 0).
 */
long xc_yaml_str(const struct xc_yaml *doc, int i, char *buf, size_t size);

/*
 * kubeconfig booleans (insecure-skip-tls-verify): "true"/"false" as Go's
 * YAML reads them (also True, TRUE, yes, no, on, off in any of those cases).
 * Sets *out to 1 or 0; -EINVAL for anything else.
 */
int xc_yaml_bool(const struct xc_yaml *doc, int i, int *out);

#endif
