/*
 * sysctl: /proc/sys values by key. See sysctl.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>

#include "base/fdio.h"
#include "kernel/sysctl.h"

#define PREFIX "/proc/sys/"

/* Each component non-empty, not "." or "..", and printable without blanks. */
static int key_ok(const char *key, char sep)
{
	const char *p = key;
	size_t n;

	if (strlen(key) > XC_SYSCTL_KEY_MAX)
		return -ENAMETOOLONG;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return -EINVAL;
	for (p = key;; p += n + 1) {
		n = strcspn(p, sep == '/' ? "/" : ".");
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		if (!p[n])
			return 0;
	}
}

int xc_sysctl_path(const char *key, char *buf, size_t size)
{
	char sep = strchr(key, '/') ? '/' : '.';
	size_t i, plen = sizeof(PREFIX) - 1, klen;
	int err;

	err = key_ok(key, sep);
	if (err)
		return err;
	klen = strlen(key);
	if (plen + klen + 1 > size)
		return -ENAMETOOLONG;
	memcpy(buf, PREFIX, plen);
	for (i = 0; i <= klen; i++)
		buf[plen + i] = sep == '.' && key[i] == '.' ? '/' : key[i];
	return 0;
}

/* key's file by its full path, refusing anything whose filesystem is not procfs. */
static int open_checked(const char *path, int flags)
{
	struct statfs sfs;
	int fd = openat(AT_FDCWD, path, flags | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);

	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		return -ENOTSUP;
	}
	return fd;
}

/*
 * /proc/sys, opened once and found to be procfs: -1 before, -2 when it is
 * not to be had (the per-file check then does all). An ADD touches eight
 * keys: one check here instead of an fstatfs of each.
 */
static atomic_int sys_dir = -1;

void xc_sysctl_forget(void)
{
	atomic_store(&sys_dir, -1);
}

static int proc_sys_dir(void)
{
	struct statfs sfs;
	int fd = atomic_load(&sys_dir), want = -1;

	if (fd != -1)
		return fd;
	fd = openat(AT_FDCWD, PREFIX, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)) {
		close(fd);
		fd = -2;
	}
	if (fd < 0)
		fd = -2;
	/* two threads may race here; the loser keeps the winner's */
	if (!atomic_compare_exchange_strong(&sys_dir, &want, fd)) {
		if (fd >= 0)
			close(fd);
		fd = want;
	}
	return fd;
}

/*
 * Open key's file, refusing anything that is not procfs. Beneath a /proc/sys
 * that is, a file reached without crossing a mount (RESOLVE_NO_XDEV) or a
 * symlink is on the same procfs: no fstatfs of its own. A bind mount or a
 * symlink on the way (EXDEV, ELOOP), or a kernel without openat2 (< 5.6),
 * gets the per-file check.
 */
static int open_key(const char *key, int flags)
{
	char path[sizeof(PREFIX) + XC_SYSCTL_KEY_MAX];
	struct open_how how = {
		.flags = (unsigned)(flags | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY),
		.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH,
	};
	int dir, fd, err;

	err = xc_sysctl_path(key, path, sizeof(path));
	if (err)
		return err;
	dir = proc_sys_dir();
	if (dir < 0)
		return open_checked(path, flags);
	fd = (int)syscall(SYS_openat2, dir, path + sizeof(PREFIX) - 1, &how, sizeof(how));
	if (fd >= 0)
		return fd;
	/* no openat2: the per-file check from now on (the O_PATH descriptor stays) */
	if (errno == ENOSYS)
		atomic_store(&sys_dir, -2);
	if (errno == EXDEV || errno == ELOOP || errno == ENOSYS || errno == EPERM ||
	    errno == EINVAL)
		return open_checked(path, flags);
	return -errno;
}

int xc_sysctl_read(const char *key, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if (size < 2)
		return -ENOSPC;
	fd = open_key(key, O_RDONLY);
	if (fd < 0)
		return fd;
	/* proc_sys hands out the whole value in one read when it fits. */
	n = xc_read_some(fd, buf, size);
	close(fd);
	if (n < 0)
		return (int)n;
	if ((size_t)n == size)
		return -ENOSPC;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return (int)n;
}

int xc_sysctl_write(const char *key, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd, err = 0;

	fd = open_key(key, O_WRONLY);
	if (fd < 0)
		return fd;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}
