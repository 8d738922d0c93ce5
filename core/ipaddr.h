/*
 * ipaddr: IPv4/IPv6 addresses and prefixes, their text forms and prefix math.
 *
 * One representation for both families: 16 bytes in network order; IPv4
 * uses the first 4. Text output is canonical (RFC 5952 for IPv6: lower
 * case, longest run of two or more zero groups compressed, leftmost on a
 * tie). No allocation; all buffers belong to the caller.
 *
 * Functions return 0 on success or a negative errno: -EINVAL for text that
 * is not an address/prefix, -ERANGE for results outside the prefix or the
 * address space, -EAFNOSUPPORT for mixed families, -ENOSPC for a short buffer.
 */
#ifndef XC_IPADDR_H
#define XC_IPADDR_H

#include <stddef.h>
#include <stdint.h>

#define XC_IP_STRLEN 64 /* enough for any address with a zone, or a prefix */

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
/* Bits in an address of this family (32 or 128). */
int xc_ip_bits(int family);

/* Parse an IPv4 dotted quad or an IPv6 address (with optional %zone). */
int xc_ip_parse(const char *text, struct xc_ip *ip);
/* Parse "ADDR/LEN" (host bits kept as written). A bare address is -EINVAL. */
int xc_prefix_parse(const char *text, struct xc_prefix *p);
/* Parse "ADDR/LEN" or a bare address (taken as /32 or /128). */
int xc_prefix_parse_loose(const char *text, struct xc_prefix *p);

/* Canonical text of an address into buf (at least XC_IP_STRLEN is safe). */
int xc_ip_format(const struct xc_ip *ip, char *buf, size_t size);
/* Canonical "ADDR/LEN" of a prefix (host bits as stored). */
int xc_prefix_format(const struct xc_prefix *p, char *buf, size_t size);

/* Non-zero if a and b are the same family and address (zones ignored). */
int xc_ip_equal(const struct xc_ip *a, const struct xc_ip *b);
/* <0, 0, >0 ordering: IPv4 before IPv6, then numerically. */
int xc_ip_cmp(const struct xc_ip *a, const struct xc_ip *b);

/* Netmask of a prefix length (e.g. 255.255.255.0 for /24). */
int xc_ip_netmask(int family, int len, struct xc_ip *mask);
/* A netmask's prefix length, -EINVAL if the mask is not contiguous. */
int xc_ip_mask_len(const struct xc_ip *mask);

/* The network: host bits cleared. */
void xc_prefix_network(const struct xc_prefix *p, struct xc_prefix *net);
/* Last address of the prefix (IPv4 broadcast). */
void xc_prefix_last(const struct xc_prefix *p, struct xc_ip *last);
/*
 * First and last usable host: for IPv4 /0../30 network+1 and broadcast-1;
 * for /31 and /32 (RFC 3021) and for IPv6 the whole range, except that
 * IPv6 first host is network+1 for prefixes shorter than /127 (as the
 * reference host-local plugin does, the subnet-router anycast address is
 * skipped).
 */
int xc_prefix_first_host(const struct xc_prefix *p, struct xc_ip *ip);
int xc_prefix_last_host(const struct xc_prefix *p, struct xc_ip *ip);

/*
 * Number of addresses in the prefix as a decimal string ("256",
 * "340282366920938463463374607431768211456"): IPv6 sizes exceed 64 bits.
 */
int xc_prefix_size_str(const struct xc_prefix *p, char *buf, size_t size);
/* Number of addresses, saturated at UINT64_MAX. */
uint64_t xc_prefix_size(const struct xc_prefix *p);

/* Non-zero if ip lies inside p (same family). */
int xc_prefix_contains(const struct xc_prefix *p, const struct xc_ip *ip);
/* Non-zero if prefix inner lies entirely inside outer. */
int xc_prefix_contains_prefix(const struct xc_prefix *outer, const struct xc_prefix *inner);
/* Non-zero if a and b share at least one address. */
int xc_prefix_overlaps(const struct xc_prefix *a, const struct xc_prefix *b);

/* ip + delta, or ip - delta for negative delta; -ERANGE on wrap. */
int xc_ip_add(struct xc_ip *ip, int64_t delta);
/* Convenience: next and previous address; -ERANGE at the ends. */
int xc_ip_next(struct xc_ip *ip);
int xc_ip_prev(struct xc_ip *ip);

/*
 * The index-th subnet of length newlen inside p (index 0 is p's network).
 * -ERANGE if newlen < p->len, newlen too long, or index out of range.
 */
int xc_prefix_subnet(const struct xc_prefix *p, int newlen, uint64_t index, struct xc_prefix *out);

/*
 * IPv4 embedded in an IPv6 prefix: the low 32 bits of the prefix's
 * address replaced by v4 (1000:1::/96 + 192.168.1.2 -> 1000:1::c0a8:102).
 * The prefix must be IPv6 with len <= 96.
 */
int xc_ip_embed4(const struct xc_prefix *v6prefix, const struct xc_ip *v4, struct xc_ip *out);
/* The reverse: the IPv4 address in the low 32 bits of an IPv6 address. */
int xc_ip_extract4(const struct xc_ip *v6, struct xc_ip *v4);

/* Parse a MAC address "aa:bb:cc:dd:ee:ff" (also '-' separated) into 6 bytes. */
int xc_mac_parse(const char *text, uint8_t mac[6]);
/* Format 6 bytes as "aa:bb:cc:dd:ee:ff" (buf of at least 18 bytes). */
int xc_mac_format(const uint8_t mac[6], char *buf, size_t size);
/* The EUI-64 link-local address fe80::/64 of a MAC (RFC 4291 appendix A). */
void xc_ip_link_local(const uint8_t mac[6], struct xc_ip *out);

#endif
