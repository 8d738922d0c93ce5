/*
 * http_parse: the response push parser of core/kube/http (see http.h). It
 * never reads past the bytes it is given and keeps its whole state in
 * struct xc_http_resp, so input may arrive split anywhere.
 */
#include <errno.h>
#include <string.h>

#include "kube/http.h"

#define LEN_MAX ((uint64_t)1 << 62)

enum bstate {
	B_HEAD,           /* still in the head */
	B_DATA,           /* Content-Length body */
	B_CLOSE,          /* body until the connection ends */
	B_SIZE,           /* chunk size digits */
	B_EXT,            /* chunk extension, up to LF */
	B_SIZE_LF,        /* CR seen after the size */
	B_CHUNK,          /* chunk data */
	B_CHUNK_CR,       /* CRLF after chunk data */
	B_CHUNK_LF,
	B_TRAILER,        /* start of a trailer line */
	B_TRAILER_LINE,
	B_TRAILER_LF,     /* CR of the final empty line seen */
	B_DONE,
};

void xc_http_resp_init(struct xc_http_resp *r, int head_request, uint64_t body_max)
{
	/* head[] is left as is: clearing 8 KB per response buys nothing. */
	memset(r, 0, offsetof(struct xc_http_resp, head));
	r->head_request = head_request;
	r->body_max = body_max;
	r->bstate = B_HEAD;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int same(const char *a, const char *b)
{
	for (; *a && lower((unsigned char)*a) == lower((unsigned char)*b); a++, b++)
		;
	return !*a && !*b;
}

/* "HTTP/1.x NNN reason": the reason is ignored. */
static int parse_status(struct xc_http_resp *r, const char *s)
{
	if (strncmp(s, "HTTP/1.", 7) || s[7] < '0' || s[7] > '9' || s[8] != ' ')
		return -EPROTO;
	s += 9;
	if (s[0] < '1' || s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2] < '0' ||
	    s[2] > '9' || (s[3] && s[3] != ' '))
		return -EPROTO;
	r->status = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	r->keep_alive = s[-2] != '0'; /* HTTP/1.0 closes unless told otherwise */
	return 0;
}

static int is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* One "Name: value" line, NUL-terminated in head[]; the value is trimmed. */
static int parse_field(struct xc_http_resp *r, char *line)
{
	char *p = line, *v, *e;

	while (is_tchar((unsigned char)*p))
		p++;
	/* No space before the colon, no folded lines (RFC 9112 section 5). */
	if (p == line || *p != ':')
		return -EPROTO;
	if (r->nfields == XC_HTTP_FIELDS_MAX)
		return -E2BIG;
	*p++ = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	v = p;
	e = v + strlen(v);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	r->field[r->nfields].name = (uint16_t)(line - r->head);
	r->field[r->nfields].value = (uint16_t)(v - r->head);
	r->nfields++;
	return 0;
}

const char *xc_http_resp_field(const struct xc_http_resp *r, const char *name)
{
	unsigned i;

	for (i = 0; i < r->nfields; i++)
		if (same(r->head + r->field[i].name, name))
			return r->head + r->field[i].value;
	return NULL;
}

static int parse_length(const char *s, uint64_t *out)
{
	uint64_t n = 0;

	if (!*s)
		return -EPROTO;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > LEN_MAX / 10)
			return -EPROTO;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*out = n;
	return 0;
}

/* Content-Length fields must all agree (RFC 9110 section 8.6). */
static int content_length(struct xc_http_resp *r, int *have)
{
	uint64_t n;
	unsigned i;

	*have = 0;
	for (i = 0; i < r->nfields; i++) {
		if (!same(r->head + r->field[i].name, "content-length"))
			continue;
		if (parse_length(r->head + r->field[i].value, &n) || (*have && n != r->length))
			return -EPROTO;
		r->length = n;
		*have = 1;
	}
	return 0;
}

