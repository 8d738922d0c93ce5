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
 * caller buffer (\u escapes incl. surrogate pairs to UTF-8).
 *
 * Getters and iterators expect values that came from xc_json_parse (or
 * from getters on them). On any other span they still never read outside
 * it, but what they return is unspecified.
 *
 * Walking cost: each lookup or iteration step skips over the values before
 * the one wanted (at a few GB/s, never recursing). To read several members
 * of a big object, iterate it once and dispatch on the key rather than
 * calling xc_json_get once per member. docs/json.md has figures.
 *
 * Errors: functions return 0 on success or a negative errno:
 *   -EINVAL   malformed input (parse), or a value of the wrong type (getters)
 *   -ENOENT   key or index not present
 *   -ERANGE   number out of the requested integer range
 *   -ENOSPC   caller buffer too small
 *   -E2BIG    input larger than the limit, or nesting deeper than allowed
 *
 * Names: xc_json_
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
	const char *reason; /* static text, e.g. "expected ':'" (docs/json.md lists them) */
};

/*
 * Validate `len` bytes at `text` as exactly one JSON value (surrounding
 * white space allowed) and set `*root` to it. `text` needs no NUL; a NUL
 * byte within `len` is an error. Strict RFC 8259, and also: the text must
 * be well-formed UTF-8 (no overlong forms, no encoded surrogates), a \u
 * escape of a surrogate must be half of a pair, a byte order mark is an
 * error. Numbers of any size and precision are accepted (their text is
 * kept; xc_json_int range-checks). Duplicate keys are accepted.
 *
 * On failure returns -EINVAL, or -E2BIG for input over XC_JSON_MAX_SIZE or
 * nesting deeper than XC_JSON_MAX_DEPTH; `*root` (if not NULL) is then
 * XC_JSON_NONE and `err` (if not NULL) is filled in. On success err->reason
 * is NULL. Uses a fixed ~300 bytes of stack and nothing else.
 */
int xc_json_parse(const char *text, size_t len, struct xc_json *root, struct xc_json_error *err);

/* Format a parse error as "offset N: reason" into buf; returns buf. */
const char *xc_json_strerror(const struct xc_json_error *err, char *buf, size_t size);

/*
 * Object member lookup: set `*out` to the value of the first member whose
 * key equals `key` (compared after unescaping). -ENOENT when absent,
 * -EINVAL when `obj` is not an object. On failure `*out` is XC_JSON_NONE.
 * `out` may point to `obj` itself (walking down: xc_json_get(&v, "k", &v)).
 */
int xc_json_get(const struct xc_json *obj, const char *key, struct xc_json *out);

/*
 * Array element `index` (0-based). -ENOENT past the end, -EINVAL if not an
 * array; `*out` is then XC_JSON_NONE. `out` may point to `arr`. Costs a walk
 * over the elements before `index`: to visit all, iterate instead.
 */
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
 * for arrays), 0 at the end (and on every later call), -EINVAL if the
 * container is not one. `key` and `val` may be NULL when not wanted.
 */
struct xc_json_iter {
	const char *pos;
	const char *end;
	int is_object;
	const struct xc_json_iter *child; /* entered by xc_json_next_enter, or NULL */
};
void xc_json_iter_init(struct xc_json_iter *it, const struct xc_json *container);
int xc_json_next(struct xc_json_iter *it, struct xc_json *key, struct xc_json *val);

/*
 * xc_json_next for a container of containers (a NodeList's items): step
 * to the next element, and when it is an array or object do not walk to
 * its end (a pass over all of it) but set `child` to iterate it. `val`, if
 * not NULL, gets the element's type and start, and its length only when
 * it is not a container (0 otherwise). The next call on `it` (either
 * function) goes on from where `child` stopped, walking the rest of the
 * element only if `child` did not reach its end: `child` must stay in
 * place and untouched by anything but xc_json_next until then. For other
 * elements `child` yields -EINVAL. Returns as xc_json_next.
 */
