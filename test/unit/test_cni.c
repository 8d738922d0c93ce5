/*
 * test_cni: core/cni: environment, validation, versions, configuration,
 * results per version, error documents and plugin delegation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cni/cni.h"
#include "t.h"

static struct xc_cni_err err;

/* --- environment ------------------------------------------------------- */

static int env(char **envp, struct xc_cni_env *e)
{
	xc_cni_err_init(&err);
	return xc_cni_env_read(e, envp, &err);
}

/* XC_IPAM_TIMEOUT_MS: from 100 to 600000 ms, else code 4 naming it and the default. */
static void test_env_ipam_timeout(void)
{
	static const char *const bad[] = { "99", "600001", "5s", "-1", "1e3",
					   "99999999999999999999" };
	int ms = 0;

	T_INT(xc_cni_ipam_timeout(NULL, &ms, &err), 0);
	T_INT(ms, XC_CNI_IPAM_TIMEOUT_MS);
	T_INT(xc_cni_ipam_timeout("", &ms, &err), 0);          /* empty is unset */
	T_INT(ms, XC_CNI_IPAM_TIMEOUT_MS);
	T_INT(xc_cni_ipam_timeout("100", &ms, &err), 0);
	T_INT(ms, 100);
	T_INT(xc_cni_ipam_timeout("600000", &ms, &err), 0);
	T_INT(ms, 600000);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		xc_cni_err_init(&err);
		ms = 0;
		T(xc_cni_ipam_timeout(bad[i], &ms, &err) < 0);
		T_INT(err.code, 4);
		T(strstr(err.msg, "XC_IPAM_TIMEOUT_MS") != NULL);
		T_INT(ms, XC_CNI_IPAM_TIMEOUT_MS);
	}
}

static void test_env(void)
{
	struct xc_cni_env e;
	char *none[] = { "PATH=/bin", NULL };
	char *bad_cmd[] = { "CNI_COMMAND=add", NULL };
	char *add_ok[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=abc", "CNI_NETNS=/run/netns/x",
			   "CNI_IFNAME=eth0", "CNI_ARGS=IgnoreUnknown=1;IP=10.0.0.5", "CNI_PATH=/opt",
			   NULL };
	char *add_no_netns[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=abc", "CNI_IFNAME=eth0",
				 NULL };
	char *add_empty[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=", "CNI_NETNS=",
			      "CNI_IFNAME=eth0", NULL };
	char *del_ok[] = { "CNI_COMMAND=DEL", "CNI_CONTAINERID=abc", "CNI_IFNAME=eth0", NULL };
	char *check_ok[] = { "CNI_COMMAND=CHECK", "CNI_CONTAINERID=abc", "CNI_NETNS=/n",
			     "CNI_IFNAME=eth0", NULL };
	char *version[] = { "CNI_COMMAND=VERSION", NULL };
	char *status[] = { "CNI_COMMAND=STATUS", NULL };
	char *gc_nopath[] = { "CNI_COMMAND=GC", NULL };
	char *gc_ok[] = { "CNI_COMMAND=GC", "CNI_PATH=/opt/cni/bin", NULL };
	char *bad_cid[] = { "CNI_COMMAND=DEL", "CNI_CONTAINERID=-abc", "CNI_IFNAME=eth0", NULL };
	char *bad_if[] = { "CNI_COMMAND=DEL", "CNI_CONTAINERID=abc", "CNI_IFNAME=a/b", NULL };
	char *bad_ns[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=abc", "CNI_NETNS=run/x",
			   "CNI_IFNAME=eth0", NULL };
	char *bad_args[] = { "CNI_COMMAND=DEL", "CNI_CONTAINERID=abc", "CNI_IFNAME=eth0",
			     "CNI_ARGS=A=1;B", NULL };

	T(env(none, &e) < 0);
	T_INT(err.code, 4);
	T(strstr(err.msg, "CNI_COMMAND"));
	T(env(bad_cmd, &e) < 0);
	T_INT(err.code, 4);
	T(strstr(err.msg, "CNI_COMMAND=add"));

	T_INT(env(add_ok, &e), 0);
	T_INT(e.cmd, XC_CNI_CMD_ADD);
	T_STR(e.containerid, "abc");
	T_STR(e.netns, "/run/netns/x");
	T_STR(e.ifname, "eth0");
	T_STR(e.args, "IgnoreUnknown=1;IP=10.0.0.5");
	T_STR(e.path, "/opt");
	T_INT(XC_CNI_IPAM_TIMEOUT_MS, 60000);
	test_env_ipam_timeout();

	T(env(add_no_netns, &e) < 0);
	T_INT(err.code, 4);
	T_STR(err.msg, "required environment variables missing: CNI_NETNS");
	/* empty counts as unset, and every missing one is named */
	T(env(add_empty, &e) < 0);
	T_STR(err.msg, "required environment variables missing: CNI_CONTAINERID CNI_NETNS");

	T_INT(env(del_ok, &e), 0);
	T(e.netns == NULL);
	T_INT(env(check_ok, &e), 0);
	T_INT(env(version, &e), 0);
	T_INT(e.cmd, XC_CNI_CMD_VERSION);
	T_INT(env(status, &e), 0);
	T(env(gc_nopath, &e) < 0);
	T(strstr(err.msg, "CNI_PATH"));
	T_INT(env(gc_ok, &e), 0);

	T(env(bad_cid, &e) < 0);
	T_INT(err.code, 4);
	T(strstr(err.msg, "CNI_CONTAINERID"));
	T(env(bad_if, &e) < 0);
	T_INT(err.code, 4);
	T(strstr(err.msg, "CNI_IFNAME"));
	T(env(bad_ns, &e) < 0);
	T_INT(err.code, 4);
	T(strstr(err.msg, "CNI_NETNS"));
	T(env(bad_args, &e) < 0);
	T_INT(err.code, 4);
	T(strstr(err.msg, "CNI_ARGS"));

	T_INT(xc_cni_cmd_parse("GC"), XC_CNI_CMD_GC);
	T_INT(xc_cni_cmd_parse("gc"), XC_CNI_CMD_NONE);
	T_INT(xc_cni_cmd_parse(NULL), XC_CNI_CMD_NONE);
	T_STR(xc_cni_cmd_name(XC_CNI_CMD_STATUS), "STATUS");
}

