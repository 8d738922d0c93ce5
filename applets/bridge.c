/*
 * bridge: the CNI bridge plugin, a drop-in for the reference one
 * (containernetworking/plugins plugins/main/bridge). docs/cni-keys.md
 * lists its configuration keys and how each is handled.
 */
const char bridge_usage[] =
"usage: bridge (as a CNI plugin: CNI_COMMAND and the other CNI_* variables\n"
"       in the environment, the network configuration on stdin)\n"
"\n"
"Puts a pod on a Linux bridge: creates the bridge if needed, a veth pair\n"
"with one end in the pod's namespace, gets addresses from the IPAM plugin\n"
"named by ipam.type and configures them, with routes, in the pod.\n"
"Commands: ADD, DEL, CHECK, STATUS, GC, VERSION (spec 0.3.0 to 1.1.0).\n"
"Keys: name, bridge, isGateway, isDefaultGateway, forceAddress, mtu,\n"
"hairpinMode, promiscMode, vlan, preserveDefaultVlan, enabledad, ipMasq,\n"
"macspoofchk, ipam, dns, runtimeConfig.mac, args.cni.mac, CNI_ARGS MAC=.\n"
"ipMasq and macspoofchk are elements of nf_tables tables of their own, tagged\n"
"with the attachment (inet xcluster-cni-masq, bridge xcluster-cni-spoofchk).\n"
"The IPAM plugin is killed after 60 s (XC_IPAM_TIMEOUT_MS in the environment:\n"
"100 to 600000); when it is this binary it runs without an exec.\n"
"\n"
"Exit status: 0 success, 1 failure (a CNI error document on stdout).\n";

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "main.h"
#include "base/log.h"
#include "cni/cni.h"
#include "cni/cniconv.h"
#include "kernel/netlink.h"
#include "kernel/netns.h"
#include "kernel/nl_addr.h"
#include "kernel/nl_link.h"
#include "kernel/nl_route.h"
#include "cni/podcheck.h"
#include "cni/podlink.h"
#include "cni/podmasq.h"
#include "kernel/nft.h"
#include "kernel/sysctl.h"

extern char **environ;

/* Result interface indexes, as the reference orders them. */
enum { IF_BRIDGE, IF_HOST, IF_POD };

/* IPv6 addresses usable within this (the reference's limit too). */
#define DAD_TIMEOUT_MS 10000
#define UNDO_IPAM_MS 10000     /* the IPAM DEL that takes back a failed ADD */
/* A new bridge port passes the carrier on within this (the reference waits ~2.5 s). */
#define PORT_TIMEOUT_MS 2500
#define MAX_ATTACHMENTS 16384

struct br_conf {
	char bridge[IFNAMSIZ];
	int is_gw, is_default_gw, force_address, hairpin, promisc, enable_dad;
	int preserve_default_vlan;
	int ipmasq, spoofchk;
	int vlan;
	unsigned mtu;
	int has_mac;
	uint8_t mac[6];
	int l3;                         /* an IPAM plugin is named */
	int has_dns;
	struct xc_cni_dns dns;
};

/* Everything one call works with; the process makes one call. */
struct br {
	struct xc_cni_call cni;
	struct br_conf conf;
	struct xc_cni_result prev;      /* prevResult (CHECK) */
	struct xc_cni_result res;
	struct xc_nl host, pod;
	int podfd;
	struct xc_link br, veth;
	int pod_index;
	uint8_t pod_mac[6];
	int v6_off;                     /* xc_podlink_ipv6_off() in the pod */
	/* ADD's undo log: what to take back when a later step fails */
	int undo_veth;                  /* host end's ifindex */
	int undo_ipam;                  /* the IPAM plugin allocated, or may have */
	int ipam_ms;                    /* its deadline (XC_IPAM_TIMEOUT_MS) */
	int undo_nft;                   /* ipMasq, macspoofchk elements may be in */
	char tag[XC_NFT_COMMENT_MAX + 1];       /* the attachment, for nf_tables */
	int tag_ok;
	struct xc_nl nft;
};

static struct br B;
static uint32_t host_buf[XC_NL_BUFSIZE / 4], pod_buf[XC_NL_BUFSIZE / 4];
static char ipam_out[XC_CNI_OUT_MAX], undo_out[XC_CNI_OUT_MAX];
/* A batch removes up to 2,048 elements (tagset.c), ~84 bytes each for IPv6 ranges. */
static uint32_t nft_buf[XC_NL_BUFSIZE / 4], batch[(512 << 10) / 4];

/* ---- configuration ------------------------------------------------------ */

static int opt_bool(const struct xc_json *root, const char *key, int *out,
		    struct xc_cni_err *err)
{
	int rc = xc_cni_get_bool(root, NULL, key, 0, out, err);

	return rc == -ENOENT ? 0 : rc;
}

/* Keys of the reference we do not implement: refused only when they ask for something. */
static int unsupported(const struct xc_json *root, struct xc_cni_err *err)
{
	static const char *const keys[] = { "portIsolation", "disableContainerInterface", NULL };
	struct xc_json v;

	if (xc_cniconv_unsupported(root, keys, err))
		return -EINVAL;
	if (!xc_json_get(root, "vlanTrunk", &v) && v.type != XC_JSON_NULL)
		return xc_cni_errf(err, XC_CNI_E_UNSUPPORTED, "vlanTrunk is not supported yet");
	return 0;
}

