/*
 * routes: kernel reads and writes, and the iproute2 text of a change.
 * See routes.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "base/textbuf.h"
#include "kernel/nl_neigh.h"
#include "kernel/nl_route.h"
#include "router/routes.h"
#include "router/routes_int.h"

#define REQ_WORDS 64

static int addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* ---- reading the kernel ----------------------------------------------- */

static uint8_t slot_of(const struct xc_rt_env *env, int ifindex)
{
	if (ifindex <= 0)
		return 0;
	for (int i = 1; i < env->ndev; i++)
		if (env->dev[i].ifindex == ifindex)
			return (uint8_t)i;
	return 0;
}

int xc_rt_from_route(const struct xc_rt_conf *conf, const struct xc_rt_env *env,
		     const struct xc_route *r, struct xc_rt_entry *e)
{
	uint32_t table = conf->table ? conf->table : XC_RT_TABLE_MAIN;

	if (r->table != table || r->type != RTN_UNICAST)
		return -ENOENT;
	memset(e, 0, sizeof(*e));
	e->kind = XC_RT_ROUTE;
	e->family = r->dst.ip.family;
	e->len = r->dst.len;
	memcpy(e->dst, r->dst.ip.a, sizeof(e->dst));
	e->metric = r->metric;
	e->gw_family = r->gw.family;
	memcpy(e->gw, r->gw.a, (size_t)addr_len(r->gw.family));
	e->oif = r->oif;
	e->dev = slot_of(env, r->oif);
	e->nhid = r->nh_id;
	if (r->flags & RTNH_F_ONLINK)
		e->flags |= XC_RT_F_ONLINK;
	if (r->src.family) {
		if (env->src6.family && xc_ip_equal(&r->src, &env->src6))
			e->flags |= XC_RT_F_SRC;
		else
			e->flags |= XC_RT_F_ODD;
	}
	if (r->nexthops > 1 || r->mtu)
		e->flags |= XC_RT_F_ODD;
	if (r->protocol == conf->protocol)
		return 1;
	e->flags |= XC_RT_F_FOREIGN;
	return 0;
}

enum xc_rt_event xc_rt_event(struct xc_rt_set *have, struct xc_rt_set *want,
			     const struct xc_rt_conf *conf, const struct xc_rt_env *env,
			     uint16_t type, const struct xc_route *r, struct xc_rt_entry *e)
{
	int ours = xc_rt_from_route(conf, env, r, e);
	struct xc_rt_entry *h, *w;
	int held;               /* the kernel held the key for us, as wanted */

	if (ours < 0)
		return XC_RT_EV_NONE;
	h = xc_rt_set_find(have, e);
	w = xc_rt_set_find(want, e);
	held = w && (w->flags & XC_RT_F_HAVE);
	if (type == RTM_NEWROUTE) {
		int taken = !ours && (held || (h && !(h->flags & XC_RT_F_FOREIGN)));

		if (ours && w && xc_rt_same_values(w, e)) {
			w->flags |= XC_RT_F_HAVE;
			if (h)
				xc_rt_set_del(have, h);
		} else if (ours || h || held) {
			if (xc_rt_set_put(have, e))
				return XC_RT_EV_UNSURE;
			if (held)
				w->flags &= (uint8_t)~XC_RT_F_HAVE;
		}
		return taken ? XC_RT_EV_TAKEN : XC_RT_EV_NONE;
	}
	/*
	 * A removal counts only for the owner the engine knows for that key,
	 * and only of the route it knows there: the removal of another (a
	 * replace made as a removal and an addition, read after the pass)
	 * tells of one the kernel no longer holds.
	 */
	if (held && ours) {
		if (!xc_rt_same_values(w, e))
			return XC_RT_EV_NONE;
		w->flags &= (uint8_t)~XC_RT_F_HAVE;
		return XC_RT_EV_LOST;
	}
	if (!h || !(h->flags & XC_RT_F_FOREIGN) != !!ours)
		return XC_RT_EV_NONE;
	xc_rt_set_del(have, h);
	return w ? XC_RT_EV_LOST : XC_RT_EV_NONE;
}

