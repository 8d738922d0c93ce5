/*
 * fdio: whole buffers and small files through a descriptor (see fdio.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fdio.h"

ssize_t xc_read_full(int fd, void *buf, size_t size)
{
	char *p = buf, extra;
	size_t len = 0;
	ssize_t n;

	for (;;) {
		if (len < size)
			n = read(fd, p + len, size - len);
		else
			n = read(fd, &extra, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return (ssize_t)len;
		if (len == size)
			return -EFBIG;
		len += (size_t)n;
	}
}

int xc_read_exact(int fd, void *buf, size_t size)
{
	char *p = buf;
	ssize_t n;

	while (size) {
		n = read(fd, p, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

int xc_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
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

ssize_t xc_file_read(int dirfd, const char *path, int flags, char *buf, size_t size)
{
	struct stat st;
	ssize_t len;
	int fd;

	if (size < 1)
		return -EINVAL;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | flags);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		len = -errno;
	else if (!S_ISREG(st.st_mode))
		len = -EBADFD;
	else
		len = xc_read_full(fd, buf, size - 1);
	close(fd);
	if (len >= 0)
		buf[len] = '\0';
	return len;
}
