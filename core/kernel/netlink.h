/*
 * netlink: rtnetlink over a raw NETLINK_ROUTE socket.
 *
 * Small and explicit, in the manner of iproute2's libnetlink: a context
 * owns one socket and borrows a receive buffer from the caller; requests
 * are built in caller buffers with the message builder below, sent, and
 * answered through callbacks. Nothing allocates.
 *
 * The object operations (links, addresses, routes, neighbours, events)
 * live in nl_link.h, nl_addr.h, nl_route.h, nl_neigh.h and nl_event.h and
 * all use the xc_nl_ prefix.
 *
 * Every function returns 0 (or a count where documented) on success and a
 * negative errno on failure. When the kernel rejected a request, the
 * extended-ACK text it sent (if any) is kept in the context: see
 * xc_nl_errmsg().
 *
 * Buffers passed as netlink messages must be 4-byte aligned (declare them
 * as uint32_t arrays or with XC_NL_ALIGNED).
 *
 * Names: xc_nl_
 */
#ifndef XC_NETLINK_H
#define XC_NETLINK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "base/ipaddr.h"

/*
 * Receive buffer size that holds any datagram the kernel sends to a
 * socket: dumps are cut into datagrams of at most 32 KiB.
 */
#define XC_NL_BUFSIZE 32768
/* Smallest receive buffer xc_nl_open() accepts. */
#define XC_NL_BUFMIN 8192
/* Longest extended-ACK text kept (longer text is cut). */
#define XC_NL_ERRMSG_MAX 160

#define XC_NL_ALIGNED __attribute__((aligned(4)))

struct xc_nl {
	int fd;
	uint32_t port;       /* our port id, as the kernel assigned it */
	uint32_t seq;        /* sequence number of the last request */
	uint8_t *buf;        /* caller's receive buffer */
	size_t size;
	unsigned stray;      /* messages seen that answer no request (events) */
	size_t need;         /* size of the last datagram that did not fit */
	char errmsg[XC_NL_ERRMSG_MAX]; /* kernel's text for the last error */
	uint32_t erroff;     /* offending attribute's offset in the request, 0 if none */
};

/* A message being built in a caller buffer. */
struct xc_nl_msg {
	struct nlmsghdr *nlh;
	size_t cap;
	int err;             /* -EMSGSIZE once anything did not fit; sticky */
};

/* Per-message callback: return 0 to go on, a negative errno to stop. */
typedef int (*xc_nl_cb)(const struct nlmsghdr *nlh, void *arg);

/*
 * Open a NETLINK_ROUTE socket in the calling thread's network namespace.
 * buf (4-byte aligned, at least XC_NL_BUFMIN, XC_NL_BUFSIZE recommended)
 * receives every answer; it must outlive the context. Extended ACKs and
 * strict dump filtering are switched on where the kernel has them.
 */
int xc_nl_open(struct xc_nl *nl, void *buf, size_t size);

/*
 * The same for another netlink protocol (NETLINK_NETFILTER for nft.h):
 * -EPROTONOSUPPORT when the kernel lacks it.
 */
int xc_nl_open_proto(struct xc_nl *nl, void *buf, size_t size, int proto);

/*
 * Open a context whose socket lives in the network namespace nsfd (see
 * netns.h). The thread enters the namespace only to create the socket and
 * returns before this function does; the socket stays in that namespace.
 * -ENOTRECOVERABLE if the thread could not return to its own namespace
 * (the caller should exit).
 */
int xc_nl_open_nsfd(struct xc_nl *nl, void *buf, size_t size, int nsfd);

/* Close the socket; the context may be opened again. Safe on a closed one. */
void xc_nl_close(struct xc_nl *nl);

/*
 * Join an rtnetlink multicast group (RTNLGRP_LINK, RTNLGRP_IPV4_ROUTE,
 * RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV6_IFADDR, ...) or, with xc_nl_leave,
 * leave it. Events are read with xc_nl_recv().
 */
int xc_nl_join(struct xc_nl *nl, unsigned group);
int xc_nl_leave(struct xc_nl *nl, unsigned group);

/*
 * The extended-ACK text the kernel sent with the last request's answer:
 * the reason for a failure ("Nexthop has invalid gateway"), rarely a
 * warning on success; "" when it sent none.
 */
const char *xc_nl_errmsg(const struct xc_nl *nl);

/* ---- building requests ---------------------------------------------- */

/*
 * Start a message of `type` with `flags` (NLM_F_REQUEST is added) in buf of
 * cap bytes, followed by a zeroed family header of hdrlen bytes (struct
 * ifinfomsg, rtmsg, ...). Returns that header, or NULL when cap is too
 * small (then m->err is -EMSGSIZE).
 */
void *xc_nl_msg_init(struct xc_nl_msg *m, void *buf, size_t cap,
		     uint16_t type, uint16_t flags, size_t hdrlen);

/* Append attribute `type` with len bytes of data; -EMSGSIZE if full. */
int xc_nl_put(struct xc_nl_msg *m, uint16_t type, const void *data, size_t len);
int xc_nl_put_u8(struct xc_nl_msg *m, uint16_t type, uint8_t v);
int xc_nl_put_u16(struct xc_nl_msg *m, uint16_t type, uint16_t v);
int xc_nl_put_u32(struct xc_nl_msg *m, uint16_t type, uint32_t v);
/* A NUL-terminated string attribute. */
int xc_nl_put_str(struct xc_nl_msg *m, uint16_t type, const char *s);
/* The 4 or 16 address bytes of ip; -EAFNOSUPPORT for another family. */
int xc_nl_put_ip(struct xc_nl_msg *m, uint16_t type, const struct xc_ip *ip);

