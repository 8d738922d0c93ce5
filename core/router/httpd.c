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
	h->lfd = h->cfd = -1;
	h->len = 0;
	h->deadline_ms = 0;
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

int xc_httpd_fd(const struct xc_httpd *h)
{
	return h->cfd >= 0 ? h->cfd : h->lfd;
}

static void drop(struct xc_httpd *h)
{
	if (h->cfd >= 0)
		close(h->cfd);
	h->cfd = -1;
	h->len = 0;
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

int xc_httpd_step(struct xc_httpd *h, int64_t now_ms, char *path, size_t size)
{
	ssize_t n;
	int rc;

	if (h->cfd < 0) {
		h->cfd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (h->cfd < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		h->len = 0;
		h->deadline_ms = now_ms + CLIENT_MS;
	}
	n = recv(h->cfd, h->req + h->len, sizeof(h->req) - 1 - h->len, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : (drop(h), -ECONNRESET);
	if (n == 0) {
		drop(h);
		return -ECONNRESET;
	}
	h->len += (size_t)n;
	h->req[h->len] = '\0';
	if (!strstr(h->req, "\r\n\r\n") && !strstr(h->req, "\n\n")) {
		if (h->len >= sizeof(h->req) - 1)
			return fail(h, 431, -E2BIG);
		return 0;
	}
	rc = parse_line(h->req, path, size);
	if (rc)
		return fail(h, rc == -EOPNOTSUPP ? 405 : 400, rc);
	return 1;
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

	if (h->cfd < 0)
		return -ENOTCONN;
	hl = snprintf(head, sizeof(head),
		      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		      "Connection: close\r\n\r\n", status, reason(status), ctype, len);
	iov[0].iov_base = head;
	iov[0].iov_len = (size_t)hl;
	iov[1].iov_base = (void *)body;
	iov[1].iov_len = len;
	n = sendmsg(h->cfd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n < (size_t)hl + len)
		rc = -EAGAIN;
	shutdown(h->cfd, SHUT_WR);
	drop(h);
	return rc;
}

void xc_httpd_expire(struct xc_httpd *h, int64_t now_ms)
{
	if (h->cfd >= 0 && now_ms >= h->deadline_ms)
		drop(h);
}
