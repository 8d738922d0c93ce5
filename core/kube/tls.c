/*
 * tls: BearSSL client engine set-up, the verifier wrapped around its
 * minimal X.509 engine, and socket I/O with deadlines (see tls.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "base/deadline.h"
#include "base/fdio.h"
#include "base/log.h"
#include "kube/tls.h"

#define EOF_SEEN 1 /* pump(): the peer ended the stream */

/* ---- the verifier ------------------------------------------------------ */

static struct xc_tls_verifier *ver(const br_x509_class *const *ctx)
{
	/* The vtable pointer is the first member: ctx is the verifier. */
	return (struct xc_tls_verifier *)(void *)ctx;
}

static void v_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct xc_tls_verifier *v = ver(ctx);

	/* BearSSL would match only dNSName entries: names are checked at the end. */
	(void)server_name;
	v->certs = 0;
	v->ee_len = 0;
	v->ee_too_big = 0;
	v->minimal.vtable->start_chain(&v->minimal.vtable, NULL);
}

static void v_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct xc_tls_verifier *v = ver(ctx);

	v->certs++;
	if (v->certs == 1 && length > sizeof(v->ee))
		v->ee_too_big = 1;
	v->minimal.vtable->start_cert(&v->minimal.vtable, length);
}

static void v_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct xc_tls_verifier *v = ver(ctx);

	if (v->certs == 1 && !v->ee_too_big && len <= sizeof(v->ee) - v->ee_len) {
		memcpy(v->ee + v->ee_len, buf, len);
		v->ee_len += len;
	}
	v->minimal.vtable->append(&v->minimal.vtable, buf, len);
}

static void v_end_cert(const br_x509_class **ctx)
{
	struct xc_tls_verifier *v = ver(ctx);

	v->minimal.vtable->end_cert(&v->minimal.vtable);
}

/* Insecure mode still needs the server's key for the key exchange. */
static unsigned v_insecure_end(struct xc_tls_verifier *v)
{
	if (v->ee_too_big || !v->ee_len)
		return BR_ERR_X509_LIMIT_EXCEEDED;
	br_x509_decoder_init(&v->dec, NULL, NULL);
	br_x509_decoder_push(&v->dec, v->ee, v->ee_len);
	return br_x509_decoder_get_pkey(&v->dec) ? 0 : BR_ERR_X509_INVALID_VALUE;
}

/* Say when it was valid and which clock judged it: clocks are often wrong. */
static void expired_text(struct xc_tls_verifier *v)
{
	char valid[96], now[64];

	if (xc_tls_cert_validity(v->ee, v->ee_len, valid, sizeof(valid)))
		valid[0] = 0;
	xc_utc_format((int64_t)v->now, ' ', now, sizeof(now));
	snprintf(v->err, XC_TLS_ERRLEN,
		 "server certificate expired or not yet valid (%s; now %s UTC)", valid, now);
}

static unsigned v_end_chain(const br_x509_class **ctx)
{
	struct xc_tls_verifier *v = ver(ctx);
	unsigned r = v->minimal.vtable->end_chain(&v->minimal.vtable);

	if (v->insecure)
		return v_insecure_end(v);
	if (r == BR_ERR_X509_EXPIRED && !v->ee_too_big)
		expired_text(v);
	if (r)
		return r;
	if (v->ee_too_big) {
		snprintf(v->err, XC_TLS_ERRLEN, "server certificate larger than %d bytes",
			 XC_TLS_EE_MAX);
		return BR_ERR_X509_LIMIT_EXCEEDED;
	}
	if (xc_tls_check_identity(v->ee, v->ee_len, v->identity, v->err, XC_TLS_ERRLEN))
		return BR_ERR_X509_BAD_SERVER_NAME;
	return 0;
}

static const br_x509_pkey *v_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct xc_tls_verifier *v = ver(ctx);

	if (!v->insecure)
		return v->minimal.vtable->get_pkey(&v->minimal.vtable, usages);
	if (usages)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return br_x509_decoder_get_pkey(&v->dec);
}

static const br_x509_class verifier_vtable = {
	sizeof(struct xc_tls_verifier),
	v_start_chain,
	v_start_cert,
	v_append,
	v_end_cert,
	v_end_chain,
	v_get_pkey,
};

/* ---- engine set-up ----------------------------------------------------- */

