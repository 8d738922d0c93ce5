/*
 * hostport: mappings, element keys, the ruleset. See hostport.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/rtnetlink.h>

#include "cni/hostport.h"

const char *const xc_hostport_set_name[XC_HP_NSETS] = {
	"hostip4", "port4", "hostip6", "port6", "hairpin4", "hairpin6",
};

const struct xc_tagset xc_hostport_tagset = {
	NFPROTO_INET, XC_HOSTPORT_TABLE, xc_hostport_set_name, XC_HP_NSETS, xc_hostport_ruleset,
};

/* ---- mappings ---------------------------------------------------------- */

static const struct { const char *name; uint8_t proto; } protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP }, { "sctp", IPPROTO_SCTP },
};

const char *xc_hostport_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].proto == proto)
			return protos[i].name;
	return "?";
}

static int parse_proto(const struct xc_json *e, const char *where, uint8_t *proto,
		       struct xc_cni_err *err)
{
	char s[16], k[16];
	long n = xc_cni_get_str(e, where, xc_cni_key(e, "protocol", k, sizeof(k)), 1, s, sizeof(s),
				err);

	if (n == -ENOSPC)
		n = 0, s[0] = '\0';
	if (n < 0)
		return (int)n;
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcasecmp(s, protos[i].name)) {
			*proto = protos[i].proto;
			return 0;
		}
	return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s.protocol \"%s\" is not tcp, udp or sctp",
			   where, s);
}

static int parse_host_ip(const struct xc_json *e, const char *where, struct xc_hostport *m,
			 struct xc_cni_err *err)
{
	struct xc_ip *ip = &m->host_ip;
	static const uint8_t zero[16];
	char s[64], k[16];
	long n = xc_cni_get_str(e, where, xc_cni_key(e, "hostIP", k, sizeof(k)), 0, s, sizeof(s),
				err);

	memset(ip, 0, sizeof(*ip));
	if (n == -ENOENT || n == 0)
		return 0;
	if (n < 0 && n != -ENOSPC)
		return (int)n;
	if (n < 0 || xc_ip_parse(s, ip) || ip->zone[0])
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s.hostIP is not an IP address: \"%.60s\"",
				   where, s);
	/* 0.0.0.0 and :: are every address of their family (the reference's reading) */
	m->any = !memcmp(ip->a, zero, (size_t)xc_ip_bytes(ip->family));
	return 0;
}

static int parse_one(const struct xc_json *e, const char *where, struct xc_hostport *m,
		     struct xc_cni_err *err)
{
	char k1[16], k2[16];
	int64_t hp, cp;
	int rc;

	if (e->type != XC_JSON_OBJECT)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s must be an object, not %s", where,
				   xc_json_type_name(e->type));
	/* any case, as the reference's decoder: containerd 1.6 sends "HostPort" */
	if ((rc = xc_cni_get_int(e, where, xc_cni_key(e, "hostPort", k1, sizeof(k1)), 1, 1,
				 65535, &hp, err)) ||
	    (rc = xc_cni_get_int(e, where, xc_cni_key(e, "containerPort", k2, sizeof(k2)), 1, 1,
				 65535, &cp, err)) ||
	    (rc = parse_proto(e, where, &m->proto, err)) ||
	    (rc = parse_host_ip(e, where, m, err)))
		return rc;
	m->host_port = (uint16_t)hp;
	m->cont_port = (uint16_t)cp;
	return 0;
}

/* Same protocol, hostPort and hostIP: the same key in the same set. */
static int same_key(const struct xc_hostport *a, const struct xc_hostport *b)
{
	return a->proto == b->proto && a->host_port == b->host_port &&
	       a->host_ip.family == b->host_ip.family &&
	       (!a->host_ip.family || xc_ip_equal(&a->host_ip, &b->host_ip));
}

int xc_hostport_parse(const struct xc_json *rc, struct xc_hostport *v, int max,
		      struct xc_cni_err *err)
{
	struct xc_json arr, e;
	char where[64];
	int n = 0, r;