/*
 * Open a nested attribute (NLA_F_NESTED set) and close it once its members
 * are in. Returns NULL when full; xc_nl_nest_end() accepts that NULL so a
 * sequence of puts needs one error check at the end (m->err).
 */
struct nlattr *xc_nl_nest_begin(struct xc_nl_msg *m, uint16_t type);
void xc_nl_nest_end(struct xc_nl_msg *m, struct nlattr *nest);

/* Reserve len zeroed bytes at the end (a header inside a nest); NULL if full. */
void *xc_nl_reserve(struct xc_nl_msg *m, size_t len);

/* ---- talking to the kernel ------------------------------------------ */

/*
 * Send m with NLM_F_ACK and wait for the kernel's answer. Any reply
 * message other than the ACK (a GET's answer) goes to cb, which may be
 * NULL. Returns the ACK's status: 0, or the kernel's negative errno with
 * its text in xc_nl_errmsg(); -EMSGSIZE if m overflowed while built.
 */
int xc_nl_request(struct xc_nl *nl, struct xc_nl_msg *m, xc_nl_cb cb, void *arg);

/*
 * xc_nl_request for a GET of one object (RTM_GETLINK of a name, RTM_GETROUTE
 * of a destination, nf_tables' generation, a table, one set element): sent
 * without NLM_F_ACK, the kernel answers with the
 * object alone or an error, so its answer is one datagram to read, not two.
 * cb gets the answer; returns 0 or the error as xc_nl_request does.
 */
int xc_nl_query(struct xc_nl *nl, struct xc_nl_msg *m, xc_nl_cb cb, void *arg);

/*
 * Send m as a dump request (NLM_F_DUMP) and pass every answer message to
 * cb until the kernel's NLMSG_DONE, whatever datagrams it is cut into.
 * When cb fails the rest of the dump is drained (the socket stays usable)
 * and cb's error is returned. -EINTR means the kernel flagged the dump as
 * interrupted by a concurrent change: what cb saw may be inconsistent, the
 * caller should dump again.
 */
int xc_nl_dump(struct xc_nl *nl, struct xc_nl_msg *m, xc_nl_cb cb, void *arg);

/*
 * Read one datagram without blocking and pass each of its messages to cb
 * (for subscribed sockets in a poll loop). Returns the number of messages,
 * -EAGAIN when nothing is queued, -ENOBUFS when the kernel dropped events
 * because the socket's queue overflowed (the caller should resynchronise
 * with a dump), or cb's error.
 */
int xc_nl_recv(struct xc_nl *nl, xc_nl_cb cb, void *arg);

/*
 * Call cb for each complete message in buf (len bytes, 4-byte aligned) as
 * received from the kernel. Stops at the first malformed header with
 * -EBADMSG. Returns the number of messages or cb's error.
 */
int xc_nl_walk(const void *buf, size_t len, xc_nl_cb cb, void *arg);

/*
 * Status carried by an NLMSG_ERROR or NLMSG_DONE message: 0 or a negative
 * errno (-EBADMSG if malformed). The extended-ACK text, if any, is copied
 * into msg (size bytes, may be 0) and the attribute offset into *off (may
 * be NULL).
 */
int xc_nl_ack_parse(const struct nlmsghdr *nlh, char *msg, size_t size, uint32_t *off);

/* ---- parsing attributes --------------------------------------------- */

/*
 * Index the attributes in data (len bytes) by type into tb[0..max], which
 * is cleared first; types above max are skipped, the last of duplicates
 * wins. -EBADMSG (with tb holding what came before) on a malformed one.
 */
int xc_nl_attr_parse(const void *data, size_t len, const struct nlattr **tb, unsigned max);

/*
 * The same for the attributes after a message's family header of hdrlen
 * bytes; -EBADMSG if the message is shorter than that header.
 */
int xc_nl_msg_parse(const struct nlmsghdr *nlh, size_t hdrlen,
		    const struct nlattr **tb, unsigned max);

/* The same for the members of a nested attribute. */
int xc_nl_nest_parse(const struct nlattr *nest, const struct nlattr **tb, unsigned max);

/* Payload and payload length of an attribute. */
const void *xc_nl_attr_data(const struct nlattr *a);
size_t xc_nl_attr_len(const struct nlattr *a);

/*
 * Fixed-size values: the attribute's value, or dflt when a is NULL or
 * shorter than the type.
 */
uint8_t xc_nl_get_u8(const struct nlattr *a, uint8_t dflt);
uint16_t xc_nl_get_u16(const struct nlattr *a, uint16_t dflt);
uint32_t xc_nl_get_u32(const struct nlattr *a, uint32_t dflt);

/*
 * Copy a string attribute into buf (size bytes) and NUL-terminate it;
 * -ENOENT if a is NULL (buf becomes ""), -ENAMETOOLONG if cut.
 */
int xc_nl_get_str(const struct nlattr *a, char *buf, size_t size);

/*
 * An address attribute of the given family into ip; -EINVAL if a is NULL
 * or its length is not that family's (ip is then zeroed).
 */
int xc_nl_get_ip(const struct nlattr *a, int family, struct xc_ip *ip);

#endif
