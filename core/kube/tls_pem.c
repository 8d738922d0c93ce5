/*
 * tls_pem: trust anchors, client certificates and keys from PEM into a
 * struct xc_tls_config (see tls.h). Input is streamed through BearSSL's
 * PEM decoder, so a file is read in small pieces and never held whole;
 * what must stay (DNs, keys, the client chain) is copied into cfg->mem.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/fdio.h"
#include "kube/tls.h"

enum obj { OBJ_SKIP, OBJ_CA, OBJ_CERT, OBJ_KEY };

struct pem_job {
	br_pem_decoder_context pem;
	struct xc_tls_config *cfg;
	enum obj want;       /* what this call collects */
	enum obj cur;        /* what the current object is */
	int in_obj;
	int found;           /* objects of the wanted kind kept */
	int err;             /* first error; later events are ignored */
	int extra;           /* bytes after the end of a DER object */
	size_t obj_start;    /* cfg->mem_used when the object began */
	union {
		br_x509_decoder_context x509;
		br_skey_decoder_context skey;
	} u;
	/* The client leaf's public key, kept to match the private key. */
	int leaf_type, leaf_curve;
	size_t leaf_len;
	unsigned char leaf_key[BR_X509_BUFSIZE_KEY];
};

static void wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

static void fail(struct pem_job *j, int err, const char *fmt, const char *arg)
{
	if (j->err)
		return;
	j->err = err;
	snprintf(j->cfg->err, sizeof(j->cfg->err), fmt, arg);
}

static unsigned char *mem_take(struct pem_job *j, size_t n)
{
	struct xc_tls_config *cfg = j->cfg;
	unsigned char *p;

	if (cfg->mem_size - cfg->mem_used < n) {
		fail(j, -ENOSPC, "%s: TLS store full", "PEM");
		return NULL;
	}
	p = cfg->mem + cfg->mem_used;
	cfg->mem_used += n;
	return p;
}

static unsigned char *mem_copy(struct pem_job *j, const void *src, size_t n)
{
	unsigned char *p = mem_take(j, n);

	if (p && n)
		memcpy(p, src, n);
	return p;
}

/* PEM decoder sinks: where the bytes of the current object go. */
static void sink_skip(void *ctx, const void *src, size_t len)
{
	(void)ctx, (void)src, (void)len;
}

static void sink_mem(void *ctx, const void *src, size_t len)
{
	mem_copy(ctx, src, len);
}

/*
 * BearSSL's decoders must not be fed once they have finished or failed
 * (they would resume a machine that has stopped): such bytes are noted.
 */
static void sink_x509(void *ctx, const void *src, size_t len)
{
	struct pem_job *j = ctx;

	if (br_x509_decoder_last_error(&j->u.x509) != BR_ERR_X509_TRUNCATED)
		j->extra = 1;
	else
		br_x509_decoder_push(&j->u.x509, src, len);
}

static void sink_cert(void *ctx, const void *src, size_t len)
{
	sink_mem(ctx, src, len);
	sink_x509(ctx, src, len);
}

static void sink_skey(void *ctx, const void *src, size_t len)
{
	struct pem_job *j = ctx;

	if (br_skey_decoder_last_error(&j->u.skey) != BR_ERR_X509_TRUNCATED)
		j->extra = 1;
	else
		br_skey_decoder_push(&j->u.skey, src, len);
}

static int is_cert(const char *name)
{
	return !strcmp(name, "CERTIFICATE") || !strcmp(name, "X509 CERTIFICATE");
}

static int is_key(const char *name)
{
	return !strcmp(name, "PRIVATE KEY") || !strcmp(name, "RSA PRIVATE KEY") ||
	       !strcmp(name, "EC PRIVATE KEY");
}

/*
 * BearSSL 0.6 skips a CR in a BEGIN line without closing the gap it leaves,
 * so with CRLF line ends the name keeps its dashes and a stale byte: the
 * name is what comes before the dashes.
 */
static void clean_name(const char *in, char *out, size_t size)
{
	const char *dashes = strstr(in, "-----");
	size_t n = dashes ? (size_t)(dashes - in) : strlen(in);

	if (n >= size)
		n = size - 1;
	while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\r'))
		n--;
	memcpy(out, in, n);
	out[n] = 0;
}

