/* test_ipaddr: parsers, canonical text, prefix math of core/base/ipaddr. */
#include "base/ipaddr.h"
#include "t.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

/* Helpers return the text of a result, or "!ENAME" for an error. */
static char bufs[8][XC_IP_STRLEN];
static int nbuf;

static char *next_buf(void)
{
	return bufs[nbuf++ % 8];
}

static const char *err(int e)
{
	switch (e) {
	case -EINVAL: return "!EINVAL";
	case -ERANGE: return "!ERANGE";
	case -EAFNOSUPPORT: return "!EAFNOSUPPORT";
	case -ENOSPC: return "!ENOSPC";
	}
	return "!other";
}

static const char *fmt(const struct xc_ip *ip)
{
	char *b = next_buf();
	int e = xc_ip_format(ip, b, XC_IP_STRLEN);

	return e ? err(e) : b;
}

static const char *fmt_p(const struct xc_prefix *p)
{
	char *b = next_buf();
	int e = xc_prefix_format(p, b, XC_IP_STRLEN);

	return e ? err(e) : b;
}

static const char *ip(const char *text)
{
	struct xc_ip a;
	int e = xc_ip_parse(text, &a);

	return e ? err(e) : fmt(&a);
}

static const char *full(const char *text)
{
	struct xc_ip a;
	char *b = next_buf();
	int e = xc_ip_parse(text, &a);

	if (!e)
		e = xc_ip_format_full(&a, b, XC_IP_STRLEN);
	return e ? err(e) : b;
}

static const char *pfx(const char *text)
{
	struct xc_prefix p;
	int e = xc_prefix_parse(text, &p);

	return e ? err(e) : fmt_p(&p);
}

static const char *loose(const char *text)
{
	struct xc_prefix p;
	int e = xc_prefix_parse_loose(text, &p);

	return e ? err(e) : fmt_p(&p);
}

static struct xc_prefix P(const char *text)
{
	struct xc_prefix p;

	memset(&p, 0, sizeof(p));
	if (!T(xc_prefix_parse_loose(text, &p) == 0))
		printf("     bad test prefix %s\n", text);
	return p;
}

static struct xc_ip A(const char *text)
{
	struct xc_ip a;

	memset(&a, 0, sizeof(a));
	if (!T(xc_ip_parse(text, &a) == 0))
		printf("     bad test address %s\n", text);
	return a;
}

enum op { NET, LAST, FIRST_HOST, LAST_HOST, SIZE };

static const char *math(const char *text, enum op op)
{
	struct xc_prefix p = P(text), n;
	struct xc_ip a;
	char *b = next_buf();
	int e = 0;

	switch (op) {
	case NET: xc_prefix_network(&p, &n); return fmt_p(&n);
	case LAST: xc_prefix_last(&p, &a); return fmt(&a);
	case FIRST_HOST: e = xc_prefix_first_host(&p, &a); break;
	case LAST_HOST: e = xc_prefix_last_host(&p, &a); break;
	case SIZE:
		e = xc_prefix_size_str(&p, b, XC_IP_STRLEN);
		return e ? err(e) : b;
	}
	return e ? err(e) : fmt(&a);
}

static void test_v4_parse(void)
{
	T_STR(ip("0.0.0.0"), "0.0.0.0");
	T_STR(ip("255.255.255.255"), "255.255.255.255");
	T_STR(ip("10.0.0.1"), "10.0.0.1");
	T_STR(ip("192.168.100.200"), "192.168.100.200");
	static const char *const bad[] = {
		"", "1", "1.2", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256",
		"01.2.3.4", "1.2.3.04", "00.1.1.1", "1.2.3.000", "1.2.3.4 ",
		" 1.2.3.4", "1..2.3", "1.2.3.", ".1.2.3", "1.2.3.-1", "+1.2.3.4",
		"0x1.2.3.4", "1.2.3.4%eth0", "1111.2.3.4", "1.2.3.4/", "167772161",
		"1.2.3.a", "1.2.3.4.", "1,2,3,4", "１.2.3.4",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!T(!strcmp(ip(bad[i]), "!EINVAL")))
			printf("     accepted \"%s\"\n", bad[i]);
}

