/*
 * install: put xcluster-cni on a node. The DaemonSet runs it as its init
 * container (host directories mounted under /host); it also works by hand.
 */
const char install_usage[] =
"usage: xcluster-cni install [OPTIONS]\n"
"\n"
"Install this binary as a CNI plugin and write the network configuration.\n"
"\n"
"  In the CNI bin dir: xcluster-cni (this binary, replaced atomically when\n"
"  it differs), the links xcluster-bridge, xcluster-node-local and\n"
"  xcluster-portmap to it (the plugin types the configuration names),\n"
"  and loopback, which containerd's CRI runs for every pod, when the dir\n"
"  has none (one that is there is left alone). Plugins of other names\n"
"  are never touched, unless --take-over-bridge.\n"
"  In the CNI conf dir: 10-xcluster-cni.conflist (bridge + node-local IPAM,\n"
"  MTU of the node's interface minus the tunnel overhead, hairpin mode;\n"
"  portmap chained after it for hostPorts). Other configs\n"
"  are left alone (a warning when one sorts before ours), unless\n"
"  --disable-foreign. A second run with the same input changes nothing.\n"
"\n"
"options (environment variable in brackets):\n"
"  --bin-dir DIR        CNI bin dir [CNI_BIN_DIR] (default /opt/cni/bin)\n"
"  --conf-dir DIR       CNI conf dir [CNI_CONF_DIR] (default /etc/cni/net.d)\n"
"  --tunnel-mode MODE   none, sit, ipip, vxlan or auto [TUNNEL_MODE], resolved\n"
"                       as the router resolves it (default: sit where the\n"
"                       kernel has it, else none; auto: sit, else vxlan):\n"
"                       pod MTU = base MTU - 0, 20, 20, 50 (IPv4 underlay) or\n"
"                       70 (IPv6 underlay)\n"
"  --node-ip ADDR       the node's address [NODE_IP]: the interface holding it\n"
"                       gives the base MTU, its family the underlay's\n"
"                       (default: the interface of the default route)\n"
"  --mtu-from IFNAME    take the base MTU from this interface instead\n"
"  --mtu N              base MTU (the underlay's), no detection\n"
"  --take-over-bridge   also install the links 'bridge' and 'node-local',\n"
"                       replacing what is there (kept as NAME.pre-xcluster)\n"
"  --disable-foreign    rename the other CNI configs that sort before ours\n"
"                       to NAME.xcluster-disabled (nothing is deleted)\n"
"  --no-conf            install the binary and links only\n"
"  --secondary NAME     write a second network's config instead, for a\n"
"                       runtime attaching two (containerd: max_conf_num = 2):\n"
"                       20-NAME.conflist, network NAME, no default route,\n"
"                       pod CIDRs from <dataDir>/NAME/podcidrs (a second\n"
"                       router's --network NAME); other configs not checked\n"
"  --bridge DEV         its bridge (default xcbr1; xcbr0 is the first's)\n"
"  --routes LIST        its pods' routes through it, comma-separated CIDRs\n"
"\n"
"Exit status: 0 done (or nothing to do), 1 failure, 2 usage.\n";

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fdio.h"
#include "base/ipaddr.h"
#include "base/json.h"
#include "base/log.h"
#include "kernel/netlink.h"
#include "kernel/nl_link.h"
#include "kernel/nl_route.h"
#include "cni/cni.h"
#include "router/masq.h"
#include "router/tunnel.h"
#include "version.h"

#define BIN_NAME "xcluster-cni"
#define CONF_NAME "10-xcluster-cni.conflist"
/* Also a path: node-local reads <dataDir>/NET_NAME/podcidrs (the router's). */
#define NET_NAME "xcluster-cni"
#define BRIDGE_DEV "xcbr0"
#define CNI_VERSION "1.0.0"
#define TMP_TAG ".xctmp."
#define BACKUP_SUFFIX ".pre-xcluster"
#define DISABLED_SUFFIX ".xcluster-disabled"
/* A temp file of ours this old is a crashed run's, not one in progress. */
#define STALE_SECONDS 60
#define MTU_MIN 576
#define MTU_MAX 65536

