/*
 * fuzz_yaml: core/kube/yaml on arbitrary input. Checked beyond "no crash": the
 * node tree is well formed (links in range, parents and counts agree, map
 * values have scalar keys), every scalar decodes (a terminated string, or
 * -ENOSPC past the buffer), every key finds its own value (the decoded
 * comparison kubeconfig lookups use), errors carry a position and reason,
 * and the node count is exact (one node less is -ENOSPC).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/kube/yaml.h"

#define MUST(c) do { if (!(c)) abort(); } while (0)
#define CAP 8192

static struct xc_yaml_node nodes[CAP];
static char buf[1 << 16];

static void check_tree(const struct xc_yaml *doc)
{
	MUST(doc->count >= 1 && doc->count <= CAP);
	MUST(doc->nodes[0].parent == -1 && doc->nodes[0].key == -1);
	for (size_t i = 0; i < doc->count; i++) {
		const struct xc_yaml_node *n = &doc->nodes[i];
		unsigned seen = 0;

		MUST(n->type >= XC_YAML_NULL && n->type <= XC_YAML_SEQ);
		MUST(n->line >= 1 && n->col >= 1);
		MUST((size_t)n->off + n->len <= doc->len);
		MUST(n->parent < (int)i && n->next < (int)doc->count && n->key < (int)doc->count);
		if (n->type != XC_YAML_MAP && n->type != XC_YAML_SEQ) {
			long got = xc_yaml_str(doc, i, buf, sizeof(buf));

			MUST(n->child == -1 && n->count == 0);
			MUST(got == -ENOSPC || (got >= 0 && (size_t)got < sizeof(buf) && buf[got] == '\0'));
			continue;
		}
		MUST(xc_yaml_str(doc, i, buf, sizeof(buf)) == -EINVAL);
		for (int c = n->child; c >= 0; c = doc->nodes[c].next) {
			const struct xc_yaml_node *e = &doc->nodes[c];

			MUST(c > (int)i && e->parent == (int)i);
			MUST(++seen <= n->count);
			if (n->type == XC_YAML_MAP) {
				long kn;

				MUST(e->key > (int)i && doc->nodes[e->key].type == XC_YAML_SCALAR);
				MUST(doc->nodes[e->key].parent == (int)i);
				kn = xc_yaml_str(doc, e->key, buf, sizeof(buf));
				if (kn >= 0 && strlen(buf) == (size_t)kn)
					MUST(xc_yaml_get(doc, i, buf) == c); /* keys are unique */
			} else {
				MUST(e->key == -1);
			}
		}
		MUST(seen == n->count);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xc_yaml doc, again;
	struct xc_yaml_error err;
	char msg[128];
	int rc = xc_yaml_parse(&doc, (const char *)data, size, nodes, CAP, &err);

	if (rc < 0) {
		MUST(rc == -EINVAL || rc == -ENOSPC || rc == -E2BIG);
		MUST(err.reason && err.line >= 1 && err.col >= 1);
		MUST(xc_yaml_strerror(&err, msg, sizeof(msg)) == msg && msg[0]);
		return 0;
	}
	check_tree(&doc);
	MUST(xc_yaml_parse(&again, (const char *)data, size, nodes, doc.count, &err) == 0);
	MUST(again.count == doc.count);
	if (doc.count > 1)
		MUST(xc_yaml_parse(&again, (const char *)data, size, nodes, doc.count - 1, &err) == -ENOSPC);
	return 0;
}
