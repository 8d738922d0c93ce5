/*
 * test_json: core/base/json against the JSONTestSuite corpus and by hand.
 *
 * Inputs live in buffers of their exact size (no NUL after them), so the
 * sanitizer build catches any read past the end of a document.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "jsoncopy.h"
#include "t.h"

#define SUITE_DIR "test/data/jsontestsuite/test_parsing"

/* A heap copy of s without its NUL: the parser must not need one. */
static char *dup_exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);

	if (p && n)
		memcpy(p, s, n);
	return p;
}

static int parse_n(const char *s, size_t n, struct xc_json *root, struct xc_json_error *err)
{
	char *copy = dup_exact(s, n);
	int rc = xc_json_parse(copy, n, root, err);

	free(copy);
	if (root)
		root->p = NULL; /* the span died with the copy */
	return rc;
}

static int parse_s(const char *s, struct xc_json_error *err)
{
	return parse_n(s, strlen(s), NULL, err);
}

/* Structural equality: same types, decoded strings, numbers (text or int64), order. */
static int same(const struct xc_json *a, const struct xc_json *b)
{
	struct xc_json_iter ia, ib;
	struct xc_json ka, va, kb, vb;
	int ra, rb;

	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case XC_JSON_NUMBER:
		return jc_same_number(a, b);
	case XC_JSON_STRING: {
		char *sa = malloc(a->n), *sb = malloc(b->n);
		long la = xc_json_str(a, sa, a->n), lb = xc_json_str(b, sb, b->n);
		int eq = la >= 0 && la == lb && !memcmp(sa, sb, (size_t)la);

		free(sa);
		free(sb);
		return eq;
	}
	case XC_JSON_ARRAY:
	case XC_JSON_OBJECT:
		xc_json_iter_init(&ia, a);
		xc_json_iter_init(&ib, b);
		for (;;) {
			ra = xc_json_next(&ia, &ka, &va);
			rb = xc_json_next(&ib, &kb, &vb);
			if (ra != rb)
				return 0;
			if (ra <= 0)
				return ra == 0;
			if (ka.type != kb.type || (ka.type && !same(&ka, &kb)) || !same(&va, &vb))
				return 0;
		}
	default:
		return 1;
	}
}

/*
 * Emit v through the emitter (jc_copy: the product's calls), parse that,
 * compare. A document those calls cannot write (a fraction, \u0000) passes.
 */
static int round_trip(const struct xc_json *v, int indent)
{
	/* worst case: every byte on its own line at the deepest indentation */
	size_t size = v->n * (8 + (size_t)indent * (XC_JSON_MAX_DEPTH + 1)) + 64;
	char *buf = malloc(size);
	struct xc_json_out *o = malloc(sizeof(*o));
	struct xc_json back;
	long len;
	int ok, rc;

	xc_json_out_init(o, buf, size, indent);
	rc = jc_copy(o, v);
	len = xc_json_out_end(o);
	ok = rc == -EDOM ||
	     (!rc && len > 0 && xc_json_parse(buf, (size_t)len, &back, NULL) == 0 && same(v, &back));
	free(buf);
	free(o);
	return ok;
}

/* ---- JSONTestSuite ----------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char tmp[65536], *buf = NULL;
	size_t n, total = 0;

	if (!f)
		return NULL;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
		char *nb = realloc(buf, total + n);

		if (!nb)
			break;
		buf = nb;
		memcpy(buf + total, tmp, n);
		total += n;
	}
	fclose(f);
	*len = total;
	return buf ? buf : malloc(1);
}

/*
 * Our answer to each implementation-defined case (docs/json.md says why):
 * numbers the grammar allows are accepted whatever their size; everything
 * else (bad UTF-8, unpaired surrogates, BOM, UTF-16, depth) is rejected.
 */
static int i_case_accepted(const char *name)
{
	return !strncmp(name, "i_number_", 9);
}

static void suite_case(const char *name, int *counts)
{
	char path[512];
	struct xc_json root;
	struct xc_json_error err;
	size_t len;
	char *text;
	int rc, want;

	snprintf(path, sizeof path, "%s/%s", SUITE_DIR, name);
	if (!(text = read_file(path, &len))) {
		T(!"cannot read a suite file");
		return;
	}
	rc = xc_json_parse(text, len, &root, &err);
	want = name[0] == 'y' || (name[0] == 'i' && i_case_accepted(name));
	if (!t_check(want ? rc == 0 : rc < 0, __FILE__, __LINE__, name))
		printf("     rc %d (%s at %zu)\n", rc, err.reason ? err.reason : "", err.offset);
	if (rc == 0) {
		/* every accepted document walks and survives a round trip */
		T(root.p >= text && root.p + root.n <= text + len);
		T(round_trip(&root, 0));
		T(round_trip(&root, 3));
	} else {
		T(err.reason != NULL && err.offset <= len);
	}
	counts[name[0] == 'y' ? 0 : name[0] == 'n' ? 1 : 2]++;
	free(text);
}

static void test_suite(void)
{
	DIR *d = opendir(SUITE_DIR);
	struct dirent *e;
	int counts[3] = { 0, 0, 0 };

	if (!T(d != NULL))
		return;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".json") && strchr("yni", e->d_name[0]) &&
		    e->d_name[1] == '_')
			suite_case(e->d_name, counts);
	closedir(d);
	/* the whole suite ran, not an empty or partial copy */
	T_INT(counts[0], 95);
	T_INT(counts[1], 188);
	T_INT(counts[2], 35);
}

