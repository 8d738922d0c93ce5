/*
 * tagset: an nf_tables table of ours with fixed rules whose pods are only
 * set elements, each tagged with its attachment in nft's element comment
 * (the bridge's alias form "xcni:<network hash>:<ifname>:<containerID>",
 * xc_podlink_alias). portmap's hostPorts (hostport.h) and the bridge's
 * ipMasq and macspoofchk (podmasq.h) are such tables; what they do alike
 * is here, once: is the table there and are its rules ours, one element
 * looked up, a pod's elements put in, checked, and removed by tag (DEL,
 * GC; the table goes with its last element).
 *
 * Every change reads first and writes one batch guarded by the ruleset's
 * generation (xc_nft_batch_genid): two plugins racing on one node never
 * both decide on a stale view; the loser reads again. No lock file. A
 * batch commits whole or not at all, so a plugin killed at any point
 * leaves a pod's elements all in or all out.
 *
 * Names: xc_tagset_
 */
#ifndef XC_TAGSET_H
#define XC_TAGSET_H

#include <stddef.h>
#include <stdint.h>

#include "cni/cni.h"
#include "kernel/nft.h"

/* What a ruleset writer puts into a batch. */
enum {
	XC_TS_RULES,    /* only the rules (to compare with what the kernel has) */
	XC_TS_ALL,      /* the table, its sets, chains, then the rules */
	XC_TS_REBUILD,  /* the same with the chains flushed before the rules */
};

/* A table of tagged elements. */
struct xc_tagset {
	uint8_t family;                 /* NFPROTO_INET, NFPROTO_BRIDGE */
	const char *table;
	const char *const *sets;        /* every set that holds pods' elements */
	int nsets;
	void (*ruleset)(struct xc_nft_batch *b, int what);
};

/* Tries of a change the ruleset's generation refused (another plugin wrote first). */
#define XC_TAGSET_RETRIES 32
/* Elements in one message: keeps its element nest under 64 KiB. */
#define XC_TAGSET_ELEMS_PER_MSG 256
/* The most elements one put or verify takes (-E2BIG past it). */
#define XC_TAGSET_ELEMS_MAX 64
/* The longest key (two IPv6 addresses). */
#define XC_TAGSET_KEY_MAX 32

/* One element a pod wants. */
struct xc_tagset_elem {
	int set;                        /* index into sets */
	uint8_t klen;
	/*
	 * The key's first plen bytes say whose it is (the pod's address, its
	 * port's name): another element that starts with them is a stale
	 * attachment's and is replaced, as IPAM or the veth's name says the
	 * key is this attachment's now.
	 */
	uint8_t plen;
	uint8_t range;                  /* key .. kend (xc_nft_elem_range) */
	uint8_t key[XC_TAGSET_KEY_MAX], kend[XC_TAGSET_KEY_MAX];
};

/* 1 when the table is there, 0 when not, or a negative errno. */
int xc_tagset_there(struct xc_nl *nl, const struct xc_tagset *t);

/* 1 when the table's rules are exactly t's, in order; 0 when not. */
int xc_tagset_rules_ok(struct xc_nl *nl, const struct xc_tagset *t);

/*
 * Read the generation and start a batch guarded by it in buf (cap
 * bytes, 4-aligned), with the ruleset in it when the table is missing or
 * its rules are not t's. Returns 1 when the table was there, 0 when not,
 * or a negative errno: -ERESTART when the ruleset changed while it was
 * read (begin again).
 */
int xc_tagset_begin(struct xc_nl *nl, const struct xc_tagset *t, struct xc_nft_batch *b,
		    void *buf, size_t cap);

/* An element as found. */
struct xc_tagset_found {
	int n;                          /* 0: none */
	uint8_t data[64];
	size_t dlen;
	char tag[XC_NFT_COMMENT_MAX + 2];
};

/* The element of key in set (f->n 0: none, the table or set missing too). */
int xc_tagset_lookup(struct xc_nl *nl, const struct xc_tagset *t, int set, const uint8_t *key,
		     size_t klen, struct xc_tagset_found *f);

/*
 * Put e[0..n) in with tag in one batch (the ruleset too when it is
 * missing or not as wanted): elements there already with tag are kept,
 * others of this network with their leading plen bytes are removed.
 * Retries when the ruleset changed meanwhile (-ERESTART once
 * XC_TAGSET_RETRIES are used up). Returns the number of elements written
 * or a negative errno (the kernel's text in xc_nl_errmsg(nl)):
 * -EADDRINUSE when another network's element holds such a key.
 */
int xc_tagset_put(struct xc_nl *nl, const struct xc_tagset *t, const char *tag,
		  const struct xc_tagset_elem *e, int n, void *buf, size_t cap);

/*
 * CHECK: the table with t's rules, and each of e[0..n) there with tag.
 * 0, or -ENOENT with *bad the first element missing (-1: the table or
 * its rules) and why in what.
 */
int xc_tagset_verify(struct xc_nl *nl, const struct xc_tagset *t, const char *tag,
		     const struct xc_tagset_elem *e, int n, int *bad, char *what, size_t size);

/* Does an element's tag belong to what is being removed? */
typedef int (*xc_tagset_match)(void *arg, const char *tag);

/*
 * Remove every element whose tag matches, in batches; the table too when
 * nothing else is left in it. No table (or no nf_tables) is success.
 * Returns the number of elements removed, or a negative errno.
 */
int xc_tagset_remove(struct xc_nl *nl, const struct xc_tagset *t, xc_tagset_match match,
		     void *arg, void *buf, size_t cap);

/* A match for xc_tagset_remove: the tag is arg (a string). */
int xc_tagset_is(void *arg, const char *tag);

/* GC's question: which tags are network's and not of a valid attachment. */
struct xc_tagset_gc {
	const struct xc_cni_attachment *valid;
	size_t n;
	const char *network;
};

/* A match for xc_tagset_remove: a tag of arg's network, not a valid attachment's. */
int xc_tagset_stale(void *arg, const char *tag);

#endif