enum xc_rt_event xc_rt_nexthop_event(struct xc_rt_set *have, struct xc_rt_nhset *want,
				     uint16_t type, const struct xc_nexthop *nh)
{
	struct xc_rt_entry key = { .kind = XC_RT_NH, .nhid = nh->id }, *h;
	struct xc_rt_nhobj *w;

	if (type != RTM_DELNEXTHOP)
		return XC_RT_EV_NONE;
	if ((h = xc_rt_set_find(have, &key))) {
		xc_rt_set_del(have, h);
		return XC_RT_EV_LOST;
	}
	if ((w = xc_rt_nhset_find(want, nh->id)) && (w->flags & XC_RT_F_HAVE)) {
		w->flags &= (uint8_t)~XC_RT_F_HAVE;
		return XC_RT_EV_LOST;
	}
	return XC_RT_EV_NONE;
}

struct rctx {
	const struct xc_rt_conf *conf;
	const struct xc_rt_env *env;
	struct xc_rt_set *want;
	struct xc_rt_nhset *nh;
	struct xc_rt_set *have;
};

static int have_add(struct xc_rt_set *have, const struct xc_rt_entry *e)
{
	if (xc_rt_set_reserve(have, have->n + 1))
		return -ENOMEM;
	have->v[have->n++] = *e;
	return 0;
}

/* A kernel entry of ours: want's flag when want has it as it is, else into have. */
static int held(struct rctx *x, const struct xc_rt_entry *e)
{
	uint8_t *w = xc_rt_want_flags(x->want, x->nh, e, 1);

	if (w && !(*w & XC_RT_F_HAVE)) {
		*w |= XC_RT_F_HAVE;
		return 0;
	}
	return have_add(x->have, e);
}

static int on_kroute(const struct xc_route *r, void *arg)
{
	struct rctx *x = arg;
	struct xc_rt_entry e;
	int rc = xc_rt_from_route(x->conf, x->env, r, &e);

	if (rc < 0)
		return 0;
	if (rc == 0)
		return xc_rt_set_find(x->want, &e) ? have_add(x->have, &e) : 0;
	return held(x, &e);
}

static int on_kneigh(const struct xc_neigh *n, void *arg)
{
	struct rctx *x = arg;
	struct xc_rt_entry e = { 0 };

	/* Only permanent entries are ours; the kernel's own come and go. */
	if (!(n->state & NUD_PERMANENT) || n->lladdr_len != 6)
		return 0;
	e.oif = n->ifindex;
	e.dev = XC_RT_DEV_VXLAN;
	memcpy(e.mac, n->lladdr, 6);
	if (n->family == AF_BRIDGE) {
		if (!n->dst.family)
			return 0;
		e.kind = XC_RT_FDB;
		e.family = e.gw_family = n->dst.family;
		memcpy(e.gw, n->dst.a, (size_t)addr_len(n->dst.family));
	} else {
		e.kind = XC_RT_NEIGH;
		e.family = n->family;
		memcpy(e.dst, n->dst.a, sizeof(e.dst));
	}
	return held(x, &e);
}

/* Ours (our protocol, IPv4, one gateway); another's only where want has its id. */
static int on_knexthop(const struct xc_nexthop *nh, void *arg)
{
	struct rctx *x = arg;
	struct xc_rt_entry e = { 0 };

	e.kind = XC_RT_NH;
	e.nhid = nh->id;
	if (nh->protocol != x->conf->protocol || nh->family != AF_INET || nh->group ||
	    nh->blackhole || nh->gw.family != AF_INET) {
		if (!xc_rt_nhset_find(x->nh, nh->id))
			return 0;
		e.flags = XC_RT_F_FOREIGN;
		return have_add(x->have, &e);
	}
	e.family = e.gw_family = AF_INET;
	memcpy(e.gw, nh->gw.a, 4);
	e.oif = nh->oif;
	e.dev = slot_of(x->env, nh->oif);
	if (nh->flags & RTNH_F_ONLINK)
		e.flags |= XC_RT_F_ONLINK;
	return held(x, &e);
}

/* Nothing held (and have empty): before a read, and after one cut short. */
static int unheld(struct rctx *x, int rc)
{
	uint8_t *f;

	x->have->n = 0;
	for (size_t i = 0; i < xc_rt_want_end(x->want, x->nh); i++)
		if ((f = xc_rt_want_flags_at(x->want, x->nh, i)))
			*f &= (uint8_t)~XC_RT_F_HAVE;
	return rc;
}

