/*
 * podmasq: ipMasq's and macspoofchk's rulesets and elements. See podmasq.h.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>

#include "cni/podmasq.h"

static const char *const masq_sets[XC_PM_NSETS] = { "pods4", "local4", "pods6", "local6" };
static const char *const spoof_sets[XC_SC_NSETS] = { "ports", "macs" };

/* ---- ipMasq ------------------------------------------------------------ */

/* ip saddr . ip daddr @local4 return: the registers nft picks. */
static void local_rule(struct xc_nft_batch *b, int v6)
{
	struct xc_nl_msg *m = xc_nft_rule(b, NFPROTO_INET, XC_PODMASQ_TABLE, "postrouting");

	xc_nft_match_nfproto(m, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	xc_nft_load_addr_pair(m, v6);
	xc_nft_lookup(m, NFT_REG_1, masq_sets[v6 ? XC_PM_LOCAL6 : XC_PM_LOCAL4], 0);
	xc_nft_verdict(m, NFT_RETURN);
	xc_nft_rule_end(b, NULL);
}

/*
 * ip saddr @pods4 ip daddr != 224.0.0.0/4 masquerade; for ff00::/8 nft
 * loads the one byte the prefix covers.
 */
static void masq_rule(struct xc_nft_batch *b, int v6)
{
	struct xc_nl_msg *m = xc_nft_rule(b, NFPROTO_INET, XC_PODMASQ_TABLE, "postrouting");
	static const uint8_t mask4[4] = { 0xf0 }, mcast4[4] = { 0xe0 }, zero[4], mcast6 = 0xff;

	xc_nft_match_nfproto(m, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	xc_nft_payload(m, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4, NFT_REG_1);
	xc_nft_lookup(m, NFT_REG_1, masq_sets[v6 ? XC_PM_PODS6 : XC_PM_PODS4], 0);
	if (v6) {
		xc_nft_payload(m, NFT_PAYLOAD_NETWORK_HEADER, 24, 1, NFT_REG_1);
		xc_nft_cmp(m, NFT_REG_1, NFT_CMP_NEQ, &mcast6, 1);
	} else {
		xc_nft_payload(m, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1);
		xc_nft_bitwise(m, NFT_REG_1, NFT_REG_1, 4, mask4, zero);
		xc_nft_cmp(m, NFT_REG_1, NFT_CMP_NEQ, mcast4, 4);
	}
	xc_nft_masq(m);
	xc_nft_rule_end(b, NULL);
}

static void masq_sets_put(struct xc_nft_batch *b)
{
	for (int v6 = 0; v6 < 2; v6++) {
		uint32_t a = v6 ? XC_NFT_TYPE_IP6ADDR : XC_NFT_TYPE_IPADDR, len = v6 ? 16 : 4;
		struct xc_nft_set pods = { masq_sets[2 * v6], 0, a, len, XC_NFT_BYTEORDER_BIG };
		struct xc_nft_set local = { masq_sets[2 * v6 + 1], NFT_SET_INTERVAL | NFT_SET_CONCAT,
					    XC_NFT_CONCAT(a, a), 2 * len, 0 };
		struct xc_nft_setx x = { 0, 0, 0, 1, 0, { (uint8_t)len, (uint8_t)len, 0, 0 } };

		xc_nft_set(b, NFPROTO_INET, XC_PODMASQ_TABLE, &pods);
		xc_nft_setx(b, NFPROTO_INET, XC_PODMASQ_TABLE, &local, &x);
	}
}

static void masq_ruleset(struct xc_nft_batch *b, int what)
{
	static const struct xc_nft_chain ch = { "postrouting", "nat", NF_INET_POST_ROUTING, 100,
						NF_ACCEPT };

	if (what != XC_TS_RULES) {
		xc_nft_table(b, NFT_MSG_NEWTABLE, NFPROTO_INET, XC_PODMASQ_TABLE);
		masq_sets_put(b);
		xc_nft_chain(b, NFPROTO_INET, XC_PODMASQ_TABLE, &ch);
	}
	if (what == XC_TS_REBUILD)
		xc_nft_chain_flush(b, NFPROTO_INET, XC_PODMASQ_TABLE, ch.name);
	for (int v6 = 0; v6 < 2; v6++) {
		local_rule(b, v6);
		masq_rule(b, v6);
	}
}

const struct xc_tagset xc_podmasq_tagset = {
	NFPROTO_INET, XC_PODMASQ_TABLE, masq_sets, XC_PM_NSETS, masq_ruleset,
};

int xc_podmasq_elems(const struct xc_cni_result *r, struct xc_tagset_elem *e, int max)
{
	int n = 0;

	for (int i = 0; i < r->n_ips && n + 2 <= max; i++) {
		const struct xc_prefix *p = &r->ips[i].address;
		int v6 = p->ip.family == AF_INET6;
		size_t a = v6 ? 16 : 4;
		struct xc_prefix net;
		struct xc_ip last;

		xc_prefix_network(p, &net);
		xc_prefix_last(p, &last);
		memset(&e[n], 0, 2 * sizeof(*e));
		e[n].set = v6 ? XC_PM_PODS6 : XC_PM_PODS4;
		e[n].klen = e[n].plen = (uint8_t)a;
		memcpy(e[n].key, p->ip.a, a);
		n++;
		e[n].set = v6 ? XC_PM_LOCAL6 : XC_PM_LOCAL4;
		e[n].klen = (uint8_t)(2 * a);
		e[n].plen = (uint8_t)a;
		e[n].range = 1;
		memcpy(e[n].key, p->ip.a, a);
		memcpy(e[n].key + a, net.ip.a, a);
		memcpy(e[n].kend, p->ip.a, a);
		memcpy(e[n].kend + a, last.a, a);
		n++;
	}
	return n;
}

/* ---- macspoofchk ------------------------------------------------------- */

static void spoof_ruleset(struct xc_nft_batch *b, int what)
{
	/* NF_BR_PRE_ROUTING is 0, as NF_INET_PRE_ROUTING; -300 as the reference's (dstnat's) */
	static const struct xc_nft_chain ch = { "prerouting", "filter", NF_INET_PRE_ROUTING, -300,
						NF_ACCEPT };
	const struct xc_nft_set ports = { spoof_sets[XC_SC_PORTS], 0, XC_NFT_TYPE_IFNAME,
					  IFNAMSIZ, XC_NFT_BYTEORDER_HOST };
	const struct xc_nft_set macs = { spoof_sets[XC_SC_MACS], 0,
					 XC_NFT_CONCAT(XC_NFT_TYPE_IFNAME, XC_NFT_TYPE_ETHERADDR),
					 IFNAMSIZ + 8, 0 };
	static const struct xc_nft_setx x = { 0, 0, 0, 1, 0, { 0 } };
	struct xc_nl_msg *m;

	if (what != XC_TS_RULES) {
		xc_nft_table(b, NFT_MSG_NEWTABLE, NFPROTO_BRIDGE, XC_SPOOFCHK_TABLE);
		xc_nft_set(b, NFPROTO_BRIDGE, XC_SPOOFCHK_TABLE, &ports);
		xc_nft_setx(b, NFPROTO_BRIDGE, XC_SPOOFCHK_TABLE, &macs, &x);
		xc_nft_chain(b, NFPROTO_BRIDGE, XC_SPOOFCHK_TABLE, &ch);
	}
	if (what == XC_TS_REBUILD)
		xc_nft_chain_flush(b, NFPROTO_BRIDGE, XC_SPOOFCHK_TABLE, ch.name);
	/* iifname @ports iifname . ether saddr != @macs drop */
	m = xc_nft_rule(b, NFPROTO_BRIDGE, XC_SPOOFCHK_TABLE, ch.name);
	xc_nft_meta(m, NFT_META_IIFNAME, NFT_REG_1);
	xc_nft_lookup(m, NFT_REG_1, spoof_sets[XC_SC_PORTS], 0);
	xc_nft_meta(m, NFT_META_IIFNAME, NFT_REG_1);
	xc_nft_payload(m, NFT_PAYLOAD_LL_HEADER, 6, 6, NFT_REG_2);
	xc_nft_lookup(m, NFT_REG_1, spoof_sets[XC_SC_MACS], 1);
	xc_nft_verdict(m, NF_DROP);
	xc_nft_rule_end(b, NULL);
}

const struct xc_tagset xc_spoofchk_tagset = {
	NFPROTO_BRIDGE, XC_SPOOFCHK_TABLE, spoof_sets, XC_SC_NSETS, spoof_ruleset,
};

int xc_spoofchk_elems(const char *port, const uint8_t mac[6], struct xc_tagset_elem *e)
{
	memset(e, 0, 2 * sizeof(*e));
	e[0].set = XC_SC_PORTS;
	e[0].klen = e[0].plen = IFNAMSIZ;
	strncpy((char *)e[0].key, port, IFNAMSIZ - 1);
	e[1] = e[0];
	e[1].set = XC_SC_MACS;
	e[1].klen = IFNAMSIZ + 8;
	memcpy(e[1].key + IFNAMSIZ, mac, 6);
	return 2;
}

/* ---- for CHECK's messages ---------------------------------------------- */

/* Leading bits lo and hi share: the prefix of a range of a whole subnet. */
static int common_bits(const uint8_t *lo, const uint8_t *hi, size_t n)
{
	int bits = 0;

	for (size_t i = 0; i < n * 8 && !((lo[i / 8] ^ hi[i / 8]) & (0x80 >> (i % 8))); i++)
		bits++;
	return bits;
}

char *xc_podmasq_elem_format(const struct xc_tagset *t, const struct xc_tagset_elem *e,
			     char *buf, size_t size)
{
	struct xc_ip ip = { 0 };
	char a[XC_IP_STRLEN], b[XC_IP_STRLEN];
	size_t n;

	if (t == &xc_spoofchk_tagset) {
		xc_mac_format(e->key + IFNAMSIZ, a, sizeof(a));
		snprintf(buf, size, e->set == XC_SC_MACS ? "\"%.16s\" . %s" : "\"%.16s\"",
			 (const char *)e->key, a);
		return buf;
	}
	n = e->set >= XC_PM_PODS6 ? 16 : 4;
	ip.family = n == 16 ? AF_INET6 : AF_INET;
	memcpy(ip.a, e->key, n);
	xc_ip_format(&ip, a, sizeof(a));
	if (!e->range) {
		snprintf(buf, size, "%s", a);
		return buf;
	}
	memcpy(ip.a, e->key + n, n);
	xc_ip_format(&ip, b, sizeof(b));
	snprintf(buf, size, "%s . %s/%d", a, b, common_bits(e->key + n, e->kend + n, n));
	return buf;
}
