/*
 * netns: network namespaces by path. See netns.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/nsfs.h>

#include "kernel/netns.h"

/* Absolute, and no component that walks anywhere but down. */
static int path_ok(const char *path)
{
	const char *p = path;
	size_t n;

	if (!path || path[0] != '/')
		return -EINVAL;
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	while (*p) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		p += n;
	}
	return 0;
}

/*
 * Check that fd refers to a network namespace: 0, -ENOTSUP when it is not
 * on nsfs, -EMEDIUMTYPE when it is another kind of namespace.
 */
static int check_fd(int fd)
{
	struct statfs sfs;
	int type;

	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	if (sfs.f_type != NSFS_MAGIC)
		return -ENOTSUP;
	/* Kernels before 4.11 cannot tell the type; setns() still checks it. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		return errno == ENOTTY ? 0 : -errno;
	return type == CLONE_NEWNET ? 0 : -EMEDIUMTYPE;
}

/* The type of the namespace fd refers to, as lsns(8) names it ("mnt", ...), or NULL. */
static const char *ns_kind(int fd)
{
	static const struct { int type; const char *name; } kinds[] = {
		{ CLONE_NEWNET, "network" }, { CLONE_NEWNS, "mnt" },
		{ CLONE_NEWUTS, "uts" }, { CLONE_NEWIPC, "ipc" },
		{ CLONE_NEWPID, "pid" }, { CLONE_NEWUSER, "user" },
		{ CLONE_NEWCGROUP, "cgroup" }, { 0x00000080 /* CLONE_NEWTIME */, "time" },
	};
	int type = ioctl(fd, NS_GET_NSTYPE);

	for (size_t i = 0; type >= 0 && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].type == type)
			return kinds[i].name;
	return NULL;
}

int xc_netns_open_kind(const char *path, const char **kind)
{
	struct stat st;
	int fd, err;

	if (kind)
		*kind = NULL;

	err = path_ok(path);
	if (err)
		return err;
	/*
	 * Namespace files are regular files; refusing anything else before
	 * open() keeps device nodes (whose open has side effects) out.
	 */
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -ENOTSUP;
	fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	err = check_fd(fd);
	if (err == -EMEDIUMTYPE && kind)
		*kind = ns_kind(fd);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int xc_netns_open(const char *path)
{
	return xc_netns_open_kind(path, NULL);
}

/* Open the calling thread's own network namespace. */
static int open_self(void)
{
	int fd = openat(AT_FDCWD, "/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	/* /proc/thread-self is newer than 3.17; the main thread's is the same. */
	if (fd < 0 && errno == ENOENT)
		fd = openat(AT_FDCWD, "/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int xc_netns_enter(int nsfd, int *saved)
{
	int fd, err;

	*saved = -1;
	fd = open_self();
	if (fd < 0)
		return fd;
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	*saved = fd;
	return 0;
}

int xc_netns_return(int saved)
{
	int err = 0;

	if (saved < 0)
		return -EBADF;
	if (setns(saved, CLONE_NEWNET) < 0)
		err = -errno;
	close(saved);
	return err;
}

int xc_netns_is_current(int nsfd)
{
	struct stat a, b;
	int self, err = 0;

	self = open_self();
	if (self < 0)
		return self;
	if (fstat(self, &a) < 0 || fstat(nsfd, &b) < 0)
		err = -errno;
	close(self);
	if (err)
		return err;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}
