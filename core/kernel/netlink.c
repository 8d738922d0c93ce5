/*
 * netlink: the socket, the message builder, requests, dumps, attributes.
 * See netlink.h.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "kernel/netlink.h"
#include "kernel/netns.h"

/* Older UAPI headers lack these; the values are fixed ABI. */
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

static int sockopt_on(int fd, int opt)
{
	int one = 1;

	return setsockopt(fd, SOL_NETLINK, opt, &one, sizeof(one));
}

int xc_nl_open(struct xc_nl *nl, void *buf, size_t size)
{
	return xc_nl_open_proto(nl, buf, size, NETLINK_ROUTE);
}

int xc_nl_open_proto(struct xc_nl *nl, void *buf, size_t size, int proto)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(sa);
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->fd = -1;
	if (!buf || size < XC_NL_BUFMIN || ((uintptr_t)buf & 3))
		return -EINVAL;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (nl->fd < 0)
		return -errno;
	/*
	 * Optional features: without them errors come without text, error
	 * ACKs echo the whole request, and dumps are filtered here only.
	 */
	sockopt_on(nl->fd, NETLINK_EXT_ACK);
	sockopt_on(nl->fd, NETLINK_CAP_ACK);
	sockopt_on(nl->fd, NETLINK_GET_STRICT_CHK);
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(nl->fd, (struct sockaddr *)&sa, &len) < 0) {
		err = -errno;
		xc_nl_close(nl);
		return err;
	}
	nl->port = sa.nl_pid;
	nl->buf = buf;
	nl->size = size;
	return 0;
}

int xc_nl_open_nsfd(struct xc_nl *nl, void *buf, size_t size, int nsfd)
{
	int saved, err;

	nl->fd = -1;
	err = xc_netns_enter(nsfd, &saved);
	if (err)
		return err;
	err = xc_nl_open(nl, buf, size);
	if (xc_netns_return(saved)) {
		xc_nl_close(nl);
		return -ENOTRECOVERABLE;
	}
	return err;
}

