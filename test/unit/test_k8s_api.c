/*
 * test_k8s_api: core/kube/k8s against the fake API server (test/fakeapi) over
 * TLS: GET, paginated LIST with an expiring continue token, WATCH with
 * events cut across chunks, bookmarks, server-side ends, both forms of
 * 410, 429 with Retry-After, 500, garbage and truncated streams, token
 * rotation (new token file, old token refused), client certificates,
 * tls-server-name, and a server restart.
 *
 * The server is started here with --keep-parent off, so it also leaves
 * when this process dies; it is stopped by PID at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kube/k8s.h"
#include "kube/podcidr_cache.h"
#include "httptest.h"
#include "httpfetch.h"
#include "t.h"

static char dir[64];
static pid_t fake_pid;
static int fake_port;
static char url[64];

static struct xc_k8s_client k;
static struct xc_k8s_watch w;
static char obj[XC_K8S_OBJ_MAX];

/* ---- the fake server --------------------------------------------------------- */

static void path_of(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static void fake_stop(void)
{
	if (fake_pid > 0) {
		kill(fake_pid, SIGTERM);
		waitpid(fake_pid, NULL, 0);
		fake_pid = 0;
	}
}

static int fake_start(int port)
{
	char portfile[128], portarg[16], tok[128], state[128], crt[600], key[600], ca[600], buf[16];
	int fd, i;
	ssize_t n;

	path_of(portfile, sizeof(portfile), "port");
	path_of(tok, sizeof(tok), "token");
	path_of(state, sizeof(state), "state.json");
	ht_file(crt, sizeof(crt), "server.crt");
	ht_file(key, sizeof(key), "server.key");
	ht_file(ca, sizeof(ca), "ca.crt");
	unlink(portfile);
	snprintf(portarg, sizeof(portarg), "%d", port);
	fake_pid = fork();
	if (fake_pid < 0)
		return -1;
	if (fake_pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2);
		execlp("python3", "python3", "test/fakeapi/fakeapi.py", "--listen", "127.0.0.1",
		       "--port", portarg, "--port-file", portfile, "--cert", crt, "--key", key,
		       "--token-file", tok, "--client-ca", ca, "--nodes", "7",
		       "--bookmark-interval", "0.3", "--state", state, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 1200; i++) {   /* 60 s: a safety deadline */
		fd = open(portfile, O_RDONLY);
		if (fd >= 0) {
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0) {
				buf[n] = 0;
				fake_port = atoi(buf);
				snprintf(url, sizeof(url), "https://127.0.0.1:%d", fake_port);
				return 0;
			}
		}
		usleep(50000);
	}
	return -1;
}