static void test_args(void)
{
	static const char *const known[] = { "IP", NULL };
	char buf[32];

	T_INT(xc_cni_args_check(NULL, &err), 0);
	T_INT(xc_cni_args_check("", &err), 0);
	T_INT(xc_cni_args_check("A=1", &err), 0);
	T_INT(xc_cni_args_check("A=1;B=", &err), 0);
	T(xc_cni_args_check("A=1;", &err) < 0);
	T(xc_cni_args_check("A=1;;B=2", &err) < 0);
	T(xc_cni_args_check("=1", &err) < 0);
	T(xc_cni_args_check("A==1", &err) < 0);
	T(xc_cni_args_check("A", &err) < 0);
	T_INT(err.code, 4);

	T_INT(xc_cni_args_get("A=1;IP=10.0.0.5;B=2", "IP", buf, sizeof(buf)), 8);
	T_STR(buf, "10.0.0.5");
	T_INT(xc_cni_args_get("A=1;IPX=2", "IP", buf, sizeof(buf)), -ENOENT);
	T_INT(xc_cni_args_get("IP=1234567890", "IP", buf, 5), -ENOSPC);
	T_INT(xc_cni_args_get(NULL, "IP", buf, sizeof(buf)), -ENOENT);

	T_INT(xc_cni_args_known("IP=1", known, &err), 0);
	T(xc_cni_args_known("IP=1;K8S_POD_NAME=x", known, &err) < 0);
	T_INT(err.code, 2);
	T(strstr(err.msg, "K8S_POD_NAME=x"));
	T_INT(xc_cni_args_known("IgnoreUnknown=1;K8S_POD_NAME=x", known, &err), 0);
	T_INT(xc_cni_args_known("K8S_POD_NAME=x;IgnoreUnknown=true", known, &err), 0);
	T(xc_cni_args_known("IgnoreUnknown=0;X=1", known, &err) < 0);
}

static void test_validation(void)
{
	char long_id[300];

	T_INT(xc_cni_valid_container_id("a", &err), 0);
	T_INT(xc_cni_valid_container_id("0a_b.c-d", &err), 0);
	T(xc_cni_valid_container_id("", &err) < 0);
	T(xc_cni_valid_container_id(NULL, &err) < 0);
	T(xc_cni_valid_container_id("_a", &err) < 0);
	T(xc_cni_valid_container_id(".a", &err) < 0);
	T(xc_cni_valid_container_id("a/b", &err) < 0);
	T(xc_cni_valid_container_id("a b", &err) < 0);
	T(xc_cni_valid_container_id("a\nb", &err) < 0);
	T(xc_cni_valid_container_id("\xc3\xa9", &err) < 0);
	memset(long_id, 'a', sizeof(long_id));
	long_id[XC_CNI_ID_MAX] = '\0';
	T_INT(xc_cni_valid_container_id(long_id, &err), 0);
	long_id[XC_CNI_ID_MAX] = 'a';
	long_id[XC_CNI_ID_MAX + 1] = '\0';
	T(xc_cni_valid_container_id(long_id, &err) < 0);
	T_INT(err.code, 4);

	T_INT(xc_cni_valid_ifname("eth0", &err), 0);
	T_INT(xc_cni_valid_ifname("123456789012345", &err), 0);
	T(xc_cni_valid_ifname("1234567890123456", &err) < 0);
	T(xc_cni_valid_ifname("", &err) < 0);
	T(xc_cni_valid_ifname(".", &err) < 0);
	T(xc_cni_valid_ifname("..", &err) < 0);
	T_INT(xc_cni_valid_ifname("...", &err), 0);
	T(xc_cni_valid_ifname("a:b", &err) < 0);
	T(xc_cni_valid_ifname("a/b", &err) < 0);
	T(xc_cni_valid_ifname("a b", &err) < 0);
	T(xc_cni_valid_ifname("a\tb", &err) < 0);
	T_INT(err.code, 4);

	T_INT(xc_cni_valid_netns("/proc/1/ns/net", &err), 0);
	T(xc_cni_valid_netns("proc/1/ns/net", &err) < 0);
	T(xc_cni_valid_netns("", &err) < 0);

	T_INT(xc_cni_valid_name("k8s-pod-network", &err), 0);
	T(xc_cni_valid_name("..", &err) < 0);
	T(xc_cni_valid_name("a/b", &err) < 0);
	T(xc_cni_valid_name("", &err) < 0);
	T_INT(err.code, 7);

	T_INT(xc_cni_valid_type("host-local", &err), 0);
	T(xc_cni_valid_type("../bin/sh", &err) < 0);
	T(xc_cni_valid_type("..", &err) < 0);
	T(xc_cni_valid_type("a/b", &err) < 0);
	T(xc_cni_valid_type("", &err) < 0);
}

