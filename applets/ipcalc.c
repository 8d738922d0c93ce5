/* ipcalc: address and prefix arithmetic for scripts and people. */
const char ipcalc_usage[] =
"usage: ipcalc [--json] CIDR|ADDR\n"
"       ipcalc [--json] contains CIDR ADDR|CIDR\n"
"       ipcalc [--json] overlaps CIDR CIDR\n"
"       ipcalc [--json] split CIDR NEWLEN [INDEX]\n"
"       ipcalc [--json] gateway CIDR\n"
"       ipcalc [--json] embed PREFIX IPV4\n"
"       ipcalc [--json] extract IPV6\n"
"       ipcalc [--json] link-local MAC\n"
"       ipcalc [--json] -            (one CIDR|ADDR per line on stdin)\n"
"\n"
"Addresses are read strictly: IPv4 as four decimal octets without leading\n"
"zeros, IPv6 as RFC 4291 text (::ffff:1.2.3.4 too) with an optional zone\n"
"(fe80::1%eth0); a prefix is ADDR/LEN with no netmask form.\n"
"\n"
"  CIDR|ADDR  describe it: FAMILY ADDRESS [ZONE] PREFIX NETMASK NETWORK\n"
"             BROADCAST (IPv4) FIRST LAST (usable hosts) ADDRESSES (count)\n"
"             CIDR (the network) [EXPANDED (IPv6)]. A bare address is /32\n"
"             or /128. IPv4 /31 and /32 have no network or broadcast to\n"
"             skip; IPv6 skips only the subnet-router anycast address.\n"
"  contains   is the second address or prefix inside the first?\n"
"  overlaps   do the two prefixes share an address?\n"
"  split      the subnets of length NEWLEN (\"26\" or \"/26\"), one per line,\n"
"             or only the INDEX-th (from 0). Without INDEX at most 65536\n"
"             lines are printed; more is refused as a likely mistake.\n"
"  gateway    the first usable host (node-local's gateway)\n"
"  embed      the IPv4 address in the low 32 bits of an IPv6 /0../96\n"
"             (1000:1::/96 192.168.1.2 -> 1000:1::c0a8:102); extract undoes it\n"
"  link-local the EUI-64 fe80::/64 address of a MAC (aa:bb:cc:dd:ee:ff)\n"
"\n"
"Output is KEY=VALUE lines, safe for eval (ADDRESSES is decimal and may\n"
"exceed 64 bits); --json prints one object instead (counts as strings).\n"
"Exit status: 0 yes/ok, 1 no (contains, overlaps), 2 error.\n";

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/ipaddr.h"
#include "base/json.h"

#define SPLIT_MAX_LINES 65536
#define MAX_ARGS 4
#define LINE_MAX_LEN 256

/* Large enough for SPLIT_MAX_LINES indented IPv6 prefixes. */
static char json_buf[SPLIT_MAX_LINES * 56 + 4096];

/* One result, written as KEY=VALUE lines or as one JSON object. */
struct out {
	int json;
	int indent;
	struct xc_json_out j;
};

/* Quote user input for a one-line message: bounded, control bytes escaped. */
static void put_input(const char *s)
{
	size_t n = 0;

	fputc('\'', stderr);
	for (; *s && n < 80; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c >= 0x7f || c == '\'')
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fputs(*s ? "'..." : "'", stderr);
}

static int fail(const char *what, const char *input)
{
	fprintf(stderr, "ipcalc: %s: ", what);
	put_input(input);
	fputc('\n', stderr);
	return 2;
}

static void out_begin(struct out *o)
{
	if (!o->json)
		return;
	xc_json_out_init(&o->j, json_buf, sizeof(json_buf), o->indent);
	xc_json_obj(&o->j);
}

/* JSON keys are lower case; the KEY=VALUE form upper-cases them. */
static void put_key(const char *key)
{
	for (; *key; key++)
		putchar(*key >= 'a' && *key <= 'z' ? *key - 'a' + 'A' : *key == '-' ? '_' : *key);
	putchar('=');
}