static void write_file(const char *name, const char *text)
{
	char p[128], tmp[140];
	FILE *f;

	path_of(p, sizeof(p), name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
	rename(tmp, p);
}

/* A request to the server outside the client under test (faults, writes). */
static int ctl(const char *method, const char *path, const char *body, char *out, size_t size)
{
	static br_x509_trust_anchor ta[2];
	static unsigned char mem[4096];
	static struct xc_tls_config tls;
	static struct xc_tls_conn tc;
	static struct xc_http_conn c;
	const char *fields[] = { "Authorization: Bearer tok-admin",
				 "Content-Type: application/json", NULL };
	char ca[600], scratch[65536];
	size_t len;
	int rc;

	xc_tls_config_init(&tls, ta, 2, mem, sizeof(mem));
	xc_tls_add_ca_file(&tls, ht_file(ca, sizeof(ca), "ca.crt"));
	xc_http_init(&c, url, &tls, &tc);
	rc = ht_fetch(&c, method, path, fields, body, body ? strlen(body) : 0,
		      out ? out : scratch, out ? size : sizeof(scratch), &len);
	xc_http_close(&c);
	if (rc)
		return rc;
	if (out)
		out[len < size ? len : size - 1] = 0;
	return c.resp.status;
}

static int fault(const char *json)
{
	return ctl("POST", "/fake/faults", json, NULL, 0);
}

static int config(const char *json)
{
	return ctl("POST", "/fake/config", json, NULL, 0);
}

static int heartbeats(int n)
{
	char body[64];

	snprintf(body, sizeof(body), "{\"count\": %d}", n);
	return ctl("POST", "/fake/events", body, NULL, 0);
}

/*
 * Faults on watch lines go to whichever watch writes next: wait until the
 * server has forgotten the watches this client closed.
 */
static void only_watches(int n)
{
	char out[4096], want[32];

	snprintf(want, sizeof(want), "\"watches_active\":%d}", n);
	for (int i = 0; i < 600; i++) {   /* 60 s: a safety deadline */
		if (ctl("GET", "/fake/stats?log=0", NULL, out, sizeof(out)) == 200 &&
		    strstr(out, want))
			return;
		usleep(100000);
	}
	printf("     (the server still has other watches)\n");
}

/* ---- recording events --------------------------------------------------------- */

struct rec {
	int listed, restarts, added, modified, deleted, bookmarks;
	char last_rv[XC_K8S_RV_MAX + 1];
	char names[2048];
	int inject_at;          /* LISTED count at which to expire continue tokens */
};

static struct rec r;

static int on_event(void *arg, const struct xc_k8s_event *ev)
{
	struct rec *rr = arg;
	size_t n = strlen(rr->names);

	switch (ev->type) {
	case XC_K8S_LISTED: rr->listed++; break;
	case XC_K8S_RESTART: rr->restarts++; break;
	case XC_K8S_ADDED: rr->added++; break;
	case XC_K8S_MODIFIED: rr->modified++; break;
	case XC_K8S_DELETED: rr->deleted++; break;
	case XC_K8S_BOOKMARK: rr->bookmarks++; break;
	}
	snprintf(rr->last_rv, sizeof(rr->last_rv), "%s", ev->rv);
	if (ev->type != XC_K8S_BOOKMARK && ev->type != XC_K8S_RESTART &&
	    n + strlen(ev->node.name) + 2 < sizeof(rr->names))
		snprintf(rr->names + n, sizeof(rr->names) - n, "%s ", ev->node.name);
	if (rr->inject_at && rr->listed == rr->inject_at)
		fault("{\"expire_continue\": true}");
	return 0;
}

/* How long to wait for what the server sends: a safety deadline, not a bound on speed. */
#define WAIT_MS 60000

/*
 * Drive the watch as a poll loop would for up to ms, or until done()
 * holds. Returns the first error step gave (the loop stops there), or 0.
 */
static int pump_until(int ms, int (*done)(void))
{
	int64_t end;
	struct timespec ts;
	struct pollfd p;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 + ms;
	for (;;) {
		rc = xc_k8s_watch_step(&w, on_event, &r);
		if (rc)
			return rc;
		if (done && done())
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 >= end)
			return 0;
		if (xc_k8s_watch_pending(&w))
			continue;
		p.fd = xc_k8s_watch_fd(&w);
		p.events = POLLIN;
		poll(&p, p.fd >= 0 ? 1 : 0, 50);
	}
}

/* pump(ms, until): until `until` events of any kind have arrived (0: for ms) */
static int until_events;
static unsigned long until_watches;

static int events_in(void)
{
	return r.added + r.modified + r.deleted >= until_events;
}

static int two_bookmarks(void)
{
	return r.bookmarks >= 2;
}

static int watches_in(void)
{
	return w.watches >= until_watches;
}

static int pump(int ms, int until)
{
	until_events = until;
	return pump_until(ms, until ? events_in : NULL);
}

/* until the watch has been started n times in all */
static int pump_watches(unsigned long n)
{
	until_watches = n;
	return pump_until(WAIT_MS, watches_in);
}

static int count(const char *names, const char *name)
{
	int n = 0;
	size_t len = strlen(name);

	for (const char *p = names; (p = strstr(p, name)); p += len)
		if ((p == names || p[-1] == ' ') && p[len] == ' ')
			n++;
	return n;
}

/* ---- the tests ------------------------------------------------------------------ */

static void kubeconfig(const char *user_yaml, const char *cluster_extra)
{
	char text[3072], ca[600];

	snprintf(text, sizeof(text),
		 "apiVersion: v1\nkind: Config\ncurrent-context: t\n"
		 "clusters:\n- name: fake\n  cluster:\n    server: %s\n"
		 "    certificate-authority: %s\n%s"
		 "contexts:\n- name: t\n  context:\n    cluster: fake\n    user: u\n"
		 "users:\n- name: u\n  user:\n%s",
		 url, ht_file(ca, sizeof(ca), "ca.crt"), cluster_extra, user_yaml);
	write_file("kubeconfig", text);
}

