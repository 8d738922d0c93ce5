/* test_log: levels from text, and UTC times as text (core/base/log.h). */
#include "base/log.h"
#include "t.h"

#include <stdint.h>

static const char *utc(int64_t t, char sep)
{
	static char buf[32];

	xc_utc_format(t, sep, buf, sizeof(buf));
	return buf;
}

static void test_utc(void)
{
	T_STR(utc(0, 'T'), "1970-01-01T00:00:00");
	T_STR(utc(951782400, ' '), "2000-02-29 00:00:00");      /* a leap day of a /400 year */
	T_STR(utc(1796083200, 'T'), "2026-12-01T00:00:00");
	T_STR(utc(-1, ' '), "1969-12-31 23:59:59");            /* before the epoch */
	T_STR(utc(253402300799, ' '), "9999-12-31 23:59:59");
	T_STR(utc(-62135596800, ' '), "0001-01-01 00:00:00");
	T_STR(utc(4107542400, ' '), "2100-03-01 00:00:00");     /* 2100 has no leap day */
}

static void test_levels(void)
{
	T_INT(xc_log_parse_level("error"), XC_LOG_ERROR);
	T_INT(xc_log_parse_level("debug"), XC_LOG_DEBUG);
	T_INT(xc_log_parse_level("2"), XC_LOG_INFO);
	T_INT(xc_log_parse_level("loud"), -1);
}

int main(void)
{
	test_utc();
	test_levels();
	return t_done("test_log");
}
