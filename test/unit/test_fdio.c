/* test_fdio: whole reads and writes, and small regular files (core/base/fdio.h). */
#include "base/deadline.h"
#include "base/fdio.h"
#include "t.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* A pipe holding text, its write end closed: a reader sees text, then EOF. */
static int pipe_with(const char *text)
{
	int p[2];

	if (pipe(p))
		return -1;
	if (write(p[1], text, strlen(text)) != (ssize_t)strlen(text))
		return -1;
	close(p[1]);
	return p[0];
}

static void test_read_full(void)
{
	char buf[8];
	int fd;

	fd = pipe_with("1234567");
	T_INT(xc_read_full(fd, buf, sizeof(buf)), 7);
	close(fd);
	fd = pipe_with("12345678");                    /* exactly the buffer */
	T_INT(xc_read_full(fd, buf, sizeof(buf)), 8);
	T(!memcmp(buf, "12345678", 8));
	close(fd);
	fd = pipe_with("123456789");                   /* one more: never a silent cut */
	T_INT(xc_read_full(fd, buf, sizeof(buf)), -EFBIG);
	close(fd);
	fd = pipe_with("");
	T_INT(xc_read_full(fd, buf, 0), 0);
	close(fd);
	T_INT(xc_read_full(-1, buf, sizeof(buf)), -EBADF);
	fd = pipe_with("abc");
	T_INT(xc_read_exact(fd, buf, 2), 0);
	T_INT(xc_read_exact(fd, buf, 2), -EIO);         /* ends before: an error */
	close(fd);
}

static void test_write_full(void)
{
	char big[200000], back[200001];
	int p[2];

	memset(big, 'x', sizeof(big));
	T_INT(pipe(p), 0);
	if (fork() == 0) {                              /* the reader, so the pipe drains */
		close(p[1]);
		_exit(xc_read_full(p[0], back, sizeof(back)) == (ssize_t)sizeof(big) ? 0 : 1);
	}
	close(p[0]);
	T_INT(xc_write_full(p[1], big, sizeof(big)), 0);
	close(p[1]);
	T_INT(pipe(p), 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	T_INT(xc_write_full(p[1], "x", 1), -EPIPE);     /* nobody reads: an error, no signal */
	close(p[1]);
}

static void test_file_read(void)
{
	char buf[8], path[128], pbuf[1024];
	int dfd;

	put("small", "1234567");
	T_INT(xc_file_read(AT_FDCWD, strcat(strcpy(path, dir), "/small"), 0, buf, sizeof(buf)), 7);
	T_STR(buf, "1234567");
	put("big", "12345678");                         /* no room for the NUL: too big */
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	T_INT(xc_file_read(dfd, "big", 0, buf, sizeof(buf)), -EFBIG);
	close(dfd);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	T_INT(mkfifo(path, 0600), 0);
	T_INT(xc_file_read(AT_FDCWD, path, 0, buf, sizeof(buf)), -EBADFD);   /* no hang */
	snprintf(path, sizeof(path), "%s/link", dir);
	T_INT(symlink("small", path), 0);
	T_INT(xc_file_read(AT_FDCWD, path, 0, buf, sizeof(buf)), 7);
	T_INT(xc_file_read(AT_FDCWD, path, O_NOFOLLOW, buf, sizeof(buf)), -ELOOP);
	T_INT(xc_file_read(AT_FDCWD, dir, 0, buf, sizeof(buf)), -EBADFD);    /* a directory */
	snprintf(path, sizeof(path), "%s/none", dir);
	T_INT(xc_file_read(AT_FDCWD, path, 0, buf, sizeof(buf)), -ENOENT);
	T_INT(xc_file_read(AT_FDCWD, path, 0, buf, 0), -EINVAL);
	/* Sizes around the one read that ends at fstat's size. */
	put("six", "123456");
	T_INT(xc_file_read(AT_FDCWD, strcat(strcpy(path, dir), "/six"), 0, buf, sizeof(buf)), 6);
	T_STR(buf, "123456");
	T_INT(xc_file_read(AT_FDCWD, path, 0, buf, 7), 6);      /* exactly the room */
	T_INT(xc_file_read(AT_FDCWD, path, 0, buf, 6), -EFBIG);
	T_INT(xc_file_read(AT_FDCWD, path, 0, buf, 1), -EFBIG);
	put("empty", "");
	T_INT(xc_file_read(AT_FDCWD, strcat(strcpy(path, dir), "/empty"), 0, buf, sizeof(buf)), 0);
	T_INT(xc_file_read(AT_FDCWD, path, 0, buf, 1), 0);
	T_STR(buf, "");
	/* procfs says size 0 for what it holds: read to the end all the same */
	T(xc_file_read(AT_FDCWD, "/proc/self/stat", 0, pbuf, sizeof(pbuf)) > 20);
	T(strchr(pbuf, ')') != NULL);
}

/* Sockets: what is there now, waits bounded by a deadline, the ends. */
static void test_socket_some(void)
{
	char big[1 << 16], buf[64];
	int sv[2];
	ssize_t n, total = 0;
	int64_t t0;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		T(0);
		return;
	}
	T_INT(xc_send_some(sv[0], "hello", 5, xc_deadline(1000)), 5);
	T_INT(xc_recv_some(sv[1], buf, sizeof(buf), xc_deadline(1000)), 5);
	T(!memcmp(buf, "hello", 5));
	/* nothing there: a deadline of 0 does not wait, a short one passes */
	T_INT(xc_recv_some(sv[1], buf, sizeof(buf), 0), -EAGAIN);
	t0 = xc_now_ms();
	T_INT(xc_recv_some(sv[1], buf, sizeof(buf), xc_deadline(50)), -ETIMEDOUT);
	T(xc_now_ms() - t0 >= 50);
	/* a full socket: sends what fits, then the deadline ends the wait */
	memset(big, 'x', sizeof(big));
	while ((n = xc_send_some(sv[0], big, sizeof(big), 0)) > 0)
		total += n;
	T_INT(n, -EAGAIN);
	T(total > 0);
	T_INT(xc_send_some(sv[0], big, sizeof(big), xc_deadline(50)), -ETIMEDOUT);
	/* the peer gone: end of stream for one side, -EPIPE (no signal) for the other */
	close(sv[1]);
	T_INT(xc_send_some(sv[0], "x", 1, xc_deadline(1000)), -EPIPE);
	close(sv[0]);
	if (!socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		close(sv[0]);
		T_INT(xc_recv_some(sv[1], buf, sizeof(buf), xc_deadline(1000)), 0);
		close(sv[1]);
	}
}

int main(void)
{
	static const char *const made[] = { "small", "big", "fifo", "link", "six", "empty" };
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/xc-fdio.XXXXXX");
	if (!mkdtemp(dir))
		return 2;
	test_read_full();
	test_write_full();
	test_file_read();
	test_socket_some();
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, made[i]);
		unlink(path);
	}
	T_INT(rmdir(dir), 0);
	return t_done("test_fdio");
}
