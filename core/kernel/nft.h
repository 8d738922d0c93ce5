/*
 * nft: nf_tables over a raw NETLINK_NETFILTER socket, in the manner of
 * netlink.h (whose context, builder and parsers it uses): no tools, no
 * libnftnl.
 *
 * Every change is a batch: NFNL_MSG_BATCH_BEGIN, the commands, then
 * NFNL_MSG_BATCH_END; the kernel commits all of it or none. Commands are
 * built in the caller's buffer one after the other, then
 * xc_nft_send() closes the batch, sends it in one datagram and collects
 * the answers. The kernel handles a batch within sendmsg(2), so every
 * answer is queued when it returns: the commands carry no NLM_F_ACK (only
 * failures answer, as with nft) except the last, whose ACK proves the
 * batch was read to its end.
 *
 * What is written decompiles in `nft list ruleset` (nft 1.0.6) as if nft
 * had written it: the expressions are the ones nft generates for the
 * statement, sets carry the key byte order in nft's userdata
 * (NFTNL_UDATA_SET_KEYBYTEORDER) and rule comments nft's
 * NFTNL_UDATA_RULE_COMMENT. Nests are written without NLA_F_NESTED, as the
 * kernel writes them in dumps, so that a rule read back compares equal
 * byte for byte with one built here (xc_nft_rule_body()).
 *
 * Functions return 0 or a negative errno; a failed batch leaves the
 * kernel's extended-ACK text in xc_nl_errmsg(). A kernel without
 * nf_tables fails xc_nft_open() with -EPROTONOSUPPORT or the first batch
 * with -EOPNOTSUPP; an expression it lacks (masq without nf_nat) fails
 * with -ENOENT.
 *
 * Names: xc_nft_
 */
#ifndef XC_NFT_H
#define XC_NFT_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/netlink.h"     /* libc's network headers before <linux/netfilter.h> */

#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

/* Longest table, chain and set name nf_tables takes (NFT_NAME_MAXLEN). */
#define XC_NFT_NAME_MAX 256
/* nft's userdata types (libnftnl's udata.h) and byte orders. */
#define XC_NFT_UDATA_SET_KEYBYTEORDER 0
#define XC_NFT_UDATA_RULE_COMMENT 0
#define XC_NFT_BYTEORDER_HOST 1
#define XC_NFT_BYTEORDER_BIG 2
/* nft's key types for sets (its datatypes' ids). */
#define XC_NFT_TYPE_IPADDR 7
#define XC_NFT_TYPE_IP6ADDR 8
#define XC_NFT_TYPE_INET_PROTO 12
#define XC_NFT_TYPE_INET_SERVICE 13
#define XC_NFT_TYPE_ETHERADDR 9
#define XC_NFT_TYPE_IFNAME 41
/* A concatenation's type: each part's id shifted in after the first (nft's TYPE_BITS). */
#define XC_NFT_CONCAT(a, b) (((a) << 6) | (b))
/* nft's element comment (NFTNL_UDATA_SET_ELEM_COMMENT). */
#define XC_NFT_UDATA_ELEM_COMMENT 0
/* The longest comment nft accepts (and so writes), without the NUL. */
#define XC_NFT_COMMENT_MAX 127

/* The nfnetlink message type of an NFT_MSG_* command. */
#define XC_NFT_TYPE(cmd) ((uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | (cmd)))

/* A batch being built in a caller buffer (4-byte aligned). */
struct xc_nft_batch {
	uint8_t *buf;
	size_t cap, len;      /* len: the messages before m */
	struct xc_nl_msg m;   /* the message being built */
	unsigned n;           /* command messages */
	int err;              /* sticky */
};

/* Open a NETLINK_NETFILTER context (see xc_nl_open). */
int xc_nft_open(struct xc_nl *nl, void *buf, size_t size);

/* Start a batch in buf (cap bytes): writes the BATCH_BEGIN message. */
void xc_nft_batch_init(struct xc_nft_batch *b, void *buf, size_t cap);

/*
 * Make the batch conditional (right after xc_nft_batch_init): the kernel
 * refuses all of it with -ERESTART when the ruleset's generation is no
 * longer genid, i.e. anything changed since the caller read it. This is
 * nft's own guard; read, decide, write, and on -ERESTART start over.
 */
void xc_nft_batch_genid(struct xc_nft_batch *b, uint32_t genid);

/* The ruleset's current generation (NFT_MSG_GETGEN). */
int xc_nft_genid(struct xc_nl *nl, uint32_t *genid);

/*
 * Close the batch and send it; every failure the kernel reported is
 * looked at and the first returned (its text in xc_nl_errmsg()). A batch
 * without commands is not sent (0). -EMSGSIZE when it did not fit in the
 * batch's buffer. A batch longer than the socket's send buffer (the
 * kernel takes it whole or not at all) first gets one as long.
 */
int xc_nft_send(struct xc_nl *nl, struct xc_nft_batch *b);

/* ---- objects ----------------------------------------------------------- */

