/*
 * podcidr_cache: this node's pod CIDRs on disk (see podcidr_cache.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/podcidr_cache.h"

#define FILE_MAX 4096

int xc_podcidr_from_node(const struct xc_k8s_node *n, int annot_index,
			 struct xc_prefix *out, int max)
{
	int i, count;

	if (annot_index >= 0 && annot_index < XC_K8S_ANNOT_MAX &&
	    n->annot_len[annot_index] != XC_K8S_ANNOT_ABSENT) {
		if (n->annot_len[annot_index] < 0)
			return -EINVAL;
		count = xc_k8s_parse_cidr_list(n->annot[annot_index], out, max);
		if (count)
			return count;
	}
	if (!n->ncidrs)
		return -ENODATA;
	if (n->ncidrs > max)
		return -E2BIG;
	for (i = 0; i < n->ncidrs; i++)
		out[i] = n->cidr[i];
	return n->ncidrs;
}

/* A name that is one path component: no '/', not "." or "..". */
static int component(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

static int folder(const char *data_dir, const char *network, char *dir, size_t size)
{
	char *p;

	if (!data_dir || !*data_dir || !network || !component(network))
		return -EINVAL;
	if ((size_t)snprintf(dir, size, "%s/%s", data_dir, network) >= size)
		return -ENAMETOOLONG;
	/* mkdir -p: the data dir may not exist before the first pod */
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static ssize_t read_all(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (len < size && (n = read(fd, buf + len, size - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		len += (size_t)n;
	}
	close(fd);
	return (ssize_t)len;
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int xc_podcidr_cache_write(const char *data_dir, const char *network, const char *node,
			   const struct xc_prefix *cidrs, int n)
{
	char dir[4096], path[4200], tmp[4200], text[FILE_MAX], old[FILE_MAX + 1], cidr[XC_IP_STRLEN];
	struct stat st;
	size_t len;
	ssize_t olen;
	int fd, rc, i;

	if (n < 1 || n > XC_PODCIDR_MAX)
		return -EINVAL;
	len = (size_t)snprintf(text, sizeof(text), "# pod CIDRs of node %.253s, "
			       "written by xcluster-cni\n", node && *node ? node : "?");
	for (i = 0; i < n; i++) {
		if (xc_prefix_format(&cidrs[i], cidr, sizeof(cidr)))
			return -EINVAL;
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n", cidr);
	}
	rc = folder(data_dir, network, dir, sizeof(dir));
	if (rc)
		return rc;
	/* node-local opens the network dir O_NOFOLLOW: never write through a link */
	if (lstat(dir, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
	snprintf(path, sizeof(path), "%s/%s", dir, XC_PODCIDR_FILE);
	olen = read_all(path, old, sizeof(old));
	if (olen == (ssize_t)len && !memcmp(old, text, len))
		return 0;
	snprintf(tmp, sizeof(tmp), "%s/.%s.%d", dir, XC_PODCIDR_FILE, (int)getpid());
	/* a fresh inode: whatever sits at tmp (a hard link to another file) is not ours */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, text, len);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	/* the rename itself must survive a crash too */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 1;
}

int xc_podcidr_cache_update(const char *data_dir, const char *network,
			    const struct xc_k8s_node *node, int annot_index)
{
	struct xc_prefix p[XC_PODCIDR_MAX];
	int n = xc_podcidr_from_node(node, annot_index, p, XC_PODCIDR_MAX);

	if (n < 0)
		return n;
	return xc_podcidr_cache_write(data_dir, network, node->name, p, n);
}

int xc_podcidr_cache_read(const char *data_dir, const char *network,
			  struct xc_prefix *out, int max)
{
	char path[4200], buf[FILE_MAX + 1], *line, *next, *hash, *e;
	ssize_t len;
	int n = 0;

	if (!data_dir || !network || !component(network))
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s/%s", data_dir, network,
			     XC_PODCIDR_FILE) >= sizeof(path))
		return -ENAMETOOLONG;
	len = read_all(path, buf, sizeof(buf) - 1);
	if (len < 0)
		return (int)len;
	buf[len] = 0;
	for (line = buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if ((hash = strchr(line, '#')))
			*hash = 0;
		line += strspn(line, " \t\r");
		for (e = line + strlen(line); e > line && strchr(" \t\r", e[-1]); e--)
			;
		*e = 0;
		if (!*line)
			continue;
		if (n == max)
			return -E2BIG;
		if (xc_prefix_parse(line, &out[n]))
			return -EINVAL;
		n++;
	}
	return n;
}

int xc_podcidr_fetch(const struct xc_podcidr_req *r, struct xc_k8s_client *k,
		     char *buf, size_t size, struct xc_prefix *out, int max, int *insecure)
{
	struct xc_k8s_select sel = { .annot = { r->annotation, NULL } };
	char name[XC_K8S_NAME_MAX + 1];
	struct xc_k8s_node node;
	int rc, n;

	if (insecure)
		*insecure = 0;
	k->err[0] = 0;
	if (r->node && *r->node) {
		snprintf(name, sizeof(name), "%s", r->node);
	} else if ((rc = xc_k8s_node_name(name, sizeof(name)))) {
		snprintf(k->err, sizeof(k->err), "this node's name: not in NODE_NAME, "
			 "and no usable host name");
		return rc;
	}
	rc = xc_k8s_client_init(k, r->k8s);
	if (rc)
		return rc;
	if (insecure)
		*insecure = k->insecure;
	k->http.connect_timeout_ms = k->http.timeout_ms = r->timeout_ms > 0 ? r->timeout_ms : 5000;
	rc = xc_k8s_get_node(k, name, &sel, buf, size, &node);
	xc_k8s_client_close(k);
	if (rc)
		return rc;
	n = xc_podcidr_from_node(&node, r->annotation ? 0 : -1, out, max);
	if (n == -ENODATA) {
		snprintf(k->err, sizeof(k->err), "node %s has no pod CIDRs yet (spec.podCIDRs%s%.80s)",
			 name, r->annotation ? " and annotation " : "",
			 r->annotation ? r->annotation : "");
		return n;
	}
	if (n < 0) {
		snprintf(k->err, sizeof(k->err), "node %s: annotation %.80s: not a list of CIDRs",
			 name, r->annotation ? r->annotation : "");
		return n;
	}
	rc = xc_podcidr_cache_write(r->data_dir, r->network, name, out, n);
	if (rc < 0) {
		snprintf(k->err, sizeof(k->err), "%s/%.200s/%s: cannot write: %s", r->data_dir,
			 r->network, XC_PODCIDR_FILE, strerror(-rc));
		return rc;
	}
	return n;
}
