/*
 * bench/k8s: what the router pays to know the cluster's nodes.
 *
 *   bench KUBECONFIG LIMIT EVENTS
 *
 * 1. LIST every node (LIMIT a page) into a node table of fixed-size records
 *    (one allocation per node, as the router does): wall time, CPU time and
 *    the process's peak RSS.
 * 2. WATCH from the list's resourceVersion while the server sends EVENTS
 *    MODIFIED events (status heartbeats, full ~10 KB objects, as kubelets
 *    cause): CPU time per event, in the poll loop a router runs.
 * Built like the release binary (musl, -Os, static) by run.sh.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "kube/k8s.h"
#include "../../test/lib/httpfetch.h"

static struct xc_k8s_client k;
static struct xc_k8s_watch w;
static char obj[XC_K8S_OBJ_MAX];

struct table {
	struct xc_k8s_node **node;
	size_t n, cap;
	unsigned long events;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static long peak_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int on_event(void *arg, const struct xc_k8s_event *ev)
{
	struct table *t = arg;
	struct xc_k8s_node **grown;

	t->events++;
	if (ev->type != XC_K8S_LISTED)
		return 0;
	if (t->n == t->cap) {
		grown = realloc(t->node, (t->cap ? t->cap * 2 : 1024) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		t->node = grown;
		t->cap = t->cap ? t->cap * 2 : 1024;
	}
	t->node[t->n] = malloc(sizeof(struct xc_k8s_node));
	if (!t->node[t->n])
		return -ENOMEM;
	memcpy(t->node[t->n++], &ev->node, sizeof(ev->node));
	return 0;
}

/* Ask the fake server for heartbeats through the client's own credentials. */
static int heartbeats(const char *server_url, unsigned n)
{
	static struct xc_http_conn c;
	static struct xc_tls_conn tc;
	char body[64], out[4096];
	size_t len;
	int rc;

	snprintf(body, sizeof(body), "{\"count\": %u}", n);
	xc_http_init(&c, server_url, &k.tls, &tc);
	c.timeout_ms = 600000;
	rc = ht_fetch(&c, "POST", "/fake/events", NULL, body, strlen(body), out,
		      sizeof(out), &len);
	xc_http_close(&c);
	return rc ? rc : c.resp.status == 200 ? 0 : -EPROTO;
}

int main(int argc, char **argv)
{
	struct xc_k8s_opts o = { 0 };
	struct table t = { 0 };
	char rv[XC_K8S_RV_MAX + 1], url[XC_K8S_URL_MAX];
	unsigned events;
	double t0, c0, wall, used;
	struct pollfd p;
	size_t bytes;
	int rc;

	if (argc != 4) {
		fprintf(stderr, "usage: bench KUBECONFIG LIMIT EVENTS\n");
		return 2;
	}
	o.kubeconfig = argv[1];
	o.no_env = 1;
	events = (unsigned)atoi(argv[3]);
	rc = xc_k8s_client_init(&k, &o);
	if (rc) {
		fprintf(stderr, "bench: %s\n", k.err);
		return 1;
	}
	snprintf(url, sizeof(url), "%s", k.cfg.server);
	k.http.timeout_ms = 120000;
	t0 = now();
	c0 = cpu();
	rc = xc_k8s_list(&k, NULL, (unsigned)atoi(argv[2]), obj, sizeof(obj), on_event, &t, rv);
	wall = now() - t0;
	used = cpu() - c0;
	if (rc) {
		fprintf(stderr, "bench: %s\n", k.err);
		return 1;
	}
	printf("list:  %zu nodes, %u a page: %.2f s wall, %.3f s CPU (%.1f us a node), "
	       "peak RSS %ld KB (table %zu KB)\n", t.n, (unsigned)atoi(argv[2]), wall, used,
	       used * 1e6 / (double)t.n, peak_kb(),
	       t.n * (sizeof(struct xc_k8s_node) + 16) / 1024);
	if (!events)
		return 0;
	xc_k8s_watch_init(&w, &k, NULL, obj, sizeof(obj));
	rc = xc_k8s_watch_start(&w, rv);
	if (rc || heartbeats(url, events)) {
		fprintf(stderr, "bench: watch: %s\n", k.err);
		return 1;
	}
	t.events = 0;
	bytes = w.bytes;
	t0 = now();
	c0 = cpu();
	while (t.events < events) {
		rc = xc_k8s_watch_step(&w, on_event, &t);
		if (rc) {
			fprintf(stderr, "bench: watch: %s\n", k.err);
			return 1;
		}
		if (xc_k8s_watch_pending(&w))
			continue;
		p.fd = xc_k8s_watch_fd(&w);
		p.events = POLLIN;
		poll(&p, 1, 1000);
	}
	wall = now() - t0;
	used = cpu() - c0;
	printf("watch: %lu events (%.1f KB each): %.1f us CPU an event (%.2f s CPU in %.2f s), "
	       "peak RSS %ld KB\n", t.events, (double)(w.bytes - bytes) / 1024.0 / (double)t.events,
	       used * 1e6 / (double)t.events, used, wall, peak_kb());
	return 0;
}