	if (rc->type != XC_JSON_OBJECT)
		return 0;
	r = xc_cni_get_typed(rc, "runtimeConfig", "portMappings", 0, XC_JSON_ARRAY, &arr, err);
	if (r == -ENOENT || arr.type == XC_JSON_NONE)
		return 0;
	if (r)
		return r;
	for (size_t i = 0; !xc_json_at(&arr, i, &e); i++) {
		struct xc_hostport m = { 0 };
		int dup = 0;

		snprintf(where, sizeof(where), "runtimeConfig.portMappings[%zu]", i);
		if ((r = parse_one(&e, where, &m, err)))
			return r;
		for (int k = 0; k < n && !dup; k++) {
			if (!same_key(&v[k], &m))
				continue;
			if (v[k].cont_port != m.cont_port)
				return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s: hostPort %u/%s is "
						   "mapped to containerPort %u and %u", where,
						   m.host_port, xc_hostport_proto_name(m.proto),
						   v[k].cont_port, m.cont_port);
			dup = 1;
		}
		if (dup)
			continue;
		if (n == max)
			return xc_cni_errf(err, XC_CNI_E_CONFIG, "runtimeConfig.portMappings: more "
					   "than %d mappings", max);
		v[n++] = m;
	}
	return n;
}

int xc_hostport_applies(const struct xc_hostport *m, int family)
{
	return !m->host_ip.family || m->host_ip.family == family;
}

int xc_hostport_set(const struct xc_hostport *m, int family)
{
	int specific = m->host_ip.family && !m->any;

	if (family == AF_INET)
		return specific ? XC_HP_HOSTIP4 : XC_HP_PORT4;
	return specific ? XC_HP_HOSTIP6 : XC_HP_PORT6;
}

/* ---- elements ---------------------------------------------------------- */

size_t xc_hostport_keylen(int set)
{
	static const uint8_t len[XC_HP_NSETS] = { 12, 8, 24, 8, 8, 32 };

	return len[set];
}

size_t xc_hostport_datalen(int set)
{
	static const uint8_t len[XC_HP_NSETS] = { 8, 8, 20, 20, 0, 0 };

	return len[set];
}

/* inet_proto . inet_service, each padded to 4 bytes. */
static void proto_port(uint8_t *k, uint8_t proto, uint16_t port)
{
	memset(k, 0, 8);
	k[0] = proto;
	k[4] = (uint8_t)(port >> 8);
	k[5] = (uint8_t)port;
}

size_t xc_hostport_key(const struct xc_hostport *m, int set, uint8_t *key)
{
	size_t a = set == XC_HP_HOSTIP4 ? 4 : set == XC_HP_HOSTIP6 ? 16 : 0;

	memcpy(key, m->host_ip.a, a);
	proto_port(key + a, m->proto, m->host_port);
	return a + 8;
}

size_t xc_hostport_data(const struct xc_ip *pod, uint16_t port, uint8_t *data)
{
	size_t a = (size_t)xc_ip_bytes(pod->family);

	memcpy(data, pod->a, a);
	memset(data + a, 0, 4);
	data[a] = (uint8_t)(port >> 8);
	data[a + 1] = (uint8_t)port;
	return a + 4;
}

size_t xc_hostport_hairpin_key(const struct xc_ip *pod, uint8_t *key)
{
	size_t a = (size_t)xc_ip_bytes(pod->family);

	memcpy(key, pod->a, a);
	memcpy(key + a, pod->a, a);
	return 2 * a;
}

/* An address and a port of data/key bytes: "198.18.1.2 . 80". */
static int addr_port(char *buf, size_t size, int family, const uint8_t *p)
{
	struct xc_ip ip = { .family = (uint8_t)family };
	char a[XC_IP_STRLEN];
	size_t n = (size_t)xc_ip_bytes(family);

	memcpy(ip.a, p, n);
	xc_ip_format(&ip, a, sizeof(a));
	return snprintf(buf, size, "%s . %u", a, (unsigned)(p[n] << 8 | p[n + 1]));
}