/* ---- parse errors -------------------------------------------------------------- */

static void expect_error(const char *s, size_t n, int rc, size_t offset, const char *reason)
{
	struct xc_json_error err = { 99, NULL };

	T_INT(parse_n(s, n, NULL, &err), rc);
	T_INT(err.offset, offset);
	T_STR(err.reason, reason);
}

#define EXPECT_ERR(s, off, why) expect_error(s, sizeof(s) - 1, -EINVAL, off, why)

static void test_errors(void)
{
	struct xc_json_error err;
	char buf[64];

	EXPECT_ERR("", 0, "empty input");
	EXPECT_ERR(" \n\t ", 4, "empty input");
	EXPECT_ERR("{\"a\":1,}", 7, "expected a string key");
	EXPECT_ERR("{\"a\" 1}", 5, "expected ':'");
	EXPECT_ERR("{\"a\":1 \"b\":2}", 7, "expected ',' or '}'");
	EXPECT_ERR("[1 2]", 3, "expected ',' or ']'");
	EXPECT_ERR("[1,]", 3, "expected a value");
	EXPECT_ERR("[1]]", 3, "trailing characters after the value");
	EXPECT_ERR("1 x", 2, "trailing characters after the value");
	EXPECT_ERR("\"abc", 4, "unexpected end of input");
	EXPECT_ERR("[1,", 3, "unexpected end of input");
	EXPECT_ERR("{\"a\":", 5, "unexpected end of input");
	EXPECT_ERR("[\"a\x01\"]", 3, "control character in string");
	EXPECT_ERR("[\"a\tb\"]", 3, "control character in string");
	EXPECT_ERR("[\"\\x\"]", 2, "invalid escape");
	EXPECT_ERR("[\"\\u12G4\"]", 2, "invalid \\u escape");
	EXPECT_ERR("[\"ab\\uD800\"]", 4, "unpaired surrogate in \\u escape");
	EXPECT_ERR("[\"\\uDC00\\uD800\"]", 2, "unpaired surrogate in \\u escape");
	EXPECT_ERR("[\"\\uD800\\u0041\"]", 2, "unpaired surrogate in \\u escape");
	EXPECT_ERR("[\"\xC3\x28\"]", 2, "invalid UTF-8");
	EXPECT_ERR("[\"\xED\xA0\x80\"]", 2, "invalid UTF-8");  /* encoded surrogate */
	EXPECT_ERR("[\"\xC0\xAF\"]", 2, "invalid UTF-8");      /* overlong */
	EXPECT_ERR("[\"\xF4\x90\x80\x80\"]", 2, "invalid UTF-8"); /* > U+10FFFF */
	EXPECT_ERR("[\"\xE2\x82\"]", 2, "invalid UTF-8");      /* truncated */
	EXPECT_ERR("[01]", 2, "leading zero in number");
	EXPECT_ERR("[-]", 2, "invalid number");
	EXPECT_ERR("[1.]", 3, "invalid number");
	EXPECT_ERR("[1.5e]", 5, "invalid number");
	EXPECT_ERR("[+1]", 1, "expected a value");
	EXPECT_ERR("[tru]", 1, "invalid literal");
	EXPECT_ERR("nul", 0, "invalid literal");
	EXPECT_ERR("\xEF\xBB\xBF{}", 0, "byte order mark");
	EXPECT_ERR("{'a':1}", 1, "expected a string key");
	/* a NUL byte inside the length is a character like any other */
	expect_error("[1]\0", 4, -EINVAL, 3, "trailing characters after the value");

	T_INT(parse_s("{\"a\":1,}", &err), -EINVAL);
	T_STR(xc_json_strerror(&err, buf, sizeof buf), "offset 7: expected a string key");
	T_STR(xc_json_strerror(&err, buf, 10), "offset 7:");
	err.reason = NULL;
	T_STR(xc_json_strerror(&err, buf, sizeof buf), "no error");

	/* success clears a previous error */
	T_INT(parse_s(" [ ] ", &err), 0);
	T(err.reason == NULL);
	T_INT(xc_json_parse(NULL, 0, NULL, &err), -EINVAL);
	/* the size limit is checked before a byte is read */
	T_INT(xc_json_parse("1", XC_JSON_MAX_SIZE + 1, NULL, &err), -E2BIG);
	T_STR(err.reason, "input too large");
}

static void test_depth(void)
{
	enum { D = XC_JSON_MAX_DEPTH };
	char *s = malloc(6 * (D + 1) + 8);
	struct xc_json_error err;
	struct xc_json root, v;
	size_t n = 0;

	/* exactly the limit: accepted, and the innermost value reachable */
	for (int i = 0; i < D; i++)
		n += (size_t)sprintf(s + n, i & 1 ? "[" : "{\"k\":");
	s[n++] = '7';
	for (int i = D - 1; i >= 0; i--)
		s[n++] = i & 1 ? ']' : '}';
	T_INT(xc_json_parse(s, n, &root, &err), 0);
	v = root;
	for (int i = 0; i < D; i++)
		T_INT(i & 1 ? xc_json_at(&v, 0, &v) : xc_json_get(&v, "k", &v), 0);
	T_INT(v.type, XC_JSON_NUMBER);
	T_INT(v.n, 1);
	T(round_trip(&root, 1));

	/* one more: refused where the extra level opens */
	memset(s, '[', D + 1);
	memset(s + D + 1, ']', D + 1);
	T_INT(xc_json_parse(s, 2 * (D + 1), &root, &err), -E2BIG);
	T_INT(err.offset, D);
	T_STR(err.reason, "nesting too deep");
	T_INT(root.type, XC_JSON_NONE);
	free(s);
}

