/*
 * bench/json: core/base/json against cJSON on one NodeList.
 *
 * usage: bench FILE [SECONDS]
 *
 * Each contender runs in its own child process (so peak RSS is its own):
 * it reads FILE into a buffer of exactly its size, then repeats its task
 * for about SECONDS and keeps the fastest run. The task is what the router
 * needs from a NodeList: parse, then every item's name, podCIDRs and
 * InternalIP addresses, copied out as C strings. The children also hash
 * what they extracted, so the table proves both read the same data.
 * Built with -DOURS_ONLY it leaves cJSON out (to time other builds of ours).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef OURS_ONLY
#include <cjson/cJSON.h>
#endif

#include "base/json.h"

struct result {
	double best;     /* seconds, fastest run */
	int runs;
	long peak_kb;    /* ru_maxrss at the end */
	long base_kb;    /* ru_maxrss before reading the input */
	long items, strings;
	uint64_t hash;
	int ok;
};

struct extract {
	long items, strings;
	uint64_t hash;
};

/* Keep a string as the router would (copied out), and fold it in. */
static void keep(struct extract *x, const char *s, size_t n)
{
	char copy[256];

	if (n >= sizeof copy)
		n = sizeof copy - 1;
	memcpy(copy, s, n);
	copy[n] = '\0';
	for (size_t i = 0; i < n; i++)
		x->hash = (x->hash ^ (uint8_t)copy[i]) * 0x100000001b3ULL;
	x->hash = (x->hash ^ 0xff) * 0x100000001b3ULL;
	x->strings++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- core/base/json ------------------------------------------------------------- */

static void ours_str(struct extract *x, const struct xc_json *v)
{
	char buf[256];
	long n = xc_json_str(v, buf, sizeof buf);

	if (n >= 0)
		keep(x, buf, (size_t)n);
}

static void ours_status(struct extract *x, const struct xc_json *status)
{
	struct xc_json addrs, a, type, addr;
	struct xc_json_iter it;

	if (xc_json_get(status, "addresses", &addrs))
		return;
	xc_json_iter_init(&it, &addrs);
	while (xc_json_next(&it, NULL, &a) > 0)
		if (!xc_json_get(&a, "type", &type) && xc_json_str_eq(&type, "InternalIP") &&
		    !xc_json_get(&a, "address", &addr))
			ours_str(x, &addr);
}

/* One pass over an item's members: each is skipped at most once. */
static void ours_item(struct extract *x, const struct xc_json *item)
{
	struct xc_json key, val, v;
	struct xc_json_iter it, ic;

	xc_json_iter_init(&it, item);
	while (xc_json_next(&it, &key, &val) > 0) {
		if (xc_json_str_eq(&key, "metadata")) {
			if (!xc_json_get(&val, "name", &v))
				ours_str(x, &v);
		} else if (xc_json_str_eq(&key, "spec")) {
			if (xc_json_get(&val, "podCIDRs", &v))
				continue;
			xc_json_iter_init(&ic, &v);
			while (xc_json_next(&ic, NULL, &v) > 0)
				ours_str(x, &v);
		} else if (xc_json_str_eq(&key, "status")) {
			ours_status(x, &val);
		}
	}
	x->items++;
}

static int ours(const char *text, size_t len, struct extract *x, int validate_only)
{
	struct xc_json root, items, item;
	struct xc_json_iter it;

	if (xc_json_parse(text, len, &root, NULL))
		return -1;
	if (validate_only)
		return 0;
	if (xc_json_get(&root, "items", &items))
		return -1;
	xc_json_iter_init(&it, &items);
	while (xc_json_next(&it, NULL, &item) > 0)
		ours_item(x, &item);
	return 0;
}

/* ---- cJSON ---------------------------------------------------------------- */
#ifndef OURS_ONLY

static void cj_str(struct extract *x, const cJSON *v)
{
	if (cJSON_IsString(v))
		keep(x, v->valuestring, strlen(v->valuestring));
}

static void cj_item(struct extract *x, const cJSON *item)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(item, "metadata");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(item, "spec");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(item, "status");
	const cJSON *v, *a;

	cj_str(x, cJSON_GetObjectItemCaseSensitive(md, "name"));
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(spec, "podCIDRs"))
		cj_str(x, v);
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(st, "addresses")) {
		v = cJSON_GetObjectItemCaseSensitive(a, "type");
		if (cJSON_IsString(v) && !strcmp(v->valuestring, "InternalIP"))
			cj_str(x, cJSON_GetObjectItemCaseSensitive(a, "address"));
	}
	x->items++;
}