/* The plugin applets: what a runtime execs, so what needs a name on disk. */
static const char *const plugins[] = { "bridge", "node-local", "portmap" };
/* --take-over-bridge replaces these two plain names (not portmap). */
#define TAKE_OVER 2

struct opts {
	const char *bin_dir;
	const char *conf_dir;
	const char *tunnel;
	const char *node_ip;
	const char *mtu_from;
	int mtu;
	int take_over;
	int disable_foreign;
	int no_conf;
	const char *secondary;          /* a second network's name, or NULL */
	const char *bridge;
	int nroutes;
	struct xc_prefix routes[8];
};

static int fail_errno(const char *what, const char *dir, const char *name, int err)
{
	xc_err("%s %s%s%s: %s", what, dir, name ? "/" : "", name ? name : "", strerror(err));
	return -err;
}

/* --- files ---------------------------------------------------------------- */

/*
 * Does dir/name already hold exactly these bytes, as a regular file of
 * this mode? Then there is nothing to write. A symlink counts as different.
 */
static int same_file(int dfd, const char *name, const char *buf, size_t len, mode_t mode)
{
	char chunk[65536];
	struct stat st;
	size_t off = 0;
	int fd, same = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (st.st_mode & 07777) != mode ||
	    (size_t)st.st_size != len)
		goto out;
	while (off < len) {
		size_t n = len - off < sizeof(chunk) ? len - off : sizeof(chunk);

		if (xc_read_exact(fd, chunk, n) || memcmp(chunk, buf + off, n))
			goto out;
		off += n;
	}
	same = 1;
out:
	close(fd);
	return same;
}

/*
 * Make a rename durable. Some file systems cannot sync a directory
 * (EINVAL); the rename itself has happened, so that is no failure.
 */
static int sync_dir(int dfd)
{
	return fsync(dfd) && errno != EINVAL ? -1 : 0;
}

static void tmp_name(char *buf, size_t size, const char *name)
{
	static unsigned seq;

	snprintf(buf, size, ".%s" TMP_TAG "%ld.%u", name, (long)getpid(), seq++);
}

/*
 * Replace dir/name with these bytes so that a reader (a kubelet executing
 * the plugin, a runtime loading the config) sees the old file or the new
 * one, never a part: temp file in the same directory, write, fsync, mode,
 * rename, fsync of the directory. The old inode lives on for whoever has
 * it open or is executing it, which is also why no ETXTBSY can occur.
 */
static int write_atomic(int dfd, const char *dir, const char *name,
			const char *buf, size_t len, mode_t mode)
{
	char tmp[NAME_MAX + 1];
	int fd, rc;

	tmp_name(tmp, sizeof(tmp), name);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail_errno("cannot write in", dir, NULL, errno);
	rc = xc_write_full(fd, buf, len);
	if (!rc && fsync(fd))
		rc = -errno;
	if (!rc && fchmod(fd, mode))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && renameat(dfd, tmp, dfd, name))
		rc = -errno;
	if (rc) {
		unlinkat(dfd, tmp, 0);
		return fail_errno("cannot write", dir, name, -rc);
	}
	if (sync_dir(dfd))
		return fail_errno("cannot sync", dir, NULL, errno);
	return 0;
}

/* Remove temp files that a killed run of ours left behind. */
static void remove_stale(int dfd, const char *dir)
{
	struct dirent *de;
	struct stat st;
	time_t now = time(NULL);
	DIR *d;
	int fd = dup(dfd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	rewinddir(d); /* a dup shares the offset a former listing left at the end */
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.' || !strstr(de->d_name, TMP_TAG))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    now - st.st_mtime < STALE_SECONDS)
			continue;
		if (!unlinkat(dfd, de->d_name, 0))
			xc_info("removed %s/%s, left by an interrupted run", dir, de->d_name);
	}
	closedir(d);
}

static int open_dir(const char *what, const char *path)
{
	int fd = openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		xc_err("%s %s: %s", what, path, strerror(errno));
	return fd;
}

/* --- the binary and its links ---------------------------------------------- */

