/*
 * fuzz_ipcalc: the ipcalc applet end to end. The first line of the input
 * is split into argv words; the rest is stdin (for "ipcalc -"). Output is
 * thrown away; the exit status must be 0, 1 or 2.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The applet's stdin and stderr become these, so libFuzzer's own stderr stays usable. */
static FILE *fuzz_in, *fuzz_err;
#undef stdin
#undef stderr
#define stdin fuzz_in
#define stderr fuzz_err
#include "../../applets/ipcalc.c"
#undef stdin
#undef stderr

#define MAX_WORDS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[4096];
	char *argv[MAX_WORDS + 2] = { "ipcalc" };
	int argc = 1, rc;
	char *p, *nl;

	if (size >= sizeof(buf))
		return 0;
	if (!fuzz_err) {
		/* ipcalc writes through stdout itself; nothing in libFuzzer does. */
		if (!freopen("/dev/null", "w", stdout) || !(fuzz_err = fopen("/dev/null", "w")))
			abort();
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	nl = memchr(buf, '\n', size);
	if (nl)
		*nl = '\0';
	for (p = strtok(buf, " \t"); p && argc <= MAX_WORDS; p = strtok(NULL, " \t"))
		argv[argc++] = p;
	argv[argc] = NULL;
	fuzz_in = nl ? fmemopen(nl + 1, size - (size_t)(nl + 1 - buf), "r") : NULL;
	if (!fuzz_in)
		fuzz_in = fopen("/dev/null", "r");
	if (!fuzz_in)
		abort();
	rc = ipcalc_main(argc, argv);
	fclose(fuzz_in);
	if (rc < 0 || rc > 2)
		abort();
	return 0;
}
