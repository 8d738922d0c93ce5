/*
 * tls: a TLS 1.2 client on BearSSL that always verifies who it talks to.
 *
 * Two caller-owned objects:
 *   struct xc_tls_config  trust anchors, an optional client certificate and
 *                         key, tls-server-name, insecure mode. Everything it
 *                         loads lives in the caller's arrays; nothing is
 *                         allocated. One config serves any number of
 *                         connections and must outlive them.
 *   struct xc_tls_conn    one connection on a socket the caller connected
 *                         (about 37 KB: BearSSL's engine and record buffers).
 *
 * Server identity. The chain must lead to a trust anchor and be valid at the
 * current time; then the end-entity certificate must name the expected
 * identity in its subjectAltName: an IP address (v4 or v6) in an iPAddress
 * entry, a DNS name in a dNSName entry (a wildcard only as the whole
 * left-most label, "*.example.test", followed by at least two labels). The
 * Common Name is never used (as Go, and so Kubernetes, does). The expected
 * identity is the config's server_name when set (kubeconfig
 * tls-server-name), else the host the caller connected to. SNI carries the
 * identity only when it is a DNS name.
 *
 * Only TLS 1.2 with ECDHE (RSA or ECDSA certificates) and AES-GCM or
 * ChaCha20-Poly1305 is offered: what kube-apiserver accepts, and small.
 *
 * Errors are negative errno values, with a sentence in the object's err[]
 * that never contains key material or a request:
 *   -EKEYREJECTED  the server's certificate was refused (unknown CA, name
 *                  mismatch: the text gives the name and the names offered)
 *   -EKEYEXPIRED   a certificate is expired or not yet valid
 *   -ECONNRESET    the server closed the connection during the handshake
 *   -EPROTO        any other handshake failure (alerts are named)
 *   -ETIMEDOUT     the peer did not answer in time
 *   -EINVAL, -ENOSPC, -ENOTSUP while loading PEM (see each function)
 *
 * Names: xc_tls_
 */
#ifndef XC_TLS_H
#define XC_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <bearssl.h>

#define XC_TLS_ERRLEN 320     /* room for a name mismatch with a few SANs */
#define XC_TLS_NAME_MAX 253   /* longest DNS name */
#define XC_TLS_CHAIN_MAX 4    /* client certificate chain length */
#define XC_TLS_EE_MAX 8192    /* largest server certificate accepted */
#define XC_TLS_OBUF (4096 + 85) /* outgoing records of 4 KB are plenty */

struct xc_tls_config {
	br_x509_trust_anchor *ta;  /* caller's array of ta_max entries */
	size_t ta_max, ta_num;
	unsigned char *mem;        /* caller's bytes: DNs, keys, chain */
	size_t mem_size, mem_used;
	br_x509_certificate chain[XC_TLS_CHAIN_MAX];
	size_t chain_len;
	int key_type;              /* 0 (no client cert), BR_KEYTYPE_RSA or _EC */
	br_rsa_private_key rsa;
	br_ec_private_key ec;
	char server_name[XC_TLS_NAME_MAX + 1]; /* "" = verify the host itself */
	int insecure;              /* 1: accept any certificate (caller warns) */
	time_t now;                /* validation time; 0 = the real clock */
	char err[XC_TLS_ERRLEN];
};

/*
 * Prepare an empty config over the caller's trust-anchor array and byte
 * store. Each anchor takes its DN and key bytes from mem (about 300 bytes
 * for an EC CA, 450 for RSA-2048); a client certificate chain takes its DER
 * size plus its key. 16 KB holds any kubeconfig.
 */
void xc_tls_config_init(struct xc_tls_config *cfg, br_x509_trust_anchor *ta,
			size_t ta_max, void *mem, size_t mem_size);

/*
 * Add every CERTIFICATE in PEM text as a trust anchor (RSA or EC; other
 * PEM objects are skipped). Returns the number added (at least 1), or
 * -EINVAL (no certificate, bad PEM or DER) or -ENOSPC (store full); on error
 * nothing of this call is kept.
 */
int xc_tls_add_ca_pem(struct xc_tls_config *cfg, const void *pem, size_t len);

/* xc_tls_add_ca_pem on a file's contents, read in small pieces. */
int xc_tls_add_ca_file(struct xc_tls_config *cfg, const char *path);

