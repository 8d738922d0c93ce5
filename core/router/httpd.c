/*
 * httpd: a loopback responder for health and metrics. See httpd.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "router/httpd.h"

#define CLIENT_MS 2000

void xc_httpd_init(struct xc_httpd *h)
{
	h->lfd = h->cur = -1;
	for (int i = 0; i < XC_HTTPD_CLIENTS; i++)
		h->c[i] = (struct xc_httpd_client){ .fd = -1 };
}

int xc_httpd_listen(struct xc_httpd *h, const char *addr, unsigned port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int one = 1, fd, err;

	if (port > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		len = sizeof(*s6);
	} else {
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	h->lfd = fd;
	return 0;
}

static int free_slot(const struct xc_httpd *h)
{
	for (int i = 0; i < XC_HTTPD_CLIENTS; i++)
		if (h->c[i].fd < 0)
			return i;
	return -1;
}

int xc_httpd_pollfds(const struct xc_httpd *h, struct pollfd *p, int64_t now_ms, int *wait_ms)
{
	int64_t first = 0;
	int n = 0;

	if (h->lfd >= 0 && free_slot(h) >= 0)
		p[n++] = (struct pollfd){ h->lfd, POLLIN, 0 };
	for (int i = 0; i < XC_HTTPD_CLIENTS; i++) {
		if (h->c[i].fd < 0)
			continue;
		p[n++] = (struct pollfd){ h->c[i].fd, POLLIN, 0 };
		if (!first || h->c[i].deadline_ms < first)
			first = h->c[i].deadline_ms;
	}
	*wait_ms = !first ? -1 : first > now_ms ? (int)(first - now_ms) : 0;
	return n;
}

static void drop(struct xc_httpd *h, int i)
{
	if (h->c[i].fd >= 0)
		close(h->c[i].fd);
	h->c[i].fd = -1;
	h->c[i].len = 0;
	if (h->cur == i)
		h->cur = -1;
}

static int fail(struct xc_httpd *h, int status, int err)
{
	static const char msg[] = "bad request\n";

	xc_httpd_reply(h, status, "text/plain", msg, sizeof(msg) - 1);
	return err;
}

/* "GET /path?query HTTP/1.1" -> path; -EINVAL or -EOPNOTSUPP (not GET). */
static int parse_line(const char *req, char *path, size_t size)
{
	const char *p, *end;
	size_t n;

	if (strncmp(req, "GET ", 4))
		return strchr(req, ' ') ? -EOPNOTSUPP : -EINVAL;
	p = req + 4;
	end = p + strcspn(p, " ?\r\n");
	n = (size_t)(end - p);
	if (!n || *p != '/' || n >= size || strncmp(p + strcspn(p, " \r\n"), " HTTP/1.", 8))
		return -EINVAL;
	memcpy(path, p, n);
	path[n] = '\0';
	return 0;
}

/* Read what client i sent: 1 a complete GET (path), 0 not yet, < 0 dropped. */
static int take(struct xc_httpd *h, int i, char *path, size_t size)
{
	struct xc_httpd_client *c = &h->c[i];
	ssize_t n;
	int rc;

	n = recv(c->fd, c->req + c->len, sizeof(c->req) - 1 - c->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		drop(h, i);
		return -ECONNRESET;
	}
	c->len += (size_t)n;
	c->req[c->len] = '\0';
	if (!strstr(c->req, "\r\n\r\n") && !strstr(c->req, "\n\n") && c->len < sizeof(c->req) - 1)
		return 0;
	h->cur = i;          /* what xc_httpd_reply answers, fail() too */
	if (!strstr(c->req, "\r\n\r\n") && !strstr(c->req, "\n\n"))
		return fail(h, 431, -E2BIG);
	rc = parse_line(c->req, path, size);
	if (rc)
		return fail(h, rc == -EOPNOTSUPP ? 405 : 400, rc);
	return 1;
}

int xc_httpd_step(struct xc_httpd *h, int64_t now_ms, char *path, size_t size)
{
	int i, fd, rc;

	h->cur = -1;
	while (h->lfd >= 0 && (i = free_slot(h)) >= 0) {
		fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
				break;
			return -errno;
		}
		h->c[i] = (struct xc_httpd_client){ .fd = fd, .deadline_ms = now_ms + CLIENT_MS };
	}
	for (i = 0; i < XC_HTTPD_CLIENTS; i++)
		if (h->c[i].fd >= 0 && (rc = take(h, i, path, size)))
			return rc;
	return 0;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

int xc_httpd_reply(struct xc_httpd *h, int status, const char *ctype,
		   const char *body, size_t len)
{
	char head[256];
	struct iovec iov[2];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;
	int hl, rc = 0;

	int fd = h->cur >= 0 ? h->c[h->cur].fd : -1;

	if (fd < 0)
		return -ENOTCONN;
	hl = snprintf(head, sizeof(head),
		      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		      "Connection: close\r\n\r\n", status, reason(status), ctype, len);
	iov[0].iov_base = head;
	iov[0].iov_len = (size_t)hl;
	iov[1].iov_base = (void *)body;
	iov[1].iov_len = len;
	n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n < (size_t)hl + len)
		rc = -EAGAIN;
	shutdown(fd, SHUT_WR);
	drop(h, h->cur);
	return rc;
}

void xc_httpd_expire(struct xc_httpd *h, int64_t now_ms)
{
	for (int i = 0; i < XC_HTTPD_CLIENTS; i++)
		if (h->c[i].fd >= 0 && now_ms >= h->c[i].deadline_ms)
			drop(h, i);
}
