/*
 * tls_name: the server identity checks BearSSL does not make. Its minimal
 * X.509 engine matches dNSName entries only and never iPAddress ones, so
 * every handshake ends here: the end-entity certificate's subjectAltName
 * is read with a small DER walker and compared with the expected identity.
 * The chain has been validated before, but the walker still trusts no
 * length (it is also fuzzed).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kube/tls.h"

struct der {
	const unsigned char *p, *end;
};

/* Take one TLV off d; val spans its contents. Short-form tags only. */
static int der_next(struct der *d, unsigned *tag, struct der *val)
{
	size_t n, k;

	if (d->end - d->p < 2)
		return -1;
	*tag = *d->p++;
	if ((*tag & 0x1f) == 0x1f)
		return -1;
	n = *d->p++;
	if (n & 0x80) {
		k = n & 0x7f;
		if (k == 0 || k > 3 || (size_t)(d->end - d->p) < k)
			return -1;
		for (n = 0; k > 0; k--)
			n = n << 8 | *d->p++;
	}
	if ((size_t)(d->end - d->p) < n)
		return -1;
	val->p = d->p;
	val->end = d->p + n;
	d->p += n;
	return 0;
}

static int der_want(struct der *d, unsigned want, struct der *val)
{
	unsigned tag;

	return der_next(d, &tag, val) || tag != want ? -1 : 0;
}

struct cert_view {
	struct der validity;
	struct der san;     /* the GeneralNames' contents */
	int has_san;
};

static int find_san(struct der exts, struct cert_view *cv)
{
	static const unsigned char san_oid[] = { 0x55, 0x1d, 0x11 };
	struct der seq, ext, oid, val;
	unsigned tag;

	if (der_want(&exts, 0x30, &seq))
		return -1;
	while (seq.p < seq.end) {
		if (der_want(&seq, 0x30, &ext) || der_want(&ext, 0x06, &oid) ||
		    der_next(&ext, &tag, &val))
			return -1;
		if (tag == 0x01 && der_next(&ext, &tag, &val))
			return -1;
		if (tag != 0x04)
			return -1;
		if (oid.end - oid.p == sizeof(san_oid) &&
		    !memcmp(oid.p, san_oid, sizeof(san_oid))) {
			cv->has_san = 1;
			return der_want(&val, 0x30, &cv->san);
		}
	}
	return 0;
}

static int cert_view(const void *der, size_t len, struct cert_view *cv)
{
	struct der d = { der, (const unsigned char *)der + len }, cert, tbs, v;
	unsigned tag;
	int i;

	memset(cv, 0, sizeof(*cv));
	if (der_want(&d, 0x30, &cert) || der_want(&cert, 0x30, &tbs) ||
	    der_next(&tbs, &tag, &v))
		return -EINVAL;
	if (tag == 0xa0 && der_next(&tbs, &tag, &v))
		return -EINVAL;
	if (tag != 0x02)
		return -EINVAL;
	/* signature algorithm, issuer, validity, subject, public key */
	for (i = 0; i < 5; i++)
		if (der_want(&tbs, 0x30, i == 2 ? &cv->validity : &v))
			return -EINVAL;
	while (tbs.p < tbs.end) {
		if (der_next(&tbs, &tag, &v))
			return -EINVAL;
		if (tag == 0xa3)
			return find_san(v, cv) ? -EINVAL : 0;
	}
	return 0;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int same_text(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++)
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
	return 1;
}

int xc_tls_dns_match(const char *pattern, size_t plen, const char *host)
{
	size_t hlen = strlen(host);
	const char *dot;

	if (hlen && host[hlen - 1] == '.')
		hlen--;
	if (plen && pattern[plen - 1] == '.')
		plen--;
	if (!hlen || !plen || memchr(pattern, 0, plen) || memchr(host, '*', hlen))
		return 0;
	if (plen > 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* "*.test" would cover a whole top-level domain: refuse it. */
		if (!memchr(pattern + 2, '.', plen - 2) || memchr(pattern + 1, '*', plen - 1))
			return 0;
		dot = memchr(host, '.', hlen);
		if (!dot || dot == host)
			return 0;
		hlen -= (size_t)(dot - host);
		return hlen == plen - 1 && same_text(dot, pattern + 1, hlen);
	}
	if (memchr(pattern, '*', plen))
		return 0;
	return hlen == plen && same_text(pattern, host, hlen);
}

/* An IPv4 address also written as ::ffff:a.b.c.d compares as IPv4. */
static size_t ip_norm(const unsigned char *in, size_t n, unsigned char out[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (n == 16 && !memcmp(in, mapped, 12))
		in += 12, n = 4;
	if (n != 4 && n != 16)
		return 0;
	memcpy(out, in, n);
	return n;
}

/* Bytes of an IP identity (a zone suffix is dropped), 0 for a name. */
static size_t ip_parse(const char *text, unsigned char out[16])
{
	char buf[64];
	unsigned char raw[16];
	size_t n = strcspn(text, "%");

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, text, n);
	buf[n] = 0;
	if (inet_pton(AF_INET, buf, raw) == 1)
		return ip_norm(raw, 4, out);
	if (inet_pton(AF_INET6, buf, raw) == 1)
		return ip_norm(raw, 16, out);
	return 0;
}