/*
 * Set the client certificate chain (CERTIFICATE objects of cert_pem, leaf
 * first) and its private key (RSA PKCS#1, EC SEC1, or either as PKCS#8; the
 * first key object of key_pem). The key must match the leaf certificate.
 * Returns 0, -EINVAL, -ENOSPC, -ENOTSUP (encrypted key, unsupported curve)
 * or -EEXIST (a client certificate is already set).
 */
int xc_tls_set_client_pem(struct xc_tls_config *cfg, const void *cert_pem,
			  size_t cert_len, const void *key_pem, size_t key_len);

/* xc_tls_set_client_pem on two files (they may be the same file). */
int xc_tls_set_client_files(struct xc_tls_config *cfg, const char *cert_path,
			    const char *key_path);

/*
 * Set the name to verify instead of the host (kubeconfig tls-server-name):
 * a DNS name or an IP address; NULL or "" clears it. -ENAMETOOLONG, -EINVAL.
 */
int xc_tls_set_server_name(struct xc_tls_config *cfg, const char *name);

/* The verifier in front of BearSSL's X.509 engine; fields are private. */
struct xc_tls_verifier {
	const br_x509_class *vtable;
	br_x509_minimal_context minimal;
	br_x509_decoder_context dec;  /* the EE key when insecure */
	const char *identity;
	int insecure;
	time_t now;
	unsigned certs;
	size_t ee_len;
	int ee_too_big;
	char *err;
	unsigned char ee[XC_TLS_EE_MAX];
};

struct xc_tls_conn {
	br_ssl_client_context sc;
	struct xc_tls_verifier v;
	int fd;
	int send_timeout_ms;
	char identity[XC_TLS_NAME_MAX + 1];
	char err[XC_TLS_ERRLEN];
	unsigned char ibuf[BR_SSL_BUFSIZE_INPUT];
	unsigned char obuf[XC_TLS_OBUF];
};

/*
 * Run the handshake on a connected socket `fd` (the caller keeps owning
 * it; blocking or not). `host` is the host the caller connected to, as
 * written in the URL without brackets: a DNS name or an IP address.
 * timeout_ms bounds the whole handshake and later each blocking send.
 * Returns 0 or a negative errno listed at the head of this file.
 */
int xc_tls_connect(struct xc_tls_conn *t, const struct xc_tls_config *cfg,
		   int fd, const char *host, int timeout_ms);

/*
 * Read decrypted bytes, waiting up to timeout_ms (-1: forever; 0: do not
 * wait). Returns the count (> 0), 0 at end of stream (close_notify or TCP
 * EOF), -EAGAIN when timeout_ms is 0 and nothing is ready, -ETIMEDOUT,
 * or another negative errno.
 */
ssize_t xc_tls_read(struct xc_tls_conn *t, void *buf, size_t len, int timeout_ms);

/* Send all of buf and flush. Returns 0 or a negative errno (-EPIPE if closed). */
int xc_tls_write(struct xc_tls_conn *t, const void *buf, size_t len, int timeout_ms);

/*
 * Decrypted bytes waiting inside the engine. A poll loop must not sleep on
 * the socket while this is non-zero: the data is already off the socket.
 */
size_t xc_tls_pending(const struct xc_tls_conn *t);

/* Send close_notify if the socket takes it now; never waits. */
void xc_tls_close(struct xc_tls_conn *t);

/*
 * Check a DER certificate's subjectAltName against `identity` (DNS name or
 * IP address), as done for every handshake. Returns 0 on a match,
 * -EKEYREJECTED with a sentence in err naming what was offered, -EINVAL for
 * a certificate that cannot be parsed. err may be NULL.
 */
int xc_tls_check_identity(const void *der, size_t len, const char *identity,
			  char *err, size_t errlen);

/*
 * Describe a DER certificate's validity period ("valid from 2020-01-01
 * 00:00:00 until 2020-01-02 00:00:00 UTC") into buf. 0, -EINVAL, -ENOSPC.
 */
int xc_tls_cert_validity(const void *der, size_t len, char *buf, size_t size);

/*
 * Non-zero when the dNSName `pattern` (plen bytes, from a certificate)
 * covers `host`: ASCII case-insensitive, a trailing dot ignored, a wildcard
 * only as the whole left-most label and matching exactly one label.
 */
int xc_tls_dns_match(const char *pattern, size_t plen, const char *host);

#endif