int xc_rt_read(struct xc_nl *nl, const struct xc_rt_conf *conf, const struct xc_rt_env *env,
	       struct xc_rt_set *want, struct xc_rt_nhset *nh, struct xc_rt_set *have)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	uint32_t table = conf->table ? conf->table : XC_RT_TABLE_MAIN;
	struct rctx x = { conf, env, want, nh, have };
	int vx = env->dev[XC_RT_DEV_VXLAN].ifindex, rc;

	unheld(&x, 0);
	for (size_t i = 0; i < 2; i++) {
		rc = xc_nl_route_list(nl, fams[i], table, 0, on_kroute, &x);
		/* A table nothing was ever put in does not exist yet (IPv4). */
		if (rc && rc != -ENOENT)
			return unheld(&x, rc);
	}
	if (vx > 0) {
		static const int nfams[] = { AF_INET, AF_INET6, AF_BRIDGE };

		for (size_t i = 0; i < 3; i++) {
			rc = xc_nl_neigh_list(nl, nfams[i], vx, on_kneigh, &x);
			if (rc)
				return unheld(&x, rc);
		}
	}
	if (env->nexthops && (rc = xc_nl_nexthop_list(nl, on_knexthop, &x)))
		return unheld(&x, rc);
	if ((rc = xc_rt_set_sort(have)))
		return unheld(&x, rc);
	/*
	 * Another protocol's route beside ours on one key (ip route append): the
	 * key counts as taken, as with its route alone, and have's is the one.
	 */
	for (size_t i = 0; i < have->n; i++) {
		uint8_t *w;

		if ((have->v[i].flags & XC_RT_F_FOREIGN) &&
		    (w = xc_rt_want_flags(want, nh, &have->v[i], 0)))
			*w &= (uint8_t)~XC_RT_F_HAVE;
	}
	return 0;
}

/* ---- writing the kernel ----------------------------------------------- */

static int route_msg(const struct xc_rt_conf *conf, const struct xc_rt_env *env,
		     enum xc_rt_op op, const struct xc_rt_entry *e, struct xc_nl_msg *m,
		     void *buf, size_t cap)
{
	uint32_t table = conf->table ? conf->table : XC_RT_TABLE_MAIN;
	uint16_t type = op == XC_RT_DEL ? RTM_DELROUTE : RTM_NEWROUTE;
	uint16_t flags = op == XC_RT_ADD ? NLM_F_CREATE | NLM_F_EXCL :
			 op == XC_RT_REPLACE ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	int alen = addr_len(e->family);
	struct rtmsg *rtm;

	if (!alen)
		return -EAFNOSUPPORT;
	rtm = xc_nl_msg_init(m, buf, cap, type, flags, sizeof(*rtm));
	if (!rtm)
		return m->err;
	rtm->rtm_family = e->family;
	rtm->rtm_dst_len = e->len;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = conf->protocol;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_scope = op == XC_RT_DEL ? RT_SCOPE_NOWHERE : RT_SCOPE_UNIVERSE;
	xc_nl_put_u32(m, RTA_TABLE, table);
	xc_nl_put(m, RTA_DST, e->dst, (size_t)alen);
	if (e->metric)
		xc_nl_put_u32(m, RTA_PRIORITY, e->metric);
	if (op == XC_RT_DEL)
		return m->err;
	if (e->nhid) {
		/* the object holds the gateway, device and onlink */
		xc_nl_put_u32(m, RTA_NH_ID, e->nhid);
		return m->err;
	}
	if (e->flags & XC_RT_F_ONLINK)
		rtm->rtm_flags |= RTNH_F_ONLINK;
	if (e->gw_family == e->family) {
		xc_nl_put(m, RTA_GATEWAY, e->gw, (size_t)alen);
	} else if (e->gw_family) {
		uint8_t via[2 + 16];
		uint16_t fam = e->gw_family;
		size_t n = (size_t)addr_len(fam);

		memcpy(via, &fam, sizeof(fam));
		memcpy(via + sizeof(fam), e->gw, n);
		xc_nl_put(m, RTA_VIA, via, sizeof(fam) + n);
	}
	if (e->oif > 0)
		xc_nl_put_u32(m, RTA_OIF, (uint32_t)e->oif);
	if ((e->flags & XC_RT_F_SRC) && env->src6.family == e->family)
		xc_nl_put_ip(m, RTA_PREFSRC, &env->src6);
	return m->err;
}

