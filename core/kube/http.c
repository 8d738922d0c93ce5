/*
 * http: URLs, connections and requests of core/kube/http (see http.h); the
 * response parser is in http_parse.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/deadline.h"
#include "base/fdio.h"
#include "kube/http.h"

/* ---- URL ----------------------------------------------------------------- */

static int url_host(const char *s, size_t n, struct xc_http_url *u)
{
	unsigned char a[16];
	size_t i;

	if (n && s[0] == '[') {
		if (n < 3 || s[n - 1] != ']' || n - 2 > XC_HTTP_HOST_MAX)
			return -EINVAL;
		memcpy(u->host, s + 1, n - 2);
		u->host[n - 2] = 0;
		u->ipv6 = 1;
		return inet_pton(AF_INET6, u->host, a) == 1 ? 0 : -EINVAL;
	}
	if (!n || n > XC_HTTP_HOST_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' || s[i] == '_'))
			return -EINVAL;
	memcpy(u->host, s, n);
	u->host[n] = 0;
	return 0;
}

static int url_port(const char *s, size_t n, struct xc_http_url *u)
{
	unsigned long v = 0;
	size_t i;

	if (!n || n > 5)
		return n ? -EINVAL : 0; /* "host:" keeps the default port */
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (!v || v > 65535)
		return -EINVAL;
	u->port = (uint16_t)v;
	return 0;
}

int xc_http_url_parse(const char *text, struct xc_http_url *u)
{
	const char *auth, *end, *colon;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (!strncasecmp(text, "https://", 8))
		u->tls = 1, u->port = 443, auth = text + 8;
	else if (!strncasecmp(text, "http://", 7))
		u->port = 80, auth = text + 7;
	else
		return -EINVAL;
	end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(end - auth)))
		return -EINVAL;
	/* The port's colon is the last one, after any IPv6 literal. */
	colon = end;
	while (colon > auth && colon[-1] != ':' && colon[-1] != ']')
		colon--;
	if (colon > auth && colon[-1] == ':') {
		if (url_port(colon, (size_t)(end - colon), u))
			return -EINVAL;
		colon--;
	} else {
		colon = end;
	}
	if (url_host(auth, (size_t)(colon - auth), u))
		return -EINVAL;
	if (!u->ipv6 && strchr(u->host, ':'))
		return -EINVAL;
	n = strcspn(end, "#");
	if (n >= sizeof(u->path) || strpbrk(end, " \t\r\n"))
		return -EINVAL;
	memcpy(u->path, end, n);
	u->path[n] = 0;
	return 0;
}

/* ---- errors and waiting ---------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static int fail(struct xc_http_conn *c, int err, const char *fmt, ...)
{
	int n = snprintf(c->err, sizeof(c->err), "%s://%s%s%s:%u: ", c->url.tls ? "https" : "http",
			 c->url.ipv6 ? "[" : "", c->url.host, c->url.ipv6 ? "]" : "",
			 c->url.port);
	va_list ap;

	if (n < 0 || (size_t)n >= sizeof(c->err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(c->err + n, sizeof(c->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return err;
}

/* ---- transport: TCP, or TLS over it --------------------------------------- */

static int connect_one(const struct sockaddr *sa, socklen_t len, int64_t deadline, int *fdp)
{
	int one = 1, soerr = 0, r;
	socklen_t sl = sizeof(soerr);
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, sa, len) < 0) {
		r = errno == EINPROGRESS ? xc_wait_fd(fd, POLLOUT, deadline) : -errno;
		if (!r && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			r = -errno;
		if (!r && soerr)
			r = -soerr;
		if (r) {
			close(fd);
			return r;
		}
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*fdp = fd;
	return 0;
}

/* An address literal needs no resolver (a scratch image has none). */
static int connect_literal(struct xc_http_conn *c, int64_t deadline, int *fdp)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons(c->url.port) };
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(c->url.port) };

	if (inet_pton(AF_INET, c->url.host, &s4.sin_addr) == 1)
		return connect_one((struct sockaddr *)&s4, sizeof(s4), deadline, fdp);
	if (inet_pton(AF_INET6, c->url.host, &s6.sin6_addr) == 1)
		return connect_one((struct sockaddr *)&s6, sizeof(s6), deadline, fdp);
	return 1;
}

