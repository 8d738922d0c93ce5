/* deadline: monotonic milliseconds, and waiting on a descriptor until one. */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "base/deadline.h"

int64_t xc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t xc_deadline(int timeout_ms)
{
	if (timeout_ms < 0)
		return -1;
	return timeout_ms ? xc_now_ms() + timeout_ms : 0;
}

int xc_deadline_left(int64_t deadline)
{
	int64_t left;

	if (deadline <= 0)
		return (int)deadline;
	left = deadline - xc_now_ms();
	if (left <= 0)
		return -2;
	return left > 1000000 ? 1000000 : (int)left;
}

int xc_wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int ms, r;

	for (;;) {
		ms = xc_deadline_left(deadline);
		if (ms == 0)
			return -EAGAIN;
		if (ms == -2)
			return -ETIMEDOUT;
		r = poll(&p, 1, ms);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}