static int conf_numbers(const struct xc_json *root, struct br_conf *c, struct xc_cni_err *err)
{
	int64_t v = 0;
	int rc;

	rc = xc_cni_get_int(root, NULL, "mtu", 0, 0, 65535, &v, err);
	if (rc && rc != -ENOENT)
		return rc;
	if (!rc && v && v < 68)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "mtu %lld is below the minimum of 68",
				   (long long)v);
	c->mtu = rc ? 0 : (unsigned)v;
	rc = xc_cni_get_int(root, NULL, "vlan", 0, 0, 4094, &v, err);
	if (rc && rc != -ENOENT)
		return rc;
	c->vlan = rc ? 0 : (int)v;
	return 0;
}

/*
 * The IPAM plugin's name and deadline. "bridge" would run this plugin
 * again, which would run itself, until the deadlines stop them. A bad
 * XC_IPAM_TIMEOUT_MS fails ADD and CHECK; DEL, GC and STATUS warn and use
 * the default, so a typo in the runtime's environment never leaves pods
 * that cannot be torn down.
 */
static int ipam_conf(struct br *b, struct xc_cni_err *err)
{
	const char *type = b->cni.conf.ipam_type;
	enum xc_cni_cmd cmd = b->cni.env.cmd;
	struct xc_cni_err e;

	if (!strcmp(type + (strncmp(type, "xcluster-", 9) ? 0 : 9), "bridge"))
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "ipam.type \"%s\" is this bridge "
				   "plugin, which would call itself: name an IPAM plugin", type);
	xc_cni_err_init(&e);
	if (!xc_cni_ipam_timeout(getenv("XC_IPAM_TIMEOUT_MS"), &b->ipam_ms, &e))
		return 0;
	if (cmd == XC_CNI_CMD_ADD || cmd == XC_CNI_CMD_CHECK) {
		*err = e;
		return -EINVAL;
	}
	xc_warn("%s; using %d ms", e.msg, b->ipam_ms);
	return 0;
}

static int conf_parse(void *ctx, struct xc_cni_err *err)
{
	struct br *b = ctx;
	static const char *const known_args[] = { "MAC", NULL };
	const struct xc_json *root = &b->cni.conf.root;
	struct br_conf *c = &b->conf;
	int rc;

	c->preserve_default_vlan = 1;
	if (unsupported(root, err) ||
	    xc_cniconv_ifname(root, "bridge", "cni0", c->bridge, err) ||
	    conf_numbers(root, c, err) ||
	    opt_bool(root, "isGateway", &c->is_gw, err) ||
	    opt_bool(root, "isDefaultGateway", &c->is_default_gw, err) ||
	    opt_bool(root, "forceAddress", &c->force_address, err) ||
	    opt_bool(root, "hairpinMode", &c->hairpin, err) ||
	    opt_bool(root, "promiscMode", &c->promisc, err) ||
	    opt_bool(root, "enabledad", &c->enable_dad, err) ||
	    opt_bool(root, "preserveDefaultVlan", &c->preserve_default_vlan, err) ||
	    opt_bool(root, "ipMasq", &c->ipmasq, err) ||
	    opt_bool(root, "macspoofchk", &c->spoofchk, err) ||
	    (c->has_dns = xc_cniconv_dns(&b->cni.conf.dns, &c->dns, err)) < 0)
		return -EINVAL;
	if (c->is_default_gw)
		c->is_gw = 1;
	if (c->hairpin && c->promisc)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "hairpinMode and promiscMode cannot "
				   "both be true");
	if (c->vlan && c->is_gw)
		return xc_cni_errf(err, XC_CNI_E_UNSUPPORTED, "vlan with isGateway is not "
				   "supported yet (the gateway would need a VLAN interface)");
	c->l3 = b->cni.conf.ipam_type[0] != '\0';
	if (b->cni.env.containerid && b->cni.env.ifname)
		b->tag_ok = xc_podlink_alias(b->cni.conf.name, b->cni.env.containerid,
					     b->cni.env.ifname, b->tag, sizeof(b->tag)) > 0;
	if (c->l3 && (rc = ipam_conf(b, err)))
		return rc;
	/* Only ADD reads the MAC: DEL must clean up whatever CNI_ARGS says. */
	if (b->cni.env.cmd == XC_CNI_CMD_ADD &&
	    (c->has_mac = xc_cniconv_mac(&b->cni.conf, b->cni.env.args, known_args, c->mac,
					 err)) < 0)
		return -EINVAL;
	return 0;
}

/* ---- helpers shared by the commands ------------------------------------- */

/* The delegation of cmd to ipam.type, its answer into out. */
static int ipam_call(struct br *b, enum xc_cni_cmd cmd, char *out, size_t out_size,
		     struct xc_cni_exec *x, struct xc_cni_err *err)
{
	*x = (struct xc_cni_exec){
		.type = b->cni.conf.ipam_type,
		.path = b->cni.env.path,
		.cmd = cmd,
		.envp = environ,
		.in = b->cni.in,
		.in_len = b->cni.in_len,
		.timeout_ms = b->ipam_ms,
		.out = out,
		.out_size = out_size,
		.self_main = xc_main,
	};
	if (!x->path)
		return xc_cni_errf(err, XC_CNI_E_ENV, "CNI_PATH is not set: it is needed "
				   "to find the IPAM plugin \"%s\"", x->type);
	return 0;
}

static int ipam_exec(struct br *b, enum xc_cni_cmd cmd, struct xc_cni_result *r, char *out,
		     size_t out_size, struct xc_cni_err *err)
{
	struct xc_cni_exec x;
	int rc = ipam_call(b, cmd, out, out_size, &x, err);

	return rc ? rc : xc_cni_delegate(&x, b->cni.conf.version, r, err);
}

