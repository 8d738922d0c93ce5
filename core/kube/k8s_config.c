/*
 * k8s_config: kubeconfig (YAML via core/kube/yaml, JSON via core/base/json) and
 * in-cluster discovery (see k8s.h).
 *
 * The interpreter reads both formats through a small handle type, so one
 * piece of code walks current-context -> context -> cluster and user, and
 * every error names the file and the field the way a person would find
 * it: "kubeconfig /etc/kube.conf: users[0].user.client-key-data: not
 * valid base64".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/k8s.h"
#include "kube/yaml.h"

#define KUBECONFIG_MAX (1u << 20)
#define SA_DIR_DEFAULT "/var/run/secrets/kubernetes.io/serviceaccount"
#define FIELD_MAX 96

/* ---- one handle over both formats ----------------------------------------- */

struct doc {
	int yaml;
	struct xc_yaml y;
	struct xc_k8s_config *cfg;
	char dir[XC_K8S_PATH_MAX];  /* the kubeconfig's folder, "" if unknown */
};

struct val {
	int y;               /* YAML node index, < 0 when absent */
	struct xc_json j;    /* JSON value, XC_JSON_NONE when absent */
};

enum kind { K_NONE, K_NULL, K_SCALAR, K_MAP, K_SEQ, K_OTHER };

static enum kind kind(const struct doc *d, const struct val *v)
{
	if (d->yaml) {
		switch (xc_yaml_type(&d->y, v->y)) {
		case XC_YAML_NULL: return K_NULL;
		case XC_YAML_SCALAR: return K_SCALAR;
		case XC_YAML_MAP: return K_MAP;
		case XC_YAML_SEQ: return K_SEQ;
		default: return K_NONE;
		}
	}
	switch (v->j.type) {
	case XC_JSON_NONE: return K_NONE;
	case XC_JSON_NULL: return K_NULL;
	case XC_JSON_STRING: return K_SCALAR;
	case XC_JSON_OBJECT: return K_MAP;
	case XC_JSON_ARRAY: return K_SEQ;
	default: return K_OTHER;
	}
}

/* Member `key` of a mapping; absent (K_NONE) when missing or not a mapping. */
static struct val get(const struct doc *d, const struct val *map, const char *key)
{
	struct val out = { -1, { 0 } };
	int i;

	if (d->yaml) {
		i = xc_yaml_get(&d->y, map->y, key);
		out.y = i >= 0 ? i : -1;
	} else if (xc_json_get(&map->j, key, &out.j)) {
		out.j.type = XC_JSON_NONE;
	}
	return out;
}

/* Element i of a sequence. */
static struct val at(const struct doc *d, const struct val *seq, unsigned i)
{
	struct val out = { -1, { 0 } };
	int n;

	if (d->yaml) {
		for (n = xc_yaml_first(&d->y, seq->y); n >= 0 && i; i--)
			n = xc_yaml_next(&d->y, n);
		out.y = n >= 0 ? n : -1;
	} else if (xc_json_at(&seq->j, i, &out.j)) {
		out.j.type = XC_JSON_NONE;
	}
	return out;
}