/* token is lower case; list is a comma-separated field value. */
static int has_token(const char *list, const char *token)
{
	size_t i, n = strlen(token);

	while (list && *list) {
		while (*list == ' ' || *list == '\t' || *list == ',')
			list++;
		for (i = 0; i < n && lower((unsigned char)list[i]) == token[i]; i++)
			;
		if (i == n && (!list[n] || list[n] == ',' || list[n] == ' ' || list[n] == '\t'))
			return 1;
		list += strcspn(list, ",");
	}
	return 0;
}

static int framing(struct xc_http_resp *r)
{
	const char *te = xc_http_resp_field(r, "transfer-encoding");
	const char *conn = xc_http_resp_field(r, "connection");
	int have_len, err = content_length(r, &have_len);

	if (err)
		return err;
	if (has_token(conn, "close"))
		r->keep_alive = 0;
	else if (has_token(conn, "keep-alive"))
		r->keep_alive = 1;
	if (r->head_request || r->status < 200 || r->status == 204 || r->status == 304) {
		r->framing = XC_HTTP_NO_BODY;
		r->bstate = B_DONE;
	} else if (te) {
		if (!same(te, "chunked"))
			return -ENOTSUP;
		/* Both framings at once: trust chunked, never the connection. */
		if (have_len)
			r->keep_alive = 0;
		r->framing = XC_HTTP_CHUNKED;
		r->bstate = B_SIZE;
	} else if (have_len) {
		if (r->body_max && r->length > r->body_max)
			return -EFBIG;
		r->framing = XC_HTTP_LENGTH;
		r->left = r->length;
		r->bstate = r->length ? B_DATA : B_DONE;
	} else {
		r->framing = XC_HTTP_UNTIL_CLOSE;
		r->keep_alive = 0;
		r->bstate = B_CLOSE;
	}
	return 0;
}

/* The head is complete in head[]: cut it into NUL-terminated lines. */
static int parse_head(struct xc_http_resp *r)
{
	char *p = r->head, *end = r->head + r->head_len, *eol;
	int err = 0, first = 1;

	r->nfields = 0;
	while (p < end && !err) {
		eol = memchr(p, '\n', (size_t)(end - p));
		*eol = 0;
		if (eol > p && eol[-1] == '\r')
			eol[-1] = 0;
		if (!*p && !first)
			break;
		if (first)
			err = parse_status(r, p);
		else if (*p == ' ' || *p == '\t')
			err = -EPROTO;
		else
			err = parse_field(r, p);
		first = 0;
		p = eol + 1;
	}
	return err ? err : framing(r);
}

int xc_http_resp_head(struct xc_http_resp *r, const void *in, size_t len, size_t *used)
{
	const unsigned char *p = in;
	size_t i, line;
	int err;

	for (i = 0; i < len; i++) {
		if (r->bstate != B_HEAD || !p[i])
			return *used = i, -EPROTO;
		if (r->head_len >= sizeof(r->head) - 1)
			return *used = i, -E2BIG;
		r->head[r->head_len++] = (char)p[i];
		if (p[i] != '\n')
			continue;
		line = r->head_len - r->line_start;
		r->line_start = r->head_len;
		if (line > 2 || (line == 2 && r->head[r->head_len - 2] != '\r'))
			continue;
		if (r->head_len == line) { /* empty lines before the status line */
			r->head_len = r->line_start = 0;
			continue;
		}
		err = parse_head(r);
		if (err)
			return *used = i + 1, err;
		if (r->status >= 200)
			return *used = i + 1, 1;
		if (r->status == 101)
			return *used = i + 1, -EPROTO;
		xc_http_resp_init(r, r->head_request, r->body_max); /* 1xx: go on */
	}
	*used = len;
	return 0;
}

