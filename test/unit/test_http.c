/*
 * test_http: URL parsing and the response parser from memory, then real
 * requests to test/lib/httptest_server.py on loopback (plain HTTP; TLS is
 * test_tls's business).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "kube/http.h"
#include "t.h"
#include "httptest.h"
#include "httpfetch.h"

static struct xc_http_conn conn;
static struct xc_http_resp resp;
static char body[300000];

/* ---- URLs ------------------------------------------------------------------ */

static void test_url(void)
{
	struct xc_http_url u;
	static const char *const bad[] = {
		"ftp://x", "https://", "https://[fd00::1", "https://user@host/",
		"https://host:0", "https://host:65536", "https://fd00::1:6443",
		"https://host:12a", "https://ho st/", "https://[zz::1]/", "host:80",
		"https://[::1]x:1/", NULL,
	};
	int i;

	T_INT(xc_http_url_parse("https://[fd00::1]:6443", &u), 0);
	T_INT(u.tls, 1);
	T_INT(u.ipv6, 1);
	T_STR(u.host, "fd00::1");
	T_INT(u.port, 6443);
	T_STR(u.path, "");

	T_INT(xc_http_url_parse("http://localhost", &u), 0);
	T_INT(u.tls, 0);
	T_INT(u.port, 80);
	T_STR(u.host, "localhost");

	T_INT(xc_http_url_parse("HTTPS://10.0.0.1/k8s/clusters/c-1?x=1#frag", &u), 0);
	T_INT(u.port, 443);
	T_STR(u.host, "10.0.0.1");
	T_STR(u.path, "/k8s/clusters/c-1?x=1");

	T_INT(xc_http_url_parse("https://[::1]/", &u), 0);
	T_STR(u.host, "::1");
	T_INT(u.port, 443);
	T_INT(xc_http_url_parse("https://kubernetes.default.svc:/", &u), 0);
	T_INT(u.port, 443);

	for (i = 0; bad[i]; i++)
		if (!T(xc_http_url_parse(bad[i], &u) == -EINVAL))
			printf("     accepted %s\n", bad[i]);
}

/* ---- the parser from memory ---------------------------------------------- */

/* Feed a whole response in pieces of `step` bytes; body into out. */
static int feed(const char *in, size_t len, size_t step, int head_req, uint64_t max,
		char *out, size_t out_max, size_t *out_len)
{
	size_t pos = 0, used, got, n;
	int r = 0, in_head = 1;

	*out_len = 0;
	xc_http_resp_init(&resp, head_req, max);
	while (pos < len) {
		n = len - pos < step ? len - pos : step;
		while (n > 0) {
			if (in_head) {
				r = xc_http_resp_head(&resp, in + pos, n, &used);
				if (r == 1)
					in_head = 0;
			} else {
				r = xc_http_resp_body(&resp, in + pos, n, &used, out + *out_len,
						      out_max - *out_len, &got);
				*out_len += got;
				if (r == 1)
					return 1;
			}
			if (r < 0)
				return r;
			pos += used;
			n -= used;
			if (!used && !in_head && r == 0)
				return -ENOBUFS;
		}
	}
	if (in_head)
		return 0;
	r = xc_http_resp_body(&resp, "", 0, &used, out + *out_len, out_max - *out_len, &got);
	return r;
}

#define SLEN(s) (sizeof(s) - 1)
#define FEED(s, step, out, n) feed(s, SLEN(s), step, 0, 0, out, sizeof(out), n)
/* Into the local out/n with a body limit. */
#define FEEDN(s, max) feed(s, SLEN(s), 64, 0, max, out, sizeof(out), &n)

