/*
 * deadline: monotonic milliseconds, and waiting on a descriptor until one.
 *
 * A deadline is an absolute CLOCK_MONOTONIC time in milliseconds, so a
 * loop of short reads cannot stretch a timeout: each wait gets what is
 * left. Two values are special: -1 means never, 0 means do not wait at all
 * (poll once).
 *
 * Names: xc_deadline xc_now_ xc_wait_
 */
#ifndef XC_DEADLINE_H
#define XC_DEADLINE_H

#include <stdint.h>

/* CLOCK_MONOTONIC now, in milliseconds. */
int64_t xc_now_ms(void);

/*
 * The deadline `timeout_ms` from now: -1 for a negative timeout (never),
 * 0 for 0 (do not wait), else now plus the timeout.
 */
int64_t xc_deadline(int timeout_ms);

/*
 * What is left of `deadline`, as a poll(2) timeout: -1 (never), 0 (do not
 * wait), 1..1000000 ms (capped, so a caller can recheck its own state now
 * and then), or -2 when the deadline has passed.
 */
int xc_deadline_left(int64_t deadline);

/*
 * Wait until `fd` is ready for `events` (POLLIN, POLLOUT) or the deadline
 * passes; poll(2)'s EINTR is retried. Returns 0 when ready, -EAGAIN for a
 * deadline of 0 (the caller asked not to wait), -ETIMEDOUT once it has
 * passed, or -errno from poll(2).
 */
int xc_wait_fd(int fd, short events, int64_t deadline);

#endif
