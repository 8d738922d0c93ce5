/*
 * fuzz_kubeconfig: core/kube/k8s's kubeconfig interpreter (YAML through
 * core/kube/yaml, JSON through core/base/json) on arbitrary bytes, from memory only.
 *
 * The first input byte picks the options: bit 0 a context override
 * ("other"), bit 1 a path for the messages and relative names, bits 2-3 a
 * small node array (so -ENOSPC paths run too). Beyond "no crash":
 *   - success yields an http(s) server URL and decoded data within pem[];
 *     every text field is terminated within its array;
 *   - a failure always explains itself in err, which names the source;
 *   - token and tokenFile never both survive (the token wins);
 *   - parsing twice gives the same result (no state carried over).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/kube/k8s.h"

#define MUST(c) do { if (!(c)) abort(); } while (0)

static struct xc_k8s_config a, b;
static struct xc_yaml_node nodes[4096];

static void terminated(const char *s, size_t size)
{
	MUST(memchr(s, 0, size) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[] = { 4096, 64, 16, 1 };
	const char *ctx, *path;
	size_t cap;
	int ra, rb;

	if (size < 1)
		return 0;
	ctx = data[0] & 1 ? "other" : NULL;
	path = data[0] & 2 ? "/etc/kubernetes/kubelet.conf" : NULL;
	cap = caps[(data[0] >> 2) & 3];
	data++, size--;
	ra = xc_k8s_config_parse(&a, (const char *)data, size, path, ctx, nodes, cap);
	MUST(ra <= 0);
	terminated(a.err, sizeof(a.err));
	terminated(a.source, sizeof(a.source));
	MUST(!strncmp(a.source, "kubeconfig ", 11));
	if (ra) {
		MUST(a.err[0] != 0);
		MUST(!strncmp(a.err, a.source, strlen(a.source)));
		MUST(a.ca_len == 0 && a.cert_len == 0 && a.key_len == 0);
	} else {
		terminated(a.server, sizeof(a.server));
		terminated(a.ca_file, sizeof(a.ca_file));
		terminated(a.cert_file, sizeof(a.cert_file));
		terminated(a.key_file, sizeof(a.key_file));
		terminated(a.token_file, sizeof(a.token_file));
		terminated(a.token, sizeof(a.token));
		terminated(a.tls_server_name, sizeof(a.tls_server_name));
		MUST(!strncmp(a.server, "https://", 8) || !strncmp(a.server, "http://", 7));
		MUST(a.ca_len + a.cert_len + a.key_len <= sizeof(a.pem));
		MUST(!(a.token[0] && a.token_file[0]));
		MUST(!(a.insecure && (a.ca_len || a.ca_file[0])));
		MUST(!(a.cert_len || a.cert_file[0]) == !(a.key_len || a.key_file[0]));
	}
	rb = xc_k8s_config_parse(&b, (const char *)data, size, path, ctx, nodes, cap);
	MUST(ra == rb);
	MUST(!strcmp(a.err, b.err) || !ra);
	if (!ra) {
		MUST(!strcmp(a.server, b.server) && !strcmp(a.token, b.token));
		MUST(a.ca_len == b.ca_len && !memcmp(a.pem, b.pem, a.ca_len + a.cert_len + a.key_len));
	}
	xc_k8s_config_wipe(&a);
	xc_k8s_config_wipe(&b);
	return 0;
}
