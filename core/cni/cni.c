/*
 * cni: environment, validation, versions and the network configuration
 * (see cni.h). Results are in cni_result.c, delegation in cni_exec.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/fdio.h"
#include "base/sorted.h"
#include "cni/cni.h"

static const char *const versions[] = {
	[XC_CNI_V_0_3_0] = "0.3.0",
	[XC_CNI_V_0_3_1] = "0.3.1",
	[XC_CNI_V_0_4_0] = "0.4.0",
	[XC_CNI_V_1_0_0] = "1.0.0",
	[XC_CNI_V_1_1_0] = "1.1.0",
};

static const char supported_list[] = "0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0";

static const char *const commands[] = {
	[XC_CNI_CMD_NONE] = "",
	[XC_CNI_CMD_ADD] = "ADD",
	[XC_CNI_CMD_DEL] = "DEL",
	[XC_CNI_CMD_CHECK] = "CHECK",
	[XC_CNI_CMD_VERSION] = "VERSION",
	[XC_CNI_CMD_STATUS] = "STATUS",
	[XC_CNI_CMD_GC] = "GC",
};

/* --- errors ------------------------------------------------------------ */

void xc_cni_err_init(struct xc_cni_err *e)
{
	memset(e, 0, sizeof(*e));
}

int xc_cni_errf(struct xc_cni_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	e->details[0] = '\0';
	e->raw = NULL;
	e->raw_len = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void xc_cni_err_details(struct xc_cni_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->details, sizeof(e->details), fmt, ap);
	va_end(ap);
}

long xc_cni_err_emit(const struct xc_cni_err *e, const char *version, char *buf, size_t size)
{
	struct xc_json_out o;

	if (e->raw) {
		if (e->raw_len + 1 > size)
			return -ENOSPC;
		memcpy(buf, e->raw, e->raw_len);
		buf[e->raw_len] = '\0';
		return (long)e->raw_len;
	}
	xc_json_out_init(&o, buf, size, 2);
	xc_json_obj(&o);
	xc_json_key(&o, "cniVersion");
	xc_json_string(&o, version ? version : xc_cni_version_str(XC_CNI_V_LATEST));
	xc_json_key(&o, "code");
	xc_json_int64(&o, e->code ? e->code : XC_CNI_E_INTERNAL);
	xc_json_key(&o, "msg");
	xc_json_string(&o, e->msg[0] ? e->msg : "unknown error");
	if (e->details[0]) {
		xc_json_key(&o, "details");
		xc_json_string(&o, e->details);
	}
	xc_json_end(&o);
	return xc_json_out_end(&o);
}

const char *xc_cni_err_version(const struct xc_cni_conf *conf)
{
	return conf && conf->version ? xc_cni_version_str(conf->version) : NULL;
}

/* --- environment ------------------------------------------------------- */

enum xc_cni_cmd xc_cni_cmd_parse(const char *s)
{
	for (size_t i = 1; s && i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(s, commands[i]))
			return (enum xc_cni_cmd)i;
	return XC_CNI_CMD_NONE;
}

const char *xc_cni_cmd_name(enum xc_cni_cmd cmd)
{
	if ((unsigned)cmd >= sizeof(commands) / sizeof(commands[0]))
		return "";
	return commands[cmd];
}

/* Value of NAME in a "NAME=value" array; NULL when unset or empty. */
static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return (*envp)[n + 1] ? *envp + n + 1 : NULL;
	return NULL;
}

enum { NEED_CID = 1, NEED_NETNS = 2, NEED_IFNAME = 4, NEED_PATH = 8 };

static unsigned needs(enum xc_cni_cmd cmd)
{
	switch (cmd) {
	case XC_CNI_CMD_ADD:
	case XC_CNI_CMD_CHECK:
		return NEED_CID | NEED_NETNS | NEED_IFNAME;
	case XC_CNI_CMD_DEL:
		return NEED_CID | NEED_IFNAME;
	case XC_CNI_CMD_GC:
		return NEED_PATH;
	default:
		return 0;
	}
}