char *xc_hostport_elem_format(int set, const uint8_t *key, const uint8_t *data, char *buf,
			      size_t size)
{
	int fam = set == XC_HP_HOSTIP4 || set == XC_HP_PORT4 || set == XC_HP_HAIRPIN4 ?
		  AF_INET : AF_INET6;
	struct xc_ip ip = { .family = (uint8_t)fam };
	size_t a = (size_t)xc_ip_bytes(fam), n = 0;
	char t[XC_IP_STRLEN];
	int w;

	buf[0] = '\0';
	if (set >= XC_HP_HAIRPIN4) {
		memcpy(ip.a, key, a);
		xc_ip_format(&ip, t, sizeof(t));
		snprintf(buf, size, "%s . %s", t, t);
		return buf;
	}
	if (set == XC_HP_HOSTIP4 || set == XC_HP_HOSTIP6) {
		memcpy(ip.a, key, a);
		xc_ip_format(&ip, t, sizeof(t));
		w = snprintf(buf, size, "%s . ", t);
		n = w > 0 && (size_t)w < size ? (size_t)w : 0;
		key += a;
	}
	w = snprintf(buf + n, size - n, "%s . %u : ", xc_hostport_proto_name(key[0]),
		     (unsigned)(key[4] << 8 | key[5]));
	if (w > 0 && (size_t)w < size - n)
		addr_port(buf + n + (size_t)w, size - n - (size_t)w, fam, data);
	return buf;
}

/* ---- the ruleset ------------------------------------------------------- */

/* fib daddr type local jump hostports */
static void to_hostports(struct xc_nft_batch *b, const char *chain)
{
	struct xc_nl_msg *m = xc_nft_rule(b, NFPROTO_INET, XC_HOSTPORT_TABLE, chain);
	uint32_t local = RTN_LOCAL;     /* host order, as nft writes it */

	xc_nft_fib(m, NFT_FIB_RESULT_ADDRTYPE, NFTA_FIB_F_DADDR, NFT_REG_1);
	xc_nft_cmp(m, NFT_REG_1, NFT_CMP_EQ, &local, 4);
	xc_nft_jump(m, "hostports");
	xc_nft_rule_end(b, NULL);
}

/*
 * dnat ip to ip daddr . meta l4proto . th dport map @hostip4, and the
 * others: the registers are the ones nft picks for the concatenations.
 */