static char *read_self(size_t *len)
{
	struct stat st;
	char *buf;
	int fd = openat(AT_FDCWD, "/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		xc_err("cannot read this binary (/proc/self/exe): %s (is /proc mounted?)",
		       strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || st.st_size <= 0 || !(buf = malloc((size_t)st.st_size))) {
		xc_err("cannot read this binary (/proc/self/exe)");
		close(fd);
		return NULL;
	}
	if (xc_read_exact(fd, buf, (size_t)st.st_size)) {
		xc_err("cannot read this binary (/proc/self/exe): short read");
		free(buf);
		close(fd);
		return NULL;
	}
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static int install_binary(int dfd, const char *dir)
{
	size_t len;
	char *self = read_self(&len);
	int rc;

	if (!self)
		return -EIO;
	if (same_file(dfd, BIN_NAME, self, len, 0755)) {
		xc_info("%s/%s: unchanged (%s)", dir, BIN_NAME, XC_VERSION);
		free(self);
		return 0;
	}
	rc = write_atomic(dfd, dir, BIN_NAME, self, len, 0755);
	if (!rc)
		xc_info("%s/%s: installed %s (%zu bytes)", dir, BIN_NAME, XC_VERSION, len);
	free(self);
	return rc;
}

/* Our link: exactly what ensure_link makes (any other target may be stale). */
static int is_ours(int dfd, const char *name)
{
	char target[sizeof(BIN_NAME) + 1];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target));

	return n == (ssize_t)sizeof(BIN_NAME) - 1 && !memcmp(target, BIN_NAME, (size_t)n);
}

/*
 * Make dir/name a symlink to our binary. A relative target, so the link
 * is right both on the host and where the host dir is mounted elsewhere,
 * and it follows every upgrade of the binary with no further step.
 * Something else of that name is replaced; with `backup`, a hard link to
 * it is kept first as NAME.pre-xcluster (an earlier backup is kept).
 */
static int ensure_link(int dfd, const char *dir, const char *name, int backup)
{
	char tmp[NAME_MAX + 1], keep[NAME_MAX + 1];
	struct stat st;

	if (is_ours(dfd, name)) {
		xc_debug("%s/%s: unchanged", dir, name);
		return 0;
	}
	if (backup && !fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		snprintf(keep, sizeof(keep), "%s" BACKUP_SUFFIX, name);
		if (!linkat(dfd, name, dfd, keep, 0))
			xc_warn("%s/%s: replaced; the old one is kept as %s", dir, name, keep);
		else if (errno == EEXIST)
			xc_warn("%s/%s: replaced; %s of an earlier run kept", dir, name, keep);
		else
			return fail_errno("cannot keep a copy of", dir, name, errno);
	}
	tmp_name(tmp, sizeof(tmp), name);
	if (symlinkat(BIN_NAME, dfd, tmp))
		return fail_errno("cannot write in", dir, NULL, errno);
	if (renameat(dfd, tmp, dfd, name)) {
		int e = errno;

		unlinkat(dfd, tmp, 0);
		return fail_errno("cannot write", dir, name, e);
	}
	if (sync_dir(dfd))
		return fail_errno("cannot sync", dir, NULL, errno);
	xc_info("%s/%s -> %s", dir, name, BIN_NAME);
	return 0;
}

/*
 * containerd's CRI runs "loopback" for every pod: a node without one gets
 * ours. One that is there (a package's, the distribution's) works and is
 * its owner's to update, so it stays; a link to nothing counts as none.
 */
static int install_loopback(int dfd, const char *dir)
{
	struct stat st;

	if (is_ours(dfd, "loopback") || (fstatat(dfd, "loopback", &st, 0) && errno == ENOENT))
		return ensure_link(dfd, dir, "loopback", 0);
	xc_info("%s/loopback: another loopback plugin, left alone", dir);
	return 0;
}

static int install_links(int dfd, const char *dir, int take_over)
{
	char name[64];
	int rc = 0;

	for (size_t i = 0; i < sizeof(plugins) / sizeof(plugins[0]) && !rc; i++) {
		snprintf(name, sizeof(name), "xcluster-%s", plugins[i]);
		/* xcluster-* is our namespace: whatever holds such a name is ours to replace. */
		rc = ensure_link(dfd, dir, name, 0);
		if (!rc && take_over && i < TAKE_OVER)
			rc = ensure_link(dfd, dir, plugins[i], 1);
	}
	return rc ? rc : install_loopback(dfd, dir);
}