static int env_missing(const struct xc_cni_env *env, struct xc_cni_err *err)
{
	unsigned need = needs(env->cmd);
	char list[128] = "";

	if ((need & NEED_CID) && !env->containerid)
		strcat(list, " CNI_CONTAINERID");
	if ((need & NEED_NETNS) && !env->netns)
		strcat(list, " CNI_NETNS");
	if ((need & NEED_IFNAME) && !env->ifname)
		strcat(list, " CNI_IFNAME");
	if ((need & NEED_PATH) && !env->path)
		strcat(list, " CNI_PATH");
	if (!list[0])
		return 0;
	xc_cni_errf(err, XC_CNI_E_ENV, "required environment variables missing:%s", list);
	xc_cni_err_details(err, "CNI_COMMAND=%s needs them set and non-empty; the container "
			   "runtime sets them (set them by hand when calling the plugin yourself)",
			   env->command);
	return -EINVAL;
}

int xc_cni_ipam_timeout(const char *value, int *ms, struct xc_cni_err *err)
{
	char *end;
	long v;

	*ms = XC_CNI_IPAM_TIMEOUT_MS;
	if (!value || !*value)
		return 0;
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < 100 || v > 600000)
		return xc_cni_errf(err, XC_CNI_E_ENV, "XC_IPAM_TIMEOUT_MS=%.32s is not a number "
				   "of milliseconds from 100 to 600000", value);
	*ms = (int)v;
	return 0;
}

int xc_cni_env_read(struct xc_cni_env *env, char *const *envp, struct xc_cni_err *err)
{
	unsigned need;
	int rc;

	memset(env, 0, sizeof(*env));
	env->command = env_get(envp, "CNI_COMMAND");
	env->containerid = env_get(envp, "CNI_CONTAINERID");
	env->netns = env_get(envp, "CNI_NETNS");
	env->ifname = env_get(envp, "CNI_IFNAME");
	env->args = env_get(envp, "CNI_ARGS");
	env->path = env_get(envp, "CNI_PATH");
	if (!env->command)
		return xc_cni_errf(err, XC_CNI_E_ENV, "CNI_COMMAND is not set: it must be one of "
				   "ADD, DEL, CHECK, GC, STATUS, VERSION");
	env->cmd = xc_cni_cmd_parse(env->command);
	if (env->cmd == XC_CNI_CMD_NONE)
		return xc_cni_errf(err, XC_CNI_E_ENV, "CNI_COMMAND=%.64s is not one of ADD, DEL, "
				   "CHECK, GC, STATUS, VERSION", env->command);
	rc = env_missing(env, err);
	if (rc)
		return rc;
	need = needs(env->cmd);
	if ((need & NEED_CID) && (rc = xc_cni_valid_container_id(env->containerid, err)))
		return rc;
	if ((need & NEED_IFNAME) && (rc = xc_cni_valid_ifname(env->ifname, err)))
		return rc;
	if ((need & (NEED_NETNS | NEED_CID)) && env->netns &&
	    (rc = xc_cni_valid_netns(env->netns, err)))
		return rc;
	if (need & NEED_CID)
		return xc_cni_args_check(env->args, err);
	return 0;
}

/* --- CNI_ARGS ---------------------------------------------------------- */

/*
 * Walk "K=V;K=V": set key/value spans of the pair at *pos and advance.
 * Returns 1 for a pair, 0 at the end, -EINVAL for a malformed pair.
 */
static int args_next(const char **pos, const char **k, size_t *kn, const char **v, size_t *vn)
{
	const char *p = *pos, *end, *eq;

	if (!p || !*p)
		return 0;
	end = strchr(p, ';');
	if (!end)
		end = p + strlen(p);
	*pos = *end ? end + 1 : end;
	eq = memchr(p, '=', (size_t)(end - p));
	*k = p;
	*kn = (size_t)(end - p);
	*v = end;
	*vn = 0;
	if (!eq || eq == p || memchr(eq + 1, '=', (size_t)(end - eq - 1)))
		return -EINVAL;
	*kn = (size_t)(eq - p);
	*v = eq + 1;
	*vn = (size_t)(end - eq - 1);
	return 1;
}