struct text {
	char *p;
	size_t size, len;
};

static void put(struct text *t, const char *s, size_t n)
{
	for (; n > 0; n--, s++) {
		if (t->len + 1 >= t->size) {
			if (t->size >= 4)
				memcpy(t->p + t->size - 4, "...", 4);
			return;
		}
		/* Certificate text goes to logs: printable ASCII only. */
		t->p[t->len++] = *s >= 0x20 && *s < 0x7f ? *s : '?';
		t->p[t->len] = 0;
	}
}

static void puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

static void put_name(struct text *t, unsigned tag, const struct der *v, int first)
{
	char ip[INET6_ADDRSTRLEN];
	size_t n = (size_t)(v->end - v->p);

	puts_(t, first ? "" : ", ");
	if (tag == 0x82) {
		puts_(t, "DNS:");
		put(t, (const char *)v->p, n);
	} else if (n == 4 || n == 16) {
		inet_ntop(n == 4 ? AF_INET : AF_INET6, v->p, ip, sizeof(ip));
		puts_(t, "IP:");
		puts_(t, ip);
	}
}

static int mismatch(const struct cert_view *cv, const char *identity, int is_ip,
		    char *err, size_t errlen)
{
	struct text t = { err, errlen, 0 };
	struct der g = cv->san, v;
	unsigned tag;
	int first = 1;

	if (!err || !errlen)
		return -EKEYREJECTED;
	err[0] = 0;
	if (!cv->has_san)
		puts_(&t, "server certificate has no subjectAltName (its Common Name is not used)");
	else
		puts_(&t, "server certificate is valid for ");
	while (cv->has_san && g.p < g.end && !der_next(&g, &tag, &v)) {
		if (tag == 0x82 || tag == 0x87) {
			put_name(&t, tag, &v, first);
			first = 0;
		}
	}
	if (cv->has_san && first)
		puts_(&t, "no DNS name or IP address");
	puts_(&t, is_ip ? ", not for IP " : ", not for ");
	puts_(&t, identity);
	return -EKEYREJECTED;
}

int xc_tls_check_identity(const void *der, size_t len, const char *identity,
			  char *err, size_t errlen)
{
	struct cert_view cv;
	unsigned char want[16], got[16];
	size_t iplen = ip_parse(identity, want);
	struct der g, v;
	unsigned tag;

	if (cert_view(der, len, &cv)) {
		if (err && errlen)
			snprintf(err, errlen, "server certificate cannot be parsed");
		return -EINVAL;
	}
	for (g = cv.san; cv.has_san && g.p < g.end;) {
		if (der_next(&g, &tag, &v))
			break;
		if (tag == 0x82 && !iplen &&
		    xc_tls_dns_match((const char *)v.p, (size_t)(v.end - v.p), identity))
			return 0;
		if (tag == 0x87 && iplen &&
		    ip_norm(v.p, (size_t)(v.end - v.p), got) == iplen &&
		    !memcmp(got, want, iplen))
			return 0;
	}
	return mismatch(&cv, identity, iplen != 0, err, errlen);
}

/* "YYYY-MM-DD HH:MM:SS" of an ASN.1 UTCTime or GeneralizedTime. */
static void put_time(struct text *t, const struct der *d, unsigned tag)
{
	char out[20];
	const char *s = (const char *)d->p;
	size_t n = (size_t)(d->end - d->p);

	if (tag == 0x17 && n == 13) {
		memcpy(out, s[0] < '5' ? "20" : "19", 2);
		memcpy(out + 2, s, 2);
		s += 2;
	} else if (tag == 0x18 && n == 15) {
		memcpy(out, s, 4);
		s += 4;
	} else {
		puts_(t, "?");
		return;
	}
	snprintf(out + 4, sizeof(out) - 4, "-%.2s-%.2s %.2s:%.2s:%.2s", s, s + 2,
		 s + 4, s + 6, s + 8);
	puts_(t, out);
}

int xc_tls_cert_validity(const void *der, size_t len, char *buf, size_t size)
{
	struct cert_view cv;
	struct der a, b;
	unsigned ta, tb;
	struct text t = { buf, size, 0 };

	if (!size)
		return -ENOSPC;
	buf[0] = 0;
	if (cert_view(der, len, &cv) || der_next(&cv.validity, &ta, &a) ||
	    der_next(&cv.validity, &tb, &b))
		return -EINVAL;
	puts_(&t, "valid from ");
	put_time(&t, &a, ta);
	puts_(&t, " until ");
	put_time(&t, &b, tb);
	puts_(&t, " UTC");
	return 0;
}
