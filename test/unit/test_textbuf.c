/* test_textbuf: text appended to a caller's buffer (core/base/textbuf.h). */
#include <string.h>

#include "base/textbuf.h"
#include "t.h"

static void test_append(void)
{
	char buf[16];
	size_t n = 0;

	xc_textbuf_printf(buf, sizeof(buf), &n, "ip %s ", "route");
	xc_textbuf_printf(buf, sizeof(buf), &n, "%d", 42);
	T_INT(n, 11);
	T_STR(buf, "ip route 42");
	xc_textbuf_printf(buf, sizeof(buf), &n, "%s", "");
	T_INT(n, 11);
}

static void test_cut(void)
{
	char buf[8];
	size_t n = 0;

	/* what fits is written and terminated; n counts the whole text */
	xc_textbuf_printf(buf, sizeof(buf), &n, "abcdefghij");
	T_INT(n, 10);
	T_STR(buf, "abcdefg");
	/* past the end: nothing more is written, n still grows */
	xc_textbuf_printf(buf, sizeof(buf), &n, "xyz");
	T_INT(n, 13);
	T_STR(buf, "abcdefg");
	n = 0;
	xc_textbuf_printf(NULL, 0, &n, "%s", "size 0");
	T_INT(n, 6);
}

int main(void)
{
	test_append();
	test_cut();
	return t_done("textbuf");
}
