/*
 * log: levelled messages to stderr.
 *
 * CNI plugins speak JSON on stdout, so every diagnostic goes to stderr.
 * Daemons get a timestamp in front of each line (xc_log_init with
 * timestamps != 0). The level comes from LOG_LEVEL (error, warn, info,
 * debug, or 0..3); the default is info.
 *
 * Never pass a token, a key or a password to these functions: callers log
 * what happened, not what was sent.
 *
 * Names: xc_log xc_utc_
 */
#ifndef XC_LOG_H
#define XC_LOG_H

#include <stddef.h>
#include <stdint.h>

enum xc_log_level { XC_LOG_ERROR = 0, XC_LOG_WARN, XC_LOG_INFO, XC_LOG_DEBUG };

/*
 * Set the program name shown in each line, read LOG_LEVEL from the
 * environment, and choose whether lines carry an ISO 8601 UTC timestamp.
 */
void xc_log_init(const char *prog, int timestamps);

/* Override the level (e.g. from a command-line flag). */
void xc_log_set_level(enum xc_log_level level);

/*
 * Parse a level name ("error", "warn", "info", "debug") or digit "0".."3".
 * Returns the level, or -1 when the text is not a level.
 */
int xc_log_parse_level(const char *text);

/* Print one line at `level`; printf-style; a trailing newline is added. */
void xc_log(enum xc_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define xc_err(...)   xc_log(XC_LOG_ERROR, __VA_ARGS__)
#define xc_warn(...)  xc_log(XC_LOG_WARN, __VA_ARGS__)
#define xc_info(...)  xc_log(XC_LOG_INFO, __VA_ARGS__)
#define xc_debug(...) xc_log(XC_LOG_DEBUG, __VA_ARGS__)

/*
 * "YYYY-MM-DD<sep>HH:MM:SS" of t, seconds since the epoch, in UTC (the
 * proleptic Gregorian calendar; any int64 t). Without strftime: its locale
 * and time-zone machinery would cost the binary 6.6 KB for this alone.
 */
void xc_utc_format(int64_t t, char sep, char *buf, size_t size);

#endif