static void obj_begin(struct pem_job *j, const char *raw)
{
	void (*sink)(void *, const void *, size_t) = sink_skip;
	char name[128];

	clean_name(raw, name, sizeof(name));

	j->in_obj = 1;
	j->extra = 0;
	j->cur = OBJ_SKIP;
	j->obj_start = j->cfg->mem_used;
	if (j->want == OBJ_CA && is_cert(name)) {
		j->cur = OBJ_CA;
		/* The subject DN streams straight into the store. */
		br_x509_decoder_init(&j->u.x509, sink_mem, j);
		sink = sink_x509;
	} else if (j->want == OBJ_CERT && is_cert(name)) {
		if (j->found == XC_TLS_CHAIN_MAX)
			fail(j, -ENOSPC, "client certificate chain longer than %s", "4");
		j->cur = OBJ_CERT;
		br_x509_decoder_init(&j->u.x509, NULL, NULL);
		sink = sink_cert;
	} else if (j->want == OBJ_KEY && !j->found && is_key(name)) {
		j->cur = OBJ_KEY;
		br_skey_decoder_init(&j->u.skey);
		sink = sink_skey;
	} else if (j->want == OBJ_KEY && !strcmp(name, "ENCRYPTED PRIVATE KEY")) {
		fail(j, -ENOTSUP, "%s: encrypted private keys are not supported", "PEM");
	}
	br_pem_decoder_setdest(&j->pem, sink, j);
}

static int copy_pkey(struct pem_job *j, br_x509_pkey *dst, const br_x509_pkey *src)
{
	*dst = *src;
	if (src->key_type == BR_KEYTYPE_RSA) {
		dst->key.rsa.n = mem_copy(j, src->key.rsa.n, src->key.rsa.nlen);
		dst->key.rsa.e = mem_copy(j, src->key.rsa.e, src->key.rsa.elen);
		return dst->key.rsa.n && dst->key.rsa.e ? 0 : -ENOSPC;
	}
	dst->key.ec.q = mem_copy(j, src->key.ec.q, src->key.ec.qlen);
	return dst->key.ec.q ? 0 : -ENOSPC;
}

static const br_x509_pkey *decoded_cert(struct pem_job *j)
{
	int e = br_x509_decoder_last_error(&j->u.x509);
	char code[16];

	if (!e && j->extra)
		e = BR_ERR_X509_EXTRA_ELEMENT;
	if (e) {
		snprintf(code, sizeof(code), "%d", e);
		fail(j, -EINVAL, "PEM: invalid certificate (X.509 error %s)", code);
		return NULL;
	}
	return br_x509_decoder_get_pkey(&j->u.x509);
}

static void ca_end(struct pem_job *j)
{
	struct xc_tls_config *cfg = j->cfg;
	const br_x509_pkey *pk = decoded_cert(j);
	br_x509_trust_anchor *ta;

	if (!pk || j->err)
		return;
	if (cfg->ta_num == cfg->ta_max) {
		char max[24];

		snprintf(max, sizeof(max), "%zu", cfg->ta_max);
		fail(j, -ENOSPC, "PEM: more than %s CA certificates", max);
		return;
	}
	ta = &cfg->ta[cfg->ta_num];
	memset(ta, 0, sizeof(*ta));
	ta->dn.data = cfg->mem + j->obj_start;
	ta->dn.len = cfg->mem_used - j->obj_start;
	/* A non-CA anchor is trusted only as that exact server certificate. */
	ta->flags = br_x509_decoder_isCA(&j->u.x509) ? BR_X509_TA_CA : 0;
	if (copy_pkey(j, &ta->pkey, pk))
		return;
	cfg->ta_num++;
	j->found++;
}

static void cert_end(struct pem_job *j)
{
	struct xc_tls_config *cfg = j->cfg;
	const br_x509_pkey *pk = decoded_cert(j);

	if (!pk || j->err)
		return;
	if (!j->found) {
		j->leaf_type = pk->key_type;
		if (pk->key_type == BR_KEYTYPE_RSA) {
			j->leaf_len = pk->key.rsa.nlen;
			memcpy(j->leaf_key, pk->key.rsa.n, j->leaf_len);
		} else {
			j->leaf_curve = pk->key.ec.curve;
			j->leaf_len = pk->key.ec.qlen;
			memcpy(j->leaf_key, pk->key.ec.q, j->leaf_len);
		}
	}
	cfg->chain[j->found].data = cfg->mem + j->obj_start;
	cfg->chain[j->found].data_len = cfg->mem_used - j->obj_start;
	j->found++;
}