int xc_cni_args_check(const char *args, struct xc_cni_err *err)
{
	const char *pos = args, *k, *v;
	size_t kn, vn;
	int rc;

	while ((rc = args_next(&pos, &k, &kn, &v, &vn)) > 0)
		;
	if (!rc && !(args && *args && args[strlen(args) - 1] == ';'))
		return 0;
	if (!rc)
		kn = 0;
	xc_cni_errf(err, XC_CNI_E_ENV, "CNI_ARGS has a malformed pair \"%.*s\"",
		    (int)(kn > 64 ? 64 : kn), k ? k : "");
	xc_cni_err_details(err, "CNI_ARGS must be KEY=VALUE pairs separated by ';', "
			   "e.g. \"IgnoreUnknown=1;IP=10.0.0.5\"");
	return -EINVAL;
}

long xc_cni_args_get(const char *args, const char *key, char *buf, size_t size)
{
	const char *pos = args, *k, *v;
	size_t kn, vn, n = strlen(key);

	while (args_next(&pos, &k, &kn, &v, &vn) > 0) {
		if (kn != n || memcmp(k, key, n))
			continue;
		if (vn + 1 > size)
			return -ENOSPC;
		memcpy(buf, v, vn);
		buf[vn] = '\0';
		return (long)vn;
	}
	return -ENOENT;
}

/* strconv.ParseBool's true spellings, which the reference accepts. */
static int truthy(const char *s)
{
	return !strcmp(s, "1") || !strcmp(s, "t") || !strcmp(s, "T") ||
	       !strcmp(s, "true") || !strcmp(s, "TRUE") || !strcmp(s, "True");
}

int xc_cni_args_known(const char *args, const char *const *known, struct xc_cni_err *err)
{
	const char *pos = args, *k, *v;
	size_t kn, vn;
	char ign[8];

	if (xc_cni_args_get(args, "IgnoreUnknown", ign, sizeof(ign)) >= 0 && truthy(ign))
		return 0;
	while (args_next(&pos, &k, &kn, &v, &vn) > 0) {
		int ok = kn == 13 && !memcmp(k, "IgnoreUnknown", 13);

		for (const char *const *p = known; !ok && p && *p; p++)
			ok = strlen(*p) == kn && !memcmp(*p, k, kn);
		if (ok)
			continue;
		xc_cni_errf(err, XC_CNI_E_UNSUPPORTED, "CNI_ARGS: unknown key %.*s=%.*s",
			    (int)(kn > 64 ? 64 : kn), k, (int)(vn > 64 ? 64 : vn), v);
		xc_cni_err_details(err, "this plugin reads only the keys it knows; add "
				   "IgnoreUnknown=1 to CNI_ARGS to let it ignore the others");
		return -EINVAL;
	}
	return 0;
}

/* --- validation -------------------------------------------------------- */

static int is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The spec's container-ID charset; 0 when s is not in it. */
static int id_chars_ok(const char *s, size_t max)
{
	size_t n = 0;

	if (!s || !is_alnum((unsigned char)s[0]))
		return 0;
	for (; s[n]; n++)
		if (n >= max || !(is_alnum((unsigned char)s[n]) || s[n] == '_' ||
				   s[n] == '.' || s[n] == '-'))
			return 0;
	return 1;
}

int xc_cni_valid_container_id(const char *s, struct xc_cni_err *err)
{
	if (id_chars_ok(s, XC_CNI_ID_MAX))
		return 0;
	xc_cni_errf(err, XC_CNI_E_ENV, "CNI_CONTAINERID is not a valid container ID");
	xc_cni_err_details(err, "got \"%.64s%s\"; a container ID is 1..%d characters: a letter "
			   "or digit, then letters, digits, '_', '.' or '-'", s ? s : "",
			   s && strlen(s) > 64 ? "..." : "", XC_CNI_ID_MAX);
	return -EINVAL;
}