static int open_pod_ns(struct br *b, struct xc_cni_err *err)
{
	b->podfd = xc_podlink_netns_open(b->cni.env.netns, err);
	return b->podfd < 0 ? b->podfd : 0;
}

static int open_host(struct br *b, struct xc_cni_err *err)
{
	int rc = xc_nl_open(&b->host, host_buf, sizeof(host_buf));

	return rc ? xc_podlink_kfail(err, NULL, rc, "netlink socket") : 0;
}

/* DEL's and CHECK's socket in the pod (ADD opens one there with the sysctls). */
static int open_pod(struct br *b, struct xc_cni_err *err)
{
	int rc = xc_nl_open_nsfd(&b->pod, pod_buf, sizeof(pod_buf), b->podfd);

	return rc ? xc_podlink_kfail(err, NULL, rc, "netlink socket in %s", b->cni.env.netns) : 0;
}

static int get_bridge(struct br *b, struct xc_cni_err *err)
{
	int rc = xc_nl_link_get(&b->host, b->conf.bridge, &b->br);

	if (rc)
		return rc;
	if (strcmp(b->br.kind, "bridge"))
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "%s already exists but is not a "
				   "bridge (it is a %s)", b->conf.bridge,
				   *b->br.kind ? b->br.kind : "device of no kind");
	return 0;
}

/* ---- ipMasq, macspoofchk: tagged elements (podmasq.h) -------------------- */

static const struct xc_tagset *const nft_tables[] = { &xc_podmasq_tagset, &xc_spoofchk_tagset };
#define NFT_TABLES ((int)(sizeof(nft_tables) / sizeof(nft_tables[0])))

static int nft_fail(struct br *b, int rc, const char *what, struct xc_cni_err *err)
{
	xc_podlink_kfail(err, &b->nft, rc, "%s", what);
	if (!*xc_nl_errmsg(&b->nft) && (rc == -ENOENT || rc == -EOPNOTSUPP ||
					  rc == -EPROTONOSUPPORT))
		xc_cni_err_details(err, "ipMasq needs nf_tables with the nat chain type and "
				   "masq, macspoofchk its bridge family (docs/cni-keys.md)");
	return rc;
}

/* 1 when the kernel has no nf_tables: nothing of ours can be there. */
static int open_nft(struct br *b, struct xc_cni_err *err)
{
	int rc = xc_nft_open(&b->nft, nft_buf, sizeof(nft_buf));

	if (rc == -EPROTONOSUPPORT && b->cni.env.cmd != XC_CNI_CMD_ADD &&
	    b->cni.env.cmd != XC_CNI_CMD_CHECK)
		return 1;
	return rc ? nft_fail(b, rc, "nf_tables netlink socket", err) : 0;
}

static int no_tag(struct xc_cni_err *err)
{
	return xc_cni_errf(err, XC_CNI_E_ENV, "CNI_CONTAINERID is too long to tag the "
			   "ipMasq and macspoofchk elements with (network name, CNI_IFNAME and "
			   "it in %d bytes)", XC_NFT_COMMENT_MAX);
}

static int nft_put(struct br *b, const struct xc_tagset *t, const struct xc_tagset_elem *e,
		   int n, struct xc_cni_err *err)
{
	char what[160];
	int rc = n ? xc_tagset_put(&b->nft, t, b->tag, e, n, batch, sizeof(batch)) : 0;

	snprintf(what, sizeof(what), "adding %s's elements to table %s",
		 b->cni.env.containerid, t->table);
	if (rc == -EADDRINUSE)
		return xc_cni_errf(err, XC_CNI_E_ADDR_IN_USE, "%s: an element of the pod's "
				   "address or port is another network's (overlapping subnets?)", what);
	if (rc == -EEXIST) {
		nft_fail(b, rc, what, err);
		xc_cni_err_details(err, "table %s has a set or chain of our name that is not "
				   "ours: delete the table (nft delete table %s %s), then ADD", t->table,
				   t->family == NFPROTO_BRIDGE ? "bridge" : "inet", t->table);
		return rc;
	}
	return rc < 0 ? nft_fail(b, rc, what, err) : 0;
}

/* ADD's last step: both all in, or (undo) none. */
static int masq_add(struct br *b, struct xc_cni_err *err)
{
	struct xc_tagset_elem e[XC_PODMASQ_ELEMS];
	int rc;

	if (!b->conf.ipmasq && !b->conf.spoofchk)
		return 0;
	if ((rc = open_nft(b, err)))
		return rc;
	b->undo_nft = 1;
	if (b->conf.ipmasq &&
	    (rc = nft_put(b, &xc_podmasq_tagset, e, xc_podmasq_elems(&b->res, e,
								   XC_PODMASQ_ELEMS), err)))
		return rc;
	if (b->conf.spoofchk)
		rc = nft_put(b, &xc_spoofchk_tagset, e, xc_spoofchk_elems(b->veth.name, b->pod_mac, e),
			     err);
	return rc;
}

/* Every element of both tables whose tag matches: DEL (ours), GC (stale ones). */
static int nft_remove(struct br *b, xc_tagset_match match, void *arg, struct xc_cni_err *err)
{
	char what[96];
	int rc = open_nft(b, err);

	for (int i = 0; !rc && i < NFT_TABLES; i++) {
		rc = xc_tagset_remove(&b->nft, nft_tables[i], match, arg, batch, sizeof(batch));
		snprintf(what, sizeof(what), "removing elements from table %s",
			 nft_tables[i]->table);
		rc = rc < 0 ? nft_fail(b, rc, what, err) : 0;
	}
	return rc < 0 ? rc : 0;
}