static void dnat_rule(struct xc_nft_batch *b, int set)
{
	int v6 = set == XC_HP_HOSTIP6 || set == XC_HP_PORT6;
	int hostip = set == XC_HP_HOSTIP4 || set == XC_HP_HOSTIP6;
	struct xc_nl_msg *m = xc_nft_rule(b, NFPROTO_INET, XC_HOSTPORT_TABLE, "hostports");
	uint32_t r_proto = NFT_REG_1, r_port = NFT_REG32_01;

	xc_nft_match_nfproto(m, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	if (hostip) {
		xc_nft_payload(m, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 24 : 16, v6 ? 16 : 4,
			       NFT_REG_1);
		r_proto = v6 ? NFT_REG_2 : NFT_REG32_01;
		r_port = v6 ? NFT_REG32_05 : NFT_REG32_02;
	}
	xc_nft_meta(m, NFT_META_L4PROTO, r_proto);
	xc_nft_payload(m, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, r_port);
	xc_nft_lookup_map(m, NFT_REG_1, xc_hostport_set_name[set], NFT_REG_1);
	xc_nft_nat(m, NFT_NAT_DNAT, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4, NFT_REG_1,
		   v6 ? NFT_REG_2 : NFT_REG32_01);
	xc_nft_rule_end(b, NULL);
}

/* ip saddr . ip daddr @hairpin4 masquerade: a pod to its own hostPort. */
static void hairpin_rule(struct xc_nft_batch *b, int v6)
{
	struct xc_nl_msg *m = xc_nft_rule(b, NFPROTO_INET, XC_HOSTPORT_TABLE, "postrouting");

	xc_nft_match_nfproto(m, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	xc_nft_load_addr_pair(m, v6);
	xc_nft_lookup(m, NFT_REG_1, xc_hostport_set_name[v6 ? XC_HP_HAIRPIN6 : XC_HP_HAIRPIN4], 0);
	xc_nft_masq(m);
	xc_nft_rule_end(b, NULL);
}

/* ct status dnat ip saddr 127.0.0.1 masquerade: the node's 127.0.0.1 to a hostPort. */
static void localhost_rule(struct xc_nft_batch *b)
{
	struct xc_nl_msg *m = xc_nft_rule(b, NFPROTO_INET, XC_HOSTPORT_TABLE, "postrouting");
	static const uint8_t lo[4] = { 127, 0, 0, 1 };
	uint32_t dnat = 1u << 5, zero = 0;      /* IPS_DST_NAT, host order */

	xc_nft_ct(m, NFT_CT_STATUS, NFT_REG_1);
	xc_nft_bitwise(m, NFT_REG_1, NFT_REG_1, 4, &dnat, &zero);
	xc_nft_cmp(m, NFT_REG_1, NFT_CMP_NEQ, &zero, 4);
	xc_nft_match_nfproto(m, NFPROTO_IPV4);
	xc_nft_payload(m, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1);
	xc_nft_cmp(m, NFT_REG_1, NFT_CMP_EQ, lo, 4);
	xc_nft_masq(m);
	xc_nft_rule_end(b, NULL);
}

static void sets(struct xc_nft_batch *b)
{
	for (int i = 0; i < XC_HP_NSETS; i++) {
		int v6 = i == XC_HP_HOSTIP6 || i == XC_HP_PORT6 || i == XC_HP_HAIRPIN6;
		uint32_t a = v6 ? XC_NFT_TYPE_IP6ADDR : XC_NFT_TYPE_IPADDR;
		uint32_t pp = XC_NFT_CONCAT(XC_NFT_TYPE_INET_PROTO, XC_NFT_TYPE_INET_SERVICE);
		struct xc_nft_set s = { xc_hostport_set_name[i], NFT_SET_MAP,
					i == XC_HP_HOSTIP4 || i == XC_HP_HOSTIP6 ?
					XC_NFT_CONCAT(XC_NFT_CONCAT(a, XC_NFT_TYPE_INET_PROTO),
						      XC_NFT_TYPE_INET_SERVICE) : pp,
					(uint32_t)xc_hostport_keylen(i), 0 };
		struct xc_nft_setx x = { XC_NFT_CONCAT(a, XC_NFT_TYPE_INET_SERVICE),
					 (uint32_t)xc_hostport_datalen(i), 0, 1, 1, { 0 } };

		if (i >= XC_HP_HAIRPIN4) {
			s.flags = 0;
			s.key_type = XC_NFT_CONCAT(a, a);
		}
		xc_nft_setx(b, NFPROTO_INET, XC_HOSTPORT_TABLE, &s, &x);
	}
}

void xc_hostport_ruleset(struct xc_nft_batch *b, int what)
{
	static const struct xc_nft_chain ch[] = {
		{ "prerouting", "nat", NF_INET_PRE_ROUTING, -100, NF_ACCEPT },
		{ "output", "nat", NF_INET_LOCAL_OUT, -100, NF_ACCEPT },
		{ "hostports", NULL, 0, 0, 0 },
		{ "postrouting", "nat", NF_INET_POST_ROUTING, 100, NF_ACCEPT },
	};

	if (what != XC_TS_RULES) {
		xc_nft_table(b, NFT_MSG_NEWTABLE, NFPROTO_INET, XC_HOSTPORT_TABLE);
		sets(b);
		for (size_t i = 0; i < sizeof(ch) / sizeof(ch[0]); i++)
			xc_nft_chain(b, NFPROTO_INET, XC_HOSTPORT_TABLE, &ch[i]);
	}
	for (size_t i = 0; what == XC_TS_REBUILD && i < sizeof(ch) / sizeof(ch[0]); i++)
		xc_nft_chain_flush(b, NFPROTO_INET, XC_HOSTPORT_TABLE, ch[i].name);
	to_hostports(b, "prerouting");
	to_hostports(b, "output");
	for (int i = XC_HP_HOSTIP4; i <= XC_HP_PORT6; i++)
		dnat_rule(b, i);
	hairpin_rule(b, 0);
	localhost_rule(b);
	hairpin_rule(b, 1);
}