/* --- versions ---------------------------------------------------------- */

static void test_versions(void)
{
	static const struct {
		const char *v;
		int add, check, gc;
	} table[] = {
		{ "0.1.0", 0, 0, 0 }, { "0.2.0", 0, 0, 0 }, { "0.3.0", 1, 0, 0 },
		{ "0.3.1", 1, 0, 0 }, { "0.4.0", 1, 1, 0 }, { "1.0.0", 1, 1, 0 },
		{ "1.1.0", 1, 1, 1 }, { "1.2.0", 0, 0, 0 }, { "", 0, 0, 0 }, { "1.0", 0, 0, 0 },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		enum xc_cni_ver v = xc_cni_version_parse(table[i].v);

		T_INT(!xc_cni_version_check(XC_CNI_CMD_ADD, v, &err), table[i].add);
		T_INT(!xc_cni_version_check(XC_CNI_CMD_DEL, v, &err), table[i].add);
		T_INT(!xc_cni_version_check(XC_CNI_CMD_CHECK, v, &err), table[i].check);
		T_INT(!xc_cni_version_check(XC_CNI_CMD_GC, v, &err), table[i].gc);
		T_INT(!xc_cni_version_check(XC_CNI_CMD_STATUS, v, &err), table[i].gc);
		if (table[i].add)
			T_STR(xc_cni_version_str(v), table[i].v);
	}
	T(xc_cni_version_check(XC_CNI_CMD_CHECK, XC_CNI_V_0_3_1, &err) < 0);
	T_INT(err.code, 1);
	T_STR(err.msg, "config version 0.3.1 does not allow CHECK");
	T_STR(xc_cni_version_str(XC_CNI_V_NONE), "1.1.0");

	T(xc_cni_version_emit("0.4.0", buf, sizeof(buf)) > 0);
	T_STR(buf, "{\"cniVersion\":\"0.4.0\",\"supportedVersions\":"
		   "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}");
	T(xc_cni_version_emit("9.9.9", buf, sizeof(buf)) > 0);
	T(!strncmp(buf, "{\"cniVersion\":\"1.1.0\",", 22));
	T(xc_cni_version_emit(NULL, buf, sizeof(buf)) > 0);
	T_INT(xc_cni_version_emit("1.0.0", buf, 10), -ENOSPC);
}

/* --- stdin, configuration ---------------------------------------------- */

static long read_from(const char *text, size_t n, char *buf, size_t size)
{
	int p[2];
	long rc;

	if (pipe(p))
		return -1;
	if (write(p[1], text, n) != (ssize_t)n)
		return -1;
	close(p[1]);
	rc = xc_cni_read_stdin(p[0], buf, size, &err);
	close(p[0]);
	return rc;
}

static void test_stdin(void)
{
	char buf[16];

	T_INT(read_from("{}", 2, buf, sizeof(buf)), 2);
	T_STR(buf, "{}");
	T_INT(read_from("", 0, buf, sizeof(buf)), 0);
	T_INT(read_from("0123456789abcde", 15, buf, sizeof(buf)), 15);
	T(read_from("0123456789abcdef", 16, buf, sizeof(buf)) < 0);
	T_INT(err.code, 6);
	T(strstr(err.msg, "15 bytes"));
	T(xc_cni_read_stdin(-1, buf, sizeof(buf), &err) < 0);
	T_INT(err.code, 5);
}

static int conf(const char *text, struct xc_cni_conf *c, struct xc_cni_result *prev)
{
	xc_cni_err_init(&err);
	return xc_cni_conf_parse(text, strlen(text), c, prev, &err);
}