static int neigh_msg(enum xc_rt_op op, const struct xc_rt_entry *e, struct xc_nl_msg *m,
		     void *buf, size_t cap)
{
	uint16_t type = op == XC_RT_DEL ? RTM_DELNEIGH : RTM_NEWNEIGH;
	uint16_t flags = op == XC_RT_DEL ? 0 : NLM_F_CREATE | NLM_F_REPLACE;
	struct ndmsg *ndm;

	ndm = xc_nl_msg_init(m, buf, cap, type, flags, sizeof(*ndm));
	if (!ndm)
		return m->err;
	ndm->ndm_ifindex = e->oif;
	if (e->kind == XC_RT_FDB) {
		ndm->ndm_family = AF_BRIDGE;
		ndm->ndm_flags = NTF_SELF;
		xc_nl_put(m, NDA_LLADDR, e->mac, 6);
		xc_nl_put(m, NDA_DST, e->gw, (size_t)addr_len(e->gw_family));
	} else {
		ndm->ndm_family = e->family;
		xc_nl_put(m, NDA_DST, e->dst, (size_t)addr_len(e->family));
		if (op != XC_RT_DEL)
			xc_nl_put(m, NDA_LLADDR, e->mac, 6);
	}
	if (op != XC_RT_DEL) {
		ndm->ndm_state = NUD_PERMANENT;
		ndm->ndm_type = RTN_UNICAST;
	}
	return m->err;
}

/* A nexthop object: replaced in place, so every route naming it follows. */
static int nh_msg(const struct xc_rt_conf *conf, enum xc_rt_op op, const struct xc_rt_entry *e,
		  struct xc_nl_msg *m, void *buf, size_t cap)
{
	uint16_t type = op == XC_RT_DEL ? RTM_DELNEXTHOP : RTM_NEWNEXTHOP;
	uint16_t flags = op == XC_RT_ADD ? NLM_F_CREATE | NLM_F_EXCL :
			 op == XC_RT_REPLACE ? NLM_F_CREATE | NLM_F_REPLACE : 0;
	struct nhmsg *nhm;

	nhm = xc_nl_msg_init(m, buf, cap, type, flags, sizeof(*nhm));
	if (!nhm)
		return m->err;
	xc_nl_put_u32(m, NHA_ID, e->nhid);
	if (op == XC_RT_DEL)
		return m->err;
	nhm->nh_family = AF_INET;
	nhm->nh_protocol = conf->protocol;
	if (e->flags & XC_RT_F_ONLINK)
		nhm->nh_flags |= RTNH_F_ONLINK;
	xc_nl_put(m, NHA_GATEWAY, e->gw, 4);
	xc_nl_put_u32(m, NHA_OIF, (uint32_t)e->oif);
	return m->err;
}

int xc_rt_msg(const struct xc_rt_conf *conf, const struct xc_rt_env *env, enum xc_rt_op op,
	      const struct xc_rt_entry *e, struct xc_nl_msg *m, void *buf, size_t cap)
{
	if (e->kind == XC_RT_ROUTE)
		return route_msg(conf, env, op, e, m, buf, cap);
	if (e->kind == XC_RT_NH)
		return e->oif > 0 || op == XC_RT_DEL ? nh_msg(conf, op, e, m, buf, cap) : -ENODEV;
	if (e->kind != XC_RT_NEIGH && e->kind != XC_RT_FDB)
		return -EINVAL;
	if (e->oif <= 0)
		return -ENODEV;
	return neigh_msg(op, e, m, buf, cap);
}

int xc_rt_apply(struct xc_nl *nl, const struct xc_rt_conf *conf, const struct xc_rt_env *env,
		enum xc_rt_op op, const struct xc_rt_entry *e)
{
	uint32_t req[REQ_WORDS];
	struct xc_nl_msg m;
	int rc;

	/* A wanted entry on a device that is not there yet cannot be made. */
	if (op != XC_RT_DEL && e->dev && e->oif <= 0)
		return -ENODEV;
	rc = xc_rt_msg(conf, env, op, e, &m, req, sizeof(req));
	if (rc)
		return rc;
	return xc_nl_request(nl, &m, NULL, NULL);
}

struct batch_ctx {
	uint32_t base;
	size_t count, done;
	int *rc;
	char (*errs)[XC_NL_ERRMSG_MAX];
};

static int on_batch_ack(const struct nlmsghdr *nlh, void *arg)
{
	struct batch_ctx *b = arg;
	uint32_t k = nlh->nlmsg_seq - b->base;
	char text[XC_NL_ERRMSG_MAX];

	if (nlh->nlmsg_type != NLMSG_ERROR || k >= b->count)
		return 0;
	if (b->rc[k] != 1)
		return 0;   /* answered already */
	b->rc[k] = xc_nl_ack_parse(nlh, text, sizeof(text), NULL);
	if (b->errs && b->rc[k])
		memcpy(b->errs[k], text, sizeof(text));
	b->done++;
	return 0;
}

