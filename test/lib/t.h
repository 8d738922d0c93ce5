/*
 * t.h: the smallest test harness that does the job.
 *
 * Checks print a line only when they fail (file:line and the expression);
 * t_done() prints "SUITE: N passed, N failed" and returns the exit status.
 */
#ifndef XC_T_H
#define XC_T_H

#include <stdio.h>
#include <string.h>

static int t_passed, t_failed;

static inline int t_check(int ok, const char *file, int line, const char *what)
{
	if (ok)
		t_passed++;
	else {
		t_failed++;
		printf("FAIL %s:%d: %s\n", file, line, what);
	}
	return ok;
}

#define T(cond) t_check(!!(cond), __FILE__, __LINE__, #cond)

#define T_INT(a, b) do { \
	long long t_a_ = (long long)(a), t_b_ = (long long)(b); \
	if (!t_check(t_a_ == t_b_, __FILE__, __LINE__, #a " == " #b)) \
		printf("     got %lld, want %lld\n", t_a_, t_b_); \
} while (0)

#define T_STR(a, b) do { \
	const char *t_a_ = (a), *t_b_ = (b); \
	int t_ok_ = t_a_ && t_b_ && !strcmp(t_a_, t_b_); \
	if (!t_check(t_ok_, __FILE__, __LINE__, #a " eq " #b)) \
		printf("     got \"%s\", want \"%s\"\n", t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); \
} while (0)

static inline int t_done(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, t_passed, t_failed);
	return t_failed ? 1 : 0;
}

#endif