void xc_nl_close(struct xc_nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

static int membership(struct xc_nl *nl, int opt, unsigned group)
{
	if (setsockopt(nl->fd, SOL_NETLINK, opt, &group, sizeof(group)) < 0)
		return -errno;
	return 0;
}

int xc_nl_join(struct xc_nl *nl, unsigned group)
{
	return membership(nl, NETLINK_ADD_MEMBERSHIP, group);
}

int xc_nl_leave(struct xc_nl *nl, unsigned group)
{
	return membership(nl, NETLINK_DROP_MEMBERSHIP, group);
}

const char *xc_nl_errmsg(const struct xc_nl *nl)
{
	return nl->errmsg;
}

/* ---- builder ---------------------------------------------------------- */

void *xc_nl_msg_init(struct xc_nl_msg *m, void *buf, size_t cap,
		     uint16_t type, uint16_t flags, size_t hdrlen)
{
	size_t len = NLMSG_LENGTH(hdrlen);

	m->nlh = buf;
	m->cap = cap;
	m->err = 0;
	if (len > cap || ((uintptr_t)buf & 3)) {
		m->err = -EMSGSIZE;
		return NULL;
	}
	memset(buf, 0, NLMSG_ALIGN(len) <= cap ? NLMSG_ALIGN(len) : len);
	m->nlh->nlmsg_len = len;
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = flags | NLM_F_REQUEST;
	return NLMSG_DATA(m->nlh);
}

/* Room for n more bytes after the aligned end of the message, or NULL. */
static void *msg_tail(struct xc_nl_msg *m, size_t n)
{
	size_t off;

	if (m->err)
		return NULL;
	off = NLMSG_ALIGN(m->nlh->nlmsg_len);
	if (off > m->cap || n > m->cap - off || off + n > UINT32_MAX) {
		m->err = -EMSGSIZE;
		return NULL;
	}
	return (uint8_t *)m->nlh + off;
}

int xc_nl_put(struct xc_nl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a;

	if (len > UINT16_MAX - NLA_HDRLEN) {
		m->err = -EMSGSIZE;
		return m->err;
	}
	a = msg_tail(m, NLA_ALIGN(NLA_HDRLEN + len));
	if (!a)
		return m->err;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	/* Zero the padding: the kernel may read it as part of the next one. */
	memset((uint8_t *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->nlh->nlmsg_len = NLMSG_ALIGN(m->nlh->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return 0;
}

int xc_nl_put_u8(struct xc_nl_msg *m, uint16_t type, uint8_t v)
{
	return xc_nl_put(m, type, &v, sizeof(v));
}

int xc_nl_put_u16(struct xc_nl_msg *m, uint16_t type, uint16_t v)
{
	return xc_nl_put(m, type, &v, sizeof(v));
}

int xc_nl_put_u32(struct xc_nl_msg *m, uint16_t type, uint32_t v)
{
	return xc_nl_put(m, type, &v, sizeof(v));
}

int xc_nl_put_str(struct xc_nl_msg *m, uint16_t type, const char *s)
{
	return xc_nl_put(m, type, s, strlen(s) + 1);
}

static size_t ip_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int xc_nl_put_ip(struct xc_nl_msg *m, uint16_t type, const struct xc_ip *ip)
{
	size_t n = ip_len(ip->family);

	if (!n)
		return -EAFNOSUPPORT;
	return xc_nl_put(m, type, ip->a, n);
}

struct nlattr *xc_nl_nest_begin(struct xc_nl_msg *m, uint16_t type)
{
	struct nlattr *a = msg_tail(m, NLA_HDRLEN);

	if (!a)
		return NULL;
	a->nla_type = type | NLA_F_NESTED;
	a->nla_len = NLA_HDRLEN;
	m->nlh->nlmsg_len = NLMSG_ALIGN(m->nlh->nlmsg_len) + NLA_HDRLEN;
	return a;
}

void xc_nl_nest_end(struct xc_nl_msg *m, struct nlattr *nest)
{
	size_t len;

	if (!nest || m->err)
		return;
	len = (size_t)((uint8_t *)m->nlh + m->nlh->nlmsg_len - (uint8_t *)nest);
	if (len > UINT16_MAX) {
		m->err = -EMSGSIZE;
		return;
	}
	nest->nla_len = len;
}

void *xc_nl_reserve(struct xc_nl_msg *m, size_t len)
{
	uint8_t *p = msg_tail(m, NLMSG_ALIGN(len));

	if (!p)
		return NULL;
	memset(p, 0, NLMSG_ALIGN(len));
	m->nlh->nlmsg_len = NLMSG_ALIGN(m->nlh->nlmsg_len) + NLMSG_ALIGN(len);
	return p;
}

/* ---- parsing ---------------------------------------------------------- */

int xc_nl_walk(const void *buf, size_t len, xc_nl_cb cb, void *arg)
{
	const uint8_t *p = buf;
	int n = 0, err;

	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;
		size_t step;

		if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len)
			return -EBADMSG;
		err = cb(nlh, arg);
		if (err < 0)
			return err;
		n++;
		step = NLMSG_ALIGN(nlh->nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return n;
}

int xc_nl_attr_parse(const void *data, size_t len, const struct nlattr **tb, unsigned max)
{
	const uint8_t *p = data;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)p;
		unsigned type = a->nla_type & NLA_TYPE_MASK;
		size_t step;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return -EBADMSG;
		if (type <= max)
			tb[type] = a;
		step = NLA_ALIGN(a->nla_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

int xc_nl_msg_parse(const struct nlmsghdr *nlh, size_t hdrlen,
		    const struct nlattr **tb, unsigned max)
{
	size_t off = NLMSG_SPACE(hdrlen);

	if (nlh->nlmsg_len < NLMSG_LENGTH(hdrlen)) {
		memset(tb, 0, sizeof(*tb) * (max + 1));
		return -EBADMSG;
	}
	if (nlh->nlmsg_len <= off) {
		memset(tb, 0, sizeof(*tb) * (max + 1));
		return 0;
	}
	return xc_nl_attr_parse((const uint8_t *)nlh + off, nlh->nlmsg_len - off, tb, max);
}

int xc_nl_nest_parse(const struct nlattr *nest, const struct nlattr **tb, unsigned max)
{
	return xc_nl_attr_parse(xc_nl_attr_data(nest), xc_nl_attr_len(nest), tb, max);
}

const void *xc_nl_attr_data(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}

size_t xc_nl_attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

uint8_t xc_nl_get_u8(const struct nlattr *a, uint8_t dflt)
{
	return a && xc_nl_attr_len(a) >= 1 ? *(const uint8_t *)xc_nl_attr_data(a) : dflt;
}

uint16_t xc_nl_get_u16(const struct nlattr *a, uint16_t dflt)
{
	uint16_t v = dflt;

	if (a && xc_nl_attr_len(a) >= sizeof(v))
		memcpy(&v, xc_nl_attr_data(a), sizeof(v));
	return v;
}

uint32_t xc_nl_get_u32(const struct nlattr *a, uint32_t dflt)
{
	uint32_t v = dflt;

	if (a && xc_nl_attr_len(a) >= sizeof(v))
		memcpy(&v, xc_nl_attr_data(a), sizeof(v));
	return v;
}

int xc_nl_get_str(const struct nlattr *a, char *buf, size_t size)
{
	size_t n;

	if (!size)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	if (!a)
		return -ENOENT;
	n = strnlen(xc_nl_attr_data(a), xc_nl_attr_len(a));
	if (n >= size) {
		memcpy(buf, xc_nl_attr_data(a), size - 1);
		buf[size - 1] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(buf, xc_nl_attr_data(a), n);
	buf[n] = '\0';
	return 0;
}

int xc_nl_get_ip(const struct nlattr *a, int family, struct xc_ip *ip)
{
	size_t n = ip_len(family);

	memset(ip, 0, sizeof(*ip));
	if (!a || !n || xc_nl_attr_len(a) != n)
		return -EINVAL;
	ip->family = family;
	memcpy(ip->a, xc_nl_attr_data(a), n);
	return 0;
}

/*
 * The TLVs after an error's echoed header (or after DONE's status) carry
 * the kernel's text; their place depends on NLM_F_CAPPED.
 */
int xc_nl_ack_parse(const struct nlmsghdr *nlh, char *msg, size_t size, uint32_t *off)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t plen, tlv;
	int32_t status;

	if (size)
		msg[0] = '\0';
	if (off)
		*off = 0;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(status)))
		return -EBADMSG;
	plen = nlh->nlmsg_len - NLMSG_HDRLEN;
	memcpy(&status, NLMSG_DATA(nlh), sizeof(status));
	if (status > 0 || status < -4095)
		return -EBADMSG;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return status;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		tlv = sizeof(status);
	} else {
		const struct nlmsgerr *e = NLMSG_DATA(nlh);

		if (plen < sizeof(*e))
			return status;
		tlv = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (e->msg.nlmsg_len < NLMSG_HDRLEN)
				return status;
			tlv += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
		}
	}
	tlv = NLMSG_ALIGN(tlv);
	if (tlv >= plen)
		return status;
	xc_nl_attr_parse((const uint8_t *)NLMSG_DATA(nlh) + tlv, plen - tlv, tb, NLMSGERR_ATTR_MAX);
	if (size)
		xc_nl_get_str(tb[NLMSGERR_ATTR_MSG], msg, size);
	if (off)
		*off = xc_nl_get_u32(tb[NLMSGERR_ATTR_OFFS], 0);
	return status;
}

/* ---- talking ---------------------------------------------------------- */

static int nl_send(struct xc_nl *nl, struct xc_nl_msg *m)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t n;

	if (m->err)
		return m->err;
	if (nl->fd < 0)
		return -EBADF;
	m->nlh->nlmsg_seq = ++nl->seq;
	m->nlh->nlmsg_pid = nl->port;
	nl->errmsg[0] = '\0';
	nl->erroff = 0;
	do
		n = sendto(nl->fd, m->nlh, m->nlh->nlmsg_len, 0,
			   (struct sockaddr *)&sa, sizeof(sa));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)m->nlh->nlmsg_len ? 0 : -EIO;
}