static void test_parse_basic(void)
{
	static const char r1[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				 "Content-Length: 5\r\nX-Empty:\r\n\r\nhello";
	static const char r2[] = "HTTP/1.1 429 Too Many Requests\nRetry-After:  7 \n"
				 "content-length: 0\n\n";
	char out[64];
	size_t n, step;

	for (step = 1; step <= sizeof(r1); step++) {
		T_INT(FEED(r1, step, out, &n), 1);
		T_INT(n, 5);
	}
	T(!memcmp(out, "hello", 5));
	T_INT(resp.status, 200);
	T_INT(resp.framing, XC_HTTP_LENGTH);
	T_INT(resp.keep_alive, 1);
	T_STR(xc_http_resp_field(&resp, "content-type"), "application/json");
	T_STR(xc_http_resp_field(&resp, "CONTENT-TYPE"), "application/json");
	T_STR(xc_http_resp_field(&resp, "x-empty"), "");
	T(xc_http_resp_field(&resp, "x-missing") == NULL);
	T_INT(xc_http_resp_retry_after(&resp), -1);

	/* Bare LF line ends, padded values, no body. */
	T_INT(FEED(r2, 3, out, &n), 1);
	T_INT(resp.status, 429);
	T_INT(xc_http_resp_retry_after(&resp), 7);
	T_INT(n, 0);
}

static void test_parse_chunked(void)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
				"4\r\n{\"a\"\r\n"
				"B;ext=1;q=\"x\"\r\n:1}\n{\"b\":2}\r\n"
				"1\r\n\n\r\n"
				"0\r\nX-Trailer: t\r\n\r\n";
	static const char want[] = "{\"a\":1}\n{\"b\":2}\n";
	char out[64];
	size_t n, split, used, got, a;
	int ok = 1, r1, r2;

	T_INT(FEED(r, 1, out, &n), 1);
	T_INT(n, sizeof(want) - 1);
	T(!memcmp(out, want, n));
	T_INT(resp.framing, XC_HTTP_CHUNKED);

	/* Every split point of the body gives the same bytes. */
	for (split = 0; split <= sizeof(r) - 1; split++) {
		xc_http_resp_init(&resp, 0, 0);
		r1 = xc_http_resp_head(&resp, r, sizeof(r) - 1, &used);
		a = used;
		if (split < a)
			continue;
		r1 = xc_http_resp_body(&resp, r + a, split - a, &used, out, sizeof(out), &got);
		n = got;
		r2 = xc_http_resp_body(&resp, r + a + used, sizeof(r) - 1 - a - used, &used,
				       out + n, sizeof(out) - n, &got);
		n += got;
		if (r1 < 0 || r2 != 1 || n != sizeof(want) - 1 || memcmp(out, want, n))
			ok = 0;
	}
	T(ok);

	/* A small output buffer: the parser stops and resumes. */
	xc_http_resp_init(&resp, 0, 0);
	T_INT(xc_http_resp_head(&resp, r, sizeof(r) - 1, &used), 1);
	a = used;
	n = 0;
	do {
		r1 = xc_http_resp_body(&resp, r + a, sizeof(r) - 1 - a, &used, out + n, 3, &got);
		a += used;
		n += got;
	} while (r1 == 0 && got);
	T_INT(r1, 1);
	T_INT(n, sizeof(want) - 1);
	T(!memcmp(out, want, n));
}