/* The tree is freed outside the timed part: cJSON's delete is not counted. */
static int cjson(const char *text, size_t len, struct extract *x, cJSON **tree)
{
	const cJSON *item;

	*tree = cJSON_ParseWithLength(text, len);
	if (!*tree)
		return -1;
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(*tree, "items"))
		cj_item(x, item);
	return 0;
}
#else
typedef void cJSON;
static void cJSON_Delete(cJSON *tree) { (void)tree; }
static int cjson(const char *text, size_t len, struct extract *x, cJSON **tree)
{
	(void)text, (void)len, (void)x, (void)tree;
	return -1;
}
#endif

/* ---- the children ----------------------------------------------------------- */

enum contender { OURS_VALIDATE, OURS, CJSON, N_CONTENDERS };
static const char *const names[] = { "core/base/json validate", "core/base/json parse+extract",
				     "cJSON parse+extract" };

static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	off_t size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
	char *buf = size > 0 ? malloc((size_t)size) : NULL;
	size_t got = 0;
	ssize_t n;

	if (!buf)
		return NULL;
	lseek(fd, 0, SEEK_SET);
	while (got < (size_t)size && (n = read(fd, buf + got, (size_t)size - got)) > 0)
		got += (size_t)n;
	close(fd);
	*len = got;
	return buf;
}

static void run(enum contender c, const char *path, double seconds, struct result *r)
{
	double start, t, stop;
	struct extract x;
	cJSON *tree = NULL;
	size_t len;
	char *text;

	memset(r, 0, sizeof(*r));
	r->base_kb = maxrss_kb();
	if (!(text = slurp(path, &len)))
		return;
	r->best = 1e9;
	stop = now() + seconds;
	do {
		memset(&x, 0, sizeof x);
		start = now();
		int rc = c == CJSON ? cjson(text, len, &x, &tree) : ours(text, len, &x, c == OURS_VALIDATE);
		t = now() - start;
		if (rc)
			return;
		cJSON_Delete(tree);
		tree = NULL;
		if (t < r->best)
			r->best = t;
		r->runs++;
	} while (now() < stop || r->runs < 3);
	r->peak_kb = maxrss_kb();
	r->items = x.items;
	r->strings = x.strings;
	r->hash = x.hash;
	r->ok = 1;
	free(text);
}

static int child(enum contender c, const char *path, double seconds, struct result *r)
{
	int fd[2];
	pid_t pid;

	if (pipe(fd) || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(fd[0]);
		run(c, path, seconds, r);
		_exit(write(fd[1], r, sizeof(*r)) == sizeof(*r) ? 0 : 1);
	}
	close(fd[1]);
	ssize_t n = read(fd[0], r, sizeof(*r));
	close(fd[0]);
	waitpid(pid, NULL, 0);
	return n == sizeof(*r) && r->ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct result r[N_CONTENDERS];
	double seconds = argc > 2 ? atof(argv[2]) : 3;
#ifdef OURS_ONLY
	int n = CJSON;
#else
	int n = N_CONTENDERS;
#endif
	double mb;
	size_t len;
	char *text;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [SECONDS]\n", argv[0]);
		return 2;
	}
	if (!(text = slurp(argv[1], &len))) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	free(text);
	mb = len / 1e6;
	printf("input: %s, %.1f MB; each: best run within %.0f s, in a child process\n\n",
	       argv[1], mb, seconds);
	printf("%-26s %9s %9s %12s %11s  %s\n", "", "MB/s", "vs cJSON", "peak RSS", "peak/input",
	       "extracted");
	for (int c = 0; c < n; c++)
		if (child(c, argv[1], seconds, &r[c])) {
			fprintf(stderr, "%s failed\n", names[c]);
			return 1;
		}
	for (int c = 0; c < n; c++) {
		char what[64] = "-", ratio[16] = "-";

		if (c != OURS_VALIDATE)
			snprintf(what, sizeof what, "%ld items, %ld strings", r[c].items, r[c].strings);
		if (n > CJSON)
			snprintf(ratio, sizeof ratio, "%.2fx", r[CJSON].best / r[c].best);
		printf("%-26s %9.0f %9s %9.1f MB %10.2fx  %s\n", names[c], mb / r[c].best, ratio,
		       r[c].peak_kb / 1024.0, r[c].peak_kb * 1024.0 / len, what);
	}
	printf("\nprocess baseline before reading the input: %.1f MB\n", r[OURS].base_kb / 1024.0);
	if (n > CJSON && (r[OURS].hash != r[CJSON].hash || r[OURS].strings != r[CJSON].strings)) {
		printf("MISMATCH: the parsers extracted different data\n");
		return 1;
	}
	if (n > CJSON)
		printf("extraction identical (hash %016llx)\n", (unsigned long long)r[OURS].hash);
	return 0;
}
