/*
 * podcheck: CHECK for a pod on a bridge. Compares what a previous ADD
 * reported (its result, the runtime's prevResult) with what the kernel
 * has now: the bridge, the pod's interface, the host end of its veth,
 * the addresses and the routes.
 *
 * Any difference is CNI code 106 naming the first one found; a netlink
 * failure while looking is code 105.
 *
 * Names: xc_podcheck_
 */
#ifndef XC_PODCHECK_H
#define XC_PODCHECK_H

#include "cni/cni.h"
#include "kernel/netlink.h"

struct xc_podcheck {
	const struct xc_cni_result *prev;
	const char *bridge;             /* the configuration's bridge name */
	const char *ifname;             /* CNI_IFNAME */
	const char *netns;              /* CNI_NETNS, the pod interface's sandbox */
	int promisc;                    /* wanted promiscuous mode of the bridge */
	int hairpin;                    /* wanted hairpin mode of the port */
	unsigned mtu;                   /* wanted MTU of the pod's interface, 0: any */
};

/*
 * host: a context in the bridge's namespace; pod: one in the pod's.
 * Returns 0 when everything prev says is there, else a negative errno with
 * err filled.
 */
int xc_podcheck_run(struct xc_nl *host, struct xc_nl *pod, const struct xc_podcheck *c,
		    struct xc_cni_err *err);

#endif