static void test_conf(void)
{
	static struct xc_cni_conf c;
	static struct xc_cni_result prev;
	struct xc_json v;

	T(conf("{", &c, NULL) < 0);
	T_INT(err.code, 6);
	T(conf("", &c, NULL) < 0);
	T_INT(err.code, 6);
	T(conf("[1]", &c, NULL) < 0);
	T_INT(err.code, 6);
	T(strstr(err.msg, "array"));
	T(conf("{\"name\":\"n\",\"type\":\"t\"}", &c, NULL) < 0);
	T_INT(err.code, 1);
	T(strstr(err.details, "0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0"));
	T(conf("{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"type\":\"t\"}", &c, NULL) < 0);
	T_INT(err.code, 1);
	T(strstr(err.msg, "\"0.2.0\""));
	T_STR(c.name, "n");            /* still parsed, for VERSION and messages */
	T(conf("{\"cniVersion\":1,\"name\":\"n\",\"type\":\"t\"}", &c, NULL) < 0);
	T_INT(err.code, 7);
	T(strstr(err.msg, "cniVersion must be a string"));
	T(conf("{\"cniVersion\":\"1.0.0\",\"type\":\"t\"}", &c, NULL) < 0);
	T_INT(err.code, 7);
	T_STR(err.msg, "name is missing");
	T(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"a/b\",\"type\":\"t\"}", &c, NULL) < 0);
	T_INT(err.code, 7);
	T(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", &c, NULL) < 0);
	T_STR(err.msg, "type is missing");
	T(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"ipam\":[]}", &c, NULL) < 0);
	T_INT(err.code, 7);
	T_STR(err.msg, "ipam must be an object, not array");
	T(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"ipam\":{\"type\":\"../x\"}}",
	       &c, NULL) < 0);
	T_INT(err.code, 7);
	T(conf("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"t\","
	       "\"cni.dev/valid-attachments\":{}}", &c, NULL) < 0);
	T(strstr(err.msg, "cni.dev/valid-attachments must be an array"));

	T_INT(conf("{\"cniVersion\":\"1.1.0\",\"name\":\"net\",\"type\":\"bridge\","
		   "\"ipam\":{\"type\":\"node-local\",\"x\":1},\"dns\":{},\"args\":{},"
		   "\"runtimeConfig\":{\"ips\":[]},\"prevResult\":{\"ips\":"
		   "[{\"address\":\"10.0.0.2/24\"}]},\"mtu\":1400}", &c, &prev), 0);
	T_INT(c.version, XC_CNI_V_1_1_0);
	T_STR(c.cni_version, "1.1.0");
	T_STR(c.name, "net");
	T_STR(c.type, "bridge");
	T_STR(c.ipam_type, "node-local");
	T_INT(c.ipam.type, XC_JSON_OBJECT);
	T_INT(c.dns.type, XC_JSON_OBJECT);
	T_INT(c.runtime_config.type, XC_JSON_OBJECT);
	T_INT(c.valid_attachments.type, XC_JSON_NONE);
	T_INT(prev.n_ips, 1);
	T_INT(xc_json_get(&c.root, "mtu", &v), 0);  /* plugin keys from the root */
	T(conf("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\","
	       "\"prevResult\":{\"ips\":[{\"address\":\"10.0.0.2\"}]}}", &c, &prev) < 0);
	T_INT(err.code, 7);
	T(strstr(err.msg, "result.ips[0].address"));
}

/* Typed getters name the key and say what was expected. */
static void test_getters(void)
{
	static const char doc[] = "{\"s\":\"x\",\"n\":5,\"b\":true,\"ip\":\"10.0.0.1\","
				  "\"pfx\":\"fd00::/64\",\"bad\":\"zz\",\"nul\":null}";
	struct xc_json root, v;
	struct xc_prefix p;
	struct xc_ip ip;
	int64_t n;
	int b;
	char s[4];

	T_INT(xc_json_parse(doc, sizeof(doc) - 1, &root, NULL), 0);
	T_INT(xc_cni_get_str(&root, "ipam", "s", 1, s, sizeof(s), &err), 1);
	T_INT(xc_cni_get_str(&root, "ipam", "none", 0, s, sizeof(s), &err), -ENOENT);
	T(xc_cni_get_str(&root, "ipam", "none", 1, s, sizeof(s), &err) < 0);
	T_STR(err.msg, "ipam.none is missing");
	T(xc_cni_get_str(&root, "ipam", "n", 1, s, sizeof(s), &err) < 0);
	T_STR(err.msg, "ipam.n must be a string, not number");
	T_INT(xc_cni_get_int(&root, "ipam", "n", 1, 0, 10, &n, &err), 0);
	T_INT(n, 5);
	T(xc_cni_get_int(&root, "ipam", "n", 1, 0, 4, &n, &err) < 0);
	T_INT(xc_cni_get_bool(&root, "ipam", "b", 1, &b, &err), 0);
	T_INT(b, 1);
	T(xc_cni_get_bool(&root, "ipam", "s", 1, &b, &err) < 0);
	T_INT(xc_cni_get_ip(&root, "ipam", "ip", 1, &ip, &err), 0);
	T(xc_cni_get_ip(&root, "ipam", "bad", 1, &ip, &err) < 0);
	T_STR(err.msg, "ipam.bad is not an IP address: \"zz\"");
	T_INT(xc_cni_get_prefix(&root, "ipam", "pfx", 1, &p, &err), 0);
	T_INT(p.len, 64);
	T(xc_cni_get_prefix(&root, "ipam", "ip", 1, &p, &err) < 0);
	T_INT(err.code, 7);
	/* null is "not given" for optional keys */
	T_INT(xc_cni_get_typed(&root, "ipam", "nul", 0, XC_JSON_OBJECT, &v, &err), -ENOENT);
}

/* --- results ----------------------------------------------------------- */

static void sample(struct xc_cni_result *r)
{
	xc_cni_result_init(r);
	r->n_ifaces = 2;
	strcpy(r->ifaces[0].name, "cni0");
	strcpy(r->ifaces[0].mac, "0a:58:0a:f4:00:01");
	r->ifaces[0].mtu = 1500;
	strcpy(r->ifaces[1].name, "eth0");
	strcpy(r->ifaces[1].sandbox, "/var/run/netns/p");
	r->n_ips = 2;
	xc_prefix_parse("10.244.0.5/24", &r->ips[0].address);
	xc_ip_parse("10.244.0.1", &r->ips[0].gateway);
	r->ips[0].has_gateway = 1;
	r->ips[0].iface = 1;
	xc_prefix_parse("fd00::5/64", &r->ips[1].address);
	r->ips[1].iface = -1;
	r->n_routes = 1;
	xc_prefix_parse("0.0.0.0/0", &r->routes[0].dst);
	xc_ip_parse("10.244.0.1", &r->routes[0].gw);
	r->routes[0].has = XC_CNI_RT_GW | XC_CNI_RT_MTU | XC_CNI_RT_TABLE;
	r->routes[0].mtu = 1400;
	r->routes[0].table = 100;
	r->dns.n_nameservers = 1;
	strcpy(r->dns.nameservers[0], "10.96.0.10");
	strcpy(r->dns.domain, "cluster.local");
	r->dns.n_search = 2;
	strcpy(r->dns.search[0], "svc.cluster.local");
	strcpy(r->dns.search[1], "cluster.local");
}

