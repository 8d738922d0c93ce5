/*
 * http: an HTTP/1.1 client for the Kubernetes API, over TCP or core/kube/tls.
 *
 * Three layers, each usable alone:
 *   URL        xc_http_url_parse: http:// and https://, names, IPv4, [IPv6].
 *   parser     struct xc_http_resp: a push parser for a response head and
 *              its body framing (Content-Length, chunked, until close). It
 *              reads from memory only, so it can be tested and fuzzed
 *              without a socket. Chunk boundaries are framing, not
 *              messages: the body comes out as one byte stream.
 *   connection struct xc_http_conn: connect with a timeout, send a request,
 *              read the response head, then read the body as it comes
 *              (xc_http_read: a watch in the caller's poll loop, or a
 *              GET's whole body). A connection is kept and reused while
 *              the server allows.
 *
 * Nothing is allocated: every object belongs to the caller. Request header
 * values (Authorization: Bearer ...) never appear in error texts.
 *
 * Errors are negative errno values, with a sentence in c->err:
 *   -EINVAL      bad URL, method, path or header line
 *   -ECONNREFUSED, -EHOSTUNREACH, ... from connect; -ENOENT host not found
 *   -ETIMEDOUT   connect or read timeout
 *   -ECONNRESET  the connection ended before the response did
 *   -EPROTO      malformed response (or a TLS failure, see tls.h for those)
 *   -E2BIG       response head over XC_HTTP_HEAD_MAX or XC_HTTP_FIELDS_MAX
 *   -EFBIG       body over the caller's limit
 *   -ENOTSUP     a transfer coding other than chunked
 *
 * Names: xc_http_
 */
#ifndef XC_HTTP_H
#define XC_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kube/tls.h"

#define XC_HTTP_HOST_MAX 254
#define XC_HTTP_PATH_MAX 1024
#define XC_HTTP_HEAD_MAX 8192   /* response status line + header fields */
#define XC_HTTP_FIELDS_MAX 64   /* response header fields */
#define XC_HTTP_REQ_MAX 8192    /* request line + header fields */
#define XC_HTTP_CHUNK_EXT_MAX 4096 /* chunk extensions: ignored, but bounded */
#define XC_HTTP_TRAILER_MAX 8192   /* trailer fields: ignored, but bounded */
#define XC_HTTP_RBUF 16384
#define XC_HTTP_ERRLEN 400

struct xc_http_url {
	int tls;                         /* https */
	int ipv6;                        /* host is an IPv6 literal */
	uint16_t port;                   /* 80 / 443 unless given */
	char host[XC_HTTP_HOST_MAX + 1]; /* without brackets */
	char path[XC_HTTP_PATH_MAX];     /* path and query as written, may be "" */
};

/*
 * Parse an absolute http or https URL. User info, fragments' contents and
 * IPv6 zones are not supported. Returns 0 or -EINVAL.
 */
int xc_http_url_parse(const char *text, struct xc_http_url *u);

/* ---- the response parser --------------------------------------------- */

enum xc_http_framing {
	XC_HTTP_NO_BODY,     /* HEAD, 1xx, 204, 304 */
	XC_HTTP_LENGTH,      /* Content-Length */
	XC_HTTP_CHUNKED,     /* Transfer-Encoding: chunked */
	XC_HTTP_UNTIL_CLOSE, /* neither: the body ends with the connection */
};

struct xc_http_field {
	uint16_t name, value;    /* offsets of NUL-terminated text in head[] */
};

struct xc_http_resp {
	int status;              /* 100..599 */
	int keep_alive;          /* the connection may carry another request */
	enum xc_http_framing framing;
	uint64_t length;         /* Content-Length, for XC_HTTP_LENGTH */
	uint64_t body_max;       /* limit on body bytes; 0: none (a watch) */
	uint64_t body_seen;
	/* private */
	int head_request, bstate, digits;
	uint64_t left, size;
	size_t head_len, line_start, extra;
	unsigned nfields;
	struct xc_http_field field[XC_HTTP_FIELDS_MAX];
	char head[XC_HTTP_HEAD_MAX];
};

/* Prepare for a new response; head_request: it answers a HEAD request. */
void xc_http_resp_init(struct xc_http_resp *r, int head_request, uint64_t body_max);

/*
 * Feed bytes of the response head. Sets *used to the bytes taken. Returns
 * 1 when the head is complete (the rest of the input is body), 0 when more
 * is needed (all input taken), or -EPROTO, -E2BIG, -ENOTSUP, -EFBIG
 * (Content-Length over body_max). Interim 1xx responses are skipped.
 */
