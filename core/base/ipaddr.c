/* ipaddr: addresses, prefixes, their text forms and prefix math (see ipaddr.h). */
#include "base/ipaddr.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#define ZONE_MAX 15

int xc_ip_bytes(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int xc_ip_bits(int family)
{
	return xc_ip_bytes(family) * 8;
}

/* --- parsing ------------------------------------------------------------ */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * A decimal number in s[0..n) without sign or leading zero, at most max.
 * Returns the value or -1.
 */
static long parse_dec(const char *s, size_t n, long max)
{
	long v = 0;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

static int parse4(const char *s, size_t n, uint8_t out[4])
{
	size_t start = 0;
	int k = 0;
	long v;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (k == 4)
			return -EINVAL;
		v = parse_dec(s + start, i - start, 255);
		if (v < 0)
			return -EINVAL;
		out[k++] = (uint8_t)v;
		start = i + 1;
	}
	return k == 4 ? 0 : -EINVAL;
}

/* One hex group of 1..4 digits at s[*i]; advances *i. */
static int parse_group(const char *s, size_t n, size_t *i)
{
	int v = 0, d = 0;

	while (*i < n && hexval(s[*i]) >= 0) {
		if (++d > 4)
			return -1;
		v = v * 16 + hexval(s[(*i)++]);
	}
	return d ? v : -1;
}

/*
 * IPv6 groups in s[0..n) into out. gap is the group index where "::"
 * stood (-1 if none); the groups after it slide to the end.
 */
static int parse6(const char *s, size_t n, uint8_t out[16])
{
	uint8_t b[16] = { 0 };
	int ng = 0, gap = -1;
	size_t i = 0;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	}
	while (i < n) {
		size_t start = i;
		int v = parse_group(s, n, &i);

		if (i < n && s[i] == '.') {
			/* The dotted tail fills the last two groups and ends the text. */
			if (ng > 6 || parse4(s + start, n - start, b + 2 * ng))
				return -EINVAL;
			ng += 2;
			break;
		}
		if (v < 0 || ng == 8)
			return -EINVAL;
		b[2 * ng] = (uint8_t)(v >> 8);
		b[2 * ng + 1] = (uint8_t)v;
		ng++;
		if (i == n)
			break;
		if (s[i] != ':' || ++i == n)
			return -EINVAL;
		if (s[i] == ':') {
			if (gap >= 0)
				return -EINVAL;
			gap = ng;
			i++;
		}
	}
	if (gap < 0 ? ng != 8 : ng > 7)
		return -EINVAL;
	memset(out, 0, 16);
	if (gap < 0)
		gap = ng;
	memcpy(out, b, 2 * gap);
	memcpy(out + 16 - 2 * (ng - gap), b + 2 * gap, 2 * (ng - gap));
	return 0;
}

static int zone_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	       c == '_' || c == '.' || c == '-';
}

/* An address in s[0..n), with an optional zone. */
static int parse_ip_span(const char *s, size_t n, struct xc_ip *ip)
{
	struct xc_ip r;
	const char *pct = memchr(s, '%', n);
	size_t an = pct ? (size_t)(pct - s) : n;

	memset(&r, 0, sizeof(r));
	if (memchr(s, ':', an)) {
		r.family = AF_INET6;
		if (parse6(s, an, r.a))
			return -EINVAL;
	} else {
		r.family = AF_INET;
		if (pct || parse4(s, an, r.a))
			return -EINVAL;
	}
	if (pct) {
		size_t zn = n - an - 1;

		if (zn == 0 || zn > ZONE_MAX)
			return -EINVAL;
		for (size_t i = 0; i < zn; i++)
			if (!zone_char(pct[1 + i]))
				return -EINVAL;
		memcpy(r.zone, pct + 1, zn);
	}
	*ip = r;
	return 0;
}

int xc_ip_parse(const char *text, struct xc_ip *ip)
{
	return parse_ip_span(text, strlen(text), ip);
}