static void key_end(struct pem_job *j)
{
	struct xc_tls_config *cfg = j->cfg;
	br_skey_decoder_context *d = &j->u.skey;
	const br_rsa_private_key *rk;
	const br_ec_private_key *ek;

	if (br_skey_decoder_last_error(d) || j->extra) {
		fail(j, -EINVAL, "%s: invalid private key", "PEM");
		return;
	}
	if (br_skey_decoder_key_type(d) == BR_KEYTYPE_RSA) {
		rk = br_skey_decoder_get_rsa(d);
		cfg->rsa = *rk;
		cfg->rsa.p = mem_copy(j, rk->p, rk->plen);
		cfg->rsa.q = mem_copy(j, rk->q, rk->qlen);
		cfg->rsa.dp = mem_copy(j, rk->dp, rk->dplen);
		cfg->rsa.dq = mem_copy(j, rk->dq, rk->dqlen);
		cfg->rsa.iq = mem_copy(j, rk->iq, rk->iqlen);
		cfg->key_type = BR_KEYTYPE_RSA;
	} else {
		ek = br_skey_decoder_get_ec(d);
		cfg->ec = *ek;
		cfg->ec.x = mem_copy(j, ek->x, ek->xlen);
		cfg->key_type = BR_KEYTYPE_EC;
	}
	j->found++;
}

static void obj_end(struct pem_job *j)
{
	j->in_obj = 0;
	if (j->err)
		return;
	if (j->cur == OBJ_CA)
		ca_end(j);
	else if (j->cur == OBJ_CERT)
		cert_end(j);
	else if (j->cur == OBJ_KEY)
		key_end(j);
}

static void job_init(struct pem_job *j, struct xc_tls_config *cfg, enum obj want)
{
	memset(j, 0, sizeof(*j));
	j->cfg = cfg;
	j->want = want;
	br_pem_decoder_init(&j->pem);
}

static void job_push(struct pem_job *j, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len > 0 && !j->err) {
		size_t n = br_pem_decoder_push(&j->pem, p, len);

		p += n;
		len -= n;
		switch (br_pem_decoder_event(&j->pem)) {
		case BR_PEM_BEGIN_OBJ:
			obj_begin(j, br_pem_decoder_name(&j->pem));
			break;
		case BR_PEM_END_OBJ:
			obj_end(j);
			break;
		case BR_PEM_ERROR:
			fail(j, -EINVAL, "%s: invalid PEM data", "PEM");
			break;
		}
	}
}

/* The decoder closes an END line only at its newline: give it one. */
static int job_finish(struct pem_job *j, const char *what)
{
	job_push(j, "\n", 1);
	if (j->in_obj)
		fail(j, -EINVAL, "%s: PEM object not terminated", what);
	if (!j->err && !j->found)
		fail(j, -EINVAL, "%s: no usable PEM object found", what);
	return j->err;
}

static int job_file(struct pem_job *j, const char *path)
{
	unsigned char buf[512];
	ssize_t n;
	int fd = xc_file_open(AT_FDCWD, path, 0);

	if (fd < 0) {
		fail(j, fd, fd == -EBADFD ? "%s is not a regular file" : "cannot open %s", path);
		return fd;
	}
	while ((n = xc_read_some(fd, buf, sizeof(buf))) > 0)
		job_push(j, buf, (size_t)n);
	if (n < 0)
		fail(j, (int)n, "cannot read %s", path);
	close(fd);
	wipe(buf, sizeof(buf));
	return j->err ? j->err : job_finish(j, path);
}

void xc_tls_config_init(struct xc_tls_config *cfg, br_x509_trust_anchor *ta,
			size_t ta_max, void *mem, size_t mem_size)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ta = ta;
	cfg->ta_max = ta_max;
	cfg->mem = mem;
	cfg->mem_size = mem_size;
}

static int ca_done(struct pem_job *j, size_t ta_num, size_t mem_used)
{
	if (j->err) {
		j->cfg->ta_num = ta_num;
		j->cfg->mem_used = mem_used;
		return j->err;
	}
	return j->found;
}

