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

int xc_log_enabled(enum xc_log_level level)
{
	return (int)level <= log_level;
}

void xc_log(enum xc_log_level level, const char *fmt, ...)
{
	char line[1024];
	int n = 0;
	va_list ap;

	if (!xc_log_enabled(level))
		return;
	if (log_stamps) {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		/* not strftime: its locale and time zone code costs the binary ~5 KB */
		n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ ",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			     tm.tm_sec, ts.tv_nsec / 1000000);
	}
	n += snprintf(line + n, sizeof(line) - n, "%s: %s: ", log_prog, level_names[level]);
	va_start(ap, fmt);
	if (n < (int)sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	/* One write per line, so lines of concurrent plugin calls do not mix. */
	fprintf(stderr, "%s\n", line);
}