static int client(void)
{
	char p[128];
	struct xc_k8s_opts o = { .kubeconfig = p, .no_env = 1 };

	path_of(p, sizeof(p), "kubeconfig");
	xc_k8s_client_close(&k);
	return xc_k8s_client_init(&k, &o);
}

static void test_get_list(void)
{
	struct xc_k8s_node n;
	char rv[XC_K8S_RV_MAX + 1], buf[64];
	unsigned before;

	T_INT(client(), 0);
	T_INT(k.insecure, 0);
	T_INT(xc_k8s_get_node(&k, "node-00003", NULL, obj, sizeof(obj), &n), 0);
	T_STR(n.name, "node-00003");
	T_INT(n.ncidrs, 2);
	T(n.naddrs >= 1);
	xc_prefix_format(&n.cidr[0], buf, sizeof(buf));
	T(strchr(buf, '/') != NULL);
	T_INT(xc_k8s_get_node(&k, "no-such-node", NULL, obj, sizeof(obj), &n), -ENOENT);
	T(strstr(k.err, "404 NotFound") != NULL);
	T_INT(xc_k8s_get_node(&k, "node-00003", NULL, obj, 1000, &n), -EFBIG);
	/* paginated: 7 nodes, 2 a page */
	memset(&r, 0, sizeof(r));
	before = k.requests;
	T_INT(xc_k8s_list(&k, NULL, 2, obj, sizeof(obj), on_event, &r, rv), 0);
	T_INT(r.listed, 7);
	T_INT(k.requests - before, 4);
	T(rv[0] != 0);
	T_INT(count(r.names, "node-00007"), 1);
	/* the continue token expires mid-list: start over, and say so */
	memset(&r, 0, sizeof(r));
	r.inject_at = 2;
	T_INT(xc_k8s_list(&k, NULL, 2, obj, sizeof(obj), on_event, &r, rv), 0);
	T_INT(r.restarts, 1);
	T_INT(r.listed, 9);
	T_INT(count(r.names, "node-00001"), 2);
	T_INT(count(r.names, "node-00007"), 1);
	/* at resourceVersion 0: the (fake) watch cache answers whole, limit or not */
	memset(&r, 0, sizeof(r));
	before = k.requests;
	T_INT(xc_k8s_list_at(&k, NULL, 2, "0", obj, sizeof(obj), on_event, &r, rv), 0);
	T_INT(r.listed, 7);
	T_INT(k.requests - before, 1);
	/* a version the server has lost (410): again at once, the latest, paginated */
	T_INT(fault("{\"status\": {\"code\": 410, \"match\": \"list\"}}"), 200);
	memset(&r, 0, sizeof(r));
	before = k.requests;
	strcpy(buf, rv);
	T_INT(xc_k8s_list_at(&k, NULL, 2, buf, obj, sizeof(obj), on_event, &r, rv), 0);
	T_INT(r.listed, 7);
	T_INT(k.requests - before, 5);
	/* a version it does not have yet (504 after its wait): the same */
	memset(&r, 0, sizeof(r));
	T_INT(xc_k8s_list_at(&k, NULL, 0, "99999999", obj, sizeof(obj), on_event, &r, rv), 0);
	T_INT(r.listed, 7);
	/* a 500 on a list: back off */
	T_INT(fault("{\"status\": {\"code\": 500, \"match\": \"list\"}}"), 200);
	T_INT(xc_k8s_list(&k, NULL, 0, obj, sizeof(obj), on_event, &r, rv), -EAGAIN);
	T_INT(k.retry_after, -1);
	T(strstr(k.err, "500") != NULL);
	/* a selector reaches the server */
	memset(&r, 0, sizeof(r));
	{
		struct xc_k8s_select sel = { .field_selector = "metadata.name=node-00002" };

		T_INT(xc_k8s_list(&k, &sel, 0, obj, sizeof(obj), on_event, &r, rv), 0);
		T_INT(r.listed, 1);
		T_INT(count(r.names, "node-00002"), 1);
	}
}

