/*
 * fdio: whole buffers and small files through a descriptor, with EINTR
 * and short transfers handled in one place.
 *
 * A read either gets everything there is or fails: a read error is never
 * returned as a short file, and input larger than the caller's buffer is
 * -EFBIG, never silently cut. Opening a file for xc_file_read never blocks
 * (O_NONBLOCK: a FIFO planted at the path reads as nothing instead of
 * hanging a CNI call) and accepts regular files only.
 *
 * Sockets: xc_send_some and xc_recv_some move what they can without
 * blocking and wait for the socket only until a deadline (deadline.h), so
 * a loop of them cannot stretch a timeout; HTTP and TLS use them.
 *
 * core/ opens files with openat(2), AT_FDCWD for a plain path, never
 * open(3): musl's open() follows every O_CLOEXEC with an fcntl, one more
 * system call per file of a CNI call (each costs 10-20 us on the VMs this
 * is measured on).
 *
 * Names: xc_file_ xc_read_ xc_recv_ xc_send_ xc_write_
 */
#ifndef XC_FDIO_H
#define XC_FDIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Read fd to its end into buf[0..size). Returns the byte count, -EFBIG
 * when there is more than size bytes (one byte past size is read to know),
 * or a negative errno (-EAGAIN from a non-blocking descriptor with nothing
 * yet is an error too: callers of this want whole inputs).
 */
ssize_t xc_read_full(int fd, void *buf, size_t size);

/* Exactly size bytes from fd into buf. Returns 0, -EIO when it ends before, or a negative errno. */
int xc_read_exact(int fd, void *buf, size_t size);

/* Write all of buf[0..len) to fd. Returns 0, or a negative errno (-EIO when write says 0). */
int xc_write_full(int fd, const void *buf, size_t len);

/*
 * Open the regular file at path (relative to dirfd, which may be
 * AT_FDCWD) for reading: `flags` are added to O_RDONLY | O_CLOEXEC |
 * O_NONBLOCK | O_NOCTTY (O_NOFOLLOW where a symlink must not be followed).
 * Returns the descriptor, or a negative errno: that of open(2) (-ELOOP for
 * a symlink with O_NOFOLLOW), or -EBADFD when it is not a regular file.
 */
int xc_file_open(int dirfd, const char *path, int flags);

/*
 * The regular file at path (as xc_file_open opens it) into buf,
 * NUL-terminated: at most size - 1 bytes. Returns the length, or a
 * negative errno: xc_file_open's, -EFBIG when it holds size bytes or more,
 * or a read error.
 */
ssize_t xc_file_read(int dirfd, const char *path, int flags, char *buf, size_t size);

/*
 * One read(2) into buf[0..size), EINTR retried: for input streamed in
 * pieces. Returns the count (0 at the end), or a negative errno.
 */
ssize_t xc_read_some(int fd, void *buf, size_t size);

/*
 * Send some of buf[0..len) on a socket: send(2) with MSG_DONTWAIT and
 * MSG_NOSIGNAL (a peer gone is -EPIPE, not a signal), EINTR retried,
 * waiting for room until `deadline`. Returns the count sent (> 0 when
 * len > 0), or the wait's -EAGAIN (deadline 0) or -ETIMEDOUT, or -errno.
 */
ssize_t xc_send_some(int fd, const void *buf, size_t len, int64_t deadline);

/*
 * Receive some bytes into buf[0..size) from a socket: recv(2) with
 * MSG_DONTWAIT, EINTR retried, waiting for data until `deadline`. Returns
 * the count (> 0), 0 at the end of the stream, the wait's -EAGAIN or
 * -ETIMEDOUT, or -errno.
 */
ssize_t xc_recv_some(int fd, void *buf, size_t size, int64_t deadline);

#endif
