/*
 * sysctl: /proc/sys values by key. See sysctl.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

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

/* Open key's file, refusing anything that is not procfs. */
static int open_key(const char *key, int flags)
{
	char path[sizeof(PREFIX) + XC_SYSCTL_KEY_MAX];
	struct statfs sfs;
	int fd, err;

	err = xc_sysctl_path(key, path, sizeof(path));
	if (err)
		return err;
	fd = openat(AT_FDCWD, path, flags | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		return -ENOTSUP;
	}
	return fd;
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
