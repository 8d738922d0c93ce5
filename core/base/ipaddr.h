/*
 * ipaddr: IPv4/IPv6 addresses and prefixes, their text forms and prefix math.
 *
 * One representation for both families: 16 bytes in network order; IPv4
 * uses the first 4 (the other 12 are zero after parsing). Text output is
 * canonical (RFC 5952 for IPv6: lower case, no leading zeros in a group,
 * the longest run of two or more zero groups compressed, leftmost on a
 * tie; IPv4-mapped addresses ::ffff:0:0/96 in mixed form ::ffff:1.2.3.4 as
 * RFC 5952 section 5 recommends). No allocation; buffers belong to the caller.
 *
 * Accepted text, strictly (no white space anywhere, NUL-terminated input):
 *   IPv4    four decimal octets 0..255 joined by '.'. An octet has no
 *           leading zero ("0" is fine, "01" and "00" are not): inet_aton
 *           reads "010" as octal 8 and other parsers as decimal 10, and an
 *           address must not mean two things. Shorthands such as "10.1" or
 *           "167772161" are refused.
 *   IPv6    RFC 4291 section 2.2: eight groups of 1..4 hex digits (either
 *           case), "::" at most once standing for one or more zero groups,
 *           and optionally the last two groups written as an IPv4 address
 *           under the IPv4 rules above (::ffff:192.0.2.1, 64:ff9b::10.0.0.1).
 *   zone    IPv6 only: "%" then 1..15 characters from [A-Za-z0-9_.-]
 *           (an interface name or index: fe80::1%eth1). The set is kept
 *           shell-safe on purpose; a zone is carried along but never takes
 *           part in comparisons or prefix math.
 *   prefix  ADDR "/" LEN, LEN decimal without leading zero, 0..32 or
 *           0..128. A zone goes before the slash (fe80::1%eth1/64).
 *           A netmask in place of LEN (10.0.0.0/255.0.0.0) is refused.
 * IPv4 and IPv6 never mix: ::ffff:10.0.0.1 is an IPv6 address and is not
 * inside 10.0.0.0/8.
 *
 * Functions return 0 on success or a negative errno: -EINVAL for text that
 * is not an address/prefix, -ERANGE for results outside the prefix or the
 * address space (and lengths out of range), -EAFNOSUPPORT for mixed or
 * unknown families, -ENOSPC for a short buffer. On failure the outputs are
 * left untouched. Outputs may alias inputs.
 *
 * Names: xc_ip_ xc_mac_ xc_prefix_
 */
#ifndef XC_IPADDR_H
#define XC_IPADDR_H

#include <stddef.h>
#include <stdint.h>

#define XC_IP_STRLEN 64 /* enough for any address with a zone, or a prefix */
#define XC_MAC_STRLEN 18 /* "aa:bb:cc:dd:ee:ff" and its NUL */
#define XC_SIZE_STRLEN 40 /* 2^128 in decimal (39 digits) and its NUL */

struct xc_ip {
	uint8_t family;     /* AF_INET or AF_INET6 */
	uint8_t a[16];      /* network byte order; IPv4 in a[0..3] */
	char zone[16];      /* IPv6 zone id ("eth1" of fe80::1%eth1), "" if none */
};

struct xc_prefix {
	struct xc_ip ip;    /* as written: host bits may be set (10.0.0.5/24) */
	uint8_t len;        /* 0..32 or 0..128 */
};

/* Bytes in an address of this family (4 or 16), 0 for an unknown family. */
int xc_ip_bytes(int family);
/* Bits in an address of this family (32 or 128), 0 for an unknown family. */
int xc_ip_bits(int family);

/*
 * Parse an IPv4 dotted quad or an IPv6 address (with optional %zone), as
 * described at the top. -EINVAL for anything else.
 */
int xc_ip_parse(const char *text, struct xc_ip *ip);
/* Parse "ADDR/LEN" (host bits kept as written). A bare address is -EINVAL. */
int xc_prefix_parse(const char *text, struct xc_prefix *p);
/* Parse "ADDR/LEN" or a bare address (taken as /32 or /128). */
int xc_prefix_parse_loose(const char *text, struct xc_prefix *p);

/*
 * Canonical text of an address, zone included, into buf (XC_IP_STRLEN is
 * always enough). -EAFNOSUPPORT for an unknown family, -ENOSPC when short.
 */
int xc_ip_format(const struct xc_ip *ip, char *buf, size_t size);
/*
 * Fully expanded text: IPv6 as eight groups of four hex digits
 * (2001:0db8:0000:...:0001), zone included; IPv4 as a dotted quad.
 */
int xc_ip_format_full(const struct xc_ip *ip, char *buf, size_t size);
/* Canonical "ADDR/LEN" of a prefix (host bits as stored). */
int xc_prefix_format(const struct xc_prefix *p, char *buf, size_t size);

/* Non-zero if a and b are the same family and address (zones ignored). */
int xc_ip_equal(const struct xc_ip *a, const struct xc_ip *b);
/* <0, 0, >0 ordering: IPv4 before IPv6, then numerically (zones ignored). */
int xc_ip_cmp(const struct xc_ip *a, const struct xc_ip *b);