static void test_watch(void)
{
	char rv[XC_K8S_RV_MAX + 1];
	unsigned long watches;
	int rc;

	memset(&r, 0, sizeof(r));
	T_INT(xc_k8s_list(&k, NULL, 0, obj, sizeof(obj), on_event, &r, rv), 0);
	T_INT(xc_k8s_watch_init(&w, &k, NULL, obj, sizeof(obj)), 0);
	T_INT(xc_k8s_watch_start(&w, rv), 0);
	T(xc_k8s_watch_fd(&w) >= 0);
	T(xc_k8s_watch_poll_ms(&w) > 0);
	/* the connection belongs to the watch now */
	T_INT(xc_k8s_list(&k, NULL, 0, obj, sizeof(obj), on_event, &r, rv), -EBUSY);
	memset(&r, 0, sizeof(r));
	T_INT(ctl("POST", "/api/v1/nodes", "{\"metadata\":{\"name\":\"new-1\"},"
		  "\"spec\":{\"podCIDRs\":[\"10.9.0.0/24\"]}}", NULL, 0), 201);
	T_INT(ctl("DELETE", "/api/v1/nodes/node-00005", NULL, NULL, 0), 200);
	heartbeats(3);
	T_INT(pump(WAIT_MS, 5), 0);
	T_INT(r.added, 1);
	T_INT(r.deleted, 1);
	T_INT(r.modified, 3);
	T_INT(count(r.names, "new-1"), 1);
	/* events cut into 7-byte chunks, then at random places */
	T_INT(config("{\"chunking\": \"split:7\"}"), 200);
	memset(&r, 0, sizeof(r));
	heartbeats(4);
	T_INT(pump(WAIT_MS, 4), 0);
	T_INT(r.modified, 4);
	T_INT(config("{\"chunking\": \"random\"}"), 200);
	memset(&r, 0, sizeof(r));
	heartbeats(20);
	T_INT(pump(WAIT_MS, 20), 0);
	T_INT(r.modified, 20);
	T_INT(config("{\"chunking\": \"event\"}"), 200);
	/* bookmarks move the position without an event */
	memset(&r, 0, sizeof(r));
	T_INT(pump_until(WAIT_MS, two_bookmarks), 0);
	T(r.bookmarks >= 2);
	T(w.bookmarks >= 2);
	T_STR(w.rv, r.last_rv);
	/* the server ends watches (its timeout): resumed, nothing lost */
	xc_k8s_watch_stop(&w);
	w.timeout_s = 1;
	T_INT(xc_k8s_watch_start(&w, w.rv), 0);
	watches = w.watches;
	memset(&r, 0, sizeof(r));
	T_INT(pump_watches(watches + 2), 0);
	T(w.watches >= watches + 2);
	heartbeats(2);
	T_INT(pump(WAIT_MS, 2), 0);
	T_INT(r.modified, 2);
	w.timeout_s = 0;
	T_INT(fault("{\"drop_watches\": \"clean\"}"), 200);
	watches = w.watches;
	T_INT(pump_watches(watches + 1), 0);
	/* and no second one: an event on the new watch marks the point */
	memset(&r, 0, sizeof(r));
	heartbeats(1);
	T_INT(pump(WAIT_MS, 1), 0);
	T_INT(w.watches, watches + 1);
	/* cut off mid-stream: an error, then step resumes from the last position */
	T_INT(fault("{\"drop_watches\": \"abort\"}"), 200);
	rc = pump(WAIT_MS, 0);
	T(rc < 0 && rc != -ESTALE);
	T_INT(xc_k8s_watch_fd(&w), -1);
	memset(&r, 0, sizeof(r));
	heartbeats(2);
	T_INT(pump(WAIT_MS, 2), 0);
	T_INT(r.modified, 2);
	/* a garbled event: reported, then replayed from the last good position */
	memset(&r, 0, sizeof(r));
	only_watches(1);
	T_INT(fault("{\"garbage\": {\"count\": 1}}"), 200);
	T_INT(ctl("POST", "/api/v1/nodes", "{\"metadata\":{\"name\":\"new-2\"}}", NULL, 0), 201);
	T_INT(pump(WAIT_MS, 1), -EPROTO);
	T(strstr(k.err, "not JSON") != NULL);
	T_INT(pump(WAIT_MS, 1), 0);
	T_INT(count(r.names, "new-2"), 1);
	/* half an event, then the connection is cut */
	memset(&r, 0, sizeof(r));
	only_watches(1);
	T_INT(fault("{\"truncate\": {\"count\": 1}}"), 200);
	T_INT(ctl("POST", "/api/v1/nodes", "{\"metadata\":{\"name\":\"new-3\"}}", NULL, 0), 201);
	rc = pump(WAIT_MS, 1);
	if (!t_check(rc < 0 && rc != -ESTALE, __FILE__, __LINE__, "truncated watch: an error"))
		printf("     rc %d, events: %s\n", rc, r.names);
	T_INT(pump(WAIT_MS, 1), 0);
	T_INT(count(r.names, "new-3"), 1);
	/* 410 as an ERROR event: relist, then watch from the new list */
	T_INT(fault("{\"expire\": \"event\"}"), 200);
	T_INT(pump(WAIT_MS, 0), -ESTALE);
	T(strstr(k.err, "410") != NULL);
	T_INT(xc_k8s_watch_fd(&w), -1);
	/* a watch from a position the server no longer has: 200, then ERROR */
	snprintf(rv, sizeof(rv), "%s", w.rv);
	heartbeats(1);
	T_INT(fault("{\"expire\": \"event\"}"), 200);
	T_INT(xc_k8s_watch_start(&w, rv), 0);
	T_INT(pump(WAIT_MS, 0), -ESTALE);
	/* 410 as the HTTP status */
	heartbeats(1);
	T_INT(fault("{\"expire\": \"http\"}"), 200);
	T_INT(xc_k8s_watch_start(&w, rv), -ESTALE);
	T(strstr(k.err, "410") != NULL);
	memset(&r, 0, sizeof(r));
	T_INT(xc_k8s_list(&k, NULL, 0, obj, sizeof(obj), on_event, &r, rv), 0);
	T_INT(xc_k8s_watch_start(&w, rv), 0);
	heartbeats(1);
	T_INT(pump(WAIT_MS, 1), 0);
	T_INT(r.modified, 1);
	/* 429 with Retry-After, then 503: back off, then resume */
	xc_k8s_watch_stop(&w);
	T_INT(fault("{\"status\": {\"code\": 429, \"match\": \"watch\", \"retry_after\": 2}}"), 200);
	T_INT(xc_k8s_watch_step(&w, on_event, &r), -EAGAIN);
	T_INT(k.retry_after, 2);
	{
		struct xc_k8s_backoff b;

		xc_k8s_backoff_init(&b, 100, 1000);
		T(xc_k8s_backoff_next(&b, k.retry_after) >= 2000);
	}
	T_INT(fault("{\"status\": {\"code\": 503, \"match\": \"watch\"}}"), 200);
	T_INT(xc_k8s_watch_step(&w, on_event, &r), -EAGAIN);
	T_INT(k.retry_after, -1);
	memset(&r, 0, sizeof(r));
	heartbeats(1);
	T_INT(pump(WAIT_MS, 1), 0);
	T_INT(r.modified, 1);
	T(strstr(k.err, "tok-") == NULL);
}

