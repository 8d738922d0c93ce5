/*
 * test_yaml: core/kube/yaml on kubeconfigs the real kubectl wrote and by hand.
 *
 * The kubectl-*.yaml files in test/fuzz/corpus/yaml/ (also fuzz seeds) were
 * written by kubectl 1.30 with `kubectl config set-cluster/set-credentials/
 * set-context/use-context/set --kubeconfig=...` (embedded test-PKI certs,
 * tls-server-name, insecure-skip-tls-verify, proxy-url, token, tokenFile,
 * client certificates, basic auth, an exec plugin whose long argument
 * kubectl folded over two lines), `config view` (redacted) and
 * `config view --minify --raw`, and an almost empty config (null lists).
 *
 * Inputs live in buffers of their exact size (no NUL after them), so the
 * sanitizer build catches any read past the end of a document.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kube/yaml.h"
#include "t.h"

#define CORPUS "test/fuzz/corpus/yaml/"
#define CAP 4096

static struct xc_yaml_node nodes[CAP];
static char *copy;

/* Parse `len` bytes of s from an exact-size heap copy. */
static int parse_n(struct xc_yaml *doc, const char *s, size_t len, size_t cap, struct xc_yaml_error *err)
{
	free(copy);
	copy = malloc(len ? len : 1);
	if (len)
		memcpy(copy, s, len);
	return xc_yaml_parse(doc, copy, len, nodes, cap, err);
}

static int parse(struct xc_yaml *doc, const char *s)
{
	struct xc_yaml_error err;
	int rc = parse_n(doc, s, strlen(s), CAP, &err);
	char msg[160];

	if (rc < 0)
		printf("     parse: %s\n", xc_yaml_strerror(&err, msg, sizeof(msg)));
	return rc;
}

