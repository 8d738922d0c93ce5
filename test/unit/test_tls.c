/*
 * test_tls: PEM loading, the identity rules, and real handshakes against
 * test/lib/httptest_server.py (Python's ssl module) on loopback, through
 * core/kube/http as the router and node-local use it.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <time.h>

#include "kube/http.h"
#include "kube/tls.h"
#include "t.h"
#include "httptest.h"
#include "httpfetch.h"

static br_x509_trust_anchor anchors[8];
static unsigned char store[32768];
static struct xc_tls_config cfg;
static struct xc_tls_conn tls;
static struct xc_http_conn conn;
static char body[4096];
static char path[600];

static const char *cert(const char *name)
{
	return ht_file(path, sizeof(path), name);
}

static size_t slurp(const char *name, char *buf, size_t size)
{
	int fd = open(cert(name), O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n > 0 ? (size_t)n : 0;
}

static void reset_cfg(const char *ca)
{
	xc_tls_config_init(&cfg, anchors, 8, store, sizeof(store));
	if (ca)
		T_INT(xc_tls_add_ca_file(&cfg, cert(ca)), 1);
}

/* ---- pure checks ------------------------------------------------------------- */

static void test_dns_match(void)
{
	static const struct {
		const char *pattern, *host;
		int match;
	} cases[] = {
		{ "*.example.test", "a.example.test", 1 },
		{ "*.example.test", "A.EXAMPLE.TEST.", 1 },
		{ "*.example.test", "example.test", 0 },
		{ "*.example.test", "a.b.example.test", 0 },
		{ "*.example.test", ".example.test", 0 },
		{ "*.example.test", "*.example.test", 0 },
		{ "f*.partial.test", "foo.partial.test", 0 },
		{ "*o.partial.test", "foo.partial.test", 0 },
		{ "a.*.test", "a.b.test", 0 },
		{ "*.*.example.test", "a.b.example.test", 0 },
		{ "*.test", "a.test", 0 },
		{ "*", "a", 0 },
		{ "Kubernetes.Default", "kubernetes.default", 1 },
		{ "kubernetes.default.", "kubernetes.default", 1 },
		{ "kubernetes.default", "kubernetes.default.svc", 0 },
		{ "kubernetes.default.svc", "kubernetes.default", 0 },
		{ "", "a", 0 },
		{ "a", "", 0 },
	};
	size_t i;
	int got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = xc_tls_dns_match(cases[i].pattern, strlen(cases[i].pattern), cases[i].host);
		if (!t_check(got == cases[i].match, __FILE__, __LINE__, "dns_match case"))
			printf("     %s vs %s: got %d\n", cases[i].pattern, cases[i].host, got);
	}
	/* A NUL inside a certificate's name never matches the prefix before it. */
	T(!xc_tls_dns_match("a.example.test\0.evil", 20, "a.example.test"));
}

