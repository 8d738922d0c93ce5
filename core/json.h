/*
 * json: a strict RFC 8259 parser that never copies or allocates, and a
 * compact/indented emitter into a caller-owned buffer.
 *
 * Parsing model. xc_json_parse() validates a whole document once (strict
 * grammar, UTF-8, nesting depth, size) with an explicit bounded stack, no
 * recursion and no allocation, and returns the root as a span of the input.
 * Every later access (xc_json_get, iteration) walks the already-validated
 * text lazily, so memory is the input itself plus a few bytes, whatever the
 * document's size: a 50 MB NodeList costs 50 MB. A value is a span
 * (pointer + length) into the caller's buffer, which must outlive it.
 *
 * Strings stay escaped in the input. xc_json_str() decodes one into a
 * caller buffer (\u escapes incl. surrogate pairs to UTF-8); when a string
 * holds no escape, xc_json_raw() hands out the span itself without copying.
 *
 * Errors: functions return 0 on success or a negative errno:
 *   -EINVAL   malformed input (parse), or a value of the wrong type (getters)
 *   -ENOENT   key or index not present
 *   -ERANGE   number out of the requested integer range
 *   -ENOSPC   caller buffer too small
 *   -E2BIG    input larger than the limit, or nesting deeper than allowed
 */
#ifndef XC_JSON_H
#define XC_JSON_H

#include <stddef.h>
#include <stdint.h>

enum xc_json_type {
	XC_JSON_NONE = 0, /* "no value" (e.g. a missing key) */
	XC_JSON_NULL,
	XC_JSON_FALSE,
	XC_JSON_TRUE,
	XC_JSON_NUMBER,
	XC_JSON_STRING,
	XC_JSON_ARRAY,
	XC_JSON_OBJECT,
};

/* A value: its type and its exact text in the input (quotes included for strings). */
struct xc_json {
	enum xc_json_type type;
	const char *p;
	size_t n;
};

/* Limits applied by xc_json_parse. */
#define XC_JSON_MAX_DEPTH 256
#define XC_JSON_MAX_SIZE ((size_t)1 << 30)

/* Where and why parsing failed. `offset` is a byte offset into the input. */
struct xc_json_error {
	size_t offset;
	const char *reason; /* static text, e.g. "unterminated string" */
};

/*
 * Validate `len` bytes at `text` as exactly one JSON value (surrounding
 * white space allowed) and set `*root` to it. On failure returns -EINVAL
 * (or -E2BIG) and, if `err` is not NULL, fills it in.
 */
int xc_json_parse(const char *text, size_t len, struct xc_json *root, struct xc_json_error *err);

/* Format a parse error as "offset N: reason" into buf; returns buf. */
const char *xc_json_strerror(const struct xc_json_error *err, char *buf, size_t size);

/*
 * Object member lookup: set `*out` to the value of the first member whose
 * key equals `key` (compared after unescaping). -ENOENT when absent,
 * -EINVAL when `obj` is not an object.
 */
int xc_json_get(const struct xc_json *obj, const char *key, struct xc_json *out);

/* Array element `index` (0-based). -ENOENT past the end, -EINVAL if not an array. */
int xc_json_at(const struct xc_json *arr, size_t index, struct xc_json *out);

/* Number of elements of an array or members of an object (-EINVAL otherwise). */
long xc_json_count(const struct xc_json *v);

/*
 * Iteration over an array or object, in document order.
 *
 *   struct xc_json_iter it; struct xc_json key, val;
 *   xc_json_iter_init(&it, &obj);
 *   while (xc_json_next(&it, &key, &val) > 0) ...
 *
 * xc_json_next returns 1 with the next element (key->type is XC_JSON_NONE
 * for arrays), 0 at the end, -EINVAL if the container is not one.
 */
struct xc_json_iter {
	const char *pos;
	const char *end;
	int is_object;
};
void xc_json_iter_init(struct xc_json_iter *it, const struct xc_json *container);
int xc_json_next(struct xc_json_iter *it, struct xc_json *key, struct xc_json *val);

/*
 * Decode string `v` into `buf` (NUL-terminated, UTF-8). Returns the length
 * without the NUL, -EINVAL if not a string, -ENOSPC if it does not fit.
 */
long xc_json_str(const struct xc_json *v, char *buf, size_t size);

/*
 * The contents of string `v` without the quotes, when it holds no escape.
 * Returns the length and sets *s; -EINVAL if not a string or if it has an
 * escape (then use xc_json_str).
 */
long xc_json_raw(const struct xc_json *v, const char **s);

/* Non-zero if string `v` equals the NUL-terminated `s` (after unescaping). */
int xc_json_str_eq(const struct xc_json *v, const char *s);

/* Integer value of a number with no fraction or exponent. -EINVAL, -ERANGE. */
int xc_json_int(const struct xc_json *v, int64_t *out);

/* Boolean value. -EINVAL if `v` is not true/false. */
int xc_json_bool(const struct xc_json *v, int *out);

/*
 * Typed member getters: look `key` up in `obj` and convert. -ENOENT when
 * missing, -EINVAL on a wrong type, -ENOSPC / -ERANGE as above.
 */
long xc_json_get_str(const struct xc_json *obj, const char *key, char *buf, size_t size);
int xc_json_get_int(const struct xc_json *obj, const char *key, int64_t *out);
int xc_json_get_bool(const struct xc_json *obj, const char *key, int *out);

/* Name of a type ("string", "object", ...), for error messages. */
const char *xc_json_type_name(enum xc_json_type t);

/*
 * Emitter. Writes into buf[0..size); never writes past it. After an
 * overflow every further call is a no-op and xc_json_out_end returns
 * -ENOSPC. Commas, colons and (with indent > 0) newlines and indentation
 * are placed automatically. Nesting beyond XC_JSON_MAX_DEPTH is an error.
 *
 *   struct xc_json_out o; xc_json_out_init(&o, buf, sizeof buf, 2);
 *   xc_json_obj(&o); xc_json_key(&o, "cniVersion"); xc_json_string(&o, "1.1.0");
 *   xc_json_end(&o); len = xc_json_out_end(&o);
 */
struct xc_json_out {
	char *buf;
	size_t size;
	size_t len;
	int indent;  /* spaces per level; 0 = compact */
	int depth;
	int error;   /* first error (negative errno) or 0 */
	int after_key;
	uint8_t first[XC_JSON_MAX_DEPTH]; /* 1 while the container at a depth is empty */
	uint8_t is_obj[XC_JSON_MAX_DEPTH];
};

void xc_json_out_init(struct xc_json_out *o, char *buf, size_t size, int indent);
void xc_json_obj(struct xc_json_out *o);           /* { */
void xc_json_arr(struct xc_json_out *o);           /* [ */
void xc_json_end(struct xc_json_out *o);           /* } or ] of the innermost open one */
void xc_json_key(struct xc_json_out *o, const char *key);
void xc_json_string(struct xc_json_out *o, const char *s);
void xc_json_string_n(struct xc_json_out *o, const char *s, size_t n);
void xc_json_int64(struct xc_json_out *o, int64_t v);
void xc_json_boolean(struct xc_json_out *o, int v);
void xc_json_null(struct xc_json_out *o);
/* Copy an already-valid JSON value (e.g. a span from the parser) verbatim. */
void xc_json_value(struct xc_json_out *o, const struct xc_json *v);
/*
 * Finish: returns the length written (buf is NUL-terminated when there is
 * room), or the first error: -ENOSPC on overflow, -EINVAL on unbalanced or
 * misplaced calls.
 */
long xc_json_out_end(struct xc_json_out *o);

#endif
