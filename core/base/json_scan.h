/*
 * json_scan.h: scanners shared by the parser (json.c) and the emitter
 * (json_out.c). Private to core/base/json*; not part of the API.
 *
 * String bodies and skipped containers are where a Kubernetes NodeList
 * spends its bytes: strings are scanned 8 bytes at a time (SWAR), skipped
 * containers 64 at a time as bit masks (SSE2, or SWAR without it).
 * The skip_* functions trust validated text but stay inside [p, end), so a
 * forged span cannot make them read outside it.
 */
#ifndef XC_JSON_SCAN_H
#define XC_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;

/*
 * The release build is -Os, which would leave these small helpers out of
 * line and the hot loops two to three times slower: force them in.
 */
#define HOT static inline __attribute__((always_inline))

/* ---- 8-bytes-at-a-time helpers ------------------------------------------- */

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

HOT uint64_t load64(const u8 *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/*
 * High bit set in the bytes of w that are below n (n <= 0x80). Borrows can
 * flag a byte above a real hit, never below one: the lowest flag is exact.
 */
HOT uint64_t below(uint64_t w, u8 n)
{
	return (w - ONES * n) & ~w & HIGHS;
}

HOT uint64_t equal(uint64_t w, u8 c)
{
	return below(w ^ (ONES * c), 1);
}

/*
 * Offset of the first flagged byte. Only little-endian memory order makes
 * the lowest flag the first byte; elsewhere the byte loops that follow
 * every word loop find it themselves.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FIRST_HIT(m) ((size_t)__builtin_ctzll(m) >> 3)
#else
#define FIRST_HIT(m) ((size_t)0)
#endif

HOT int is_ws(u8 c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

HOT const u8 *skip_ws(const u8 *p, const u8 *end)
{
	/* compact documents: most calls see a token right away */
	if (p < end && *p > ' ')
		return p;
	/* indented documents: long runs of spaces after each newline */
	for (;;) {
		while (end - p >= 8 && load64(p) == ONES * ' ')
			p += 8;
		if (p >= end || !is_ws(*p))
			return p;
		p++;
	}
}

HOT int is_digit(u8 c)
{
	return c >= '0' && c <= '9';
}

/*
 * Length of the well-formed UTF-8 sequence at p (lead byte >= 0x80), or 0.
 * Follows Unicode's table of well-formed sequences: no overlong forms, no
 * encoded surrogates, nothing above U+10FFFF.
 */
static inline size_t utf8_len(const u8 *p, const u8 *end)
{
	u8 c = p[0], lo = 0x80, hi = 0xBF;
	size_t n;

	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/*
 * Where a string body's plain run ends: the first quote or backslash at or
 * after p (with `strict`, also the first byte below 0x20 or at or above
 * 0x80, which the validator must look at), or a point less than 8 bytes
 * from end (big-endian: the start of the 8 bytes holding the stop; the
 * callers' byte loops go on from there). 16 bytes a step with SSE2 (as
 * signed bytes, both below 0x20 and above 0x7F compare less than 0x20),
 * then 8 with SWAR.
 */
HOT const u8 *string_stop(const u8 *p, const u8 *end, int strict)
{
#if defined(__SSE2__)
	for (; end - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
					 _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
		unsigned bits;

		if (strict)
			m = _mm_or_si128(m, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
		if ((bits = (unsigned)_mm_movemask_epi8(m)))
			return p + __builtin_ctz(bits);
	}
#endif
	for (; end - p >= 8; p += 8) {
		uint64_t w = load64(p);
		uint64_t m = equal(w, '"') | equal(w, '\\');

		if (strict)
			m |= below(w, 0x20) | (w & HIGHS);
		if (m)
			return p + FIRST_HIT(m);
	}
	return p;
}

/* p: just past the opening quote. Sets *esc when the body holds a backslash. */
static inline const u8 *skip_string(const u8 *p, const u8 *end, int *esc)
{
	for (;;) {
		p = string_stop(p, end, 0);
		if (p >= end)
			return end;
		if (*p == '"')
			return p + 1;
		if (*p == '\\') {
			*esc = 1;
			p = end - p > 2 ? p + 2 : end;
		} else {
			p++;
		}
	}
}

HOT int is_scalar_char(u8 c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
	       c == '-' || c == '+' || c == '.';
}

/* The end of the number or literal at p. */
static inline const u8 *skip_scalar(const u8 *p, const u8 *end)
{
	while (p < end && is_scalar_char(*p))
		p++;
	return p;
}

/* ---- 64-byte blocks as bit masks (the container skipper in json.c) ---- */

/* One bit per byte of a block, bit i for byte i. */
struct block {
	uint64_t quote, bslash, open, close;
};

#if defined(__SSE2__)
HOT uint64_t bits16(__m128i v, __m128i c, int shift)
{
	return (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, c)) << shift;
}

/* Written out for 4 x 16 bytes: -Os would neither unroll nor keep it in registers. */
HOT void classify(const u8 *p, struct block *b)
{
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i lower = _mm_set1_epi8(0x20);
	const __m128i open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}');
	const __m128i *q = (const __m128i *)(const void *)p;
	__m128i v0 = _mm_loadu_si128(q), v1 = _mm_loadu_si128(q + 1);
	__m128i v2 = _mm_loadu_si128(q + 2), v3 = _mm_loadu_si128(q + 3);
	/* '[' | 0x20 is '{', ']' | 0x20 is '}' */
	__m128i l0 = _mm_or_si128(v0, lower), l1 = _mm_or_si128(v1, lower);
	__m128i l2 = _mm_or_si128(v2, lower), l3 = _mm_or_si128(v3, lower);

	b->quote = bits16(v0, quote, 0) | bits16(v1, quote, 16) |
		   bits16(v2, quote, 32) | bits16(v3, quote, 48);
	b->bslash = bits16(v0, bslash, 0) | bits16(v1, bslash, 16) |
		    bits16(v2, bslash, 32) | bits16(v3, bslash, 48);
	b->open = bits16(l0, open, 0) | bits16(l1, open, 16) |
		  bits16(l2, open, 32) | bits16(l3, open, 48);
	b->close = bits16(l0, close, 0) | bits16(l1, close, 16) |
		   bits16(l2, close, 32) | bits16(l3, close, 48);
}
#else
/* One bit per byte of w equal to c: exact (no borrows), then gathered. */
HOT uint64_t byte_bits(uint64_t w, u8 c)
{
	uint64_t x = w ^ ONES * c;
	uint64_t zero = ~(((x & ~HIGHS) + ~HIGHS) | x) & HIGHS;

	return (zero >> 7) * 0x0102040810204080ULL >> 56;
}

HOT void classify(const u8 *p, struct block *b)
{
	*b = (struct block){ 0, 0, 0, 0 };
	for (int i = 0; i < 8; i++) {
		uint64_t w = load64(p + 8 * i), l = w | ONES * 0x20;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
		l = __builtin_bswap64(l);
#endif
		b->quote |= byte_bits(w, '"') << 8 * i;
		b->bslash |= byte_bits(w, '\\') << 8 * i;
		b->open |= byte_bits(l, '{') << 8 * i;
		b->close |= byte_bits(l, '}') << 8 * i;
	}
}
#endif

HOT uint64_t prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	return x ^ x << 32;
}

/* Not __builtin_popcountll: without -mpopcnt that is a libgcc call. */
HOT long popcount(uint64_t x)
{
	x -= x >> 1 & 0x5555555555555555ULL;
	x = (x & 0x3333333333333333ULL) + (x >> 2 & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
	return (long)((x * ONES) >> 56);
}

#endif
