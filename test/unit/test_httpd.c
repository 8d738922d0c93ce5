/*
 * test_httpd: core/router/httpd over real loopback sockets (no root needed), and
 * the router's metrics text (core/router/routes xc_rt_metrics).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "t.h"
#include "router/httpd.h"
#include "router/routes.h"

static int client(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Step the server until it has a request (1) or dropped one (< 0). */
static int serve(struct xc_httpd *h, char *path, size_t size, int tries)
{
	for (int i = 0; i < tries; i++) {
		struct pollfd p[1 + XC_HTTPD_CLIENTS];
		int wait, n = xc_httpd_pollfds(h, p, 0, &wait), rc;

		poll(p, (nfds_t)n, 100);
		rc = xc_httpd_step(h, 0, path, size);
		if (rc)
			return rc;
	}
	return 0;
}

static void read_all(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t k;

	while (n + 1 < size && (k = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)k;
	buf[n] = '\0';
}

/* The port the server listens on (it was asked for any). */
static unsigned port_of(const struct xc_httpd *h)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(h->lfd, (struct sockaddr *)&sin, &len) < 0)
		return 0;
	return ntohs(sin.sin_port);
}

static const char healthz_req[] = "GET /healthz HTTP/1.1\r\n\r\n";

static void test_httpd(void)
{
	struct xc_httpd h;
	char path[XC_HTTPD_PATH_MAX], resp[1024];
	unsigned port;
	int fd, fd2;

	xc_httpd_init(&h);
	T_INT(xc_httpd_listen(&h, "127.0.0.1", 0), 0);
	port = port_of(&h);
	T(port > 0);
	{
		static struct xc_httpd other;

		xc_httpd_init(&other);
		T_INT(xc_httpd_listen(&other, "localhost", 0), -EINVAL);
	}

	/* a request in two pieces, with a query string */
	fd = client(port);
	T(fd >= 0);
	T(write(fd, "GET /metrics?x=1 HT", 19) == 19);
	T_INT(serve(&h, path, sizeof(path), 3), 0);
	T(write(fd, "TP/1.1\r\nHost: x\r\n\r\n", 19) == 19);
	T_INT(serve(&h, path, sizeof(path), 50), 1);
	T_STR(path, "/metrics");
	T_INT(xc_httpd_reply(&h, 200, "text/plain", "ok\n", 3), 0);
	read_all(fd, resp, sizeof(resp));
	close(fd);
	T(!strncmp(resp, "HTTP/1.1 200 OK\r\n", 17));
	T(strstr(resp, "Content-Length: 3\r\n") != NULL);
	T(strstr(resp, "\r\n\r\nok\n") != NULL);

	/* not GET: 405 and dropped */
	fd = client(port);
	T(write(fd, "POST / HTTP/1.1\r\n\r\n", 19) == 19);
	T_INT(serve(&h, path, sizeof(path), 50), -EOPNOTSUPP);
	read_all(fd, resp, sizeof(resp));
	close(fd);
	T(!strncmp(resp, "HTTP/1.1 405 ", 13));

	/* garbage: 400 */
	fd = client(port);
	T(write(fd, "hello\r\n\r\n", 9) == 9);
	T_INT(serve(&h, path, sizeof(path), 50), -EINVAL);
	read_all(fd, resp, sizeof(resp));
	close(fd);
	T(!strncmp(resp, "HTTP/1.1 400 ", 13));

	/* a client that never finishes holds up no one, and is dropped at its deadline */
	fd = client(port);
	T(write(fd, "GET /", 5) == 5);
	serve(&h, path, sizeof(path), 3);
	T(h.c[0].fd >= 0);
	fd2 = client(port);
	T(write(fd2, healthz_req, sizeof(healthz_req) - 1) == (ssize_t)sizeof(healthz_req) - 1);
	T_INT(serve(&h, path, sizeof(path), 50), 1);
	T_STR(path, "/healthz");
	T_INT(xc_httpd_reply(&h, 200, "text/plain", "ok\n", 3), 0);
	read_all(fd2, resp, sizeof(resp));
	close(fd2);
	T(strstr(resp, "\r\n\r\nok\n") != NULL);
	{
		struct pollfd p[1 + XC_HTTPD_CLIENTS];
		int wait;

		T_INT(xc_httpd_pollfds(&h, p, 0, &wait), 2);     /* the listener, the stalled one */
		T_INT(wait, (int)h.c[0].deadline_ms);
		xc_httpd_expire(&h, h.c[0].deadline_ms);
		T_INT(h.c[0].fd, -1);
		T_INT(xc_httpd_pollfds(&h, p, 0, &wait), 1);     /* no client: the listener alone */
		T_INT(p[0].fd, h.lfd);
		T_INT(wait, -1);
	}
	close(fd);
	/* all slots held: the listener is not polled, the next one waits in the backlog */
	{
		int held[XC_HTTPD_CLIENTS], wait;
		struct pollfd p[1 + XC_HTTPD_CLIENTS];

		for (int i = 0; i < XC_HTTPD_CLIENTS; i++) {
			held[i] = client(port);
			T(write(held[i], "G", 1) == 1);
		}
		for (int i = 0; i < 20 && h.c[XC_HTTPD_CLIENTS - 1].fd < 0; i++)
			serve(&h, path, sizeof(path), 1);
		T_INT(xc_httpd_pollfds(&h, p, 0, &wait), XC_HTTPD_CLIENTS);
		T(p[0].fd != h.lfd);
		xc_httpd_expire(&h, INT64_MAX);
		for (int i = 0; i < XC_HTTPD_CLIENTS; i++)
			close(held[i]);
	}
	close(h.lfd);
}

static void test_metrics(void)
{
	static struct xc_rt_engine g;
	struct xc_rt_entry e = { .kind = XC_RT_ROUTE, .family = AF_INET, .len = 24 };
	struct xc_rt_metrics_in in = { "vxlan", "api", "n1", "v1", 5, 1, 3, 1, 12.5, 1450 };
	char buf[4096];
	size_t n;

	xc_rt_set_put(&g.have, &e);
	e.dst[2] = 1;
	e.flags = XC_RT_F_FOREIGN;
	xc_rt_set_put(&g.have, &e);
	g.cs.routes = 2;
	g.cs.refused = 2;
	g.adds = 7;
	n = xc_rt_metrics(&g, &in, buf, sizeof(buf));
	T(n > 0 && n == strlen(buf));
	T(strstr(buf, "\nxcluster_router_info{mode=\"vxlan\",source=\"api\",node=\"n1\",version=\"v1\"} 1\n") != NULL);
	T(strstr(buf, "\nxcluster_router_routes_installed 1\n") != NULL);
	T(strstr(buf, "\nxcluster_router_routes_blocked 1\n") != NULL);
	T(strstr(buf, "\nxcluster_router_cidrs_refused 2\n") != NULL);
	T(strstr(buf, "\nxcluster_router_changes_total{op=\"add\"} 7\n") != NULL);
	T(strstr(buf, "# TYPE xcluster_router_changes_total counter\n") != NULL);
	T(strstr(buf, "\nxcluster_router_pod_mtu 1450\n") != NULL);
	T(strstr(buf, "\nxcluster_router_last_sync_timestamp_seconds 12.500\n") != NULL);
	/* cut short: still terminated */
	n = xc_rt_metrics(&g, &in, buf, 100);
	T_INT(n, 99);
	T_INT(strlen(buf), 99);
	xc_rt_engine_free(&g);
}

int main(void)
{
	test_httpd();
	test_metrics();
	return t_done("test_httpd");
}