static int prefix_parse(const char *text, struct xc_prefix *p, int loose)
{
	struct xc_prefix r;
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	long len;

	if (!slash && !loose)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	if (parse_ip_span(text, n, &r.ip))
		return -EINVAL;
	len = xc_ip_bits(r.ip.family);
	if (slash) {
		len = parse_dec(slash + 1, strlen(slash + 1), len);
		if (len < 0)
			return -EINVAL;
	}
	r.len = (uint8_t)len;
	*p = r;
	return 0;
}

int xc_prefix_parse(const char *text, struct xc_prefix *p)
{
	return prefix_parse(text, p, 0);
}

int xc_prefix_parse_loose(const char *text, struct xc_prefix *p)
{
	return prefix_parse(text, p, 1);
}

/* --- formatting --------------------------------------------------------- */

static const char hexdig[] = "0123456789abcdef";

/* Text staged in a bounded buffer; len counts on past size so overflow shows. */
struct sink {
	char *p;
	size_t len;
	size_t size;
};

static void put(struct sink *k, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++, k->len++)
		if (k->len < k->size)
			k->p[k->len] = s[i];
}

static void put_dec(struct sink *k, unsigned v)
{
	char d[10];
	int n = 0;

	do
		d[sizeof(d) - ++n] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof(d));
	put(k, d + sizeof(d) - n, (size_t)n);
}

/* One 16-bit group in hex, zero-padded to width digits. */
static void put_hex(struct sink *k, unsigned v, int width)
{
	char d[4];
	int n = 0;

	do
		d[3 - n++] = hexdig[v & 15];
	while ((v >>= 4) || n < width);
	put(k, d + 4 - n, (size_t)n);
}

static void put_v4(struct sink *k, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			put(k, ".", 1);
		put_dec(k, a[i]);
	}
}

/* The longest run of two or more zero groups, leftmost on a tie. */
static void zero_run(const uint8_t *a, int *best, int *best_n)
{
	int run = 0;

	*best = -1;
	*best_n = 1;
	for (int g = 0; g <= 8; g++) {
		if (g < 8 && !a[2 * g] && !a[2 * g + 1]) {
			run++;
			continue;
		}
		if (run > *best_n) {
			*best = g - run;
			*best_n = run;
		}
		run = 0;
	}
}