int xc_cni_valid_ifname(const char *s, struct xc_cni_err *err)
{
	size_t n = s ? strlen(s) : 0;
	int ok = n >= 1 && n <= XC_CNI_IFNAME_MAX && strcmp(s, ".") && strcmp(s, "..");

	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		ok = c > ' ' && c != 0x7f && c != '/' && c != ':';
	}
	if (ok)
		return 0;
	xc_cni_errf(err, XC_CNI_E_ENV, "CNI_IFNAME is not a valid interface name");
	xc_cni_err_details(err, "got \"%.32s\"; an interface name is 1..%d bytes, not \".\" or "
			   "\"..\", without '/', ':' or white space", s ? s : "", XC_CNI_IFNAME_MAX);
	return -EINVAL;
}

int xc_cni_valid_netns(const char *s, struct xc_cni_err *err)
{
	if (s && s[0] == '/' && strlen(s) <= XC_CNI_PATH_MAX)
		return 0;
	if (s && s[0] == '/')
		return xc_cni_errf(err, XC_CNI_E_ENV, "CNI_NETNS is too long (at most %d bytes)",
				   XC_CNI_PATH_MAX);
	xc_cni_errf(err, XC_CNI_E_ENV, "CNI_NETNS must be an absolute path");
	xc_cni_err_details(err, "got \"%.64s\"; it names the pod's network namespace, "
			   "e.g. /var/run/netns/NAME or /proc/PID/ns/net", s ? s : "");
	return -EINVAL;
}

int xc_cni_valid_name(const char *s, struct xc_cni_err *err)
{
	if (id_chars_ok(s, XC_CNI_NAME_MAX))
		return 0;
	xc_cni_errf(err, XC_CNI_E_CONFIG, "invalid network name \"%.64s\"", s ? s : "");
	xc_cni_err_details(err, "\"name\" is used as a directory name: 1..%d characters, a "
			   "letter or digit, then letters, digits, '_', '.' or '-'", XC_CNI_NAME_MAX);
	return -EINVAL;
}

int xc_cni_valid_type(const char *s, struct xc_cni_err *err)
{
	size_t n = s ? strlen(s) : 0;
	int ok = n >= 1 && n <= XC_CNI_TYPE_MAX && strcmp(s, ".") && strcmp(s, "..");

	for (size_t i = 0; ok && i < n; i++)
		ok = (unsigned char)s[i] >= ' ' && s[i] != 0x7f && s[i] != '/';
	if (ok)
		return 0;
	xc_cni_errf(err, XC_CNI_E_CONFIG, "invalid plugin type \"%.64s\"", s ? s : "");
	xc_cni_err_details(err, "a type is the file name of a plugin on CNI_PATH: no '/', "
			   "not \".\" or \"..\"");
	return -EINVAL;
}

/* --- versions ---------------------------------------------------------- */

enum xc_cni_ver xc_cni_version_parse(const char *s)
{
	for (int v = XC_CNI_V_0_3_0; s && v <= XC_CNI_V_LATEST; v++)
		if (!strcmp(s, versions[v]))
			return (enum xc_cni_ver)v;
	return XC_CNI_V_NONE;
}

const char *xc_cni_version_str(enum xc_cni_ver v)
{
	if (v <= XC_CNI_V_NONE || v > XC_CNI_V_LATEST)
		v = XC_CNI_V_LATEST;
	return versions[v];
}

int xc_cni_version_check(enum xc_cni_cmd cmd, enum xc_cni_ver v, struct xc_cni_err *err)
{
	enum xc_cni_ver need = XC_CNI_V_0_3_0;

	if (cmd == XC_CNI_CMD_CHECK)
		need = XC_CNI_V_0_4_0;
	else if (cmd == XC_CNI_CMD_STATUS || cmd == XC_CNI_CMD_GC)
		need = XC_CNI_V_1_1_0;
	if (v == XC_CNI_V_NONE)
		return xc_cni_errf(err, XC_CNI_E_VERSION, "unsupported cniVersion; this plugin "
				   "supports %s", supported_list);
	if (v >= need)
		return 0;
	xc_cni_errf(err, XC_CNI_E_VERSION, "config version %s does not allow %s",
		    versions[v], xc_cni_cmd_name(cmd));
	xc_cni_err_details(err, "%s needs cniVersion %s or later", xc_cni_cmd_name(cmd),
			   versions[need]);
	return -EINVAL;
}