static int size_done(struct xc_http_resp *r)
{
	r->bstate = r->size ? B_CHUNK : B_TRAILER;
	r->left = r->size;
	r->size = 0;
	r->digits = 0;
	r->extra = 0;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One framing byte of a chunked body (anything that is not chunk data). */
static int chunk_byte(struct xc_http_resp *r, int c)
{
	int v;

	switch (r->bstate) {
	case B_SIZE:
		v = hexval(c);
		if (v >= 0 && r->digits < 15) {
			r->size = r->size << 4 | (uint64_t)v;
			r->digits++;
			return 0;
		}
		if (v >= 0 || !r->digits)
			return -EPROTO;
		if (c == '\n')
			return size_done(r);
		if (c == '\r')
			return r->bstate = B_SIZE_LF, 0;
		if (c == ';' || c == ' ' || c == '\t')
			return r->bstate = B_EXT, 0;
		return -EPROTO;
	case B_EXT:
		if (c == '\n')
			return size_done(r);
		return ++r->extra > XC_HTTP_CHUNK_EXT_MAX ? -E2BIG : 0;
	case B_SIZE_LF:
		return c == '\n' ? size_done(r) : -EPROTO;
	case B_CHUNK_CR:
		if (c == '\n')
			return r->bstate = B_SIZE, 0;
		return c == '\r' ? (r->bstate = B_CHUNK_LF, 0) : -EPROTO;
	case B_CHUNK_LF:
		return c == '\n' ? (r->bstate = B_SIZE, 0) : -EPROTO;
	case B_TRAILER:
		if (c == '\n')
			return r->bstate = B_DONE, 0;
		r->bstate = c == '\r' ? B_TRAILER_LF : B_TRAILER_LINE;
		return ++r->extra > XC_HTTP_TRAILER_MAX ? -E2BIG : 0;
	case B_TRAILER_LINE:
		if (c == '\n')
			r->bstate = B_TRAILER;
		return ++r->extra > XC_HTTP_TRAILER_MAX ? -E2BIG : 0;
	case B_TRAILER_LF:
		return c == '\n' ? (r->bstate = B_DONE, 0) : -EPROTO;
	}
	return -EPROTO;
}

static size_t min3(size_t a, size_t b, uint64_t c)
{
	size_t n = a < b ? a : b;

	return (uint64_t)n < c ? n : (size_t)c;
}

int xc_http_resp_body(struct xc_http_resp *r, const void *in, size_t len, size_t *used,
		      void *out, size_t out_len, size_t *produced)
{
	const unsigned char *p = in, *end = p + len;
	unsigned char *o = out;
	size_t n;
	int err = 0;

	if (r->bstate == B_HEAD)
		err = -EPROTO;
	while (!err && r->bstate != B_DONE) {
		if (r->bstate == B_DATA || r->bstate == B_CHUNK || r->bstate == B_CLOSE) {
			n = min3((size_t)(end - p), out_len - (size_t)(o - (unsigned char *)out),
				 r->bstate == B_CLOSE ? UINT64_MAX : r->left);
			if (!n)
				break;
			if (r->body_max && n > r->body_max - r->body_seen) {
				err = -EFBIG;
				break;
			}
			memcpy(o, p, n);
			o += n;
			p += n;
			r->body_seen += n;
			if (r->bstate != B_CLOSE && !(r->left -= n))
				r->bstate = r->bstate == B_DATA ? B_DONE : B_CHUNK_CR;
			continue;
		}
		if (p == end)
			break;
		err = chunk_byte(r, *p++);
	}
	*used = (size_t)(p - (const unsigned char *)in);
	*produced = (size_t)(o - (unsigned char *)out);
	return err ? err : r->bstate == B_DONE;
}

int xc_http_resp_eof(struct xc_http_resp *r)
{
	if (r->bstate == B_CLOSE)
		r->bstate = B_DONE;
	return r->bstate == B_DONE ? 1 : -ECONNRESET;
}

int xc_http_resp_done(const struct xc_http_resp *r)
{
	return r->bstate == B_DONE;
}

long xc_http_resp_retry_after(const struct xc_http_resp *r)
{
	const char *v = xc_http_resp_field(r, "retry-after");
	uint64_t n;

	if (!v || parse_length(v, &n) || n > 86400 * 365)
		return -1;
	return (long)n;
}