int xc_tls_add_ca_pem(struct xc_tls_config *cfg, const void *pem, size_t len)
{
	struct pem_job j;
	size_t ta_num = cfg->ta_num, mem_used = cfg->mem_used;

	job_init(&j, cfg, OBJ_CA);
	job_push(&j, pem, len);
	job_finish(&j, "CA data");
	return ca_done(&j, ta_num, mem_used);
}

int xc_tls_add_ca_file(struct xc_tls_config *cfg, const char *path)
{
	struct pem_job j;
	size_t ta_num = cfg->ta_num, mem_used = cfg->mem_used;

	job_init(&j, cfg, OBJ_CA);
	job_file(&j, path);
	return ca_done(&j, ta_num, mem_used);
}

/* The private key must be the one the leaf certificate names. */
static int key_matches(const struct xc_tls_config *cfg, const struct pem_job *cj)
{
	unsigned char buf[BR_X509_BUFSIZE_KEY];
	const unsigned char *a = cj->leaf_key;
	size_t n = cj->leaf_len, m;
	br_ec_public_key pub;
	br_rsa_compute_modulus mod;

	if (cfg->key_type != cj->leaf_type)
		return 0;
	if (cfg->key_type == BR_KEYTYPE_EC) {
		if (cfg->ec.curve != cj->leaf_curve)
			return 0;
		m = br_ec_compute_pub(br_ec_get_default(), &pub, buf, &cfg->ec);
		return m && m == n && !memcmp(pub.q, a, n);
	}
	mod = br_rsa_compute_modulus_get_default();
	m = mod(NULL, &cfg->rsa);
	if (!m || m > sizeof(buf) || mod(buf, &cfg->rsa) != m)
		return 0;
	while (n > 0 && *a == 0)
		a++, n--;
	return m == n && !memcmp(buf, a, n);
}

static int client_check(struct xc_tls_config *cfg, struct pem_job *cj, struct pem_job *kj)
{
	const br_ec_impl *ec = br_ec_get_default();

	if (cfg->key_type == BR_KEYTYPE_EC && !(ec->supported_curves >> cfg->ec.curve & 1)) {
		fail(kj, -ENOTSUP, "%s: unsupported elliptic curve", "client key");
		return kj->err;
	}
	if (!key_matches(cfg, cj)) {
		fail(kj, -EINVAL, "%s: private key does not match the certificate", "client key");
		return kj->err;
	}
	cfg->chain_len = (size_t)cj->found;
	return 0;
}

static int client_load(struct xc_tls_config *cfg, const void *cert, size_t clen,
		       const void *key, size_t klen, const char *cpath, const char *kpath)
{
	struct pem_job cj, kj;
	size_t mem_used = cfg->mem_used;
	int err;

	if (cfg->key_type) {
		snprintf(cfg->err, sizeof(cfg->err), "client certificate already set");
		return -EEXIST;
	}
	job_init(&cj, cfg, OBJ_CERT);
	if (cpath)
		err = job_file(&cj, cpath);
	else
		job_push(&cj, cert, clen), err = job_finish(&cj, "client certificate");
	if (!err) {
		job_init(&kj, cfg, OBJ_KEY);
		if (kpath)
			err = job_file(&kj, kpath);
		else
			job_push(&kj, key, klen), err = job_finish(&kj, "client key");
	}
	if (!err)
		err = client_check(cfg, &cj, &kj);
	wipe(&kj, sizeof(kj));
	if (err) {
		wipe(cfg->mem + mem_used, cfg->mem_used - mem_used);
		cfg->mem_used = mem_used;
		cfg->key_type = 0;
		cfg->chain_len = 0;
	}
	return err;
}

int xc_tls_set_client_pem(struct xc_tls_config *cfg, const void *cert_pem,
			  size_t cert_len, const void *key_pem, size_t key_len)
{
	return client_load(cfg, cert_pem, cert_len, key_pem, key_len, NULL, NULL);
}

int xc_tls_set_client_files(struct xc_tls_config *cfg, const char *cert_path,
			    const char *key_path)
{
	return client_load(cfg, NULL, 0, NULL, 0, cert_path, key_path);
}