int xc_rt_apply_batch(struct xc_nl *nl, const struct xc_rt_conf *conf,
		      const struct xc_rt_env *env, const struct xc_rt_change *ch, size_t n,
		      int *rc, char (*errs)[XC_NL_ERRMSG_MAX], int *unsure)
{
	static uint32_t buf[XC_RT_BATCH * 128 / 4];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct batch_ctx b = { nl->seq + 1, 0, 0, rc, errs };
	size_t len = 0;
	int lost = 0;
	ssize_t got;

	while (b.count < n && b.count < XC_RT_BATCH) {
		const struct xc_rt_change *o = &ch[b.count];
		struct xc_nl_msg m;
		size_t room = sizeof(buf) - len;

		if (room < 128)
			break;
		if (o->op != XC_RT_DEL && o->e->dev && o->e->oif <= 0) {
			if (b.count)
				break;  /* answered alone, below */
			rc[0] = -ENODEV;
			if (errs)
				errs[0][0] = '\0';
			return 1;
		}
		rc[b.count] = xc_rt_msg(conf, env, o->op, o->e, &m, (uint8_t *)buf + len, room);
		if (rc[b.count]) {
			if (b.count)
				break;
			if (errs)
				errs[0][0] = '\0';
			return 1;
		}
		m.nlh->nlmsg_flags |= NLM_F_ACK;
		rc[b.count] = 1;    /* no answer yet */
		m.nlh->nlmsg_seq = b.base + (uint32_t)b.count;
		m.nlh->nlmsg_pid = nl->port;
		len += NLMSG_ALIGN(m.nlh->nlmsg_len);
		b.count++;
	}
	if (!b.count)
		return -EMSGSIZE;
	nl->seq = b.base + (uint32_t)b.count - 1;
	do
		got = sendto(nl->fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa));
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -errno;
	/*
	 * The kernel answers each request in turn, in datagrams of its own cut,
	 * before sendto returns: what is not queued by then is not coming. An
	 * answer that does not fit the receive queue is dropped, and only the
	 * first drop is told (ENOBUFS); every answer after it is dropped
	 * silently until the queue has been read empty. So after a drop the
	 * queue is read to its end (else the next request's answer would be
	 * dropped and its reader wait for ever), and what is still unanswered
	 * then was lost.
	 */
	while (b.done < b.count || lost) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof(from);

		got = recvfrom(nl->fd, nl->buf, nl->size, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == ENOBUFS) {
			lost = -ENOBUFS;
			continue;
		}
		if (got < 0) {
			if (errno != EAGAIN)
				lost = -errno;
			else if (!lost)
				lost = -ENOBUFS;        /* dropped, the drop told before */
			break;
		}
		if (from.nl_pid == 0)
			xc_nl_walk(nl->buf, (size_t)got, on_batch_ack, &b);
	}
	for (size_t k = 0; lost && k < b.count; k++)
		if (rc[k] == 1) {
			*unsure = 1;
			rc[k] = lost;
			if (errs)
				errs[k][0] = '\0';
		}
	return (int)b.count;
}

/* ---- text ------------------------------------------------------------- */

