/*
 * textbuf: text appended to a caller's buffer piece by piece, for reports
 * that may outgrow it (the router's dry-run plans: routes, tunnels).
 *
 * The buffer is buf[0..size) and *n the length written so far. *n counts
 * what every piece would take even past size, so the caller can tell that
 * the text was cut (*n >= size) and by how much; what fits is written and
 * the buffer stays NUL-terminated.
 *
 * Names: xc_textbuf_
 */
#ifndef XC_TEXTBUF_H
#define XC_TEXTBUF_H

#include <stddef.h>

/* Append printf-style at *n, as much as fits; *n grows by the whole length. */
void xc_textbuf_printf(char *buf, size_t size, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