/*
 * Receive one datagram from the kernel into nl->buf. Datagrams from other
 * ports are dropped: only the kernel (port 0) speaks for rtnetlink.
 */
static int nl_recv_one(struct xc_nl *nl, int flags)
{
	struct sockaddr_nl sa;
	struct iovec iov = { nl->buf, nl->size };
	struct msghdr mh = {
		.msg_name = &sa, .msg_namelen = sizeof(sa),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;

	for (;;) {
		n = recvmsg(nl->fd, &mh, flags | MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if ((size_t)n > nl->size) {
			nl->need = (size_t)n;
			return -EMSGSIZE;
		}
		if (mh.msg_namelen == sizeof(sa) && sa.nl_pid == 0)
			return (int)n;
	}
}

struct wait_ctx {
	struct xc_nl *nl;
	xc_nl_cb cb;
	void *arg;
	int dump;
	int one;        /* a GET without NLM_F_ACK: its answer is the end */
	int done;       /* the request's final message was seen */
	int status;     /* its status */
	int cb_err;     /* first callback error; later messages are not passed */
	int intr;       /* NLM_F_DUMP_INTR seen */
};

static int on_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct wait_ctx *w = arg;
	struct xc_nl *nl = w->nl;

	if (w->done)
		return 0;
	if (nlh->nlmsg_seq != nl->seq || nlh->nlmsg_pid != nl->port) {
		nl->stray++;
		return 0;
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		w->intr = 1;
	if (nlh->nlmsg_type == NLMSG_ERROR ||
	    (w->dump && nlh->nlmsg_type == NLMSG_DONE)) {
		w->done = 1;
		/* A DONE too short for a status is taken as success. */
		if (nlh->nlmsg_type == NLMSG_DONE && nlh->nlmsg_len < NLMSG_LENGTH(4))
			return 0;
		w->status = xc_nl_ack_parse(nlh, nl->errmsg, sizeof(nl->errmsg), &nl->erroff);
		return 0;
	}
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE || w->cb_err || !w->cb)
		return 0;
	w->cb_err = w->cb(nlh, w->arg);
	if (w->cb_err > 0)
		w->cb_err = 0;
	return 0;
}

/* on_reply, where the first answer of ours (not only an error) ends the wait. */
static int on_one(const struct nlmsghdr *nlh, void *arg)
{
	struct wait_ctx *w = arg;
	int rc = on_reply(nlh, arg);

	if (!w->done && nlh->nlmsg_seq == w->nl->seq && nlh->nlmsg_pid == w->nl->port &&
	    nlh->nlmsg_type >= NLMSG_MIN_TYPE)
		w->done = 1;
	return rc;
}

static int wait_reply(struct xc_nl *nl, struct wait_ctx *w)
{
	int n;

	while (!w->done) {
		n = nl_recv_one(nl, 0);
		if (n < 0)
			return n;
		n = xc_nl_walk(nl->buf, (size_t)n, w->one ? on_one : on_reply, w);
		if (n < 0)
			return n;
	}
	if (w->status)
		return w->status;
	if (w->cb_err)
		return w->cb_err;
	return w->intr ? -EINTR : 0;
}

int xc_nl_request(struct xc_nl *nl, struct xc_nl_msg *m, xc_nl_cb cb, void *arg)
{
	struct wait_ctx w = { .nl = nl, .cb = cb, .arg = arg };
	int err;

	if (!m->err)
		m->nlh->nlmsg_flags |= NLM_F_ACK;
	err = nl_send(nl, m);
	if (err)
		return err;
	return wait_reply(nl, &w);
}

int xc_nl_query(struct xc_nl *nl, struct xc_nl_msg *m, xc_nl_cb cb, void *arg)
{
	struct wait_ctx w = { .nl = nl, .cb = cb, .arg = arg, .one = 1 };
	int err = nl_send(nl, m);

	return err ? err : wait_reply(nl, &w);
}

int xc_nl_dump(struct xc_nl *nl, struct xc_nl_msg *m, xc_nl_cb cb, void *arg)
{
	struct wait_ctx w = { .nl = nl, .cb = cb, .arg = arg, .dump = 1 };
	int err;

	if (!m->err)
		m->nlh->nlmsg_flags |= NLM_F_DUMP;
	err = nl_send(nl, m);
	if (err)
		return err;
	return wait_reply(nl, &w);
}

int xc_nl_recv(struct xc_nl *nl, xc_nl_cb cb, void *arg)
{
	int n = nl_recv_one(nl, MSG_DONTWAIT);

	if (n == -EWOULDBLOCK)
		return -EAGAIN;
	if (n < 0)
		return n;
	return xc_nl_walk(nl->buf, (size_t)n, cb, arg);
}