/* ---- getters and iteration ------------------------------------------------------ */

static const char doc[] =
	"{ \"name\": \"node-1\", \"n\": 42, \"neg\": -7, \"f\": 1.5, \"on\": true,\n"
	"  \"off\": false, \"nil\": null, \"list\": [1, \"two\", [3], {\"four\": 4}],\n"
	"  \"empty\": {}, \"none\": [], \"dup\": 1, \"dup\": 2, \"k\\u0065y\": \"esc\",\n"
	"  \"q\\\"\": \"quote\", \"\": \"blank\" }";

static void test_getters(void)
{
	struct xc_json root, v, w;
	char buf[32];
	int64_t i;
	int b;

	T_INT(parse_n(doc, sizeof doc - 1, NULL, NULL), 0);
	T_INT(xc_json_parse(doc, sizeof doc - 1, &root, NULL), 0);
	T_INT(root.type, XC_JSON_OBJECT);
	T(root.p == doc && root.n == sizeof doc - 1);

	T_INT(xc_json_get(&root, "name", &v), 0);
	T_INT(v.type, XC_JSON_STRING);
	T_INT(v.n, 8);
	T(!memcmp(v.p, "\"node-1\"", 8));
	T_INT(xc_json_get(&root, "nam", &v), -ENOENT);
	T_INT(v.type, XC_JSON_NONE);
	T_INT(xc_json_get(&root, "names", &v), -ENOENT);
	T_INT(xc_json_get(&root, "dup", &v), 0);
	T(v.n == 1 && v.p[0] == '1'); /* the first of duplicates */
	T_INT(xc_json_get(&root, "key", &v), 0); /* key spelled with an escape */
	T(xc_json_str_eq(&v, "esc"));
	T_INT(xc_json_get(&root, "q\"", &v), 0);
	T(xc_json_str_eq(&v, "quote"));
	T_INT(xc_json_get(&root, "", &v), 0);
	T(xc_json_str_eq(&v, "blank"));

	T_INT(xc_json_get_str(&root, "name", buf, sizeof buf), 6);
	T_STR(buf, "node-1");
	T_INT(xc_json_get_str(&root, "name", buf, 6), -ENOSPC);
	T_STR(buf, "");
	T_INT(xc_json_get_str(&root, "n", buf, sizeof buf), -EINVAL);
	T_INT(xc_json_get_str(&root, "missing", buf, sizeof buf), -ENOENT);
	T_INT(xc_json_get_int(&root, "n", &i), 0);
	T_INT(i, 42);
	T_INT(xc_json_get_int(&root, "neg", &i), 0);
	T_INT(i, -7);
	T_INT(xc_json_get_int(&root, "f", &i), -EINVAL);
	T_INT(xc_json_get_int(&root, "name", &i), -EINVAL);
	T_INT(xc_json_get_int(&root, "missing", &i), -ENOENT);
	T_INT(xc_json_get(&root, "on", &v), 0);
	T_INT(xc_json_bool(&v, &b), 0);
	T_INT(b, 1);
	T_INT(xc_json_get(&root, "nil", &v), 0);
	T_INT(v.type, XC_JSON_NULL);
	T_INT(xc_json_bool(&v, &b), -EINVAL);
	T_INT(xc_json_get(&root, "off", &v), 0);
	T_INT(v.type, XC_JSON_FALSE);
	T_INT(xc_json_bool(&v, &b), 0);
	T_INT(b, 0);

	/* wrong container types */
	T_INT(xc_json_get(&root, "list", &v), 0);
	T_INT(xc_json_get(&v, "x", &w), -EINVAL);
	T_INT(xc_json_at(&root, 0, &w), -EINVAL);
	T_INT(xc_json_get(NULL, "x", &w), -EINVAL);
	T_INT(xc_json_get(&root, NULL, &w), -EINVAL);
	T_INT(xc_json_get_int(&v, "x", &i), -EINVAL);

	/* arrays by index */
	T_INT(xc_json_count(&v), 4);
	T_INT(xc_json_at(&v, 1, &w), 0);
	T(xc_json_str_eq(&w, "two"));
	T_INT(xc_json_at(&v, 3, &w), 0);
	T_INT(xc_json_get_int(&w, "four", &i), 0);
	T_INT(i, 4);
	T_INT(xc_json_at(&v, 4, &w), -ENOENT);
	T_INT(w.type, XC_JSON_NONE);
	T_INT(xc_json_count(&root), 15);
	T_INT(xc_json_get(&root, "empty", &v), 0);
	T_INT(xc_json_count(&v), 0);
	T_INT(xc_json_get(&v, "a", &w), -ENOENT);
	T_INT(xc_json_get(&root, "none", &v), 0);
	T_INT(xc_json_count(&v), 0);
	T_INT(xc_json_at(&v, 0, &w), -ENOENT);
	T_INT(xc_json_count(&w), -EINVAL);

	T_INT(xc_json_bool(&root, &b), -EINVAL);
	T_STR(xc_json_type_name(XC_JSON_OBJECT), "object");
	T_STR(xc_json_type_name(XC_JSON_NONE), "none");
	T_STR(xc_json_type_name((enum xc_json_type)99), "invalid");
}

