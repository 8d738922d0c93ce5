/*
 * test_podmasq: core/cni/podmasq's pure part: a pod's ipMasq and
 * macspoofchk elements in nft's layout, their text, and rulesets that
 * build. The kernel side is test/netns/bridge_masq.sh.
 */
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>

#include "t.h"
#include "cni/podmasq.h"

static uint32_t buf[8192];

static void test_masq_elems(void)
{
	static struct xc_cni_result r;
	struct xc_tagset_elem e[XC_PODMASQ_ELEMS];
	static const uint8_t k4[8] = { 198, 18, 20, 2, 198, 18, 20, 0 };
	static const uint8_t e4[8] = { 198, 18, 20, 2, 198, 18, 20, 255 };
	char t[120];

	T_INT(xc_prefix_parse("198.18.20.2/24", &r.ips[0].address), 0);
	T_INT(xc_prefix_parse("fd00:20::2/64", &r.ips[1].address), 0);
	r.n_ips = 2;
	T_INT(xc_podmasq_elems(&r, e, XC_PODMASQ_ELEMS), 4);
	T_INT(e[0].set, XC_PM_PODS4);
	T_INT(e[0].klen, 4);
	T(!memcmp(e[0].key, k4, 4) && !e[0].range);
	T_INT(e[1].set, XC_PM_LOCAL4);
	T_INT(e[1].klen, 8);
	T_INT(e[1].plen, 4);
	T(e[1].range && !memcmp(e[1].key, k4, 8) && !memcmp(e[1].kend, e4, 8));
	T_INT(e[3].set, XC_PM_LOCAL6);
	T_INT(e[3].klen, 32);
	T_STR(xc_podmasq_elem_format(&xc_podmasq_tagset, &e[0], t, sizeof(t)), "198.18.20.2");
	T_STR(xc_podmasq_elem_format(&xc_podmasq_tagset, &e[1], t, sizeof(t)),
	      "198.18.20.2 . 198.18.20.0/24");
	T_STR(xc_podmasq_elem_format(&xc_podmasq_tagset, &e[3], t, sizeof(t)),
	      "fd00:20::2 . fd00:20::/64");
	/* room for one address only: its two elements, never half of the next */
	T_INT(xc_podmasq_elems(&r, e, 3), 2);
	/* a /32 is the pod alone */
	T_INT(xc_prefix_parse("198.18.20.9/32", &r.ips[0].address), 0);
	r.n_ips = 1;
	T_INT(xc_podmasq_elems(&r, e, XC_PODMASQ_ELEMS), 2);
	T_STR(xc_podmasq_elem_format(&xc_podmasq_tagset, &e[1], t, sizeof(t)),
	      "198.18.20.9 . 198.18.20.9/32");
}

static void test_spoof_elems(void)
{
	static const uint8_t mac[6] = { 0x02, 0, 0x5e, 0x10, 0, 0x01 };
	struct xc_tagset_elem e[2];
	char t[120];

	T_INT(xc_spoofchk_elems("veth0123abcd", mac, e), 2);
	T_INT(e[0].klen, IFNAMSIZ);
	T_INT(e[1].klen, IFNAMSIZ + 8);
	T_INT(e[1].plen, IFNAMSIZ);
	T(!memcmp(e[1].key, "veth0123abcd\0\0\0\0", IFNAMSIZ));
	T(!memcmp(e[1].key + IFNAMSIZ, mac, 6) && !e[1].key[IFNAMSIZ + 6]);
	T_STR(xc_podmasq_elem_format(&xc_spoofchk_tagset, &e[0], t, sizeof(t)), "\"veth0123abcd\"");
	T_STR(xc_podmasq_elem_format(&xc_spoofchk_tagset, &e[1], t, sizeof(t)),
	      "\"veth0123abcd\" . 02:00:5e:10:00:01");
}

static void test_rulesets(void)
{
	const struct xc_tagset *ts[] = { &xc_podmasq_tagset, &xc_spoofchk_tagset };

	for (int i = 0; i < 2; i++)
		for (int what = XC_TS_RULES; what <= XC_TS_REBUILD; what++) {
			struct xc_nft_batch b;

			xc_nft_batch_init(&b, buf, sizeof(buf));
			ts[i]->ruleset(&b, what);
			T_INT(b.m.err, 0);
			T_INT(b.err, 0);
			T(b.n >= (unsigned)(i ? 1 : 4));
		}
}

int main(void)
{
	test_masq_elems();
	test_spoof_elems();
	test_rulesets();
	return t_done("test_podmasq");
}