static void test_v6_rfc5952(void)
{
	/* RFC 5952 section 4 and its examples. */
	T_STR(ip("2001:0db8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
	T_STR(ip("2001:db8:0:0:0:0:2:1"), "2001:db8::2:1");
	T_STR(ip("2001:db8::0:1"), "2001:db8::1");
	T_STR(ip("2001:db8::1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
	T_STR(ip("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
	T_STR(ip("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");
	T_STR(ip("2001:DB8::ABCD:EF01"), "2001:db8::abcd:ef01");
	T_STR(ip("2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001"), "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1");
	T_STR(ip("2001:db8:0:1:0:0:0:0"), "2001:db8:0:1::");
	/* Ends and singletons. */
	T_STR(ip("::"), "::");
	T_STR(ip("0:0:0:0:0:0:0:0"), "::");
	T_STR(ip("::1"), "::1");
	T_STR(ip("1::"), "1::");
	T_STR(ip("1:0:0:0:0:0:0:0"), "1::");
	T_STR(ip("1:2:3:4:5:6:7::"), "1:2:3:4:5:6:7:0");
	T_STR(ip("::2:3:4:5:6:7:8"), "0:2:3:4:5:6:7:8");
	T_STR(ip("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8");
	T_STR(ip("0:1:0:1:0:1:0:1"), "0:1:0:1:0:1:0:1");
	T_STR(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
	      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	/* Dotted tails; mixed output only for IPv4-mapped (section 5). */
	T_STR(ip("::ffff:192.0.2.1"), "::ffff:192.0.2.1");
	T_STR(ip("::ffff:c000:0201"), "::ffff:192.0.2.1");
	T_STR(ip("::FFFF:0.0.0.0"), "::ffff:0.0.0.0");
	T_STR(ip("64:ff9b::192.0.2.33"), "64:ff9b::c000:221");
	T_STR(ip("::1.2.3.4"), "::102:304");
	T_STR(ip("1:2:3:4:5:6:1.2.3.4"), "1:2:3:4:5:6:102:304");
	T_STR(ip("1::1.2.3.4"), "1::102:304");
	T_STR(ip("::fffe:1.2.3.4"), "::fffe:102:304");
	/* Expanded form. */
	T_STR(full("2001:db8::1"), "2001:0db8:0000:0000:0000:0000:0000:0001");
	T_STR(full("::ffff:1.2.3.4"), "0000:0000:0000:0000:0000:ffff:0102:0304");
	T_STR(full("fe80::a%eth0"), "fe80:0000:0000:0000:0000:0000:0000:000a%eth0");
	T_STR(full("10.0.0.1"), "10.0.0.1");
}

static void test_v6_bad(void)
{
	static const char *const bad[] = {
		":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::",
		"1::2:", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:", "12345::", "::12345",
		"1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8", "g::",
		"::1.2.3", "::01.2.3.4", "::256.1.1.1", "1:2:3:4:5:6:7:1.2.3.4",
		"1:2:3:4:5:6::1.2.3.4", "1.2.3.4::", "::1.2.3.4:1", "::1.2.3.4.5",
		"[::1]", "::1 ", " ::1", "1:: 2", "::1/128", "fe80::1%", "fe80::1%a b",
		"fe80::1%a%b", "fe80::1%abcdefghijklmnop", "fe80::1%eth:0", "fe80::1%eth/0",
		"fe80::1%$(x)", "%eth0", "::%", "1:2:3:4:5:6:7:8%", "1;2::", "0x1::",
		":::1", "1:::2", "::1:", "1.2.3.4:1::",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!T(!strcmp(ip(bad[i]), "!EINVAL")))
			printf("     accepted \"%s\"\n", bad[i]);
}

static void test_zones(void)
{
	struct xc_ip a = A("fe80::1%eth1"), b = A("fe80::1"), c;
	char small[13];

	T_STR(a.zone, "eth1");
	T_STR(fmt(&a), "fe80::1%eth1");
	T_STR(ip("fe80::1%abcdefghijklmno"), "fe80::1%abcdefghijklmno");
	T_STR(ip("fe80::1%7"), "fe80::1%7");
	T_STR(ip("fe80::1%br-0.a_b"), "fe80::1%br-0.a_b");
	T_STR(ip("2001:db8::1%x"), "2001:db8::1%x");
	T_STR(ip("::ffff:1.2.3.4%eth0"), "::ffff:1.2.3.4%eth0");
	T(xc_ip_equal(&a, &b));
	T_INT(xc_ip_cmp(&a, &b), 0);
	/* The zone counts toward the buffer size. */
	T_INT(xc_ip_format(&a, small, 12), -ENOSPC);
	T_INT(xc_ip_format(&a, small, 13), 0);
	T_STR(small, "fe80::1%eth1");
	c = A("fe80::1%eth0");
	T_STR(c.zone, "eth0");
}

static void test_prefix_parse(void)
{
	struct xc_prefix p;

	T_STR(pfx("10.0.0.0/8"), "10.0.0.0/8");
	T_STR(pfx("10.0.0.5/24"), "10.0.0.5/24");
	T_STR(pfx("0.0.0.0/0"), "0.0.0.0/0");
	T_STR(pfx("1.2.3.4/32"), "1.2.3.4/32");
	T_STR(pfx("::/0"), "::/0");
	T_STR(pfx("::1/128"), "::1/128");
	T_STR(pfx("2001:DB8:0::/32"), "2001:db8::/32");
	T_STR(pfx("fe80::1%eth0/64"), "fe80::1%eth0/64");
	T_STR(pfx("::ffff:10.0.0.0/104"), "::ffff:10.0.0.0/104");
	T_STR(pfx("10.0.0.0"), "!EINVAL");
	T_STR(loose("10.0.0.1"), "10.0.0.1/32");
	T_STR(loose("2001:db8::1"), "2001:db8::1/128");
	T_STR(loose("fe80::1%eth0"), "fe80::1%eth0/128");
	T_STR(loose("10.0.0.0/8"), "10.0.0.0/8");
	static const char *const bad[] = {
		"10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8",
		"10.0.0.0/8/8", "10.0.0.0/255.0.0.0", "10.0.0.0 /8", "10.0.0.0/ 8",
		"10.0.0.0/8 ", "::/129", "::/1280", "::/000", "/8", "/", "", "10.0.0/8",
		"fe80::1/64%eth0", "10.0.0.0/0x8", "10.0.0.0/1e1", "a/8", "::/12a",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!T(!strcmp(pfx(bad[i]), "!EINVAL")))
			printf("     accepted \"%s\"\n", bad[i]);
		if (!T(!strcmp(loose(bad[i]), "!EINVAL")))
			printf("     loose accepted \"%s\"\n", bad[i]);
	}
	/* A failed parse leaves the output alone. */
	p = P("10.0.0.0/8");
	T_INT(xc_prefix_parse("junk", &p), -EINVAL);
	T_STR(fmt_p(&p), "10.0.0.0/8");
	p.len = 33;
	T_STR(fmt_p(&p), "!ERANGE");
	p.ip.family = 0;
	T_STR(fmt_p(&p), "!EAFNOSUPPORT");
}

static void test_format_buffers(void)
{
	struct xc_ip a = A("255.255.255.255");
	char b[16];

	memset(b, 'x', sizeof(b));
	T_INT(xc_ip_format(&a, b, 15), -ENOSPC);
	T(b[0] == 'x');
	T_INT(xc_ip_format(&a, b, 16), 0);
	T_STR(b, "255.255.255.255");
	a.family = 99;
	T_INT(xc_ip_format(&a, b, sizeof(b)), -EAFNOSUPPORT);
}

static void test_v4_math(void)
{
	T_STR(math("10.1.2.3/24", NET), "10.1.2.0/24");
	T_STR(math("10.1.2.3/24", LAST), "10.1.2.255");
	T_STR(math("10.1.2.3/24", FIRST_HOST), "10.1.2.1");
	T_STR(math("10.1.2.3/24", LAST_HOST), "10.1.2.254");
	T_STR(math("10.1.2.3/24", SIZE), "256");
	T_STR(math("172.31.77.9/13", NET), "172.24.0.0/13");
	T_STR(math("172.31.77.9/13", LAST), "172.31.255.255");
	T_STR(math("1.2.3.4/0", NET), "0.0.0.0/0");
	T_STR(math("1.2.3.4/0", LAST), "255.255.255.255");
	T_STR(math("1.2.3.4/0", FIRST_HOST), "0.0.0.1");
	T_STR(math("1.2.3.4/0", LAST_HOST), "255.255.255.254");
	T_STR(math("1.2.3.4/0", SIZE), "4294967296");
	T_STR(math("192.168.0.5/30", FIRST_HOST), "192.168.0.5");
	T_STR(math("192.168.0.5/30", LAST_HOST), "192.168.0.6");
	T_STR(math("192.168.0.1/31", NET), "192.168.0.0/31");
	T_STR(math("192.168.0.1/31", FIRST_HOST), "192.168.0.0");
	T_STR(math("192.168.0.1/31", LAST_HOST), "192.168.0.1");
	T_STR(math("192.168.0.1/31", SIZE), "2");
	T_STR(math("1.2.3.4/32", NET), "1.2.3.4/32");
	T_STR(math("1.2.3.4/32", FIRST_HOST), "1.2.3.4");
	T_STR(math("1.2.3.4/32", LAST_HOST), "1.2.3.4");
	T_STR(math("1.2.3.4/32", SIZE), "1");
	T_STR(math("255.255.255.255/32", LAST), "255.255.255.255");
	T_STR(math("0.0.0.0/32", FIRST_HOST), "0.0.0.0");
}

static void test_v6_math(void)
{
	T_STR(math("2001:db8::1/64", NET), "2001:db8::/64");
	T_STR(math("2001:db8::1/64", LAST), "2001:db8::ffff:ffff:ffff:ffff");
	T_STR(math("2001:db8::1/64", FIRST_HOST), "2001:db8::1");
	T_STR(math("2001:db8::1/64", LAST_HOST), "2001:db8::ffff:ffff:ffff:ffff");
	T_STR(math("2001:db8::1/64", SIZE), "18446744073709551616");
	T_STR(math("2001:db8::1/65", SIZE), "9223372036854775808");
	T_STR(math("2001:db8:1:2:3:4:5:6/61", NET), "2001:db8:1::/61");
	T_STR(math("2001:db8:1:2:3:4:5:6/61", LAST), "2001:db8:1:7:ffff:ffff:ffff:ffff");
	T_STR(math("2001:db8::5/127", NET), "2001:db8::4/127");
	T_STR(math("2001:db8::5/127", FIRST_HOST), "2001:db8::4");
	T_STR(math("2001:db8::5/127", LAST_HOST), "2001:db8::5");
	T_STR(math("2001:db8::5/126", FIRST_HOST), "2001:db8::5");
	T_STR(math("2001:db8::5/126", LAST_HOST), "2001:db8::7");
	T_STR(math("2001:db8::5/128", FIRST_HOST), "2001:db8::5");
	T_STR(math("2001:db8::5/128", LAST_HOST), "2001:db8::5");
	T_STR(math("2001:db8::5/128", SIZE), "1");
	T_STR(math("ffff::1/0", NET), "::/0");
	T_STR(math("ffff::1/0", LAST), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	T_STR(math("ffff::1/0", FIRST_HOST), "::1");
	T_STR(math("ffff::1/0", SIZE), "340282366920938463463374607431768211456");
	T_STR(math("fe80::1%eth0/64", FIRST_HOST), "fe80::1%eth0");
	T_STR(math("fe80::1%eth0/64", NET), "fe80::%eth0/64");
}

static void test_sizes(void)
{
	struct xc_prefix p = P("::/0");
	char b[XC_SIZE_STRLEN];

	p = P("0.0.0.0/0");
	p.len = 33;
	T_INT(xc_prefix_size_str(&p, b, sizeof(b)), -ERANGE);
	p = P("::/0");
	memset(b, 'x', sizeof(b));
	T_INT(xc_prefix_size_str(&p, b, 39), -ENOSPC);
	T(b[0] == 'x');
	T_INT(xc_prefix_size_str(&p, b, 40), 0);
	/* Each length doubles the size: check every one against 2^n. */
	for (int len = 0; len <= 32; len++) {
		char want[24];

		p = P("0.0.0.0/0");
		p.len = (uint8_t)len;
		snprintf(want, sizeof(want), "%llu", 1ULL << (32 - len));
		T_INT(xc_prefix_size_str(&p, b, sizeof(b)), 0);
		if (!T(!strcmp(b, want)))
			printf("     /%d: %s\n", len, b);
	}
}

/* Leading one bits of a mask of n bytes; -1 when a one follows a zero. */
static int mask_ones(const struct xc_ip *m, int n)
{
	int len = 0;

	while (len < 8 * n && m->a[len / 8] & (0x80 >> (len % 8)))
		len++;
	for (int i = len; i < 8 * n; i++)
		if (m->a[i / 8] & (0x80 >> (i % 8)))
			return -1;
	return len;
}

static void test_netmask(void)
{
	struct xc_ip m;

	T_INT(xc_ip_netmask(AF_INET, 24, &m), 0);
	T_STR(fmt(&m), "255.255.255.0");
	T_INT(xc_ip_netmask(AF_INET, 0, &m), 0);
	T_STR(fmt(&m), "0.0.0.0");
	T_INT(xc_ip_netmask(AF_INET, 19, &m), 0);
	T_STR(fmt(&m), "255.255.224.0");
	T_INT(xc_ip_netmask(AF_INET, 32, &m), 0);
	T_STR(fmt(&m), "255.255.255.255");
	T_INT(xc_ip_netmask(AF_INET6, 64, &m), 0);
	T_STR(fmt(&m), "ffff:ffff:ffff:ffff::");
	T_INT(xc_ip_netmask(AF_INET6, 0, &m), 0);
	T_STR(fmt(&m), "::");
	T_INT(xc_ip_netmask(AF_INET6, 127, &m), 0);
	T_STR(fmt(&m), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	T_INT(xc_ip_netmask(AF_INET, 33, &m), -ERANGE);
	T_INT(xc_ip_netmask(AF_INET, -1, &m), -ERANGE);
	T_INT(xc_ip_netmask(AF_INET6, 129, &m), -ERANGE);
	T_INT(xc_ip_netmask(0, 8, &m), -EAFNOSUPPORT);
	/* every length: len leading ones, then zeros */
	for (int len = 0; len <= 128; len++) {
		if (len <= 32) {
			xc_ip_netmask(AF_INET, len, &m);
			T_INT(mask_ones(&m, 4), len);
		}
		xc_ip_netmask(AF_INET6, len, &m);
		T_INT(mask_ones(&m, 16), len);
	}
}

static void test_contains(void)
{
	struct xc_prefix p8 = P("10.0.0.0/8"), p16 = P("10.1.0.0/16");
	struct xc_prefix any4 = P("0.0.0.0/0"), any6 = P("::/0");
	struct xc_ip a;

	a = A("10.255.255.255");
	T(xc_prefix_contains(&p8, &a));
	a = A("11.0.0.0");
	T(!xc_prefix_contains(&p8, &a));
	a = A("9.255.255.255");
	T(!xc_prefix_contains(&p8, &a));
	a = A("::ffff:10.0.0.1");
	T(!xc_prefix_contains(&p8, &a));
	T(!xc_prefix_contains(&any4, &a));
	T(xc_prefix_contains(&any6, &a));
	a = A("1.2.3.4");
	T(xc_prefix_contains(&any4, &a));
	T(!xc_prefix_contains(&any6, &a));
	T(xc_prefix_contains_prefix(&p8, &p16));
	T(!xc_prefix_contains_prefix(&p16, &p8));
	T(xc_prefix_contains_prefix(&p8, &p8));
	T(xc_prefix_contains_prefix(&any4, &p16));
	T(!xc_prefix_contains_prefix(&any6, &p16));
	p16 = P("11.1.0.0/16");
	T(!xc_prefix_contains_prefix(&p8, &p16));
	/* Host bits as written do not matter. */
	p16 = P("10.1.2.3/8");
	a = A("10.9.9.9");
	T(xc_prefix_contains(&p16, &a));
	p16 = P("fe80::%eth0/64");
	a = A("fe80::1%eth1");
	T(xc_prefix_contains(&p16, &a));
	a = A("fe80:0:0:1::1");
	T(!xc_prefix_contains(&p16, &a));
}

static void test_overlaps(void)
{
	struct xc_prefix a = P("10.0.0.0/8"), b = P("10.1.0.0/16");

	T(xc_prefix_overlaps(&a, &b));
	T(xc_prefix_overlaps(&b, &a));
	a = P("10.0.0.0/9");
	b = P("10.128.0.0/9");
	T(!xc_prefix_overlaps(&a, &b));
	T(!xc_prefix_overlaps(&b, &a));
	b = P("10.127.255.255");
	T(xc_prefix_overlaps(&a, &b));
	a = P("0.0.0.0/0");
	b = P("::/0");
	T(!xc_prefix_overlaps(&a, &b));
	a = P("2001:db8::/32");
	T(xc_prefix_overlaps(&a, &b));
	a = P("2001:db8::/32");
	b = P("2001:db9::/32");
	T(!xc_prefix_overlaps(&a, &b));
	b = P("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	T(xc_prefix_overlaps(&a, &b));
}

/* Ranges that are never a pod's, whatever the prefix length; others pass. */
static void test_special(void)
{
	static const struct { const char *p, *why; } v[] = {
		{ "0.0.0.0/1", "overlaps 0.0.0.0/8" },
		{ "128.0.0.0/1", "overlaps link-local" },   /* the first it meets */
		{ "127.0.0.0/24", "overlaps loopback" },
		{ "169.254.1.0/24", "overlaps link-local" },
		{ "239.0.0.0/8", "overlaps multicast" },
		{ "255.255.255.255/32", "overlaps the limited broadcast" },
		{ "::/1", "overlaps the unspecified address" },
		{ "::1/128", "overlaps loopback" },
		{ "fe80::/64", "overlaps link-local" },
		{ "ff02::/16", "overlaps multicast" },
		{ "10.244.0.0/24", NULL },
		{ "198.18.0.0/15", NULL },
		{ "1100:400::/24", NULL },     /* large and old-style: allowed */
		{ "fd00::/8", NULL },
	};
	struct xc_prefix p;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		p = P(v[i].p);
		if (v[i].why)
			T_STR(xc_prefix_special(&p), v[i].why);
		else
			T(xc_prefix_special(&p) == NULL);
	}
}

static const char *add(const char *text, int64_t delta)
{
	struct xc_ip a = A(text);
	int e = xc_ip_add(&a, delta);

	if (e) {
		struct xc_ip b = A(text);

		/* On error the address must be unchanged. */
		T(!memcmp(&a, &b, sizeof(a)));
		return err(e);
	}
	return fmt(&a);
}

static void test_add(void)
{
	struct xc_ip a;

	T_STR(add("10.0.0.255", 1), "10.0.1.0");
	T_STR(add("10.0.1.0", -1), "10.0.0.255");
	T_STR(add("10.0.0.0", 65536 * 256), "11.0.0.0");
	T_STR(add("255.255.255.255", 1), "!ERANGE");
	T_STR(add("255.255.255.255", 0), "255.255.255.255");
	T_STR(add("0.0.0.0", -1), "!ERANGE");
	T_STR(add("0.0.0.0", 4294967295LL), "255.255.255.255");
	T_STR(add("0.0.0.0", 4294967296LL), "!ERANGE");
	T_STR(add("255.255.255.255", -4294967295LL), "0.0.0.0");
	T_STR(add("255.255.255.255", -4294967296LL), "!ERANGE");
	T_STR(add("1.2.3.4", INT64_MAX), "!ERANGE");
	T_STR(add("1.2.3.4", INT64_MIN), "!ERANGE");
	T_STR(add("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1), "!ERANGE");
	T_STR(add("::", -1), "!ERANGE");
	T_STR(add("::", INT64_MIN), "!ERANGE");
	T_STR(add("::ffff:ffff:ffff:ffff", 1), "0:0:0:1::");
	T_STR(add("0:0:0:1::", -1), "::ffff:ffff:ffff:ffff");
	T_STR(add("1::", INT64_MIN), "0:ffff:ffff:ffff:8000::");
	T_STR(add("::", INT64_MAX), "::7fff:ffff:ffff:ffff");
	T_STR(add("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 1),
	      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	T_STR(add("ffff:ffff:ffff:ffff:8000::", INT64_MAX),
	      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	T_STR(add("ffff:ffff:ffff:ffff:8000::1", INT64_MAX), "!ERANGE");
	T_STR(add("fe80::1%eth0", 1), "fe80::2%eth0");
	a = A("1.2.3.4");
	T_INT(xc_ip_next(&a), 0);
	T_STR(fmt(&a), "1.2.3.5");
	T_INT(xc_ip_prev(&a), 0);
	T_INT(xc_ip_prev(&a), 0);
	T_STR(fmt(&a), "1.2.3.3");
	a.family = 0;
	T_INT(xc_ip_add(&a, 1), -EAFNOSUPPORT);
}

static const char *subnet(const char *text, int newlen, uint64_t index)
{
	struct xc_prefix p = P(text), out;
	int e = xc_prefix_subnet(&p, newlen, index, &out);

	return e ? err(e) : fmt_p(&out);
}

static void test_subnet(void)
{
	T_STR(subnet("10.0.0.0/8", 24, 0), "10.0.0.0/24");
	T_STR(subnet("10.0.0.0/8", 24, 255), "10.0.255.0/24");
	T_STR(subnet("10.0.0.0/8", 24, 256), "10.1.0.0/24");
	T_STR(subnet("10.0.0.0/8", 24, 65535), "10.255.255.0/24");
	T_STR(subnet("10.0.0.0/8", 24, 65536), "!ERANGE");
	T_STR(subnet("10.1.2.3/8", 8, 0), "10.0.0.0/8");
	T_STR(subnet("10.1.2.3/8", 8, 1), "!ERANGE");
	T_STR(subnet("10.0.0.0/8", 7, 0), "!ERANGE");
	T_STR(subnet("10.0.0.0/8", 33, 0), "!ERANGE");
	T_STR(subnet("10.0.0.0/8", -1, 0), "!ERANGE");
	T_STR(subnet("0.0.0.0/0", 32, 4294967295ULL), "255.255.255.255/32");
	T_STR(subnet("0.0.0.0/0", 32, 4294967296ULL), "!ERANGE");
	T_STR(subnet("0.0.0.0/0", 0, 0), "0.0.0.0/0");
	T_STR(subnet("192.168.0.0/24", 26, 3), "192.168.0.192/26");
	T_STR(subnet("::/0", 128, UINT64_MAX), "::ffff:ffff:ffff:ffff/128");
	T_STR(subnet("::/0", 64, UINT64_MAX), "ffff:ffff:ffff:ffff::/64");
	T_STR(subnet("::/0", 0, 1), "!ERANGE");
	T_STR(subnet("2001:db8::/32", 48, 0x1234), "2001:db8:1234::/48");
	T_STR(subnet("2001:db8::/32", 48, 0x10000), "!ERANGE");
	T_STR(subnet("fd00::/8", 72, UINT64_MAX), "fdff:ffff:ffff:ffff:ff00::/72");
	T_STR(subnet("fd00::/8", 129, 0), "!ERANGE");
	T_STR(subnet("fd00::/120", 128, 255), "fd00::ff/128");
	T_STR(subnet("fd00::/120", 128, 256), "!ERANGE");
	T_STR(subnet("fd00::1%eth0/120", 121, 1), "fd00::80%eth0/121");
}

static const char *embed(const char *prefix, const char *v4)
{
	struct xc_prefix p = P(prefix);
	struct xc_ip a = A(v4), out;
	int e = xc_ip_embed4(&p, &a, &out);

	return e ? err(e) : fmt(&out);
}

static void test_embed(void)
{
	struct xc_ip a, v4;

	T_STR(embed("1000:1::/96", "192.168.1.2"), "1000:1::c0a8:102");
	T_STR(embed("fd00::5:0:0/64", "192.168.1.2"), "fd00::5:c0a8:102");
	T_STR(embed("::ffff:0:0/96", "1.2.3.4"), "::ffff:1.2.3.4");
	T_STR(embed("64:ff9b::/96", "0.0.0.0"), "64:ff9b::");
	T_STR(embed("1000:1::/97", "192.168.1.2"), "!ERANGE");
	T_STR(embed("10.0.0.0/8", "192.168.1.2"), "!EAFNOSUPPORT");
	T_STR(embed("1000:1::/96", "::1"), "!EAFNOSUPPORT");
	a = A("1000:1::c0a8:102");
	T_INT(xc_ip_extract4(&a, &v4), 0);
	T_STR(fmt(&v4), "192.168.1.2");
	a = A("::ffff:10.1.2.3");
	T_INT(xc_ip_extract4(&a, &v4), 0);
	T_STR(fmt(&v4), "10.1.2.3");
	T(!v4.zone[0] && !v4.a[4] && !v4.a[15]);
	T_INT(xc_ip_extract4(&v4, &a), -EAFNOSUPPORT);
}

static const char *mac(const char *text)
{
	uint8_t m[6];
	char *b = next_buf();
	int e = xc_mac_parse(text, m);

	if (!e)
		e = xc_mac_format(m, b, XC_MAC_STRLEN);
	return e ? err(e) : b;
}

static const char *lladdr(const char *text)
{
	uint8_t m[6] = { 0 };
	struct xc_ip a;

	T_INT(xc_mac_parse(text, m), 0);
	xc_ip_link_local(m, &a);
	return fmt(&a);
}

static void test_mac(void)
{
	uint8_t m[6] = { 1, 2, 3, 4, 5, 6 };
	char b[XC_MAC_STRLEN];

	T_STR(mac("02:42:ac:11:00:02"), "02:42:ac:11:00:02");
	T_STR(mac("02-42-AC-11-00-02"), "02:42:ac:11:00:02");
	T_STR(mac("ff:ff:ff:ff:ff:ff"), "ff:ff:ff:ff:ff:ff");
	static const char *const bad[] = {
		"", "0", "02", "02:", "02:42:ac:11:00", "02:42:ac:11:00:02:",
		"02:42-ac:11:00:02", "2:42:ac:11:0:2", "02:42:ac:11:00:0g",
		"0242.ac11.0002", "02:42:ac:11:00:021", "02:42:ac:11:00:02 ",
		" 02:42:ac:11:00:02", "02.42.ac.11.00.02", "024:2a:c1:10:00:2",
		"02::42:ac:11:00", "g2:42:ac:11:00:02",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!T(!strcmp(mac(bad[i]), "!EINVAL")))
			printf("     accepted \"%s\"\n", bad[i]);
	T_INT(xc_mac_format(m, b, XC_MAC_STRLEN - 1), -ENOSPC);
	T_STR(lladdr("02:42:ac:11:00:02"), "fe80::42:acff:fe11:2");
	T_STR(lladdr("00:11:22:33:44:55"), "fe80::211:22ff:fe33:4455");
	T_STR(lladdr("ff:ff:ff:ff:ff:ff"), "fe80::fdff:ffff:feff:ffff");
}

static void test_cmp(void)
{
	struct xc_ip a = A("255.255.255.255"), b = A("::"), c = A("1.2.3.5");

	T(xc_ip_cmp(&a, &b) < 0);
	T(xc_ip_cmp(&b, &a) > 0);
	T(!xc_ip_equal(&a, &b));
	a = A("1.2.3.4");
	T(xc_ip_cmp(&a, &c) < 0);
	T(xc_ip_cmp(&c, &a) > 0);
	c = A("1.2.3.4");
	T(xc_ip_equal(&a, &c));
	a = A("::1");
	b = A("::2");
	T(xc_ip_cmp(&a, &b) < 0);
	b = A("0:0:0:0:0:0:0:1");
	T(xc_ip_equal(&a, &b));
	T_INT(xc_ip_bytes(AF_INET), 4);
	T_INT(xc_ip_bytes(AF_INET6), 16);
	T_INT(xc_ip_bytes(0), 0);
	T_INT(xc_ip_bits(AF_INET6), 128);
	T_INT(xc_ip_bits(AF_INET), 32);
	T_INT(xc_ip_bits(-1), 0);
}

/*
 * Canonical text against glibc's inet_ntop for every address made of the
 * group values {0, 1, 0xab0}: 6561 compression patterns. glibc writes
 * deprecated IPv4-compatible addresses (first six groups zero) in mixed
 * form, which RFC 5952 does not ask for, so those are left out. musl's
 * inet_ntop is no oracle: on a tie it may compress a later run
 * (0:0:1::1:0:0), against RFC 5952 4.2.3; there only the round trip runs.
 */
static void test_against_libc(void)
{
	static const unsigned vals[3] = { 0, 1, 0xab0 };
	int bad = 0;

	for (int n = 0; n < 6561; n++) {
		struct xc_ip a, b;
		char want[INET6_ADDRSTRLEN], got[XC_IP_STRLEN];
		int k = n, lead = 0;

		memset(&a, 0, sizeof(a));
		a.family = AF_INET6;
		for (int g = 0; g < 8; g++, k /= 3) {
			a.a[2 * g] = (uint8_t)(vals[k % 3] >> 8);
			a.a[2 * g + 1] = (uint8_t)vals[k % 3];
			if (g < 6 && !vals[k % 3])
				lead++;
		}
		xc_ip_format(&a, got, sizeof(got));
		if (xc_ip_parse(got, &b) || memcmp(&a, &b, sizeof(a)))
			bad++;
#ifdef __GLIBC__
		if (lead == 6)
			continue;
		inet_ntop(AF_INET6, a.a, want, sizeof(want));
		if (strcmp(got, want) && bad++ < 5)
			printf("     %s vs libc %s\n", got, want);
#else
		(void)lead;
		(void)want;
#endif
	}
	T_INT(bad, 0);
}

/* Text round trips, canonical and expanded, over a spread of addresses. */
static void test_round_trip(void)
{
	uint32_t x = 12345;
	int bad = 0;

	for (int i = 0; i < 20000; i++) {
		struct xc_ip a, b;
		char t[XC_IP_STRLEN];

		memset(&a, 0, sizeof(a));
		a.family = i & 1 ? AF_INET6 : AF_INET;
		for (int j = 0; j < 16; j++) {
			x = x * 1103515245u + 12345u;
			a.a[j] = (uint8_t)(x >> 16);
			/* Runs of zero groups make compression happen. */
			if (a.family == AF_INET6 && (x >> 8 & 3) == 0)
				a.a[j & ~1] = a.a[j] = 0;
		}
		if (a.family == AF_INET)
			memset(a.a + 4, 0, 12);
		if (xc_ip_format(&a, t, sizeof(t)) || xc_ip_parse(t, &b) ||
		    memcmp(&a, &b, sizeof(a)))
			bad++;
		if (xc_ip_format_full(&a, t, sizeof(t)) || xc_ip_parse(t, &b) ||
		    memcmp(&a, &b, sizeof(a)))
			bad++;
	}
	T_INT(bad, 0);
}

int main(void)
{
	test_special();
	test_v4_parse();
	test_v6_rfc5952();
	test_v6_bad();
	test_zones();
	test_prefix_parse();
	test_format_buffers();
	test_v4_math();
	test_v6_math();
	test_sizes();
	test_netmask();
	test_contains();
	test_overlaps();
	test_add();
	test_subnet();
	test_embed();
	test_mac();
	test_cmp();
	test_against_libc();
	test_round_trip();
	return t_done("test_ipaddr");
}