static void test_iter(void)
{
	static const char s[] = "[ {\"a\" : [1,2] , \"b\":\"x,]}\"} , -1.5e3, \"s\", null ]";
	struct xc_json root, k, v, inner;
	struct xc_json_iter it, it2;
	enum xc_json_type types[8];
	int n = 0;

	T_INT(xc_json_parse(s, sizeof s - 1, &root, NULL), 0);
	xc_json_iter_init(&it, &root);
	while (n < 8 && xc_json_next(&it, &k, &v) > 0) {
		T_INT(k.type, XC_JSON_NONE);
		types[n++] = v.type;
		if (v.type == XC_JSON_OBJECT)
			inner = v;
	}
	T_INT(n, 4);
	T_INT(types[0], XC_JSON_OBJECT);
	T_INT(types[1], XC_JSON_NUMBER);
	T_INT(types[2], XC_JSON_STRING);
	T_INT(types[3], XC_JSON_NULL);
	/* at the end it stays at the end */
	T_INT(xc_json_next(&it, &k, &v), 0);
	T_INT(xc_json_next(&it, NULL, NULL), 0);

	/* object members, with their spans; brackets inside strings ignored */
	xc_json_iter_init(&it2, &inner);
	T_INT(xc_json_next(&it2, &k, &v), 1);
	T(xc_json_str_eq(&k, "a"));
	T(v.type == XC_JSON_ARRAY && v.n == 5 && !memcmp(v.p, "[1,2]", 5));
	T_INT(xc_json_next(&it2, &k, &v), 1);
	T(xc_json_str_eq(&k, "b"));
	T(xc_json_str_eq(&v, "x,]}"));
	T_INT(xc_json_next(&it2, &k, &v), 0);

	/* scalars and NONE do not iterate */
	T_INT(xc_json_at(&root, 1, &v), 0);
	T(v.n == 6 && !memcmp(v.p, "-1.5e3", 6));
	xc_json_iter_init(&it, &v);
	T_INT(xc_json_next(&it, &k, &v), -EINVAL);
	xc_json_iter_init(&it, NULL);
	T_INT(xc_json_next(&it, &k, &v), -EINVAL);
}

/* xc_json_iter_member: iterate a member's value without measuring it first. */
static void test_iter_member(void)
{
	static const char s[] = "{\"k\":1, \"a\" : [ 1, {\"x\":\"]\"} ,[] ] ,\"o\":{ \"p\" : \"}\" },"
				"\"e\":[],\"\\u0061b\":{}, \"last\":[\"z\"]}";
	struct xc_json root, k, v, arr;
	struct xc_json_iter it;

	T_INT(xc_json_parse(s, sizeof s - 1, &root, NULL), 0);
	T_INT(xc_json_iter_member(&it, &root, "a"), XC_JSON_ARRAY);
	T_INT(xc_json_next(&it, &k, &v), 1);
	T(k.type == XC_JSON_NONE && v.type == XC_JSON_NUMBER && v.n == 1);
	T_INT(xc_json_next(&it, &k, &v), 1);
	T(v.type == XC_JSON_OBJECT && v.n == 9 && !memcmp(v.p, "{\"x\":\"]\"}", 9));
	T_INT(xc_json_next(&it, &k, &v), 1);
	T(v.type == XC_JSON_ARRAY && v.n == 2);
	/* stops at the array's own closer although its end bound is the object's */
	T_INT(xc_json_next(&it, &k, &v), 0);
	T_INT(xc_json_next(&it, &k, &v), 0);
	T_INT(xc_json_get(&root, "a", &arr), 0);
	T_INT(xc_json_count(&arr), 3);

	T_INT(xc_json_iter_member(&it, &root, "o"), XC_JSON_OBJECT);
	T_INT(xc_json_next(&it, &k, &v), 1);
	T(xc_json_str_eq(&k, "p") && xc_json_str_eq(&v, "}"));
	T_INT(xc_json_next(&it, &k, &v), 0);

	T_INT(xc_json_iter_member(&it, &root, "e"), XC_JSON_ARRAY);
	T_INT(xc_json_next(&it, &k, &v), 0);
	T_INT(xc_json_iter_member(&it, &root, "ab"), XC_JSON_OBJECT); /* escaped key */
	T_INT(xc_json_next(&it, &k, &v), 0);
	T_INT(xc_json_iter_member(&it, &root, "last"), XC_JSON_ARRAY);
	T_INT(xc_json_next(&it, &k, &v), 1);
	T(xc_json_str_eq(&v, "z"));
	T_INT(xc_json_next(&it, &k, &v), 0);

	/* absent, not a container, not an object: the iterator yields -EINVAL */
	T_INT(xc_json_iter_member(&it, &root, "nope"), -ENOENT);
	T_INT(xc_json_next(&it, &k, &v), -EINVAL);
	T_INT(xc_json_iter_member(&it, &root, "k"), -EINVAL);
	T_INT(xc_json_next(&it, &k, &v), -EINVAL);
	T_INT(xc_json_iter_member(&it, &arr, "a"), -EINVAL);
	T_INT(xc_json_iter_member(&it, NULL, "a"), -EINVAL);
	T_INT(xc_json_iter_member(&it, &root, NULL), -EINVAL);
}

