/*
 * fdio: whole buffers and small files through a descriptor (see fdio.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/deadline.h"
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

static int file_open(int dirfd, const char *path, int flags, struct stat *st)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | flags);
	int e = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0)
		e = -errno;
	else if (!S_ISREG(st->st_mode))
		e = -EBADFD;
	if (e)
		close(fd);
	return e ? e : fd;
}

int xc_file_open(int dirfd, const char *path, int flags)
{
	struct stat st;

	return file_open(dirfd, path, flags, &st);
}

ssize_t xc_read_some(int fd, void *buf, size_t size)
{
	ssize_t n;

	while ((n = read(fd, buf, size)) < 0 && errno == EINTR)
		;
	return n < 0 ? -errno : n;
}

ssize_t xc_file_read(int dirfd, const char *path, int flags, char *buf, size_t size)
{
	struct stat st;
	ssize_t len;
	int fd;

	if (size < 1)
		return -EINVAL;
	fd = file_open(dirfd, path, flags, &st);
	if (fd < 0)
		return fd;
	/*
	 * A read short of what was asked that brings exactly the size fstat
	 * gave is the end: no second read to see 0 (one syscall of the few
	 * an IPAM call makes per file). Files whose size says nothing (procfs,
	 * sysfs: 0 or a page) and anything else go on to the read that ends;
	 * 0 from a read of a room of one or more is the end too.
	 */
	len = size > 1 ? xc_read_some(fd, buf, size - 1) : 0;
	if (size == 1 || (len > 0 && (len != st.st_size || (size_t)len == size - 1))) {
		ssize_t more = xc_read_full(fd, buf + len, size - 1 - (size_t)len);

		len = more < 0 ? more : len + more;
	}
	close(fd);
	if (len >= 0)
		buf[len] = '\0';
	return len;
}

/* One send (POLLOUT) or recv (POLLIN) that moves something, waiting until the deadline. */
static ssize_t sock_some(int fd, void *buf, size_t len, int64_t deadline, short dir)
{
	ssize_t n;
	int r;

	for (;;) {
		n = dir == POLLOUT ? send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT)
				   : recv(fd, buf, len, MSG_DONTWAIT);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		r = xc_wait_fd(fd, dir, deadline);
		if (r)
			return r;
	}
}

ssize_t xc_send_some(int fd, const void *buf, size_t len, int64_t deadline)
{
	return sock_some(fd, (void *)buf, len, deadline, POLLOUT);
}

ssize_t xc_recv_some(int fd, void *buf, size_t size, int64_t deadline)
{
	return sock_some(fd, buf, size, deadline, POLLIN);
}