static int is_v4mapped(const uint8_t *a)
{
	static const uint8_t pre[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(a, pre, sizeof(pre));
}

static void put_v6(struct sink *k, const uint8_t *a, int full)
{
	int best, best_n;

	if (!full && is_v4mapped(a)) {
		put(k, "::ffff:", 7);
		put_v4(k, a + 12);
		return;
	}
	zero_run(a, &best, &best_n);
	for (int g = 0; g < 8; g++) {
		if (!full && g == best) {
			put(k, "::", 2);
			g += best_n - 1;
			continue;
		}
		if (g && (full || g != best + best_n))
			put(k, ":", 1);
		put_hex(k, (unsigned)a[2 * g] << 8 | a[2 * g + 1], full ? 4 : 1);
	}
}

static int put_ip(struct sink *k, const struct xc_ip *ip, int full)
{
	if (ip->family == AF_INET) {
		put_v4(k, ip->a);
		return 0;
	}
	if (ip->family != AF_INET6)
		return -EAFNOSUPPORT;
	put_v6(k, ip->a, full);
	if (ip->zone[0]) {
		size_t n = 0;

		while (n < ZONE_MAX && ip->zone[n])
			n++;
		put(k, "%", 1);
		put(k, ip->zone, n);
	}
	return 0;
}

/* Copy the staged text out only when it fits with its NUL. */
static int finish(const struct sink *k, char *buf, size_t size)
{
	if (k->len >= size)
		return -ENOSPC;
	memcpy(buf, k->p, k->len);
	buf[k->len] = '\0';
	return 0;
}

static int format_ip(const struct xc_ip *ip, char *buf, size_t size, int full)
{
	char tmp[XC_IP_STRLEN];
	struct sink k = { tmp, 0, sizeof(tmp) };
	int err = put_ip(&k, ip, full);

	return err ? err : finish(&k, buf, size);
}

int xc_ip_format(const struct xc_ip *ip, char *buf, size_t size)
{
	return format_ip(ip, buf, size, 0);
}

int xc_ip_format_full(const struct xc_ip *ip, char *buf, size_t size)
{
	return format_ip(ip, buf, size, 1);
}

int xc_prefix_format(const struct xc_prefix *p, char *buf, size_t size)
{
	char tmp[XC_IP_STRLEN];
	struct sink k = { tmp, 0, sizeof(tmp) };
	int err = put_ip(&k, &p->ip, 0);

	if (err)
		return err;
	if (p->len > xc_ip_bits(p->ip.family))
		return -ERANGE;
	put(&k, "/", 1);
	put_dec(&k, p->len);
	return finish(&k, buf, size);
}

/* --- comparison and masks ----------------------------------------------- */

int xc_ip_cmp(const struct xc_ip *a, const struct xc_ip *b)
{
	int n = xc_ip_bytes(a->family);

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return n ? memcmp(a->a, b->a, (size_t)n) : 0;
}

int xc_ip_equal(const struct xc_ip *a, const struct xc_ip *b)
{
	return a->family == b->family && !xc_ip_cmp(a, b);
}

/* Mask byte i of a prefix of length len. */
static uint8_t mask_byte(int i, int len)
{
	int bits = len - 8 * i;

	if (bits >= 8)
		return 0xff;
	if (bits <= 0)
		return 0;
	return (uint8_t)(0xff << (8 - bits));
}

int xc_ip_netmask(int family, int len, struct xc_ip *mask)
{
	int n = xc_ip_bytes(family);

	if (!n)
		return -EAFNOSUPPORT;
	if (len < 0 || len > 8 * n)
		return -ERANGE;
	memset(mask, 0, sizeof(*mask));
	mask->family = (uint8_t)family;
	for (int i = 0; i < n; i++)
		mask->a[i] = mask_byte(i, len);
	return 0;
}

/* --- prefix math ---------------------------------------------------------- */

static int prefix_valid(const struct xc_prefix *p)
{
	int bits = xc_ip_bits(p->ip.family);

	return bits && p->len <= bits;
}

/* ip with its host bits set to 0 (ones = 0) or 1 (ones = 1). */
static void fill_host(const struct xc_prefix *p, int ones, struct xc_ip *out)
{
	struct xc_ip r = p->ip;

	if (prefix_valid(p))
		for (int i = 0; i < xc_ip_bytes(r.family); i++) {
			uint8_t m = mask_byte(i, p->len);

			r.a[i] = ones ? (uint8_t)(r.a[i] | ~m) : (uint8_t)(r.a[i] & m);
		}
	*out = r;
}

void xc_prefix_network(const struct xc_prefix *p, struct xc_prefix *net)
{
	uint8_t len = p->len;

	fill_host(p, 0, &net->ip);
	net->len = len;
}

void xc_prefix_last(const struct xc_prefix *p, struct xc_ip *last)
{
	fill_host(p, 1, last);
}

int xc_prefix_first_host(const struct xc_prefix *p, struct xc_ip *ip)
{
	struct xc_ip r;
	int bits = xc_ip_bits(p->ip.family);

	if (!prefix_valid(p))
		return bits ? -ERANGE : -EAFNOSUPPORT;
	fill_host(p, 0, &r);
	if (p->len < bits - 1)
		xc_ip_next(&r);
	*ip = r;
	return 0;
}

int xc_prefix_last_host(const struct xc_prefix *p, struct xc_ip *ip)
{
	struct xc_ip r;
	int bits = xc_ip_bits(p->ip.family);

	if (!prefix_valid(p))
		return bits ? -ERANGE : -EAFNOSUPPORT;
	fill_host(p, 1, &r);
	if (r.family == AF_INET && p->len < 31)
		xc_ip_prev(&r);
	*ip = r;
	return 0;
}

int xc_prefix_size_str(const struct xc_prefix *p, char *buf, size_t size)
{
	/* 2^n by doubling a little-endian decimal number. */
	char d[XC_SIZE_STRLEN - 1] = { 1 };
	int nd = 1, host;

	if (!prefix_valid(p))
		return xc_ip_bits(p->ip.family) ? -ERANGE : -EAFNOSUPPORT;
	host = xc_ip_bits(p->ip.family) - p->len;
	for (int k = 0; k < host; k++) {
		int carry = 0;

		for (int i = 0; i < nd; i++) {
			int v = d[i] * 2 + carry;

			d[i] = (char)(v % 10);
			carry = v / 10;
		}
		if (carry)
			d[nd++] = (char)carry;
	}
	if ((size_t)nd >= size)
		return -ENOSPC;
	for (int i = 0; i < nd; i++)
		buf[i] = (char)('0' + d[nd - 1 - i]);
	buf[nd] = '\0';
	return 0;
}

/* Same family and equal in the first len bits (len: at most the family's). */
static int same_bits(const struct xc_ip *a, const struct xc_ip *b, int len)
{
	int n = len / 8, r = len % 8;

	if (a->family != b->family || !xc_ip_bytes(a->family) || memcmp(a->a, b->a, (size_t)n))
		return 0;
	return !r || !((a->a[n] ^ b->a[n]) & mask_byte(n, len));
}

/* The family first: most pairs a router's walks compare are of two families. */
int xc_prefix_contains(const struct xc_prefix *p, const struct xc_ip *ip)
{
	return p->ip.family == ip->family && prefix_valid(p) && same_bits(&p->ip, ip, p->len);
}

int xc_prefix_contains_prefix(const struct xc_prefix *outer, const struct xc_prefix *inner)
{
	return prefix_valid(inner) && inner->len >= outer->len &&
	       xc_prefix_contains(outer, &inner->ip);
}

int xc_prefix_overlaps(const struct xc_prefix *a, const struct xc_prefix *b)
{
	return a->ip.family == b->ip.family && prefix_valid(a) && prefix_valid(b) &&
	       same_bits(&a->ip, &b->ip, a->len < b->len ? a->len : b->len);
}

/* Ranges no pod CIDR may overlap: a[0..3] (IPv6: and a[15] = last). */
static const struct {
	uint8_t family, len, a[4], last;
	const char *why;
} special[] = {
	{ AF_INET, 8, { 0 }, 0, "overlaps 0.0.0.0/8" },
	{ AF_INET, 8, { 127 }, 0, "overlaps loopback" },
	{ AF_INET, 16, { 169, 254 }, 0, "overlaps link-local" },
	{ AF_INET, 4, { 224 }, 0, "overlaps multicast" },
	{ AF_INET, 32, { 255, 255, 255, 255 }, 0, "overlaps the limited broadcast" },
	{ AF_INET6, 128, { 0 }, 0, "overlaps the unspecified address" },
	{ AF_INET6, 128, { 0 }, 1, "overlaps loopback" },
	{ AF_INET6, 10, { 0xfe, 0x80 }, 0, "overlaps link-local" },
	{ AF_INET6, 8, { 0xff }, 0, "overlaps multicast" },
};

const char *xc_prefix_special(const struct xc_prefix *p)
{
	struct xc_prefix s = { .len = 0 };

	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		if (special[i].family != p->ip.family)
			continue;
		s.ip.family = special[i].family;
		memcpy(s.ip.a, special[i].a, 4);
		s.ip.a[15] = special[i].last;
		s.len = special[i].len;
		if (xc_prefix_overlaps(&s, p))
			return special[i].why;
	}
	return NULL;
}