/* --- MTU ------------------------------------------------------------------- */

static int if_mtu(const char *ifname)
{
	struct ifreq ifr;
	int fd, rc;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -EINVAL;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = ioctl(fd, SIOCGIFMTU, &ifr) ? -errno : ifr.ifr_mtu;
	close(fd);
	return rc;
}

/* The interface that holds address `ip`, into ifname[IF_NAMESIZE]. */
static int iface_of(const struct xc_ip *ip, char *ifname)
{
	struct ifaddrs *all, *a;
	int rc = -ENOENT;

	if (getifaddrs(&all))
		return -errno;
	for (a = all; a && rc; a = a->ifa_next) {
		const void *p;

		if (!a->ifa_addr || a->ifa_addr->sa_family != ip->family)
			continue;
		if (ip->family == AF_INET)
			p = &((const struct sockaddr_in *)(const void *)a->ifa_addr)->sin_addr;
		else
			p = &((const struct sockaddr_in6 *)(const void *)a->ifa_addr)->sin6_addr;
		if (!memcmp(p, ip->a, (size_t)xc_ip_bytes(ip->family))) {
			snprintf(ifname, IF_NAMESIZE, "%s", a->ifa_name);
			rc = 0;
		}
	}
	freeifaddrs(all);
	return rc;
}

/* Best default route seen so far while walking the main table. */
struct default_route {
	uint32_t metric;
	int oif;
};

static int pick_default(const struct xc_route *r, void *arg)
{
	struct default_route *best = arg;

	if (r->dst.len == 0 && r->oif > 0 && r->type == RTN_UNICAST &&
	    r->table == RT_TABLE_MAIN && (!best->oif || r->metric < best->metric)) {
		best->metric = r->metric;
		best->oif = r->oif;
	}
	return 0;
}

/*
 * The interface of the default route with the lowest metric (IPv4 first),
 * from the kernel's main table in this process's network namespace: the
 * host's under hostNetwork.
 */
static int default_route_if(char *ifname, int *family)
{
	static const int families[] = { AF_INET, AF_INET6 };
	static uint32_t nlbuf[XC_NL_BUFSIZE / 4];
	struct xc_link link;
	struct xc_nl nl;
	int rc = -ENOENT;

	if (xc_nl_open(&nl, nlbuf, sizeof(nlbuf)))
		return -ENOENT;
	for (size_t i = 0; i < 2 && rc; i++) {
		struct default_route best = { 0, 0 };

		if (xc_nl_route_list(&nl, families[i], RT_TABLE_MAIN, 0, pick_default, &best) ||
		    !best.oif || xc_nl_link_get_index(&nl, best.oif, &link))
			continue;
		snprintf(ifname, IF_NAMESIZE, "%s", link.name);
		*family = families[i];
		rc = 0;
	}
	xc_nl_close(&nl);
	return rc;
}

/* The base (underlay) MTU and the underlay's family, from the options. */
static int base_mtu(const struct opts *o, int *family)
{
	char ifname[IF_NAMESIZE + 1];
	const char *how;
	struct xc_ip ip;
	int mtu, route_family;

	*family = AF_INET;
	if (o->node_ip) {
		if (xc_ip_parse(o->node_ip, &ip)) {
			xc_err("node IP '%s' is not an address", o->node_ip);
			return -EINVAL;
		}
		*family = ip.family;
	}
	if (o->mtu)
		return o->mtu;
	if (o->mtu_from) {
		if (strlen(o->mtu_from) >= IF_NAMESIZE) {
			xc_err("--mtu-from %s: not an interface name", o->mtu_from);
			return -EINVAL;
		}
		snprintf(ifname, sizeof(ifname), "%s", o->mtu_from);
		how = "given";
	} else if (o->node_ip && !iface_of(&ip, ifname)) {
		how = "holds the node IP";
	} else {
		if (o->node_ip)
			xc_warn("no interface holds the node IP %s; using the default route's",
				o->node_ip);
		/* A node IP's family wins over the route's for the underlay. */
		if (default_route_if(ifname, o->node_ip ? &route_family : family)) {
			xc_err("cannot find the node's interface (no node IP, no default route): "
			       "pass --node-ip, --mtu-from or --mtu");
			return -ENOENT;
		}
		how = "default route";
	}
	mtu = if_mtu(ifname);
	if (mtu < 0) {
		xc_err("cannot read the MTU of interface '%s': %s", ifname, strerror(-mtu));
		return mtu;
	}
	xc_info("base MTU %d from %s (%s)", mtu, ifname, how);
	return mtu;
}