/*
 * DEL and GC clean both tables whatever ipMasq and macspoofchk say now: an
 * ADD under an earlier configuration may have filled them. When neither
 * key is on, that is housekeeping, logged and never a failure: a plain
 * bridge's DEL must not hang on nf_tables (an LSM refusing the socket, a
 * kernel without it).
 */
static int nft_cleanup(struct br *b, xc_tagset_match match, void *arg, struct xc_cni_err *err)
{
	struct xc_cni_err e;

	if (b->conf.ipmasq || b->conf.spoofchk)
		return nft_remove(b, match, arg, err);
	xc_cni_err_init(&e);
	if (nft_remove(b, match, arg, &e))
		xc_warn("%s (the elements stay until a GC)", e.msg);
	return 0;
}

static int nft_verify(struct br *b, const struct xc_tagset *t, const char *key,
		      const struct xc_tagset_elem *e, int n, struct xc_cni_err *err)
{
	char what[200], el[96];
	int bad, rc = xc_tagset_verify(&b->nft, t, b->tag, e, n, &bad, what, sizeof(what));

	if (rc == -ENOENT && bad < 0)
		return xc_cni_errf(err, XC_CNI_E_CHECK, "%s: %s", key, what);
	if (rc == -ENOENT)
		return xc_cni_errf(err, XC_CNI_E_CHECK, "%s: element %s is %s", key,
				   xc_podmasq_elem_format(t, &e[bad], el, sizeof(el)), what);
	return rc ? nft_fail(b, rc, "reading nf_tables", err) : 0;
}

/* prevResult's pod interface (ifname, in the sandbox) and its host end's name. */
static int prev_port(struct br *b, uint8_t mac[6], const char **port)
{
	const struct xc_cni_result *r = &b->prev;
	int pod = -1;

	*port = NULL;
	for (int i = 0; i < r->n_ifaces; i++) {
		if (r->ifaces[i].sandbox[0] && !strcmp(r->ifaces[i].name, b->cni.env.ifname))
			pod = i;
		else if (!r->ifaces[i].sandbox[0] && strcmp(r->ifaces[i].name, b->conf.bridge))
			*port = r->ifaces[i].name;
	}
	return pod >= 0 && *port && !xc_mac_parse(r->ifaces[pod].mac, mac) ? 0 : -ENOENT;
}

static int masq_check(struct br *b, struct xc_cni_err *err)
{
	struct xc_tagset_elem e[XC_PODMASQ_ELEMS];
	const char *port;
	uint8_t mac[6];
	int rc;

	if (!b->conf.ipmasq && !b->conf.spoofchk)
		return 0;
	if (!b->tag_ok)
		return no_tag(err);
	if ((rc = open_nft(b, err)))
		return rc;
	if (b->conf.ipmasq &&
	    (rc = nft_verify(b, &xc_podmasq_tagset, "ipMasq", e,
			     xc_podmasq_elems(&b->prev, e, XC_PODMASQ_ELEMS), err)))
		return rc;
	if (!b->conf.spoofchk)
		return 0;
	if (prev_port(b, mac, &port))
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "macspoofchk: prevResult names no "
				   "host interface and MAC of %s", b->cni.env.ifname);
	return nft_verify(b, &xc_spoofchk_tagset, "macspoofchk", e,
			  xc_spoofchk_elems(port, mac, e), err);
}

/* ---- ADD ------------------------------------------------------------------ */

static int ensure_bridge(struct br *b, struct xc_cni_err *err)
{
	uint8_t mac[6];
	int rc = get_bridge(b, err);

	if (rc == -ENODEV) {
		/* A MAC of its own: otherwise the bridge takes its lowest port's. */
		xc_podlink_random_mac(mac);
		rc = xc_podlink_bridge_add(&b->host, b->conf.bridge, b->conf.mtu, mac,
					   b->conf.vlan != 0);
		if (rc && rc != -EEXIST)
			return xc_podlink_kfail(err, &b->host, rc, "creating bridge %s", b->conf.bridge);
		rc = get_bridge(b, err);
	}
	if (rc)
		return err->code ? rc : xc_podlink_kfail(err, &b->host, rc, "bridge %s", b->conf.bridge);
	if (!(b->br.flags & IFF_UP) && (rc = xc_nl_link_set_up(&b->host, b->br.index, 1)))
		return xc_podlink_kfail(err, &b->host, rc, "setting %s up", b->conf.bridge);
	if (b->conf.promisc && !(b->br.flags & IFF_PROMISC) &&
	    (rc = xc_nl_link_set_promisc(&b->host, b->br.index, 1)))
		return xc_podlink_kfail(err, &b->host, rc, "promiscuous mode on %s", b->conf.bridge);
	return 0;
}

static int make_veth(struct br *b, struct xc_cni_err *err)
{
	const char *cid = b->cni.env.containerid, *ifname = b->cni.env.ifname;
	struct xc_podlink_veth v = {
		.pod_name = ifname, .pod_nsfd = b->podfd, .mtu = b->conf.mtu,
		.pod_mac = b->pod_mac, .master = b->br.index,
	};
	char name[IFNAMSIZ];
	struct xc_link l;
	unsigned salt;
	int rc = -EEXIST;

	/* Our own random MAC rather than the kernel's: no look-up to learn it. */
	if (b->conf.has_mac)
		memcpy(b->pod_mac, b->conf.mac, 6);
	else
		xc_podlink_random_mac(b->pod_mac);
	for (salt = 0; salt < XC_PODLINK_SALTS && rc == -EEXIST; salt++) {
		xc_podlink_host_name(cid, ifname, salt, name);
		v.host_name = name;
		rc = xc_podlink_veth_add(&b->host, &v, &b->veth);
		/* Taken names: the host's (another attachment's hash) or the pod's. */
		if (rc == -EEXIST && xc_nl_link_get(&b->host, name, &l) == -ENODEV) {
			xc_cni_errf(err, XC_CNI_E_KERNEL, "%s already exists in %s", ifname,
				    b->cni.env.netns);
			xc_cni_err_details(err, "DEL that attachment first");
			return rc;
		}
	}
	if (rc)
		return xc_podlink_kfail(err, &b->host, rc, "creating veth %s (%s in %s)", name, ifname,
			     b->cni.env.netns);
	b->undo_veth = b->veth.index;
	b->pod_index = b->veth.link_netnsid >= 0 ? b->veth.link : 0;
	/* Its routes are ours too, as the reference has it. */
	xc_podlink_no_ra(b->veth.name);
	return 0;
}

