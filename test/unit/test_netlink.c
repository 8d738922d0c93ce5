/*
 * test_netlink: core/kernel/netlink (+ nl_*), core/kernel/netns, core/kernel/sysctl.
 *
 * Builder, parsers and key/path checks run anywhere. Everything that
 * talks to the kernel runs as root inside a private network namespace
 * made by unshare(CLONE_NEWNET) at start (plus a second one for veth
 * peers); the root namespace is never touched. Without root those parts
 * are counted as skipped.
 *
 * "test_netlink bench [N]" instead measures the pod-like ADD sequence N
 * times (the kernel floor for the bridge plugin) and prints figures.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>

#include "t.h"
#include "kernel/netlink.h"
#include "kernel/netns.h"
#include "kernel/nl_addr.h"
#include "kernel/nl_event.h"
#include "kernel/nl_link.h"
#include "kernel/nl_neigh.h"
#include "kernel/nl_route.h"
#include "kernel/sysctl.h"

static uint32_t buf_a[XC_NL_BUFSIZE / 4], buf_b[XC_NL_BUFSIZE / 4], buf_m[XC_NL_BUFSIZE / 4];
static struct xc_nl nla, nlb;  /* sockets in namespace A (ours) and B */
static int nsb = -1;           /* second namespace */
static int skipped;

/* ---- helpers ---------------------------------------------------------- */

/* An xc_nl_recv callback for what should not be there. */
static int count_msg(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(void)arg;
	return 0;
}

static struct xc_ip ip_of(const char *s)
{
	struct xc_ip ip = { 0 };

	if (inet_pton(AF_INET, s, ip.a) == 1)
		ip.family = AF_INET;
	else if (inet_pton(AF_INET6, s, ip.a) == 1)
		ip.family = AF_INET6;
	return ip;
}

static struct xc_prefix pfx_of(const char *s)
{
	struct xc_prefix p = { 0 };
	char tmp[64];
	char *slash;

	snprintf(tmp, sizeof(tmp), "%s", s);
	slash = strchr(tmp, '/');
	*slash = '\0';
	p.ip = ip_of(tmp);
	p.len = (uint8_t)atoi(slash + 1);
	return p;
}