/* What kube-apiserver offers: AES-GCM where AES-NI exists, else ChaCha20. */
static const uint16_t suites[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

static void set_hashes(struct xc_tls_conn *t)
{
	static const struct {
		int id;
		const br_hash_class *impl;
	} hashes[] = {
		{ br_sha256_ID, &br_sha256_vtable },
		{ br_sha384_ID, &br_sha384_vtable },
		{ br_sha512_ID, &br_sha512_vtable },
	};
	size_t i;

	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
		br_ssl_engine_set_hash(&t->sc.eng, hashes[i].id, hashes[i].impl);
		br_x509_minimal_set_hash(&t->v.minimal, hashes[i].id, hashes[i].impl);
	}
}

static void set_verifier(struct xc_tls_conn *t, const struct xc_tls_config *cfg)
{
	struct xc_tls_verifier *v = &t->v;
	time_t now = cfg->now ? cfg->now : time(NULL);

	v->vtable = &verifier_vtable;
	v->identity = t->identity;
	v->insecure = cfg->insecure;
	v->err = t->err;
	v->now = now;
	br_x509_minimal_init(&v->minimal, &br_sha256_vtable, cfg->ta, cfg->ta_num);
	br_x509_minimal_set_rsa(&v->minimal, br_rsa_pkcs1_vrfy_get_default());
	br_x509_minimal_set_ecdsa(&v->minimal, br_ec_get_default(),
				  br_ecdsa_vrfy_asn1_get_default());
	/* Days from 0000-01-01 to 1970-01-01, as BearSSL counts them. */
	br_x509_minimal_set_time(&v->minimal, (uint32_t)(now / 86400 + 719528),
				 (uint32_t)(now % 86400));
	br_ssl_engine_set_x509(&t->sc.eng, &v->vtable);
}

static void set_engine(struct xc_tls_conn *t, const struct xc_tls_config *cfg)
{
	br_ssl_engine_context *eng = &t->sc.eng;

	br_ssl_client_zero(&t->sc);
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng, suites, sizeof(suites) / sizeof(suites[0]));
	br_ssl_engine_set_prf_sha256(eng, br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(eng);
	br_ssl_engine_set_default_chapol(eng);
	br_ssl_engine_set_default_ec(eng);
	br_ssl_engine_set_default_rsavrfy(eng);
	br_ssl_engine_set_default_ecdsa(eng);
	set_verifier(t, cfg);
	set_hashes(t);
	if (cfg->key_type == BR_KEYTYPE_RSA)
		br_ssl_client_set_single_rsa(&t->sc, cfg->chain, cfg->chain_len, &cfg->rsa,
					     br_rsa_pkcs1_sign_get_default());
	else if (cfg->key_type == BR_KEYTYPE_EC)
		br_ssl_client_set_single_ec(&t->sc, cfg->chain, cfg->chain_len, &cfg->ec,
					    BR_KEYTYPE_SIGN, 0, br_ec_get_default(),
					    br_ecdsa_sign_asn1_get_default());
	br_ssl_engine_set_buffers_bidi(eng, t->ibuf, sizeof(t->ibuf), t->obuf, sizeof(t->obuf));
}

/* A scratch image has no /dev: the kernel's getrandom() is the source. */
static int seed(struct xc_tls_conn *t)
{
	unsigned char buf[32];
	size_t got = 0;

	while (got < sizeof(buf)) {
		ssize_t n = getrandom(buf + got, sizeof(buf) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(t->err, sizeof(t->err), "no entropy: getrandom: %s", strerror(errno));
			return -EIO;
		}
		got += (size_t)n;
	}
	br_ssl_engine_inject_entropy(&t->sc.eng, buf, sizeof(buf));
	memset(buf, 0, sizeof(buf));
	return 0;
}

int xc_tls_set_server_name(struct xc_tls_config *cfg, const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n > XC_TLS_NAME_MAX)
		return -ENAMETOOLONG;
	if (name && (strchr(name, '*') || strchr(name, '/')))
		return -EINVAL;
	memcpy(cfg->server_name, name ? name : "", n);
	cfg->server_name[n] = 0;
	return 0;
}

/* ---- socket I/O ---------------------------------------------------------- */

static int send_rec(struct xc_tls_conn *t, int64_t deadline)
{
	size_t len;
	unsigned char *buf = br_ssl_engine_sendrec_buf(&t->sc.eng, &len);
	/* A peer gone mid-handshake is an error, not SIGPIPE (see fdio.h). */
	ssize_t n = xc_send_some(t->fd, buf, len, deadline);

	if (n < 0)
		return (int)n;
	br_ssl_engine_sendrec_ack(&t->sc.eng, (size_t)n);
	return 0;
}