long xc_cni_version_emit(const char *requested, char *buf, size_t size)
{
	struct xc_json_out o;
	enum xc_cni_ver v = xc_cni_version_parse(requested);

	xc_json_out_init(&o, buf, size, 0);
	xc_json_obj(&o);
	xc_json_key(&o, "cniVersion");
	xc_json_string(&o, xc_cni_version_str(v));
	xc_json_key(&o, "supportedVersions");
	xc_json_arr(&o);
	for (int i = XC_CNI_V_0_3_0; i <= XC_CNI_V_LATEST; i++)
		xc_json_string(&o, versions[i]);
	xc_json_end(&o);
	xc_json_end(&o);
	return xc_json_out_end(&o);
}

/* --- stdin and the configuration --------------------------------------- */

long xc_cni_read_stdin(int fd, char *buf, size_t size, struct xc_cni_err *err)
{
	ssize_t len;

	if (size < 2)
		return xc_cni_errf(err, XC_CNI_E_INTERNAL, "stdin buffer too small");
	len = xc_read_full(fd, buf, size - 1);
	if (len == -EFBIG) {
		xc_cni_errf(err, XC_CNI_E_DECODE, "network configuration on stdin is "
			    "larger than the limit of %zu bytes", size - 1);
		return -E2BIG;
	}
	if (len < 0) {
		xc_cni_errf(err, XC_CNI_E_IO, "cannot read the network configuration "
			    "from stdin: %s", strerror((int)-len));
		return -EIO;
	}
	buf[len] = '\0';
	return (long)len;
}

int xc_cni_get_typed(const struct xc_json *obj, const char *where, const char *key,
		     int required, enum xc_json_type type, struct xc_json *out,
		     struct xc_cni_err *err)
{
	int rc = xc_json_get(obj, key, out);

	if (rc == -ENOENT || (!rc && out->type == XC_JSON_NULL && !required)) {
		out->type = XC_JSON_NONE;
		out->p = NULL;
		out->n = 0;
		if (!required)
			return -ENOENT;
		xc_cni_errf(err, XC_CNI_E_CONFIG, "%s%s%s is missing", where ? where : "",
			    where ? "." : "", key);
		return -ENOENT;
	}
	if (rc || out->type != type) {
		xc_cni_errf(err, XC_CNI_E_CONFIG, "%s%s%s must be %s %s, not %s",
			    where ? where : "", where ? "." : "", key,
			    type == XC_JSON_ARRAY || type == XC_JSON_OBJECT ? "an" : "a",
			    xc_json_type_name(type), xc_json_type_name(rc ? XC_JSON_NONE : out->type));
		return -EINVAL;
	}
	return 0;
}

long xc_cni_get_str(const struct xc_json *obj, const char *where, const char *key,
		    int required, char *buf, size_t size, struct xc_cni_err *err)
{
	struct xc_json v;
	long n;
	int rc = xc_cni_get_typed(obj, where, key, required, XC_JSON_STRING, &v, err);

	if (rc)
		return rc;
	n = xc_json_str(&v, buf, size);
	if (n == -ENOSPC)
		xc_cni_errf(err, XC_CNI_E_CONFIG, "%s%s%s is too long (at most %zu bytes)",
			    where ? where : "", where ? "." : "", key, size - 1);
	else if (n >= 0 && memchr(buf, '\0', (size_t)n))
		n = xc_cni_errf(err, XC_CNI_E_CONFIG, "%s%s%s contains a NUL character",
				where ? where : "", where ? "." : "", key);
	return n;
}

const char *xc_cni_key(const struct xc_json *obj, const char *key, char *buf, size_t size)
{
	struct xc_json_iter it;
	struct xc_json k, v;
	struct xc_json exact;
	long n;

	if (obj->type != XC_JSON_OBJECT || !xc_json_get(obj, key, &exact))
		return key;
	xc_json_iter_init(&it, obj);
	while (xc_json_next(&it, &k, &v) > 0) {
		n = xc_json_str(&k, buf, size);
		if (n >= 0 && !strcasecmp(buf, key))
			return buf;
	}
	return key;
}