/* NEWTABLE (create, or nothing if it is there) or DELTABLE. */
void xc_nft_table(struct xc_nft_batch *b, uint16_t cmd, uint8_t family, const char *name);

struct xc_nft_chain {
	const char *name, *type;    /* type: "nat", "filter", "route"; NULL: no hook */
	uint32_t hook;              /* NF_INET_POST_ROUTING, ... */
	int32_t prio;
	uint32_t policy;            /* NF_ACCEPT, NF_DROP */
};

/* NEWCHAIN (a base chain when c->type is set). */
void xc_nft_chain(struct xc_nft_batch *b, uint8_t family, const char *table,
		  const struct xc_nft_chain *c);

struct xc_nft_set {
	const char *name;
	uint32_t flags;             /* NFT_SET_INTERVAL, NFT_SET_MAP, ... */
	uint32_t key_type;          /* XC_NFT_TYPE_*, XC_NFT_CONCAT(...) */
	uint32_t key_len;           /* bytes (each part of a concatenation padded to 4) */
	uint32_t byteorder;         /* XC_NFT_BYTEORDER_* of the key; 0 for a concatenation */
};

/* NEWSET, with nft's userdata for the key's byte order. */
void xc_nft_set(struct xc_nft_batch *b, uint8_t family, const char *table,
		const struct xc_nft_set *s);

/* What a map or a set with a concatenated key adds to struct xc_nft_set. */
struct xc_nft_setx {
	/* maps (NFT_SET_MAP in flags): the data's type, length and byte order */
	uint32_t data_type, data_len, data_byteorder;
	/* key, data are concatenations: nft then adds its "typeof" userdata */
	uint8_t key_concat, data_concat;
	/*
	 * An interval set of a concatenated key (flags NFT_SET_INTERVAL |
	 * NFT_SET_CONCAT): each part's length in bytes, 0 after the last,
	 * which the kernel's set needs in NFTA_SET_DESC.
	 */
	uint8_t field[4];
};

/*
 * NEWSET of a map or concatenation, with nft's userdata: the key's (and a
 * map's data's) byte order, and for concatenations the empty "typeof"
 * record nft 1.0.6 writes.
 */
void xc_nft_setx(struct xc_nft_batch *b, uint8_t family, const char *table,
		 const struct xc_nft_set *s, const struct xc_nft_setx *x);

/*
 * Start NEWSETELEM or DELSETELEM for set; add elements with
 * xc_nft_elem(), then xc_nft_elems_end(). Interval sets hold an interval
 * [lo, hi] as the element lo and the element hi + 1 with
 * NFT_SET_ELEM_INTERVAL_END (none when hi is the last key).
 */
struct xc_nl_msg *xc_nft_elems(struct xc_nft_batch *b, uint16_t cmd, uint8_t family,
			       const char *table, const char *set);
void xc_nft_elem(struct xc_nft_batch *b, const void *key, size_t len, uint32_t flags);
void xc_nft_elems_end(struct xc_nft_batch *b);

/*
 * An element with a map's data (data NULL: none) and nft's comment
 * userdata (NULL: none; cut at XC_NFT_COMMENT_MAX).
 */
void xc_nft_elem_full(struct xc_nft_batch *b, const void *key, size_t klen, const void *data,
		      size_t dlen, const char *comment);

/*
 * An element of an interval set of a concatenated key: the range key ..
 * kend (each klen bytes), as nft writes `198.18.0.2 . 198.18.0.0/24`;
 * comment as xc_nft_elem_full (NULL: none, as DELSETELEM wants it).
 */
void xc_nft_elem_range(struct xc_nft_batch *b, const void *key, const void *kend,
		       size_t klen, const char *comment);

/*
 * Start NEWRULE (appended) in chain: the expressions follow, then
 * xc_nft_rule_end() with the rule's comment (NULL: none).
 */
struct xc_nl_msg *xc_nft_rule(struct xc_nft_batch *b, uint8_t family, const char *table,
			      const char *chain);
void xc_nft_rule_end(struct xc_nft_batch *b, const char *comment);

/* Every rule of a chain removed (DELRULE without a handle). */
void xc_nft_chain_flush(struct xc_nft_batch *b, uint8_t family, const char *table,
			const char *chain);

/* ---- expressions (inside a rule); registers: NFT_REG_1, ... ----------- */

void xc_nft_meta(struct xc_nl_msg *m, uint32_t key, uint32_t dreg);
void xc_nft_cmp(struct xc_nl_msg *m, uint32_t sreg, uint32_t op, const void *data, size_t len);
void xc_nft_payload(struct xc_nl_msg *m, uint32_t base, uint32_t off, uint32_t len,
		    uint32_t dreg);
void xc_nft_lookup(struct xc_nl_msg *m, uint32_t sreg, const char *set, int invert);
void xc_nft_ct(struct xc_nl_msg *m, uint32_t key, uint32_t dreg);
void xc_nft_masq(struct xc_nl_msg *m);
/*
 * The forms nft writes for two common matches of an inet rule:
 * "meta nfproto ipv4|ipv6" (NFPROTO_IPV4/6; uses NFT_REG_1), and
 * "ip saddr . ip daddr" (ip6 with v6) loaded for a concatenated lookup:
 * the source in NFT_REG_1, the destination in the register nft puts
 * after it (NFT_REG32_01 for IPv4, NFT_REG_2 for IPv6).
 */
