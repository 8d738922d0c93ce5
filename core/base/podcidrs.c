/*
 * podcidrs: the router's file of this node's pod CIDRs (see podcidrs.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fdio.h"
#include "base/podcidrs.h"

/* A name that is one path component: no '/', not "." or "..". */
static int component(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

#define REFUSED "refused "

/*
 * One line: a CIDR into out[*n], or nothing; 0, -E2BIG, -EINVAL, or
 * -EACCES for a refused CIDR (the line, trimmed, left at *refused).
 */
static int parse_line(char *line, struct xc_prefix *out, int *n, int max, char **refused)
{
	char *hash = strchr(line, '#'), *e;
	struct xc_prefix p;

	if (hash)
		*hash = '\0';
	line += strspn(line, " \t\r");
	for (e = line + strlen(line); e > line && strchr(" \t\r", e[-1]); e--)
		;
	*e = '\0';
	if (!*line)
		return 0;
	if (!strncmp(line, REFUSED, strlen(REFUSED))) {
		char c;
		int bad;

		line += strlen(REFUSED);
		e = line + strcspn(line, " \t");
		c = *e;
		*e = '\0';
		bad = xc_prefix_parse(line, &p);
		*e = c;
		if (bad)
			return -EINVAL;
		*refused = line;
		return -EACCES;
	}
	if (*n == max)
		return -E2BIG;
	if (xc_prefix_parse(line, &out[*n]))
		return -EINVAL;
	(*n)++;
	return 0;
}

int xc_podcidrs_read(const char *data_dir, const char *network, struct xc_prefix *out,
		     int max, char *why, size_t why_size)
{
	char path[4200], buf[XC_PODCIDRS_SIZE_MAX + 1], *line, *next, *refused = NULL;
	int n = 0, lineno, rc = 0;
	ssize_t len;

	if (!data_dir || !component(network))
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s/" XC_PODCIDRS_FILE, data_dir,
			     network) >= sizeof(path))
		return -ENAMETOOLONG;
	len = xc_file_read(AT_FDCWD, path, O_NOFOLLOW, buf, sizeof(buf));
	if (len < 0)
		return (int)len;
	for (line = buf, lineno = 1; line && !rc; line = next, lineno++) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		rc = parse_line(line, out, &n, max, &refused);
		if (rc == -EINVAL && why)
			snprintf(why, why_size, "line %d is not a CIDR: \"%.64s\"", lineno,
				 line + strspn(line, " \t\r"));
		else if (rc == -E2BIG && why)
			snprintf(why, why_size, "more than %d CIDRs", max);
		else if (rc == -EACCES && why)
			snprintf(why, why_size, "%s", refused);
	}
	return rc ? rc : n;
}

/* <data_dir>/<network> into dir, created (mkdir -p, 0755) when missing. */
static int folder(const char *data_dir, const char *network, char *dir, size_t size)
{
	char *p;

	if (!data_dir || !*data_dir || !component(network))
		return -EINVAL;
	if ((size_t)snprintf(dir, size, "%s/%s", data_dir, network) >= size)
		return -ENAMETOOLONG;
	/* the data dir may not exist before the first pod */
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

/* Does the file at path hold exactly text[0..len)? */
static int same_content(const char *path, const char *text, size_t len)
{
	char old[XC_PODCIDRS_SIZE_MAX + 1];
	ssize_t olen = xc_file_read(AT_FDCWD, path, O_NOFOLLOW, old, sizeof(old));

	return olen == (ssize_t)len && !memcmp(old, text, len);
}

/*
 * Write text to a new inode beside path, sync it, rename it over path (keep:
 * link it there instead, and leave a file already there alone: 0).
 */
static int put_file(const char *dir, const char *path, const char *text, size_t len, int keep)
{
	char tmp[4200];
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s/." XC_PODCIDRS_FILE ".%d", dir, (int)getpid());
	/* a fresh inode: whatever sits at tmp (a hard link to another file) is not ours */
	unlink(tmp);
	fd = openat(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	rc = xc_write_full(fd, text, len);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && (keep ? link(tmp, path) : rename(tmp, path)) < 0)
		rc = -errno;
	if (rc || keep)
		unlink(tmp);
	if (rc)
		return keep && rc == -EEXIST ? 0 : rc;
	/* the rename itself must survive a crash too */
	fd = openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return 1;
}

static int write_file(const char *data_dir, const char *network, const char *node,
		      const struct xc_prefix *cidrs, const char *const *refused, int n, int keep)
{
	char dir[4096], path[4200], text[XC_PODCIDRS_SIZE_MAX], cidr[XC_IP_STRLEN];
	struct stat st;
	size_t len;
	int rc, i;

	if (n < 1 || n > XC_PODCIDRS_MAX)
		return -EINVAL;
	len = (size_t)snprintf(text, sizeof(text), "# pod CIDRs of node %.253s, "
			       "written by xcluster-cni\n", node && *node ? node : "?");
	for (i = 0; i < n; i++) {
		if (xc_prefix_format(&cidrs[i], cidr, sizeof(cidr)))
			return -EINVAL;
		if (refused && refused[i]) {
			size_t at = len + strlen(REFUSED) + strlen(cidr) + 1;

			len += (size_t)snprintf(text + len, sizeof(text) - len, REFUSED "%s %.*s\n",
						cidr, XC_PODCIDRS_REASON_MAX, refused[i]);
			/* one line, read whole: no line break or comment inside a reason */
			for (; at + 1 < len; at++)
				if ((unsigned char)text[at] < ' ' || text[at] == '#')
					text[at] = '?';
		} else
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
	snprintf(path, sizeof(path), "%s/" XC_PODCIDRS_FILE, dir);
	if (same_content(path, text, len))
		return 0;
	return put_file(dir, path, text, len, keep);
}

int xc_podcidrs_write(const char *data_dir, const char *network, const char *node,
		      const struct xc_prefix *cidrs, const char *const *refused, int n)
{
	return write_file(data_dir, network, node, cidrs, refused, n, 0);
}

int xc_podcidrs_create(const char *data_dir, const char *network, const char *node,
		       const struct xc_prefix *cidrs, const char *const *refused, int n)
{
	return write_file(data_dir, network, node, cidrs, refused, n, 1);
}