int xc_cni_get_int(const struct xc_json *obj, const char *where, const char *key,
		   int required, int64_t min, int64_t max, int64_t *out,
		   struct xc_cni_err *err)
{
	struct xc_json v;
	int rc = xc_cni_get_typed(obj, where, key, required, XC_JSON_NUMBER, &v, err);

	if (rc)
		return rc;
	if (xc_json_int(&v, out) || *out < min || *out > max) {
		xc_cni_errf(err, XC_CNI_E_CONFIG, "%s%s%s must be an integer from %lld to %lld, "
			    "not %.*s", where ? where : "", where ? "." : "", key, (long long)min,
			    (long long)max, (int)(v.n > 32 ? 32 : v.n), v.p);
		return -EINVAL;
	}
	return 0;
}

int xc_cni_get_bool(const struct xc_json *obj, const char *where, const char *key,
		    int required, int *out, struct xc_cni_err *err)
{
	struct xc_json v;
	int rc = xc_json_get(obj, key, &v);

	if (rc == -ENOENT)
		return xc_cni_get_typed(obj, where, key, required, XC_JSON_TRUE, &v, err);
	if (rc || xc_json_bool(&v, out)) {
		xc_cni_errf(err, XC_CNI_E_CONFIG, "%s%s%s must be true or false, not %s",
			    where ? where : "", where ? "." : "", key,
			    xc_json_type_name(rc ? XC_JSON_NONE : v.type));
		return -EINVAL;
	}
	return 0;
}

int xc_cni_get_ip(const struct xc_json *obj, const char *where, const char *key,
		  int required, struct xc_ip *out, struct xc_cni_err *err)
{
	char buf[XC_IP_STRLEN];
	long n = xc_cni_get_str(obj, where, key, required, buf, sizeof(buf), err);

	if (n < 0 && n != -ENOSPC)
		return (int)n;
	if (n >= 0 && !xc_ip_parse(buf, out))
		return 0;
	xc_cni_errf(err, XC_CNI_E_CONFIG, "%s%s%s is not an IP address: \"%.64s\"",
		    where ? where : "", where ? "." : "", key, n >= 0 ? buf : "(too long)");
	return -EINVAL;
}

int xc_cni_get_prefix(const struct xc_json *obj, const char *where, const char *key,
		      int required, struct xc_prefix *out, struct xc_cni_err *err)
{
	char buf[XC_IP_STRLEN];
	long n = xc_cni_get_str(obj, where, key, required, buf, sizeof(buf), err);

	if (n < 0 && n != -ENOSPC)
		return (int)n;
	if (n >= 0 && !xc_prefix_parse(buf, out))
		return 0;
	xc_cni_errf(err, XC_CNI_E_CONFIG, "%s%s%s is not a CIDR (ADDRESS/LENGTH): \"%.64s\"",
		    where ? where : "", where ? "." : "", key, n >= 0 ? buf : "(too long)");
	return -EINVAL;
}

/* An optional member of a given type; absent is fine (type NONE). */
static int opt_member(const struct xc_json *root, const char *key, enum xc_json_type type,
		      struct xc_json *out, struct xc_cni_err *err)
{
	int rc = xc_cni_get_typed(root, NULL, key, 0, type, out, err);

	return rc == -ENOENT ? 0 : rc;
}