static int setup_port(struct br *b, struct xc_cni_err *err)
{
	char alias[XC_PODLINK_ALIAS_MAX];
	uint16_t vids[64];
	int rc, n, i;

	rc = xc_podlink_alias(b->cni.conf.name, b->cni.env.containerid, b->cni.env.ifname,
			      alias, sizeof(alias));
	rc = xc_podlink_port_set(&b->host, b->veth.index, rc >= 0 ? alias : NULL,
				 b->conf.hairpin);
	if (rc)
		return xc_podlink_kfail(err, &b->host, rc, "settings of bridge port %s", b->veth.name);
	if (!b->conf.vlan)
		return 0;
	if (!b->conf.preserve_default_vlan) {
		n = xc_podlink_vlan_list(&b->host, b->veth.index, vids, 64);
		if (n < 0)
			return xc_podlink_kfail(err, &b->host, n, "VLANs of %s", b->veth.name);
		for (i = 0; i < n; i++)
			if ((rc = xc_podlink_vlan_set(&b->host, b->veth.index, vids[i], 0, 0)))
				return xc_podlink_kfail(err, &b->host, rc, "removing VLAN %u from %s",
					     vids[i], b->veth.name);
	}
	rc = xc_podlink_vlan_set(&b->host, b->veth.index, (uint16_t)b->conf.vlan, 1, 1);
	return rc ? xc_podlink_kfail(err, &b->host, rc, "VLAN %d on %s", b->conf.vlan, b->veth.name) : 0;
}

/* ADD's answer: the addresses the pod gets, and the IPAM DEL that undoes them. */
static int ipam_added(struct br *b, int rc, struct xc_cni_err *err)
{
	/* Killed (deadline, signal) or cut off mid-answer: it may have allocated. */
	if (rc && !err->raw)
		b->undo_ipam = 1;
	if (rc)
		return rc;
	b->undo_ipam = 1;
	if (!b->res.n_ips)
		return xc_cni_errf(err, XC_CNI_E_DELEGATE, "IPAM plugin %s returned no IP "
				   "address", b->cni.conf.ipam_type);
	return 0;
}

/*
 * Settings made inside the pod's namespace, before its interface is up.
 * The reference leaves a layer-2 pod's settings alone.
 */
static int pod_settings(struct br *b, struct xc_cni_err *err)
{
	int rc = xc_nl_open(&b->pod, pod_buf, sizeof(pod_buf));

	if (rc)
		return xc_podlink_kfail(err, NULL, rc, "netlink socket in %s", b->cni.env.netns);
	if (b->conf.l3) {
		xc_podlink_pod_sysctls(b->cni.env.ifname, b->conf.enable_dad);
		b->v6_off = xc_podlink_ipv6_off(b->cni.env.ifname);
	}
	return 0;
}

static int in_pod(struct br *b, int (*fn)(struct br *, struct xc_cni_err *),
		  struct xc_cni_err *err)
{
	int saved, rc;

	/* setns(2) moves this thread only: the other one stays in the host's. */
	rc = xc_netns_enter(b->podfd, &saved);
	if (rc)
		return xc_podlink_kfail(err, NULL, rc, "entering %s", b->cni.env.netns);
	rc = fn(b, err);
	if (xc_netns_return(saved))
		return xc_cni_errf(err, XC_CNI_E_INTERNAL, "could not return to the host's "
				   "network namespace from %s", b->cni.env.netns);
	return rc;
}

/* The pod's interface, up, ready for its addresses. */
static int prepare_pod(struct br *b, struct xc_cni_err *err)
{
	const char *ifname = b->cni.env.ifname;
	struct xc_link l;
	int rc;

	if ((rc = in_pod(b, pod_settings, err)))
		return rc;
	if (!b->pod_index) {
		if ((rc = xc_nl_link_get(&b->pod, ifname, &l)))
			return xc_podlink_kfail(err, &b->pod, rc, "%s in %s", ifname, b->cni.env.netns);
		b->pod_index = l.index;
	}
	rc = xc_nl_link_set_up(&b->pod, b->pod_index, 1);
	return rc ? xc_podlink_kfail(err, &b->pod, rc, "setting %s up", ifname) : 0;
}

static int ipv6_on(struct br *b, struct xc_cni_err *err)
{
	char key[96];
	int rc = xc_podlink_ipv6_on(b->cni.env.ifname, b->v6_off, key, sizeof(key));

	return rc ? xc_podlink_kfail(err, NULL, rc, "enabling IPv6 in the pod (%s)", key) : 0;
}