static const char *compact(const struct xc_cni_result *r, enum xc_cni_ver v)
{
	static char buf[4096];
	struct xc_json_out o;

	xc_json_out_init(&o, buf, sizeof(buf), 0);
	xc_cni_result_json(&o, r, v);
	return xc_json_out_end(&o) < 0 ? "(overflow)" : buf;
}

static void test_result_emit(void)
{
	static struct xc_cni_result r;
	char small[64];

	sample(&r);
	T_STR(compact(&r, XC_CNI_V_1_1_0),
	      "{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"cni0\",\"mac\":"
	      "\"0a:58:0a:f4:00:01\",\"mtu\":1500},{\"name\":\"eth0\",\"sandbox\":"
	      "\"/var/run/netns/p\"}],\"ips\":[{\"interface\":1,\"address\":\"10.244.0.5/24\","
	      "\"gateway\":\"10.244.0.1\"},{\"address\":\"fd00::5/64\"}],\"routes\":[{\"dst\":"
	      "\"0.0.0.0/0\",\"gw\":\"10.244.0.1\",\"mtu\":1400,\"table\":100}],\"dns\":"
	      "{\"nameservers\":[\"10.96.0.10\"],\"domain\":\"cluster.local\",\"search\":"
	      "[\"svc.cluster.local\",\"cluster.local\"]}}");
	T_STR(compact(&r, XC_CNI_V_1_0_0),
	      "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"cni0\",\"mac\":"
	      "\"0a:58:0a:f4:00:01\"},{\"name\":\"eth0\",\"sandbox\":\"/var/run/netns/p\"}],"
	      "\"ips\":[{\"interface\":1,\"address\":\"10.244.0.5/24\",\"gateway\":"
	      "\"10.244.0.1\"},{\"address\":\"fd00::5/64\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\","
	      "\"gw\":\"10.244.0.1\"}],\"dns\":{\"nameservers\":[\"10.96.0.10\"],\"domain\":"
	      "\"cluster.local\",\"search\":[\"svc.cluster.local\",\"cluster.local\"]}}");
	T_STR(compact(&r, XC_CNI_V_0_3_1),
	      "{\"cniVersion\":\"0.3.1\",\"interfaces\":[{\"name\":\"cni0\",\"mac\":"
	      "\"0a:58:0a:f4:00:01\"},{\"name\":\"eth0\",\"sandbox\":\"/var/run/netns/p\"}],"
	      "\"ips\":[{\"version\":\"4\",\"interface\":1,\"address\":\"10.244.0.5/24\","
	      "\"gateway\":\"10.244.0.1\"},{\"version\":\"6\",\"address\":\"fd00::5/64\"}],"
	      "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.244.0.1\"}],\"dns\":{"
	      "\"nameservers\":[\"10.96.0.10\"],\"domain\":\"cluster.local\",\"search\":"
	      "[\"svc.cluster.local\",\"cluster.local\"]}}");
	xc_cni_result_init(&r);
	T_STR(compact(&r, XC_CNI_V_0_4_0), "{\"cniVersion\":\"0.4.0\",\"dns\":{}}");
	sample(&r);
	T_INT(xc_cni_result_emit(&r, XC_CNI_V_1_0_0, small, sizeof(small)), -ENOSPC);
}

/* Emit, parse back, emit again: the same document for every version. */
static void test_roundtrip(void)
{
	static struct xc_cni_result r, back;
	static char first[4096];
	struct xc_json root;

	sample(&r);
	for (int v = XC_CNI_V_0_3_0; v <= XC_CNI_V_LATEST; v++) {
		strcpy(first, compact(&r, (enum xc_cni_ver)v));
		T_INT(xc_json_parse(first, strlen(first), &root, NULL), 0);
		T_INT(xc_cni_result_parse(&root, (enum xc_cni_ver)v, &back, &err), 0);
		T_STR(compact(&back, (enum xc_cni_ver)v), first);
	}
}

static int parse_result(const char *text, struct xc_cni_result *r)
{
	struct xc_json root;

	if (xc_json_parse(text, strlen(text), &root, NULL))
		return -100;
	xc_cni_err_init(&err);
	return xc_cni_result_parse(&root, XC_CNI_V_0_4_0, r, &err);
}

