/*
 * httpd: the smallest HTTP/1.x responder a daemon's poll loop needs for
 * /healthz and /metrics on a loopback port.
 *
 * Up to XC_HTTPD_CLIENTS clients at a time, so that one slow client (a
 * scraper that connects and stalls) never holds up the liveness probe;
 * more wait in the listen backlog. One request per connection (the answer
 * closes it), GET only, request head at most XC_HTTPD_REQ_MAX bytes.
 * Every socket is non-blocking: a client that sends half a request holds
 * its slot only until xc_httpd_expire() drops it. Nothing is allocated.
 *
 * Names: xc_httpd_
 */
#ifndef XC_HTTPD_H
#define XC_HTTPD_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define XC_HTTPD_REQ_MAX 2048
#define XC_HTTPD_PATH_MAX 256

#define XC_HTTPD_CLIENTS 8

struct xc_httpd_client {
	int fd;                      /* -1: a free slot */
	int64_t deadline_ms;         /* CLOCK_MONOTONIC ms when it is dropped */
	size_t len;
	char req[XC_HTTPD_REQ_MAX];
};

struct xc_httpd {
	int lfd;                     /* listening socket, -1: none */
	int cur;                     /* slot of the request xc_httpd_step returned, -1: none */
	struct xc_httpd_client c[XC_HTTPD_CLIENTS];
};

/* Nothing open: every descriptor -1. */
void xc_httpd_init(struct xc_httpd *h);

/*
 * Listen on addr (an IPv4 or IPv6 literal, e.g. "127.0.0.1") and port
 * (0: any, as the tests do). Returns 0 or a negative errno (-EADDRINUSE).
 */
int xc_httpd_listen(struct xc_httpd *h, const char *addr, unsigned port);


/*
 * The descriptors to poll for input into p (room for 1 + XC_HTTPD_CLIENTS):
 * the listener while a slot is free, and every client. Returns how many;
 * *wait_ms gets how long the poll may last (until the first client's
 * deadline; -1: no client).
 */
int xc_httpd_pollfds(const struct xc_httpd *h, struct pollfd *p, int64_t now_ms, int *wait_ms);

/*
 * Make progress after a poll: accept clients while slots are free, read
 * what each sent. Returns 1 with a complete GET's path (query cut off) in
 * path (answer it with xc_httpd_reply before the next step), 0 when no
 * request is complete, or a negative errno when a client was dropped
 * (malformed, too long, not GET: it got a 400/405/431 answer where
 * possible). Call it until it returns 0: each call takes one request.
 */
int xc_httpd_step(struct xc_httpd *h, int64_t now_ms, char *path, size_t size);

/*
 * Answer the current request (status 200, 404, 503, ...) with a body of
 * content type ctype, and close the connection. A client too slow to take
 * it at once is dropped (the answers are a few KB).
 */
int xc_httpd_reply(struct xc_httpd *h, int status, const char *ctype,
		   const char *body, size_t len);

/* Drop every client whose request did not complete by its deadline. */
void xc_httpd_expire(struct xc_httpd *h, int64_t now_ms);

#endif
