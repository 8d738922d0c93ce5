/*
 * fuzz_nft: core/kernel/nft's readers (set elements, rule bodies, the
 * attribute index) and core/router/masq's interval formatting on arbitrary
 * bytes taken as a datagram of nf_tables dump answers.
 *
 * Each message is copied into a buffer of exactly its length, so the
 * sanitizers see any read past a message's end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/kernel/nft.h"
#include "../../core/router/masq.h"

#define MUST(c) do { if (!(c)) abort(); } while (0)

static int on_elem(void *arg, const uint8_t *key, size_t len, uint32_t flags)
{
	struct xc_iv iv;
	char t[100];

	(void)arg;
	(void)flags;
	MUST(len <= 16);
	memset(&iv, 0, sizeof(iv));
	memcpy(iv.lo, key, len);
	memcpy(iv.hi, key, len);
	if (len == 4 || len == 16)
		MUST(strlen(xc_iv_format(&iv, len, t, sizeof(t))) < sizeof(t));
	return 0;
}

static int on_view(void *arg, const struct xc_nft_elem_view *e)
{
	(void)arg;
	volatile uint8_t sum = 0;

	MUST(e->klen <= 64 && e->dlen <= 64 && (e->data || !e->dlen));
	MUST(strlen(e->comment) < sizeof(e->comment));
	/* a range's end is as long as its key, and all of it is in the message */
	for (size_t i = 0; e->kend && i < e->klen; i++)
		sum ^= e->kend[i];
	return sum & 0;
}

static int on_msg(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[NFTA_SET_MAX + 1];
	struct xc_nft_rule_body r;
	struct nlmsghdr *copy = malloc(nlh->nlmsg_len);

	(void)arg;
	MUST(copy);
	memcpy(copy, nlh, nlh->nlmsg_len);
	copy->nlmsg_type = XC_NFT_TYPE(NFT_MSG_NEWSETELEM);
	xc_nft_elems_parse(copy, on_elem, NULL);
	xc_nft_elems_each(copy, on_view, NULL);
	copy->nlmsg_type = XC_NFT_TYPE(NFT_MSG_NEWRULE);
	if (xc_nft_rule_body(copy, &r) == 0) {
		MUST(strlen(r.chain) < sizeof(r.chain));
		MUST(xc_nft_attr_equal(r.expr, r.expr));
	}
	copy->nlmsg_type = XC_NFT_TYPE(NFT_MSG_NEWSET);
	if (xc_nft_parse(copy, NFT_MSG_NEWSET, tb, NFTA_SET_MAX) == 0)
		xc_nft_get_be32(tb[NFTA_SET_FLAGS], 0);
	free(copy);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf;

	if (size > XC_NL_BUFSIZE)
		return 0;
	buf = malloc(size ? size : 1);
	MUST(buf);
	memcpy(buf, data, size);
	xc_nl_walk(buf, size, on_msg, NULL);
	free(buf);
	return 0;
}
