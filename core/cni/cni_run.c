/*
 * cni_run: the one path from a plugin's start to its exit status (cni.h).
 */
#include <errno.h>
#include <string.h>

#include "base/fdio.h"
#include "cni/cni.h"

/* All of buf on stdout; 0 or -1 (the runtime then sees a cut document). */
static int put_out(const char *buf, long len)
{
	return len > 0 && xc_write_full(1, buf, (size_t)len) ? -1 : 0;
}

static xc_cni_cmd_fn handler(const struct xc_cni_plugin *p, enum xc_cni_cmd cmd)
{
	switch (cmd) {
	case XC_CNI_CMD_ADD:
		return p->add;
	case XC_CNI_CMD_DEL:
		return p->del;
	case XC_CNI_CMD_CHECK:
		return p->check;
	case XC_CNI_CMD_GC:
		return p->gc;
	case XC_CNI_CMD_STATUS:
		return p->status;
	default:
		return NULL;
	}
}

/* The command's work; for ADD the result into out, *len set. */
static int work(const struct xc_cni_plugin *p, long *len, struct xc_cni_err *err)
{
	const struct xc_cni_env *env = &p->call->env;
	xc_cni_cmd_fn fn = handler(p, env->cmd);
	int rc;

	if (!fn)
		return xc_cni_errf(err, XC_CNI_E_ENV, "CNI_COMMAND %s is not one this plugin runs",
				   env->command ? env->command : "(unset)");
	if (p->parse && (rc = p->parse(p->ctx, err)))
		return rc;
	if ((rc = fn(p->ctx, err)) || env->cmd != XC_CNI_CMD_ADD)
		return rc;
	*len = xc_cni_result_emit(p->res, p->call->conf.version, p->out, p->out_size);
	if (*len >= 0)
		return 0;
	if (p->undo_add)
		p->undo_add(p->ctx);
	return xc_cni_errf(err, XC_CNI_E_INTERNAL, "the result does not fit in %zu bytes",
			   p->out_size);
}

int xc_cni_run(const struct xc_cni_plugin *p, char *const *envp)
{
	struct xc_cni_err err;
	long len = 0;
	int rc;

	xc_cni_err_init(&err);
	rc = xc_cni_begin(p->call, 0, envp, p->in, p->in_size, p->prev, p->out, p->out_size,
			  &len, &err);
	if (rc == 1)                    /* VERSION: answered */
		return put_out(p->out, len) ? 1 : 0;
	if (!rc)
		rc = work(p, &len, &err);
	if (!rc && !put_out(p->out, len))
		return 0;
	if (!rc) {
		/* an ADD whose result the runtime never read is one it will not DEL */
		if (p->call->env.cmd == XC_CNI_CMD_ADD && p->undo_add)
			p->undo_add(p->ctx);
		return 1;
	}
	if (!err.code)
		xc_cni_errf(&err, XC_CNI_E_INTERNAL, "failed: %s", strerror(rc < 0 ? -rc : EIO));
	len = xc_cni_err_emit(&err, xc_cni_err_version(&p->call->conf), p->out, p->out_size);
	if (len > 0)
		put_out(p->out, len);
	return 1;
}