static int setup_pod(struct br *b, struct xc_cni_err *err)
{
	const char *ifname = b->cni.env.ifname;
	char what[160];
	int rc, n6, v6 = 0;

	for (int i = 0; i < b->res.n_ips; i++)
		v6 |= b->res.ips[i].address.ip.family == AF_INET6;
	if (v6 && b->v6_off && (rc = in_pod(b, ipv6_on, err)))
		return rc;
	n6 = xc_podlink_configure(&b->pod, b->pod_index, &b->res, IF_POD, b->conf.enable_dad,
				  what, sizeof(what));
	if (n6 < 0)
		return xc_podlink_kfail(err, &b->pod, n6, "adding %s on %s", what, ifname);
	if (!n6)
		return 0;
	rc = xc_nl_addr_wait(&b->pod, b->pod_index, 0, DAD_TIMEOUT_MS);
	if (rc == -EADDRNOTAVAIL)
		return xc_cni_errf(err, XC_CNI_E_ADDR_IN_USE, "duplicate address detection "
				   "failed on %s: an IPv6 address is in use on the link", ifname);
	if (rc == -ETIMEDOUT)
		return xc_cni_errf(err, XC_CNI_E_KERNEL, "IPv6 addresses on %s still "
				   "tentative after %d ms", ifname, DAD_TIMEOUT_MS);
	return rc ? xc_podlink_kfail(err, &b->pod, rc, "waiting for IPv6 addresses on %s", ifname) : 0;
}

/* A gateway address on the bridge, with the reference's forceAddress rule. */
static int ensure_gw(struct br *b, const struct xc_prefix *gw, struct xc_cni_err *err)
{
	struct xc_prefix old;
	char want[XC_IP_STRLEN], have[XC_IP_STRLEN];
	int rc;

	xc_prefix_format(gw, want, sizeof(want));
	rc = xc_podlink_gateway(&b->host, b->br.index, gw, b->conf.force_address, &old);
	if (rc == -EEXIST) {
		xc_prefix_format(&old, have, sizeof(have));
		xc_cni_errf(err, XC_CNI_E_CONFIG, "%s already has an IP address (%s) "
			    "different from %s", b->conf.bridge, have, want);
		xc_cni_err_details(err, "set forceAddress to replace it");
		return rc;
	}
	if (rc < 0)
		return xc_podlink_kfail(err, &b->host, rc, "adding %s to %s", want, b->conf.bridge);
	if (!rc)
		return 0;
	/*
	 * Pin the MAC: a bridge otherwise follows its lowest port's as ports
	 * churn (and is all zeros while it has none). Read it now: our port
	 * may just have changed it.
	 */
	rc = xc_nl_link_get_index(&b->host, b->br.index, &b->br);
	if (!rc)
		rc = xc_nl_link_set_addr(&b->host, b->br.index, b->br.addr, b->br.addr_len);
	return rc ? xc_podlink_kfail(err, &b->host, rc, "pinning the MAC of %s", b->conf.bridge) : 0;
}

static int forward_on(const char *key, struct xc_cni_err *err)
{
	char v[8];
	int rc;

	if (xc_sysctl_read(key, v, sizeof(v)) >= 0 && !strcmp(v, "1"))
		return 0;
	rc = xc_sysctl_write(key, "1");
	return rc ? xc_podlink_kfail(err, NULL, rc, "enabling forwarding (%s)", key) : 0;
}

static int host_gateways(struct br *b, const struct xc_podlink_gws *g, const char *fwd,
			 struct xc_cni_err *err)
{
	int rc;

	for (int i = 0; i < g->n; i++)
		if ((rc = ensure_gw(b, &g->gw[i], err)))
			return rc;
	return g->n ? forward_on(fwd, err) : 0;
}

static void put_iface(struct xc_cni_iface *f, const char *name, const uint8_t *mac,
		      unsigned mtu, const char *sandbox)
{
	snprintf(f->name, sizeof(f->name), "%s", name);
	xc_mac_format(mac, f->mac, sizeof(f->mac));
	f->mtu = (int)mtu;
	snprintf(f->sandbox, sizeof(f->sandbox), "%s", sandbox);
}

static int finish(struct br *b, struct xc_cni_err *err)
{
	struct xc_cni_result *r = &b->res;
	int rc;

	/* Not before the bridge forwards through the port (the reference waits too). */
	rc = xc_podlink_wait_up(&b->host, b->veth.index, PORT_TIMEOUT_MS);
	if (rc == -ETIMEDOUT)
		return xc_cni_errf(err, XC_CNI_E_KERNEL, "bridge port %s not up after %d ms",
				   b->veth.name, PORT_TIMEOUT_MS);
	if (rc)
		return xc_podlink_kfail(err, &b->host, rc, "bridge port %s", b->veth.name);
	/* The bridge's MAC may have changed with its first port. */
	if ((rc = xc_nl_link_get_index(&b->host, b->br.index, &b->br)))
		return xc_podlink_kfail(err, &b->host, rc, "bridge %s", b->conf.bridge);
	r->n_ifaces = 3;
	put_iface(&r->ifaces[IF_BRIDGE], b->br.name, b->br.addr, b->br.mtu, "");
	put_iface(&r->ifaces[IF_HOST], b->veth.name, b->veth.addr, b->veth.mtu, "");
	put_iface(&r->ifaces[IF_POD], b->cni.env.ifname, b->pod_mac, b->veth.mtu,
		  b->cni.env.netns);
	if (b->conf.has_dns)
		r->dns = b->conf.dns;
	return 0;
}