/*
 * The mode whose packets the pods' MTU must fit: the router's, resolved as
 * the router resolves it (xc_tunnel_pick: by default sit where this kernel
 * has it, none in an IPv6-only cluster; auto carries sit or vxlan), so
 * that the two containers of the DaemonSet never disagree.
 */
static int carried_mode(const struct opts *o, int family)
{
	static uint32_t nlbuf[XC_NL_BUFSIZE / 4];
	static struct xc_rt_env env;
	struct xc_tunnel t;
	struct xc_nl nl;
	int m = -1;

	if (o->tunnel && *o->tunnel && (m = xc_tunnel_mode_parse(o->tunnel)) < 0) {
		xc_err("unknown tunnel mode '%s' (%s, or unset for the default)", o->tunnel,
		       xc_tunnel_mode_list());
		return -EINVAL;
	}
	if (m >= 0 && m != XC_RT_AUTO)
		return m;
	(family == AF_INET6 ? &env.self6 : &env.self4)->family = (uint8_t)family;
	if (xc_nl_open(&nl, nlbuf, sizeof(nlbuf))) {
		xc_err("netlink: cannot ask the kernel which tunnels it has");
		return -EIO;
	}
	xc_tunnel_init(&t);
	m = xc_tunnel_pick(&t, &nl, m, &env, 1);
	xc_tunnel_free(&t);
	xc_nl_close(&nl);
	return m == XC_RT_AUTO ? env.tunnel : m;
}

static int pod_mtu(const struct opts *o)
{
	int family, mtu, m, over;

	mtu = base_mtu(o, &family);
	if (mtu < 0)
		return mtu;
	m = carried_mode(o, family);
	if (m < 0)
		return m;
	over = xc_tunnel_overhead(m, family);
	xc_info("tunnel mode %s (TUNNEL_MODE %s): %d bytes of overhead", xc_tunnel_mode_name(m),
		o->tunnel && *o->tunnel ? o->tunnel : "unset", over);
	mtu -= over;
	if (mtu < MTU_MIN) {
		xc_err("pod MTU %d (tunnel %s) is below %d", mtu, xc_tunnel_mode_name(m), MTU_MIN);
		return -ERANGE;
	}
	if (mtu < 1280)
		xc_warn("pod MTU %d is below 1280: IPv6 will not work in pods", mtu);
	return mtu;
}

/* --- the network configuration --------------------------------------------- */

/* ipam.routes of a second network: each CIDR via its gateway on that bridge. */
static void routes(struct xc_json_out *o, const struct opts *op)
{
	char s[XC_IP_STRLEN];

	if (!op->nroutes)
		return;
	xc_json_key(o, "routes");
	xc_json_arr(o);
	for (int i = 0; i < op->nroutes; i++) {
		xc_prefix_format(&op->routes[i], s, sizeof(s));
		xc_json_obj(o);
		xc_json_key(o, "dst");
		xc_json_string(o, s);
		xc_json_end(o);
	}
	xc_json_end(o);
}

