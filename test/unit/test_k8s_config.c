/*
 * test_k8s_config: core/kube/k8s's kubeconfig interpretation (YAML as kubectl
 * writes it, JSON), base64, query strings, CIDR lists, back-off, and the
 * pod-CIDR cache file of core/kube/podcidr_cache.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube/k8s.h"
#include "kube/k8s_priv.h"
#include "kube/podcidr_cache.h"
#include "t.h"

/* A node with pod CIDRs, addresses and the annotation xc/cidrs. */
#define NODE_A(rv) "{\"metadata\":{\"name\":\"node-a\",\"resourceVersion\":\"" #rv "\"," \
	"\"annotations\":{\"xc/cidrs\":\"10.3.0.0/16\"}},\"spec\":{\"podCIDRs\":" \
	"[\"10.244.3.0/24\",\"fd00:10:244:3::/64\"]},\"status\":{\"addresses\":" \
	"[{\"type\":\"InternalIP\",\"address\":\"192.168.0.3\"}]}}"

static int parse_node(const char *text, const char *const *annot, struct xc_k8s_node *n,
		      char *err)
{
	struct xc_json root;

	if (xc_json_parse(text, strlen(text), &root, NULL))
		return -999;
	return xc_k8s_node_parse(&root, annot, n, err, 128);
}

/* ---- kubeconfig ---------------------------------------------------------------- */

static struct xc_k8s_config cfg;
static struct xc_yaml_node ynodes[2048];

static int kc(const char *text, const char *path, const char *ctx)
{
	return xc_k8s_config_parse(&cfg, text, strlen(text), path, ctx, ynodes, 2048);
}

/* kubectl's own layout (config set-cluster/set-credentials/set-context) */
static const char *kubectl_yaml =
	"apiVersion: v1\n"
	"clusters:\n"
	"- cluster:\n"
	"    certificate-authority: certs/ca.crt\n"
	"    server: https://127.0.0.1:6443\n"
	"    tls-server-name: kubernetes.default.svc\n"
	"  name: fake\n"
	"- cluster:\n"
	"    insecure-skip-tls-verify: true\n"
	"    server: https://[::1]:6443\n"
	"  name: other\n"
	"contexts:\n"
	"- context:\n"
	"    cluster: fake\n"
	"    user: tester\n"
	"  name: fake\n"
	"- context:\n"
	"    cluster: other\n"
	"    user: files\n"
	"  name: other\n"
	"current-context: fake\n"
	"kind: Config\n"
	"preferences: {}\n"
	"users:\n"
	"- name: tester\n"
	"  user:\n"
	"    token: tok-1\n"
	"    tokenFile: /ignored\n"
	"- name: files\n"
	"  user:\n"
	"    client-certificate: /abs/c.crt\n"
	"    client-key: k.key\n"
	"    tokenFile: tok\n";