static void test_result_parse(void)
{
	static struct xc_cni_result r;

	/* what host-local 1.1.1 answers at 0.4.0 */
	T_INT(parse_result("{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":\"4\",\"address\":"
			   "\"10.1.2.2/24\",\"gateway\":\"10.1.2.1\"}],\"routes\":[{\"dst\":"
			   "\"0.0.0.0/0\"}],\"dns\":{}}", &r), 0);
	T_INT(r.n_ips, 1);
	T_INT(r.ips[0].iface, -1);
	T_INT(r.ips[0].address.len, 24);
	T_INT(r.n_routes, 1);
	T_INT(r.routes[0].has, 0);
	T(parse_result("{\"ips\":[{\"version\":\"6\",\"address\":\"10.1.2.2/24\"}]}", &r) < 0);
	T(strstr(err.msg, "version"));
	T(parse_result("{\"ips\":[{\"address\":\"10.1.2.2/24\",\"interface\":0}]}", &r) < 0);
	T(strstr(err.msg, "names no interface"));
	T(parse_result("{\"ips\":[{\"address\":\"10.1.2.2/24\",\"gateway\":\"fd00::1\"}]}",
		       &r) < 0);
	T(parse_result("{\"ips\":{}}", &r) < 0);
	T(parse_result("{\"ips\":[1]}", &r) < 0);
	T(parse_result("{\"routes\":[{\"gw\":\"10.0.0.1\"}]}", &r) < 0);
	T(strstr(err.msg, "result.routes[0].dst is missing"));
	T(parse_result("{\"routes\":[{\"dst\":\"0.0.0.0/0\",\"scope\":300}]}", &r) < 0);
	T(parse_result("{\"dns\":{\"nameservers\":[1]}}", &r) < 0);
	T(parse_result("{\"dns\":{\"nameservers\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\","
		       "\"h\",\"i\"]}}", &r) < 0);
	T(strstr(err.msg, "more than 8"));
	T(parse_result("[]", &r) < 0);
}

static void test_err(void)
{
	char buf[512];
	struct xc_cni_err e;

	xc_cni_err_init(&e);
	T_INT(xc_cni_errf(&e, 7, "bad %s", "thing"), -EINVAL);
	T(xc_cni_err_emit(&e, "1.0.0", buf, sizeof(buf)) > 0);
	T_STR(buf, "{\n  \"cniVersion\": \"1.0.0\",\n  \"code\": 7,\n  \"msg\": \"bad thing\"\n}");
	xc_cni_err_details(&e, "do \"this\"");
	T(xc_cni_err_emit(&e, NULL, buf, sizeof(buf)) > 0);
	T_STR(buf, "{\n  \"cniVersion\": \"1.1.0\",\n  \"code\": 7,\n  \"msg\": \"bad thing\",\n"
		   "  \"details\": \"do \\\"this\\\"\"\n}");
	e.raw = "{\"code\":999,\"msg\":\"theirs\"}";
	e.raw_len = strlen(e.raw);
	T(xc_cni_err_emit(&e, "1.0.0", buf, sizeof(buf)) > 0);
	T_STR(buf, "{\"code\":999,\"msg\":\"theirs\"}");
	T_INT(xc_cni_err_emit(&e, "1.0.0", buf, 8), -ENOSPC);
	/* long messages are cut, not overflowed */
	memset(buf, 'x', 400);
	buf[400] = '\0';
	xc_cni_errf(&e, 5, "%s", buf);
	T_INT(strlen(e.msg), XC_CNI_MSG_MAX - 1);
}

static void test_attachments(void)
{
	static struct xc_cni_conf c;
	static struct xc_cni_attachment tab[4];

	T_INT(conf("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"t\","
		   "\"cni.dev/valid-attachments\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"},"
		   "{\"containerID\":\"b\",\"ifname\":\"eth1\"},{\"containerID\":\"c\","
		   "\"ifname\":\"eth0\"}]}", &c, NULL), 0);
	T_INT(xc_cni_attachments(&c, tab, 4, &err), 3);
	T(xc_cni_attachment_find(tab, 3, "a", "eth0"));
	T(xc_cni_attachment_find(tab, 3, "b", "eth1"));
	T(!xc_cni_attachment_find(tab, 3, "b", "eth0"));
	T(!xc_cni_attachment_find(tab, 3, "d", "eth0"));
	T(xc_cni_attachment_find(tab, 3, "c", NULL));
	T(!xc_cni_attachment_find(tab, 3, "e", NULL));
	T(xc_cni_attachments(&c, tab, 2, &err) < 0);
	T_INT(err.code, 7);
	T(strstr(err.msg, "cni.dev/valid-attachments has more than 2 entries"));
	T_INT(conf("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"t\","
		   "\"cni.dev/valid-attachments\":[{\"containerID\":\"a\"}]}", &c, NULL), 0);
	T(xc_cni_attachments(&c, tab, 4, &err) < 0);
	T_INT(err.code, 7);
}

/* --- xc_cni_begin: the whole start of a call --------------------------- */

static int begin(const char *text, char **envp, struct xc_cni_call *call, long *len)
{
	static char in[1024], out[1024];
	int p[2], rc;

	if (pipe(p) || write(p[1], text, strlen(text)) < 0)
		return -100;
	close(p[1]);
	xc_cni_err_init(&err);
	rc = xc_cni_begin(call, p[0], envp, in, sizeof(in), NULL, out, sizeof(out), len, &err);
	close(p[0]);
	return rc;
}

