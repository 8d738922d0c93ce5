/*
 * test_podmasq: core/cni/podmasq's pure part: a pod's ipMasq and
 * macspoofchk elements in nft's layout, their text, and rulesets that
 * build. Then, in a network namespace of its own (root only, else those
 * checks are skipped), what core/cni/tagset must survive: the table
 * deleted by another writer between a removal's read and its write, and
 * a key held by another network. The rest of the kernel side is
 * test/netns/bridge_masq.sh.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
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

/* ---- against the kernel, in a namespace of our own --------------------- */

static uint32_t nlbuf[16384], batch[16384];
static struct xc_nl other;              /* "another plugin": a socket of its own */
static int match_calls;

static void on_alarm(int sig)
{
	static const char m[] = "test_podmasq: xc_tagset_remove still running after 10 s\n";

	(void)sig;
	if (write(2, m, sizeof(m) - 1) < 0)
		_exit(3);
	_exit(3);
}

/* xc_tagset_is, but another writer deletes the whole table on the first call. */
static int match_and_delete(void *arg, const char *tag)
{
	static uint32_t b2[1024];
	struct xc_nft_batch b;

	if (match_calls++ == 0) {
		xc_nft_batch_init(&b, b2, sizeof(b2));
		xc_nft_table(&b, NFT_MSG_DELTABLE, NFPROTO_INET, XC_PODMASQ_TABLE);
		T_INT(xc_nft_send(&other, &b), 0);
	}
	return xc_tagset_is(arg, tag);
}

static void one_pod(struct xc_cni_result *r, int last)
{
	memset(r, 0, sizeof(*r));
	r->n_ips = 1;
	xc_prefix_parse(last == 2 ? "198.18.30.2/24" : "198.18.30.3/24", &r->ips[0].address);
}

static void test_kernel(void)
{
	static struct xc_cni_result r;
	struct xc_tagset_elem e[XC_PODMASQ_ELEMS];
	struct xc_nl nl;
	int n;

	if (geteuid() || unshare(CLONE_NEWNET) || xc_nft_open(&nl, nlbuf, sizeof(nlbuf)) ||
	    xc_nft_open(&other, nlbuf + 8192, sizeof(nlbuf) / 2)) {
		printf("test_podmasq: no network namespace or nf_tables: kernel checks skipped\n");
		return;
	}
	one_pod(&r, 2);
	n = xc_podmasq_elems(&r, e, XC_PODMASQ_ELEMS);
	T_INT(xc_tagset_put(&nl, &xc_podmasq_tagset, "xcni:aaaaaaaa:eth0:c1", e, n, batch,
			    sizeof(batch)), n);
	/* the table gone between the read and the batch: done, never a loop */
	signal(SIGALRM, on_alarm);
	alarm(10);
	T(xc_tagset_remove(&nl, &xc_podmasq_tagset, match_and_delete, "xcni:aaaaaaaa:eth0:c1",
			   batch, sizeof(batch)) >= 0);
	alarm(0);
	T_INT(xc_tagset_there(&nl, &xc_podmasq_tagset), 0);
	/* a stale attachment's key in the same network is taken over ... */
	T_INT(xc_tagset_put(&nl, &xc_podmasq_tagset, "xcni:aaaaaaaa:eth0:c1", e, n, batch,
			    sizeof(batch)), n);
	T_INT(xc_tagset_put(&nl, &xc_podmasq_tagset, "xcni:aaaaaaaa:eth0:c2", e, n, batch,
			    sizeof(batch)), n);
	/* ... another network's is not (overlapping subnets), and nothing changes */
	T_INT(xc_tagset_put(&nl, &xc_podmasq_tagset, "xcni:bbbbbbbb:eth0:c3", e, n, batch,
			    sizeof(batch)), -EADDRINUSE);
	{
		int bad = 0;
		char what[200];

		T_INT(xc_tagset_verify(&nl, &xc_podmasq_tagset, "xcni:aaaaaaaa:eth0:c2", e, n, &bad,
				       what, sizeof(what)), 0);
	}
	/* a key of its own beside it is no conflict */
	one_pod(&r, 3);
	n = xc_podmasq_elems(&r, e, XC_PODMASQ_ELEMS);
	T_INT(xc_tagset_put(&nl, &xc_podmasq_tagset, "xcni:bbbbbbbb:eth0:c3", e, n, batch,
			    sizeof(batch)), n);
	T(xc_tagset_remove(&nl, &xc_podmasq_tagset, xc_tagset_is, "xcni:aaaaaaaa:eth0:c2", batch,
			   sizeof(batch)) > 0);
	T(xc_tagset_remove(&nl, &xc_podmasq_tagset, xc_tagset_is, "xcni:bbbbbbbb:eth0:c3", batch,
			   sizeof(batch)) > 0);
	T_INT(xc_tagset_there(&nl, &xc_podmasq_tagset), 0);
	xc_nl_close(&nl);
	xc_nl_close(&other);
}

int main(void)
{
	test_masq_elems();
	test_spoof_elems();
	test_rulesets();
	test_kernel();
	return t_done("test_podmasq");
}
