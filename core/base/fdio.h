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
 * Names: xc_file_ xc_read_ xc_write_
 */
#ifndef XC_FDIO_H
#define XC_FDIO_H

#include <stddef.h>
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
 * The regular file at path (relative to dirfd, which may be AT_FDCWD)
 * into buf, NUL-terminated: at most size - 1 bytes. `flags` are added to
 * O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY (O_NOFOLLOW where a symlink
 * must not be followed). Returns the length, or a negative errno: that of
 * open(2) (-ELOOP for a symlink with O_NOFOLLOW), -EBADFD when it is not a
 * regular file, -EFBIG when it holds size bytes or more, or a read error.
 */
ssize_t xc_file_read(int dirfd, const char *path, int flags, char *buf, size_t size);

#endif
