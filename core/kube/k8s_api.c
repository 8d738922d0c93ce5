/*
 * k8s_api: the client (TLS set-up, authentication, token files), error
 * statuses, GET of one node, and the back-off helper (see k8s.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fdio.h"
#include "kube/k8s_priv.h"
#include "version.h"

/* The User-Agent: this, then " (COMPONENT)" when the client was given one. */
#define AGENT "User-Agent: xcluster-cni/" XC_VERSION

int xc_k8s_fail(struct xc_k8s_client *k, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->err, sizeof(k->err), fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- query strings ------------------------------------------------------- */

int xc_k8s_query(char *out, size_t size, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(out);
	unsigned char c;
	int w = snprintf(out + n, size - n, "%c%s=", strchr(out, '?') ? '&' : '?', name);

	if (w < 0 || (size_t)w >= size - n)
		return -E2BIG;
	n += (size_t)w;
	for (; *value; value++) {
		c = (unsigned char)*value;
		if (n + 4 > size)
			return -E2BIG;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = 0;
	return 0;
}

int xc_k8s_query_sel(char *out, size_t size, const struct xc_k8s_select *sel)
{
	int rc = 0;

	if (sel && sel->label_selector && *sel->label_selector)
		rc = xc_k8s_query(out, size, "labelSelector", sel->label_selector);
	if (!rc && sel && sel->field_selector && *sel->field_selector)
		rc = xc_k8s_query(out, size, "fieldSelector", sel->field_selector);
	return rc;
}

/* ---- statuses -------------------------------------------------------------- */

/* The errno for an API status code (k8s_priv.h lists them). */
static int code_errno(int code)
{
	switch (code) {
	case 401: return -EACCES;
	case 403: return -EPERM;
	case 404: return -ENOENT;
	case 410: return -ESTALE;
	case 429: return -EAGAIN;
	}
	return code >= 500 && code <= 599 ? -EAGAIN : -EPROTO;
}

/* Printable, bounded: a server's message goes into logs. */
static void clean_copy(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? ' ' : src[i];
	if (size)
		dst[i] = 0;
}

int xc_k8s_status_text(const struct xc_json *st, int code, char *msg, size_t size,
		       long *retry_after)
{
	char reason[64] = "", text[256] = "";
	struct xc_json details;
	int64_t v;

	if (st && st->type == XC_JSON_OBJECT) {
		if (!code && !xc_json_get_int(st, "code", &v) && v > 0 && v < 1000)
			code = (int)v;
		xc_json_get_str(st, "reason", reason, sizeof(reason));
		xc_json_get_str(st, "message", text, sizeof(text));
		if (retry_after && !xc_json_get(st, "details", &details) &&
		    !xc_json_get_int(&details, "retryAfterSeconds", &v) && v >= 0 && v < 86400)
			*retry_after = (long)v;
	}
	clean_copy(reason, sizeof(reason), reason);
	clean_copy(text, sizeof(text), text);
	snprintf(msg, size, "%d%s%s%s%s", code, reason[0] ? " " : "", reason,
		 text[0] ? ": " : "", text);
	return code_errno(code);
}

int xc_k8s_http_error(struct xc_k8s_client *k, const char *what, char *buf, size_t size)
{
	struct xc_json root, *st = NULL;
	int code = k->http.resp.status;
	char msg[360];
	size_t len = 0;
	ssize_t n;
	long ra = xc_http_resp_retry_after(&k->http.resp);

	/* A Status is small; a large or slow body is not worth waiting for. */
	while (len < size && (n = xc_http_read(&k->http, buf + len, size - len,
					       k->http.timeout_ms)) > 0)
		len += (size_t)n;
	if (len && !xc_json_parse(buf, len, &root, NULL))
		st = &root;
	if (len == size)
		xc_http_close(&k->http); /* the rest is unread: the connection cannot be reused */
	k->retry_after = ra;
	xc_k8s_status_text(st, code, msg, sizeof(msg), ra < 0 ? &k->retry_after : NULL);
	return xc_k8s_fail(k, code_errno(code), "%s: %s", what, msg);
}

/* ---- tokens ---------------------------------------------------------------- */

/* Secrets: the compiler must not drop this as a dead store. */
static void wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

static int set_token(struct xc_k8s_client *k, const char *tok, size_t n, const char *where)
{
	size_t i;

	while (n && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' ' ||
		     tok[n - 1] == '\t'))
		n--;
	if (!n)
		return xc_k8s_fail(k, -EINVAL, "%s: %s: the token is empty", k->cfg.source, where);
	for (i = 0; i < n; i++)
		if ((unsigned char)tok[i] <= ' ' || tok[i] == 0x7f)
			return xc_k8s_fail(k, -EINVAL,
					   "%s: %s: the token holds a space or control byte",
					   k->cfg.source, where);
	if (n > XC_K8S_TOKEN_MAX)
		return xc_k8s_fail(k, -E2BIG, "%s: %s: the token is over %d bytes",
				   k->cfg.source, where, XC_K8S_TOKEN_MAX);
	memcpy(k->auth, "Authorization: Bearer ", 22);
	memcpy(k->auth + 22, tok, n);
	k->auth[22 + n] = 0;
	k->have_token = 1;
	return 0;
}

/*
 * Re-read the token file when its identity changed (or always, after a
 * 401: a rewrite within the same timestamp tick shows no change).
 */
static int token_refresh(struct xc_k8s_client *k, int force)
{
	char buf[XC_K8S_TOKEN_MAX + 2], where[XC_K8S_PATH_MAX + 128];
	const char *path = k->cfg.token_file;
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, rc;

	if (!path[0])
		return 0;
	snprintf(where, sizeof(where), "%s: %s", k->cfg.token_field[0] ? k->cfg.token_field :
		 "token file", path);
	if (stat(path, &st) < 0) {
		rc = -errno;
		if (k->have_token)
			return 0; /* mid-rotation: keep the old one, the server decides */
		return xc_k8s_fail(k, rc, "%s: %s: %s", k->cfg.source, where, strerror(-rc));
	}
	if (!force && k->have_token && (uint64_t)st.st_dev == k->tok_dev &&
	    (uint64_t)st.st_ino == k->tok_ino && (uint64_t)st.st_size == k->tok_size &&
	    (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec == k->tok_mtime_ns)
		return 0;
	fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block */
	if (fd < 0) {
		rc = -errno;
		return k->have_token ? 0 :
		       xc_k8s_fail(k, rc, "%s: %s: %s", k->cfg.source, where, strerror(-rc));
	}
	if (fstat(fd, &st) < 0)
		st.st_ino = 0;
	/* one byte past the limit is enough for set_token to say it is too long */
	n = xc_read_full(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 && n != -EFBIG) {
		wipe(buf, sizeof(buf));
		return k->have_token ? 0 :
		       xc_k8s_fail(k, (int)n, "%s: %s: %s", k->cfg.source, where, strerror((int)-n));
	}
	len = n < 0 ? sizeof(buf) : (size_t)n;
	k->token_reads++;
	rc = set_token(k, buf, len, where);
	wipe(buf, sizeof(buf));
	if (rc)
		return rc;
	k->tok_dev = (uint64_t)st.st_dev;
	k->tok_ino = (uint64_t)st.st_ino;
	k->tok_size = (uint64_t)st.st_size;
	k->tok_mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return 0;
}

/* ---- the client ------------------------------------------------------------- */

static int tls_setup(struct xc_k8s_client *k)
{
	struct xc_k8s_config *c = &k->cfg;
	int rc = 0;

	xc_tls_config_init(&k->tls, k->ta, XC_K8S_CA_MAX, k->tls_mem, sizeof(k->tls_mem));
	if (c->ca_len)
		rc = xc_tls_add_ca_pem(&k->tls, c->pem, c->ca_len);
	else if (c->ca_file[0])
		rc = xc_tls_add_ca_file(&k->tls, c->ca_file);
	if (rc < 0)
		return xc_k8s_fail(k, rc, "%s: %s: %s", c->source, c->ca_field, k->tls.err);
	if (!c->ca_len && !c->ca_file[0] && !c->insecure && !strncmp(c->server, "https:", 6))
		return xc_k8s_fail(k, -EINVAL, "%s: no certificate-authority(-data) for %s "
				   "(and no system trust store is used)", c->source, c->server);
	if (c->insecure)
		k->tls.insecure = k->insecure = 1;
	rc = xc_tls_set_server_name(&k->tls, c->tls_server_name);
	if (rc)
		return xc_k8s_fail(k, rc, "%s: tls-server-name: \"%s\" is not a DNS name or address",
				   c->source, c->tls_server_name);
	if (c->cert_len || c->key_len)
		rc = xc_tls_set_client_pem(&k->tls, c->pem + c->ca_len, c->cert_len,
					   c->pem + c->ca_len + c->cert_len, c->key_len);
	else if (c->cert_file[0] || c->key_file[0])
		rc = xc_tls_set_client_files(&k->tls, c->cert_file, c->key_file);
	if (rc)
		return xc_k8s_fail(k, rc, "%s: %s, %s: %s", c->source, c->cert_field,
				   c->key_field, k->tls.err);
	return 0;
}

static int loopback_host(const char *host)
{
	static const uint8_t one6[16] = { [15] = 1 };
	struct xc_ip ip;

	if (!strcasecmp(host, "localhost"))
		return 1;
	if (xc_ip_parse(host, &ip))
		return 0;
	return ip.family == AF_INET ? ip.a[0] == 127 : !memcmp(ip.a, one6, sizeof(one6));
}

/*
 * Plain http carries the bearer token in clear, and a client certificate
 * authenticates nothing without TLS: only a loopback server (an apiserver
 * proxy on the node) may have them, and the caller warns then.
 */
static int plain_check(struct xc_k8s_client *k)
{
	const struct xc_k8s_config *c = &k->cfg;
	int token = c->token[0] || c->token_file[0];
	int cert = c->cert_len || c->key_len || c->cert_file[0] || c->key_file[0];

	if (k->http.url.tls || (!token && !cert))
		return 0;
	if (loopback_host(k->http.url.host)) {
		k->plain = 1;
		return 0;
	}
	return xc_k8s_fail(k, -EINVAL, "%s: server %s is plain http: refusing to send %s in "
			   "clear to a host that is not loopback (use https)", c->source,
			   c->server, token ? "the bearer token" : "a client certificate");
}

int xc_k8s_client_init_config(struct xc_k8s_client *k, const struct xc_k8s_config *cfg)
{
	int rc;

	if (&k->cfg != cfg)
		memcpy(&k->cfg, cfg, sizeof(*cfg));
	k->insecure = k->plain = 0;
	k->retry_after = -1;
	k->status = 0;
	k->watching = 0;
	k->requests = k->token_reads = 0;
	k->err[0] = 0;
	strcpy(k->agent, AGENT);
	k->have_token = 0;
	k->auth[0] = 0;
	k->http.fd = -1;
	rc = 0;
	if (xc_http_init(&k->http, k->cfg.server, &k->tls, &k->tconn))
		rc = xc_k8s_fail(k, -EINVAL, "%s: server: \"%.200s\" is not an http(s) URL",
				 k->cfg.source, k->cfg.server);
	if (!rc)
		rc = plain_check(k);
	if (!rc)
		rc = tls_setup(k);
	if (!rc && k->cfg.token[0])
		rc = set_token(k, k->cfg.token, strlen(k->cfg.token),
			       k->cfg.token_field[0] ? k->cfg.token_field : "token");
	if (!rc)
		rc = token_refresh(k, 1);
	/* What TLS needs is loaded: the config's copies of keys can go. */
	wipe(k->cfg.pem, sizeof(k->cfg.pem));
	wipe(k->cfg.token, sizeof(k->cfg.token));
	if (rc)
		xc_k8s_client_close(k);
	return rc;
}

int xc_k8s_client_init(struct xc_k8s_client *k, const struct xc_k8s_opts *opts)
{
	int rc;

	k->http.fd = -1;
	k->insecure = 0;
	rc = xc_k8s_config_load(&k->cfg, opts);
	if (rc) {
		memcpy(k->err, k->cfg.err, sizeof(k->err));
		xc_k8s_config_wipe(&k->cfg);
		return rc;
	}
	rc = xc_k8s_client_init_config(k, &k->cfg);
	if (opts && opts->component)
		snprintf(k->agent, sizeof(k->agent), AGENT " (%.32s)", opts->component);
	return rc;
}

void xc_k8s_client_close(struct xc_k8s_client *k)
{
	if (k->http.fd >= 0)
		xc_http_close(&k->http);
	k->watching = 0;
	wipe(k->auth, sizeof(k->auth));
	k->have_token = 0;
	wipe(k->tls_mem, sizeof(k->tls_mem));
	wipe(&k->tls.rsa, sizeof(k->tls.rsa));
	wipe(&k->tls.ec, sizeof(k->tls.ec));
	xc_k8s_config_wipe(&k->cfg);
}

static int request_once(struct xc_k8s_client *k, const char *method, const char *path)
{
	const char *fields[4];
	int n = 0, rc;

	if (k->have_token)
		fields[n++] = k->auth;
	fields[n++] = "Accept: application/json";
	fields[n++] = k->agent;
	fields[n] = NULL;
	k->status = 0;
	k->requests++;
	rc = xc_http_request(&k->http, method, path, fields, NULL, 0);
	if (rc)
		return xc_k8s_fail(k, rc, "%s %s: %s", method, path, k->http.err);
	k->status = k->http.resp.status;
	return 0;
}

int xc_k8s_request(struct xc_k8s_client *k, const char *method, const char *path)
{
	int rc;

	k->err[0] = 0;
	k->retry_after = -1;
	if (k->watching)
		return xc_k8s_fail(k, -EBUSY, "%s %s: a watch holds the connection", method, path);
	rc = token_refresh(k, 0);
	if (!rc)
		rc = request_once(k, method, path);
	/* The token may have rotated since it was read: once more with the new one. */
	if (!rc && k->status == 401 && k->cfg.token_file[0]) {
		xc_http_close(&k->http);
		rc = token_refresh(k, 1);
		if (!rc)
			rc = request_once(k, method, path);
	}
	return rc;
}

/* ---- GET ------------------------------------------------------------------- */

static int read_body(struct xc_k8s_client *k, char *buf, size_t size, size_t *len,
		     const char *what)
{
	ssize_t n;

	*len = 0;
	for (;;) {
		if (*len == size) {
			xc_http_close(&k->http);
			return xc_k8s_fail(k, -EFBIG, "%s: response over %zu bytes", what, size);
		}
		n = xc_http_read(&k->http, buf + *len, size - *len, k->http.timeout_ms);
		if (n == 0)
			return 0;
		if (n < 0)
			return xc_k8s_fail(k, (int)n, "%s: %s", what, k->http.err);
		*len += (size_t)n;
	}
}

int xc_k8s_get_node(struct xc_k8s_client *k, const char *name, const struct xc_k8s_select *sel,
		    char *buf, size_t size, struct xc_k8s_node *node)
{
	char path[64 + 3 * XC_K8S_NAME_MAX], what[sizeof(path) + 8], perr[128], *q;
	struct xc_json root;
	struct xc_json_error je;
	size_t len;
	int rc;

	if (!*name || strlen(name) > XC_K8S_NAME_MAX)
		return xc_k8s_fail(k, -EINVAL, "node name \"%.64s\" is not valid", name);
	/* The name is a path segment: encode it like a query value, then move it. */
	strcpy(path, "/api/v1/nodes");
	rc = xc_k8s_query(path, sizeof(path), "x", name);
	if (rc)
		return xc_k8s_fail(k, rc, "node name too long");
	q = strchr(path, '?');
	memmove(q + 1, q + 3, strlen(q + 3) + 1);
	*q = '/';
	snprintf(what, sizeof(what), "GET %s", path);
	rc = xc_k8s_request(k, "GET", path);
	if (rc)
		return rc;
	if (k->status != 200)
		return xc_k8s_http_error(k, what, buf, size);
	rc = read_body(k, buf, size, &len, what);
	if (rc)
		return rc;
	if (xc_json_parse(buf, len, &root, &je))
		return xc_k8s_fail(k, -EPROTO, "%s: the response is not JSON (%s)", what,
				   xc_json_strerror(&je, perr, sizeof(perr)));
	rc = xc_k8s_node_parse(&root, sel ? sel->annot : NULL, node, perr, sizeof(perr));
	if (rc)
		return xc_k8s_fail(k, -EPROTO, "%s: not a Node: %s", what, perr);
	return 0;
}

/* ---- back-off ------------------------------------------------------------- */

static uint32_t rnd(struct xc_k8s_backoff *b)
{
	/* xorshift32: spreading retries needs no more */
	uint32_t x = b->seed ? b->seed : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return b->seed = x;
}

void xc_k8s_backoff_init(struct xc_k8s_backoff *b, unsigned base_ms, unsigned max_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	b->base_ms = base_ms ? base_ms : 500;
	b->max_ms = max_ms >= b->base_ms ? max_ms : b->base_ms;
	b->cur_ms = b->base_ms;
	b->seed = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec ^ ((uint32_t)getpid() << 16);
}

unsigned xc_k8s_backoff_next(struct xc_k8s_backoff *b, long retry_after_s)
{
	unsigned d = b->cur_ms / 2 + rnd(b) % (b->cur_ms - b->cur_ms / 2 + 1), ra;

	b->cur_ms = b->cur_ms > b->max_ms / 2 ? b->max_ms : b->cur_ms * 2;
	if (retry_after_s >= 0) {
		ra = (unsigned)(retry_after_s > 600 ? 600 : retry_after_s) * 1000;
		/* at least what the server asked, spread by up to a quarter more */
		ra += rnd(b) % (ra / 4 + 1);
		if (d < ra)
			d = ra;
	}
	return d;
}

void xc_k8s_backoff_reset(struct xc_k8s_backoff *b)
{
	b->cur_ms = b->base_ms;
}