/* Like xc_ip_format, but ::a.b.c.d for an IPv4-compatible address (sit peers). */
static void fmt_ip(int family, const uint8_t *a, char *buf, size_t size)
{
	static const uint8_t zero[12];
	struct xc_ip ip = { .family = (uint8_t)family };

	if (family == AF_INET6 && !memcmp(a, zero, 12) && (a[12] | a[13])) {
		snprintf(buf, size, "::%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
		return;
	}
	memcpy(ip.a, a, (size_t)addr_len(family));
	if (xc_ip_format(&ip, buf, size) < 0)
		snprintf(buf, size, "?");
}

static const char *dev_name(const struct xc_rt_env *env, const struct xc_rt_entry *e)
{
	if (e->dev && e->dev < env->ndev && env->dev[e->dev].name[0])
		return env->dev[e->dev].name;
	return NULL;
}

/* " via GW dev X onlink [src S]": a route's or a nexthop object's hop. */
static void describe_hop(const struct xc_rt_env *env, const struct xc_rt_entry *e, char *buf,
			 size_t size, size_t *n)
{
	char a[XC_IP_STRLEN];
	const char *dev = dev_name(env, e);

	if (e->gw_family) {
		fmt_ip(e->gw_family, e->gw, a, sizeof(a));
		xc_textbuf_printf(buf, size, n, " via %s%s", e->gw_family == e->family ? "" :
				  e->gw_family == AF_INET6 ? "inet6 " : "inet ", a);
	}
	if (dev)
		xc_textbuf_printf(buf, size, n, " dev %s", dev);
	else if (e->oif > 0)
		xc_textbuf_printf(buf, size, n, " dev if%d", e->oif);
	if (e->flags & XC_RT_F_ONLINK)
		xc_textbuf_printf(buf, size, n, " onlink");
	if ((e->flags & XC_RT_F_SRC) && env->src6.family) {
		xc_ip_format(&env->src6, a, sizeof(a));
		xc_textbuf_printf(buf, size, n, " src %s", a);
	}
}

/*
 * "DST via GW dev X onlink [src S]" (a route naming a nexthop object:
 * "DST nhid N"), "id N via ..." (the object), or the neighbour/FDB part.
 */
static void describe(const struct xc_rt_env *env, const struct xc_rt_entry *e, int del,
		     char *buf, size_t size, size_t *n)
{
	char a[XC_IP_STRLEN], mac[XC_MAC_STRLEN];
	const char *dev = dev_name(env, e);

	xc_mac_format(e->mac, mac, sizeof(mac));
	if (e->kind == XC_RT_NH) {
		xc_textbuf_printf(buf, size, n, "id %u", e->nhid);
		if (!del)
			describe_hop(env, e, buf, size, n);
		return;
	}
	if (e->kind == XC_RT_FDB) {
		fmt_ip(e->gw_family, e->gw, a, sizeof(a));
		xc_textbuf_printf(buf, size, n, "%s dev %s dst %s", mac, dev ? dev : "?", a);
		return;
	}
	fmt_ip(e->family, e->dst, a, sizeof(a));
	if (e->kind == XC_RT_NEIGH) {
		if (del)
			xc_textbuf_printf(buf, size, n, "%s dev %s", a, dev ? dev : "?");
		else
			xc_textbuf_printf(buf, size, n, "%s lladdr %s dev %s", a, mac,
					  dev ? dev : "?");
		return;
	}
	xc_textbuf_printf(buf, size, n, "%s/%u", a, e->len);
	if (del)
		return;
	if (e->nhid)
		xc_textbuf_printf(buf, size, n, " nhid %u", e->nhid);
	else
		describe_hop(env, e, buf, size, n);
}

int xc_rt_format(const struct xc_rt_conf *conf, const struct xc_rt_env *env, enum xc_rt_op op,
		 const struct xc_rt_entry *e, char *buf, size_t size)
{
	const char *verb = op == XC_RT_DEL ? "del" : "replace";
	const char *six = e->family == AF_INET6 ? "-6 " : "";
	uint32_t table = conf->table ? conf->table : XC_RT_TABLE_MAIN;
	size_t n = 0;

	if (!size)
		return -ENOSPC;
	buf[0] = '\0';
	if (e->kind == XC_RT_FDB)
		xc_textbuf_printf(buf, size, &n, "bridge fdb %s ", verb);
	else
		xc_textbuf_printf(buf, size, &n, "ip %s%s %s ", six,
				  e->kind == XC_RT_NEIGH ? "neigh" : e->kind == XC_RT_NH ?
				  "nexthop" : "route", verb);
	describe(env, e, op == XC_RT_DEL, buf, size, &n);
	if (e->kind == XC_RT_FDB)
		xc_textbuf_printf(buf, size, &n, op == XC_RT_DEL ? " self" : " self permanent");
	else if (e->kind == XC_RT_NEIGH && op != XC_RT_DEL)
		xc_textbuf_printf(buf, size, &n, " nud permanent");
	if (e->kind == XC_RT_NH && op != XC_RT_DEL)
		xc_textbuf_printf(buf, size, &n, " proto %u", conf->protocol);
	if (e->kind == XC_RT_ROUTE) {
		xc_textbuf_printf(buf, size, &n, " proto %u", conf->protocol);
		if (table != XC_RT_TABLE_MAIN)
			xc_textbuf_printf(buf, size, &n, " table %u", table);
		if (conf->metric)
			xc_textbuf_printf(buf, size, &n, " metric %u", conf->metric);
	}
	return n < size ? (int)n : -ENOSPC;
}

const char *xc_rt_describe(const struct xc_rt_env *env, const struct xc_rt_entry *e,
			   char *buf, size_t size)
{
	size_t n = 0;

	if (size) {
		buf[0] = '\0';
		describe(env, e, 0, buf, size, &n);
	}
	return buf;
}