static void test_token_rotation(void)
{
	char p[128], rv[XC_K8S_RV_MAX + 1];
	struct timespec keep[2];
	struct stat st;
	unsigned reads;

	xc_k8s_watch_stop(&w);
	/* the server takes only tok-2 now; the file the client reads says so too */
	write_file("token", "tok-2\ntok-admin\n");
	write_file("client-token", "tok-2\n");
	memset(&r, 0, sizeof(r));
	reads = k.token_reads;
	T_INT(xc_k8s_list(&k, NULL, 0, obj, sizeof(obj), on_event, &r, rv), 0);
	T_INT(k.token_reads, reads + 1);
	/* rotated in place with the same size and times: only the 401 can tell */
	path_of(p, sizeof(p), "client-token");
	T_INT(stat(p, &st), 0);
	keep[0] = st.st_atim;
	keep[1] = st.st_mtim;
	write_file("token", "tok-3\ntok-admin\n");
	{
		int fd = open(p, O_WRONLY);

		T(fd >= 0 && write(fd, "tok-3\n", 6) == 6);
		close(fd);
		T_INT(utimensat(AT_FDCWD, p, keep, 0), 0);
	}
	reads = k.token_reads;
	T_INT(xc_k8s_list(&k, NULL, 0, obj, sizeof(obj), on_event, &r, rv), 0);
	T_INT(k.token_reads, reads + 1);
	/* a token the server refuses: -EACCES, and the token is in no text */
	write_file("client-token", "tok-wrong\n");
	T_INT(xc_k8s_list(&k, NULL, 0, obj, sizeof(obj), on_event, &r, rv), -EACCES);
	T(strstr(k.err, "401") != NULL);
	T(strstr(k.err, "tok-wrong") == NULL);
	write_file("client-token", "tok-3\n");
	T_INT(xc_k8s_watch_start(&w, rv), 0);
	xc_k8s_watch_stop(&w);
}