static int fail(struct doc *d, int rc, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct doc *d, int rc, const char *field, const char *fmt, ...)
{
	struct xc_k8s_config *c = d->cfg;
	int n = snprintf(c->err, sizeof(c->err), "%s: %s%s", c->source, field, *field ? ": " : "");
	va_list ap;

	if (n < 0 || (size_t)n >= sizeof(c->err))
		return rc;
	va_start(ap, fmt);
	vsnprintf(c->err + n, sizeof(c->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * A string field into buf. Returns its length, 0 when absent or null, or
 * an error naming the field.
 */
static long str(struct doc *d, const struct val *v, const char *field, char *buf, size_t size)
{
	enum kind k = kind(d, v);
	long n;

	buf[0] = 0;
	if (k == K_NONE || k == K_NULL)
		return 0;
	if (k != K_SCALAR)
		return fail(d, -EINVAL, field, "not a string");
	n = d->yaml ? xc_yaml_str(&d->y, v->y, buf, size) : xc_json_str(&v->j, buf, size);
	if (n == -ENOSPC) {
		buf[0] = 0;
		return fail(d, -E2BIG, field, "longer than %zu bytes", size - 1);
	}
	if (n < 0 || memchr(buf, 0, (size_t)n)) {
		buf[0] = 0;
		return fail(d, -EINVAL, field, "not a valid string");
	}
	return n;
}

static int boolean(struct doc *d, const struct val *v, const char *field, int *out)
{
	enum kind k = kind(d, v);

	*out = 0;
	if (k == K_NONE || k == K_NULL)
		return 0;
	if (d->yaml ? xc_yaml_bool(&d->y, v->y, out) : xc_json_bool(&v->j, out))
		return fail(d, -EINVAL, field, "not true or false");
	return 0;
}

/* ---- base64 ----------------------------------------------------------------- */

static int b64(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

long xc_k8s_base64_decode(const char *in, size_t len, unsigned char *out, size_t size)
{
	unsigned acc = 0, bits = 0, pad = 0, n = 0;
	size_t o = 0, i;
	int v;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\r' || c == '\n')
			continue;
		n++;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad || (v = b64(c)) < 0)
			return -EINVAL;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == size)
				return -ENOSPC;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	/* whole quads, at most two '=', and no bits left over that are set */
	if (n % 4 || pad > 2 || (pad && (n - pad) % 4 != 4 - pad) ||
	    (acc & ((1u << bits) - 1)))
		return -EINVAL;
	return (long)o;
}

/* ---- the kubeconfig's fields ------------------------------------------------- */

/* A file name relative to the kubeconfig's folder, as kubectl resolves them. */
static int path_field(struct doc *d, const struct val *v, const char *field, char *out)
{
	char p[XC_K8S_PATH_MAX];
	long n = str(d, v, field, p, sizeof(p));

	if (n <= 0)
		return (int)n;
	if (p[0] == '/' || !d->dir[0]) {
		memcpy(out, p, (size_t)n + 1);
		return 0;
	}
	if ((size_t)snprintf(out, XC_K8S_PATH_MAX, "%s%s%s", d->dir, strcmp(d->dir, "/") ? "/" : "",
			     p) >= XC_K8S_PATH_MAX) {
		out[0] = 0;
		return fail(d, -E2BIG, field, "path too long");
	}
	return 0;
}

/*
 * A *-data field: base64 of PEM. The text is decoded into the free end of
 * pem[] and decoded there in place (the output never overtakes the input),
 * so no second buffer holds a private key.
 */
static int data_field(struct doc *d, const struct val *v, const char *field, size_t *len)
{
	struct xc_k8s_config *c = d->cfg;
	size_t used = c->ca_len + c->cert_len + c->key_len;
	char *text = (char *)c->pem + used;
	enum kind k = kind(d, v);
	long n;

	*len = 0;
	if (k == K_NONE || k == K_NULL)
		return 0;
	n = str(d, v, field, text, sizeof(c->pem) - used);
	if (n == -E2BIG)
		return fail(d, -E2BIG, field, "the *-data of this kubeconfig are over %d bytes",
			    XC_K8S_PEM_MAX);
	if (n <= 0)
		return (int)n;
	n = xc_k8s_base64_decode(text, (size_t)n, c->pem + used, sizeof(c->pem) - used);
	if (n < 0) {
		memset(text, 0, sizeof(c->pem) - used);
		return fail(d, -EINVAL, field, "not valid base64");
	}
	if (!n)
		return fail(d, -EINVAL, field, "empty");
	*len = (size_t)n;
	return 0;
}

/* The entry of clusters/contexts/users named `name`: its index, or an error. */
static int find(struct doc *d, const struct val *root, const char *list, const char *what,
		const char *name, struct val *entry)
{
	struct val seq = get(d, root, list), e, nm;
	char field[FIELD_MAX], buf[256];
	unsigned i;
	enum kind k = kind(d, &seq);

	if (k != K_SEQ && k != K_NONE && k != K_NULL)
		return fail(d, -EINVAL, list, "not a list");
	for (i = 0; k == K_SEQ; i++) {
		e = at(d, &seq, i);
		if (kind(d, &e) == K_NONE)
			break;
		snprintf(field, sizeof(field), "%s[%u].name", list, i);
		nm = get(d, &e, "name");
		if (str(d, &nm, field, buf, sizeof(buf)) > 0 && !strcmp(buf, name)) {
			*entry = get(d, &e, what);
			if (kind(d, entry) != K_MAP)
				return fail(d, -EINVAL, field, "\"%s\" has no %s mapping", name, what);
			return (int)i;
		}
	}
	return fail(d, -EINVAL, list, "no %s named \"%.200s\"", what, name);
}

static int cluster(struct doc *d, const struct val *cl, unsigned idx)
{
	struct xc_k8s_config *c = d->cfg;
	char f[FIELD_MAX], url[XC_K8S_URL_MAX];
	struct val v;
	long n;
	int rc;

#define F(name) (snprintf(f, sizeof(f), "clusters[%u].cluster.%s", idx, name), f)
	v = get(d, cl, "server");
	n = str(d, &v, F("server"), url, sizeof(url));
	if (n < 0)
		return (int)n;
	if (!n)
		return fail(d, -EINVAL, f, "missing");
	/* as client-go: a server without a scheme is https */
	if ((size_t)snprintf(c->server, sizeof(c->server), "%s%.*s",
			     strncmp(url, "https://", 8) && strncmp(url, "http://", 7) ?
			     "https://" : "", (int)sizeof(url) - 9, url) > sizeof(c->server) - 2)
		return fail(d, -E2BIG, f, "too long");
	v = get(d, cl, "certificate-authority-data");
	if ((rc = data_field(d, &v, F("certificate-authority-data"), &c->ca_len)))
		return rc;
	if (!c->ca_len) {
		v = get(d, cl, "certificate-authority");
		if ((rc = path_field(d, &v, F("certificate-authority"), c->ca_file)))
			return rc;
	}
	snprintf(c->ca_field, sizeof(c->ca_field), "%s", f);
	v = get(d, cl, "tls-server-name");
	if ((n = str(d, &v, F("tls-server-name"), c->tls_server_name,
		     sizeof(c->tls_server_name))) < 0)
		return (int)n;
	v = get(d, cl, "insecure-skip-tls-verify");
	if ((rc = boolean(d, &v, F("insecure-skip-tls-verify"), &c->insecure)))
		return rc;
	if (c->insecure && (c->ca_len || c->ca_file[0]))
		return fail(d, -EINVAL, f, "not allowed together with a certificate-authority "
			    "(as kubectl refuses it)");
	v = get(d, cl, "proxy-url");
	if (kind(d, &v) != K_NONE && kind(d, &v) != K_NULL)
		return fail(d, -EINVAL, F("proxy-url"), "proxies are not supported");
#undef F
	return 0;
}

static int user(struct doc *d, const struct val *u, unsigned idx)
{
	struct xc_k8s_config *c = d->cfg;
	char f[FIELD_MAX];
	struct val v;
	long n;
	int rc;
	static const char *const unsupported[][2] = {
		{ "exec", "exec credential plugins are not supported" },
		{ "auth-provider", "auth providers are not supported" },
		{ "username", "basic authentication is not supported" },
		{ "as", "impersonation is not supported" },
	};

#define F(name) (snprintf(f, sizeof(f), "users[%u].user.%s", idx, name), f)
	v = get(d, u, "token");
	if ((n = str(d, &v, F("token"), c->token, sizeof(c->token))) < 0)
		return (int)n;
	if (!c->token[0]) {
		v = get(d, u, "tokenFile");
		if ((rc = path_field(d, &v, F("tokenFile"), c->token_file)))
			return rc;
	}
	snprintf(c->token_field, sizeof(c->token_field), "%s", f);
	v = get(d, u, "client-certificate-data");
	if ((rc = data_field(d, &v, F("client-certificate-data"), &c->cert_len)))
		return rc;
	if (!c->cert_len) {
		v = get(d, u, "client-certificate");
		if ((rc = path_field(d, &v, F("client-certificate"), c->cert_file)))
			return rc;
	}
	snprintf(c->cert_field, sizeof(c->cert_field), "%s", f);
	v = get(d, u, "client-key-data");
	if ((rc = data_field(d, &v, F("client-key-data"), &c->key_len)))
		return rc;
	if (!c->key_len) {
		v = get(d, u, "client-key");
		if ((rc = path_field(d, &v, F("client-key"), c->key_file)))
			return rc;
	}
	snprintf(c->key_field, sizeof(c->key_field), "%s", f);
	if (c->cert_len && c->key_file[0]) {
		/* both in pem[]: the key must follow the certificate there */
		c->key_file[0] = 0;
		return fail(d, -EINVAL, F("client-key"),
			    "give client-key-data with client-certificate-data");
	}
	if (!(c->cert_len || c->cert_file[0]) != !(c->key_len || c->key_file[0]))
		return fail(d, -EINVAL, F(c->cert_len || c->cert_file[0] ? "client-key" :
					  "client-certificate"), "missing (a client certificate "
			    "needs both the certificate and its key)");
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		v = get(d, u, unsupported[i][0]);
		if (kind(d, &v) != K_NONE && kind(d, &v) != K_NULL &&
		    !c->token[0] && !c->token_file[0] && !c->cert_len && !c->cert_file[0])
			return fail(d, -EINVAL, F(unsupported[i][0]), "%s", unsupported[i][1]);
	}
#undef F
	return 0;
}

static int interpret(struct doc *d, const struct val *root, const char *context)
{
	char ctx[256], cl_name[256], us_name[256], f[FIELD_MAX];
	struct val v, ce, cl, us;
	int i, rc;
	long n;

	if (kind(d, root) != K_MAP)
		return fail(d, -EINVAL, "", "not a kubeconfig (no mapping at the top)");
	if (context && *context) {
		snprintf(ctx, sizeof(ctx), "%s", context);
	} else {
		v = get(d, root, "current-context");
		if ((n = str(d, &v, "current-context", ctx, sizeof(ctx))) < 0)
			return (int)n;
		if (!n)
			return fail(d, -EINVAL, "current-context", "not set (and no context given)");
	}
	if ((i = find(d, root, "contexts", "context", ctx, &ce)) < 0)
		return i;
	snprintf(f, sizeof(f), "contexts[%d].context.cluster", i);
	v = get(d, &ce, "cluster");
	if ((n = str(d, &v, f, cl_name, sizeof(cl_name))) < 0)
		return (int)n;
	if (!n)
		return fail(d, -EINVAL, f, "missing");
	snprintf(f, sizeof(f), "contexts[%d].context.user", i);
	v = get(d, &ce, "user");
	if ((n = str(d, &v, f, us_name, sizeof(us_name))) < 0)
		return (int)n;
	if ((i = find(d, root, "clusters", "cluster", cl_name, &cl)) < 0)
		return i;
	if ((rc = cluster(d, &cl, (unsigned)i)))
		return rc;
	if (!us_name[0])
		return 0; /* anonymous, or a client certificate is all it takes */
	if ((i = find(d, root, "users", "user", us_name, &us)) < 0)
		return i;
	return user(d, &us, (unsigned)i);
}

static void config_reset(struct xc_k8s_config *cfg, const char *source)
{
	xc_k8s_config_wipe(cfg);
	memset(cfg, 0, offsetof(struct xc_k8s_config, pem));
	snprintf(cfg->source, sizeof(cfg->source), "%s", source);
}

int xc_k8s_config_parse(struct xc_k8s_config *cfg, const char *text, size_t len,
			const char *path, const char *context,
			struct xc_yaml_node *nodes, size_t cap)
{
	struct doc d = { .cfg = cfg };
	struct val root = { -1, { 0 } };
	struct xc_yaml_error ye;
	struct xc_json_error je;
	char why[XC_K8S_PATH_MAX + 16];
	const char *slash = path ? strrchr(path, '/') : NULL;
	size_t i = 0;
	int rc;

	snprintf(why, sizeof(why), "kubeconfig %s", path ? path : "(memory)");
	config_reset(cfg, why);
	if (slash && (size_t)(slash - path) < sizeof(d.dir))
		snprintf(d.dir, sizeof(d.dir), "%.*s", slash == path ? 1 : (int)(slash - path),
			 path);
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
		i++;
	if (i == len)
		return fail(&d, -EINVAL, "", "empty");
	if (text[i] == '{') {
		rc = xc_json_parse(text, len, &root.j, &je);
		if (rc)
			return fail(&d, rc, "", "not valid JSON: %s",
				    xc_json_strerror(&je, why, sizeof(why)));
	} else {
		d.yaml = 1;
		rc = xc_yaml_parse(&d.y, text, len, nodes, cap, &ye);
		if (rc)
			return fail(&d, rc, "", "not valid YAML: %s",
				    xc_yaml_strerror(&ye, why, sizeof(why)));
		root.y = 0;
	}
	rc = interpret(&d, &root, context);
	if (rc)
		xc_k8s_config_wipe(cfg); /* the message stays */
	return rc;
}

void xc_k8s_config_wipe(struct xc_k8s_config *cfg)
{
	explicit_bzero(cfg->pem, sizeof(cfg->pem));
	explicit_bzero(cfg->token, sizeof(cfg->token));
	cfg->ca_len = cfg->cert_len = cfg->key_len = 0;
}

/* ---- discovery --------------------------------------------------------------- */

static int cfail(struct xc_k8s_config *cfg, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cfail(struct xc_k8s_config *cfg, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cfg->err, sizeof(cfg->err), fmt, ap);
	va_end(ap);
	return rc;
}

static int load_file(struct xc_k8s_config *cfg, const char *path, const char *context,
		     const char *why)
{
	struct stat st;
	void *text, *nodes = MAP_FAILED;
	size_t cap;
	int fd, rc;

	/* O_NONBLOCK: a FIFO named as the kubeconfig must not stall us before fstat */
	fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		return cfail(cfg, rc, "kubeconfig %s (%s): %s", path, why, strerror(-rc));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > KUBECONFIG_MAX ||
	    !st.st_size) {
		close(fd);
		return cfail(cfg, -EINVAL, "kubeconfig %s: %s", path,
			     !S_ISREG(st.st_mode) ? "not a regular file" :
			     st.st_size ? "larger than 1 MiB" : "empty");
	}
	text = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (text == MAP_FAILED)
		return cfail(cfg, -errno, "kubeconfig %s: %s", path, strerror(errno));
	/*
	 * About a node per byte at worst ("- a:" is three nodes in five bytes);
	 * only the pages used become memory.
	 */
	cap = (size_t)st.st_size + 16;
	nodes = mmap(NULL, cap * sizeof(struct xc_yaml_node), PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (nodes == MAP_FAILED)
		rc = cfail(cfg, -ENOMEM, "kubeconfig %s: out of memory", path);
	else
		rc = xc_k8s_config_parse(cfg, text, (size_t)st.st_size, path, context, nodes, cap);
	munmap(text, (size_t)st.st_size);
	if (nodes != MAP_FAILED)
		munmap(nodes, cap * sizeof(struct xc_yaml_node));
	return rc;
}

static int in_cluster(struct xc_k8s_config *cfg, const char *host, const char *port,
		      const char *dir)
{
	char tok[XC_K8S_PATH_MAX], ca[XC_K8S_PATH_MAX];

	config_reset(cfg, "in-cluster config");
	cfg->in_cluster = 1;
	if ((size_t)snprintf(tok, sizeof(tok), "%s/token", dir) >= sizeof(tok) ||
	    (size_t)snprintf(ca, sizeof(ca), "%s/ca.crt", dir) >= sizeof(ca))
		return cfail(cfg, -E2BIG, "in-cluster config: %s: path too long", dir);
	if (strspn(port, "0123456789") != strlen(port) || strlen(port) > 5)
		return cfail(cfg, -EINVAL, "in-cluster config: KUBERNETES_SERVICE_PORT: "
			     "\"%.16s\" is not a port", port);
	/* an IPv6 service address needs brackets in a URL */
	if ((size_t)snprintf(cfg->server, sizeof(cfg->server), "https://%s%s%s:%s",
			     strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
			     port) >= sizeof(cfg->server))
		return cfail(cfg, -E2BIG, "in-cluster config: KUBERNETES_SERVICE_HOST: too long");
	if (access(tok, R_OK) < 0)
		return cfail(cfg, -errno, "in-cluster config: %s: %s", tok, strerror(errno));
	if (access(ca, R_OK) < 0)
		return cfail(cfg, -errno, "in-cluster config: %s: %s", ca, strerror(errno));
	strcpy(cfg->token_file, tok);
	strcpy(cfg->ca_file, ca);
	strcpy(cfg->token_field, "token");
	strcpy(cfg->ca_field, "ca.crt");
	return 0;
}

int xc_k8s_config_load(struct xc_k8s_config *cfg, const struct xc_k8s_opts *opts)
{
	static const struct xc_k8s_opts none;
	const struct xc_k8s_opts *o = opts ? opts : &none;
	const char *env, *host, *port, *dir;
	char path[XC_K8S_PATH_MAX];
	size_t n;

	if (o->kubeconfig && *o->kubeconfig)
		return load_file(cfg, o->kubeconfig, o->context, "given");
	env = o->no_env ? NULL : getenv("KUBECONFIG");
	while (env && *env) {
		n = strcspn(env, ":");
		if (n && n < sizeof(path)) {
			memcpy(path, env, n);
			path[n] = 0;
			return load_file(cfg, path, o->context, "from KUBECONFIG");
		}
		env += n + (env[n] == ':');
	}
	host = getenv("KUBERNETES_SERVICE_HOST");
	port = getenv("KUBERNETES_SERVICE_PORT");
	if (host && *host && port && *port) {
		dir = o->sa_dir && *o->sa_dir ? o->sa_dir : getenv("XC_SA_DIR");
		return in_cluster(cfg, host, port, dir && *dir ? dir : SA_DIR_DEFAULT);
	}
	env = o->no_env ? NULL : getenv("HOME");
	if (env && *env && (size_t)snprintf(path, sizeof(path), "%s/.kube/config", env) <
	    sizeof(path) && !access(path, F_OK))
		return load_file(cfg, path, o->context, "from HOME");
	config_reset(cfg, "");
	return cfail(cfg, -ENOENT, "no cluster configuration: give a kubeconfig, set KUBECONFIG, "
		     "or run in a pod (KUBERNETES_SERVICE_HOST)");
}