static void test_begin(void)
{
	static struct xc_cni_call call;
	char *version[] = { "CNI_COMMAND=VERSION", NULL };
	char *check[] = { "CNI_COMMAND=CHECK", "CNI_CONTAINERID=a", "CNI_NETNS=/n",
			  "CNI_IFNAME=e", NULL };
	char *add_bad[] = { "CNI_COMMAND=ADD", NULL };
	long len = 0;

	T_INT(begin("", version, &call, &len), 1);
	T(len > 0);
	T_INT(begin("{\"cniVersion\":\"0.3.1\"}", version, &call, &len), 1);
	T_INT(begin("{\"cniVersion\":\"0.3.1\",\"name\":\"n\",\"type\":\"t\"}", check, &call,
		    &len) < 0, 1);
	T_INT(err.code, 1);
	T_INT(begin("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"t\"}", check, &call,
		    &len), 0);
	T_INT(call.in_len, 44);
	/* an env error still learns the config's version for the error document */
	T(begin("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"t\"}", add_bad, &call,
		&len) < 0);
	T_INT(err.code, 4);
	T_STR(xc_cni_err_version(&call.conf), "0.4.0");
}

/* --- delegation -------------------------------------------------------- */

static char dir[64];

static void plugin(const char *name, const char *body)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
}

/* PID is a live process (a zombie is not: whoever reaps orphans may not). */
static int alive(pid_t pid)
{
	char p[64], st[256], *e;
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(p, "r")))
		return 0;
	n = fread(st, 1, sizeof(st) - 1, f);
	fclose(f);
	st[n] = 0;
	e = strrchr(st, ')');
	return e && e[1] == ' ' && e[2] != 'Z' && e[2] != 'X';
}

/* Poll every 0.1 s, 60 s at most (a safety deadline: not a bound on speed). */
#define WAIT_UNTIL(cond) \
	for (int w_ = 0; w_ < 600 && !(cond); w_++) \
		usleep(100000)

static void test_exec(void)
{
	static const char *const names[] = { "ok", "result", "fail", "garbage", "slow",
					     "chatty", "noread", "sig", "late", "badinterp",
					     "late-marker", "late-pids", "late-pids.tmp" };
	static char out[256], big_in[200000];
	static struct xc_cni_result r;
	char *envp[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=c1", "CNI_IFNAME=eth0", NULL };
	char path[160];
	struct xc_cni_exec x = { "ok", path, XC_CNI_CMD_DEL, envp, "{\"a\":1}", 7, 60000, out,
				 sizeof(out), NULL };
	int status = -1;
	FILE *fp;
	pid_t pid, late_sh = 0, late_sleep = 0;
	char body[400];

	strcpy(dir, "/tmp/xc-test-cni-XXXXXX");
	if (!mkdtemp(dir)) {
		T(0);
		return;
	}
	snprintf(path, sizeof(path), "/nonexistent:%s", dir);
	plugin("ok", "read x; echo \"$CNI_COMMAND $CNI_CONTAINERID $x\"");
	plugin("result", "cat >/dev/null; echo '{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":"
	       "\"4\",\"address\":\"10.9.0.2/16\",\"gateway\":\"10.9.0.1\"}],\"dns\":{}}'");
	plugin("fail", "echo '{\"code\":11,\"msg\":\"busy\",\"details\":\"later\"}'; exit 1");
	plugin("garbage", "echo oops; exit 3");
	plugin("slow", "sleep 5");
	plugin("chatty", "yes");
	plugin("noread", "echo '{}'");
	plugin("sig", "kill -9 $$");
	/* says it runs (its PID, its sleep's), then writes the marker after 30 s */
	snprintf(body, sizeof(body), "sleep 30 & echo \"$$ $!\" > %s/late-pids.tmp; "
		 "mv %s/late-pids.tmp %s/late-pids; wait; echo x > %s/late-marker",
		 dir, dir, dir, dir);
	plugin("late", body);
	snprintf(path, sizeof(path), "%s/badinterp", dir);
	if ((fp = fopen(path, "w"))) {
		fputs("#!/nonexistent/interpreter\n", fp);
		fclose(fp);
		chmod(path, 0755);
	}
	snprintf(path, sizeof(path), "/nonexistent:%s", dir);

	T_INT(xc_cni_exec_plugin(&x, &status, &err), 15);
	T_STR(out, "DEL c1 {\"a\":1}\n");
	T_INT(status, 0);

	x.type = "result";
	x.cmd = XC_CNI_CMD_ADD;
	T_INT(xc_cni_delegate(&x, XC_CNI_V_1_0_0, &r, &err), 0);
	T_INT(r.n_ips, 1);
	T_INT(r.ips[0].address.len, 16);

	x.type = "fail";
	T(xc_cni_delegate(&x, XC_CNI_V_1_0_0, &r, &err) < 0);
	T_INT(err.code, 11);
	T_STR(err.msg, "busy");
	T_STR(err.details, "later");
	T(err.raw && !strncmp(err.raw, "{\"code\":11", 10));

	x.type = "garbage";
	T(xc_cni_delegate(&x, XC_CNI_V_1_0_0, &r, &err) < 0);
	T_INT(err.code, 103);
	T(strstr(err.details, "oops"));
	T(!err.raw);

	x.type = "missing";
	T(xc_cni_exec_plugin(&x, &status, &err) < 0);
	T_INT(err.code, 103);
	T(strstr(err.details, dir));

	x.type = "../ok";
	T(xc_cni_exec_plugin(&x, &status, &err) < 0);
	T_INT(err.code, 7);

	x.type = "slow";
	x.timeout_ms = 200;
	T(xc_cni_exec_plugin(&x, &status, &err) < 0);
	T(strstr(err.msg, "did not finish within 200 ms"));

	x.type = "chatty";
	x.timeout_ms = 60000;
	T(xc_cni_exec_plugin(&x, &status, &err) < 0);
	T(strstr(err.msg, "more than 255 bytes"));

	/* a plugin that exits without reading a big config must not hurt us */
	memset(big_in, ' ', sizeof(big_in));
	x.type = "noread";
	x.in = big_in;
	x.in_len = sizeof(big_in);
	T_INT(xc_cni_exec_plugin(&x, &status, &err), 3);
	T_INT(status, 0);

	x.type = "sig";
	T(xc_cni_exec_plugin(&x, &status, &err) < 0);
	T(strstr(err.msg, "signal 9"));

	/* an exec that fails (bad interpreter) is told as such, not as a crash */
	x.type = "badinterp";
	T(xc_cni_exec_plugin(&x, &status, &err) < 0);
	T_INT(err.code, 103);
	T(strstr(err.msg, "cannot run the plugin"));

	/*
	 * A plugin killed while its delegate runs takes the delegate along:
	 * otherwise an IPAM ADD could finish after the runtime's DEL. Killed
	 * once the delegate runs (it says so); judged once the delegate's shell
	 * is gone, which, left alive, it is only after writing its marker.
	 */
	x.type = "late";
	x.in = "{}";
	x.in_len = 2;
	pid = fork();
	if (pid == 0) {
		xc_cni_exec_plugin(&x, &status, &err);
		_exit(0);
	}
	snprintf(path, sizeof(path), "%s/late-pids", dir);
	fp = NULL;
	WAIT_UNTIL((fp = fopen(path, "r")) != NULL);
	if (T(fp != NULL)) {
		T(fscanf(fp, "%d %d", &late_sh, &late_sleep) == 2);
		fclose(fp);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (late_sh > 0) {
		WAIT_UNTIL(!alive(late_sh));
		T(!alive(late_sh));
	}
	snprintf(path, sizeof(path), "%s/late-marker", dir);
	T(access(path, F_OK) != 0);
	/* its sleep, orphaned, is ours to end */
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)late_sleep);
	if (late_sleep > 0 && (fp = fopen(path, "r"))) {
		char comm[32] = "";

		if (fgets(comm, sizeof(comm), fp) && !strcmp(comm, "sleep\n"))
			kill(late_sleep, SIGKILL);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "/nonexistent:%s", dir);

	x.path = NULL;
	T(xc_cni_exec_plugin(&x, &status, &err) < 0);
	T_INT(err.code, 4);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	T_INT(rmdir(dir), 0);
}