int xc_json_next_enter(struct xc_json_iter *it, struct xc_json *key, struct xc_json *val,
		       struct xc_json_iter *child);

/*
 * Iterate the array or object that is the value of `key` in `obj`: what
 * xc_json_get then xc_json_iter_init do, without walking to the value's
 * end first (a pass over all of it: for a NodeList's "items", the whole
 * document). Returns the value's type (XC_JSON_ARRAY or XC_JSON_OBJECT),
 * -ENOENT when absent, -EINVAL when `obj` is not an object or the value is
 * not an array or object; on failure `it` yields -EINVAL. Only for values
 * from xc_json_parse: on other spans it stays inside `obj`, but what it
 * yields is unspecified.
 */
int xc_json_iter_member(struct xc_json_iter *it, const struct xc_json *obj, const char *key);

/*
 * Decode string `v` into `buf` (NUL-terminated, UTF-8). Returns the length
 * without the NUL, -EINVAL if not a string, -ENOSPC if it does not fit
 * (length + 1 > size). The decoded text is never longer than v->n - 2.
 * A \u0000 escape decodes to a NUL byte inside the returned length: check
 * with memchr where a C string is expected. On failure buf holds "".
 */
long xc_json_str(const struct xc_json *v, char *buf, size_t size);

/*
 * Non-zero if string `v` equals the NUL-terminated `s` (after unescaping).
 * A string holding \u0000 equals no C string. 0 when `v` is not a string.
 */
int xc_json_str_eq(const struct xc_json *v, const char *s);

/*
 * Integer value of a number with no fraction or exponent ("-0" is 0).
 * -EINVAL when `v` is not a number or has a fraction or exponent (even
 * "1.0"), -ERANGE outside int64_t. `*out` is untouched on failure.
 */
int xc_json_int(const struct xc_json *v, int64_t *out);

/* Boolean value. -EINVAL if `v` is not true/false. */
int xc_json_bool(const struct xc_json *v, int *out);

/*
 * Typed member getters: look `key` up in `obj` and convert. -ENOENT when
 * missing, -EINVAL on a wrong type, -ENOSPC / -ERANGE as above.
 */
long xc_json_get_str(const struct xc_json *obj, const char *key, char *buf, size_t size);
int xc_json_get_int(const struct xc_json *obj, const char *key, int64_t *out);

/* Name of a type ("string", "object", ...), for error messages. */
const char *xc_json_type_name(enum xc_json_type t);

/*
 * Emitter. Writes into buf[0..size); never writes past it. After an
 * overflow every further call is a no-op and xc_json_out_end returns
 * -ENOSPC. Commas, colons and (with indent > 0) newlines and indentation
 * are placed automatically: indented output puts each member and element
 * on its own line, "key": value with one space, empty containers as {} and
 * [], and no newline at the end. Nesting beyond XC_JSON_MAX_DEPTH is an
 * error (-E2BIG); so is any misplaced call (-EINVAL): a value in an object
 * without its key, a key outside an object, two keys in a row, an end with
 * nothing open or right after a key, a second top-level value. The first
 * error sticks and every later call is a no-op.
 *
 * Strings and keys are escaped: '"' and '\\' with a backslash, \n \r \t
 * by name, every other byte below 0x20 as \u00XX. Well-formed UTF-8
 * passes through as is; each byte that is not part of a well-formed
 * sequence becomes U+FFFD, so the output is always valid JSON.
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
void xc_json_int64(struct xc_json_out *o, int64_t v);
void xc_json_boolean(struct xc_json_out *o, int v);
void xc_json_null(struct xc_json_out *o);
/*
 * Finish: returns the length written, or the first error: -ENOSPC on
 * overflow, -EINVAL on unbalanced or misplaced calls or when nothing was
 * written, -E2BIG on nesting too deep. buf is NUL-terminated when there is
 * room (length < size); after an error too, at its last byte if need be.
 */
long xc_json_out_end(struct xc_json_out *o);

#endif
