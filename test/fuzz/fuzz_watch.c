/*
 * fuzz_watch: core/kube/k8s's watch-stream assembler and streaming list reader
 * on arbitrary bytes, cut at arbitrary points.
 *
 * The first two input bytes pick the event buffer size and the seed of the
 * cuts; the rest is a watch body (and, separately, a list body) as it
 * comes off the wire. Each is fed whole, then in random pieces. Beyond
 * "no crash":
 *   - where the input is cut never changes anything: the same events, in
 *     the same order, with the same names and resourceVersions, the same
 *     final position and the same result;
 *   - delivered records keep their limits (terminated names, at most
 *     XC_K8S_CIDRS_MAX CIDRs and XC_K8S_ADDRS_MAX addresses);
 *   - the position only moves to resourceVersions of delivered events;
 *   - read as a WatchList's (w.initial set), the same: where the initial
 *     events end (the k8s.io/initial-events-end bookmark, or -ENOMSG at an
 *     ordinary bookmark) does not depend on the cuts either.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/kube/k8s.h"

#define MUST(c) do { if (!(c)) abort(); } while (0)
#define MAX_EV 256

struct run {
	int rc, n, initial;    /* initial: still in the WatchList's initial events */
	uint32_t digest;       /* of types, names, rvs, CIDR counts, initial ends */
	char rv[XC_K8S_RV_MAX + 1];
	char last[XC_K8S_RV_MAX + 1]; /* the last non-empty rv delivered */
};

static char buf[70000];
static const char *const annot[XC_K8S_ANNOT_MAX] = { "a", "b" };

static uint32_t mix(uint32_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		h = (h ^ *b++) * 16777619u;
	return h;
}

static int on_event(void *arg, const struct xc_k8s_event *ev)
{
	struct run *r = arg;
	const struct xc_k8s_node *n = &ev->node;

	MUST(ev->rv && memchr(ev->rv, 0, XC_K8S_RV_MAX + 1));
	if (ev->type != XC_K8S_BOOKMARK) {
		MUST(memchr(n->name, 0, sizeof(n->name)) && n->name[0]);
		MUST(memchr(n->uid, 0, sizeof(n->uid)));
		MUST(n->ncidrs <= XC_K8S_CIDRS_MAX && n->naddrs <= XC_K8S_ADDRS_MAX);
		for (int i = 0; i < XC_K8S_ANNOT_MAX; i++)
			MUST(n->annot_len[i] <= XC_K8S_ANNOT_LEN &&
			     (n->annot_len[i] < 0 || !n->annot[i][n->annot_len[i]]));
		r->digest = mix(r->digest, n->name, strlen(n->name));
		r->digest = mix(r->digest, &n->ncidrs, 1);
		r->digest = mix(r->digest, &n->naddrs, 1);
	}
	r->digest = mix(r->digest, &ev->type, sizeof(ev->type));
	r->digest = mix(r->digest, &ev->initial_end, sizeof(ev->initial_end));
	r->digest = mix(r->digest, ev->rv, strlen(ev->rv));
	if (ev->rv[0])
		strcpy(r->last, ev->rv);
	r->n++;
	return r->n == MAX_EV ? -ECANCELED : 0;
}

static void watch_run(const uint8_t *d, size_t len, size_t size, unsigned seed, int whole,
		      int initial, struct run *r)
{
	struct xc_k8s_watch w;
	size_t pos = 0, n;

	memset(r, 0, sizeof(*r));
	MUST(!xc_k8s_watch_init(&w, NULL, NULL, buf, size));
	w.initial = initial;
	w.sel.annot[0] = annot[0];
	w.sel.annot[1] = annot[1];
	while (pos < len && !r->rc) {
		n = whole ? len - pos : 1 + (seed = seed * 1103515245u + 12345u) % 97;
		if (n > len - pos)
			n = len - pos;
		r->rc = xc_k8s_watch_feed(&w, d + pos, n, on_event, r);
		pos += n;
	}
	memcpy(r->rv, w.rv, sizeof(r->rv));
	r->initial = w.initial;
	MUST(!r->initial || initial);
	/* the callback's refusal keeps the position before that event */
	MUST(r->rc == -ECANCELED || !strcmp(w.rv, r->last));
}

static void list_run(const uint8_t *d, size_t len, size_t size, unsigned seed, int whole,
		     struct run *r)
{
	struct xc_k8s_listparse lp;
	size_t pos = 0, n;

	memset(r, 0, sizeof(*r));
	xc_k8s_listparse_init(&lp, buf, size, annot);
	while (pos < len && !r->rc) {
		n = whole ? len - pos : 1 + (seed = seed * 1103515245u + 12345u) % 61;
		if (n > len - pos)
			n = len - pos;
		r->rc = xc_k8s_listparse_feed(&lp, d + pos, n, on_event, r);
		pos += n;
	}
	if (!r->rc)
		r->rc = xc_k8s_listparse_end(&lp) ? 1 : 0;
	MUST(lp.items == (unsigned)r->n || r->rc == -ECANCELED);
	memcpy(r->rv, lp.rv, sizeof(r->rv));
	MUST(memchr(lp.cont, 0, sizeof(lp.cont)));
}

static int same(const struct run *a, const struct run *b)
{
	return a->rc == b->rc && a->n == b->n && a->digest == b->digest && !strcmp(a->rv, b->rv) &&
	       a->initial == b->initial;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run a, b;
	size_t bufsize;
	unsigned seed;

	if (size < 2)
		return 0;
	bufsize = 64 + (size_t)data[0] * 256;   /* 64 .. 65344 */
	seed = data[1];
	data += 2, size -= 2;
	for (int initial = 0; initial < 2; initial++) {
		watch_run(data, size, bufsize, seed, 1, initial, &a);
		watch_run(data, size, bufsize, seed, 0, initial, &b);
		MUST(same(&a, &b));
		MUST(a.rc <= 0);
	}
	list_run(data, size, bufsize, seed, 1, &a);
	list_run(data, size, bufsize, seed, 0, &b);
	MUST(same(&a, &b));
	return 0;
}