static void test_pem_anchors(void)
{
	static char pem[8192], crlf[16384];
	size_t n, i, j;
	size_t used;

	reset_cfg(NULL);
	T_INT(xc_tls_add_ca_file(&cfg, cert("ca-bundle.crt")), 2);
	T_INT(cfg.ta_num, 2);
	T(cfg.ta[0].flags & BR_X509_TA_CA);
	T_INT(cfg.ta[0].pkey.key_type, BR_KEYTYPE_EC);
	T_INT(cfg.ta[1].pkey.key_type, BR_KEYTYPE_RSA);
	T_INT(xc_tls_add_ca_file(&cfg, cert("other-ca.crt")), 1);
	T_INT(cfg.ta_num, 3);

	/* Full store: nothing of the failed call is kept. */
	xc_tls_config_init(&cfg, anchors, 1, store, sizeof(store));
	T_INT(xc_tls_add_ca_file(&cfg, cert("ca-bundle.crt")), -ENOSPC);
	T(strstr(cfg.err, "more than 1 CA certificates") != NULL);
	T_INT(cfg.ta_num, 0);
	T_INT(cfg.mem_used, 0);
	xc_tls_config_init(&cfg, anchors, 8, store, 40);
	T_INT(xc_tls_add_ca_file(&cfg, cert("ca.crt")), -ENOSPC);
	T_INT(cfg.mem_used, 0);

	reset_cfg(NULL);
	T_INT(xc_tls_add_ca_file(&cfg, cert("no-such-file")), -ENOENT);
	/* a directory (or a FIFO) at the path is named as such, never read or waited on */
	T_INT(xc_tls_add_ca_file(&cfg, "/"), -EBADFD);
	T(strstr(cfg.err, "/ is not a regular file") != NULL);
	reset_cfg(NULL);
	T_INT(xc_tls_add_ca_file(&cfg, cert("ca.key")), -EINVAL);
	T(strstr(cfg.err, "no usable PEM") != NULL);
	T_INT(xc_tls_add_ca_pem(&cfg, "garbage", 7), -EINVAL);

	/* From memory (kubeconfig certificate-authority-data), CRLF line ends. */
	n = slurp("ca.crt", pem, sizeof(pem));
	T_INT(xc_tls_add_ca_pem(&cfg, pem, n), 1);
	for (i = j = 0; i < n; i++) {
		if (pem[i] == '\n')
			crlf[j++] = '\r';
		crlf[j++] = pem[i];
	}
	T_INT(xc_tls_add_ca_pem(&cfg, crlf, j), 1);
	/* No final newline is fine; a cut object is not. */
	T_INT(xc_tls_add_ca_pem(&cfg, pem, n - 1), 1);
	used = cfg.mem_used;
	T_INT(xc_tls_add_ca_pem(&cfg, pem, n / 2), -EINVAL);
	T_INT(cfg.mem_used, used);
	T_INT(cfg.ta_num, 3);
	/* A corrupted certificate body. */
	memcpy(pem + 28, "AAAA", 4);
	T_INT(xc_tls_add_ca_pem(&cfg, pem, n), -EINVAL);
}