static int conf_keys(struct xc_cni_conf *c, struct xc_cni_result *prev, struct xc_cni_err *err)
{
	long n;
	int rc;

	n = xc_cni_get_str(&c->root, NULL, "name", 1, c->name, sizeof(c->name), err);
	if (n < 0 || (rc = xc_cni_valid_name(c->name, err)))
		return n < 0 ? (int)n : rc;
	n = xc_cni_get_str(&c->root, NULL, "type", 1, c->type, sizeof(c->type), err);
	if (n < 0 || (rc = xc_cni_valid_type(c->type, err)))
		return n < 0 ? (int)n : rc;
	if ((rc = opt_member(&c->root, "ipam", XC_JSON_OBJECT, &c->ipam, err)) ||
	    (rc = opt_member(&c->root, "dns", XC_JSON_OBJECT, &c->dns, err)) ||
	    (rc = opt_member(&c->root, "prevResult", XC_JSON_OBJECT, &c->prev_result, err)) ||
	    (rc = opt_member(&c->root, "runtimeConfig", XC_JSON_OBJECT, &c->runtime_config, err)) ||
	    (rc = opt_member(&c->root, "args", XC_JSON_OBJECT, &c->args, err)) ||
	    (rc = opt_member(&c->root, "cni.dev/valid-attachments", XC_JSON_ARRAY,
			     &c->valid_attachments, err)))
		return rc;
	if (c->ipam.type == XC_JSON_OBJECT) {
		n = xc_cni_get_str(&c->ipam, "ipam", "type", 0, c->ipam_type,
				   sizeof(c->ipam_type), err);
		if (n == -ENOENT)
			c->ipam_type[0] = '\0';
		else if (n < 0 || (rc = xc_cni_valid_type(c->ipam_type, err)))
			return n < 0 ? (int)n : rc;
	}
	if (prev && c->prev_result.type == XC_JSON_OBJECT && c->version)
		return xc_cni_result_parse(&c->prev_result, c->version, prev, err);
	return 0;
}

int xc_cni_conf_parse(const char *text, size_t len, struct xc_cni_conf *c,
		      struct xc_cni_result *prev, struct xc_cni_err *err)
{
	struct xc_json_error je;
	struct xc_cni_err scratch;
	char why[96];
	long n;

	memset(c, 0, sizeof(*c));
	if (xc_json_parse(text, len, &c->root, &je)) {
		xc_cni_errf(err, XC_CNI_E_DECODE, "cannot decode the network configuration: %s",
			    xc_json_strerror(&je, why, sizeof(why)));
		xc_cni_err_details(err, "stdin must hold one JSON object (%zu bytes read)", len);
		return -EINVAL;
	}
	if (c->root.type != XC_JSON_OBJECT)
		return xc_cni_errf(err, XC_CNI_E_DECODE, "the network configuration is %s %s, "
				   "not a JSON object", c->root.type == XC_JSON_ARRAY ? "an" : "a",
				   xc_json_type_name(c->root.type));
	n = xc_cni_get_str(&c->root, NULL, "cniVersion", 0, c->cni_version,
			   sizeof(c->cni_version), err);
	if (n < 0 && n != -ENOENT && n != -ENOSPC)
		return (int)n;
	if (n < 0)
		c->cni_version[0] = '\0';
	c->version = xc_cni_version_parse(c->cni_version);
	if (c->version)
		return conf_keys(c, prev, err);
	conf_keys(c, prev, &scratch);
	if (!c->cni_version[0])
		xc_cni_errf(err, XC_CNI_E_VERSION, "the network configuration has no cniVersion");
	else
		xc_cni_errf(err, XC_CNI_E_VERSION, "incompatible CNI versions: config is \"%s\"",
			    c->cni_version);
	xc_cni_err_details(err, "this plugin supports cniVersion %s", supported_list);
	return -EINVAL;
}

/* Best effort: the cniVersion of a document that failed elsewhere. */
static void peek_version(struct xc_cni_conf *c, const char *text, size_t len)
{
	struct xc_json root;

	if (xc_json_parse(text, len, &root, NULL) || root.type != XC_JSON_OBJECT ||
	    xc_json_get_str(&root, "cniVersion", c->cni_version, sizeof(c->cni_version)) < 0)
		c->cni_version[0] = '\0';
	c->version = xc_cni_version_parse(c->cni_version);
}

int xc_cni_begin(struct xc_cni_call *c, int fd, char *const *envp, char *in, size_t in_size,
		 struct xc_cni_result *prev, char *out, size_t out_size, long *out_len,
		 struct xc_cni_err *err)
{
	long n;
	int rc;