static void test_kubeconfig(void)
{
	char text[4096];

	T_INT(kc(kubectl_yaml, "/etc/kube/config", NULL), 0);
	T_STR(cfg.source, "kubeconfig /etc/kube/config");
	T_STR(cfg.server, "https://127.0.0.1:6443");
	T_STR(cfg.ca_file, "/etc/kube/certs/ca.crt");
	T_STR(cfg.tls_server_name, "kubernetes.default.svc");
	T_STR(cfg.token, "tok-1");
	T_STR(cfg.token_file, "");   /* token wins, as client-go */
	T_INT(cfg.insecure, 0);
	T_INT(kc(kubectl_yaml, "/etc/kube/config", "other"), 0);
	T_STR(cfg.server, "https://[::1]:6443");
	T_INT(cfg.insecure, 1);
	T_STR(cfg.cert_file, "/abs/c.crt");
	T_STR(cfg.key_file, "/etc/kube/k.key");
	T_STR(cfg.token_file, "/etc/kube/tok");
	T_STR(cfg.token, "");
	/* a kubeconfig in the root folder, or known by no path */
	T_INT(kc(kubectl_yaml, "/config", "other"), 0);
	T_STR(cfg.key_file, "/k.key");
	T_INT(kc(kubectl_yaml, NULL, "other"), 0);
	T_STR(cfg.key_file, "k.key");
	/* the same as JSON (kubectl config view --raw -o json) */
	T_INT(kc("{\"kind\":\"Config\",\"apiVersion\":\"v1\",\"clusters\":[{\"name\":\"c\",\"cluster\":"
		 "{\"server\":\"http://127.0.0.1:8080\",\"certificate-authority-data\":\"aGVsbG8=\"}}],"
		 "\"users\":[{\"name\":\"u\",\"user\":{\"client-certificate-data\":\"Y2VydA==\","
		 "\"client-key-data\":\"a2V5\"}}],\"contexts\":[{\"name\":\"x\",\"context\":{\"cluster\":"
		 "\"c\",\"user\":\"u\"}}],\"current-context\":\"x\"}", "/k.json", NULL), 0);
	T_STR(cfg.server, "http://127.0.0.1:8080");
	T_INT(cfg.ca_len, 5);
	T(!memcmp(cfg.pem, "hello", 5));
	T_INT(cfg.cert_len, 4);
	T(!memcmp(cfg.pem + 5, "cert", 4));
	T_INT(cfg.key_len, 3);
	T(!memcmp(cfg.pem + 9, "key", 3));
	xc_k8s_config_wipe(&cfg);
	T_INT(cfg.key_len, 0);
	T_INT(cfg.pem[9], 0);
	/* errors name the file and the field */
	snprintf(text, sizeof(text), "current-context: x\ncontexts:\n- name: x\n  context:\n"
		 "    cluster: c\n    user: u\nclusters:\n- name: c\n  cluster:\n    server: h:1\n"
		 "users:\n- name: u\n  user:\n    client-certificate-data: Y2VydA==\n"
		 "    client-key-data: not*base64\n");
	T_INT(kc(text, "/x/y", NULL), -EINVAL);
	T_STR(cfg.err, "kubeconfig /x/y: users[0].user.client-key-data: not valid base64");
	T_INT(cfg.cert_len, 0);
	T_INT(cfg.pem[0], 0);   /* what was decoded is gone again */
	T_INT(kc("current-context: x\n", "/x/y", NULL), -EINVAL);
	T_STR(cfg.err, "kubeconfig /x/y: contexts: no context named \"x\"");
	T_INT(kc(kubectl_yaml, "/x/y", "nope"), -EINVAL);
	T_INT(kc("kind: Config\n", "/x/y", NULL), -EINVAL);
	T_STR(cfg.err, "kubeconfig /x/y: current-context: not set (and no context given)");
	T_INT(kc("a: [\n", "/x/y", NULL), -EINVAL);
	T(strstr(cfg.err, "kubeconfig /x/y: not valid YAML: line 1") == cfg.err);
	T_INT(kc("{\"a\":", "/x/y", NULL), -EINVAL);
	T(strstr(cfg.err, "not valid JSON") != NULL);
	T_INT(kc("   \n", "/x/y", NULL), -EINVAL);
	T_INT(kc("- a\n", "/x/y", NULL), -EINVAL);
	snprintf(text, sizeof(text), "current-context: x\ncontexts:\n- name: x\n  context:\n"
		 "    cluster: c\n    user: u\nclusters:\n- name: c\n  cluster:\n    server: h:1\n"
		 "    %s\nusers:\n- name: u\n  user:\n    %s\n", "insecure-skip-tls-verify: maybe",
		 "token: t");
	T_INT(kc(text, "/x/y", NULL), -EINVAL);
	T_STR(cfg.err, "kubeconfig /x/y: clusters[0].cluster.insecure-skip-tls-verify: not true or false");
#define KC2(cl, us) (snprintf(text, sizeof(text), "current-context: x\ncontexts:\n- name: x\n" \
	"  context:\n    cluster: c\n    user: u\nclusters:\n- name: c\n  cluster:\n" \
	"    server: h:1\n    %s\nusers:\n- name: u\n  user:\n    %s\n", cl, us), kc(text, "/x/y", NULL))
	T_INT(KC2("tls-server-name: a", "token: t"), 0);
	T_STR(cfg.server, "https://h:1"); /* no scheme: https, as client-go reads it */
	T_INT(KC2("insecure-skip-tls-verify: true\n    certificate-authority: /ca", "token: t"), -EINVAL);
	T(strstr(cfg.err, "insecure-skip-tls-verify: not allowed together") != NULL);
	T_INT(KC2("proxy-url: http://proxy:3128", "token: t"), -EINVAL);
	T_INT(KC2("a: b", "exec:\n      command: aws"), -EINVAL);
	T_STR(cfg.err, "kubeconfig /x/y: users[0].user.exec: exec credential plugins are not supported");
	T_INT(KC2("a: b", "username: admin\n    password: secret"), -EINVAL);
	T(strstr(cfg.err, "secret") == NULL);
	T_INT(KC2("a: b", "client-certificate: /c"), -EINVAL);
	T_STR(cfg.err, "kubeconfig /x/y: users[0].user.client-key: missing (a client certificate "
	      "needs both the certificate and its key)");
	T_INT(KC2("a: b", "client-certificate-data: Y2VydA==\n    client-key: /k"), -EINVAL);
	T_INT(KC2("a: b", "client-key-data: Y2VydA="), -EINVAL);
	T_INT(KC2("certificate-authority-data: \"\"", "token: t"), 0);
	T_INT(cfg.ca_len, 0);
	T_INT(KC2("certificate-authority-data: Zm9v", "token: [1]"), -EINVAL);
	T_STR(cfg.err, "kubeconfig /x/y: users[0].user.token: not a string");
	/* the user may be left out: a client certificate or anonymous */
	T_INT(kc("current-context: x\ncontexts:\n- name: x\n  context:\n    cluster: c\n"
		 "clusters:\n- name: c\n  cluster:\n    server: https://h\n", "/x/y", NULL), 0);
	T_INT(kc("current-context: x\ncontexts:\n- name: x\n  context:\n    cluster: c\n"
		 "    user: nobody\nclusters:\n- name: c\n  cluster:\n    server: https://h\n", "/x/y",
		 NULL), -EINVAL);
	T_STR(cfg.err, "kubeconfig /x/y: users: no user named \"nobody\"");
}