static void test_pem_client(void)
{
	static const char *const keys[][2] = {
		{ "client-ec.crt", "client-ec.key" },
		{ "client-ec.crt", "client-ec-pkcs8.key" },
		{ "client-rsa.crt", "client-rsa.key" },
		{ "client-rsa.crt", "client-rsa-pkcs8.key" },
	};
	static const char enc[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
				  "-----END ENCRYPTED PRIVATE KEY-----\n";
	static char crt[8192], key[8192];
	char p2[600];
	size_t i, cn, kn;

	for (i = 0; i < 4; i++) {
		reset_cfg(NULL);
		ht_file(p2, sizeof(p2), keys[i][1]);
		if (!T(xc_tls_set_client_files(&cfg, cert(keys[i][0]), p2) == 0))
			printf("     %s: %s\n", keys[i][1], cfg.err);
		T_INT(cfg.key_type, i < 2 ? BR_KEYTYPE_EC : BR_KEYTYPE_RSA);
		T_INT(cfg.chain_len, 1);
	}
	/* Twice is refused; a mismatched pair is refused and leaves nothing. */
	T_INT(xc_tls_set_client_files(&cfg, cert("client-rsa.crt"), p2), -EEXIST);
	reset_cfg(NULL);
	ht_file(p2, sizeof(p2), "client-rsa.key");
	T_INT(xc_tls_set_client_files(&cfg, cert("client-ec.crt"), p2), -EINVAL);
	T(strstr(cfg.err, "does not match") != NULL);
	ht_file(p2, sizeof(p2), "server.key");
	T_INT(xc_tls_set_client_files(&cfg, cert("client-ec.crt"), p2), -EINVAL);
	T_INT(cfg.key_type, 0);
	T_INT(cfg.mem_used, 0);

	/* From memory: chain with its intermediate, key and cert in one text. */
	cn = slurp("server-inter-chain.crt", crt, sizeof(crt));
	kn = slurp("server-inter.key", key, sizeof(key));
	T_INT(xc_tls_set_client_pem(&cfg, crt, cn, key, kn), 0);
	T_INT(cfg.chain_len, 2);
	reset_cfg(NULL);
	memcpy(crt + cn, key, kn);
	T_INT(xc_tls_set_client_pem(&cfg, crt, cn + kn, crt, cn + kn), 0);
	reset_cfg(NULL);
	T_INT(xc_tls_set_client_pem(&cfg, crt, cn, enc, sizeof(enc) - 1), -ENOTSUP);
	T_INT(xc_tls_set_client_pem(&cfg, crt, cn, crt, cn), -EINVAL);
	T_INT(xc_tls_set_client_pem(&cfg, key, kn, key, kn), -EINVAL);
}

/* The DER of a certificate, borrowed through the client-chain loader. */
static void load_der(const char *crt, const char *keyfile)
{
	char p2[600];

	reset_cfg(NULL);
	ht_file(p2, sizeof(p2), keyfile);
	T_INT(xc_tls_set_client_files(&cfg, cert(crt), p2), 0);
}

static void test_identity(void)
{
	char err[XC_TLS_ERRLEN];
	const void *der;
	size_t len;

	load_der("server.crt", "server.key");
	der = cfg.chain[0].data;
	len = cfg.chain[0].data_len;
	T_INT(xc_tls_check_identity(der, len, "127.0.0.1", err, sizeof(err)), 0);
	T_INT(xc_tls_check_identity(der, len, "::1", err, sizeof(err)), 0);
	T_INT(xc_tls_check_identity(der, len, "0:0::0:1", err, sizeof(err)), 0);
	T_INT(xc_tls_check_identity(der, len, "::ffff:127.0.0.1", err, sizeof(err)), 0);
	T_INT(xc_tls_check_identity(der, len, "kubernetes.default.svc", err, sizeof(err)), 0);
	T_INT(xc_tls_check_identity(der, len, "KUBERNETES", err, sizeof(err)), 0);
	T_INT(xc_tls_check_identity(der, len, "127.0.0.2", err, sizeof(err)), -EKEYREJECTED);
	T_STR(err, "server certificate is valid for DNS:localhost, DNS:kubernetes, "
		   "DNS:kubernetes.default, DNS:kubernetes.default.svc, "
		   "DNS:kubernetes.default.svc.cluster.local, IP:127.0.0.1, IP:::1, "
		   "not for IP 127.0.0.2");
	T_INT(xc_tls_check_identity(der, len, "evil.example", err, 40), -EKEYREJECTED);
	T_STR(err, "server certificate is valid for DNS:...");
	/* A name that looks like an IP SAN's text is still a name. */
	T_INT(xc_tls_check_identity(der, len, "xc-test-server", err, sizeof(err)), -EKEYREJECTED);
	T_INT(xc_tls_check_identity(der, 10, "127.0.0.1", err, sizeof(err)), -EINVAL);

	/* DER with bytes after the certificate: refused, never read past. */
	{
		static unsigned char der2[4096];
		static char pem[8192];
		size_t pl;

		memcpy(der2, der, len);
		memcpy(der2 + len, "\x30\x00\x00", 3);
		pl = br_pem_encode(pem, der2, len + 3, "CERTIFICATE", BR_PEM_LINE64);
		reset_cfg(NULL);
		T_INT(xc_tls_add_ca_pem(&cfg, pem, pl), -EINVAL);
		T_INT(cfg.ta_num, 0);
		pl = br_pem_encode(pem, der2, len, "CERTIFICATE", BR_PEM_LINE64);
		T_INT(xc_tls_add_ca_pem(&cfg, pem, pl), 1);
		T_INT(xc_tls_set_client_pem(&cfg, pem, pl, pem, pl), -EINVAL);
	}

	load_der("expired.crt", "expired.key");
	T_INT(xc_tls_cert_validity(cfg.chain[0].data, cfg.chain[0].data_len, err, sizeof(err)), 0);
	T_STR(err, "valid from 2020-01-01 00:00:00 until 2020-01-02 00:00:00 UTC");
}

/* ---- handshakes ------------------------------------------------------------------ */

static char url[160];

/* How long to wait for what the server sends: a safety deadline, not a bound on speed. */
#define WAIT_MS 60000

/* GET path over https://host:port with the current cfg; body in body[]. */
static int get(const char *host, const char *listener, const char *p)
{
	size_t n = 0;
	int r;

	snprintf(url, sizeof(url), "https://%s:%d", host, ht_port(listener));
	if (xc_http_init(&conn, url, &cfg, &tls))
		return -999;
	conn.timeout_ms = WAIT_MS;
	r = ht_fetch(&conn, "GET", p, NULL, NULL, 0, body, sizeof(body) - 1, &n);
	body[n] = 0;
	xc_http_close(&conn);
	return r;
}

static void test_trust(void)
{
	reset_cfg("ca.crt");
	T_INT(get("127.0.0.1", "tls", "/hello"), 0);
	T_INT(conn.resp.status, 200);
	T_STR(body, "hello");
	T_INT(get("127.0.0.1", "tls", "/sni"), 0);
	T_STR(body, "-");                        /* never an IP in SNI */
	T_INT(get("localhost", "tls", "/sni"), 0);
	T_STR(body, "localhost");
	T_INT(get("127.0.0.1", "inter", "/hello"), 0); /* chain via an intermediate */

	T_INT(get("127.0.0.1", "other", "/hello"), -EKEYREJECTED);
	T(strstr(conn.err, "unknown authority") != NULL);
	T(strstr(conn.err, "https://127.0.0.1:") == conn.err);
	T_INT(get("127.0.0.1", "rsa", "/hello"), -EKEYREJECTED);

	reset_cfg("ca-rsa.crt");
	T_INT(get("127.0.0.1", "rsa", "/hello"), 0);  /* ECDHE_RSA, RSA anchor */
	T_INT(get("127.0.0.1", "tls", "/hello"), -EKEYREJECTED);
	reset_cfg(NULL);
	T_INT(xc_tls_add_ca_file(&cfg, cert("ca-bundle.crt")), 2);
	T_INT(get("127.0.0.1", "rsa", "/hello"), 0);
	T_INT(get("127.0.0.1", "tls", "/hello"), 0);
	reset_cfg(NULL);                          /* no anchor at all */
	T_INT(get("127.0.0.1", "tls", "/hello"), -EKEYREJECTED);
}

static void test_names(void)
{
	reset_cfg("ca.crt");
	T_INT(get("127.0.0.1", "iponly", "/hello"), 0);
	T_INT(get("localhost", "iponly", "/hello"), -EKEYREJECTED);
	T(strstr(conn.err, "valid for IP:127.0.0.1, not for localhost") != NULL);
	T_INT(get("127.0.0.2", "iponly2", "/hello"), -EKEYREJECTED);
	T(strstr(conn.err, "not for IP 127.0.0.2") != NULL);
	T_INT(get("127.0.0.2", "tls2", "/hello"), -EKEYREJECTED);
	if (ht_port("tls6")) {
		T_INT(get("[::1]", "tls6", "/sni"), 0);
		T_STR(body, "-");
	}

	/* tls-server-name: verify (and send as SNI) a name while dialling an IP. */
	T_INT(xc_tls_set_server_name(&cfg, "kubernetes.default.svc"), 0);
	T_INT(get("127.0.0.2", "tls2", "/sni"), 0);
	T_STR(body, "kubernetes.default.svc");
	T_INT(xc_tls_set_server_name(&cfg, "wrong.example"), 0);
	T_INT(get("127.0.0.1", "tls", "/hello"), -EKEYREJECTED);
	T(strstr(conn.err, "not for wrong.example") != NULL);
	T_INT(xc_tls_set_server_name(&cfg, "127.0.0.1"), 0);
	T_INT(get("127.0.0.2", "tls2", "/sni"), 0);
	T_STR(body, "-");
	T_INT(xc_tls_set_server_name(&cfg, NULL), 0);
	T_INT(xc_tls_set_server_name(&cfg, "*.example.test"), -EINVAL);

	/* Wildcards: one whole left-most label, never partial. */
	T_INT(xc_tls_set_server_name(&cfg, "a.example.test"), 0);
	T_INT(get("127.0.0.1", "wild", "/sni"), 0);
	T_STR(body, "a.example.test");
	T_INT(xc_tls_set_server_name(&cfg, "example.test"), 0);
	T_INT(get("127.0.0.1", "wild", "/hello"), -EKEYREJECTED);
	T_INT(xc_tls_set_server_name(&cfg, "a.b.example.test"), 0);
	T_INT(get("127.0.0.1", "wild", "/hello"), -EKEYREJECTED);
	T_INT(xc_tls_set_server_name(&cfg, "foo.partial.test"), 0);
	T_INT(get("127.0.0.1", "wild", "/hello"), -EKEYREJECTED);
	T(strstr(conn.err, "DNS:*.example.test, DNS:f*.partial.test") != NULL);
}

static void test_time(void)
{
	reset_cfg("ca.crt");
	T_INT(get("127.0.0.1", "expired", "/hello"), -EKEYEXPIRED);
	T(strstr(conn.err, "until 2020-01-02 00:00:00 UTC") != NULL);
	T(strstr(conn.err, "now 20") != NULL);
	T_INT(get("127.0.0.1", "future", "/hello"), -EKEYEXPIRED);
	/* The validation time is the one given (here: inside the validity). */
	cfg.now = 1577880000; /* 2020-01-01 12:00:00 UTC */
	T_INT(get("127.0.0.1", "expired", "/hello"), 0);
	T_INT(get("127.0.0.1", "future", "/hello"), -EKEYEXPIRED);
}

static void test_insecure(void)
{
	reset_cfg("ca.crt");
	T_INT(get("127.0.0.1", "other", "/hello"), -EKEYREJECTED);
	cfg.insecure = 1;
	T_INT(get("127.0.0.1", "other", "/hello"), 0);
	T_INT(get("127.0.0.1", "expired", "/hello"), 0);
	T_INT(get("127.0.0.2", "iponly2", "/hello"), 0);
	T_INT(get("localhost", "tls", "/sni"), 0);
	T_STR(body, "localhost");
	reset_cfg(NULL);
	cfg.insecure = 1;
	T_INT(get("127.0.0.1", "rsa", "/hello"), 0);
	cfg.insecure = 0;
	T_INT(get("127.0.0.1", "rsa", "/hello"), -EKEYREJECTED);
}

static void test_client_certs(void)
{
	static const char *const keys[][3] = {
		{ "client-ec.crt", "client-ec.key", "xc-test-client" },
		{ "client-ec.crt", "client-ec-pkcs8.key", "xc-test-client" },
		{ "client-rsa.crt", "client-rsa.key", "xc-test-client-rsa" },
		{ "client-rsa.crt", "client-rsa-pkcs8.key", "xc-test-client-rsa" },
	};
	char p2[600];
	size_t i;

	reset_cfg("ca.crt");
	T(get("127.0.0.1", "mtls", "/whoami") < 0);  /* the server wants one */
	for (i = 0; i < 4; i++) {
		reset_cfg("ca.crt");
		ht_file(p2, sizeof(p2), keys[i][1]);
		T_INT(xc_tls_set_client_files(&cfg, cert(keys[i][0]), p2), 0);
		if (!T(get("127.0.0.1", "mtls", "/whoami") == 0))
			printf("     %s: %s\n", keys[i][1], conn.err);
		T_STR(body, keys[i][2]);
		T_INT(get("127.0.0.1", "tls", "/hello"), 0); /* unrequested: unused */
	}
	reset_cfg("ca.crt");
	ht_file(p2, sizeof(p2), "client-other.key");
	T_INT(xc_tls_set_client_files(&cfg, cert("client-other.crt"), p2), 0);
	T(get("127.0.0.1", "mtls", "/whoami") < 0);
	T(conn.err[0] != 0);
}

static int tcp_to(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(0x7f000001) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void test_failures(void)
{
	struct timespec t0, t1;
	char buf[64];
	int fd, r = 0, i;

	reset_cfg("ca.crt");
	/* The server resets mid-handshake: an error, and no SIGPIPE death. */
	T_INT(get("127.0.0.1", "hangup", "/hello"), -ECONNRESET);
	T(strstr(conn.err, "closed by the server") != NULL);

	/* Reset right after the handshake: writes fail, the process lives. */
	fd = tcp_to(ht_port("resetafter"));
	T(fd >= 0);
	if (xc_tls_connect(&tls, &cfg, fd, "127.0.0.1", WAIT_MS) == 0) {
		struct pollfd p = { fd, POLLIN, 0 };

		T(poll(&p, 1, WAIT_MS) == 1);   /* the reset is in */
		for (i = 0; i < 50 && !r; i++) {
			r = xc_tls_write(&tls, "GET / HTTP/1.1\r\n\r\n", 18, 1000);
			usleep(10000);
		}
		T(r < 0);
		T(xc_tls_read(&tls, buf, sizeof(buf), 1000) <= 0);
	}
	close(fd);

	/*
	 * Nobody answers the ClientHello: the handshake times out. The server
	 * is silent for 60 s: an end well before (30 s, generous for a loaded
	 * machine) is the 300 ms timeout's.
	 */
	fd = tcp_to(ht_port("silent"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T_INT(xc_tls_connect(&tls, &cfg, fd, "127.0.0.1", 300), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	T(t1.tv_sec - t0.tv_sec < 30);
	close(fd);
	T_INT(xc_tls_connect(&tls, &cfg, -1, "", 300), -EINVAL);
}

/* Keep-alive and a polled stream over TLS: pending data is announced. */
static void test_stream(void)
{
	static char all[4096];
	struct pollfd p;
	size_t n = 0, i;
	ssize_t r = -1;
	int lines = 0, pend = 0;

	reset_cfg("ca.crt");
	snprintf(url, sizeof(url), "https://127.0.0.1:%d", ht_port("tls"));
	T_INT(xc_http_init(&conn, url, &cfg, &tls), 0);
	T_INT(ht_fetch(&conn, "GET", "/conn", NULL, NULL, 0, body, 100, &n), 0);
	T_INT(ht_fetch(&conn, "GET", "/conn", NULL, NULL, 0, body, 100, &n), 0);
	body[n] = 0;
	T(strstr(body, " req=2") != NULL);

	n = 0;
	T_INT(xc_http_request(&conn, "GET", "/stream?n=8", NULL, NULL, 0), 0);
	for (;;) {
		if (xc_http_pending(&conn)) {
			pend++;
		} else {
			p.fd = xc_http_fd(&conn);
			p.events = POLLIN;
			if (!T(poll(&p, 1, WAIT_MS) == 1))
				break;
		}
		r = xc_http_read(&conn, all + n, 3, 0);
		if (r == -EAGAIN)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	T_INT(r, 0);
	for (i = 0; i < n; i++)
		lines += all[i] == '\n';
	T_INT(lines, 8);
	T(pend > 0);
	xc_http_close(&conn);
}

int main(void)
{
	signal(SIGPIPE, SIG_DFL);
	if (!T(ht_start() == 0))
		return t_done("test_tls");
	test_dns_match();
	test_pem_anchors();
	test_pem_client();
	test_identity();
	test_trust();
	test_names();
	test_time();
	test_insecure();
	test_client_certs();
	test_failures();
	test_stream();
	return t_done("test_tls");
}
