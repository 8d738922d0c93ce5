/*
 * fuzz_cni: the CNI protocol layer without disk or kernel. The input is
 * environment lines ("CNI_COMMAND=ADD"), a blank line, then the network
 * configuration. It goes through env reading and validation, the config
 * parser (prevResult included), the version rules, CNI_ARGS, the GC
 * attachment index, portmap's runtimeConfig.portMappings reader and the
 * error document. A parsed prevResult must emit and parse back to the same
 * document at every version (abort otherwise); parsed port mappings must
 * hold what the reader promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cni/cni.h"
#include "cni/hostport.h"

#define MAX_ENV 16

/* portMappings: ports 1..65535, a known protocol, keys and text that fit. */
static void port_mappings(const struct xc_json *rc)
{
	static struct xc_hostport v[64];
	struct xc_cni_err err;
	uint8_t key[32], data[20];
	char t[200];
	int n = xc_hostport_parse(rc, v, 64, &err);

	if (n > 64 || (n < 0 && err.code != XC_CNI_E_CONFIG))
		abort();
	for (int i = 0; i < n; i++) {
		int set = xc_hostport_set(&v[i], v[i].host_ip.family == AF_INET6 ? AF_INET6 : AF_INET);

		if (!v[i].host_port || !v[i].cont_port || !strcmp(xc_hostport_proto_name(v[i].proto), "?"))
			abort();
		if (xc_hostport_key(&v[i], set, key) != xc_hostport_keylen(set))
			abort();
		memset(data, 0, sizeof(data));
		xc_hostport_elem_format(set, key, data, t, sizeof(t));
		if (strlen(t) >= sizeof(t))
			abort();
	}
}

static void roundtrip(const struct xc_cni_result *r)
{
	static char a[XC_CNI_OUT_MAX], b[XC_CNI_OUT_MAX];
	static struct xc_cni_result back;
	struct xc_cni_err err;
	struct xc_json root;

	for (int v = XC_CNI_V_0_3_0; v <= XC_CNI_V_LATEST; v++) {
		long n = xc_cni_result_emit(r, (enum xc_cni_ver)v, a, sizeof(a));

		if (n < 0)
			continue;
		if (xc_json_parse(a, (size_t)n, &root, NULL) ||
		    xc_cni_result_parse(&root, (enum xc_cni_ver)v, &back, &err))
			abort();
		if (xc_cni_result_emit(&back, (enum xc_cni_ver)v, b, sizeof(b)) != n ||
		    memcmp(a, b, (size_t)n))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[1 << 16], out[4096];
	static struct xc_cni_conf conf;
	static struct xc_cni_result prev;
	static struct xc_cni_attachment tab[64];
	static const char *const known[] = { "IP", NULL };
	char *envp[MAX_ENV + 1], *p, *end, ipbuf[64];
	struct xc_cni_env env;
	struct xc_cni_err err;
	size_t n = 0;

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* env lines up to the first empty line; the rest is the config */
	for (p = buf; n < MAX_ENV && *p && *p != '\n'; p = end + 1) {
		end = strchr(p, '\n');
		if (!end)
			break;
		*end = '\0';
		envp[n++] = p;
	}
	envp[n] = NULL;
	if (*p == '\n')
		p++;
	end = buf + size;
	if (p > end)
		p = end;

	xc_cni_err_init(&err);
	xc_cni_env_read(&env, envp, &err);
	xc_cni_err_emit(&err, NULL, out, sizeof(out));
	xc_cni_args_known(env.args, known, &err);
	xc_cni_args_get(env.args, "IP", ipbuf, sizeof(ipbuf));
	xc_cni_err_init(&err);
	if (!xc_cni_conf_parse(p, (size_t)(end - p), &conf, &prev, &err)) {
		xc_cni_version_check(env.cmd, conf.version, &err);
		if (conf.prev_result.type == XC_JSON_OBJECT)
			roundtrip(&prev);
		if (xc_cni_attachments(&conf, tab, 64, &err) > 0)
			xc_cni_attachment_find(tab, 64, "a", "eth0");
		port_mappings(&conf.runtime_config);
	}
	xc_cni_err_emit(&err, xc_cni_err_version(&conf), out, sizeof(out));
	xc_cni_version_emit(conf.cni_version, out, sizeof(out));
	return 0;
}