static long conflist(char *buf, size_t size, int mtu, const struct opts *op)
{
	struct xc_json_out o;
	long n;

	xc_json_out_init(&o, buf, size - 1, 2);
	xc_json_obj(&o);
	xc_json_key(&o, "cniVersion");
	xc_json_string(&o, CNI_VERSION);
	xc_json_key(&o, "name");
	xc_json_string(&o, op->secondary ? op->secondary : NET_NAME);
	xc_json_key(&o, "plugins");
	xc_json_arr(&o);
	xc_json_obj(&o);
	xc_json_key(&o, "type");
	xc_json_string(&o, "xcluster-bridge");
	xc_json_key(&o, "bridge");
	xc_json_string(&o, op->bridge);
	xc_json_key(&o, "isGateway");
	xc_json_boolean(&o, 1);
	xc_json_key(&o, "isDefaultGateway");
	xc_json_boolean(&o, !op->secondary);
	/* a pod reaching its own hostPort comes back through its own port */
	xc_json_key(&o, "hairpinMode");
	xc_json_boolean(&o, 1);
	xc_json_key(&o, "mtu");
	xc_json_int64(&o, mtu);
	xc_json_key(&o, "ipam");
	xc_json_obj(&o);
	xc_json_key(&o, "type");
	xc_json_string(&o, "xcluster-node-local");
	routes(&o, op);
	xc_json_end(&o);
	xc_json_end(&o);
	/* hostPorts on the primary network only: a second portmap would claim them twice */
	if (!op->secondary) {
		xc_json_obj(&o);
		xc_json_key(&o, "type");
		xc_json_string(&o, "xcluster-portmap");
		xc_json_key(&o, "capabilities");
		xc_json_obj(&o);
		xc_json_key(&o, "portMappings");
		xc_json_boolean(&o, 1);
		xc_json_end(&o);
		xc_json_end(&o);
	}
	xc_json_end(&o);
	xc_json_end(&o);
	n = xc_json_out_end(&o);
	if (n < 0)
		return n;
	buf[n++] = '\n';
	return n;
}

/* libcni loads these; a runtime takes the first in byte order. */
static int is_conf(const char *name)
{
	static const char *const ext[] = { ".conf", ".conflist", ".json" };
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t e = strlen(ext[i]);

		if (n > e && !strcmp(name + n - e, ext[i]))
			return 1;
	}
	return 0;
}

/* Warn about (or with `disable`, rename) other configs that would win over ours. */
static int check_foreign(int dfd, const char *dir, int disable)
{
	char to[NAME_MAX + 1];
	struct dirent *de;
	struct stat st;
	int fd = dup(dfd), rc = 0;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return fail_errno("cannot list", dir, NULL, errno);
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (!is_conf(de->d_name) || !strcmp(de->d_name, CONF_NAME) ||
		    fstatat(dfd, de->d_name, &st, 0) || S_ISDIR(st.st_mode))
			continue;
		if (strcmp(de->d_name, CONF_NAME) > 0) {
			xc_info("%s/%s: another network config, after ours (left alone)",
				dir, de->d_name);
			continue;
		}
		if (!disable) {
			xc_warn("%s/%s sorts before %s: the runtime uses it, not xcluster-cni "
				"(left alone; --disable-foreign renames it)", dir, de->d_name, CONF_NAME);
			continue;
		}
		if (snprintf(to, sizeof(to), "%s" DISABLED_SUFFIX, de->d_name) >= (int)sizeof(to)) {
			rc = fail_errno("cannot disable", dir, de->d_name, ENAMETOOLONG);
			break;
		}
		if (renameat(dfd, de->d_name, dfd, to)) {
			rc = fail_errno("cannot disable", dir, de->d_name, errno);
			break;
		}
		xc_warn("%s/%s: disabled (renamed to %s)", dir, de->d_name, to);
	}
	closedir(d);
	if (!rc && disable && sync_dir(dfd))
		rc = fail_errno("cannot sync", dir, NULL, errno);
	return rc;
}

static int install_conf(int dfd, const char *dir, int mtu, const struct opts *o)
{
	char buf[2048], name[NAME_MAX + 1];
	long n = conflist(buf, sizeof(buf), mtu, o);
	int rc;

	if (n < 0) {
		xc_err("cannot build the network configuration: %s", strerror((int)-n));
		return (int)n;
	}
	snprintf(name, sizeof(name), o->secondary ? "20-%s.conflist" : CONF_NAME, o->secondary);
	if (same_file(dfd, name, buf, (size_t)n, 0644)) {
		xc_info("%s/%s: unchanged (MTU %d)", dir, name, mtu);
	} else {
		rc = write_atomic(dfd, dir, name, buf, (size_t)n, 0644);
		if (rc)
			return rc;
		xc_info("%s/%s: written (MTU %d)", dir, name, mtu);
	}
	/* a second network's config sorts after the first on purpose */
	return o->secondary ? 0 : check_foreign(dfd, dir, o->disable_foreign);
}

/* --- main ------------------------------------------------------------------ */

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