static void add_undo(void *ctx)
{
	struct br *b = ctx;
	struct xc_cni_err e;

	xc_cni_err_init(&e);
	for (int i = 0; b->undo_nft && i < NFT_TABLES; i++)
		xc_tagset_remove(&b->nft, nft_tables[i], xc_tagset_is, b->tag, batch,
				 sizeof(batch));
	/* The pod end, its addresses and routes go with the host end. */
	if (b->undo_veth > 0)
		xc_nl_link_del(&b->host, b->undo_veth);
	/*
	 * The ADD may have used its whole deadline: the undo gets at most
	 * UNDO_IPAM_MS more, so the two stay well inside the runtime's own
	 * limit (the runtime sends a DEL of its own anyway).
	 */
	if (b->undo_ipam) {
		if (b->ipam_ms > UNDO_IPAM_MS)
			b->ipam_ms = UNDO_IPAM_MS;
		ipam_exec(b, XC_CNI_CMD_DEL, NULL, undo_out, sizeof(undo_out), &e);
	}
}

/* The links of ADD: veth, bridge port, the pod's end up. */
static int make_links(struct br *b, struct xc_cni_err *err)
{
	int rc = make_veth(b, err);

	if (!rc)
		rc = setup_port(b, err);
	return rc ? rc : prepare_pod(b, err);
}

/* The IPAM plugin's cmd, started: it runs while we do the kernel work. */
static int ipam_start(struct br *b, enum xc_cni_cmd cmd, struct xc_cni_child *c,
		      struct xc_cni_err *err)
{
	struct xc_cni_exec x;
	int rc = ipam_call(b, cmd, ipam_out, sizeof(ipam_out), &x, err);

	return rc ? rc : xc_cni_exec_start(&x, c, err);
}

/* Its answer: for ADD the pod's addresses into b->res. */
static int ipam_end(struct br *b, enum xc_cni_cmd cmd, struct xc_cni_child *c,
		    struct xc_cni_err *err)
{
	struct xc_cni_result *r = cmd == XC_CNI_CMD_ADD ? &b->res : NULL;
	struct xc_cni_exec x;
	int status = 0, rc;
	long len;

	ipam_call(b, cmd, ipam_out, sizeof(ipam_out), &x, err);
	len = xc_cni_exec_wait(&x, c, &status, err);
	rc = xc_cni_delegate_answer(&x, len, status, b->cni.conf.version, r, err);
	return cmd == XC_CNI_CMD_ADD ? ipam_added(b, rc, err) : rc;
}

struct job {
	struct br *b;
	int (*fn)(struct br *b, struct xc_cni_err *err);
	struct xc_cni_err err;
	int rc;
};

static void *job_run(void *arg)
{
	struct job *j = arg;

	j->rc = j->fn(j->b, &j->err);
	return NULL;
}

/*
 * The kernel work (fn) and the IPAM plugin's cmd do not depend on each
 * other: fn runs on a second thread while the plugin runs, which hides
 * most of the shorter one. The plugin starts first, while this process
 * has one thread (see xc_cni_exec_start). Both keep the undo log
 * themselves. On two failures, fn's is told when fn_first (the order the
 * reference meets them in), else the plugin's.
 */
static int beside_ipam(struct br *b, enum xc_cni_cmd cmd,
		       int (*fn)(struct br *b, struct xc_cni_err *err), int fn_first,
		       struct xc_cni_err *err)
{
	struct job j = { .b = b, .fn = fn };
	struct xc_cni_child c = { 0 };
	pthread_t t;
	int rc = 0, threaded;

	xc_cni_err_init(&j.err);
	if (b->conf.l3)
		rc = ipam_start(b, cmd, &c, err);
	threaded = c.pid && !pthread_create(&t, NULL, job_run, &j);
	if (!threaded)
		job_run(&j);
	if (c.pid)
		rc = ipam_end(b, cmd, &c, err);
	if (threaded)
		pthread_join(t, NULL);
	if (j.rc && (fn_first || !rc)) {
		*err = j.err;
		return j.rc;
	}
	return rc;
}

static int add_steps(struct br *b, struct xc_cni_err *err)
{
	struct xc_podlink_gws g4 = { 0 }, g6 = { 0 };
	int rc;

	if ((b->conf.ipmasq || b->conf.spoofchk) && !b->tag_ok)
		return no_tag(err);
	if ((rc = open_pod_ns(b, err)) || (rc = open_host(b, err)) ||
	    (rc = ensure_bridge(b, err)) ||
	    (rc = beside_ipam(b, XC_CNI_CMD_ADD, make_links, 1, err)))
		return rc;
	xc_podlink_gateways(&b->res, IF_POD, b->conf.is_gw, b->conf.is_default_gw, &g4, &g6);
	if ((rc = setup_pod(b, err)) ||
	    (rc = host_gateways(b, &g4, "net/ipv4/ip_forward", err)) ||
	    (rc = host_gateways(b, &g6, "net/ipv6/conf/all/forwarding", err)))
		return rc;
	return (rc = finish(b, err)) ? rc : masq_add(b, err);
}

static int cmd_add(void *ctx, struct xc_cni_err *err)
{
	int rc = add_steps(ctx, err);

	if (rc)
		add_undo(ctx);
	return rc;
}

/* ---- DEL, CHECK, STATUS, GC ----------------------------------------------- */

/* The pod's interface, if there is one; gone counts as done. */
static int del_link(struct br *b, struct xc_cni_err *err)
{
	const char *ifname = b->cni.env.ifname;
	struct xc_link l;
	int rc;

	if (!b->cni.env.netns)
		return 0;
	b->podfd = xc_netns_open(b->cni.env.netns);
	/* Gone, or an unmounted bind-mount left behind: nothing in it to remove. */
	if (b->podfd == -ENOENT || b->podfd == -ENOTSUP)
		return 0;
	if (b->podfd < 0)
		return open_pod_ns(b, err);
	if ((rc = open_pod(b, err)))
		return rc;
	rc = xc_nl_link_get(&b->pod, ifname, &l);
	/* Not a veth: not ours (another plugin's interface of that name). */
	if (rc == -ENODEV || (!rc && strcmp(l.kind, "veth")))
		return 0;
	if (!rc)
		rc = xc_nl_link_del(&b->pod, l.index);
	if (rc && rc != -ENODEV)
		return xc_podlink_kfail(err, &b->pod, rc, "deleting %s in %s", ifname, b->cni.env.netns);
	return 0;
}

