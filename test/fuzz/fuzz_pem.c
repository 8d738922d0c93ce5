/*
 * fuzz_pem: core/kube/tls's PEM loading (trust anchors, client chain and key)
 * and its certificate name and date reading, on arbitrary bytes.
 *
 * The input goes in as PEM (CA data; certificate and key text, whole and
 * cut in two) and as DER (identity checks against an IP and a name,
 * the validity text). Beyond "no crash":
 *   - a failed load leaves the store exactly as it was;
 *   - the store never claims more than its memory or anchor array;
 *   - error and identity texts are terminated and printable.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/kube/tls.h"

#define MUST(c) do { if (!(c)) abort(); } while (0)

static br_x509_trust_anchor anchors[4];
static unsigned char mem[6000];
static struct xc_tls_config cfg;

static void printable(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	MUST(n < size);
	for (; *s; s++)
		MUST(*s >= 0x20 && *s < 0x7f);
}

static void load_ca(const uint8_t *data, size_t size)
{
	size_t ta = cfg.ta_num, used = cfg.mem_used;
	int r = xc_tls_add_ca_pem(&cfg, data, size);

	if (r < 0) {
		MUST(cfg.ta_num == ta && cfg.mem_used == used);
		printable(cfg.err, sizeof(cfg.err));
	} else {
		MUST(r >= 1 && cfg.ta_num == ta + (size_t)r);
	}
	MUST(cfg.ta_num <= cfg.ta_max && cfg.mem_used <= cfg.mem_size);
}

static void load_client(const uint8_t *crt, size_t clen, const uint8_t *key, size_t klen)
{
	size_t used = cfg.mem_used;
	int r = xc_tls_set_client_pem(&cfg, crt, clen, key, klen);

	if (r < 0) {
		MUST(cfg.key_type == 0 && cfg.chain_len == 0 && cfg.mem_used == used);
		printable(cfg.err, sizeof(cfg.err));
		return;
	}
	MUST(cfg.chain_len >= 1 && cfg.chain_len <= XC_TLS_CHAIN_MAX);
	MUST(cfg.key_type == BR_KEYTYPE_RSA || cfg.key_type == BR_KEYTYPE_EC);
	MUST(cfg.mem_used <= cfg.mem_size);
}

static void der(const uint8_t *data, size_t size)
{
	char err[XC_TLS_ERRLEN];
	int r;

	r = xc_tls_check_identity(data, size, "127.0.0.1", err, sizeof(err));
	MUST(r == 0 || r == -EKEYREJECTED || r == -EINVAL);
	if (r)
		printable(err, sizeof(err));
	r = xc_tls_check_identity(data, size, "a.example.test", err, 24);
	if (r)
		printable(err, 24);
	if (!xc_tls_cert_validity(data, size, err, sizeof(err)))
		printable(err, sizeof(err));
	xc_tls_dns_match((const char *)data, size, "a.example.test");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cut = size ? data[0] * size / 256 : 0;

	xc_tls_config_init(&cfg, anchors, 4, mem, sizeof(mem));
	load_ca(data, size);
	load_ca(data, cut);
	load_client(data, size, data, size);
	xc_tls_config_init(&cfg, anchors, 4, mem, sizeof(mem));
	load_client(data, cut, data + cut, size - cut);
	der(data, size);
	return 0;
}