static void test_tls_variants(void)
{
	char crt[600], key[600], user[1400], rv[XC_K8S_RV_MAX + 1];

	/* a client certificate instead of a token */
	snprintf(user, sizeof(user), "    client-certificate: %s\n    client-key: %s\n",
		 ht_file(crt, sizeof(crt), "client-ec.crt"), ht_file(key, sizeof(key), "client-ec.key"));
	kubeconfig(user, "");
	T_INT(client(), 0);
	memset(&r, 0, sizeof(r));
	T_INT(xc_k8s_list(&k, NULL, 0, obj, sizeof(obj), on_event, &r, rv), 0);
	T(r.listed > 5);
	/* tls-server-name: verify a DNS name while connecting to an address */
	kubeconfig("    tokenFile: client-token\n", "    tls-server-name: kubernetes.default.svc\n");
	T_INT(client(), 0);
	T_INT(xc_k8s_list(&k, NULL, 0, obj, sizeof(obj), on_event, &r, rv), 0);
	kubeconfig("    tokenFile: client-token\n", "    tls-server-name: wrong.example\n");
	T_INT(client(), 0);
	T_INT(xc_k8s_list(&k, NULL, 0, obj, sizeof(obj), on_event, &r, rv), -EKEYREJECTED);
	T(strstr(k.err, "wrong.example") != NULL);
	/* back to the token, for the rest */
	kubeconfig("    tokenFile: client-token\n", "");
	T_INT(client(), 0);
}

static void test_restart(void)
{
	char rv[XC_K8S_RV_MAX + 1];
	int rc = 0, i, relisted = 0;

	memset(&r, 0, sizeof(r));
	T_INT(xc_k8s_list(&k, NULL, 0, obj, sizeof(obj), on_event, &r, rv), 0);
	T_INT(xc_k8s_watch_start(&w, rv), 0);
	fake_stop();
	rc = pump(WAIT_MS, 0);
	T(rc < 0);
	T_INT(fake_start(fake_port), 0);
	/* what a router does: back off and step; relist when told (60 s at most) */
	for (i = 0; i < 200; i++) {
		rc = pump(200, 0);
		if (rc == -ESTALE) {
			relisted++;
			if (!xc_k8s_list(&k, NULL, 0, obj, sizeof(obj), on_event, &r, rv))
				xc_k8s_watch_start(&w, rv);
			continue;
		}
		if (!rc && xc_k8s_watch_fd(&w) >= 0)
			break;
		usleep(100000);
	}
	T(xc_k8s_watch_fd(&w) >= 0);
	memset(&r, 0, sizeof(r));
	heartbeats(2);
	T_INT(pump(WAIT_MS, 2), 0);
	T_INT(r.modified, 2);
	(void)relisted;
}

