/*
 * xcluster-cni: the multi-call entry point.
 *
 * The applet is basename(argv[0]) (a symlink named "bridge" runs the bridge
 * plugin, as the container runtime calls it), or the first argument when the
 * binary is called by its own name. A "xcluster-" in front of the name is
 * dropped: install links the plugins as xcluster-bridge and
 * xcluster-node-local so as not to collide with other plugins in the CNI
 * bin dir. Every applet file in applets/ defines
 * NAME_main() and NAME_usage[]; the build lists them in applets.h.
 */
#include <stdio.h>
#include <string.h>

#include "applets.h"
#include "main.h"
#include "version.h"

#define APPLET(id) int id##_main(int argc, char **argv); extern const char id##_usage[];
XC_APPLETS
#undef APPLET

struct applet {
	const char *id;
	int (*main)(int argc, char **argv);
	const char *usage;
};

static const struct applet applets[] = {
#define APPLET(id) { #id, id##_main, id##_usage },
	XC_APPLETS
#undef APPLET
};

#define N_APPLETS (sizeof(applets) / sizeof(applets[0]))

/* Applet names use '-' where C identifiers use '_' (node-local, node_local). */
static int name_is(const char *id, const char *name)
{
	for (; *id && *name; id++, name++)
		if (*id != *name && !(*id == '_' && *name == '-'))
			return 0;
	return !*id && !*name;
}

static void print_name(FILE *f, const char *id)
{
	for (; *id; id++)
		fputc(*id == '_' ? '-' : *id, f);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: xcluster-cni APPLET [ARGS...] | --list | --version\n"
		   "       (or call it through a link named after the applet)\n\napplets:");
	for (size_t i = 0; i < N_APPLETS; i++) {
		fputc(' ', f);
		print_name(f, applets[i].id);
	}
	fputc('\n', f);
}

static const struct applet *find(const char *name)
{
	for (size_t i = 0; i < N_APPLETS; i++)
		if (name_is(applets[i].id, name))
			return &applets[i];
	return NULL;
}

int xc_main(int argc, char **argv)
{
	const char *name = argc > 0 ? argv[0] : "xcluster-cni";
	const char *slash = strrchr(name, '/');
	const struct applet *a;

	if (slash)
		name = slash + 1;
	if (strcmp(name, "xcluster-cni") && !strncmp(name, "xcluster-", 9))
		name += 9;
	if (!strcmp(name, "xcluster-cni")) {
		if (argc < 2) {
			usage(stderr);
			return 2;
		}
		if (!strcmp(argv[1], "--version")) {
			printf("xcluster-cni %s\n", XC_VERSION);
			return 0;
		}
		if (!strcmp(argv[1], "--list")) {
			for (size_t i = 0; i < N_APPLETS; i++) {
				print_name(stdout, applets[i].id);
				putchar('\n');
			}
			return 0;
		}
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			usage(stdout);
			return 0;
		}
		argc--;
		argv++;
		name = argv[0];
	}
	a = find(name);
	if (!a) {
		fprintf(stderr, "xcluster-cni: unknown applet '%s'\n", name);
		usage(stderr);
		return 2;
	}
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(a->usage, stdout);
		return 0;
	}
	return a->main(argc, argv);
}

int main(int argc, char **argv)
{
	return xc_main(argc, argv);
}