/* xc_json_next_enter: a container's elements iterated without measuring them. */
static void test_next_enter(void)
{
	static const char s[] = "{\"items\":[ {\"a\":1,\"b\":[2,\"]\"]} , 7, [ [], {} ] ,"
				"{\"c\":\"}\"}, {\"d\":{\"e\":[3]}} ],\"after\":true}";
	struct xc_json root, k, v, w;
	struct xc_json_iter it, item, in;

	T_INT(xc_json_parse(s, sizeof s - 1, &root, NULL), 0);
	T_INT(xc_json_iter_member(&it, &root, "items"), XC_JSON_ARRAY);
	/* an object, run to its end */
	T_INT(xc_json_next_enter(&it, &k, &v, &item), 1);
	T(k.type == XC_JSON_NONE && v.type == XC_JSON_OBJECT && v.n == 0 && *v.p == '{');
	T_INT(xc_json_next(&item, &k, &v), 1);
	T(xc_json_str_eq(&k, "a") && v.n == 1);
	T_INT(xc_json_next(&item, &k, &v), 1);
	T(xc_json_str_eq(&k, "b") && v.n == 7 && !memcmp(v.p, "[2,\"]\"]", 7));
	T_INT(xc_json_next(&item, &k, &v), 0);
	/* a scalar: measured, no child */
	T_INT(xc_json_next_enter(&it, &k, &v, &item), 1);
	T(v.type == XC_JSON_NUMBER && v.n == 1 && *v.p == '7');
	T_INT(xc_json_next(&item, &k, &v), -EINVAL);
	/* an array, one step into it, then left: the rest is walked */
	T_INT(xc_json_next_enter(&it, &k, &v, &item), 1);
	T(v.type == XC_JSON_ARRAY && v.n == 0);
	T_INT(xc_json_next(&item, &k, &v), 1);
	T(v.type == XC_JSON_ARRAY && v.n == 2);
	/* not entered at all, through xc_json_next on the parent */
	T_INT(xc_json_next_enter(&it, &k, &v, &item), 1);
	T(v.type == XC_JSON_OBJECT && v.n == 0);
	T_INT(xc_json_next(&it, &k, &v), 1);
	T(v.type == XC_JSON_OBJECT && !memcmp(v.p, "{\"d\":", 5));
	T_INT(xc_json_next(&it, &k, &v), 0);

	/* nested: a child's own child */
	T_INT(xc_json_iter_member(&it, &root, "items"), XC_JSON_ARRAY);
	for (int i = 0; i < 5; i++)
		T_INT(xc_json_next_enter(&it, NULL, NULL, &item), 1);
	T_INT(xc_json_next_enter(&item, &k, &v, &in), 1);
	T(xc_json_str_eq(&k, "d") && v.type == XC_JSON_OBJECT);
	T_INT(xc_json_next(&in, &k, &w), 1);
	T(xc_json_str_eq(&k, "e") && w.n == 3);
	T_INT(xc_json_next_enter(&item, &k, &v, &in), 0);
	T_INT(xc_json_next_enter(&it, &k, &v, &item), 0);
	T_INT(xc_json_next(&item, &k, &v), -EINVAL);
	T_INT(xc_json_next(&it, &k, &v), 0);

	/* on a whole document's root too */
	xc_json_iter_init(&it, &root);
	T_INT(xc_json_next_enter(&it, &k, &v, &item), 1);
	T(xc_json_str_eq(&k, "items"));
	T_INT(xc_json_next_enter(&it, &k, &v, &item), 1);
	T(xc_json_str_eq(&k, "after") && v.type == XC_JSON_TRUE && v.n == 4);
	T_INT(xc_json_next_enter(&it, &k, &v, &item), 0);
}

/*
 * Containers are skipped 64 bytes at a time: put quotes, backslashes and
 * brackets inside strings at every offset to a block boundary, and check
 * the iterator still finds each value's exact end.
 */
