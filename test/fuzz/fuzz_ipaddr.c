/*
 * fuzz_ipaddr: every text parser of core/base/ipaddr, then the prefix math on
 * whatever parsed. Checked beyond "no crash": text round trips are the
 * identity, glibc's inet_pton accepts exactly what we accept (for text
 * without zone or length), and the math keeps its own invariants.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../core/base/ipaddr.h"

#define MUST(c) do { if (!(c)) abort(); } while (0)

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ULL;
	return h;
}

static void same_ip(const struct xc_ip *a, const struct xc_ip *b)
{
	MUST(!memcmp(a, b, sizeof(*a)));
}

static void check_ip_text(const struct xc_ip *ip)
{
	char t[XC_IP_STRLEN], u[XC_IP_STRLEN];
	struct xc_ip back;

	MUST(xc_ip_format(ip, t, sizeof(t)) == 0);
	MUST(xc_ip_parse(t, &back) == 0);
	same_ip(ip, &back);
	MUST(xc_ip_format(&back, u, sizeof(u)) == 0 && !strcmp(t, u));
	MUST(xc_ip_format_full(ip, t, sizeof(t)) == 0);
	MUST(xc_ip_parse(t, &back) == 0);
	same_ip(ip, &back);
}

/* Without zone or length, glibc's parser is an oracle for ours. */
static void check_libc(const char *s, int rc, const struct xc_ip *ip)
{
	uint8_t b[16];
	int fam = strchr(s, ':') ? AF_INET6 : AF_INET;
	int ok = inet_pton(fam, s, b) == 1;

	if (strchr(s, '%'))
		return;
	MUST(ok == (rc == 0));
	if (ok)
		MUST(ip->family == fam && !memcmp(ip->a, b, (size_t)xc_ip_bytes(fam)));
}

static void check_ip(const char *s)
{
	struct xc_ip ip, x;
	int rc = xc_ip_parse(s, &ip);

	check_libc(s, rc, &ip);
	if (rc)
		return;
	MUST(xc_ip_bytes(ip.family));
	if (ip.family == AF_INET)
		MUST(!ip.zone[0] && !memcmp(ip.a + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12));
	MUST(memchr(ip.zone, 0, sizeof(ip.zone)));
	check_ip_text(&ip);
	x = ip;
	if (xc_ip_next(&x) == 0) {
		MUST(xc_ip_cmp(&ip, &x) < 0);
		MUST(xc_ip_prev(&x) == 0);
		same_ip(&ip, &x);
	}
	if (ip.family == AF_INET6) {
		struct xc_prefix p = { ip, 96 };
		struct xc_ip v4, y;

		MUST(xc_ip_extract4(&ip, &v4) == 0);
		MUST(xc_ip_embed4(&p, &v4, &y) == 0);
		same_ip(&ip, &y);
	}
}

static void check_math(const struct xc_prefix *p, uint64_t h)
{
	struct xc_prefix net, sub;
	struct xc_ip last, fh, lh, mask, x;
	char size[XC_SIZE_STRLEN];
	int bits = xc_ip_bits(p->ip.family), newlen;
	int64_t delta = (int64_t)(h * 0x9e3779b97f4a7c15ULL) >> (h & 63);

	xc_prefix_network(p, &net);
	xc_prefix_last(p, &last);
	MUST(xc_prefix_first_host(p, &fh) == 0 && xc_prefix_last_host(p, &lh) == 0);
	MUST(xc_prefix_contains(p, &net.ip) && xc_prefix_contains(p, &last));
	MUST(xc_prefix_contains(p, &fh) && xc_prefix_contains(p, &lh));
	MUST(xc_ip_cmp(&net.ip, &fh) <= 0 && xc_ip_cmp(&fh, &lh) <= 0 && xc_ip_cmp(&lh, &last) <= 0);
	MUST(xc_prefix_contains_prefix(p, &net) && xc_prefix_contains_prefix(&net, p));
	MUST(xc_prefix_overlaps(p, &net));
	MUST(xc_prefix_size_str(p, size, sizeof(size)) == 0);
	if (bits - p->len < 64)
		MUST(strtoull(size, NULL, 10) == (uint64_t)1 << (bits - p->len));
	MUST(xc_ip_netmask(p->ip.family, p->len, &mask) == 0);
	newlen = p->len + (int)(h % (uint64_t)(bits - p->len + 1));
	if (xc_prefix_subnet(p, newlen, h >> 8, &sub) == 0) {
		MUST(xc_prefix_contains_prefix(p, &sub) && xc_prefix_overlaps(&sub, p));
		MUST(newlen - p->len >= 56 || (h >> 8) < ((uint64_t)1 << (newlen - p->len)));
	} else {
		MUST(newlen - p->len < 56 && (h >> 8) >= ((uint64_t)1 << (newlen - p->len)));
	}
	x = p->ip;
	if (xc_ip_add(&x, delta) == 0 && delta != INT64_MIN) {
		MUST(xc_ip_add(&x, -delta) == 0);
		same_ip(&x, &p->ip);
	}
}

static void check_prefix(const char *s, int loose)
{
	struct xc_prefix p, back;
	char t[XC_IP_STRLEN];
	int rc = loose ? xc_prefix_parse_loose(s, &p) : xc_prefix_parse(s, &p);

	if (rc)
		return;
	MUST(p.len <= xc_ip_bits(p.ip.family));
	MUST(xc_prefix_format(&p, t, sizeof(t)) == 0);
	MUST(xc_prefix_parse(t, &back) == 0);
	MUST(!memcmp(&p, &back, sizeof(p)));
	check_math(&p, hash(s));
}

static void check_mac(const char *s)
{
	uint8_t m[6], back[6];
	char t[XC_MAC_STRLEN];
	struct xc_ip ll;

	if (xc_mac_parse(s, m))
		return;
	MUST(strlen(s) == 17);
	MUST(xc_mac_format(m, t, sizeof(t)) == 0);
	MUST(xc_mac_parse(t, back) == 0 && !memcmp(m, back, 6));
	xc_ip_link_local(m, &ll);
	check_ip_text(&ll);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256];

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_ip(s);
	check_prefix(s, 0);
	check_prefix(s, 1);
	check_mac(s);
	return 0;
}
