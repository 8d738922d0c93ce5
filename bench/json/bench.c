/*
 * bench/json: core/base/json against cJSON on one NodeList.
 *
 * usage: bench FILE [SECONDS [RUNS]]
 *        bench -1 validate|ours|cjson FILE   (for callgrind, see below)
 *
 * Each contender runs in its own child process (so peak RSS is its own):
 * it reads FILE into a buffer of exactly its size, then repeats its task
 * for at least SECONDS and at least RUNS times (default 3 s, 5 runs). The
 * task is what the router needs from a NodeList: parse, then every item's
 * name, podCIDRs and InternalIP addresses, copied out as C strings. The
 * children also hash what they extracted, so the table proves both read
 * the same data. Built with -DOURS_ONLY it leaves cJSON out (to time other
 * builds of ours).
 *
 * Each run is timed in CPU time (CLOCK_PROCESS_CPUTIME_ID) as well as wall
 * time. On a shared machine wall time counts the time other processes had
 * the CPU, and a best-of-N over wall time favours the contender with the
 * shorter runs (more of them fit between preemptions): a 0.1 s run often
 * gets through untouched, a 0.4 s one rarely does, so the ratio of wall
 * times grows with the load. The table's MB/s is the best run's CPU time;
 * the median, the first (cold: cJSON's allocator gets its memory from the
 * kernel then, page fault by page fault) and the best wall time are shown
 * beside it, with the first run's page faults and the median run's
 * involuntary context switches.
 *
 * -1 CONTENDER FILE does one untimed run, then one more inside counted(),
 * and prints nothing else but the input's size: under
 * `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=counted`
 * that is the instruction count of one warm run, a figure that does not
 * depend on the machine's load (run.sh reports it per input byte).
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

#define MAX_RUNS 1000

struct result {
	double cpu_best, cpu_median, cpu_first, wall_best;  /* seconds */
	double faults;   /* minor page faults in the first run */
	double ivcsw;    /* involuntary context switches in the median run */
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

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
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
	struct xc_json a, type, addr;
	struct xc_json_iter it;

	if (xc_json_iter_member(&it, status, "addresses") < 0)
		return;
	while (xc_json_next(&it, NULL, &a) > 0)
		if (!xc_json_get(&a, "type", &type) && xc_json_str_eq(&type, "InternalIP") &&
		    !xc_json_get(&a, "address", &addr))
			ours_str(x, &addr);
}