static int recv_rec(struct xc_tls_conn *t, int64_t deadline)
{
	size_t len;
	unsigned char *buf = br_ssl_engine_recvrec_buf(&t->sc.eng, &len);
	ssize_t n = xc_recv_some(t->fd, buf, len, deadline);

	if (n < 0)
		return (int)n;
	if (n == 0)
		return EOF_SEEN;
	br_ssl_engine_recvrec_ack(&t->sc.eng, (size_t)n);
	return 0;
}

/*
 * Drive the engine until one of the `want` states, sending what it has to
 * send on the way. Returns 0, EOF_SEEN, -EPROTO (engine failed: see
 * br_ssl_engine_last_error) or a socket error.
 */
static int pump(struct xc_tls_conn *t, unsigned want, int64_t deadline)
{
	br_ssl_engine_context *eng = &t->sc.eng;
	unsigned st;
	int r;

	for (;;) {
		st = br_ssl_engine_current_state(eng);
		if (st & BR_SSL_CLOSED)
			return br_ssl_engine_last_error(eng) ? -EPROTO : EOF_SEEN;
		if (st & BR_SSL_SENDREC)
			r = send_rec(t, deadline ? deadline : xc_deadline(t->send_timeout_ms));
		else if (st & want)
			return 0;
		else if (st & BR_SSL_RECVREC)
			r = recv_rec(t, deadline);
		else
			return -EIO;
		if (r)
			return r;
	}
}

/* ---- errors ---------------------------------------------------------- */

static const char *alert_name(int a)
{
	switch (a) {
	case 10: return "unexpected_message";
	case 40: return "handshake_failure";
	case 42: return "bad_certificate";
	case 43: return "unsupported_certificate";
	case 44: return "certificate_revoked";
	case 45: return "certificate_expired";
	case 46: return "certificate_unknown";
	case 47: return "illegal_parameter";
	case 48: return "unknown_ca";
	case 49: return "access_denied";
	case 51: return "decrypt_error";
	case 70: return "protocol_version";
	case 71: return "insufficient_security";
	case 80: return "internal_error";
	case 112: return "unrecognized_name";
	case 116: return "certificate_required";
	}
	return "alert";
}

static int x509_error(struct xc_tls_conn *t, int code)
{
	if (code == BR_ERR_X509_NOT_TRUSTED) {
		snprintf(t->err, sizeof(t->err),
			 "server certificate signed by unknown authority (not by a configured CA)");
		return -EKEYREJECTED;
	}
	if (code == BR_ERR_X509_EXPIRED) {
		if (!t->err[0])
			snprintf(t->err, sizeof(t->err), "server certificate expired or not yet valid");
		return -EKEYEXPIRED;
	}
	if (!t->err[0])
		snprintf(t->err, sizeof(t->err), "server certificate rejected (X.509 error %d)",
			 code);
	return -EKEYREJECTED;
}

static int engine_error(struct xc_tls_conn *t, int r)
{
	int code = br_ssl_engine_last_error(&t->sc.eng);

	if (r == EOF_SEEN || r == -ECONNRESET || r == -EPIPE) {
		snprintf(t->err, sizeof(t->err), "connection closed by the server during TLS");
		return -ECONNRESET;
	}
	if (r == -ETIMEDOUT || r == -EAGAIN) {
		snprintf(t->err, sizeof(t->err), "TLS: no answer from the server in time");
		return r;
	}
	if (r != -EPROTO) {
		snprintf(t->err, sizeof(t->err), "TLS: socket error: %s", strerror(-r));
		return r;
	}
	if (code >= BR_ERR_X509_OK && code < 64)
		return x509_error(t, code);
	if (code >= BR_ERR_RECV_FATAL_ALERT && code < BR_ERR_SEND_FATAL_ALERT)
		snprintf(t->err, sizeof(t->err), "TLS handshake failed: server sent alert %d (%s)",
			 code - BR_ERR_RECV_FATAL_ALERT, alert_name(code - BR_ERR_RECV_FATAL_ALERT));
	else if (code >= BR_ERR_SEND_FATAL_ALERT)
		snprintf(t->err, sizeof(t->err), "TLS handshake failed: we sent alert %d (%s)",
			 code - BR_ERR_SEND_FATAL_ALERT, alert_name(code - BR_ERR_SEND_FATAL_ALERT));
	else
		snprintf(t->err, sizeof(t->err),
			 "TLS handshake failed (BearSSL error %d%s)", code,
			 code == BR_ERR_BAD_CIPHER_SUITE || code == BR_ERR_UNSUPPORTED_VERSION ?
			 ": no common TLS 1.2 ECDHE suite" : "");
	return -EPROTO;
}

