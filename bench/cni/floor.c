/*
 * floor: the kernel work of one dual-stack pod on a bridge and nothing
 * else (no process start, no configuration, no IPAM, no result), with the
 * same core/ calls the bridge plugin makes: the floor a plugin's ADD and
 * DEL cannot go under.
 *
 *   floor HOSTNS add|del PODPREFIX N PAR
 *
 * In HOSTNS (a path) on bridge cni0 (created with its gateways
 * 198.18.0.1/16 and fd00:b::1/64 when missing), per pod i:
 *   add: open PODPREFIX<i>; create the veth (pod end "eth0" directly in
 *        the pod, host end on the bridge and up); accept_dad=0 in the pod;
 *        pod end up; 198.18.x.y/16 and fd00:b::/64 addresses; default
 *        routes; wait for IPv6 to settle.
 *   del: open PODPREFIX<i>; look eth0 up there; delete it.
 * PAR processes share the pods. Prints "<i> <microseconds> <status>".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <net/if.h>

#include "kernel/netns.h"
#include "kernel/nl_addr.h"
#include "kernel/nl_link.h"
#include "kernel/nl_route.h"
#include "cni/podlink.h"
#include "kernel/sysctl.h"

static uint32_t hbuf[XC_NL_BUFSIZE / 4], pbuf[XC_NL_BUFSIZE / 4];

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int ip_of(int i, int fam, struct xc_prefix *p)
{
	char s[64];

	if (fam == AF_INET)
		snprintf(s, sizeof(s), "198.18.%d.%d/16", (i + 2) / 250, (i + 2) % 250 + 2);
	else
		snprintf(s, sizeof(s), "fd00:b::%x/64", i + 2);
	return xc_prefix_parse(s, p);
}

static int route(struct xc_nl *nl, int oif, const char *dst, const char *gw)
{
	struct xc_route r;

	memset(&r, 0, sizeof(r));
	xc_prefix_parse(dst, &r.dst);
	xc_ip_parse(gw, &r.gw);
	r.oif = oif;
	return xc_nl_route_add(nl, &r);
}

static int pod_add(const char *ns, int i, int br)
{
	struct xc_nl host, pod;
	struct xc_link l;
	struct xc_addr a;
	char host_name[IFNAMSIZ];
	uint8_t mac[6];
	int fd, saved, rc, idx;

	snprintf(host_name, sizeof(host_name), "vfl%d", i);
	xc_podlink_random_mac(mac);
	fd = xc_netns_open(ns);
	if (fd < 0 || xc_nl_open(&host, hbuf, sizeof(hbuf)))
		return -1;
	struct xc_podlink_veth v = { host_name, "eth0", fd, 0, mac, br };
	if ((rc = xc_podlink_veth_add(&host, &v, &l)))
		return rc;
	idx = l.link;
	if (xc_netns_enter(fd, &saved) || xc_nl_open(&pod, pbuf, sizeof(pbuf)))
		return -1;
	xc_sysctl_write("net/ipv6/conf/eth0/accept_dad", "0");
	if (xc_netns_return(saved))
		exit(3);
	if ((rc = xc_nl_link_set_up(&pod, idx, 1)))
		return rc;
	for (int f = 0; f < 2; f++) {
		memset(&a, 0, sizeof(a));
		a.ifindex = idx;
		ip_of(i, f ? AF_INET6 : AF_INET, &a.prefix);
		if ((rc = xc_nl_addr_add(&pod, &a)))
			return rc;
	}
	if ((rc = route(&pod, idx, "0.0.0.0/0", "198.18.0.1")) ||
	    (rc = route(&pod, idx, "::/0", "fd00:b::1")))
		return rc;
	rc = xc_nl_addr_wait(&pod, idx, 0, 10000);
	xc_nl_close(&pod);
	xc_nl_close(&host);
	close(fd);
	return rc;
}

static int pod_del(const char *ns)
{
	struct xc_nl pod;
	struct xc_link l;
	int fd, rc;

	fd = xc_netns_open(ns);
	if (fd < 0 || xc_nl_open_nsfd(&pod, pbuf, sizeof(pbuf), fd))
		return -1;
	rc = xc_nl_link_get(&pod, "eth0", &l);
	if (!rc)
		rc = xc_nl_link_del(&pod, l.index);
	xc_nl_close(&pod);
	close(fd);
	return rc;
}

/* The bridge and its gateways, outside the timing (one-off work). */
static int bridge(void)
{
	struct xc_nl nl;
	struct xc_link l;
	struct xc_addr a;
	uint8_t mac[6];

	if (xc_nl_open(&nl, hbuf, sizeof(hbuf)))
		return -1;
	if (xc_nl_link_get(&nl, "cni0", &l)) {
		xc_podlink_random_mac(mac);
		if (xc_podlink_bridge_add(&nl, "cni0", 0, mac, 0) ||
		    xc_nl_link_get(&nl, "cni0", &l))
			return -1;
		memset(&a, 0, sizeof(a));
		a.ifindex = l.index;
		xc_prefix_parse("198.18.0.1/16", &a.prefix);
		xc_nl_addr_add(&nl, &a);
		xc_prefix_parse("fd00:b::1/64", &a.prefix);
		xc_nl_addr_add(&nl, &a);
		xc_sysctl_write("net/ipv4/ip_forward", "1");
		xc_sysctl_write("net/ipv6/conf/all/forwarding", "1");
	}
	xc_nl_close(&nl);
	return l.index;
}

static void worker(int add, const char *prefix, int n, int par, int w, int br)
{
	char ns[512];
	double t0, us;
	int rc;

	for (int i = w; i < n; i += par) {
		snprintf(ns, sizeof(ns), "%s%d", prefix, i);
		t0 = now_us();
		rc = add ? pod_add(ns, i, br) : pod_del(ns);
		us = now_us() - t0;
		printf("%d %.0f %d\n", i, us, rc ? 1 : 0);
		if (rc)
			fprintf(stderr, "floor: pod %d: %s\n", i, strerror(rc < 0 ? -rc : rc));
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int fd, saved, n, par, br, add;

	if (argc != 6) {
		fprintf(stderr, "usage: floor HOSTNS add|del PODPREFIX N PAR\n");
		return 2;
	}
	add = !strcmp(argv[2], "add");
	n = atoi(argv[4]);
	par = atoi(argv[5]);
	if (par < 1)
		par = 1;
	fd = xc_netns_open(argv[1]);
	if (fd < 0 || xc_netns_enter(fd, &saved)) {
		fprintf(stderr, "floor: cannot enter %s\n", argv[1]);
		return 2;
	}
	br = bridge();
	if (br < 0) {
		fprintf(stderr, "floor: no bridge\n");
		return 2;
	}
	for (int w = 0; w < par; w++) {
		if (par > 1 && fork() != 0)
			continue;
		worker(add, argv[3], n, par, w, br);
		if (par > 1)
			_exit(0);
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
