/*
 * test_health: core/router/health - the verdict with a fake clock, and the
 * answering thread over loopback while the "loop" (this thread) is busy.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "t.h"
#include "base/deadline.h"
#include "router/health.h"

static struct xc_health H;

/* GET path; the status (0: no answer) and the body's first line in line. */
static int get(unsigned port, const char *path, char *line, size_t size)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char buf[XC_HEALTH_TEXT_MAX + 512], req[128];
	int fd = socket(AF_INET, SOCK_STREAM, 0), status = 0;
	size_t n = 0;
	ssize_t r;
	char *body;

	line[0] = '\0';
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto out;
	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
	if (write(fd, req, strlen(req)) < 0)
		goto out;
	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	if (sscanf(buf, "HTTP/1.1 %d", &status) != 1)
		status = 0;
	body = strstr(buf, "\r\n\r\n");
	if (body)
		snprintf(line, size, "%.*s", (int)strcspn(body + 4, "\n"), body + 4);
out:
	if (fd >= 0)
		close(fd);
	return status;
}

static void verdict(void)
{
	T_INT(xc_health_stalled(0, 0, 500000, 1000), 0);          /* waiting */
	T_INT(xc_health_stalled(100000, 0, 101000, 1000), 0);     /* busy 1 s: at the limit */
	T_INT(xc_health_stalled(100000, 0, 101001, 1000), 1001);  /* past it */
	T_INT(xc_health_stalled(100000, 100900, 101500, 1000), 0); /* progress since */
	T_INT(xc_health_stalled(100000, 100900, 102000, 1000), 1100);
	/* Progress from an earlier busy spell does not count. */
	T_INT(xc_health_stalled(200000, 100900, 201500, 1000), 1500);
}

static void thread(void)
{
	char line[200];
	unsigned port;

	xc_httpd_init(&H.http);
	T_INT(xc_health_start(&H, "127.0.0.1", 0, 5000), 0);
	{
		struct sockaddr_in sa;
		socklen_t len = sizeof(sa);

		port = getsockname(H.http.lfd, (struct sockaddr *)&sa, &len) ? 0 : ntohs(sa.sin_port);
	}
	T(port > 0);
	/* Just started, busy: healthy. */
	T_INT(get(port, "/healthz", line, sizeof(line)), 200);
	T_STR(line, "ok");
	/* Nothing published yet: an empty page; then the text last published. */
	T_INT(get(port, "/metrics", line, sizeof(line)), 200);
	T_STR(line, "");
	xc_health_publish(&H, "a_metric 1\n", 11);
	xc_health_publish(&H, "a_metric 2\n", 11);
	T_INT(get(port, "/metrics", line, sizeof(line)), 200);
	T_STR(line, "a_metric 2");
	T_INT(get(port, "/nothing", line, sizeof(line)), 404);
	/* Busy for 10 s without progress: a stall, answered all the same. */
	xc_health_busy(&H, xc_now_ms() - 10000);
	T_INT(get(port, "/healthz", line, sizeof(line)), 503);
	T(!strncmp(line, "stalled: working for ", 21));
	T_INT(get(port, "/metrics", line, sizeof(line)), 200);
	/* Progress clears it; so does waiting, however long. */
	xc_health_progress(&H, xc_now_ms());
	T_INT(get(port, "/healthz", line, sizeof(line)), 200);
	xc_health_busy(&H, xc_now_ms() - 10000);
	xc_health_idle(&H);
	T_INT(get(port, "/healthz", line, sizeof(line)), 200);
	/* A text longer than the page is cut, not overrun. */
	{
		static char big[XC_HEALTH_TEXT_MAX + 100];

		memset(big, 'x', sizeof(big));
		xc_health_publish(&H, big, sizeof(big));
		T_INT(H.len, XC_HEALTH_TEXT_MAX);
	}
}

int main(void)
{
	verdict();
	thread();
	return t_done("health");
}