int xc_http_resp_head(struct xc_http_resp *r, const void *in, size_t len, size_t *used);

/* The first value of header field `name` (any case), or NULL. */
const char *xc_http_resp_field(const struct xc_http_resp *r, const char *name);

/*
 * Decode body bytes from `in` into `out`. Sets *used (input taken) and
 * *produced (body bytes written). Returns 1 when the body is complete
 * (input after it is left untaken), 0 when more input or more room is
 * needed, or -EPROTO (bad chunk framing), -EFBIG (over body_max), -E2BIG
 * (oversized chunk extension or trailer).
 */
int xc_http_resp_body(struct xc_http_resp *r, const void *in, size_t len, size_t *used,
		      void *out, size_t out_len, size_t *produced);

/*
 * The connection ended. Returns 1 if that ends the body properly (no body,
 * body complete, or a body delimited by the close), else -ECONNRESET.
 */
int xc_http_resp_eof(struct xc_http_resp *r);

/* Non-zero once the body is complete. */
int xc_http_resp_done(const struct xc_http_resp *r);

/*
 * Seconds from a Retry-After field given as delta-seconds, or -1 when it
 * is absent or an HTTP date.
 */
long xc_http_resp_retry_after(const struct xc_http_resp *r);

/* ---- the connection ---------------------------------------------------- */

struct xc_http_conn {
	struct xc_http_url url;
	const struct xc_tls_config *tls_cfg;
	struct xc_tls_conn *tls;
	int fd;                  /* -1 when not connected */
	int connect_timeout_ms;  /* default 10000 */
	int timeout_ms;          /* each wait of a blocking call; default 30000 */
	uint64_t body_max;       /* limit for xc_http_read bodies; 0: none */
	struct xc_http_resp resp; /* the current response: status, fields */
	/* private */
	int in_body, end_unreported, reused;
	unsigned requests;       /* on this connection, for tests and logs */
	size_t rpos, rlen;
	char err[XC_HTTP_ERRLEN];
	char req[XC_HTTP_REQ_MAX];
	unsigned char rbuf[XC_HTTP_RBUF];
};

/*
 * Prepare a connection object for `url` (nothing is connected yet). An
 * https URL needs tls_cfg and storage for the TLS connection in tls; both
 * must outlive c. Returns 0 or -EINVAL.
 */
int xc_http_init(struct xc_http_conn *c, const char *url,
		 const struct xc_tls_config *tls_cfg, struct xc_tls_conn *tls);

/*
 * Send a request and read the response head into c->resp. `path` (with
 * its query; NULL or "" for none) is appended to the URL's path. `fields` is NULL or a
 * NULL-terminated list of "Name: value" lines without CR/LF; Host and
 * (with a body) Content-Length are added. Connects, or reuses an idle
 * connection (retrying once on a fresh one when a reused connection turns
 * out closed before any response byte). Unread body of an earlier
 * response makes the connection be dropped, not drained.
 * Returns 0 (any HTTP status) or a negative errno.
 */
int xc_http_request(struct xc_http_conn *c, const char *method, const char *path,
		    const char *const *fields, const void *body, size_t body_len);

/*
 * Read decoded body bytes of the current response, waiting up to
 * timeout_ms (-1: forever, 0: not at all). Returns:
 *   > 0           that many body bytes in buf
 *   0             end of body: the response is complete
 *   -ECONNRESET   the connection ended before the body did (EOF)
 *   -EAGAIN       timeout_ms was 0 and no body byte is ready
 *   other < 0     error: -ETIMEDOUT, -EPROTO, -EFBIG, ...
 * After 0 or an error the connection is reused or closed as needed.
 */
ssize_t xc_http_read(struct xc_http_conn *c, void *buf, size_t len, int timeout_ms);

/* The socket to poll for input while streaming, -1 when not connected. */
int xc_http_fd(const struct xc_http_conn *c);

/*
 * Non-zero when xc_http_read can make progress without the socket
 * becoming readable (bytes buffered here or decrypted inside TLS, or an
 * end of body not yet reported). A poll loop calls xc_http_read instead of
 * sleeping while this is true.
 */
int xc_http_pending(const struct xc_http_conn *c);

/* Close the connection (the object can be used again for new requests). */
void xc_http_close(struct xc_http_conn *c);

#endif