static int ip_eq(const struct xc_ip *a, const char *s)
{
	struct xc_ip b = ip_of(s);

	return a->family == b.family && !memcmp(a->a, b.a, a->family == AF_INET ? 4 : 16);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Run a tool (ip, bridge) in netns nsfd (or ours if < 0) and collect stdout. */
static int run_tool(int nsfd, char *out, size_t size, char *const argv[])
{
	int pfd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0)
			_exit(126);
		dup2(pfd[1], 1);
		close(pfd[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	while (len + 1 < size && (n = read(pfd[0], out + len, size - len - 1)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(pfd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define TOOL(ns, out, ...) run_tool(ns, out, sizeof(out), (char *[]){ __VA_ARGS__, NULL })

/* A new namespace kept alive by its descriptor only; we stay where we are. */
static int make_netns(void)
{
	int self = xc_netns_open("/proc/self/ns/net"), fd = -1;

	if (self >= 0 && unshare(CLONE_NEWNET) == 0) {
		fd = xc_netns_open("/proc/self/ns/net");
		if (setns(self, CLONE_NEWNET) < 0)
			abort();
	}
	close(self);
	return fd;
}

static int ifindex(struct xc_nl *nl, const char *name)
{
	struct xc_link l;

	return xc_nl_link_get(nl, name, &l) == 0 ? l.index : 0;
}

static int veth_up(const char *a, const char *b, int peer_ns)
{
	struct xc_veth v = { .end = { .name = a }, .peer = { .name = b, .nsfd = peer_ns } };
	struct xc_nl *pn = peer_ns > 0 ? &nlb : &nla;
	int err = xc_nl_veth_add(&nla, &v, NULL);

	if (!err)
		err = xc_nl_link_set_up(&nla, ifindex(&nla, a), 1);
	if (!err)
		err = xc_nl_link_set_up(pn, ifindex(pn, b), 1);
	return err;
}

static int addr_add(struct xc_nl *nl, const char *dev, const char *p, uint32_t flags)
{
	struct xc_addr a = { .ifindex = ifindex(nl, dev), .prefix = pfx_of(p), .flags = flags };

	return xc_nl_addr_add(nl, &a);
}

/* ---- no kernel needed ------------------------------------------------- */

static int count_cb(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	++*(int *)arg;
	return 0;
}

static void test_builder(void)
{
	uint32_t req[32];
	const struct nlattr *tb[8], *in[4];
	struct xc_nl_msg m;
	struct nlattr *nest;
	struct ifinfomsg *ifi;
	char s[8];
	int n = 0;

	ifi = xc_nl_msg_init(&m, req, sizeof(req), RTM_NEWLINK, NLM_F_CREATE, sizeof(*ifi));
	T(ifi != NULL);
	T(m.nlh->nlmsg_flags == (NLM_F_REQUEST | NLM_F_CREATE));
	xc_nl_put_str(&m, 1, "abc");
	xc_nl_put_u8(&m, 2, 7);
	nest = xc_nl_nest_begin(&m, 3);
	xc_nl_put_u32(&m, 1, 0xdeadbeef);
	xc_nl_put_u16(&m, 2, 513);
	xc_nl_nest_end(&m, nest);
	T_INT(m.err, 0);
	T_INT(m.nlh->nlmsg_len % 4, 0);
	T(nest->nla_type == (3 | NLA_F_NESTED));
	T_INT(nest->nla_len, 4 + 8 + 8);
	T_INT(xc_nl_msg_parse(m.nlh, sizeof(*ifi), tb, 7), 0);
	T(xc_nl_get_str(tb[1], s, sizeof(s)) == 0 && !strcmp(s, "abc"));
	T_INT(xc_nl_get_str(tb[1], s, 3), -ENAMETOOLONG);
	T_STR(s, "ab");
	T_INT(xc_nl_get_u8(tb[2], 0), 7);
	T(tb[4] == NULL && tb[0] == NULL);
	T_INT(xc_nl_get_u32(tb[4], 99), 99);
	T_INT(xc_nl_nest_parse(tb[3], in, 3), 0);
	T_INT(xc_nl_get_u32(in[1], 0), 0xdeadbeef);
	T_INT(xc_nl_get_u16(in[2], 0), 513);
	T_INT(xc_nl_get_u32(in[2], 5), 5);   /* too short for a u32: default */
	T_INT(xc_nl_walk(req, m.nlh->nlmsg_len, count_cb, &n), 1);

	/* Overflow is sticky and reported once at the end. */
	xc_nl_msg_init(&m, req, 40, RTM_NEWLINK, 0, sizeof(*ifi));
	T_INT(xc_nl_put_str(&m, 1, "0123456789abcdef"), -EMSGSIZE);
	T_INT(xc_nl_put_u8(&m, 2, 1), -EMSGSIZE);
	T(xc_nl_nest_begin(&m, 3) == NULL);
	xc_nl_nest_end(&m, NULL);
	T_INT(m.err, -EMSGSIZE);
	T(xc_nl_msg_init(&m, req, 8, RTM_NEWLINK, 0, sizeof(*ifi)) == NULL);
	T(xc_nl_msg_init(&m, (uint8_t *)req + 1, 64, RTM_NEWLINK, 0, 0) == NULL);
}

static void test_parse_robust(void)
{
	uint32_t b[64] = { 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)b;
	struct nlmsgerr *e;
	struct nlattr *a;
	const struct nlattr *tb[4];
	char msg[64];
	uint32_t off;
	int n = 0;

	/* A message claiming more bytes than there are. */
	h->nlmsg_len = 200;
	T_INT(xc_nl_walk(b, 64, count_cb, &n), -EBADMSG);
	h->nlmsg_len = 3;
	T_INT(xc_nl_walk(b, 64, count_cb, &n), -EBADMSG);
	T_INT(n, 0);
	T_INT(xc_nl_walk(b, 10, count_cb, &n), 0);   /* shorter than a header */

	/* An attribute running past its container. */
	a = (struct nlattr *)b;
	a->nla_len = 12;
	a->nla_type = 1;
	T_INT(xc_nl_attr_parse(b, 8, tb, 3), -EBADMSG);
	a->nla_len = 2;
	T_INT(xc_nl_attr_parse(b, 8, tb, 3), -EBADMSG);
	a->nla_len = 8;
	T_INT(xc_nl_attr_parse(b, 8, tb, 3), 0);
	T(tb[1] == a);

	/* An error ACK with an extended-ACK text after a capped echo. */
	memset(b, 0, sizeof(b));
	h->nlmsg_type = NLMSG_ERROR;
	h->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	e = NLMSG_DATA(h);
	e->error = -EEXIST;
	e->msg.nlmsg_len = 1000;   /* the echo was cut: must not be trusted */
	a = (struct nlattr *)((uint8_t *)e + sizeof(*e));
	a->nla_type = NLMSGERR_ATTR_MSG;
	a->nla_len = 4 + 6;
	memcpy(a + 1, "oops!", 6);
	a = (struct nlattr *)((uint8_t *)a + 12);
	a->nla_type = NLMSGERR_ATTR_OFFS;
	a->nla_len = 8;
	off = 24;
	memcpy(a + 1, &off, 4);
	h->nlmsg_len = NLMSG_HDRLEN + sizeof(*e) + 12 + 8;
	T_INT(xc_nl_ack_parse(h, msg, sizeof(msg), &off), -EEXIST);
	T_STR(msg, "oops!");
	T_INT(off, 24);
	h->nlmsg_len = NLMSG_HDRLEN + sizeof(*e) + 6;   /* TLV cut short */
	T_INT(xc_nl_ack_parse(h, msg, sizeof(msg), &off), -EEXIST);
	h->nlmsg_len = NLMSG_HDRLEN + 2;
	T_INT(xc_nl_ack_parse(h, msg, sizeof(msg), NULL), -EBADMSG);
}

static void test_sysctl_keys(void)
{
	char p[64];

	T_INT(xc_sysctl_path("net.ipv4.ip_forward", p, sizeof(p)), 0);
	T_STR(p, "/proc/sys/net/ipv4/ip_forward");
	T_INT(xc_sysctl_path("net/ipv6/conf/eth0.100/accept_dad", p, sizeof(p)), 0);
	T_STR(p, "/proc/sys/net/ipv6/conf/eth0.100/accept_dad");
	T_INT(xc_sysctl_path("net/../../etc/passwd", p, sizeof(p)), -EINVAL);
	T_INT(xc_sysctl_path("net..ipv4", p, sizeof(p)), -EINVAL);
	T_INT(xc_sysctl_path("net/./ipv4", p, sizeof(p)), -EINVAL);
	T_INT(xc_sysctl_path("/net/ipv4", p, sizeof(p)), -EINVAL);
	T_INT(xc_sysctl_path("net//ipv4", p, sizeof(p)), -EINVAL);
	T_INT(xc_sysctl_path("net.ipv4.", p, sizeof(p)), -EINVAL);
	T_INT(xc_sysctl_path("", p, sizeof(p)), -EINVAL);
	T_INT(xc_sysctl_path("net.ipv4.ip forward", p, sizeof(p)), -EINVAL);
	T_INT(xc_sysctl_path("net.ipv4\n", p, sizeof(p)), -EINVAL);
	T_INT(xc_sysctl_path("net/ipv6/conf/all/disable_ipv6_and_more", p, 20), -ENAMETOOLONG);
	T_INT(xc_sysctl_read("net/../../etc/passwd", p, sizeof(p)), -EINVAL);
}

static void test_netns_paths(void)
{
	char fifo[64];
	int fd;

	T_INT(xc_netns_open("proc/self/ns/net"), -EINVAL);
	T_INT(xc_netns_open("/proc/self/../self/ns/net"), -EINVAL);
	T_INT(xc_netns_open("/proc/./self/ns/net"), -EINVAL);
	T_INT(xc_netns_open("/etc/hostname"), -ENOTSUP);
	T_INT(xc_netns_open("/dev/null"), -ENOTSUP);
	T_INT(xc_netns_open("/nonexistent/netns"), -ENOENT);
	T_INT(xc_netns_open("/proc/self/ns/uts"), -EMEDIUMTYPE);
	{
		const char *kind = "x";

		T_INT(xc_netns_open_kind("/proc/self/ns/mnt", &kind), -EMEDIUMTYPE);
		T_STR(kind, "mnt");
		T_INT(xc_netns_open_kind("/proc/./self/ns/net", &kind), -EINVAL);
		T(kind == NULL);
	}
	snprintf(fifo, sizeof(fifo), "/tmp/xct-nl-fifo-%d", (int)getpid());
	if (mkfifo(fifo, 0600) == 0) {
		T_INT(xc_netns_open(fifo), -ENOTSUP);   /* and it did not block */
		unlink(fifo);
	}
	fd = xc_netns_open("/proc/self/ns/net");
	T(fd >= 0);
	if (fd >= 0) {
		T_INT(xc_netns_is_current(fd), 1);
		close(fd);
	}
}

/* ---- links ------------------------------------------------------------ */

/* What a CNI ADD asks of one request: enslaved, up, in a group, echoed back. */
static void test_veth_settings(void)
{
	struct xc_link_new br = { .name = "vbr", .up = 1 };  /* VLAN filtering: not on every kernel */
	struct xc_veth v = { .end = { .name = "vh1", .up = 1, .group = 0x78636e69 },
			     .peer = { .name = "eth1", .nsfd = nsb } };
	struct xc_link h, p, b;

	T_INT(xc_nl_bridge_add(&nla, &br), 0);
	T_INT(xc_nl_link_get(&nla, "vbr", &b), 0);
	T_INT(xc_nl_recv(&nla, count_msg, NULL), -EAGAIN);
	T(b.flags & IFF_UP);
	v.end.master = b.index;
	T_INT(xc_nl_veth_add(&nla, &v, &h), 0);
	T_STR(h.name, "vh1");
	T_INT(xc_nl_link_get(&nlb, "eth1", &p), 0);
	T_INT(h.link, p.index);                  /* the peer's index, in its namespace */
	T_INT(xc_nl_link_get(&nla, "vh1", &h), 0);    /* the echo is from before enslaving */
	T_INT(h.master, b.index);
	T(h.flags & IFF_UP);
	T_INT(h.group, 0x78636e69);
	T(!(p.flags & IFF_UP));                  /* up and group are the first end's */
	T_INT(p.group, 0);
	T_INT(xc_nl_link_del(&nla, h.index), 0);
	T_INT(xc_nl_link_del(&nla, b.index), 0);
}

static void test_veth_peer_ns(void)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0x11, 0x22 };
	struct xc_veth v = { .end = { .name = "vh0", .mtu = 1400 },
			     .peer = { .name = "eth0", .mac = mac, .nsfd = nsb } };
	struct xc_link h, p;

	T_INT(xc_nl_veth_add(&nla, &v, NULL), 0);
	T_INT(xc_nl_veth_add(&nla, &v, NULL), -EEXIST);
	T_INT(xc_nl_link_get(&nla, "vh0", &h), 0);
	T_STR(h.kind, "veth");
	T_INT(h.mtu, 1400);
	T(h.link_netnsid >= 0);               /* its peer is elsewhere */
	T_INT(xc_nl_link_get(&nla, "eth0", &p), -ENODEV);
	T_INT(xc_nl_recv(&nla, count_msg, NULL), -EAGAIN);   /* a GET leaves nothing queued */
	T_INT(xc_nl_link_get(&nlb, "eth0", &p), 0);
	T_INT(p.mtu, 1400);
	T_INT(p.link, h.index);
	T(p.addr_len == 6 && !memcmp(p.addr, mac, 6));
	T_INT(xc_nl_link_get_index(&nlb, p.index, &h), 0);
	T_STR(h.name, "eth0");
	T_INT(xc_nl_link_del(&nla, ifindex(&nla, "vh0")), 0);
	T_INT(xc_nl_link_get(&nlb, "eth0", &p), -ENODEV);   /* the pair went together */
	test_veth_settings();
}

static void test_link_changes(void)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0x33, 0x44 };
	struct xc_link_new br = { .name = "br0" }, longname = { .name = "0123456789abcdefXYZ" };
	struct xc_link l;
	char out[8192];
	int bri, vi;

	T_INT(xc_nl_bridge_add(&nla, &br), 0);
	T_INT(xc_nl_bridge_add(&nla, &br), -EEXIST);
	T_INT(xc_nl_bridge_add(&nla, &longname), -ENAMETOOLONG);
	bri = ifindex(&nla, "br0");
	T_INT(xc_nl_link_set_addr(&nla, bri, mac, 6), 0);
	T_INT(xc_nl_link_set_up(&nla, bri, 1), 0);
	T_INT(xc_nl_link_get_index(&nla, bri, &l), 0);
	T_STR(l.kind, "bridge");
	T(l.flags & IFF_UP);
	T(!memcmp(l.addr, mac, 6));
	T_INT(xc_nl_link_set_promisc(&nla, bri, 1), 0);
	xc_nl_link_get_index(&nla, bri, &l);
	T(l.flags & IFF_PROMISC);
	T_INT(xc_nl_link_set_promisc(&nla, bri, 0), 0);
	xc_nl_link_get_index(&nla, bri, &l);
	T(!(l.flags & IFF_PROMISC));

	T_INT(veth_up("vp0", "vp1", 0), 0);
	vi = ifindex(&nla, "vp0");
	T_INT(xc_nl_link_set_mtu(&nla, vi, 1280), 0);
	/* a bridge port as ip(8) makes one: what xc_link reports of it */
	T_INT(TOOL(-1, out, "ip", "link", "set", "vp0", "master", "br0"), 0);
	T_INT(TOOL(-1, out, "ip", "link", "set", "vp0", "type", "bridge_slave", "hairpin", "on"), 0);
	T_INT(xc_nl_link_get_index(&nla, vi, &l), 0);
	T_INT(l.mtu, 1280);
	T_INT(l.master, bri);
	T_STR(l.slave_kind, "bridge");
	T_INT(l.hairpin, 1);
	T_INT(TOOL(-1, out, "ip", "link", "set", "vp0", "type", "bridge_slave", "hairpin", "off"), 0);
	xc_nl_link_get_index(&nla, vi, &l);
	T_INT(l.hairpin, 0);
	T_INT(TOOL(-1, out, "ip", "link", "set", "vp0", "nomaster"), 0);
	xc_nl_link_get_index(&nla, vi, &l);
	T(l.master == 0 && l.slave_kind[0] == '\0');

	T_INT(xc_nl_link_set_up(&nla, vi, 0), 0);
	xc_nl_link_get_index(&nla, vi, &l);
	T(!(l.flags & IFF_UP));
	T_INT(xc_nl_link_del(&nla, vi), 0);
	T_INT(xc_nl_link_del(&nla, vi), -ENODEV);
	T_INT(xc_nl_link_get(&nla, "vp1", &l), -ENODEV);   /* the pair went together */
	T_INT(xc_nl_link_get_index(&nla, 0, &l), -EINVAL);
}

static void test_sysctl_rw(void)
{
	struct xc_link_new br = { .name = "br.5" };
	char v[32];

	T_INT(xc_sysctl_write("net.ipv4.ip_forward", "1"), 0);
	T(xc_sysctl_read("net.ipv4.ip_forward", v, sizeof(v)) == 1 && !strcmp(v, "1"));
	T_INT(xc_sysctl_write("net.ipv4.ip_forward", "0"), 0);
	T(xc_sysctl_read("net/ipv4/ip_forward", v, sizeof(v)) == 1 && !strcmp(v, "0"));
	T_INT(xc_sysctl_read("net.ipv4.no_such_key", v, sizeof(v)), -ENOENT);
	T_INT(xc_sysctl_read("net.ipv4.ip_forward", v, 1), -ENOSPC);
	/* An interface name with a dot needs the slashed form. */
	T_INT(xc_nl_bridge_add(&nla, &br), 0);
	T_INT(xc_sysctl_write("net/ipv6/conf/br.5/accept_dad", "0"), 0);
	T(xc_sysctl_read("net/ipv6/conf/br.5/accept_dad", v, sizeof(v)) == 1 && !strcmp(v, "0"));
	T_INT(xc_sysctl_read("net.ipv6.conf.br.5.accept_dad", v, sizeof(v)), -ENOENT);
	xc_nl_link_del(&nla, ifindex(&nla, "br.5"));
}

/*
 * The /proc/sys descriptor is opened once, in the namespace of the first
 * key (bridge opens it on the host, then writes the pod's keys through it
 * from the pod's namespace): a key under net/ still names the namespace
 * the caller is in at each open. Here the same key gets one value in our
 * namespace and another in a second one, both through the cached descriptor.
 */
static void test_sysctl_netns(void)
{
	static const char key[] = "net/ipv4/conf/lo/arp_ignore";
	int self = xc_netns_open("/proc/self/ns/net"), other = make_netns();
	char v[32];

	if (!T(self >= 0 && other >= 0))
		goto out;
	T(xc_sysctl_read("net.ipv4.ip_forward", v, sizeof(v)) == 1);  /* cached here */
	T_INT(xc_sysctl_write(key, "1"), 0);
	if (!T(setns(other, CLONE_NEWNET) == 0))
		goto out;
	T_INT(xc_sysctl_write(key, "2"), 0);
	T(xc_sysctl_read(key, v, sizeof(v)) == 1 && !strcmp(v, "2"));
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	T(xc_sysctl_read(key, v, sizeof(v)) == 1 && !strcmp(v, "1"));
	T_INT(xc_sysctl_write(key, "0"), 0);
out:
	if (self >= 0)
		close(self);
	if (other >= 0)
		close(other);
}

/*
 * Beneath the /proc/sys opened once, a file is still refused when it is
 * not procfs (here a bind mount over a key, in a mount namespace of a
 * child's own), and a forked child that closed what it inherited and
 * called xc_sysctl_forget opens keys again.
 */
static void test_sysctl_checked(void)
{
	char v[32], file[] = "/tmp/xc-test-sysctl-XXXXXX";
	int fd, status = -1;
	pid_t pid;

	T(xc_sysctl_read("net.ipv4.ip_forward", v, sizeof(v)) == 1);
	fd = mkstemp(file);
	T(fd >= 0 && write(fd, "1\n", 2) == 2);
	if (fd >= 0)
		close(fd);
	pid = fork();
	if (pid == 0) {
		int bad = 0;

		for (fd = 3; fd < 1024; fd++)
			close(fd);
		xc_sysctl_forget();     /* as cni_exec's child without an exec */
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount(file, "/proc/sys/net/ipv4/ip_forward", NULL, MS_BIND, NULL))
			_exit(2);
		bad |= (xc_sysctl_read("net.ipv4.ip_forward", v, sizeof(v)) != -ENOTSUP) << 1;
		bad |= (xc_sysctl_write("net.ipv4.ip_forward", "1") != -ENOTSUP) << 2;
		bad |= (xc_sysctl_read("net.ipv4.conf.all.forwarding", v, sizeof(v)) != 1) << 3;
		_exit(bad);
	}
	T(pid > 0 && waitpid(pid, &status, 0) == pid);
	T_INT(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
	unlink(file);
}

/* ---- addresses -------------------------------------------------------- */

struct addr_seen {
	const char *ip;
	int count;
	struct xc_addr a;
};

static int on_addr_seen(const struct xc_addr *a, void *arg)
{
	struct addr_seen *s = arg;

	if (ip_eq(&a->prefix.ip, s->ip)) {
		s->count++;
		s->a = *a;
	}
	return 0;
}

static int addr_count(struct xc_nl *nl, int fam, int ifi, const char *ip, struct xc_addr *out)
{
	struct addr_seen s = { .ip = ip };

	if (xc_nl_addr_list(nl, fam, ifi, on_addr_seen, &s) < 0)
		return -1;
	if (out)
		*out = s.a;
	return s.count;
}

static void test_addrs(void)
{
	struct xc_addr a4 = { .prefix = pfx_of("198.18.1.1/24") };
	struct xc_addr a6 = { .prefix = pfx_of("fd00:1::1/64"), .flags = IFA_F_NODAD };
	struct xc_addr got;
	char out[8192];
	int ifi;

	T_INT(veth_up("a0", "a1", 0), 0);
	ifi = ifindex(&nla, "a0");
	a4.ifindex = a6.ifindex = ifi;
	T_INT(xc_nl_addr_add(&nla, &a4), 0);
	T_INT(xc_nl_addr_add(&nla, &a6), 0);
	T_INT(xc_nl_addr_add(&nla, &a4), -EEXIST);
	T_INT(addr_count(&nla, AF_INET, ifi, "198.18.1.1", &got), 1);
	T_INT(got.prefix.len, 24);
	T_STR(got.label, "a0");
	T_INT(addr_count(&nla, AF_INET6, ifi, "fd00:1::1", &got), 1);
	T_INT(got.prefix.len, 64);
	T(got.flags & IFA_F_NODAD);
	T(!(got.flags & IFA_F_TENTATIVE));
	T_INT(addr_count(&nla, AF_UNSPEC, 0, "198.18.1.1", NULL), 1);
	T_INT(addr_count(&nla, AF_INET6, ifi, "198.18.1.1", NULL), 0);
	TOOL(-1, out, "ip", "-j", "addr", "show", "dev", "a0");
	T(strstr(out, "\"local\":\"198.18.1.1\",\"prefixlen\":24,\"broadcast\":\"198.18.1.255\"") != NULL);
	T(strstr(out, "\"local\":\"fd00:1::1\",\"prefixlen\":64") != NULL);
	T_INT(xc_nl_addr_del(&nla, &a4), 0);
	T_INT(xc_nl_addr_del(&nla, &a4), -EADDRNOTAVAIL);
	T_INT(xc_nl_addr_del(&nla, &a6), 0);
	T_INT(addr_count(&nla, AF_UNSPEC, ifi, "198.18.1.1", NULL), 0);
	T_INT(addr_count(&nla, AF_UNSPEC, ifi, "fd00:1::1", NULL), 0);
	xc_nl_link_del(&nla, ifi);
}

/* IPv6 DAD: the wait ends on the kernel's event, not on a clock. */
static void test_dad_wait(void)
{
	struct xc_addr got;
	double t0, t;
	int d0;

	/*
	 * No random start delay, and a 1 s probe: DAD lasts ~1 s, the margin a
	 * stalled test process has between adding the address and the 20 ms
	 * wait below, which must find it still tentative.
	 */
	xc_sysctl_write("net/ipv6/conf/default/router_solicitation_delay", "0");
	T_INT(veth_up("d0", "d1", nsb), 0);
	d0 = ifindex(&nla, "d0");
	T_INT(xc_sysctl_write("net/ipv6/neigh/d0/retrans_time_ms", "1000"), 0);
	T_INT(addr_add(&nla, "d0", "fd00:2::1/64", 0), 0);
	T_INT(addr_count(&nla, AF_INET6, d0, "fd00:2::1", &got), 1);
	T(got.flags & IFA_F_TENTATIVE);
	T_INT(xc_nl_addr_wait(&nla, d0, XC_NL_WAIT_SKIP_LINKLOCAL, 20), -ETIMEDOUT);
	/* Woken by the kernel's event, not by the timeout (no timed assertion: busy machines). */
	t0 = now_ms();
	T_INT(xc_nl_addr_wait(&nla, d0, XC_NL_WAIT_SKIP_LINKLOCAL, 60000), 0);
	t = now_ms() - t0;
	printf("  dad: settled %.1f ms after the wait began (probe 1000 ms)\n", t);
	T_INT(addr_count(&nla, AF_INET6, d0, "fd00:2::1", &got), 1);
	T(!(got.flags & IFA_F_TENTATIVE));

	/* NODAD: nothing to wait for, so even a wait of 0 ms succeeds. */
	T_INT(addr_add(&nla, "d0", "fd00:2::2/64", IFA_F_NODAD), 0);
	T_INT(xc_nl_addr_wait(&nla, d0, XC_NL_WAIT_SKIP_LINKLOCAL, 0), 0);
	/* Without the flag the link-local address counts too, and settles. */
	T_INT(xc_nl_addr_wait(&nla, d0, 0, 60000), 0);

	/* A duplicate: B holds the address, A's probe gets an answer. */
	T_INT(addr_add(&nlb, "d1", "fd00:2::7/64", IFA_F_NODAD), 0);
	T_INT(addr_add(&nla, "d0", "fd00:2::7/64", 0), 0);
	T_INT(xc_nl_addr_wait(&nla, d0, XC_NL_WAIT_SKIP_LINKLOCAL, 60000), -EADDRNOTAVAIL);
	T_INT(addr_count(&nla, AF_INET6, d0, "fd00:2::7", &got), 1);
	T(got.flags & IFA_F_DADFAILED);
	/* The socket is clean afterwards: a request still gets its answer. */
	T_INT(addr_count(&nla, AF_INET6, d0, "fd00:2::2", NULL), 1);
	xc_nl_link_del(&nla, d0);
}

/* ---- routes ----------------------------------------------------------- */

struct route_seen {
	const char *dst;    /* NULL: count all */
	int count;
	struct xc_route r;
	int stop_after;     /* > 0: fail the callback after that many */
};

static int on_route_seen(const struct xc_route *r, void *arg)
{
	struct route_seen *s = arg;

	if (s->dst && !ip_eq(&r->dst.ip, s->dst))
		return 0;
	s->count++;
	s->r = *r;
	return s->stop_after && s->count >= s->stop_after ? -ECANCELED : 0;
}

static int route_find(int fam, uint32_t table, uint8_t proto, const char *dst, struct xc_route *out)
{
	struct route_seen s = { .dst = dst };

	if (xc_nl_route_list(&nla, fam, table, proto, on_route_seen, &s) < 0)
		return -1;
	if (out)
		*out = s.r;
	return s.count;
}

/* Delete a route by ip(8): the product deletes none on its own (routes go with links). */
static int route_del(char *dst, char *table)
{
	char out[256];

	return TOOL(-1, out, "ip", "route", "del", dst, "table", table);
}

static void test_routes_basic(int r0)
{
	struct xc_route r = { .dst = pfx_of("198.19.10.0/24"), .gw = ip_of("198.18.2.2"),
			      .src = ip_of("198.18.2.1"), .oif = r0, .protocol = 250,
			      .metric = 100, .mtu = 1300 };
	struct xc_route r6 = { .dst = pfx_of("fd00:10::/64"), .gw = ip_of("fd00:4::2"),
			       .oif = r0, .table = 100, .protocol = 250 };
	struct xc_route got;
	char out[4096];

	T_INT(xc_nl_route_add(&nla, &r), 0);
	T_INT(xc_nl_route_add(&nla, &r), -EEXIST);
	T_INT(route_find(AF_INET, RT_TABLE_MAIN, 250, "198.19.10.0", &got), 1);
	T(got.dst.len == 24 && ip_eq(&got.gw, "198.18.2.2") && ip_eq(&got.src, "198.18.2.1"));
	T(got.oif == r0 && got.metric == 100 && got.mtu == 1300 && got.table == RT_TABLE_MAIN);
	T(got.scope == RT_SCOPE_UNIVERSE && got.type == RTN_UNICAST && got.nexthops == 1);
	TOOL(-1, out, "ip", "-j", "route", "show", "proto", "250");
	T(strstr(out, "\"dst\":\"198.19.10.0/24\",\"gateway\":\"198.18.2.2\"") != NULL);
	T_INT(route_find(AF_INET, RT_TABLE_MAIN, 251, "198.19.10.0", NULL), 0);
	T_INT(route_del("198.19.10.0/24", "main"), 0);
	T_INT(route_find(AF_INET, 0, 250, "198.19.10.0", NULL), 0);

	/* Host bits are cleared; another table; IPv6. */
	r6.dst.ip.a[15] = 9;
	T_INT(xc_nl_route_add(&nla, &r6), 0);
	T_INT(route_find(AF_INET6, 100, 250, "fd00:10::", &got), 1);
	T(got.table == 100 && got.dst.len == 64 && ip_eq(&got.gw, "fd00:4::2"));
	T_INT(route_find(AF_INET6, RT_TABLE_MAIN, 0, "fd00:10::", NULL), 0);
	T_INT(route_del("fd00:10::/64", "100"), 0);

	/* Without a gateway: scope link, as ip route does. */
	r = (struct xc_route){ .dst = pfx_of("198.19.12.0/24"), .oif = r0, .table = 1000 };
	T_INT(xc_nl_route_add(&nla, &r), 0);
	T_INT(route_find(AF_INET, 1000, RTPROT_BOOT, "198.19.12.0", &got), 1);
	T(got.scope == RT_SCOPE_LINK && got.table == 1000 && !got.gw.family);
	r = (struct xc_route){ .dst = pfx_of("198.19.14.0/24"), .type = RTN_BLACKHOLE };
	T_INT(xc_nl_route_add(&nla, &r), 0);
	T_INT(route_find(AF_INET, RT_TABLE_MAIN, 0, "198.19.14.0", &got), 1);
	T(got.type == RTN_BLACKHOLE && got.oif == 0);
}

static void test_routes_onlink(int r0)
{
	struct xc_route r = { .dst = pfx_of("198.19.11.0/24"), .gw = ip_of("198.19.99.1"),
			      .oif = r0, .protocol = 250 };
	struct xc_route r6 = { .dst = pfx_of("fd00:20::/64"), .gw = ip_of("fd00:99::1"),
			       .oif = r0, .protocol = 250 };
	struct xc_route via = { .dst = pfx_of("198.19.13.0/24"), .gw = ip_of("fd00:4::2"),
				.oif = r0, .protocol = 250 };
	struct xc_route got;
	int err;

	/* The gateway is off-link: refused, with the kernel's reason kept. */
	err = xc_nl_route_add(&nla, &r);
	T(err < 0);
	T(xc_nl_errmsg(&nla)[0] != '\0');
	printf("  ext-ack: route via off-link gateway: %s (\"%s\")\n", strerror(-err),
	       xc_nl_errmsg(&nla));
	r.flags = RTNH_F_ONLINK;
	T_INT(xc_nl_route_add(&nla, &r), 0);
	T_STR(xc_nl_errmsg(&nla), "");   /* cleared by the next request */
	T_INT(route_find(AF_INET, RT_TABLE_MAIN, 250, "198.19.11.0", &got), 1);
	T(got.flags & RTNH_F_ONLINK);
	T_INT(route_del("198.19.11.0/24", "main"), 0);
	T_INT(route_find(AF_INET, RT_TABLE_MAIN, 250, "198.19.11.0", NULL), 0);
	r6.flags = RTNH_F_ONLINK;
	T_INT(xc_nl_route_add(&nla, &r6), 0);
	T_INT(route_find(AF_INET6, RT_TABLE_MAIN, 250, "fd00:20::", &got), 1);
	T(got.flags & RTNH_F_ONLINK);

	/* IPv4 via an IPv6 next hop (RTA_VIA), Linux 5.2+. */
	err = xc_nl_route_add(&nla, &via);
	if (err) {
		printf("SKIP test_netlink: kernel refused an IPv4 route via IPv6 (%s: %s)\n",
		       strerror(-err), xc_nl_errmsg(&nla));
		skipped++;
		return;
	}
	T_INT(route_find(AF_INET, RT_TABLE_MAIN, 250, "198.19.13.0", &got), 1);
	T(got.gw.family == AF_INET6 && ip_eq(&got.gw, "fd00:4::2"));
	T_INT(route_del("198.19.13.0/24", "main"), 0);
}

/* Thousands of routes: the dump spans many datagrams. */
static void test_routes_bulk(int r0)
{
	struct route_seen s = { .count = 0 };
	struct xc_route r = { .dst = pfx_of("198.19.0.0/32"), .oif = r0, .table = 200,
			      .protocol = 251 };
	int i, err = 0, n = 3000;
	double t0, t_add, t_dump;

	t0 = now_ms();
	for (i = 0; i < n && !err; i++) {
		r.dst.ip.a[2] = (uint8_t)(100 + i / 250);
		r.dst.ip.a[3] = (uint8_t)(i % 250);
		err = xc_nl_route_add(&nla, &r);
	}
	t_add = now_ms() - t0;
	T_INT(err, 0);
	t0 = now_ms();
	T_INT(xc_nl_route_list(&nla, AF_INET, 200, 251, on_route_seen, &s), 0);
	t_dump = now_ms() - t0;
	T_INT(s.count, n);
	s.count = 0;
	T_INT(xc_nl_route_list(&nla, AF_INET, 0, 0, on_route_seen, &s), 0);
	T(s.count > n);
	/* A callback that stops early; the socket must stay in step. */
	s = (struct route_seen){ .stop_after = 10 };
	T_INT(xc_nl_route_list(&nla, AF_INET, 200, 251, on_route_seen, &s), -ECANCELED);
	T_INT(s.count, 10);
	s = (struct route_seen){ .count = 0 };
	T_INT(xc_nl_route_list(&nla, AF_INET, 200, 251, on_route_seen, &s), 0);
	T_INT(s.count, n);
	printf("  bulk: %d route adds %.1f ms (%.1f us each), filtered dump %.2f ms\n",
	       n, t_add, t_add * 1e3 / n, t_dump);
}

static void test_routes(void)
{
	int r0;

	T_INT(veth_up("r0", "r1", nsb), 0);
	r0 = ifindex(&nla, "r0");
	T_INT(addr_add(&nla, "r0", "198.18.2.1/24", 0), 0);
	T_INT(addr_add(&nla, "r0", "fd00:4::1/64", IFA_F_NODAD), 0);
	test_routes_basic(r0);
	test_routes_onlink(r0);
	test_routes_bulk(r0);
}

/* ---- neighbours and VXLAN --------------------------------------------- */

struct neigh_seen {
	const char *dst;
	int count;
	struct xc_neigh n;
};

static int on_neigh_seen(const struct xc_neigh *n, void *arg)
{
	struct neigh_seen *s = arg;

	if (s->dst && !ip_eq(&n->dst, s->dst))
		return 0;
	s->count++;
	s->n = *n;
	return 0;
}

static int neigh_find(int fam, int ifi, const char *dst, struct xc_neigh *out)
{
	struct neigh_seen s = { .dst = dst };

	if (xc_nl_neigh_list(&nla, fam, ifi, on_neigh_seen, &s) < 0)
		return -1;
	if (out)
		*out = s.n;
	return s.count;
}

/*
 * A neighbour or FDB entry written as ip(8) and bridge(8) do (add, replace,
 * del), to read back with xc_nl_neigh_list: the router writes its own in
 * batches (core/router/routes_nl.c).
 */
static int neigh_put(uint16_t type, uint16_t flags, const struct xc_neigh *n)
{
	uint32_t req[64];
	struct xc_nl_msg m;
	struct ndmsg *ndm = xc_nl_msg_init(&m, req, sizeof(req), type, flags, sizeof(*ndm));

	if (!ndm)
		return m.err;
	ndm->ndm_family = n->family;
	ndm->ndm_ifindex = n->ifindex;
	ndm->ndm_flags = n->flags;
	if (type == RTM_NEWNEIGH) {
		ndm->ndm_state = NUD_PERMANENT;
		ndm->ndm_type = RTN_UNICAST;
	}
	if (n->dst.family)
		xc_nl_put_ip(&m, NDA_DST, &n->dst);
	if (n->lladdr_len)
		xc_nl_put(&m, NDA_LLADDR, n->lladdr, n->lladdr_len);
	return xc_nl_request(&nla, &m, NULL, NULL);
}

static int neigh_add(const struct xc_neigh *n)
{
	return neigh_put(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, n);
}

static int neigh_replace(const struct xc_neigh *n)
{
	return neigh_put(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, n);
}

static int neigh_del(const struct xc_neigh *n)
{
	return neigh_put(RTM_DELNEIGH, 0, n);
}

static void test_vxlan(void)
{
	static const uint8_t mac1[6] = { 2, 0, 0, 0, 0, 1 }, mac2[6] = { 2, 0, 0, 0, 0, 2 };
	struct xc_ip local = ip_of("198.18.2.1");
	struct xc_vxlan vx = { .dev = { .name = "vx0", .mtu = 1450 }, .vni = 42, .port = 8472,
			       .local = &local, .underlay = ifindex(&nla, "r0") };
	struct xc_neigh fdb = { .family = AF_BRIDGE, .dst = ip_of("198.18.2.2"),
				.flags = NTF_SELF, .lladdr_len = 6 };
	struct xc_neigh arp = { .family = AF_INET, .dst = ip_of("198.19.20.0"), .lladdr_len = 6 };
	struct xc_link l;
	struct xc_neigh got;
	char out[8192];
	int vi;

	T_INT(xc_nl_vxlan_add(&nla, &vx), 0);
	T_INT(xc_nl_link_get(&nla, "vx0", &l), 0);
	vi = l.index;
	T_STR(l.kind, "vxlan");
	T(l.vxlan.vni == 42 && l.vxlan.port == 8472 && l.vxlan.learning == 0);
	T(l.vxlan.link == vx.underlay && ip_eq(&l.vxlan.local, "198.18.2.1") && l.mtu == 1450);
	TOOL(-1, out, "ip", "-j", "-d", "link", "show", "vx0");
	T(strstr(out, "\"id\":42") && strstr(out, "\"learning\":false") && strstr(out, "\"port\":8472"));
	xc_nl_link_set_up(&nla, vi, 1);

	fdb.ifindex = arp.ifindex = vi;
	memcpy(fdb.lladdr, mac1, 6);
	T_INT(neigh_replace(&fdb), 0);
	T_INT(neigh_find(AF_BRIDGE, vi, "198.18.2.2", &got), 1);
	T(!memcmp(got.lladdr, mac1, 6) && (got.state & NUD_PERMANENT) && (got.flags & NTF_SELF));
	TOOL(-1, out, "bridge", "-j", "fdb", "show", "dev", "vx0");
	T(strstr(out, "\"mac\":\"02:00:00:00:00:01\",\"dst\":\"198.18.2.2\"") != NULL);
	fdb.dst = ip_of("198.18.2.3");   /* the node moved: replace in place */
	T_INT(neigh_replace(&fdb), 0);
	T_INT(neigh_find(AF_BRIDGE, vi, "198.18.2.3", NULL), 1);
	T_INT(neigh_find(AF_BRIDGE, vi, "198.18.2.2", NULL), 0);
	T_INT(neigh_del(&fdb), 0);
	T_INT(neigh_find(AF_BRIDGE, vi, "198.18.2.3", NULL), 0);

	memcpy(arp.lladdr, mac1, 6);
	T_INT(neigh_add(&arp), 0);
	T_INT(neigh_add(&arp), -EEXIST);
	T_INT(neigh_find(AF_INET, vi, "198.19.20.0", &got), 1);
	T(got.state == NUD_PERMANENT && got.lladdr_len == 6 && !memcmp(got.lladdr, mac1, 6));
	memcpy(arp.lladdr, mac2, 6);
	T_INT(neigh_replace(&arp), 0);
	T_INT(neigh_find(AF_INET, 0, "198.19.20.0", &got), 1);
	T(!memcmp(got.lladdr, mac2, 6));
	TOOL(-1, out, "ip", "-j", "neigh", "show", "dev", "vx0");
	T(strstr(out, "\"dst\":\"198.19.20.0\",\"lladdr\":\"02:00:00:00:00:02\"") != NULL);
	T_INT(neigh_del(&arp), 0);
	T_INT(neigh_del(&arp), -ENOENT);
	T_INT(neigh_find(AF_INET, vi, "198.19.20.0", NULL), 0);

	arp = (struct xc_neigh){ .family = AF_INET6, .ifindex = ifindex(&nla, "r0"),
				 .dst = ip_of("fd00:4::99"), .lladdr_len = 6 };
	memcpy(arp.lladdr, mac1, 6);
	T_INT(neigh_add(&arp), 0);
	T_INT(neigh_find(AF_INET6, arp.ifindex, "fd00:4::99", &got), 1);
	T_INT(neigh_find(AF_INET6, vi, "fd00:4::99", NULL), 0);
	xc_nl_link_del(&nla, vi);
}

/* ---- events, namespaces by path --------------------------------------- */

struct ev_seen {
	int newlink, dellink, newroute;
};

static int on_ev(const struct xc_nl_event *ev, void *arg)
{
	struct ev_seen *s = arg;

	if (ev->kind == XC_NL_EV_LINK && !strcmp(ev->u.link.name, "mon0"))
		*(ev->type == RTM_NEWLINK ? &s->newlink : &s->dellink) += 1;
	if (ev->kind == XC_NL_EV_ROUTE && ev->type == RTM_NEWROUTE &&
	    ip_eq(&ev->u.route.dst.ip, "198.19.30.0") && ev->u.route.dst.len == 24)
		s->newroute++;
	return 0;
}

static void wait_events(struct xc_nl *mon, struct ev_seen *s, int *what)
{
	struct pollfd pfd = { .fd = mon->fd, .events = POLLIN };
	double end = now_ms() + 60000;   /* a safety deadline: it ends on the event */

	while (!*what && now_ms() < end && poll(&pfd, 1, 100) >= 0)
		while (xc_nl_event_recv(mon, on_ev, s) >= 0)
			;
}

static void test_monitor(void)
{
	struct xc_nl mon;
	struct xc_link_new br = { .name = "mon0" };
	struct xc_route r = { .dst = pfx_of("198.19.30.0/24"), .gw = ip_of("198.18.3.2") };
	struct ev_seen s = { 0 };
	int bi;

	T_INT(xc_nl_monitor_open(&mon, buf_m, sizeof(buf_m),
				 XC_NL_MON_LINK | XC_NL_MON_IPV4_ROUTE | XC_NL_MON_IPV6_ROUTE, 1 << 20), 0);
	T_INT(xc_nl_event_recv(&mon, on_ev, &s), -EAGAIN);
	T_INT(xc_nl_bridge_add(&nla, &br), 0);
	wait_events(&mon, &s, &s.newlink);
	T(s.newlink >= 1);
	bi = ifindex(&nla, "mon0");
	xc_nl_link_set_up(&nla, bi, 1);
	T_INT(addr_add(&nla, "mon0", "198.18.3.1/24", 0), 0);
	T_INT(xc_nl_route_add(&nla, &r), 0);
	wait_events(&mon, &s, &s.newroute);
	T_INT(s.newroute, 1);
	T_INT(xc_nl_link_del(&nla, bi), 0);
	wait_events(&mon, &s, &s.dellink);
	T_INT(s.dellink, 1);
	xc_nl_close(&mon);
}

/* A netlink socket in the namespace at path, the way bridge opens the pod's. */
static int nl_open_path(struct xc_nl *nl, const char *path)
{
	int fd = xc_netns_open(path), err;

	if (fd < 0)
		return fd;
	err = xc_nl_open_nsfd(nl, buf_m, sizeof(buf_m), fd);
	close(fd);
	return err;
}

static void test_open_ns(void)
{
	struct xc_link_new br = { .name = "vb" };
	char path[64], out[4096];
	struct xc_nl nl;
	struct xc_link l;
	int pfd[2], fd;
	pid_t pid;

	/* /proc/PID/ns/net of a child we started. */
	T_INT(pipe(pfd), 0);
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0 || write(pfd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	T_INT(read(pfd[0], out, 1), 1);
	close(pfd[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	T_INT(nl_open_path(&nl, path), 0);
	T_INT(xc_nl_bridge_add(&nl, &br), 0);
	T_INT(xc_nl_link_get(&nl, "vb", &l), 0);
	T_INT(xc_nl_link_get(&nla, "vb", &l), -ENODEV);
	xc_nl_close(&nl);
	fd = xc_netns_open(path);
	T(fd >= 0);
	T_INT(xc_netns_is_current(fd), 0);
	close(fd);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);

	/* /var/run/netns/NAME as `ip netns add` makes it. */
	snprintf(path, sizeof(path), "xct-nl-%d", (int)getpid());
	if (TOOL(-1, out, "ip", "netns", "add", path) != 0) {
		printf("SKIP test_netlink: ip netns add failed\n");
		skipped++;
		return;
	}
	snprintf(out, sizeof(out), "/var/run/netns/%s", path);
	T_INT(nl_open_path(&nl, out), 0);
	T_INT(xc_nl_bridge_add(&nl, &br), 0);
	xc_nl_close(&nl);
	TOOL(-1, out, "ip", "-n", path, "-j", "link", "show", "vb");
	T(strstr(out, "\"ifname\":\"vb\"") != NULL);
	TOOL(-1, out, "ip", "netns", "del", path);
}

/* ---- the kernel floor of a pod ADD ------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	printf("%-44s min %.3f  median %.3f  p95 %.3f  max %.3f ms\n", what,
	       v[0], v[n / 2], v[n * 95 / 100], v[n - 1]);
}

/* What the bridge plugin's ADD asks of the kernel, and nothing else. */
static int pod_add(int i, int podns, int bri)
{
	/* the host end enslaved and up as it is made, as core/cni/podlink does */
	struct xc_veth v = { .end = { .name = NULL, .mtu = 1450, .master = bri, .up = 1 },
			     .peer = { .name = "eth0", .nsfd = podns } };
	struct xc_route d4 = { .dst = pfx_of("0.0.0.0/0"), .gw = ip_of("198.18.0.1") };
	struct xc_route d6 = { .dst = pfx_of("::/0"), .gw = ip_of("fd00:100::1") };
	struct xc_addr a4 = { .prefix = pfx_of("198.18.0.0/16") };
	struct xc_addr a6 = { .prefix = pfx_of("fd00:100::/64"), .flags = IFA_F_NODAD };
	char host[IFNAMSIZ];
	struct xc_nl pod;
	struct xc_link l;
	int err;

	snprintf(host, sizeof(host), "veth%d", i);
	v.end.name = host;
	a4.prefix.ip.a[2] = (uint8_t)(1 + i / 250);
	a4.prefix.ip.a[3] = (uint8_t)(2 + i % 250);
	a6.prefix.ip.a[14] = (uint8_t)(i >> 8);
	a6.prefix.ip.a[15] = (uint8_t)(2 + i);
	err = xc_nl_open_nsfd(&pod, buf_b, sizeof(buf_b), podns);
	if (err)
		return err;
	err = xc_nl_veth_add(&nla, &v, NULL);
	if (!err)
		err = xc_nl_link_get(&pod, "eth0", &l);
	if (!err)
		err = xc_nl_link_set_up(&pod, l.index, 1);
	a4.ifindex = a6.ifindex = d4.oif = d6.oif = l.index;
	if (!err)
		err = xc_nl_addr_add(&pod, &a4);
	if (!err)
		err = xc_nl_addr_add(&pod, &a6);
	if (!err)
		err = xc_nl_route_add(&pod, &d4);
	if (!err)
		err = xc_nl_route_add(&pod, &d6);
	xc_nl_close(&pod);
	return err;
}

static int bench(int n)
{
	struct xc_link_new br = { .name = "cni0" };
	double *add = calloc((size_t)n, sizeof(double)), *del = calloc((size_t)n, sizeof(double));
	double t0;
	int i, err = 0, bri, podns;

	if (!add || !del || xc_nl_bridge_add(&nla, &br))
		return 1;
	bri = ifindex(&nla, "cni0");
	xc_nl_link_set_up(&nla, bri, 1);
	addr_add(&nla, "cni0", "198.18.0.1/16", 0);
	addr_add(&nla, "cni0", "fd00:100::1/64", IFA_F_NODAD);
	for (i = 0; i < n && !err; i++) {
		char host[IFNAMSIZ];

		podns = make_netns();   /* the runtime's part, not timed */
		t0 = now_ms();
		err = pod_add(i, podns, bri);
		add[i] = now_ms() - t0;
		snprintf(host, sizeof(host), "veth%d", i);
		t0 = now_ms();
		if (!err)
			err = xc_nl_link_del(&nla, ifindex(&nla, host));
		del[i] = now_ms() - t0;
		close(podns);
	}
	if (err) {
		printf("bench failed at %d: %s (%s)\n", i, strerror(-err), xc_nl_errmsg(&nla));
		return 1;
	}
	printf("kernel floor, %d pods (dual-stack, veth peer created in the pod netns):\n", n);
	report("ADD: socket in pod ns, veth, master, up x2,", add, n);
	printf("     2 addresses (v6 NODAD), 2 default routes\n");
	report("DEL: delete the host veth", del, n);
	return 0;
}

int main(int argc, char **argv)
{
	int root_groups = 9;
	struct xc_nl nl_bad;

	test_builder();
	test_parse_robust();
	test_sysctl_keys();
	test_netns_paths();
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		printf("SKIP test_netlink: kernel tests need root (private network namespaces)\n");
		printf("test_netlink: %d passed, %d failed, %d skipped\n", t_passed, t_failed,
		       root_groups);
		return t_failed ? 1 : 0;
	}
	nsb = make_netns();
	T(nsb >= 0);
	T_INT(xc_nl_open(&nla, buf_a, sizeof(buf_a)), 0);
	T_INT(xc_nl_open_nsfd(&nlb, buf_b, sizeof(buf_b), nsb), 0);
	T_INT(xc_nl_open(&nl_bad, buf_m, 100), -EINVAL);
	T_INT(xc_nl_open(&nl_bad, (uint8_t *)buf_m + 2, 9000), -EINVAL);
	if (t_failed)
		return t_done("test_netlink");
	if (argc > 1 && !strcmp(argv[1], "bench"))
		return bench(argc > 2 ? atoi(argv[2]) : 100);
	test_veth_peer_ns();
	test_link_changes();
	test_sysctl_rw();
	test_sysctl_checked();
	test_sysctl_netns();
	test_addrs();
	test_dad_wait();
	test_routes();
	test_vxlan();
	test_monitor();
	test_open_ns();
	printf("test_netlink: %d passed, %d failed, %d skipped\n", t_passed, t_failed, skipped);
	return t_failed ? 1 : 0;
}
