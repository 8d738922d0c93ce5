/*
 * test_hostport: core/cni/hostport's pure part: runtimeConfig.portMappings
 * read with the codes the CNI spec wants, element keys and data in nft's
 * layout, their text, and a ruleset that builds. The kernel side is
 * test/netns/portmap.sh.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "t.h"
#include "cni/hostport.h"

static struct xc_hostport v[XC_HOSTPORT_MAX + 1];
static char text[200000];

/* Parse {"runtimeConfig":{"portMappings": PM}}; returns the count or the error. */
static int parse(const char *pm, struct xc_cni_err *err)
{
	struct xc_json root, rc;
	struct xc_json_error je;

	snprintf(text, sizeof(text), "{\"runtimeConfig\":{\"portMappings\":%s}}", pm);
	xc_cni_err_init(err);
	if (xc_json_parse(text, strlen(text), &root, &je))
		return -1000;
	if (xc_json_get(&root, "runtimeConfig", &rc))
		return -1001;
	return xc_hostport_parse(&rc, v, XC_HOSTPORT_MAX, err);
}

static void bad(const char *pm, const char *msg_part)
{
	struct xc_cni_err err;
	int n = parse(pm, &err);

	T(n < 0);
	T_INT(err.code, XC_CNI_E_CONFIG);
	if (!T(strstr(err.msg, msg_part) != NULL))
		printf("     msg: %s\n", err.msg);
}

static void test_parse(void)
{
	struct xc_cni_err err;
	struct xc_json none = { .type = XC_JSON_NONE };

	T_INT(xc_hostport_parse(&none, v, 4, &err), 0);
	T_INT(parse("[]", &err), 0);
	T_INT(parse("null", &err), 0);
	T_INT(parse("[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"TCP\"},"
		    "{\"hostPort\":53,\"containerPort\":5353,\"protocol\":\"udp\",\"hostIP\":\"198.18.0.1\"},"
		    "{\"hostPort\":9,\"containerPort\":9,\"protocol\":\"sctp\",\"hostIP\":\"::\"},"
		    "{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":\"\"}]",
		    &err), 3);
	T_INT(v[0].proto, IPPROTO_TCP);
	T_INT(v[0].host_port, 8080);
	T_INT(v[0].cont_port, 80);
	T_INT(v[0].host_ip.family, 0);
	T_INT(v[1].proto, IPPROTO_UDP);
	T_INT(v[1].host_ip.family, AF_INET);
	T_INT(v[1].any, 0);
	T_INT(v[2].proto, IPPROTO_SCTP);
	T_INT(v[2].host_ip.family, AF_INET6);
	T_INT(v[2].any, 1);
	/* sets: every-address for 0.0.0.0/:: and none, hostip for an address */
	T_INT(xc_hostport_set(&v[0], AF_INET6), XC_HP_PORT6);
	T_INT(xc_hostport_set(&v[1], AF_INET), XC_HP_HOSTIP4);
	T_INT(xc_hostport_set(&v[2], AF_INET6), XC_HP_PORT6);
	T(xc_hostport_applies(&v[0], AF_INET) && xc_hostport_applies(&v[0], AF_INET6));
	T(xc_hostport_applies(&v[1], AF_INET) && !xc_hostport_applies(&v[1], AF_INET6));
	T(!xc_hostport_applies(&v[2], AF_INET));

	/* containerd 1.6 sends Go's field names; the reference's decoder takes any case */
	T_INT(parse("[{\"HostPort\":18080,\"ContainerPort\":80,\"Protocol\":\"tcp\",\"HostIP\":\"\"},"
		    "{\"hostport\":53,\"CONTAINERPORT\":5353,\"protocol\":\"udp\","
		    "\"hostip\":\"198.18.0.1\"}]", &err), 2);
	T_INT(v[0].host_port, 18080);
	T_INT(v[0].cont_port, 80);
	T_INT(v[0].proto, IPPROTO_TCP);
	T_INT(v[1].host_port, 53);
	T_INT(v[1].host_ip.family, AF_INET);
	/* the exact spelling wins over another case of it, as in Go */
	T_INT(parse("[{\"HostPort\":1,\"hostPort\":2,\"containerPort\":80,\"protocol\":\"tcp\"}]",
		    &err), 1);
	T_INT(v[0].host_port, 2);
	bad("[{\"HostPort\":0,\"containerPort\":80,\"protocol\":\"tcp\"}]", "HostPort");

	bad("{\"hostPort\":80}", "portMappings");
	bad("[80]", "portMappings[0] must be an object");
	bad("[{\"hostPort\":0,\"containerPort\":80,\"protocol\":\"tcp\"}]", "hostPort");
	bad("[{\"hostPort\":65536,\"containerPort\":80,\"protocol\":\"tcp\"}]", "hostPort");
	bad("[{\"hostPort\":-1,\"containerPort\":80,\"protocol\":\"tcp\"}]", "hostPort");
	bad("[{\"hostPort\":\"80\",\"containerPort\":80,\"protocol\":\"tcp\"}]", "hostPort");
	bad("[{\"containerPort\":80,\"protocol\":\"tcp\"}]", "hostPort");
	bad("[{\"hostPort\":80,\"containerPort\":0,\"protocol\":\"tcp\"}]", "containerPort");
	bad("[{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"icmp\"}]", "\"icmp\" is not tcp");
	bad("[{\"hostPort\":80,\"containerPort\":80}]", "protocol");
	bad("[{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":\"1.2.3\"}]",
	    "hostIP is not an IP address");
	bad("[{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":\"fe80::1%eth0\"}]",
	    "hostIP");
	bad("[{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"tcp\"},"
	    "{\"hostPort\":80,\"containerPort\":81,\"protocol\":\"tcp\"}]", "mapped to containerPort 80 and 81");
	bad("[{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"tcp\"},{\"hostPort\":81}]",
	    "portMappings[1]");
}

