/*
 * nl_link: network interfaces over rtnetlink (RTM_*LINK).
 *
 * Creation requests are exclusive: an existing name gives -EEXIST. A
 * missing interface gives -ENODEV. Interfaces are named by index except
 * where a name is the natural key (creation, lookup).
 *
 * Names: xc_nl_bridge_ xc_nl_link_ xc_nl_veth_ xc_nl_vxlan_
 */
#ifndef XC_NL_LINK_H
#define XC_NL_LINK_H

#include "kernel/netlink.h"

#define XC_LINK_KIND_MAX 16
#define XC_LINK_ADDR_MAX 32

/* One interface as the kernel reports it. */
struct xc_link {
	int index;
	char name[IFNAMSIZ];
	char kind[XC_LINK_KIND_MAX];       /* "veth", "bridge", "vxlan"; "" if none */
	char slave_kind[XC_LINK_KIND_MAX]; /* "bridge" for a bridge port, else "" */
	unsigned flags;                    /* IFF_* */
	unsigned mtu;
	int master;                        /* 0: none */
	int link;                          /* veth peer, vxlan/vlan lower device; 0: none */
	int link_netnsid;                  /* netns id of `link`, -1: this netns */
	uint32_t group;                    /* IFLA_GROUP; 0: the default group */
	uint16_t type;                     /* ARPHRD_* */
	uint8_t operstate;                 /* IF_OPER_* */
	uint8_t addr_len;
	uint8_t addr[XC_LINK_ADDR_MAX];    /* link-layer (MAC) address */
	int8_t hairpin;                    /* bridge port hairpin mode; -1 unknown */
	struct {                           /* valid when kind is "vxlan" */
		uint32_t vni;
		uint16_t port;             /* UDP port, host order */
		int8_t learning;           /* -1 unknown */
		int link;                  /* underlay device, 0: none */
		struct xc_ip local;        /* family 0: none */
	} vxlan;
};

/* Settings shared by the creating calls; zero/NULL means kernel default. */
struct xc_link_new {
	const char *name;                  /* required */
	unsigned mtu;
	const uint8_t *mac;                /* 6 bytes */
	int nsfd;                          /* > 0: create it in this netns; else the socket's */
	int master;                        /* > 0: enslaved to this ifindex (a bridge) */
	int up;                            /* created administratively up */
	uint32_t group;                    /* interface group; 0: the default group */
	int vlan_filtering;                /* a bridge: filter by its VLAN table */
};

struct xc_veth {
	struct xc_link_new end;            /* the first end */
	struct xc_link_new peer;           /* the peer; peer.nsfd puts it in another netns */
};

struct xc_vxlan {
	struct xc_link_new dev;
	uint32_t vni;
	uint16_t port;                     /* UDP destination port, host order; 0: kernel's */
	const struct xc_ip *local;         /* source address, NULL: none */
	int underlay;                      /* ifindex of the lower device, 0: none */
	int learning;                      /* 0: no learning (as flannel does) */
};

/*
 * Parse an RTM_NEWLINK/RTM_DELLINK message (dump answer or event) into
 * out. -EBADMSG for a message that is not a well-formed link message.
 */
int xc_nl_link_parse(const struct nlmsghdr *nlh, struct xc_link *out);

/* Look an interface up by name or by index. */
int xc_nl_link_get(struct xc_nl *nl, const char *name, struct xc_link *out);
int xc_nl_link_get_index(struct xc_nl *nl, int index, struct xc_link *out);

/* Create a bridge. */
int xc_nl_bridge_add(struct xc_nl *nl, const struct xc_link_new *br);

/*
 * Create a veth pair in one request. With peer.nsfd the kernel creates the
 * peer directly in that namespace (IFLA_NET_NS_FD in the peer's info),
 * which is much cheaper than creating it here and moving it. An MTU set on
 * one end only is applied to both; master, up and group apply to the
 * first end only. out (or NULL): the first end as the kernel registered
 * it, from the request's echo (Linux 6.1+) or else a lookup: its index,
 * MAC, and in out->link the peer's ifindex in its namespace (the echo
 * comes before it is enslaved: out->master may still be 0).
 */
int xc_nl_veth_add(struct xc_nl *nl, const struct xc_veth *v, struct xc_link *out);

/* Create a VXLAN device (IFLA_VXLAN_*). */
int xc_nl_vxlan_add(struct xc_nl *nl, const struct xc_vxlan *v);

/* Delete an interface (a veth takes its peer with it). */
int xc_nl_link_del(struct xc_nl *nl, int index);

/* Administrative state: up != 0 sets IFF_UP, 0 clears it. */
int xc_nl_link_set_up(struct xc_nl *nl, int index, int up);
/* Promiscuous mode on or off. */
int xc_nl_link_set_promisc(struct xc_nl *nl, int index, int on);
int xc_nl_link_set_mtu(struct xc_nl *nl, int index, unsigned mtu);
/* Set the link-layer address (len bytes). */
int xc_nl_link_set_addr(struct xc_nl *nl, int index, const uint8_t *addr, size_t len);

#endif