static void test_base64(void)
{
	unsigned char out[64];

	T_INT(xc_k8s_base64_decode("aGVsbG8=", 8, out, sizeof(out)), 5);
	T_INT(xc_k8s_base64_decode("aGVs\nbG8h\r\n", 11, out, sizeof(out)), 6);
	T(!memcmp(out, "hello!", 6));
	T_INT(xc_k8s_base64_decode("", 0, out, sizeof(out)), 0);
	T_INT(xc_k8s_base64_decode("aGVsbG8", 7, out, sizeof(out)), -EINVAL);   /* no padding */
	T_INT(xc_k8s_base64_decode("aGVsbG8==", 9, out, sizeof(out)), -EINVAL);
	T_INT(xc_k8s_base64_decode("aG=sbG8=", 8, out, sizeof(out)), -EINVAL);
	T_INT(xc_k8s_base64_decode("aGVsbG9=", 8, out, sizeof(out)), -EINVAL); /* stray bits */
	T_INT(xc_k8s_base64_decode("aGVs bG8=", 9, out, sizeof(out)), -EINVAL);
	T_INT(xc_k8s_base64_decode("aGVsbG8=", 8, out, 4), -ENOSPC);
	T_INT(xc_k8s_base64_decode("////", 4, out, sizeof(out)), 3);
	T_INT(out[0], 255);
}

static void test_helpers(void)
{
	struct xc_prefix p[4];
	char q[80], name[300];

	T_INT(xc_k8s_parse_cidr_list("10.0.0.0/24, fd00::/64", p, 4), 2);
	T_INT(xc_k8s_parse_cidr_list("  ", p, 4), 0);
	T_INT(xc_k8s_parse_cidr_list("10.0.0.0/24,", p, 4), -EINVAL);
	T_INT(xc_k8s_parse_cidr_list("10.0.0.0", p, 4), -EINVAL);
	T_INT(xc_k8s_parse_cidr_list("1.0.0.0/8,2.0.0.0/8,3.0.0.0/8", p, 2), -E2BIG);
	strcpy(q, "/api/v1/nodes");
	T_INT(xc_k8s_query(q, sizeof(q), "labelSelector", "a in (b,c), !d"), 0);
	T_STR(q, "/api/v1/nodes?labelSelector=a%20in%20%28b%2Cc%29%2C%20%21d");
	T_INT(xc_k8s_query(q, sizeof(q), "limit", "5"), 0);
	T(strstr(q, "&limit=5") != NULL);
	T_INT(xc_k8s_query(q, sizeof(q), "continue", "a very long value that cannot fit"), -E2BIG);
	setenv("NODE_NAME", "worker-7", 1);
	T_INT(xc_k8s_node_name(name, sizeof(name)), 0);
	T_STR(name, "worker-7");
	T_INT(xc_k8s_node_name(name, 4), -ENAMETOOLONG);
	unsetenv("NODE_NAME");
	T_INT(xc_k8s_node_name(name, sizeof(name)), 0);
	T(name[0] != 0);
	T_STR(xc_k8s_event_name(XC_K8S_BOOKMARK), "BOOKMARK");
}