/*
 * Netmask of a prefix length (e.g. 255.255.255.0 for /24, ffff:ffff::
 * for /32 of IPv6). -EAFNOSUPPORT for an unknown family, -ERANGE for a
 * length beyond the family's bits.
 */
int xc_ip_netmask(int family, int len, struct xc_ip *mask);

/*
 * The prefix math below expects a valid prefix (known family, len within
 * the family's bits), as the parsers produce. The void functions given an
 * invalid one copy its address unchanged; the others return -EAFNOSUPPORT
 * or -ERANGE. The zone of p is carried into every result.
 */

/* The network: host bits cleared, same length. */
void xc_prefix_network(const struct xc_prefix *p, struct xc_prefix *net);
/* Last address of the prefix (IPv4 broadcast). */
void xc_prefix_last(const struct xc_prefix *p, struct xc_ip *last);
/*
 * First and last usable host: for IPv4 /0../30 network+1 and broadcast-1;
 * for /31 and /32 (RFC 3021) and for IPv6 the whole range, except that
 * IPv6 first host is network+1 for prefixes shorter than /127 (as the
 * reference host-local plugin does, the subnet-router anycast address is
 * skipped). The first host is what node-local hands out as the gateway.
 */
int xc_prefix_first_host(const struct xc_prefix *p, struct xc_ip *ip);
int xc_prefix_last_host(const struct xc_prefix *p, struct xc_ip *ip);

/*
 * Number of addresses in the prefix as a decimal string ("256",
 * "340282366920938463463374607431768211456"): IPv6 sizes exceed 64 bits.
 * XC_SIZE_STRLEN bytes are always enough.
 */
int xc_prefix_size_str(const struct xc_prefix *p, char *buf, size_t size);

/* Non-zero if ip lies inside p (same family; zones ignored). */
int xc_prefix_contains(const struct xc_prefix *p, const struct xc_ip *ip);
/* Non-zero if prefix inner lies entirely inside outer (an equal prefix does). */
int xc_prefix_contains_prefix(const struct xc_prefix *outer, const struct xc_prefix *inner);
/* Non-zero if a and b share at least one address. */
int xc_prefix_overlaps(const struct xc_prefix *a, const struct xc_prefix *b);

/*
 * Why no pod may get addresses from p, or NULL: p overlaps a range that is
 * never a pod's (0.0.0.0/8, loopback, link-local, multicast, the IPv4
 * limited broadcast, the IPv6 unspecified address). The answer is a phrase
 * ("overlaps loopback") for a message. Its length is no reason: IPv6 pod
 * CIDRs as large as /24 exist. One table for the router, which gives such
 * a CIDR no route, and node-local, which gives no address from it.
 */
const char *xc_prefix_special(const struct xc_prefix *p);

/*
 * ip + delta, or ip - delta for negative delta, within the family's
 * address space (IPv4 wraps at 2^32, IPv6 at 2^128); -ERANGE on wrap,
 * and then ip is unchanged. -EAFNOSUPPORT for an unknown family.
 */
int xc_ip_add(struct xc_ip *ip, int64_t delta);
/* Convenience: next and previous address; -ERANGE at the ends. */
int xc_ip_next(struct xc_ip *ip);
int xc_ip_prev(struct xc_ip *ip);

/*
 * The index-th subnet of length newlen inside p (index 0 is p's network).
 * -ERANGE if newlen < p->len, newlen too long, or index out of range
 * (there are 2^(newlen - p->len) subnets; past 2^64 every index is valid).
 */
int xc_prefix_subnet(const struct xc_prefix *p, int newlen, uint64_t index, struct xc_prefix *out);

/*
 * IPv4 embedded in an IPv6 prefix: the low 32 bits of the prefix's
 * address replaced by v4 (1000:1::/96 + 192.168.1.2 -> 1000:1::c0a8:102).
 * Bits of the address between len and 96 stay as written
 * (fd00::5:0:0/64 + 192.168.1.2 -> fd00::5:c0a8:102), and out takes the
 * prefix's zone. -EAFNOSUPPORT unless v6prefix is IPv6 and v4 is IPv4;
 * -ERANGE if len > 96 (the IPv4 bits would overwrite the prefix).
 */
int xc_ip_embed4(const struct xc_prefix *v6prefix, const struct xc_ip *v4, struct xc_ip *out);
/*
 * The reverse: the IPv4 address in the low 32 bits of an IPv6 address.
 * -EAFNOSUPPORT if v6 is not IPv6.
 */
int xc_ip_extract4(const struct xc_ip *v6, struct xc_ip *v4);

/*
 * Parse a MAC address "aa:bb:cc:dd:ee:ff" (also '-' separated, the same
 * separator throughout) into 6 bytes: exactly two hex digits per byte,
 * either case. -EINVAL otherwise.
 */
int xc_mac_parse(const char *text, uint8_t mac[6]);
/* Format 6 bytes as "aa:bb:cc:dd:ee:ff" (XC_MAC_STRLEN bytes), -ENOSPC when short. */
int xc_mac_format(const uint8_t mac[6], char *buf, size_t size);
/*
 * The EUI-64 link-local address fe80::/64 of a MAC (RFC 4291 appendix A:
 * ff:fe inserted in the middle, the universal/local bit flipped).
 */
void xc_ip_link_local(const uint8_t mac[6], struct xc_ip *out);

#endif