static void test_parse_framing(void)
{
	static const char head_resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
	static const char nocontent[] = "HTTP/1.1 204 No Content\r\n\r\n";
	static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\n\r\n"
				      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	static const char close_body[] = "HTTP/1.1 200 OK\r\n\r\nall of it";
	static const char old[] = "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx";
	static const char both[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n";
	char out[64];
	size_t n;

	T_INT(feed(head_resp, sizeof(head_resp) - 1, 7, 1, 0, out, sizeof(out), &n), 1);
	T_INT(resp.framing, XC_HTTP_NO_BODY);
	T_INT(FEED(nocontent, 5, out, &n), 1);
	T_INT(resp.status, 204);
	T_INT(FEED(interim, 4, out, &n), 1);
	T_INT(resp.status, 200);
	T(n == 2 && !memcmp(out, "ok", 2));

	T_INT(FEED(close_body, 4, out, &n), 0);
	T_INT(resp.framing, XC_HTTP_UNTIL_CLOSE);
	T_INT(resp.keep_alive, 0);
	T_INT(xc_http_resp_eof(&resp), 1);
	T(n == 9 && !memcmp(out, "all of it", 9));

	T_INT(FEED(old, 64, out, &n), 1);
	T_INT(resp.keep_alive, 0);
	T_INT(FEED(both, 64, out, &n), 1);
	T_INT(resp.framing, XC_HTTP_CHUNKED);
	T_INT(resp.keep_alive, 0);
	T_INT(n, 1);
}

static void test_parse_errors(void)
{
	static const struct {
		const char *text;
		int err;
	} cases[] = {
		{ "HTTP/2 200 OK\r\n\r\n", -EPROTO },
		{ "HTTP/1.1 20 OK\r\n\r\n", -EPROTO },
		{ "HTTP/1.1 200OK\r\n\r\n", -EPROTO },
		{ "HTTP/1.1 600 Odd\r\n\r\n", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nName : x\r\n\r\n", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nA: x\r\n folded\r\n\r\n", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", -ENOTSUP },
		{ "HTTP/1.1 101 Switching\r\n\r\n", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1x\r\n", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "1000000000000000\r\n", -EPROTO },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\rx", -EPROTO },
	};
	char out[64], big[XC_HTTP_HEAD_MAX + 200];
	size_t i, n, len;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = feed(cases[i].text, strlen(cases[i].text), 3, 0, 0, out, sizeof(out), &n);
		if (!t_check(r == cases[i].err, __FILE__, __LINE__, "parse error case"))
			printf("     case %zu: got %d want %d\n", i, r, cases[i].err);
	}

	/* A NUL byte in the head. */
	T_INT(FEEDN("HTTP/1.1 200 OK\r\nA: \0\r\n\r\n", 0), -EPROTO);

	/* Head over the limit, and too many fields. */
	len = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nX: ");
	memset(big + len, 'a', sizeof(big) - len - 5);
	memcpy(big + sizeof(big) - 5, "\r\n\r\n", 5);
	T_INT(feed(big, sizeof(big) - 1, 1000, 0, 0, out, sizeof(out), &n), -E2BIG);
	len = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\n");
	for (i = 0; i <= XC_HTTP_FIELDS_MAX; i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len, "F%zu: v\r\n", i);
	len += (size_t)snprintf(big + len, sizeof(big) - len, "\r\n");
	T_INT(feed(big, len, 100, 0, 0, out, sizeof(out), &n), -E2BIG);

	/* Body limits: by Content-Length up front, by counting when chunked. */
	T_INT(FEEDN("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", 10), -EFBIG);
	T_INT(FEEDN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n", 10), -EFBIG);

	/* The connection ends too early. */
	T_INT(FEEDN("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0), 0);
	T_INT(xc_http_resp_eof(&resp), -ECONNRESET);
	T_INT(FEEDN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", 0), 0);
	T_INT(xc_http_resp_eof(&resp), -ECONNRESET);
}

/* ---- live requests ------------------------------------------------------------ */

static char url[128];

static const char *plain(const char *host, int port)
{
	snprintf(url, sizeof(url), "http://%s:%d", host, port);
	return url;
}

static int fetch(const char *path, size_t max, size_t *n)
{
	int r = ht_fetch(&conn, "GET", path, NULL, NULL, 0, body, max, n);

	if (r >= 0 && *n < sizeof(body))
		body[*n] = 0;
	return r;
}

/* How long to wait for what the server sends: a safety deadline, not a bound on speed. */
#define WAIT_MS 60000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_live_basic(int port)
{
	static const char *const fields[] = {
		"Authorization: Bearer secret-token-123", "Accept: application/json", NULL,
	};
	char want[64];
	size_t n;

	T_INT(xc_http_init(&conn, plain("127.0.0.1", port), NULL, NULL), 0);
	T_INT(fetch("/hello", sizeof(body), &n), 0);
	T_INT(conn.resp.status, 200);
	T_STR(body, "hello");

	/* Keep-alive: the same connection carries the next requests. */
	T_INT(fetch("/conn", sizeof(body), &n), 0);
	T(strstr(body, " req=2") != NULL);
	T_INT(conn.requests, 2);

	T_INT(ht_fetch(&conn, "POST", "/echo?x=1", fields, "{\"k\":1}", 7, body,
		       sizeof(body), &n), 0);
	body[n] = 0;
	snprintf(want, sizeof(want), "host: 127.0.0.1:%d\n", port);
	T(strstr(body, "POST /echo?x=1\n") != NULL);
	T(strstr(body, want) != NULL);
	T(strstr(body, "authorization: Bearer secret-token-123\n") != NULL);
	T(strstr(body, "content-length: 7\n") != NULL);
	T(strstr(body, "body={\"k\":1}\n") != NULL);
	T(strstr(body, " req=3\n") != NULL);

	T_INT(fetch("/retry", sizeof(body), &n), 0);
	T_INT(conn.resp.status, 429);
	T_INT(xc_http_resp_retry_after(&conn.resp), 7);
	T_STR(body, "slow down");
	T_INT(fetch("/interim", sizeof(body), &n), 0);
	T_STR(body, "after interim");
	T_INT(fetch("/nocontent", sizeof(body), &n), 0);
	T_INT(conn.resp.status, 204);
	T_INT(n, 0);
	T_INT(fetch("/nope", sizeof(body), &n), 0);
	T_INT(conn.resp.status, 404);
	T_INT(fetch("/conn", sizeof(body), &n), 0);
	T(strstr(body, " req=8") != NULL);

	/* Header injection is refused before anything is sent. */
	{
		static const char *const evil[] = { "X-A: 1\r\nX-B: 2", NULL };

		T_INT(xc_http_request(&conn, "GET", "/hello", evil, NULL, 0), -EINVAL);
		T_INT(xc_http_request(&conn, "GET", "/a b", NULL, NULL, 0), -EINVAL);
	}
	xc_http_close(&conn);
}

static void test_live_close(int port)
{
	size_t n;

	T_INT(xc_http_init(&conn, plain("127.0.0.1", port), NULL, NULL), 0);
	T_INT(fetch("/close", sizeof(body), &n), 0);
	T_STR(body, "until-close body");
	T_INT(xc_http_fd(&conn), -1);
	T_INT(fetch("/http10", sizeof(body), &n), 0);
	T_STR(body, "old-style body");
	T_INT(xc_http_fd(&conn), -1);

	/* "Connection: close" is obeyed; the next request reconnects. */
	T_INT(fetch("/bye", sizeof(body), &n), 0);
	T_INT(xc_http_fd(&conn), -1);
	T_INT(fetch("/conn", sizeof(body), &n), 0);
	T(strstr(body, " req=1") != NULL);

	/* A kept connection the server closed while idle (its FIN is in) is replaced. */
	T_INT(fetch("/idleclose", sizeof(body), &n), 0);
	T(xc_http_fd(&conn) >= 0);
	{
		struct pollfd p = { xc_http_fd(&conn), POLLIN, 0 };

		T(poll(&p, 1, WAIT_MS) == 1);
	}
	T_INT(fetch("/conn", sizeof(body), &n), 0);
	T_INT(conn.resp.status, 200);
	T(strstr(body, " req=1") != NULL);
	xc_http_close(&conn);
}

/* Read a chunked body with a tiny buffer: the bytes are the events. */
static void test_live_chunked(int port)
{
	static const char want[] =
		"{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"node-a\",\"resourceVersion\":\"11\"}}}\n"
		"{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"node-b\",\"resourceVersion\":\"12\"}}}\n"
		"{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"node-c\",\"resourceVersion\":\"13\"}}}\n";
	size_t n = 0;
	ssize_t r;

	T_INT(xc_http_init(&conn, plain("127.0.0.1", port), NULL, NULL), 0);
	T_INT(xc_http_request(&conn, "GET", "/chunked", NULL, NULL, 0), 0);
	T_INT(conn.resp.framing, XC_HTTP_CHUNKED);
	while ((r = xc_http_read(&conn, body + n, 7, WAIT_MS)) > 0)
		n += (size_t)r;
	T_INT(r, 0);
	T_INT(n, sizeof(want) - 1);
	T(!memcmp(body, want, sizeof(want) - 1));
	/* Trailer consumed, connection clean: it is reused. */
	T_INT(fetch("/conn", sizeof(body), &n), 0);
	T(strstr(body, " req=2") != NULL);
	xc_http_close(&conn);
}

/* A watch-like stream driven by poll(), as the router's loop does. */
static int stream_poll(const char *path, int expect_events)
{
	struct pollfd p;
	size_t n = 0;
	ssize_t r;
	int lines = 0, waits = 0;
	size_t i;

	if (xc_http_request(&conn, "GET", path, NULL, NULL, 0))
		return -1;
	for (;;) {
		if (!xc_http_pending(&conn)) {
			p.fd = xc_http_fd(&conn);
			p.events = POLLIN;
			if (poll(&p, 1, WAIT_MS) != 1)
				return -2;
			waits++;
		}
		r = xc_http_read(&conn, body + n, 5, 0);
		if (r == -EAGAIN)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (r != 0)
		return -3;
	for (i = 0; i < n; i++)
		lines += body[i] == '\n';
	if (lines != expect_events || waits < 2)
		return -4;
	return 0;
}

static void test_live_stream(int port)
{
	size_t n;

	T_INT(xc_http_init(&conn, plain("127.0.0.1", port), NULL, NULL), 0);
	T_INT(stream_poll("/stream?n=6", 6), 0);
	T_INT(stream_poll("/chunked", 3), 0);
	/* Bytes left in our buffer are reported as pending. */
	T_INT(xc_http_request(&conn, "GET", "/hello", NULL, NULL, 0), 0);
	T_INT(xc_http_read(&conn, body, 1, WAIT_MS), 1);
	T(xc_http_pending(&conn));
	T_INT(xc_http_read(&conn, body + 1, 10, 0), 4);
	T(xc_http_pending(&conn)); /* the end of body is still to be said */
	T_INT(xc_http_read(&conn, body, 10, 0), 0);
	T(!xc_http_pending(&conn));
	T_INT(fetch("/conn", sizeof(body), &n), 0);
	T(strstr(body, " req=4") != NULL);
	xc_http_close(&conn);
}

static void test_live_limits(int port)
{
	size_t n;
	ssize_t r;
	double t0;

	T_INT(xc_http_init(&conn, plain("127.0.0.1", port), NULL, NULL), 0);
	T_INT(fetch("/bighead", sizeof(body), &n), -E2BIG);
	T(strstr(conn.err, "larger than") != NULL);
	T_INT(fetch("/manyfields", sizeof(body), &n), -E2BIG);
	T_INT(fetch("/big?n=100000", 1000, &n), -EFBIG);
	T_INT(fetch("/bigchunked?n=5000", 1000, &n), -EFBIG);
	T_INT(fetch("/big?n=100000", sizeof(body), &n), 0);
	T_INT(n, 100000);
	T_INT(fetch("/bigchunked?n=250000", sizeof(body), &n), 0);
	T_INT(n, 250000);
	T_INT(fetch("/big?n=1000", 1000, &n), 0);
	T_INT(fetch("/bigchunked?n=1000", 1000, &n), 0);
	T_INT(n, 1000);
	T_INT(fetch("/gzip", sizeof(body), &n), -ENOTSUP);
	T_INT(fetch("/badchunk", sizeof(body), &n), -EPROTO);
	T(strstr(conn.err, "malformed response body") != NULL);
	T_INT(fetch("/longext", sizeof(body), &n), -E2BIG);
	T(strstr(conn.err, "chunk extension over 4096 bytes") != NULL);
	T_INT(fetch("/truncated", sizeof(body), &n), -ECONNRESET);
	T_INT(fetch("/chunktrunc", sizeof(body), &n), -ECONNRESET);
	T(strstr(conn.err, "before the end") != NULL);

	/*
	 * Timeouts: waiting for the head, then for the body. The server is
	 * silent for 60 s: a timeout of 300 ms that ends the wait well before
	 * (30 s: generous for a loaded machine) is the client's doing.
	 */
	conn.timeout_ms = 300;
	t0 = now_s();
	T_INT(fetch("/slowhead?ms=60000", sizeof(body), &n), -ETIMEDOUT);
	T(now_s() - t0 < 30);
	conn.timeout_ms = WAIT_MS;
	T_INT(xc_http_request(&conn, "GET", "/stall", NULL, NULL, 0), 0);
	T_INT(xc_http_read(&conn, body, sizeof(body), WAIT_MS), 10);
	t0 = now_s();
	r = xc_http_read(&conn, body, sizeof(body), 300);
	T_INT(r, -ETIMEDOUT);
	T(now_s() - t0 < 30);
	T_INT(xc_http_fd(&conn), -1);
	xc_http_close(&conn);
}

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/*
 * A listener whose accept queue is full drops new SYNs, so a connect to it
 * hangs: the connect timeout must end it. Returns the listener (or -1).
 */
static int full_listener(int *port, int fds[4])
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), i;

	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 0) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		return -1;
	for (i = 0; i < 4; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fds[i], (struct sockaddr *)&a, sizeof(a));
	}
	/* until one is connected: it fills the queue (backlog 0), the rest hang */
	{
		struct pollfd p[4];

		for (i = 0; i < 4; i++)
			p[i] = (struct pollfd){ fds[i], POLLOUT, 0 };
		if (poll(p, 4, WAIT_MS) < 1)
			return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static void test_live_connect(void)
{
	static const char *const fields[] = { "Authorization: Bearer secret-token-123", NULL };
	int lfd, port = 0, fds[4] = { -1, -1, -1, -1 }, i;
	double t0;
	size_t n;

	lfd = full_listener(&port, fds);
	T(lfd >= 0);
	T_INT(xc_http_init(&conn, plain("127.0.0.1", port), NULL, NULL), 0);
	/* the kernel would try for 2 minutes: well under that, 300 ms is ours */
	conn.connect_timeout_ms = 300;
	t0 = now_s();
	T_INT(ht_fetch(&conn, "GET", "/", NULL, NULL, 0, body, 10, &n), -ETIMEDOUT);
	T(now_s() - t0 < 30);
	T(strstr(conn.err, "connect timed out after 300 ms") != NULL);
	for (i = 0; i < 4; i++)
		close(fds[i]);
	close(lfd);

	T_INT(xc_http_init(&conn, plain("127.0.0.1", free_port()), NULL, NULL), 0);
	T_INT(ht_fetch(&conn, "GET", "/", fields, NULL, 0, body, 10, &n), -ECONNREFUSED);
	T(strstr(conn.err, "http://127.0.0.1:") != NULL);
	T(strstr(conn.err, "secret") == NULL);
	T_INT(xc_http_init(&conn, "http://no-such-host.invalid:1/", NULL, NULL), 0);
	T(ht_fetch(&conn, "GET", "/", NULL, NULL, 0, body, 10, &n) < 0);
	T_INT(xc_http_init(&conn, "https://127.0.0.1/", NULL, NULL), -EINVAL);
}

static void test_live_ipv6(int port)
{
	char want[64];
	size_t n;

	T_INT(xc_http_init(&conn, plain("[::1]", port), NULL, NULL), 0);
	T_INT(fetch("/echo", sizeof(body), &n), 0);
	snprintf(want, sizeof(want), "host: [::1]:%d\n", port);
	T(strstr(body, want) != NULL);
	xc_http_close(&conn);
}

int main(void)
{
	signal(SIGPIPE, SIG_DFL);
	test_url();
	test_parse_basic();
	test_parse_chunked();
	test_parse_framing();
	test_parse_errors();
	if (!T(ht_start() == 0))
		return t_done("test_http");
	test_live_basic(ht_port("plain"));
	test_live_close(ht_port("plain"));
	test_live_chunked(ht_port("plain"));
	test_live_stream(ht_port("plain"));
	test_live_limits(ht_port("plain"));
	test_live_connect();
	if (ht_port("plain6"))
		test_live_ipv6(ht_port("plain6"));
	else
		printf("SKIP test_http: no IPv6 loopback\n");
	return t_done("test_http");
}