static void test_skip_alignment(void)
{
	char deep[141];

	memset(deep, '[', 70);
	memset(deep + 70, ']', 70);
	deep[140] = '\0';
	const char *const frags[] = {
		"{\"a\":\"\\\"}\"}",
		"[\"\\\\\",[\"]\"]]",
		"{\"x\":\"\\\\\\\\\\\"]\",\"y\":[{}]}",
		"[\"\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\\"]",
		deep,
		"{\"k]\":\"v}\",\"\\\"\":{\"[\":\"{{{{\\\\\"},\"z\":[\"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\"]}",
	};
	char text[512];
	struct xc_json root, v;
	int bad = 0;

	for (size_t f = 0; f < sizeof frags / sizeof frags[0]; f++) {
		size_t fn = strlen(frags[f]);

		for (size_t pad = 0; pad < 140; pad++) {
			size_t n = (size_t)snprintf(text, sizeof text, "[%*s%s , \"\\\\\", %s]",
						    (int)pad, "", frags[f], frags[f]);
			char *copy = dup_exact(text, n);

			bad += xc_json_parse(copy, n, &root, NULL) != 0;
			bad += xc_json_count(&root) != 3;
			bad += xc_json_at(&root, 0, &v) || v.n != fn || memcmp(v.p, frags[f], fn);
			bad += xc_json_at(&root, 1, &v) || !xc_json_str_eq(&v, "\\");
			bad += xc_json_at(&root, 2, &v) || v.n != fn || memcmp(v.p, frags[f], fn);
			free(copy);
		}
	}
	T_INT(bad, 0);
}

/* ---- strings ----------------------------------------------------------------- */