static void out_str(struct out *o, const char *key, const char *val)
{
	if (o->json) {
		xc_json_key(&o->j, key);
		xc_json_string(&o->j, val);
		return;
	}
	put_key(key);
	puts(val);
}

static void out_int(struct out *o, const char *key, int v)
{
	if (o->json) {
		xc_json_key(&o->j, key);
		xc_json_int64(&o->j, v);
		return;
	}
	put_key(key);
	printf("%d\n", v);
}

static void out_bool(struct out *o, const char *key, int v)
{
	if (o->json) {
		xc_json_key(&o->j, key);
		xc_json_boolean(&o->j, v);
		return;
	}
	put_key(key);
	puts(v ? "yes" : "no");
}

/* Addresses are printed without their zone; info reports it once as ZONE. */
static void out_ip(struct out *o, const char *key, const struct xc_ip *ip)
{
	struct xc_ip a = *ip;
	char buf[XC_IP_STRLEN];

	a.zone[0] = '\0';
	xc_ip_format(&a, buf, sizeof(buf));
	out_str(o, key, buf);
}

static void out_prefix(struct out *o, const char *key, const struct xc_prefix *p)
{
	struct xc_prefix q = *p;
	char buf[XC_IP_STRLEN];

	q.ip.zone[0] = '\0';
	xc_prefix_format(&q, buf, sizeof(buf));
	if (!key && !o->json)
		puts(buf);
	else if (!key)
		xc_json_string(&o->j, buf);
	else
		out_str(o, key, buf);
}

static int out_end(struct out *o)
{
	long n;

	if (!o->json)
		return 0;
	xc_json_end(&o->j);
	n = xc_json_out_end(&o->j);
	if (n < 0) {
		fprintf(stderr, "ipcalc: cannot write JSON (%s)\n", strerror((int)-n));
		return 2;
	}
	fwrite(json_buf, 1, (size_t)n, stdout);
	putchar('\n');
	return 0;
}

/* --- argument parsing with messages that say what is wrong ---------------- */

static int bad_prefix(const char *text, int need_len)
{
	char addr[XC_IP_STRLEN];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);
	struct xc_ip ip;

	if (n >= sizeof(addr))
		return fail("not an IP address or prefix", text);
	memcpy(addr, text, n);
	addr[n] = '\0';
	if (xc_ip_parse(addr, &ip))
		return fail("not an IP address or prefix", text);
	if (!slash && need_len)
		return fail("not a prefix (ADDR/LEN)", text);
	return fail(ip.family == AF_INET ? "prefix length is not 0..32" :
					   "prefix length is not 0..128", text);
}

static int get_prefix(const char *text, int need_len, struct xc_prefix *p)
{
	int rc = need_len ? xc_prefix_parse(text, p) : xc_prefix_parse_loose(text, p);

	return rc ? bad_prefix(text, need_len) : 0;
}