/* ---- public calls ------------------------------------------------------ */

static int is_ip(const char *s)
{
	unsigned char b[16];
	char buf[64];
	size_t n = strcspn(s, "%");

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = 0;
	return inet_pton(AF_INET, buf, b) == 1 || inet_pton(AF_INET6, buf, b) == 1;
}

int xc_tls_connect(struct xc_tls_conn *t, const struct xc_tls_config *cfg,
		   int fd, const char *host, int timeout_ms)
{
	const char *id = cfg->server_name[0] ? cfg->server_name : host;
	size_t n = strlen(id);
	int r;

	t->err[0] = 0;
	t->fd = fd;
	t->send_timeout_ms = timeout_ms;
	if (n && id[n - 1] == '.')
		n--;
	if (!n || n > XC_TLS_NAME_MAX) {
		snprintf(t->err, sizeof(t->err), "TLS: invalid server name");
		return -EINVAL;
	}
	memcpy(t->identity, id, n);
	t->identity[n] = 0;
	set_engine(t, cfg);
	r = seed(t);
	if (r)
		return r;
	/* SNI names a host; an address never goes there (RFC 6066). */
	if (!br_ssl_client_reset(&t->sc, is_ip(t->identity) ? NULL : t->identity, 0))
		return engine_error(t, -EPROTO);
	r = pump(t, BR_SSL_SENDAPP, xc_deadline(timeout_ms));
	return r ? engine_error(t, r) : 0;
}

ssize_t xc_tls_read(struct xc_tls_conn *t, void *buf, size_t len, int timeout_ms)
{
	unsigned char *p;
	size_t n;
	int r = pump(t, BR_SSL_RECVAPP, xc_deadline(timeout_ms));

	if (r == EOF_SEEN)
		return 0;
	if (r == -EAGAIN)
		return r;
	if (r)
		return engine_error(t, r);
	p = br_ssl_engine_recvapp_buf(&t->sc.eng, &n);
	if (n > len)
		n = len;
	memcpy(buf, p, n);
	br_ssl_engine_recvapp_ack(&t->sc.eng, n);
	return (ssize_t)n;
}

int xc_tls_write(struct xc_tls_conn *t, const void *buf, size_t len, int timeout_ms)
{
	br_ssl_engine_context *eng = &t->sc.eng;
	int64_t deadline = xc_deadline(timeout_ms ? timeout_ms : t->send_timeout_ms);
	const unsigned char *src = buf;
	unsigned char *dst;
	size_t n;
	int r;

	while (len > 0) {
		r = pump(t, BR_SSL_SENDAPP, deadline);
		if (r)
			return r == EOF_SEEN ? -EPIPE : engine_error(t, r);
		dst = br_ssl_engine_sendapp_buf(eng, &n);
		if (n > len)
			n = len;
		memcpy(dst, src, n);
		br_ssl_engine_sendapp_ack(eng, n);
		src += n;
		len -= n;
	}
	br_ssl_engine_flush(eng, 0);
	while (br_ssl_engine_current_state(eng) & BR_SSL_SENDREC) {
		r = send_rec(t, deadline ? deadline : xc_deadline(t->send_timeout_ms));
		if (r)
			return engine_error(t, r);
	}
	return 0;
}

size_t xc_tls_pending(const struct xc_tls_conn *t)
{
	size_t n = 0;

	if (br_ssl_engine_current_state(&t->sc.eng) & BR_SSL_RECVAPP)
		br_ssl_engine_recvapp_buf(&t->sc.eng, &n);
	return n;
}

void xc_tls_close(struct xc_tls_conn *t)
{
	br_ssl_engine_context *eng = &t->sc.eng;
	int tries = 4;

	br_ssl_engine_close(eng);
	while (tries-- > 0 && br_ssl_engine_current_state(eng) & BR_SSL_SENDREC)
		if (send_rec(t, 0))
			break;
}