void xc_nft_match_nfproto(struct xc_nl_msg *m, uint8_t nfproto);
void xc_nft_load_addr_pair(struct xc_nl_msg *m, int v6);
/* jump to chain. */
void xc_nft_jump(struct xc_nl_msg *m, const char *chain);
/* A verdict without a chain: NFT_RETURN, NF_DROP, NF_ACCEPT. */
void xc_nft_verdict(struct xc_nl_msg *m, int32_t code);
/* A map lookup: the value found goes to dreg (the rule stops on a miss). */
void xc_nft_lookup_map(struct xc_nl_msg *m, uint32_t sreg, const char *set, uint32_t dreg);
/* fib (NFT_FIB_RESULT_*, NFTA_FIB_F_* flags) into dreg. */
void xc_nft_fib(struct xc_nl_msg *m, uint32_t result, uint32_t flags, uint32_t dreg);
/* dreg = (sreg & mask) ^ xor over len bytes. */
void xc_nft_bitwise(struct xc_nl_msg *m, uint32_t sreg, uint32_t dreg, uint32_t len,
		    const void *mask, const void *xor);
/*
 * NAT of type NFT_NAT_DNAT/SNAT for family (NFPROTO_IPV4/6) to the address
 * in reg_addr and the port in reg_proto (0: none), with the range flags
 * the kernel then reports.
 */
void xc_nft_nat(struct xc_nl_msg *m, uint32_t type, uint32_t family, uint32_t reg_addr,
		uint32_t reg_proto);

/* ---- reading back ------------------------------------------------------ */

/*
 * Dump (or, for NFT_MSG_GETTABLE, get) objects of family in table:
 * NFT_MSG_GETTABLE (the table itself: -ENOENT if absent), GETCHAIN,
 * GETSET, GETRULE (name: only that chain's), GETSETELEM (name: the set).
 * Each message goes to cb.
 */
int xc_nft_dump(struct xc_nl *nl, uint16_t cmd, uint8_t family, const char *table,
		const char *name, xc_nl_cb cb, void *arg);

/*
 * Index a message's attributes (after its struct nfgenmsg) into
 * tb[0..max]; -EBADMSG if it is not an nf_tables message of that type.
 */
int xc_nft_parse(const struct nlmsghdr *nlh, uint16_t cmd, const struct nlattr **tb,
		 unsigned max);

/*
 * GETSETELEM of one element by its key: cb gets the kernel's NEWSETELEM
 * answer; -ENOENT when the set has no such element (or no such set).
 */
int xc_nft_elem_get(struct xc_nl *nl, uint8_t family, const char *table, const char *set,
		    const void *key, size_t klen, xc_nl_cb cb, void *arg);

/* One element as dumped, with what xc_nft_elems_parse leaves out. */
struct xc_nft_elem_view {
	const uint8_t *key, *data;      /* data NULL: none (a set) */
	const uint8_t *kend;            /* a range's end (xc_nft_elem_range), or NULL */
	size_t klen, dlen;
	uint32_t flags;
	char comment[XC_NFT_COMMENT_MAX + 2];   /* nft's comment userdata, "" if none */
};
typedef int (*xc_nft_elem_view_cb)(void *arg, const struct xc_nft_elem_view *e);

/*
 * Call cb for each element of a NEWSETELEM message with its key, data and
 * comment (keys and data up to 64 bytes, a register file's worth; longer
 * ones are skipped). Returns cb's error or -EBADMSG.
 */
int xc_nft_elems_each(const struct nlmsghdr *nlh, xc_nft_elem_view_cb cb, void *arg);

/* A 32-bit big-endian attribute's value, or dflt. */
uint32_t xc_nft_get_be32(const struct nlattr *a, uint32_t dflt);

/* One element of a set as dumped. */
typedef int (*xc_nft_elem_cb)(void *arg, const uint8_t *key, size_t len, uint32_t flags);

/*
 * Call cb for each element in a NEWSETELEM message (a GETSETELEM dump's
 * answer); keys longer than 16 bytes are skipped. Returns cb's error or
 * -EBADMSG.
 */
int xc_nft_elems_parse(const struct nlmsghdr *nlh, xc_nft_elem_cb cb, void *arg);

/*
 * The parts of a NEWRULE message that say what it does: its expressions
 * and userdata attributes (NULL if absent), and its handle.
 */
struct xc_nft_rule_body {
	const struct nlattr *expr, *udata;
	uint64_t handle;
	char chain[64];
};
int xc_nft_rule_body(const struct nlmsghdr *nlh, struct xc_nft_rule_body *r);

/* The same attributes compared: 1 when both are absent or byte-equal. */
int xc_nft_attr_equal(const struct nlattr *a, const struct nlattr *b);

#endif