/* One pass over an item's members: each is skipped at most once. */
static void ours_item(struct extract *x, struct xc_json_iter *it)
{
	struct xc_json key, val, v;
	struct xc_json_iter ic;

	while (xc_json_next(it, &key, &val) > 0) {
		if (xc_json_str_eq(&key, "metadata")) {
			if (!xc_json_get(&val, "name", &v))
				ours_str(x, &v);
		} else if (xc_json_str_eq(&key, "spec")) {
			if (xc_json_iter_member(&ic, &val, "podCIDRs") < 0)
				continue;
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
	struct xc_json root;
	struct xc_json_iter it, item;

	if (xc_json_parse(text, len, &root, NULL))
		return -1;
	if (validate_only)
		return 0;
	/* not xc_json_get: that would walk all the items to find their end */
	if (xc_json_iter_member(&it, &root, "items") != XC_JSON_ARRAY)
		return -1;
	/* nor xc_json_next: each item would be walked twice, to its end and then inside */
	while (xc_json_next_enter(&it, NULL, NULL, &item) > 0)
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

static int task(enum contender c, const char *text, size_t len, struct extract *x, cJSON **tree)
{
	memset(x, 0, sizeof *x);
	return c == CJSON ? cjson(text, len, x, tree) : ours(text, len, x, c == OURS_VALIDATE);
}

struct sample {
	double cpu, wall;
	long faults, ivcsw;
};

static int by_cpu(const void *a, const void *b)
{
	double d = ((const struct sample *)a)->cpu - ((const struct sample *)b)->cpu;

	return (d > 0) - (d < 0);
}

static void run(enum contender c, const char *path, double seconds, int min_runs, struct result *r)
{
	static struct sample s[MAX_RUNS];
	struct rusage ru0, ru1;
	double wall, cpu, stop;
	struct extract x;
	cJSON *tree = NULL;
	size_t len;
	char *text;
	int n = 0;

	memset(r, 0, sizeof(*r));
	r->base_kb = maxrss_kb();
	if (!(text = slurp(path, &len)))
		return;
	r->wall_best = 1e9;
	stop = now() + seconds;
	do {
		getrusage(RUSAGE_SELF, &ru0);
		wall = now();
		cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID);
		int rc = task(c, text, len, &x, &tree);
		cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu;
		wall = now() - wall;
		getrusage(RUSAGE_SELF, &ru1);
		if (rc)
			return;
		cJSON_Delete(tree);
		tree = NULL;
		if (wall < r->wall_best)
			r->wall_best = wall;
		s[n++] = (struct sample){ cpu, wall, ru1.ru_minflt - ru0.ru_minflt,
					  ru1.ru_nivcsw - ru0.ru_nivcsw };
	} while (n < MAX_RUNS && (now() < stop || n < min_runs));
	r->cpu_first = s[0].cpu;
	r->faults = (double)s[0].faults;
	qsort(s, (size_t)n, sizeof s[0], by_cpu);
	r->cpu_best = s[0].cpu;
	r->cpu_median = s[n / 2].cpu;
	r->ivcsw = (double)s[n / 2].ivcsw;
	r->runs = n;
	r->peak_kb = maxrss_kb();
	r->items = x.items;
	r->strings = x.strings;
	r->hash = x.hash;
	r->ok = 1;
	free(text);
}

/* What callgrind counts (--toggle-collect=counted): one warm run. */
__attribute__((noinline)) int counted(enum contender c, const char *text, size_t len,
				       struct extract *x, cJSON **tree)
{
	return task(c, text, len, x, tree);
}

static int once(const char *which, const char *path)
{
	static const char *const keys[] = { "validate", "ours", "cjson" };
	struct extract x;
	cJSON *tree = NULL;
	size_t len;
	char *text;
	int c;

	for (c = 0; c < N_CONTENDERS && strcmp(which, keys[c]); c++)
		;
	if (c == N_CONTENDERS || !(text = slurp(path, &len)) ||
	    task(c, text, len, &x, &tree))
		return 1;
	cJSON_Delete(tree);
	tree = NULL;
	if (counted(c, text, len, &x, &tree))
		return 1;
	cJSON_Delete(tree);
	printf("%zu bytes\n", len);
	free(text);
	return 0;
}

static int child(enum contender c, const char *path, double seconds, int min_runs,
		 struct result *r)
{
	int fd[2];
	pid_t pid;

	if (pipe(fd) || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		close(fd[0]);
		run(c, path, seconds, min_runs, r);
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
	int min_runs = argc > 3 ? atoi(argv[3]) : 5;
#ifdef OURS_ONLY
	int n = CJSON;
#else
	int n = N_CONTENDERS;
#endif
	double mb;
	size_t len;
	char *text;

	if (argc == 4 && !strcmp(argv[1], "-1"))
		return once(argv[2], argv[3]);
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s FILE [SECONDS [RUNS]]\n"
			"       %s -1 validate|ours|cjson FILE\n", argv[0], argv[0]);
		return 2;
	}
	if (!(text = slurp(argv[1], &len))) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	free(text);
	mb = len / 1e6;
	printf("input: %s, %.1f MB; each: in a child process, >= %d runs and >= %.0f s\n"
	       "MB/s: input over the best run's CPU time; median, 1st: the median and\n"
	       "the first run's; wall: the best run's wall time; faults: the first run's\n"
	       "minor page faults; csw: involuntary context switches in the median run\n\n",
	       argv[1], mb, min_runs, seconds);
	printf("%-28s %6s %8s %6s %6s %6s %5s %7s %5s %9s  %s\n", "", "MB/s", "vs cJSON", "median",
	       "1st", "wall", "runs", "faults", "csw", "peak RSS", "extracted");
	for (int c = 0; c < n; c++)
		if (child(c, argv[1], seconds, min_runs, &r[c])) {
			fprintf(stderr, "%s failed\n", names[c]);
			return 1;
		}
	for (int c = 0; c < n; c++) {
		char what[64] = "-", ratio[16] = "-";

		if (c != OURS_VALIDATE)
			snprintf(what, sizeof what, "%ld items, %ld strings", r[c].items, r[c].strings);
		if (n > CJSON)
			snprintf(ratio, sizeof ratio, "%.2fx", r[CJSON].cpu_best / r[c].cpu_best);
		printf("%-28s %6.0f %8s %6.0f %6.0f %6.0f %5d %7.0f %5.0f %6.1f MB  %s\n", names[c],
		       mb / r[c].cpu_best, ratio, mb / r[c].cpu_median, mb / r[c].cpu_first,
		       mb / r[c].wall_best, r[c].runs, r[c].faults, r[c].ivcsw,
		       r[c].peak_kb / 1024.0, what);
	}
	printf("\npeak RSS / input: ");
	for (int c = 0; c < n; c++)
		printf("%s%s %.2fx", c ? ", " : "", names[c], r[c].peak_kb * 1024.0 / len);
	printf("\nprocess baseline before reading the input: %.1f MB\n", r[OURS].base_kb / 1024.0);
	if (n > CJSON && (r[OURS].hash != r[CJSON].hash || r[OURS].strings != r[CJSON].strings)) {
		printf("MISMATCH: the parsers extracted different data\n");
		return 1;
	}
	if (n > CJSON)
		printf("extraction identical (hash %016llx)\n", (unsigned long long)r[OURS].hash);
	return 0;
}