static int connect_name(struct xc_http_conn *c, int64_t deadline, int *fdp)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	char port[8];
	int r, e;

	snprintf(port, sizeof(port), "%u", c->url.port);
	e = getaddrinfo(c->url.host, port, &hints, &res);
	if (e)
		return fail(c, -ENOENT, "cannot resolve host: %s", gai_strerror(e));
	r = -ENOENT;
	for (ai = res; ai; ai = ai->ai_next) {
		r = connect_one(ai->ai_addr, ai->ai_addrlen, deadline, fdp);
		if (!r || r == -ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	return r;
}

static int conn_open(struct xc_http_conn *c)
{
	int64_t deadline = xc_deadline(c->connect_timeout_ms);
	int fd = -1, r = connect_literal(c, deadline, &fd);

	if (r == 1)
		r = connect_name(c, deadline, &fd);
	if (r == -ENOENT && c->err[0])
		return r;
	if (r == -ETIMEDOUT)
		return fail(c, r, "connect timed out after %d ms", c->connect_timeout_ms);
	if (r)
		return fail(c, r, "connect: %s", strerror(-r));
	c->fd = fd;
	c->requests = 0;
	c->rpos = c->rlen = 0;
	if (!c->url.tls)
		return 0;
	r = xc_tls_connect(c->tls, c->tls_cfg, fd, c->url.host, c->timeout_ms);
	if (r) {
		fail(c, r, "%s", c->tls->err);
		xc_http_close(c);
	}
	return r;
}

void xc_http_close(struct xc_http_conn *c)
{
	if (c->fd >= 0) {
		if (c->url.tls)
			xc_tls_close(c->tls);
		close(c->fd);
	}
	c->fd = -1;
	c->in_body = c->end_unreported = 0;
	c->rpos = c->rlen = 0;
}

static int conn_send(struct xc_http_conn *c, const void *buf, size_t len)
{
	const char *p = buf;
	int64_t deadline = xc_deadline(c->timeout_ms);
	ssize_t n;

	if (c->url.tls)
		return xc_tls_write(c->tls, buf, len, c->timeout_ms);
	while (len > 0) {
		n = xc_send_some(c->fd, p, len, deadline);
		if (n < 0)
			return (int)n;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Fill rbuf (which the parser has emptied): > 0 bytes, 0 EOF, < 0 error. */
static ssize_t conn_recv(struct xc_http_conn *c, int64_t deadline)
{
	ssize_t n;
	int ms;

	c->rpos = c->rlen = 0;
	if (c->url.tls) {
		ms = xc_deadline_left(deadline);
		n = xc_tls_read(c->tls, c->rbuf, sizeof(c->rbuf), ms == -2 ? 1 : ms);
		if (n > 0)
			c->rlen = (size_t)n;
		if (n < 0 && n != -EAGAIN && n != -ETIMEDOUT)
			fail(c, (int)n, "%s", c->tls->err);
		return n;
	}
	n = xc_recv_some(c->fd, c->rbuf, sizeof(c->rbuf), deadline);
	if (n > 0)
		c->rlen = (size_t)n;
	return n;
}

/* ---- requests ------------------------------------------------------------ */

/* No control characters (no CR/LF smuggling); spaces only inside fields. */
static int safe_text(const char *s, int field)
{
	unsigned char ch;

	for (; *s; s++) {
		ch = (unsigned char)*s;
		if (ch == 0x7f || (ch < 0x20 && !(field && ch == '\t')) || (ch == ' ' && !field))
			return 0;
	}
	return 1;
}

static int put(struct xc_http_conn *c, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (n >= sizeof(c->req) - *len)
		return -E2BIG;
	memcpy(c->req + *len, s, n + 1);
	*len += n;
	return 0;
}

/* The request head in c->req; field values are checked, never echoed. */
static int build(struct xc_http_conn *c, const char *method, const char *path,
		 const char *const *fields, const void *body, size_t body_len, size_t *len)
{
	char line[XC_HTTP_HOST_MAX + 48];
	size_t n = strlen(c->url.path);
	int r = 0, i;

	*len = 0;
	if (!*method || !safe_text(method, 0) || !safe_text(path, 0) ||
	    (*path && *path != '/'))
		return fail(c, -EINVAL, "invalid method or path");
	if (n && c->url.path[n - 1] == '/' && path[0] == '/')
		n--;
	r |= put(c, len, method);
	r |= put(c, len, " ");
	if (n >= sizeof(c->req) - *len)
		return fail(c, -E2BIG, "request line too long");
	memcpy(c->req + *len, c->url.path, n);
	*len += n;
	r |= put(c, len, *path || n ? path : "/");
	snprintf(line, sizeof(line), " HTTP/1.1\r\nHost: %s%s%s", c->url.ipv6 ? "[" : "",
		 c->url.host, c->url.ipv6 ? "]" : "");
	r |= put(c, len, line);
	if (c->url.port != (c->url.tls ? 443 : 80)) {
		snprintf(line, sizeof(line), ":%u", c->url.port);
		r |= put(c, len, line);
	}
	r |= put(c, len, "\r\n");
	for (i = 0; fields && fields[i]; i++) {
		if (!strchr(fields[i], ':') || fields[i][0] == ':' || !safe_text(fields[i], 1))
			return fail(c, -EINVAL, "invalid request header line %d", i + 1);
		r |= put(c, len, fields[i]);
		r |= put(c, len, "\r\n");
	}
	if (body) {
		snprintf(line, sizeof(line), "Content-Length: %zu\r\n", body_len);
		r |= put(c, len, line);
	}
	r |= put(c, len, "\r\n");
	return r ? fail(c, -E2BIG, "request head over %d bytes", XC_HTTP_REQ_MAX) : 0;
}

static int read_head(struct xc_http_conn *c, int *got_bytes)
{
	int64_t deadline = xc_deadline(c->timeout_ms);
	size_t used;
	ssize_t n;
	int r;

	for (;;) {
		if (c->rpos == c->rlen) {
			n = conn_recv(c, deadline);
			if (n == 0)
				return fail(c, -ECONNRESET, "connection closed before the response");
			if (n == -ETIMEDOUT || n == -EAGAIN)
				return fail(c, -ETIMEDOUT, "no response within %d ms", c->timeout_ms);
			if (n < 0)
				return c->url.tls ? (int)n : fail(c, (int)n, "recv: %s", strerror((int)-n));
			*got_bytes = 1;
		}
		r = xc_http_resp_head(&c->resp, c->rbuf + c->rpos, c->rlen - c->rpos, &used);
		c->rpos += used;
		if (r == 1)
			return 0;
		if (r == -E2BIG)
			return fail(c, r, "response head larger than %d bytes or %d fields",
				    XC_HTTP_HEAD_MAX, XC_HTTP_FIELDS_MAX);
		if (r == -EFBIG)
			return fail(c, r, "response body of %llu bytes over the limit of %llu",
				    (unsigned long long)c->resp.length,
				    (unsigned long long)c->resp.body_max);
		if (r == -ENOTSUP)
			return fail(c, r, "unsupported transfer-encoding");
		if (r < 0)
			return fail(c, r, "malformed response head");
	}
}

/* A kept connection the server has since closed reads as ready: drop it. */
static void drop_stale(struct xc_http_conn *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };

	if (c->fd >= 0 && (c->in_body || c->end_unreported || poll(&p, 1, 0) != 0 ||
			   (c->url.tls && xc_tls_pending(c->tls))))
		xc_http_close(c);
}

static int request_once(struct xc_http_conn *c, const char *method, const char *path,
			const char *const *fields, const void *body, size_t body_len,
			int *got_bytes)
{
	size_t len;
	int r;

	drop_stale(c);
	c->reused = c->fd >= 0;
	if (!c->reused && (r = conn_open(c)))
		return r;
	r = build(c, method, path, fields, body, body_len, &len);
	if (r)
		return r;
	c->requests++;
	xc_http_resp_init(&c->resp, !strcmp(method, "HEAD"), c->body_max);
	r = conn_send(c, c->req, len);
	if (!r && body && body_len)
		r = conn_send(c, body, body_len);
	if (r)
		return fail(c, r, "send: %s", c->url.tls ? c->tls->err : strerror(-r));
	r = read_head(c, got_bytes);
	if (r)
		return r;
	c->in_body = !xc_http_resp_done(&c->resp);
	c->end_unreported = !c->in_body;
	return 0;
}

static int idempotent(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "PUT") ||
	       !strcmp(m, "DELETE") || !strcmp(m, "OPTIONS");
}

int xc_http_request(struct xc_http_conn *c, const char *method, const char *path,
		    const char *const *fields, const void *body, size_t body_len)
{
	int got = 0, r;

	c->err[0] = 0;
	if (!path)
		path = "";
	r = request_once(c, method, path, fields, body, body_len, &got);
	/* An idle connection may have been closed by the server meanwhile. */
	if (r && c->reused && !got && idempotent(method) &&
	    (r == -ECONNRESET || r == -EPIPE)) {
		xc_http_close(c);
		c->err[0] = 0;
		r = request_once(c, method, path, fields, body, body_len, &got);
	}
	if (r)
		xc_http_close(c);
	return r;
}

/* The response is complete: keep the connection only if it is clean. */
static void finish(struct xc_http_conn *c)
{
	c->in_body = c->end_unreported = 0;
	if (!c->resp.keep_alive || c->rpos != c->rlen || (c->url.tls && xc_tls_pending(c->tls)))
		xc_http_close(c);
}

static int body_error(struct xc_http_conn *c, int r)
{
	if (r == -EFBIG)
		fail(c, r, "response body over the limit of %llu bytes",
		     (unsigned long long)c->resp.body_max);
	else if (r == -ECONNRESET)
		fail(c, r, "connection closed before the end of the response body");
	else if (r == -ETIMEDOUT)
		fail(c, r, "no response data within the timeout");
	else if (r == -ENOBUFS)
		fail(c, r, "response body larger than the buffer");
	else if (r == -E2BIG)
		fail(c, r, "a chunk extension over %d bytes or trailer fields over %d bytes",
		     XC_HTTP_CHUNK_EXT_MAX, XC_HTTP_TRAILER_MAX);
	else if (r == -EPROTO)
		fail(c, r, "malformed response body");
	else if (!c->err[0])
		fail(c, r, "receive: %s", strerror(-r));
	xc_http_close(c);
	return r;
}

ssize_t xc_http_read(struct xc_http_conn *c, void *buf, size_t len, int timeout_ms)
{
	int64_t deadline = xc_deadline(timeout_ms);
	size_t used, got;
	ssize_t n;
	int r;

	c->err[0] = 0;
	if (!c->in_body) {
		if (c->end_unreported)
			finish(c);
		return 0;
	}
	for (;;) {
		r = xc_http_resp_body(&c->resp, c->rbuf + c->rpos, c->rlen - c->rpos, &used,
				      buf, len, &got);
		c->rpos += used;
		if (r < 0)
			return body_error(c, r);
		if (r == 1) {
			c->in_body = 0;
			c->end_unreported = 1;
		}
		if (got)
			return (ssize_t)got;
		if (r == 1) {
			finish(c);
			return 0;
		}
		/* Input left over means the caller's buffer is full. */
		if (c->rpos < c->rlen)
			return body_error(c, -ENOBUFS);
		n = conn_recv(c, deadline);
		if (n == -EAGAIN)
			return n;
		if (n == 0 && (r = xc_http_resp_eof(&c->resp)) == 1)
			continue;
		if (n <= 0)
			return body_error(c, n == 0 ? r : (int)n);
	}
}

int xc_http_init(struct xc_http_conn *c, const char *url,
		 const struct xc_tls_config *tls_cfg, struct xc_tls_conn *tls)
{
	memset(c, 0, offsetof(struct xc_http_conn, req));
	c->fd = -1;
	c->connect_timeout_ms = 10000;
	c->timeout_ms = 30000;
	if (xc_http_url_parse(url, &c->url)) {
		snprintf(c->err, sizeof(c->err), "invalid URL");
		return -EINVAL;
	}
	if (c->url.tls && (!tls_cfg || !tls))
		return fail(c, -EINVAL, "https needs a TLS configuration");
	c->tls_cfg = tls_cfg;
	c->tls = tls;
	return 0;
}

int xc_http_fd(const struct xc_http_conn *c)
{
	return c->fd;
}

int xc_http_pending(const struct xc_http_conn *c)
{
	if (c->end_unreported)
		return 1;
	if (!c->in_body || c->fd < 0)
		return 0;
	return c->rpos < c->rlen || (c->url.tls && xc_tls_pending(c->tls) > 0);
}