/*
 * IPAM first, then the pod's interface, then its nf_tables elements (a
 * pod never runs without them, as in the reference). Whatever is already
 * gone (the namespace, the interface, the allocation) counts as done.
 */
static int cmd_del(void *ctx, struct xc_cni_err *err)
{
	struct br *b = ctx;
	int rc;

	if (b->conf.l3 && (rc = ipam_exec(b, XC_CNI_CMD_DEL, NULL, ipam_out,
					  sizeof(ipam_out), err)))
		return rc;
	if ((rc = del_link(b, err)))
		return rc;
	return b->tag_ok ? nft_cleanup(b, xc_tagset_is, b->tag, err) : 0;
}

static int check_links(struct br *b, struct xc_cni_err *err)
{
	struct xc_podcheck c = {
		.prev = &b->prev, .bridge = b->conf.bridge, .ifname = b->cni.env.ifname,
		.netns = b->cni.env.netns, .promisc = b->conf.promisc,
		.hairpin = b->conf.hairpin, .mtu = b->conf.mtu,
	};
	int rc = xc_podcheck_run(&b->host, &b->pod, &c, err);

	return rc ? rc : masq_check(b, err);
}

/* The IPAM plugin's CHECK and ours at once; its answer counts first, as in the reference. */
static int cmd_check(void *ctx, struct xc_cni_err *err)
{
	struct br *b = ctx;
	int rc;

	if (b->cni.conf.prev_result.type != XC_JSON_OBJECT)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "CHECK needs prevResult, the result "
				   "of the ADD it checks");
	if ((rc = open_pod_ns(b, err)) || (rc = open_host(b, err)) || (rc = open_pod(b, err)))
		return rc;
	return beside_ipam(b, XC_CNI_CMD_CHECK, check_links, 0, err);
}

/* Ready when the IPAM plugin is, and nf_tables answers if ipMasq or macspoofchk need it. */
static int cmd_status(void *ctx, struct xc_cni_err *err)
{
	struct br *b = ctx;
	uint32_t gen;
	int rc = 0;

	if (b->conf.ipmasq || b->conf.spoofchk) {
		rc = xc_nft_open(&b->nft, nft_buf, sizeof(nft_buf));
		if (!rc)
			rc = xc_nft_genid(&b->nft, &gen);
	}
	if (rc) {
		xc_cni_errf(err, XC_CNI_E_NOT_AVAILABLE, "nf_tables is not available for "
			    "ipMasq or macspoofchk: %s", strerror(-rc));
		return rc;
	}
	return b->conf.l3 ? ipam_exec(b, XC_CNI_CMD_STATUS, NULL, ipam_out, sizeof(ipam_out),
				      err) : 0;
}

/* Stray host veths of this network first, then the IPAM plugin's own GC. */
static int cmd_gc(void *ctx, struct xc_cni_err *err)
{
	struct br *b = ctx;
	static struct xc_cni_attachment valid[MAX_ATTACHMENTS];
	struct xc_tagset_gc g = { valid, 0, b->cni.conf.name };
	long n;
	int rc;

	/* Without the list, "no valid attachment" would mean "delete everything". */
	if (b->cni.conf.valid_attachments.type != XC_JSON_ARRAY)
		return xc_cni_errf(err, XC_CNI_E_CONFIG, "GC needs cni.dev/valid-attachments "
				   "(an empty list removes every attachment of %s)",
				   b->cni.conf.name);
	n = xc_cni_attachments(&b->cni.conf, valid, MAX_ATTACHMENTS, err);
	if (n < 0)
		return (int)n;
	g.n = (size_t)n;
	if ((rc = open_host(b, err)))
		return rc;
	rc = get_bridge(b, err);
	if (!rc && (rc = xc_podlink_gc(&b->host, b->br.index, b->cni.conf.name, valid,
				       (size_t)n)) < 0)
		return xc_podlink_kfail(err, &b->host, rc, "removing stale veths from %s", b->conf.bridge);
	if (rc < 0 && rc != -ENODEV)
		return err->code ? rc : xc_podlink_kfail(err, &b->host, rc, "bridge %s", b->conf.bridge);
	/* the stale veths first, then their elements: no pod runs without them */
	if ((rc = nft_cleanup(b, xc_tagset_stale, &g, err)))
		return rc;
	return b->conf.l3 ? ipam_exec(b, XC_CNI_CMD_GC, NULL, ipam_out, sizeof(ipam_out), err) : 0;
}

int bridge_main(int argc, char **argv)
{
	static char in[XC_CNI_STDIN_MAX + 1], out[XC_CNI_OUT_MAX];
	const struct xc_cni_plugin p = {
		.ctx = &B, .call = &B.cni, .prev = &B.prev, .res = &B.res,
		.in = in, .in_size = sizeof(in), .out = out, .out_size = sizeof(out),
		.parse = conf_parse, .add = cmd_add, .del = cmd_del, .check = cmd_check,
		.gc = cmd_gc, .status = cmd_status, .undo_add = add_undo,
	};

	(void)argc;
	(void)argv;
	B.podfd = -1;
	return xc_cni_run(&p, environ);
}