/*
 * A second network's name becomes a file and a directory name: node-local's
 * rule for it. (The bridge plugin checks the bridge's name itself.)
 */
static int check_secondary(struct opts *o)
{
	struct xc_cni_err err;

	if (!o->bridge)
		o->bridge = o->secondary ? "xcbr1" : BRIDGE_DEV;
	/* 20-NAME.conflist must fit a file name */
	if (o->secondary && (strlen(o->secondary) > NAME_MAX - 12 ||
			     xc_cni_valid_name(o->secondary, &err)))
		return xc_err("--secondary %s: not a network name (letters, digits, '_', '.', "
			      "'-', at most %d bytes)", o->secondary, NAME_MAX - 12), -EINVAL;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "bin-dir", required_argument, NULL, 'b' },
		{ "conf-dir", required_argument, NULL, 'c' },
		{ "tunnel-mode", required_argument, NULL, 't' },
		{ "node-ip", required_argument, NULL, 'n' },
		{ "mtu-from", required_argument, NULL, 'f' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "take-over-bridge", no_argument, NULL, 'T' },
		{ "disable-foreign", no_argument, NULL, 'D' },
		{ "no-conf", no_argument, NULL, 'N' },
		{ "secondary", required_argument, NULL, 'S' },
		{ "bridge", required_argument, NULL, 'B' },
		{ "routes", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	char *end, e[128];
	long v;
	int c;

	o->bin_dir = env_or("CNI_BIN_DIR", "/opt/cni/bin");
	o->conf_dir = env_or("CNI_CONF_DIR", "/etc/cni/net.d");
	o->tunnel = env_or("TUNNEL_MODE", NULL);
	o->node_ip = env_or("NODE_IP", NULL);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->bin_dir = optarg;
			break;
		case 'c':
			o->conf_dir = optarg;
			break;
		case 't':
			o->tunnel = optarg;
			break;
		case 'n':
			o->node_ip = optarg;
			break;
		case 'f':
			o->mtu_from = optarg;
			break;
		case 'T':
			o->take_over = 1;
			break;
		case 'D':
			o->disable_foreign = 1;
			break;
		case 'N':
			o->no_conf = 1;
			break;
		case 'S':
			o->secondary = optarg;
			break;
		case 'B':
			o->bridge = optarg;
			break;
		case 'R':
			o->nroutes = xc_masq_parse_cidrs(optarg, o->routes, 8, e, sizeof(e));
			if (o->nroutes < 0)
				return xc_err("--routes: %s", e), -EINVAL;
			break;
		case 'm':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < MTU_MIN || v > MTU_MAX) {
				xc_err("--mtu %s: want a number from %d to %d", optarg, MTU_MIN, MTU_MAX);
				return -EINVAL;
			}
			o->mtu = (int)v;
			break;
		default:
			xc_err("unknown option or missing value: %s (see --help)", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		xc_err("unexpected argument '%s' (see --help)", argv[optind]);
		return -EINVAL;
	}
	return check_secondary(o);
}

int install_main(int argc, char **argv)
{
	struct opts o = { 0 };
	int bin_fd, conf_fd = -1, mtu = 0, rc;

	xc_log_init("install", 0);
	if (parse_args(argc, argv, &o))
		return 2;
	/* Everything that can be refused is checked before anything is written. */
	if (!o.no_conf && (mtu = pod_mtu(&o)) < 0)
		return 1;
	bin_fd = open_dir("CNI bin dir", o.bin_dir);
	if (bin_fd < 0)
		return 1;
	if (!o.no_conf && (conf_fd = open_dir("CNI conf dir", o.conf_dir)) < 0) {
		close(bin_fd);
		return 1;
	}
	remove_stale(bin_fd, o.bin_dir);
	rc = install_binary(bin_fd, o.bin_dir);
	if (!rc)
		rc = install_links(bin_fd, o.bin_dir, o.take_over);
	/* The config goes last: it makes the node Ready, so the plugin must be there first. */
	if (!rc && conf_fd >= 0) {
		remove_stale(conf_fd, o.conf_dir);
		rc = install_conf(conf_fd, o.conf_dir, mtu, &o);
	}
	close(bin_fd);
	if (conf_fd >= 0)
		close(conf_fd);
	return rc ? 1 : 0;
}
