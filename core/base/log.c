/* log: levelled messages to stderr (see log.h). */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *log_prog = "xcluster-cni";
static int log_level = XC_LOG_INFO;
static int log_stamps;
static const char *const level_names[] = { "error", "warn", "info", "debug" };

int xc_log_parse_level(const char *text)
{
	if (!text)
		return -1;
	if (text[0] >= '0' && text[0] <= '3' && !text[1])
		return text[0] - '0';
	for (int i = 0; i < 4; i++)
		if (!strcmp(text, level_names[i]))
			return i;
	if (!strcmp(text, "warning"))
		return XC_LOG_WARN;
	return -1;
}

void xc_log_init(const char *prog, int timestamps)
{
	int level = xc_log_parse_level(getenv("LOG_LEVEL"));

	if (prog)
		log_prog = prog;
	log_stamps = timestamps;
	if (level >= 0)
		log_level = level;
}

void xc_log_set_level(enum xc_log_level level)
{
	log_level = level;
}

/* Civil date from a day count, in 400-year eras starting in March. */
void xc_utc_format(int64_t t, char sep, char *buf, size_t size)
{
	int64_t days = t / 86400, secs = t % 86400;
	int64_t era, doe, yoe, doy, mp, y;

	if (secs < 0)
		secs += 86400, days--;
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	y = yoe + era * 400 + (mp >= 10);
	snprintf(buf, size, "%04lld-%02d-%02d%c%02d:%02d:%02d", (long long)y,
		 (int)(mp < 10 ? mp + 3 : mp - 9), (int)(doy - (153 * mp + 2) / 5 + 1), sep,
		 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

void xc_log(enum xc_log_level level, const char *fmt, ...)
{
	char line[1024];
	int n = 0;
	va_list ap;

	if ((int)level > log_level)
		return;
	if (log_stamps) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		xc_utc_format((int64_t)ts.tv_sec, 'T', line, sizeof(line));
		n = (int)strlen(line);
		n += snprintf(line + n, sizeof(line) - n, ".%03ldZ ", ts.tv_nsec / 1000000);
	}
	n += snprintf(line + n, sizeof(line) - n, "%s: %s: ", log_prog, level_names[level]);
	va_start(ap, fmt);
	if (n < (int)sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* One write per line, so lines of concurrent plugin calls do not mix. */
	fprintf(stderr, "%s\n", line);
}