/* What node-local does on a cache miss: GET its Node, write the cache. */
static void test_podcidr_fetch(void)
{
	static struct xc_k8s_client pk;
	char kcpath[128], data[128], buf[64];
	struct xc_k8s_opts o = { .kubeconfig = kcpath, .no_env = 1 };
	struct xc_podcidr_req req = { .k8s = &o, .node = "node-00004", .data_dir = data,
				      .network = "pods", .timeout_ms = WAIT_MS };
	struct xc_prefix p[XC_PODCIDRS_MAX];
	int insecure = -1;

	path_of(kcpath, sizeof(kcpath), "kubeconfig");
	path_of(data, sizeof(data), "cni");
	T_INT(xc_podcidr_fetch(&req, &pk, obj, sizeof(obj), p, XC_PODCIDRS_MAX, &insecure), 2);
	T_INT(insecure, 0);
	T_INT(xc_podcidrs_read(data, "pods", p, XC_PODCIDRS_MAX, NULL, 0), 2);
	xc_prefix_format(&p[1], buf, sizeof(buf));
	T(strchr(buf, ':') != NULL);   /* the IPv6 one, in the Node's order */
	/* a node without pod CIDRs yet: its own error, nothing written */
	T_INT(ctl("POST", "/api/v1/nodes", "{\"metadata\":{\"name\":\"fresh-1\","
		  "\"annotations\":{\"xc/cidrs\":\"10.50.0.0/16, fd00:50::/56\"}}}", NULL, 0), 201);
	req.node = "fresh-1";
	req.network = "fresh";
	T_INT(xc_podcidr_fetch(&req, &pk, obj, sizeof(obj), p, XC_PODCIDRS_MAX, NULL), -ENODATA);
	T(strstr(pk.err, "fresh-1 has no pod CIDRs yet") != NULL);
	T_INT(xc_podcidrs_read(data, "fresh", p, XC_PODCIDRS_MAX, NULL, 0), -ENOENT);
	/* ... unless a CIDR annotation is configured */
	req.annotation = "xc/cidrs";
	T_INT(xc_podcidr_fetch(&req, &pk, obj, sizeof(obj), p, XC_PODCIDRS_MAX, NULL), 2);
	T_INT(xc_podcidrs_read(data, "fresh", p, XC_PODCIDRS_MAX, NULL, 0), 2);
	xc_prefix_format(&p[1], buf, sizeof(buf));
	T_STR(buf, "fd00:50::/56");
	req.node = "no-such-node";
	T_INT(xc_podcidr_fetch(&req, &pk, obj, sizeof(obj), p, XC_PODCIDRS_MAX, NULL), -ENOENT);
	/* no kubeconfig there */
	o.kubeconfig = "/nonexistent";
	T_INT(xc_podcidr_fetch(&req, &pk, obj, sizeof(obj), p, XC_PODCIDRS_MAX, NULL), -ENOENT);
	T(strstr(pk.err, "/nonexistent") != NULL);
	/* the API server is down: an error at once, not a hang (to the timeout, 60 s) */
	{
		char ca[600], text[1024];
		time_t t0 = time(NULL);

		snprintf(text, sizeof(text), "current-context: t\ncontexts:\n- name: t\n  context:\n"
			 "    cluster: c\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n"
			 "    certificate-authority: %s\n", ht_file(ca, sizeof(ca), "ca.crt"));
		write_file("kubeconfig-down", text);
		path_of(kcpath, sizeof(kcpath), "kubeconfig-down");
		o.kubeconfig = kcpath;
		T_INT(xc_podcidr_fetch(&req, &pk, obj, sizeof(obj), p, XC_PODCIDRS_MAX, NULL),
		      -ECONNREFUSED);
		T(time(NULL) - t0 < 30);
	}
}

static void cleanup(void)
{
	char cmd[128];

	fake_stop();
	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("could not remove %s\n", dir);
	}
}

int main(void)
{
	alarm(600);   /* a hung suite ends; each wait has its own deadline */
	snprintf(dir, sizeof(dir), "/tmp/xc-k8s-api.XXXXXX");
	if (!mkdtemp(dir)) {
		printf("FAIL mkdtemp\n");
		return 1;
	}
	atexit(cleanup);
	ht_certs();
	write_file("token", "tok-1\ntok-admin\n");
	write_file("client-token", "tok-1\n");
	if (fake_start(0)) {
		printf("FAIL the fake API server did not start\n");
		return 1;
	}
	{
		char tf[128], user[200];

		path_of(tf, sizeof(tf), "client-token");
		snprintf(user, sizeof(user), "    tokenFile: %s\n", tf);
		kubeconfig(user, "");
	}
	test_get_list();
	test_watch();
	test_token_rotation();
	test_tls_variants();
	test_podcidr_fetch();
	test_restart();
	xc_k8s_watch_stop(&w);
	xc_k8s_client_close(&k);
	return t_done("test_k8s_api");
}