	memset(c, 0, sizeof(*c));
	c->in = in;
	rc = xc_cni_env_read(&c->env, envp, err);
	if (c->env.cmd == XC_CNI_CMD_VERSION) {
		n = xc_cni_read_stdin(fd, in, in_size, err);
		if (n >= 0)
			peek_version(&c->conf, in, (size_t)n);
		*out_len = xc_cni_version_emit(c->conf.cni_version, out, out_size);
		return 1;
	}
	n = xc_cni_read_stdin(fd, in, in_size, rc ? &(struct xc_cni_err){0} : err);
	if (n >= 0) {
		c->in_len = (size_t)n;
		if (rc)
			peek_version(&c->conf, in, (size_t)n);
	}
	if (rc || n < 0)
		return rc ? rc : (int)n;
	rc = xc_cni_conf_parse(in, (size_t)n, &c->conf, prev, err);
	if (rc)
		return rc;
	return xc_cni_version_check(c->env.cmd, c->conf.version, err);
}

/* --- GC attachments ---------------------------------------------------- */

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t att_hash(const char *cid, const char *ifname)
{
	uint64_t h = fnv(0xcbf29ce484222325ULL, cid, strlen(cid) + 1);

	return fnv(h, ifname, strlen(ifname));
}

static int att_cmp(const void *a, const void *b, const void *arg)
{
	uint64_t x = ((const struct xc_cni_attachment *)a)->hash;
	uint64_t y = ((const struct xc_cni_attachment *)b)->hash;

	(void)arg;
	return x < y ? -1 : x > y;
}

/* containerID and ifname of one attachment object; -EINVAL when malformed. */
static int att_strings(const struct xc_json *obj, char *cid, char *ifname)
{
	if (obj->type != XC_JSON_OBJECT ||
	    xc_json_get_str(obj, "containerID", cid, XC_CNI_ID_MAX + 1) < 0 ||
	    xc_json_get_str(obj, "ifname", ifname, XC_CNI_IFNAME_MAX + 1) < 0)
		return -EINVAL;
	return 0;
}

long xc_cni_attachments(const struct xc_cni_conf *conf, struct xc_cni_attachment *tab,
			size_t max, struct xc_cni_err *err)
{
	struct xc_json_iter it;
	struct xc_json k, v;
	char cid[XC_CNI_ID_MAX + 1], ifname[XC_CNI_IFNAME_MAX + 1];
	size_t n = 0;

	if (conf->valid_attachments.type != XC_JSON_ARRAY)
		return 0;
	xc_json_iter_init(&it, &conf->valid_attachments);
	while (xc_json_next(&it, &k, &v) > 0) {
		if (att_strings(&v, cid, ifname))
			return xc_cni_errf(err, XC_CNI_E_CONFIG, "cni.dev/valid-attachments[%zu] "
					   "must be an object with string containerID (at most %d "
					   "bytes) and ifname (at most %d)", n, XC_CNI_ID_MAX,
					   XC_CNI_IFNAME_MAX);
		if (n == max)
			return xc_cni_errf(err, XC_CNI_E_CONFIG, "cni.dev/valid-attachments has "
					   "more than %zu entries", max);
		tab[n].hash = att_hash(cid, ifname);
		tab[n].obj = v;
		n++;
	}
	if (xc_sorted_sort_heap(tab, n, sizeof(*tab), att_cmp, NULL))
		return xc_cni_errf(err, XC_CNI_E_TRY_AGAIN, "cni.dev/valid-attachments: out of memory "
				   "for %zu entries", n);
	return (long)n;
}

static int att_is(const struct xc_cni_attachment *a, const char *cid, const char *ifname)
{
	char c[XC_CNI_ID_MAX + 1], i[XC_CNI_IFNAME_MAX + 1];

	return !att_strings(&a->obj, c, i) && !strcmp(c, cid) && (!ifname || !strcmp(i, ifname));
}

int xc_cni_attachment_find(const struct xc_cni_attachment *tab, size_t n,
			   const char *cid, const char *ifname)
{
	size_t lo = 0, hi = n;
	uint64_t h;

	if (!ifname) {
		for (size_t i = 0; i < n; i++)
			if (att_is(&tab[i], cid, NULL))
				return 1;
		return 0;
	}
	h = att_hash(cid, ifname);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tab[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && tab[lo].hash == h; lo++)
		if (att_is(&tab[lo], cid, ifname))
			return 1;
	return 0;
}