/* A decimal number without sign or leading zero, at most max. */
static int get_num(const char *text, uint64_t max, uint64_t *v)
{
	const char *s = text;

	*v = 0;
	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || *v > (max - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	return 0;
}

/* --- commands ----------------------------------------------------------- */

static int cmd_info(struct out *o, const char *text)
{
	struct xc_prefix p, net;
	struct xc_ip a;
	char buf[XC_IP_STRLEN];
	int v4;

	if (get_prefix(text, 0, &p))
		return 2;
	v4 = p.ip.family == AF_INET;
	out_begin(o);
	out_int(o, "family", v4 ? 4 : 6);
	out_ip(o, "address", &p.ip);
	if (p.ip.zone[0])
		out_str(o, "zone", p.ip.zone);
	out_int(o, "prefix", p.len);
	xc_ip_netmask(p.ip.family, p.len, &a);
	out_ip(o, "netmask", &a);
	xc_prefix_network(&p, &net);
	out_ip(o, "network", &net.ip);
	if (v4) {
		xc_prefix_last(&p, &a);
		out_ip(o, "broadcast", &a);
	}
	xc_prefix_first_host(&p, &a);
	out_ip(o, "first", &a);
	xc_prefix_last_host(&p, &a);
	out_ip(o, "last", &a);
	xc_prefix_size_str(&p, buf, sizeof(buf));
	out_str(o, "addresses", buf);
	out_prefix(o, "cidr", &net);
	if (!v4) {
		a = p.ip;
		a.zone[0] = '\0';
		xc_ip_format_full(&a, buf, sizeof(buf));
		out_str(o, "expanded", buf);
	}
	return out_end(o);
}

static int cmd_contains(struct out *o, char **arg)
{
	struct xc_prefix outer, inner;
	int yes;

	if (get_prefix(arg[0], 0, &outer) || get_prefix(arg[1], 0, &inner))
		return 2;
	yes = xc_prefix_contains_prefix(&outer, &inner);
	out_begin(o);
	out_bool(o, "contains", yes);
	return out_end(o) ? 2 : !yes;
}

static int cmd_overlaps(struct out *o, char **arg)
{
	struct xc_prefix a, b;
	int yes;

	if (get_prefix(arg[0], 0, &a) || get_prefix(arg[1], 0, &b))
		return 2;
	yes = xc_prefix_overlaps(&a, &b);
	out_begin(o);
	out_bool(o, "overlaps", yes);
	return out_end(o) ? 2 : !yes;
}

static int cmd_split(struct out *o, char **arg)
{
	struct xc_prefix p, sub;
	const char *lentext = arg[1][0] == '/' ? arg[1] + 1 : arg[1];
	uint64_t newlen, index = 0, count;
	int bits;

	if (get_prefix(arg[0], 1, &p))
		return 2;
	bits = xc_ip_bits(p.ip.family);
	if (get_num(lentext, (uint64_t)bits, &newlen) || newlen < p.len)
		return fail(bits == 32 ? "new length is not LEN..32" :
					 "new length is not LEN..128", arg[1]);
	if (arg[2] && (get_num(arg[2], UINT64_MAX, &index) ||
		       xc_prefix_subnet(&p, (int)newlen, index, &sub)))
		return fail("no such subnet index", arg[2]);
	if (!arg[2] && newlen - p.len > 16) {
		fprintf(stderr, "ipcalc: 2^%d subnets of /%d in ", (int)(newlen - p.len), (int)newlen);
		put_input(arg[0]);
		fputs(", more than 65536: give an INDEX\n", stderr);
		return 2;
	}
	count = arg[2] ? 1 : (uint64_t)1 << (newlen - p.len);
	out_begin(o);
	if (o->json) {
		xc_json_key(&o->j, "subnets");
		xc_json_arr(&o->j);
	}
	for (uint64_t i = 0; i < count; i++) {
		xc_prefix_subnet(&p, (int)newlen, arg[2] ? index : i, &sub);
		out_prefix(o, NULL, &sub);
	}
	if (o->json)
		xc_json_end(&o->j);
	return out_end(o);
}

static int cmd_gateway(struct out *o, char **arg)
{
	struct xc_prefix p;
	struct xc_ip gw;

	if (get_prefix(arg[0], 1, &p))
		return 2;
	xc_prefix_first_host(&p, &gw);
	out_begin(o);
	out_ip(o, "gateway", &gw);
	return out_end(o);
}

static int cmd_embed(struct out *o, char **arg)
{
	struct xc_prefix p;
	struct xc_ip v4, a;

	if (get_prefix(arg[0], 1, &p))
		return 2;
	if (p.ip.family != AF_INET6)
		return fail("not an IPv6 prefix", arg[0]);
	if (p.len > 96)
		return fail("prefix is longer than /96", arg[0]);
	if (xc_ip_parse(arg[1], &v4) || v4.family != AF_INET)
		return fail("not an IPv4 address", arg[1]);
	xc_ip_embed4(&p, &v4, &a);
	out_begin(o);
	out_ip(o, "address", &a);
	return out_end(o);
}

static int cmd_extract(struct out *o, char **arg)
{
	struct xc_ip v6, v4;

	if (xc_ip_parse(arg[0], &v6) || v6.family != AF_INET6)
		return fail("not an IPv6 address", arg[0]);
	xc_ip_extract4(&v6, &v4);
	out_begin(o);
	out_ip(o, "address", &v4);
	return out_end(o);
}

static int cmd_link_local(struct out *o, char **arg)
{
	uint8_t mac[6];
	struct xc_ip a;

	if (xc_mac_parse(arg[0], mac))
		return fail("not a MAC address", arg[0]);
	xc_ip_link_local(mac, &a);
	out_begin(o);
	out_ip(o, "address", &a);
	return out_end(o);
}

/*
 * Batch: describe every line of stdin. Blocks are separated by a blank
 * line (JSON: one compact object per line). A bad line is reported and
 * skipped; the exit status is then 2.
 */
static int cmd_batch(struct out *o)
{
	char line[LINE_MAX_LEN];
	struct xc_prefix p;
	int rc = 0, first = 1;

	o->indent = 0;
	while (fgets(line, sizeof(line), stdin)) {
		size_t n = strlen(line);

		if (n && line[n - 1] == '\n') {
			line[--n] = '\0';
		} else if (!feof(stdin)) {
			int c;

			while ((c = getchar()) != EOF && c != '\n')
				;
			rc = fail("line too long", line);
			continue;
		}
		if (xc_prefix_parse_loose(line, &p)) {
			rc = bad_prefix(line, 0);
			continue;
		}
		if (!o->json && !first)
			putchar('\n');
		first = 0;
		cmd_info(o, line);
	}
	return rc;
}

struct cmd {
	const char *name;
	int min, max; /* arguments after the command word */
	int (*run)(struct out *o, char **arg);
};

static const struct cmd cmds[] = {
	{ "contains", 2, 2, cmd_contains },
	{ "overlaps", 2, 2, cmd_overlaps },
	{ "split", 2, 3, cmd_split },
	{ "gateway", 1, 1, cmd_gateway },
	{ "embed", 2, 2, cmd_embed },
	{ "extract", 1, 1, cmd_extract },
	{ "link-local", 1, 1, cmd_link_local },
};

static int run(struct out *o, int n, char **arg)
{
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const struct cmd *c = &cmds[i];

		if (strcmp(arg[0], c->name))
			continue;
		if (n - 1 < c->min)
			return fail("missing argument (see ipcalc --help)", arg[0]);
		if (n - 1 > c->max)
			return fail("unexpected argument", arg[c->max + 1]);
		return c->run(o, arg + 1);
	}
	if (n > 1)
		return fail("unexpected argument", arg[1]);
	if (!strcmp(arg[0], "-"))
		return cmd_batch(o);
	return cmd_info(o, arg[0]);
}

int ipcalc_main(int argc, char **argv)
{
	struct out o = { .indent = 2 };
	char *arg[MAX_ARGS + 2] = { NULL };
	int n = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			o.json = 1;
		else if (argv[i][0] == '-' && argv[i][1])
			return fail("unknown option", argv[i]);
		else if (n > MAX_ARGS)
			return fail("unexpected argument", argv[i]);
		else
			arg[n++] = argv[i];
	}
	if (!n) {
		fputs(ipcalc_usage, stderr);
		return 2;
	}
	rc = run(&o, n, arg);
	if (fflush(stdout) && rc != 2) {
		fprintf(stderr, "ipcalc: cannot write output: %s\n", strerror(errno));
		rc = 2;
	}
	return rc;
}
