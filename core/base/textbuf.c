/*
 * textbuf: text appended to a caller's buffer (see textbuf.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "base/textbuf.h"

void xc_textbuf_printf(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(*n < size ? buf + *n : NULL, *n < size ? size - *n : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n += (size_t)k;
}