static void test_backoff(void)
{
	struct xc_k8s_backoff b;
	unsigned d, lo = ~0u, hi = 0;
	int i;

	xc_k8s_backoff_init(&b, 100, 1000);
	d = xc_k8s_backoff_next(&b, -1);
	T(d >= 50 && d <= 100);
	d = xc_k8s_backoff_next(&b, -1);
	T(d >= 100 && d <= 200);
	for (i = 0; i < 10; i++)
		d = xc_k8s_backoff_next(&b, -1);
	T(d >= 500 && d <= 1000);         /* capped */
	d = xc_k8s_backoff_next(&b, 3);
	T(d >= 3000 && d <= 3750);        /* Retry-After honoured, spread a little */
	d = xc_k8s_backoff_next(&b, 100000);
	T(d >= 600000 && d <= 750000);    /* a silly Retry-After is capped */
	xc_k8s_backoff_reset(&b);
	d = xc_k8s_backoff_next(&b, 0);
	T(d >= 50 && d <= 100);
	/* jitter: not all the same */
	for (i = 0; i < 50; i++) {
		xc_k8s_backoff_reset(&b);
		xc_k8s_backoff_next(&b, -1);
		d = xc_k8s_backoff_next(&b, -1);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	T(hi > lo);
	T(lo >= 100 && hi <= 200);
}

/* ---- the pod-CIDR cache -------------------------------------------------------- */

/* A node record into the podcidrs file, as xc_podcidr_fetch does after its GET. */
static int cache_update(const char *data_dir, const char *network, const struct xc_k8s_node *n,
			int annot_index)
{
	struct xc_prefix p[XC_PODCIDRS_MAX];
	int count = xc_podcidr_from_node(n, annot_index, p, XC_PODCIDRS_MAX);

	return count < 0 ? count : xc_podcidrs_write(data_dir, network, n->name, p, NULL, count);
}

static void test_podcidr_cache(void)
{
	char dir[] = "/tmp/xc-test-k8s.XXXXXX", data[300], path[400], buf[256];
	static const char *const annot[XC_K8S_ANNOT_MAX] = { "xc/cidrs", NULL };
	struct xc_prefix p[XC_PODCIDRS_MAX];
	struct xc_k8s_node n;
	struct stat st, st2;
	char err[128];
	FILE *f;

	T(mkdtemp(dir) != NULL);
	snprintf(data, sizeof(data), "%s/data/networks", dir);
	snprintf(path, sizeof(path), "%s/net1/podcidrs", data);
	T_INT(xc_podcidrs_read(data, "net1", p, XC_PODCIDRS_MAX, NULL, 0), -ENOENT);
	T_INT(parse_node(NODE_A(1), NULL, &n, err), 0);
	T_INT(cache_update(data, "net1", &n, -1), 1);
	T_INT(xc_podcidrs_read(data, "net1", p, XC_PODCIDRS_MAX, NULL, 0), 2);
	xc_prefix_format(&p[1], buf, sizeof(buf));
	T_STR(buf, "fd00:10:244:3::/64");
	/* the same again: the file is not touched (node-local's index keys on the folder) */
	T_INT(stat(path, &st), 0);
	usleep(20000);
	T_INT(cache_update(data, "net1", &n, -1), 0);
	T_INT(stat(path, &st2), 0);
	T_INT(st.st_ino, st2.st_ino);
	/* the format node-local reads: a comment, then one CIDR a line */
	f = fopen(path, "r");
	T(f && fgets(buf, sizeof(buf), f) && buf[0] == '#');
	T(f && fgets(buf, sizeof(buf), f) && !strcmp(buf, "10.244.3.0/24\n"));
	if (f)
		fclose(f);
	/* the annotation wins when it is there */
	T_INT(parse_node(NODE_A(2), annot, &n, err), 0);
	T_INT(cache_update(data, "net1", &n, 0), 1);
	T_INT(xc_podcidrs_read(data, "net1", p, XC_PODCIDRS_MAX, NULL, 0), 1);
	xc_prefix_format(&p[0], buf, sizeof(buf));
	T_STR(buf, "10.3.0.0/16");
	T_INT(xc_podcidr_from_node(&n, 1, p, XC_PODCIDRS_MAX), 2);  /* absent: spec */
	strcpy(n.annot[0], "10.0.0.0/8,nope");
	T_INT(xc_podcidr_from_node(&n, 0, p, XC_PODCIDRS_MAX), -EINVAL);
	T_INT(cache_update(data, "net1", &n, 0), -EINVAL);
	n.annot_len[0] = XC_K8S_ANNOT_TOO_LONG;
	T_INT(xc_podcidr_from_node(&n, 0, p, XC_PODCIDRS_MAX), -EINVAL);
	/* a node without pod CIDRs yet */
	T_INT(parse_node("{\"metadata\":{\"name\":\"fresh\"}}", annot, &n, err), 0);
	T_INT(cache_update(data, "net2", &n, 0), -ENODATA);
	T_INT(xc_podcidrs_read(data, "net2", p, XC_PODCIDRS_MAX, NULL, 0), -ENOENT);
	/* no temporary file is left behind */
	snprintf(path, sizeof(path), "%s/net1/.podcidrs.%d", data, (int)getpid());
	T(access(path, F_OK) < 0);
	T_INT(xc_podcidrs_write(data, "../x", "a", p, NULL, 1), -EINVAL);
	T_INT(xc_podcidrs_write(data, "net1", "a", p, NULL, 0), -EINVAL);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	T_INT(system(path), 0);
}

/* Never written through a link: a symlinked network dir, a file planted at the tmp name. */
static void test_podcidr_links(void)
{
	char dir[] = "/tmp/xc-test-k8s.XXXXXX", a[300], b[300], c[400];
	struct xc_prefix p;
	FILE *f;

	T(mkdtemp(dir) != NULL);
	T_INT(xc_prefix_parse("10.2.0.0/24", &p), 0);
	snprintf(a, sizeof(a), "%s/elsewhere", dir);
	snprintf(b, sizeof(b), "%s/linked", dir);
	T_INT(mkdir(a, 0755), 0);
	T_INT(symlink(a, b), 0);
	T_INT(xc_podcidrs_write(dir, "linked", "n1", &p, NULL, 1), -ELOOP);
	snprintf(c, sizeof(c), "%s/podcidrs", a);
	T(access(c, F_OK) < 0);
	/* a hard link to another file under the temporary name */
	T_INT(xc_podcidrs_write(dir, "net", "n1", &p, NULL, 1), 1);
	snprintf(a, sizeof(a), "%s/victim", dir);
	f = fopen(a, "w");
	T(f && fputs("precious\n", f) >= 0);
	if (f)
		fclose(f);
	snprintf(b, sizeof(b), "%s/net/.podcidrs.%d", dir, (int)getpid());
	T_INT(link(a, b), 0);
	T_INT(xc_prefix_parse("10.4.0.0/24", &p), 0);
	T_INT(xc_podcidrs_write(dir, "net", "n1", &p, NULL, 1), 1);
	f = fopen(a, "r");
	T(f && fgets(c, sizeof(c), f) && !strcmp(c, "precious\n"));
	if (f)
		fclose(f);
	T(access(b, F_OK) < 0);
	T_INT(xc_podcidrs_read(dir, "net", &p, 1, NULL, 0), 1);
	snprintf(c, sizeof(c), "rm -rf '%s'", dir);
	T_INT(system(c), 0);
}

/* A FIFO as the kubeconfig, CA or token file is refused at once (SIGALRM ends a hang: 60 s, a safety deadline). */
static void test_kubeconfig_fifo(void)
{
	static struct xc_k8s_client kcl;
	char dir[] = "/tmp/xc-test-k8s.XXXXXX", path[300], text[1024];
	struct xc_k8s_opts o = { .kubeconfig = path, .no_env = 1 };

	T(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	T_INT(mkfifo(path, 0600), 0);
	alarm(60);
	T_INT(xc_k8s_config_load(&cfg, &o), -EINVAL);
	alarm(0);
	T(strstr(cfg.err, "not a regular file") != NULL);
	/* ... and so is a FIFO as the CA file or the token file */
	snprintf(text, sizeof(text), "current-context: x\ncontexts:\n- name: x\n  context:\n"
		 "    cluster: c\n    user: u\nclusters:\n- name: c\n  cluster:\n"
		 "    server: https://127.0.0.1:1\n    certificate-authority: %s\n"
		 "users:\n- name: u\n  user:\n    token: t\n", path);
	T_INT(kc(text, "/x/kc", NULL), 0);
	alarm(60);
	T(xc_k8s_client_init_config(&kcl, &cfg) < 0);
	alarm(0);
	T(strstr(kcl.err, path) != NULL);
	snprintf(text, sizeof(text), "current-context: x\ncontexts:\n- name: x\n  context:\n"
		 "    cluster: c\n    user: u\nclusters:\n- name: c\n  cluster:\n"
		 "    server: http://127.0.0.1:1\nusers:\n- name: u\n  user:\n"
		 "    tokenFile: %s\n", path);
	T_INT(kc(text, "/x/kc", NULL), 0);
	alarm(60);
	T(xc_k8s_client_init_config(&kcl, &cfg) < 0);
	alarm(0);
	T(strstr(kcl.err, path) != NULL);
	unlink(path);
	rmdir(dir);
}

/* F1: credentials over plain http only to loopback, and then flagged for a warning */
static void test_plain_http(void)
{
	static struct xc_k8s_client kcl;
	static const struct { const char *server, *user; int rc, plain; } cases[] = {
		{ "http://198.18.0.1:8080", "token: t", -EINVAL, 0 },
		{ "http://api.example:80", "tokenFile: /nonexistent", -EINVAL, 0 },
		{ "http://198.18.0.1", "client-certificate: /c\n    client-key: /k", -EINVAL, 0 },
		{ "http://[fd00::1]:8080", "token: t", -EINVAL, 0 },
		{ "http://128.0.0.1:8080", "token: t", -EINVAL, 0 },
		{ "http://127.0.0.1:8080", "token: t", 0, 1 },
		{ "http://127.9.8.7:8080", "token: t", 0, 1 },
		{ "http://localhost:8080", "token: t", 0, 1 },
		{ "http://[::1]:8080", "token: t", 0, 1 },
		{ "http://198.18.0.1:8080", "a: b", 0, 0 },       /* anonymous: nothing to leak */
		{ "https://198.18.0.1:8080\n    insecure-skip-tls-verify: true", "token: t", 0, 0 },
	};
	char text[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "current-context: x\ncontexts:\n- name: x\n  context:\n"
			 "    cluster: c\n    user: u\nclusters:\n- name: c\n  cluster:\n"
			 "    server: %s\nusers:\n- name: u\n  user:\n    %s\n", cases[i].server,
			 cases[i].user);
		T_INT(kc(text, "/x/kc", NULL), 0);
		T_INT(xc_k8s_client_init_config(&kcl, &cfg), cases[i].rc);
		T_INT(kcl.plain, cases[i].plain);
		if (cases[i].rc)
			T(strstr(kcl.err, "is plain http: refusing to send") != NULL);
		xc_k8s_client_close(&kcl);
	}
	T_INT(kc("current-context: x\ncontexts:\n- name: x\n  context:\n    cluster: c\n"
		 "    user: u\nclusters:\n- name: c\n  cluster:\n    server: http://198.18.0.1:80\n"
		 "users:\n- name: u\n  user:\n    token: t\n", "/x/kc", NULL), 0);
	T_INT(xc_k8s_client_init_config(&kcl, &cfg), -EINVAL);
	T_STR(kcl.err, "kubeconfig /x/kc: server http://198.18.0.1:80 is plain http: refusing to "
	      "send the bearer token in clear to a host that is not loopback (use https)");
}

int main(void)
{
	test_kubeconfig();
	test_base64();
	test_helpers();
	test_backoff();
	test_podcidr_cache();
	test_podcidr_links();
	test_kubeconfig_fifo();
	test_plain_http();
	return t_done("test_k8s_config");
}
