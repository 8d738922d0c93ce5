/*
 * tunnel: this host as the router sees it, and the tunnel devices it uses.
 *
 * xc_tunnel_env() reads the host (interfaces, addresses, neighbours) into
 * the struct xc_rt_env that core/router/routes computes with; xc_tunnel_setup()
 * makes the devices a mode needs:
 *   sit    sit0 and tunl0 up (the kernel's fallback devices, which exist
 *          once the sit and ipip modules are loaded). Both, whatever the
 *          family carried: a host with sit0 but without tunl0 up drops
 *          the IPv4-in-IPv4 packets sit0 accepts (kernel bug 205501).
 *   ipip   tunl0 up.
 *   vxlan  one VXLAN device (name, VNI, UDP port configurable) on the
 *          underlay interface, learning off, its MAC derived from this
 *          node's underlay address (xc_rt_vxlan_mac) so that peers can
 *          compute it, MTU = underlay MTU - 50 (IPv4) or 70 (IPv6).
 * A VXLAN device of that name with other settings is ours: it is replaced.
 *
 * The device that carries IPv4 pod traffic (tunl0, or the VXLAN device)
 * gets an address of its own, env->tun4/32: the network address of this
 * node's IPv4 pod CIDR (node-local never hands it out), labelled "DEV:xc"
 * ("DEV:xcPROTOCOL" for a router of another route protocol, so that a
 * second network's router never takes the first one's), which is what
 * marks it ours. Without an IPv4 address on the device the
 * receiving node's rp_filter (1 or 2: Debian's default) drops every packet
 * whose source is not routed back through that device: the node's own
 * packets to remote pods (source: its underlay address), and MASQUERADEd
 * ones (NodePorts), which take their source from the outgoing device.
 * With it, the kernel picks that address as the source (it is the
 * device's), and peers route it back through their tunnel. Flannel does
 * the same on flannel.1. Our address on any other tunnel device goes.
 *
 * Functions return 0 (or a count where documented) or a negative errno.
 *
 * Names: xc_tunnel_
 */
#ifndef XC_TUNNEL_H
#define XC_TUNNEL_H

#include "kernel/netlink.h"
#include "router/routes.h"

/* The kernel's fallback devices of the sit and ipip modules, which carry our tunnels. */
#define XC_TUNNEL_SIT_DEV "sit0"     /* IPv6 in IPv4 */
#define XC_TUNNEL_IPIP_DEV "tunl0"   /* IPv4 in IPv4 (sit mode's IPv4 too) */
#define XC_TUNNEL_VXLAN_NAME "xcvx0"
#define XC_TUNNEL_VXLAN_VNI 1
#define XC_TUNNEL_VXLAN_PORT 4789

struct xc_tunnel_opts {
	char vxlan_name[IFNAMSIZ];
	uint32_t vni;
	uint16_t port;             /* host order */
	char tag[8];               /* our address's label: DEV:tag (xc_tunnel_tag) */
};

/* The label tag of a router of this route protocol: "xc" for 202, else "xcN". */
void xc_tunnel_tag(unsigned protocol, char tag[8]);

/* State kept between reads: the neighbour copy the env points into. */
struct xc_tunnel {
	struct xc_tunnel_opts o;
	int sit;                   /* sit available: 0 not known yet, 1 yes, -1 no */
	struct xc_rt_lladdr *ll;
	size_t nll, llcap;
};

/* Defaults into t (name, VNI, port); nothing is allocated yet. */
void xc_tunnel_init(struct xc_tunnel *t);

/* Free what xc_tunnel_env() allocated. */
void xc_tunnel_free(struct xc_tunnel *t);

/*
 * The modes are one table in tunnel.c (name and overheads); every user
 * reads it through these. "none", "sit", "ipip", "vxlan", "auto" ->
 * enum xc_rt_mode; -EINVAL for anything else. An unset mode is -1, the
 * default, which xc_tunnel_pick resolves.
 */
int xc_tunnel_mode_parse(const char *s);
/* The name of a mode ("?" for none such). */
const char *xc_tunnel_mode_name(int mode);
/* Every mode's name, comma-separated, for messages and usage texts. */
const char *xc_tunnel_mode_list(void);

/*
 * The mode to run: requested (>= 0) as it is; by default sit where the
 * kernel has it (asked once, probing with a sit device; with probe 0 only
 * an existing sit0 counts, nothing is created), else none, and none in an
 * IPv6-only cluster (env->self6 without env->self4). For auto,
 * env->tunnel becomes sit where available, else vxlan.
 */
int xc_tunnel_pick(struct xc_tunnel *t, struct xc_nl *nl, int requested,
		   struct xc_rt_env *env, int probe);

/*
 * Read the host into env: the tunnel devices' indexes and MTUs, every
 * interface with a global address as a connected subnet (our tunnel
 * devices and loopback excepted), the underlay (the interface holding
 * self4 or self6, which the caller sets in env first), src6 (a local
 * address inside own_v6, which may be NULL; one still tentative is not
 * used, the kernel refuses it as a route's source, and src6_wait says
 * so: its RTM_NEWADDR when DAD is done calls for another read), tun4
 * (from own_v4, may be NULL), and with want_ll the resolved IPv4
 * neighbours for the link-local fallback.
 */
int xc_tunnel_env(struct xc_tunnel *t, struct xc_nl *nl, struct xc_rt_env *env,
		  const struct xc_prefix *own_v4, const struct xc_prefix *own_v6, int want_ll);

/* Bytes a mode's encapsulation adds over an underlay of family. */
int xc_tunnel_overhead(int mode, int family);

/*
 * Make the devices of mode (for auto: of env->tunnel) as described above,
 * and put env->tun4 on the one carrying IPv4 (removing ours elsewhere).
 * Returns the number of changes made (0: all was in place); env's device
 * slots are updated for what was created.
 */
int xc_tunnel_setup(struct xc_tunnel *t, struct xc_nl *nl, int mode, struct xc_rt_env *env);

/*
 * The same as iproute2 commands, one per line, into buf (for --dry-run);
 * only what would change. Returns the length or -ENOSPC.
 */
int xc_tunnel_plan(struct xc_tunnel *t, struct xc_nl *nl, int mode,
		   const struct xc_rt_env *env, char *buf, size_t size);

/*
 * Undo: delete our VXLAN device (its neighbour and FDB entries and its
 * address go with it) and our address on tunl0. sit0 and tunl0 are the
 * kernel's shared fallback devices and stay otherwise as they are.
 * Returns the number of devices and addresses removed.
 */
int xc_tunnel_cleanup(struct xc_tunnel *t, struct xc_nl *nl);

/*
 * Make the kernel resolve an IPv4 neighbour (for the link-local
 * fallback): one empty UDP datagram to the discard port, which starts
 * ARP. Returns 0 once sent.
 */
int xc_tunnel_solicit(const struct xc_ip *v4);

/*
 * The device that holds this node's tunnel IPv4 address (env->tun4) in
 * mode (auto: give the mode it picked), NULL when the mode has none.
 */
const char *xc_tunnel_addr_dev(const struct xc_tunnel *t, int mode);

/*
 * Whether a link event about (name, ifindex) concerns the router: a tunnel
 * device (by name: it may not exist yet) or an interface of env (the
 * underlay). 0 for the rest, pods' veths above all.
 */
int xc_tunnel_dev_is_ours(const struct xc_rt_env *env, const char *name, int ifindex);

#endif
