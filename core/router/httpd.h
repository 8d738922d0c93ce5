/*
 * httpd: the smallest HTTP/1.x responder a daemon's poll loop needs for
 * /healthz and /metrics on a loopback port.
 *
 * One client at a time, one request per connection (the answer closes
 * it), GET only, request head at most XC_HTTPD_REQ_MAX bytes; others wait
 * in the listen backlog. Every socket is non-blocking: a client that
 * sends half a request holds the slot only until xc_httpd_expire() drops
 * it. Nothing is allocated.
 *
 * Names: xc_httpd_
 */
#ifndef XC_HTTPD_H
#define XC_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#define XC_HTTPD_REQ_MAX 2048
#define XC_HTTPD_PATH_MAX 256

struct xc_httpd {
	int lfd;                     /* listening socket, -1: none */
	int cfd;                     /* the client being served, -1: none */
	int64_t deadline_ms;         /* CLOCK_MONOTONIC ms when cfd is dropped */
	size_t len;
	char req[XC_HTTPD_REQ_MAX];
};

/* Nothing open: both descriptors -1. */
void xc_httpd_init(struct xc_httpd *h);

/*
 * Listen on addr (an IPv4 or IPv6 literal, e.g. "127.0.0.1") and port
 * (0: any, as the tests do). Returns 0 or a negative errno (-EADDRINUSE).
 */
int xc_httpd_listen(struct xc_httpd *h, const char *addr, unsigned port);


/* The descriptor to poll for input: the client when there is one, else the listener. */
int xc_httpd_fd(const struct xc_httpd *h);

/*
 * Make progress when xc_httpd_fd() is readable: accept a client, or read
 * its request. Returns 1 with the request's path (query cut off) in path
 * when a GET is complete (answer it with xc_httpd_reply), 0 when more is
 * needed, or a negative errno when the client was dropped (malformed, too
 * long, not GET: it got a 400/405 answer where possible).
 */
int xc_httpd_step(struct xc_httpd *h, int64_t now_ms, char *path, size_t size);

/*
 * Answer the current request (status 200, 404, 503, ...) with a body of
 * content type ctype, and close the connection. A client too slow to take
 * it at once is dropped (the answers are a few KB).
 */
int xc_httpd_reply(struct xc_httpd *h, int status, const char *ctype,
		   const char *body, size_t len);

/* Drop a client whose request did not complete by its deadline. */
void xc_httpd_expire(struct xc_httpd *h, int64_t now_ms);

#endif