/* --- arithmetic on the address as one big-endian number ------------------- */

/*
 * Add (sub = 0) or subtract (sub = 1) v to the n-byte number a, in place.
 * Returns the carry or borrow out of the top byte.
 */
static int addsub(uint8_t *a, int n, uint64_t v, int sub)
{
	unsigned carry = 0;

	for (int i = n - 1; i >= 0; i--) {
		unsigned x = a[i], y = (unsigned)(v & 0xff) + carry;

		v >>= 8;
		if (sub) {
			carry = x < y;
			a[i] = (uint8_t)(x - y);
		} else {
			carry = x + y > 0xff;
			a[i] = (uint8_t)(x + y);
		}
		if (!v && !carry)
			return 0;
	}
	return carry || v;
}

int xc_ip_add(struct xc_ip *ip, int64_t delta)
{
	uint8_t a[16];
	int n = xc_ip_bytes(ip->family);
	int sub = delta < 0;
	/* Negation in unsigned arithmetic: INT64_MIN has no positive twin. */
	uint64_t mag = sub ? 0 - (uint64_t)delta : (uint64_t)delta;

	if (!n)
		return -EAFNOSUPPORT;
	memcpy(a, ip->a, (size_t)n);
	if (addsub(a, n, mag, sub))
		return -ERANGE;
	memcpy(ip->a, a, (size_t)n);
	return 0;
}