/*
 * The delegate that is this binary: a self_main that says what it was
 * given. Runs in the child: its name, command, stdin, and whether a
 * descriptor of the parent's (the number in MARK_FD) is still open.
 */
static int self_fd = -1;

static int self_plugin(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	char in[64] = "";
	ssize_t n = read(0, in, sizeof(in) - 1);

	in[n > 0 ? n : 0] = '\0';
	printf("%d %s %s %s %s", argc, name ? name + 1 : argv[0], getenv("CNI_COMMAND"), in,
	       fcntl(self_fd, F_GETFD) < 0 ? "closed" : "open");
	return 3;
}

static void test_exec_self(void)
{
	static char out[256];
	char *envp[] = { "CNI_COMMAND=ADD", "CNI_CONTAINERID=c1", NULL };
	char self[128], link[160], exe[4096];
	struct xc_cni_exec x = { "self-ipam", dir, XC_CNI_CMD_DEL, envp, "{\"b\":2}", 7, 60000,
				 out, sizeof(out), self_plugin };
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int status = -1;

	strcpy(dir, "/tmp/xc-test-self-XXXXXX");
	if (n <= 0 || !mkdtemp(dir)) {
		T(0);
		return;
	}
	exe[n] = '\0';
	snprintf(link, sizeof(link), "%s/self-ipam", dir);
	T_INT(symlink(exe, link), 0);
	self_fd = open("/dev/null", O_RDONLY);     /* without O_CLOEXEC: exec would keep it */
	fflush(stdout);
	/* a link to this binary: self_main runs in the child, no exec */
	T_INT(xc_cni_exec_plugin(&x, &status, &err), (long)strlen(out));
	T_INT(status, 3);
	snprintf(self, sizeof(self), "1 self-ipam DEL {\"b\":2} closed");
	T_STR(out, self);
	/* not this binary (a script): exec'd as before, self_main unused */
	plugin("self-ipam2", "cat >/dev/null; echo exec");
	x.type = "self-ipam2";
	T_INT(xc_cni_exec_plugin(&x, &status, &err), 5);
	T_STR(out, "exec\n");
	close(self_fd);
	unlink(link);
	snprintf(link, sizeof(link), "%s/self-ipam2", dir);
	unlink(link);
	T_INT(rmdir(dir), 0);
}

int main(void)
{
	test_env();
	test_args();
	test_validation();
	test_versions();
	test_stdin();
	test_conf();
	test_getters();
	test_result_emit();
	test_roundtrip();
	test_result_parse();
	test_err();
	test_attachments();
	test_begin();
	test_exec();
	test_exec_self();
	return t_done("test_cni");
}