static void test_strings(void)
{
	static const char s[] =
		"[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\\ud83d\\ude00\", \"a\\u0000b\","
		" \"plain \xC3\xA9\", \"\"]";
	struct xc_json root, v;
	char buf[32];

	T_INT(xc_json_parse(s, sizeof s - 1, &root, NULL), 0);
	T_INT(xc_json_at(&root, 0, &v), 0);
	T_INT(xc_json_str(&v, buf, sizeof buf), 8);
	T_STR(buf, "\"\\/\b\f\n\r\t");
	T(xc_json_str_eq(&v, "\"\\/\b\f\n\r\t"));
	T(!xc_json_str_eq(&v, "\"\\/\b\f\n\r"));
	T(!xc_json_str_eq(&v, "\"\\/\b\f\n\r\tx"));

	/* \u escapes to UTF-8, a surrogate pair to one 4-byte sequence */
	T_INT(xc_json_at(&root, 1, &v), 0);
	T_INT(xc_json_str(&v, buf, sizeof buf), 9);
	T_STR(buf, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
	T(xc_json_str_eq(&v, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
	/* the exact room: 9 bytes + NUL */
	T_INT(xc_json_str(&v, buf, 10), 9);
	T_INT(xc_json_str(&v, buf, 9), -ENOSPC);
	T_INT(xc_json_str(&v, buf, 3), -ENOSPC); /* would split a sequence */
	T_STR(buf, "");
	T_INT(xc_json_str(&v, NULL, 0), -ENOSPC);

	/* an escaped NUL is decoded, counted, and never equals a C string */
	T_INT(xc_json_at(&root, 2, &v), 0);
	T_INT(xc_json_str(&v, buf, sizeof buf), 3);
	T(!memcmp(buf, "a\0b", 4));
	T(!xc_json_str_eq(&v, "a"));
	T(!xc_json_str_eq(&v, "ab"));

	/* no escape */
	T_INT(xc_json_at(&root, 3, &v), 0);
	T_INT(xc_json_str(&v, buf, 9), 8);
	T_INT(xc_json_str(&v, buf, 8), -ENOSPC);
	T(xc_json_str_eq(&v, "plain \xC3\xA9"));
	T(!xc_json_str_eq(&v, "plain \xC3"));

	T_INT(xc_json_at(&root, 4, &v), 0);
	T_INT(xc_json_str(&v, buf, 1), 0);
	T(xc_json_str_eq(&v, ""));
	T(!xc_json_str_eq(&v, "x"));

	/* not a string */
	T_INT(xc_json_str(&root, buf, sizeof buf), -EINVAL);
	T(!xc_json_str_eq(&root, ""));
	T(!xc_json_str_eq(NULL, ""));
}

/* ---- integers ---------------------------------------------------------------- */

static void expect_int(const char *text, int rc, int64_t want)
{
	struct xc_json v;
	char *copy = dup_exact(text, strlen(text));
	int64_t got = 12345;

	if (!T(xc_json_parse(copy, strlen(text), &v, NULL) == 0)) {
		free(copy);
		return;
	}
	T_INT(xc_json_int(&v, &got), rc);
	if (!rc)
		T_INT(got, want);
	else
		T_INT(got, 12345); /* untouched on failure */
	free(copy);
}

static void test_ints(void)
{
	expect_int("0", 0, 0);
	expect_int("-0", 0, 0);
	expect_int("1234567890", 0, 1234567890);
	expect_int("9223372036854775807", 0, INT64_MAX);
	expect_int("-9223372036854775808", 0, INT64_MIN);
	expect_int("9223372036854775808", -ERANGE, 0);
	expect_int("-9223372036854775809", -ERANGE, 0);
	expect_int("18446744073709551616", -ERANGE, 0);
	expect_int("123456789012345678901234567890", -ERANGE, 0);
	expect_int("1.0", -EINVAL, 0);
	expect_int("1e3", -EINVAL, 0);
	expect_int("123456789012345678901234567890e1", -EINVAL, 0);
	expect_int("\"1\"", -EINVAL, 0);
	expect_int("true", -EINVAL, 0);
}

/* ---- emitter ----------------------------------------------------------------- */

/* A CNI-like result built by hand; the same calls for every test below. */
static void build(struct xc_json_out *o)
{
	struct xc_json sub;
	static const char extra[] = "{ \"x\" : [ 1 , {} , [] ] }";

	xc_json_obj(o);
	xc_json_key(o, "cniVersion");
	xc_json_string(o, "1.1.0");
	xc_json_key(o, "ips");
	xc_json_arr(o);
	xc_json_obj(o);
	xc_json_key(o, "address");
	xc_json_string(o, "198.18.0.2/24");
	xc_json_key(o, "gateway");
	xc_json_null(o);
	xc_json_end(o);
	xc_json_end(o);
	xc_json_key(o, "n");
	xc_json_int64(o, INT64_MIN);
	xc_json_key(o, "ok");
	xc_json_boolean(o, 1);
	xc_json_key(o, "empty");
	xc_json_arr(o);
	xc_json_end(o);
	xc_json_key(o, "extra");
	xc_json_parse(extra, sizeof extra - 1, &sub, NULL);
	jc_copy(o, &sub);
	xc_json_end(o);
}

static const char compact[] =
	"{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"198.18.0.2/24\",\"gateway\":null}],"
	"\"n\":-9223372036854775808,\"ok\":true,\"empty\":[],\"extra\":{\"x\":[1,{},[]]}}";
static const char indented[] =
	"{\n"
	"  \"cniVersion\": \"1.1.0\",\n"
	"  \"ips\": [\n"
	"    {\n"
	"      \"address\": \"198.18.0.2/24\",\n"
	"      \"gateway\": null\n"
	"    }\n"
	"  ],\n"
	"  \"n\": -9223372036854775808,\n"
	"  \"ok\": true,\n"
	"  \"empty\": [],\n"
	"  \"extra\": {\n"
	"    \"x\": [\n"
	"      1,\n"
	"      {},\n"
	"      []\n"
	"    ]\n"
	"  }\n"
	"}";

static void test_emit_layout(void)
{
	static struct xc_json_out o;
	char buf[512];

	xc_json_out_init(&o, buf, sizeof buf, 0);
	build(&o);
	T_INT(xc_json_out_end(&o), sizeof compact - 1);
	T_STR(buf, compact);
	xc_json_out_init(&o, buf, sizeof buf, 2);
	build(&o);
	T_INT(xc_json_out_end(&o), sizeof indented - 1);
	T_STR(buf, indented);
	T_INT(parse_s(buf, NULL), 0);
	/* a scalar alone is a document */
	xc_json_out_init(&o, buf, sizeof buf, 2);
	xc_json_int64(&o, INT64_MAX);
	T_INT(xc_json_out_end(&o), 19);
	T_STR(buf, "9223372036854775807");
}

/* Every buffer size: -ENOSPC below the need, never a byte past the end. */
static void test_emit_overflow(void)
{
	static struct xc_json_out o;
	char buf[sizeof indented + 16];
	size_t need = sizeof indented - 1;

	for (size_t size = 0; size <= need + 1; size++) {
		memset(buf, '#', sizeof buf);
		xc_json_out_init(&o, buf, size, 2);
		build(&o);
		long rc = xc_json_out_end(&o);

		if (size < need)
			T_INT(rc, -ENOSPC);
		else
			T_INT(rc, need);
		T(!memcmp(buf + size, "################", 16));
		if (size && size < need)
			T(memchr(buf, '\0', size) != NULL); /* a C string even so */
		if (size == need)
			T(!memcmp(buf, indented, need)); /* no room for the NUL */
		if (size == need + 1)
			T_STR(buf, indented);
	}
	/* after an overflow nothing more is written */
	xc_json_out_init(&o, buf, 4, 0);
	xc_json_arr(&o);
	xc_json_string(&o, "long enough");
	T_INT(o.error, -ENOSPC);
	size_t len = o.len;
	xc_json_null(&o);
	xc_json_end(&o);
	T_INT(o.len, len);
	T_INT(xc_json_out_end(&o), -ENOSPC);
	xc_json_out_init(&o, NULL, 100, 0);
	xc_json_null(&o);
	T_INT(xc_json_out_end(&o), -ENOSPC);
}

static void test_emit_escapes(void)
{
	static const char esc[] = "\"q\\\" b\\\\ s/ \\n\\r\\t \\u0008\\u000c\\u0001\\u001f"
				  "\x7f \xC3\xA9 \xF0\x9F\x98\x80\"";
	static struct xc_json_out o;
	char buf[256];

	xc_json_out_init(&o, buf, sizeof buf, 0);
	xc_json_string(&o, "q\" b\\ s/ \n\r\t \b\f\x01\x1f\x7f \xC3\xA9 \xF0\x9F\x98\x80");
	T_INT(xc_json_out_end(&o), strlen(esc));
	T_STR(buf, esc);

	/* bytes that are not UTF-8 become U+FFFD, one per bad byte */
	xc_json_out_init(&o, buf, sizeof buf, 0);
	xc_json_string(&o, "a\xFF" "b\xC3" "c\xED\xA0\x80");
	T(xc_json_out_end(&o) > 0);
	T_STR(buf, "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
	T_INT(parse_s(buf, NULL), 0);

	/* keys are escaped the same way */
	xc_json_out_init(&o, buf, sizeof buf, 1);
	xc_json_obj(&o);
	xc_json_key(&o, "k\"\n");
	xc_json_boolean(&o, 0);
	xc_json_end(&o);
	T(xc_json_out_end(&o) > 0);
	T_STR(buf, "{\n \"k\\\"\\n\": false\n}");
}

/* Each misuse is -EINVAL (or -E2BIG for depth) at xc_json_out_end. */
static void test_emit_misuse(void)
{
	static struct xc_json_out o;
	char buf[1024];

#define MISUSE(rc, ...) do { \
	xc_json_out_init(&o, buf, sizeof buf, 0); \
	__VA_ARGS__; \
	T_INT(xc_json_out_end(&o), rc); \
} while (0)
	MISUSE(-EINVAL, (void)0);                                        /* nothing */
	MISUSE(-EINVAL, xc_json_end(&o));                                /* close nothing */
	MISUSE(-EINVAL, xc_json_obj(&o));                                /* left open */
	MISUSE(-EINVAL, xc_json_arr(&o); xc_json_end(&o); xc_json_end(&o));
	MISUSE(-EINVAL, xc_json_null(&o); xc_json_null(&o));             /* two roots */
	MISUSE(-EINVAL, xc_json_key(&o, "k"));                           /* key at top */
	MISUSE(-EINVAL, xc_json_arr(&o); xc_json_key(&o, "k"); xc_json_end(&o));
	MISUSE(-EINVAL, xc_json_obj(&o); xc_json_null(&o); xc_json_end(&o));
	MISUSE(-EINVAL, xc_json_obj(&o); xc_json_key(&o, "a"); xc_json_end(&o));
	MISUSE(-EINVAL, xc_json_obj(&o); xc_json_key(&o, "a"); xc_json_key(&o, "b"));
	MISUSE(-EINVAL, xc_json_obj(&o); xc_json_key(&o, NULL); xc_json_null(&o); xc_json_end(&o));
	MISUSE(-EINVAL, xc_json_string(&o, NULL));
	/* the first error sticks */
	MISUSE(-EINVAL, xc_json_end(&o); xc_json_arr(&o); xc_json_end(&o));
	/* depth: the limit exactly, then one more */
	MISUSE(XC_JSON_MAX_DEPTH * 2,
	       for (int i = 0; i < XC_JSON_MAX_DEPTH; i++) xc_json_arr(&o);
	       for (int i = 0; i < XC_JSON_MAX_DEPTH; i++) xc_json_end(&o));
	MISUSE(-E2BIG, for (int i = 0; i <= XC_JSON_MAX_DEPTH; i++) xc_json_arr(&o));
#undef MISUSE
}

/* parse -> emit (both layouts) -> parse, on a document with every feature. */
static void test_round_trip(void)
{
	static const char s[] =
		"\t{\"a\":[1,-0,true,false,null,\"\\u00e9\\ud83d\\ude00\\n\"],\r\n"
		"\"b\":{\"c\":{\"d\":[[[]]]},\"e\":\"\\\"quoted\\\"\",\"\\u0041\":{}},"
		"\"f\":\"\xE2\x82\xAC\"}  ";
	static const char other[] =
		"{\"a\":[1,-0,true,false,null,\"\\u00e9\\ud83d\\ude00\\n\"],"
		"\"b\":{\"c\":{\"d\":[[[]]]},\"e\":\"\\\"quoted\\\"\",\"\\u0042\":{}},"
		"\"f\":\"\xE2\x82\xAC\"}";
	static struct xc_json_out o;
	struct xc_json root, back, v;
	char buf[512], buf2[512];
	long n;

	T_INT(xc_json_parse(s, sizeof s - 1, &root, NULL), 0);
	T(round_trip(&root, 0));
	T(round_trip(&root, 4));
	xc_json_out_init(&o, buf, sizeof buf, 0);
	T_INT(jc_copy(&o, &root), 0);
	n = xc_json_out_end(&o);
	/* strings decoded and escaped again, numbers as int64 */
	T_STR(buf, "{\"a\":[1,0,true,false,null,\"\xC3\xA9\xF0\x9F\x98\x80\\n\"],"
		   "\"b\":{\"c\":{\"d\":[[[]]]},\"e\":\"\\\"quoted\\\"\",\"A\":{}},"
		   "\"f\":\"\xE2\x82\xAC\"}");
	T_INT(xc_json_parse(buf, (size_t)n, &back, NULL), 0);
	T(same(&root, &back));
	T_INT(xc_json_get(&back, "b", &v), 0);
	T_INT(xc_json_get(&v, "A", &v), 0);
	T_INT(v.type, XC_JSON_OBJECT);
	/* the emitter's own output is a fixed point */
	xc_json_out_init(&o, buf2, sizeof buf2, 0);
	T_INT(jc_copy(&o, &back), 0);
	T_INT(xc_json_out_end(&o), n);
	T_STR(buf2, buf);
	/* and the comparison can tell documents apart */
	T_INT(xc_json_parse(other, sizeof other - 1, &v, NULL), 0);
	T(!same(&root, &v));
}

int main(void)
{
	test_suite();
	test_errors();
	test_depth();
	test_getters();
	test_iter();
	test_iter_member();
	test_next_enter();
	test_skip_alignment();
	test_strings();
	test_ints();
	test_emit_layout();
	test_emit_overflow();
	test_emit_escapes();
	test_emit_misuse();
	test_round_trip();
	return t_done("json");
}
