/*
 * conntrack: the kernel's connection tracking table over ctnetlink
 * (nfnetlink), as much as hostPorts need of it.
 *
 * A UDP flow the kernel started tracking before a hostPort's DNAT existed
 * keeps its first verdict (to the node itself, or dropped) for as long as
 * its packets keep coming, whatever rules appear since: a DNS client that
 * retries every second never reaches the pod that now holds the port.
 * The reference portmap deletes such entries when it adds a UDP mapping;
 * xc_ct_delete_port does the same. TCP needs nothing: a new connection
 * gets a new entry.
 *
 * Names: xc_ct_ XC_CT_
 */
#ifndef XC_CONNTRACK_H
#define XC_CONNTRACK_H

#include <stdint.h>

#include "kernel/netlink.h"

/* Entries collected per pass over the table before they are deleted. */
#define XC_CT_BATCH 128

/*
 * Open a ctnetlink socket (NETLINK_NETFILTER) on buf (as xc_nl_open).
 * Returns 0 or a negative errno.
 */
int xc_ct_open(struct xc_nl *nl, void *buf, size_t size);

/*
 * Delete every tracked entry of family (AF_INET, AF_INET6) whose original
 * direction goes to port (host order) over proto (IPPROTO_UDP, ...), in
 * any zone, to any address. Entries that vanish meanwhile are no error.
 * Returns how many were deleted, or a negative errno (-EPROTONOSUPPORT
 * or -ENOENT: this kernel has no ctnetlink; the kernel's text in
 * xc_nl_errmsg).
 */
int xc_ct_delete_port(struct xc_nl *nl, int family, uint8_t proto, uint16_t port);

#endif