static void test_many(void)
{
	struct xc_cni_err err;
	size_t n = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "[");
	for (int i = 0; i <= XC_HOSTPORT_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "%s{\"hostPort\":%d,\"containerPort\":80,\"protocol\":\"tcp\"}",
				      i ? "," : "", 20000 + i);
	snprintf(text + n, sizeof(text) - n, "]");
	{
		static char copy[sizeof(text)];

		memcpy(copy, text, sizeof(copy));
		T_INT(parse(copy, &err), -22);
		T(strstr(err.msg, "more than") != NULL);
	}
}

static void test_keys(void)
{
	struct xc_hostport m = { .proto = IPPROTO_TCP, .host_port = 8080, .cont_port = 80 };
	struct xc_ip pod4, pod6;
	uint8_t key[32], data[20];
	char t[200];

	xc_ip_parse("198.18.1.2", &pod4);
	xc_ip_parse("fd00::2", &pod6);
	T_INT(xc_hostport_key(&m, XC_HP_PORT4, key), 8);
	T(!memcmp(key, "\x06\0\0\0\x1f\x90\0\0", 8));
	T_INT(xc_hostport_data(&pod4, 80, data), 8);
	T(!memcmp(data, "\xc6\x12\x01\x02\0\x50\0\0", 8));
	T_STR(xc_hostport_elem_format(XC_HP_PORT4, key, data, t, sizeof(t)),
	      "tcp . 8080 : 198.18.1.2 . 80");
	xc_ip_parse("198.19.0.1", &m.host_ip);
	T_INT(xc_hostport_key(&m, XC_HP_HOSTIP4, key), 12);
	T_INT(xc_hostport_keylen(XC_HP_HOSTIP4), 12);
	T_STR(xc_hostport_elem_format(XC_HP_HOSTIP4, key, data, t, sizeof(t)),
	      "198.19.0.1 . tcp . 8080 : 198.18.1.2 . 80");
	T_INT(xc_hostport_data(&pod6, 80, data), 20);
	T_INT(xc_hostport_datalen(XC_HP_PORT6), 20);
	T_INT(xc_hostport_hairpin_key(&pod6, key), 32);
	T_STR(xc_hostport_elem_format(XC_HP_HAIRPIN6, key, NULL, t, sizeof(t)),
	      "fd00::2 . fd00::2");
	T_STR(xc_hostport_proto_name(IPPROTO_SCTP), "sctp");
}

static void test_ruleset(void)
{
	static uint32_t buf[8192];
	struct xc_nft_batch b;

	xc_nft_batch_init(&b, buf, sizeof(buf));
	xc_hostport_ruleset(&b, XC_TS_REBUILD);
	T_INT(b.m.err, 0);
	T_INT(b.err, 0);
	/* table, six sets, four chains, four flushes, nine rules */
	T_INT(b.n, 1 + 6 + 4 + 4 + 9);
	xc_nft_batch_init(&b, buf, sizeof(buf));
	xc_hostport_ruleset(&b, XC_TS_RULES);
	T_INT(b.n, 9);
}

int main(void)
{
	test_parse();
	test_many();
	test_keys();
	test_ruleset();
	return t_done("test_hostport");
}