static int parse_file(struct xc_yaml *doc, const char *name)
{
	char path[256], *data;
	FILE *f;
	long n;
	int rc;

	snprintf(path, sizeof(path), CORPUS "%s", name);
	f = fopen(path, "rb");
	if (!f) {
		printf("     cannot open %s\n", path);
		return -ENOENT;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = malloc(n + 1);
	n = (long)fread(data, 1, n, f);
	fclose(f);
	rc = parse_n(doc, data, n, CAP, NULL);
	free(data);
	return rc;
}

/* Decoded scalar at `path` ("a.b.0.c": keys, or indexes in sequences) from node 0. */
static const char *at(const struct xc_yaml *doc, const char *path)
{
	static char out[4096];
	char part[128];
	int n = 0;

	while (*path) {
		size_t len = strcspn(path, ".");

		snprintf(part, sizeof(part), "%.*s", (int)len, path);
		path += len + (path[len] == '.');
		if (xc_yaml_type(doc, n) == XC_YAML_SEQ) {
			int i = atoi(part);

			n = xc_yaml_first(doc, n);
			while (n >= 0 && i--)
				n = xc_yaml_next(doc, n);
		} else {
			n = xc_yaml_get(doc, n, part);
		}
		if (n < 0)
			return "(missing)";
	}
	if (xc_yaml_str(doc, n, out, sizeof(out)) < 0)
		return "(not a scalar)";
	return out;
}

/*
 * Kubeconfig lookups on the public calls, the way core/kube/k8s_config
 * walks a document: the entry of a sequence whose `field` is `value`, a
 * member decoded, a member as a boolean, a scalar's decoded length and
 * comparison, the key node of a mapping's value (-1 for a sequence entry).
 */
static char big[65536];

static int y_find(const struct xc_yaml *doc, int seq, const char *field, const char *value)
{
	for (int e = xc_yaml_first(doc, seq); e >= 0; e = xc_yaml_next(doc, e)) {
		int v = xc_yaml_get(doc, e, field);

		if (v >= 0 && xc_yaml_str(doc, v, big, sizeof(big)) >= 0 && !strcmp(big, value))
			return e;
	}
	return -ENOENT;
}

static long y_get_str(const struct xc_yaml *doc, int map, const char *key, char *buf, size_t size)
{
	int v = xc_yaml_get(doc, map, key);

	return v < 0 ? v : xc_yaml_str(doc, v, buf, size);
}

static int y_get_bool(const struct xc_yaml *doc, int map, const char *key, int *out)
{
	int v = xc_yaml_get(doc, map, key);

	return v < 0 ? v : xc_yaml_bool(doc, v, out);
}

static long y_len(const struct xc_yaml *doc, int i)
{
	return xc_yaml_str(doc, i, big, sizeof(big));
}

static int y_eq(const struct xc_yaml *doc, int i, const char *s)
{
	long n = xc_yaml_str(doc, i, big, sizeof(big));

	return n >= 0 && (size_t)n == strlen(s) && !memcmp(big, s, (size_t)n);
}

static int y_key(const struct xc_yaml *doc, int i)
{
	const struct xc_yaml_node *nd = xc_yaml_node(doc, i);

	return nd ? nd->key : -EINVAL;
}

/* The error of a failing parse as "L:C reason". */
static const char *error_of(const char *s, size_t len)
{
	static char out[160];
	struct xc_yaml doc;
	struct xc_yaml_error err;
	int rc = parse_n(&doc, s, len, CAP, &err);

	if (rc >= 0)
		return "(parsed)";
	snprintf(out, sizeof(out), "%u:%u %s", err.line, err.col, err.reason);
	return out;
}

#define ERR(s) error_of(s, sizeof(s) - 1)

static void kubectl_full(void)
{
	struct xc_yaml doc;
	int ctx, cl, user, exec, v, b = -1;
	char buf[64];

	T_INT(parse_file(&doc, "kubectl-full.yaml"), 0);
	T_INT(xc_yaml_type(&doc, 0), XC_YAML_MAP);
	T_STR(at(&doc, "apiVersion"), "v1");
	T_STR(at(&doc, "kind"), "Config");
	T_STR(at(&doc, "current-context"), "prod");
	v = xc_yaml_get(&doc, 0, "preferences");
	T_INT(xc_yaml_type(&doc, v), XC_YAML_MAP);
	T_INT(xc_yaml_node(&doc, v)->style, XC_YAML_FLOW);
	T_INT(xc_yaml_first(&doc, v), -ENOENT);

	/* current-context -> context -> cluster and user, as core/kube/k8s will */
	ctx = y_find(&doc, xc_yaml_get(&doc, 0, "contexts"), "name", "prod");
	T(ctx >= 0);
	ctx = xc_yaml_get(&doc, ctx, "context");
	T_STR(y_get_str(&doc, ctx, "cluster", buf, sizeof(buf)) == 4 ? buf : "?", "prod");
	T_INT(y_get_str(&doc, ctx, "namespace", buf, sizeof(buf)), 11);
	T_STR(buf, "kube-system");
	cl = y_find(&doc, xc_yaml_get(&doc, 0, "clusters"), "name", "prod");
	cl = xc_yaml_get(&doc, cl, "cluster");
	T_INT(y_get_str(&doc, cl, "server", buf, sizeof(buf)), 23);
	T_STR(buf, "https://198.18.0.1:6443");
	v = xc_yaml_get(&doc, cl, "certificate-authority-data");
	T(y_len(&doc, v) > 600);
	T(!strncmp(at(&doc, "clusters.1.cluster.certificate-authority-data"), "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t", 36));
	T_INT(xc_yaml_get(&doc, cl, "insecure-skip-tls-verify"), -ENOENT);

	T_STR(at(&doc, "clusters.0.name"), "lab");
	T_INT(y_get_bool(&doc, xc_yaml_get(&doc, y_find(&doc, xc_yaml_get(&doc, 0, "clusters"),
							"name", "lab"), "cluster"),
			 "insecure-skip-tls-verify", &b), 0);
	T_INT(b, 1);
	T_STR(at(&doc, "clusters.0.cluster.proxy-url"), "http://proxy.example:3128");
	T_STR(at(&doc, "clusters.2.cluster.server"), "https://[fd00::1]:6443");
	T_STR(at(&doc, "clusters.2.cluster.tls-server-name"), "kubernetes.default.svc");
	T_STR(at(&doc, "clusters.2.cluster.certificate-authority"), "/etc/kubernetes/pki/ca.crt");

	user = y_find(&doc, xc_yaml_get(&doc, 0, "users"), "name", "admin");
	T_STR(y_get_str(&doc, xc_yaml_get(&doc, user, "user"), "token", buf, sizeof(buf)) > 0 ? buf : "?",
	      "0123456789abcdef.0123456789abcdef");
	T_STR(at(&doc, "users.1.user.password"), "p@ss: \"w0rd\" #1");
	T(!strncmp(at(&doc, "users.2.user.client-certificate-data"), "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t", 36));
	T(!strncmp(at(&doc, "users.2.user.client-key-data"), "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t", 40));
	T_STR(at(&doc, "users.3.user.client-key"), "/etc/xcluster/client.key");
	T_STR(at(&doc, "users.5.name"), "sa");
	T_STR(at(&doc, "users.5.user.tokenFile"), "/var/run/secrets/kubernetes.io/serviceaccount/token");

	exec = xc_yaml_get(&doc, xc_yaml_get(&doc, y_find(&doc, xc_yaml_get(&doc, 0, "users"), "name",
							  "plugin"), "user"), "exec");
	T_INT(xc_yaml_type(&doc, exec), XC_YAML_MAP);
	T_INT(xc_yaml_node(&doc, xc_yaml_get(&doc, exec, "args"))->count, 3);
	/* kubectl folded this plain scalar over two lines: one space again */
	T_STR(at(&doc, "users.4.user.exec.args.2"), "--long-description=this argument is long enough that "
	      "kubectl folds it over two lines when it writes the file");
	T_STR(at(&doc, "users.4.user.exec.env.1.name"), "EMPTY");
	v = xc_yaml_get(&doc, y_find(&doc, xc_yaml_get(&doc, exec, "env"), "name", "EMPTY"), "value");
	T_INT(xc_yaml_type(&doc, v), XC_YAML_SCALAR);
	T_INT(xc_yaml_node(&doc, v)->style, XC_YAML_DOUBLE);
	T_INT(y_len(&doc, v), 0);
	T_INT(y_get_bool(&doc, exec, "provideClusterInfo", &b), 0);
	T_INT(b, 0);

	/* iteration in document order, keys beside values */
	{
		static const char *const want[] = { "apiVersion", "clusters", "contexts", "current-context",
						    "kind", "preferences", "users" };
		size_t i = 0;

		for (v = xc_yaml_first(&doc, 0); v >= 0; v = xc_yaml_next(&doc, v), i++)
			T(i < 7 && y_eq(&doc, y_key(&doc, v), want[i]));
		T_INT(i, 7);
		T_INT(v, -ENOENT);
	}
}

static void kubectl_others(void)
{
	struct xc_yaml doc;
	int v;

	T_INT(parse_file(&doc, "kubectl-empty.yaml"), 0);
	T_INT(xc_yaml_type(&doc, xc_yaml_get(&doc, 0, "contexts")), XC_YAML_NULL);
	T_INT(xc_yaml_type(&doc, xc_yaml_get(&doc, 0, "users")), XC_YAML_NULL);
	v = xc_yaml_get(&doc, 0, "current-context");
	T_INT(xc_yaml_type(&doc, v), XC_YAML_SCALAR);
	T_STR(at(&doc, "current-context"), "");
	T_STR(at(&doc, "contexts"), "");
	T_STR(at(&doc, "clusters.0.cluster.server"), "https://10.0.0.1");

	T_INT(parse_file(&doc, "kubectl-view.yaml"), 0);
	T_STR(at(&doc, "clusters.1.cluster.certificate-authority-data"), "DATA+OMITTED");
	T_STR(at(&doc, "users.0.user.token"), "REDACTED");

	T_INT(parse_file(&doc, "kubectl-minify.yaml"), 0);
	T_STR(at(&doc, "current-context"), "v6");
	T_INT(xc_yaml_node(&doc, xc_yaml_get(&doc, 0, "clusters"))->count, 1);
	T_STR(at(&doc, "users.0.user.tokenFile"), "/var/run/secrets/kubernetes.io/serviceaccount/token");
}

static void structure(void)
{
	struct xc_yaml doc;
	int v;

	/* "- " entries at the key's column, compact maps, nested sequences */
	T_INT(parse(&doc, "a:\n- b: 1\n  c: [x, 'y', \"z\"]\n- - p\n  - q\n-\nd:\n  - e\n  -\ne: {}\n"), 0);
	T_STR(at(&doc, "a.0.b"), "1");
	T_STR(at(&doc, "a.0.c.1"), "y");
	T_STR(at(&doc, "a.0.c.2"), "z");
	T_STR(at(&doc, "a.1.1"), "q");
	T_INT(xc_yaml_type(&doc, xc_yaml_get(&doc, 0, "a")), XC_YAML_SEQ);
	T_INT(xc_yaml_node(&doc, xc_yaml_get(&doc, 0, "a"))->count, 3);
	T_STR(at(&doc, "a.2"), "");
	T_INT(xc_yaml_node(&doc, xc_yaml_get(&doc, 0, "d"))->count, 2);
	T_INT(xc_yaml_type(&doc, xc_yaml_get(&doc, 0, "e")), XC_YAML_MAP);
	v = xc_yaml_get(&doc, 0, "a");
	T_INT(xc_yaml_node(&doc, v)->line, 2);
	T_INT(xc_yaml_node(&doc, v)->col, 1);
	T_INT(y_key(&doc, xc_yaml_first(&doc, v)), -1);   /* a sequence entry has no key */

	/* document markers, comments, BOM, CRLF, deeper root */
	T_INT(parse(&doc, "\xEF\xBB\xBF# head\n---\r\n  k: v # c\r\n\r\n  # x\r\n  l: \"w\" #c\r\n...\r\n# tail\r\n"), 0);
	T_STR(at(&doc, "k"), "v");
	T_STR(at(&doc, "l"), "w");
	T_INT(parse(&doc, ""), 0);
	T_INT(xc_yaml_type(&doc, 0), XC_YAML_NULL);
	T_INT(doc.count, 1);
	T_INT(parse(&doc, "# nothing\n---\n"), 0);
	T_INT(xc_yaml_type(&doc, 0), XC_YAML_NULL);
	T_INT(parse(&doc, "just text\n"), 0);
	T_STR(at(&doc, ""), "just text");
	T_INT(parse(&doc, "[a, {b: [c]}, {d, e: }]\n"), 0);
	T_STR(at(&doc, "1.b.0"), "c");
	v = xc_yaml_next(&doc, xc_yaml_next(&doc, xc_yaml_first(&doc, 0)));
	T_INT(xc_yaml_type(&doc, xc_yaml_get(&doc, v, "d")), XC_YAML_NULL);
	T_INT(xc_yaml_type(&doc, xc_yaml_get(&doc, v, "e")), XC_YAML_NULL);

	/* nulls and typed-looking plain scalars stay text */
	T_INT(parse(&doc, "a: null\nb: ~\nc:\nd: NULL\ne: 'null'\nnull: 1\nf: 8443\ng: true\n"), 0);
	T_INT(xc_yaml_type(&doc, xc_yaml_get(&doc, 0, "a")), XC_YAML_NULL);
	T_INT(xc_yaml_type(&doc, xc_yaml_get(&doc, 0, "b")), XC_YAML_NULL);
	T_INT(xc_yaml_type(&doc, xc_yaml_get(&doc, 0, "c")), XC_YAML_NULL);
	T_INT(xc_yaml_type(&doc, xc_yaml_get(&doc, 0, "d")), XC_YAML_NULL);
	T_STR(at(&doc, "e"), "null");
	T_STR(at(&doc, "null"), "1");
	T_STR(at(&doc, "f"), "8443");
	T_STR(at(&doc, "g"), "true");
}

static void scalars(void)
{
	struct xc_yaml doc;
	char buf[8];
	int b = -1, v;

	T_INT(parse(&doc, "a: 'it''s # not a comment'\n\"k\\x3a\": \"\\t\\\"\\\\\\/\\x41\\u00e9\\U0001F600\\N\\_\"\n"
		      "c: http://x:80/a#frag\nd: -c\ne: :x\n"), 0);
	T_STR(at(&doc, "a"), "it's # not a comment");
	T_STR(at(&doc, "k:"), "\t\"\\/A\xC3\xA9\xF0\x9F\x98\x80\xC2\x85\xC2\xA0");
	T_STR(at(&doc, "c"), "http://x:80/a#frag");
	T_STR(at(&doc, "d"), "-c");
	T_STR(at(&doc, "e"), ":x");
	/* a NUL by escape: counted, and not equal to the shorter C string */
	T_INT(parse(&doc, "\"k\\0\": 1\nk: 2\n"), 0); /* different keys */
	T_INT(parse(&doc, "a: \"x\\0y\"\n"), 0);
	v = xc_yaml_get(&doc, 0, "a");
	T_INT(y_len(&doc, v), 3);
	T(!y_eq(&doc, v, "x"));

	/* folding: one break is a space, n empty lines are n newlines, \ joins */
	T_INT(parse(&doc, "s: 'one\n   two  \n\n   three'\nd: \"a\\\n    b\n\n\n    c \\t\"\np: first\n  second\n\n  third\n"), 0);
	T_STR(at(&doc, "s"), "one two\nthree");
	T_STR(at(&doc, "d"), "ab\n\nc \t");
	T_STR(at(&doc, "p"), "first second\nthird");
	T_INT(parse(&doc, "- \"multi\n  line\"\n- x\n"), 0);
	T_STR(at(&doc, "0"), "multi line");

	/* buffers */
	T_INT(parse(&doc, "k: abcdefghij\n"), 0);
	v = xc_yaml_get(&doc, 0, "k");
	T_INT(xc_yaml_str(&doc, v, buf, sizeof(buf)), -ENOSPC);
	T_STR(buf, "abcdefg");
	T_INT(xc_yaml_str(&doc, v, NULL, 0), -ENOSPC);
	T_INT(y_len(&doc, v), 10);
	T_INT(xc_yaml_str(&doc, 0, buf, sizeof(buf)), -EINVAL);
	T(y_eq(&doc, v, "abcdefghij"));
	T(!y_eq(&doc, v, "abcdefghi"));
	T(!y_eq(&doc, v, "abcdefghijk"));

	/* booleans as Go's YAML reads them; quoted ones are strings */
	T_INT(parse(&doc, "a: true\nb: False\nc: yes\nd: off\ne: \"true\"\nf: 1\n"), 0);
	T_INT(y_get_bool(&doc, 0, "a", &b), 0);
	T_INT(b, 1);
	T_INT(y_get_bool(&doc, 0, "b", &b), 0);
	T_INT(b, 0);
	T_INT(y_get_bool(&doc, 0, "c", &b), 0);
	T_INT(b, 1);
	T_INT(y_get_bool(&doc, 0, "d", &b), 0);
	T_INT(b, 0);
	T_INT(y_get_bool(&doc, 0, "e", &b), -EINVAL);
	T_INT(y_get_bool(&doc, 0, "f", &b), -EINVAL);
	T_INT(y_get_bool(&doc, 0, "z", &b), -ENOENT);
}

static void api_errors(void)
{
	struct xc_yaml doc;
	int v;

	T_INT(parse(&doc, "m:\n  k: v\ns:\n- x\n"), 0);
	v = xc_yaml_get(&doc, 0, "s");
	T_INT(xc_yaml_get(&doc, v, "k"), -EINVAL);
	T_INT(xc_yaml_get(&doc, 0, "nope"), -ENOENT);
	T_INT(xc_yaml_get(&doc, 0, NULL), -EINVAL);
	T_INT(xc_yaml_first(&doc, xc_yaml_first(&doc, v)), -EINVAL);
	T_INT(xc_yaml_next(&doc, xc_yaml_first(&doc, v)), -ENOENT);
	T_INT(xc_yaml_next(&doc, 9999), -EINVAL);
	T(xc_yaml_node(&doc, -1) == NULL);
	T(xc_yaml_node(&doc, (int)doc.count) == NULL);
	T_INT(xc_yaml_type(&doc, 12345), XC_YAML_NONE);
	T_INT(xc_yaml_str(&doc, -3, NULL, 0), -EINVAL);
}

static void rejected(void)
{
	static char deep[4 * (XC_YAML_MAX_DEPTH + 2) + 8];
	static char longkey[XC_YAML_MAX_KEY + 8];
	struct xc_yaml doc;
	struct xc_yaml_error err;
	size_t n = 0;

	T_STR(ERR("a:\n\tb: 1\n"), "2:1 tab in indentation");
	T_STR(ERR("a:\n  b: 1\n c: 2\n"), "3:2 bad indentation");
	T_STR(ERR("a: 1\n  b: 2\n"), "2:4 mapping values are not allowed here");
	T_STR(ERR("a: b: c\n"), "1:5 mapping values are not allowed here");
	T_STR(ERR("a: \"open\nb: 1\n"), "1:4 unterminated double-quoted scalar");
	T_STR(ERR("- 'open\n"), "1:3 unterminated single-quoted scalar");
	T_STR(ERR("a: \"\\q\"\n"), "1:5 invalid escape in double-quoted scalar");
	T_STR(ERR("a: \"\\ud800\"\n"), "1:5 invalid escape in double-quoted scalar");
	T_STR(ERR("a: &x 1\n"), "1:4 anchors and aliases are not supported");
	T_STR(ERR("a: *x\n"), "1:4 anchors and aliases are not supported");
	T_STR(ERR("a: !!str 1\n"), "1:4 tags are not supported");
	T_STR(ERR("a: |\n  x\n"), "1:4 block scalars (| and >) are not supported");
	T_STR(ERR("? a\n: b\n"), "1:1 complex keys (?) are not supported");
	T_STR(ERR("%YAML 1.2\n---\n"), "1:1 directives (%) are not supported");
	T_STR(ERR("a: 1\n---\nb: 2\n"), "2:1 several documents are not supported");
	T_STR(ERR("a: 1\n...\nb: 2\n"), "3:1 content after the end of the document");
	T_STR(ERR("a: 1\nb: 2\na: 3\n"), "3:1 duplicate key");
	T_STR(ERR("\"a\": 1\na: 2\n"), "2:1 duplicate key");
	T_STR(ERR("a: [1,\n  2]\n"), "1:7 flow collection must end on its line");
	T_STR(ERR("a: [b}\n"), "1:6 mismatched bracket in flow collection");
	T_STR(ERR("a: {b: 1}}\n"), "1:10 unexpected text after a flow collection");
	T_STR(ERR("a: [x: 1]\n"), "1:6 mappings inside flow sequences are not supported");
	T_STR(ERR("{x, 'x, 'y'}\n"), "1:10 expected ':' after a key in a flow mapping");
	T_STR(ERR("a: {k: 1, \"k\": 2}\n"), "1:11 duplicate key");
	T_STR(ERR("a: \"x\" y\n"), "1:8 unexpected text after a quoted scalar");
	T_STR(ERR("- a\nb: 1\n"), "2:1 expected '- ' (a sequence entry)");
	T_STR(ERR("a: 1\n- b\n"), "2:1 expected a mapping key, not '- '");
	T_STR(ERR("a: - b\n"), "1:4 a block sequence cannot start here");
	T_STR(ERR(": v\n"), "1:1 empty key");
	T_STR(ERR("a: 1\nplain\n"), "2:1 expected a mapping key ('key: value')");
	T_STR(ERR("a: \x01\n"), "1:4 control character");
	T_STR(ERR("a: 1\rb: 2\n"), "1:5 carriage return without line feed");
	T_STR(ERR("a: \xC3\x28\n"), "1:4 invalid UTF-8");
	T_STR(ERR("a: \xED\xA0\x80\n"), "1:4 invalid UTF-8");
	T_STR(error_of("a: \0\n", 5), "1:4 control character");

	for (int d = 0; d <= XC_YAML_MAX_DEPTH; d++) { /* "- - - ... x": one sequence per dash */
		deep[n++] = '-';
		deep[n++] = ' ';
	}
	deep[n++] = 'x';
	T_INT(parse_n(&doc, deep, n, CAP, &err), -E2BIG);
	T_STR(err.reason, "nested too deep");
	memset(longkey, 'k', sizeof(longkey));
	longkey[XC_YAML_MAX_KEY + 1] = ':';
	T_INT(parse_n(&doc, longkey, XC_YAML_MAX_KEY + 2, CAP, &err), -EINVAL);
	T_STR(err.reason, "key longer than 1024 bytes");
	T_INT(parse_n(&doc, "a: 1\nb: 2\n", 10, 4, &err), -ENOSPC);
	T_INT(err.line, 2);
	T_INT(parse_n(&doc, "a: 1\nb: 2\n", 10, 5, &err), 0);
	T_INT(doc.count, 5);
}

int main(void)
{
	kubectl_full();
	kubectl_others();
	structure();
	scalars();
	api_errors();
	rejected();
	free(copy);
	return t_done("test_yaml");
}