int xc_ip_next(struct xc_ip *ip)
{
	return xc_ip_add(ip, 1);
}

int xc_ip_prev(struct xc_ip *ip)
{
	return xc_ip_add(ip, -1);
}

/* OR v << shift into the n-byte big-endian number a (bits beyond it dropped). */
static void or_shifted(uint8_t *a, int n, uint64_t v, int shift)
{
	for (int bit = 0; bit < 64; bit++) {
		int pos = shift + bit; /* bit position from the least significant end */

		if (!(v >> bit & 1) || pos >= 8 * n)
			continue;
		a[n - 1 - pos / 8] |= (uint8_t)(1u << (pos % 8));
	}
}

int xc_prefix_subnet(const struct xc_prefix *p, int newlen, uint64_t index, struct xc_prefix *out)
{
	struct xc_prefix r;
	int bits = xc_ip_bits(p->ip.family);

	if (!bits)
		return -EAFNOSUPPORT;
	if (!prefix_valid(p) || newlen < p->len || newlen > bits)
		return -ERANGE;
	if (newlen - p->len < 64 && index >> (newlen - p->len))
		return -ERANGE;
	xc_prefix_network(p, &r);
	or_shifted(r.ip.a, bits / 8, index, bits - newlen);
	r.len = (uint8_t)newlen;
	*out = r;
	return 0;
}

/* --- IPv4 in IPv6, MAC addresses ------------------------------------------ */

int xc_ip_embed4(const struct xc_prefix *v6prefix, const struct xc_ip *v4, struct xc_ip *out)
{
	struct xc_ip r;

	if (v6prefix->ip.family != AF_INET6 || v4->family != AF_INET)
		return -EAFNOSUPPORT;
	if (v6prefix->len > 96)
		return -ERANGE;
	r = v6prefix->ip;
	memcpy(r.a + 12, v4->a, 4);
	*out = r;
	return 0;
}

int xc_ip_extract4(const struct xc_ip *v6, struct xc_ip *v4)
{
	struct xc_ip r;

	if (v6->family != AF_INET6)
		return -EAFNOSUPPORT;
	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	memcpy(r.a, v6->a + 12, 4);
	*v4 = r;
	return 0;
}

int xc_mac_parse(const char *text, uint8_t mac[6])
{
	uint8_t m[6];
	char sep = text[0] && text[1] ? text[2] : 0;

	if (sep != ':' && sep != '-')
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		const char *s = text + 3 * i;
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (lo < 0 || s[2] != (i < 5 ? sep : '\0'))
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, m, 6);
	return 0;
}

int xc_mac_format(const uint8_t mac[6], char *buf, size_t size)
{
	if (size < XC_MAC_STRLEN)
		return -ENOSPC;
	for (int i = 0; i < 6; i++) {
		buf[3 * i] = hexdig[mac[i] >> 4];
		buf[3 * i + 1] = hexdig[mac[i] & 15];
		buf[3 * i + 2] = i < 5 ? ':' : '\0';
	}
	return 0;
}

void xc_ip_link_local(const uint8_t mac[6], struct xc_ip *out)
{
	struct xc_ip r;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET6;
	r.a[0] = 0xfe;
	r.a[1] = 0x80;
	/* RFC 4291 inverts the universal/local bit so hand-made IIDs like ::1 stay short. */
	r.a[8] = mac[0] ^ 0x02;
	r.a[9] = mac[1];
	r.a[10] = mac[2];
	r.a[11] = 0xff;
	r.a[12] = 0xfe;
	r.a[13] = mac[3];
	r.a[14] = mac[4];
	r.a[15] = mac[5];
	*out = r;
}
