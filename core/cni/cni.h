/*
 * cni: the CNI protocol (spec 0.3.0 .. 1.1.0), once, for every plugin.
 *
 * A plugin call is one short process:
 *
 *   static char in[XC_CNI_STDIN_MAX + 1], out[XC_CNI_OUT_MAX];
 *   static struct xc_cni_call call; static struct xc_cni_result res;
 *   struct xc_cni_err err;
 *
 *   xc_cni_err_init(&err);
 *   rc = xc_cni_begin(&call, 0, environ, in, sizeof in, NULL, out, sizeof out,
 *                     &len, &err);        stdin, env, config, version: 1 4 5 6 7
 *   rc == 1: VERSION, the answer is in out
 *   rc == 0: ... applet work on call.env / call.conf, filling res ...
 *            len = xc_cni_result_emit(&res, call.conf.version, out, sizeof out);
 *   on any error, one exit path (exit status 1):
 *            len = xc_cni_err_emit(&err, xc_cni_err_version(&call.conf), out,
 *                                  sizeof out);
 *
 * xc_cni_begin is xc_cni_read_stdin, xc_cni_env_read, xc_cni_conf_parse
 * and xc_cni_version_check in the reference plugins' order; each is also
 * usable alone.
 *
 * Every function that can fail for a reason the runtime's user must see
 * fills a struct xc_cni_err (CNI code, message, details) and returns a
 * negative errno; core/ never prints. Messages say what is wrong and what
 * to do about it, and name the variable, key or limit at fault.
 *
 * Memory: nothing here allocates. Parsed strings live in fixed arrays of
 * the structs below or are spans (struct xc_json) into the caller's input
 * buffer, which must outlive them.
 *
 * Error codes 0..99 are the spec's; ours start at 100 and are listed
 * below (and in docs/cni-errors.md).
 *
 * Names: xc_cni_
 */
#ifndef XC_CNI_H
#define XC_CNI_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>

#include "base/ipaddr.h"
#include "base/json.h"

/* Largest network configuration accepted on stdin (code 6 beyond it). */
#define XC_CNI_STDIN_MAX ((size_t)1 << 20)
/* A comfortable size for a result or error document. */
#define XC_CNI_OUT_MAX 65536

/* Bounds of the validated identifiers (bytes, without the NUL). */
#define XC_CNI_ID_MAX 255       /* CNI_CONTAINERID */
#define XC_CNI_IFNAME_MAX 15    /* CNI_IFNAME (IFNAMSIZ - 1) */
#define XC_CNI_NAME_MAX 255     /* network name: a directory name */
#define XC_CNI_TYPE_MAX 255     /* plugin type: a file name on CNI_PATH */
#define XC_CNI_PATH_MAX 4095    /* CNI_NETNS and other paths */

/* Result capacities; parsing fails with code 7 beyond them. */
#define XC_CNI_MAX_IFACES 8
#define XC_CNI_MAX_IPS 16
#define XC_CNI_MAX_ROUTES 64
#define XC_CNI_MAX_DNS 8        /* nameservers, search domains, options each */
#define XC_CNI_DNS_LEN 256

/* --- commands, versions ------------------------------------------------ */

enum xc_cni_cmd {
	XC_CNI_CMD_NONE = 0,
	XC_CNI_CMD_ADD,
	XC_CNI_CMD_DEL,
	XC_CNI_CMD_CHECK,
	XC_CNI_CMD_VERSION,
	XC_CNI_CMD_STATUS,
	XC_CNI_CMD_GC,
};

/* Supported spec versions, in order; 0 is "unknown or unsupported". */
enum xc_cni_ver {
	XC_CNI_V_NONE = 0,
	XC_CNI_V_0_3_0,
	XC_CNI_V_0_3_1,
	XC_CNI_V_0_4_0,
	XC_CNI_V_1_0_0,
	XC_CNI_V_1_1_0,
};
#define XC_CNI_V_LATEST XC_CNI_V_1_1_0

/* --- errors ------------------------------------------------------------ */

enum xc_cni_code {
	XC_CNI_OK = 0,
	XC_CNI_E_VERSION = 1,          /* incompatible CNI version */
	XC_CNI_E_UNSUPPORTED = 2,      /* unsupported field (key and value named) */
	XC_CNI_E_UNKNOWN_CONTAINER = 3,
	XC_CNI_E_ENV = 4,              /* invalid/missing env var (named) */
	XC_CNI_E_IO = 5,               /* I/O failure */
	XC_CNI_E_DECODE = 6,           /* failed to decode content */
	XC_CNI_E_CONFIG = 7,           /* invalid network configuration */
	XC_CNI_E_TRY_AGAIN = 11,       /* transient: retry later */
	XC_CNI_E_NOT_AVAILABLE = 50,   /* STATUS: cannot serve ADD */
	XC_CNI_E_LIMITED = 51,         /* STATUS: ... and existing pods may suffer */
	/* ours */
	XC_CNI_E_INTERNAL = 100,       /* a bug or an impossible state */
	XC_CNI_E_EXHAUSTED = 101,      /* no free address in the range set(s) */
	XC_CNI_E_ADDR_IN_USE = 102,    /* a requested address is taken */
	XC_CNI_E_DELEGATE = 103,       /* the IPAM plugin could not be run */
	XC_CNI_E_STATE = 104,          /* on-disk state unusable (dataDir) */
	XC_CNI_E_KERNEL = 105,         /* a netlink/kernel operation failed */
	XC_CNI_E_CHECK = 106,          /* CHECK found a difference */
	XC_CNI_E_NETNS = 107,          /* CNI_NETNS cannot be entered */
	XC_CNI_E_DUPLICATE = 108,      /* container+ifname already holds an address */
};

#define XC_CNI_MSG_MAX 256
#define XC_CNI_DETAILS_MAX 768

/*
 * A failure to report to the runtime. When `raw` is set (a delegated
 * plugin's own error JSON, captured by xc_cni_delegate), xc_cni_err_emit
 * passes it through unchanged; it points into the caller's capture buffer.
 */
struct xc_cni_err {
	int code;                     /* enum xc_cni_code, or a delegate's code */
	char msg[XC_CNI_MSG_MAX];
	char details[XC_CNI_DETAILS_MAX];
	const char *raw;              /* verbatim error document, or NULL */
	size_t raw_len;
};

/* Clear an error struct (code 0, empty texts, no raw document). */
void xc_cni_err_init(struct xc_cni_err *e);

/*
 * Set code and message (printf-style, truncated to fit) and clear details
 * and raw. Returns -EINVAL so callers can `return xc_cni_errf(...)`.
 */
int xc_cni_errf(struct xc_cni_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Set the details text (printf-style, truncated to fit). */
void xc_cni_err_details(struct xc_cni_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The error document {"cniVersion","code","msg"[,"details"]} into buf, or
 * e->raw verbatim. `version` is the configuration's cniVersion text when
 * it was a supported one, else NULL (then the latest is written). Returns
 * the length or -ENOSPC.
 */
long xc_cni_err_emit(const struct xc_cni_err *e, const char *version, char *buf, size_t size);

/* --- environment ------------------------------------------------------- */

struct xc_cni_env {
	enum xc_cni_cmd cmd;
	const char *command;      /* CNI_COMMAND as given */
	const char *containerid;  /* NULL when unset; pointers into envp */
	const char *netns;
	const char *ifname;
	const char *args;
	const char *path;
};

/*
 * How long a delegated IPAM plugin may run before it is killed (code 103).
 * Long enough for a node's worth of calls (kubelet's max-pods, 110) queued
 * on one IPAM store's lock on a loaded machine, where each call waits its
 * turn and is not hung; half of kubelet's 2-minute runtime request timeout,
 * so the plugin reports and cleans up before the runtime gives up on it.
 * XC_IPAM_TIMEOUT_MS in the environment (100 to 600000) changes it.
 */
#define XC_CNI_IPAM_TIMEOUT_MS 60000

/*
 * The IPAM deadline from XC_IPAM_TIMEOUT_MS's value (NULL or empty: the
 * default) into *ms. A value that is not from 100 to 600000: code 4 naming
 * it, and *ms the default, so a caller that must not fail on it (DEL) can
 * go on. Only the plugin that delegates reads it.
 */
int xc_cni_ipam_timeout(const char *value, int *ms, struct xc_cni_err *err);

/*
 * Read the CNI_* variables from envp (a NULL-terminated "K=V" array such
 * as environ) and require those the spec requires for the command:
 *
 *   ADD, CHECK   CNI_CONTAINERID CNI_NETNS CNI_IFNAME
 *   DEL          CNI_CONTAINERID CNI_IFNAME           (CNI_NETNS optional)
 *   GC           CNI_PATH
 *   VERSION, STATUS  none
 *
 * Empty counts as unset. For ADD, CHECK and DEL the container ID,
 * interface name, netns path (when set) and CNI_ARGS are validated as
 * below. Failure: code 4 naming the variable(s).
 */
int xc_cni_env_read(struct xc_cni_env *env, char *const *envp, struct xc_cni_err *err);

/* The command for a CNI_COMMAND text (exact, upper case), or XC_CNI_CMD_NONE. */
enum xc_cni_cmd xc_cni_cmd_parse(const char *s);

/* The CNI_COMMAND text of a command ("ADD", ...), "" for NONE. */
const char *xc_cni_cmd_name(enum xc_cni_cmd cmd);

/*
 * CNI_ARGS ("K=V;K=V": one '=' per pair, keys non-empty, values may be
 * empty, no empty pair): check the syntax (code 4 naming CNI_ARGS and the
 * bad pair). NULL and "" are valid.
 */
int xc_cni_args_check(const char *args, struct xc_cni_err *err);

/*
 * Value of `key` in CNI_ARGS text into buf. Returns the length, -ENOENT
 * when absent, -ENOSPC when it does not fit.
 */
long xc_cni_args_get(const char *args, const char *key, char *buf, size_t size);

/*
 * Reject keys of CNI_ARGS not in `known` (NULL-terminated), as the
 * reference plugins do, unless IgnoreUnknown is 1/true/True. Failure:
 * code 2 naming the key and value.
 */
int xc_cni_args_known(const char *args, const char *const *known, struct xc_cni_err *err);

/* --- validation (before anything touches kernel or disk) --------------- */

/*
 * Container ID as the spec says: non-empty, starts with an alphanumeric,
 * then alphanumerics, '_', '.', '-'; at most XC_CNI_ID_MAX bytes.
 * Failure: code 4 naming CNI_CONTAINERID.
 */
int xc_cni_valid_container_id(const char *s, struct xc_cni_err *err);

/*
 * Interface name: 1..15 bytes, not "." or "..", no '/', ':' or white
 * space. Failure: code 4 naming CNI_IFNAME.
 */
int xc_cni_valid_ifname(const char *s, struct xc_cni_err *err);

/*
 * Network namespace path: absolute, at most XC_CNI_PATH_MAX bytes (whether
 * it exists is the plugin's business). Failure: code 4 naming CNI_NETNS.
 */
int xc_cni_valid_netns(const char *s, struct xc_cni_err *err);

/*
 * Network name, safe as a directory name: the container-ID charset, not
 * "." or "..", at most XC_CNI_NAME_MAX bytes. Failure: code 7.
 */
int xc_cni_valid_name(const char *s, struct xc_cni_err *err);

/*
 * Plugin type, safe as a file name on CNI_PATH: non-empty, no '/', not
 * "." or "..", no control characters. Failure: code 7.
 */
int xc_cni_valid_type(const char *s, struct xc_cni_err *err);

/* --- versions ---------------------------------------------------------- */

/* The version for a cniVersion text, or XC_CNI_V_NONE if unsupported. */
enum xc_cni_ver xc_cni_version_parse(const char *s);

/* The text of a supported version ("1.1.0"); the latest for NONE. */
const char *xc_cni_version_str(enum xc_cni_ver v);

/*
 * May `cmd` be run with config version `v`? CHECK needs 0.4.0+, STATUS
 * and GC need 1.1.0; ADD and DEL any supported version. Failure: code 1.
 */
int xc_cni_version_check(enum xc_cni_cmd cmd, enum xc_cni_ver v, struct xc_cni_err *err);

/*
 * The VERSION answer {"cniVersion": V, "supportedVersions": [...]} into
 * buf, V being `requested` when supported, else the latest. Returns the
 * length or -ENOSPC.
 */
long xc_cni_version_emit(const char *requested, char *buf, size_t size);

/* --- network configuration --------------------------------------------- */

/*
 * Read all of fd (the runtime's stdin) into buf. More than size - 1 bytes:
 * code 6 naming the limit; a read error: code 5. buf is NUL-terminated.
 * Returns the length.
 */
long xc_cni_read_stdin(int fd, char *buf, size_t size, struct xc_cni_err *err);

/* The keys every plugin understands; spans point into the input. */
struct xc_cni_conf {
	struct xc_json root;            /* the whole object: plugin keys live here */
	char cni_version[16];           /* as written ("" when absent) */
	enum xc_cni_ver version;        /* NONE when unsupported */
	char name[XC_CNI_NAME_MAX + 1];
	char type[XC_CNI_TYPE_MAX + 1];
	struct xc_json ipam;            /* object, or type NONE when absent */
	struct xc_json dns;             /* object or NONE */
	struct xc_json prev_result;     /* object or NONE */
	struct xc_json runtime_config;  /* object or NONE */
	struct xc_json args;            /* object or NONE */
	struct xc_json valid_attachments; /* array or NONE (GC) */
	char ipam_type[XC_CNI_TYPE_MAX + 1]; /* ipam.type, "" when absent */
};

struct xc_cni_result;

/*
 * Parse the configuration text (len bytes) into conf. Checks: valid JSON
 * object (code 6 with the offset and reason), cniVersion present and
 * supported (code 1, listing what is), name valid (code 7), type present
 * (code 7), ipam/dns/prevResult/runtimeConfig/args objects when present
 * and cni.dev/valid-attachments an array (code 7 naming the key and the
 * type found). When the configuration has a prevResult and `prev` is not
 * NULL, it is parsed into *prev (see xc_cni_result_parse).
 *
 * When cniVersion is missing or unsupported the rest is still parsed and
 * conf->version is NONE, so that VERSION can answer; the return value is
 * then the code-1 failure.
 */
int xc_cni_conf_parse(const char *text, size_t len, struct xc_cni_conf *conf,
		      struct xc_cni_result *prev, struct xc_cni_err *err);

/*
 * The spelling of `key` in obj as the reference plugins' Go decoder finds
 * it: key itself when obj has it, else the first member whose name equals
 * it ignoring ASCII case (containerd 1.6 sends runtimeConfig.portMappings
 * as {"HostPort": ...}). Copies the name into buf (size bytes) and returns
 * buf, or returns key when there is neither, so that a getter reports the
 * key as the documentation spells it.
 */
const char *xc_cni_key(const struct xc_json *obj, const char *key, char *buf, size_t size);

/*
 * Typed getters for plugin keys with useful failures. `where` names the
 * object for messages ("ipam", "ipam.ranges[0][1]"). A missing key
 * returns -ENOENT and fills err only when `required`; a wrong type or an
 * unparsable value is code 7 naming where.key, the value and what was
 * expected.
 */
long xc_cni_get_str(const struct xc_json *obj, const char *where, const char *key,
		    int required, char *buf, size_t size, struct xc_cni_err *err);
int xc_cni_get_int(const struct xc_json *obj, const char *where, const char *key,
		   int required, int64_t min, int64_t max, int64_t *out,
		   struct xc_cni_err *err);
int xc_cni_get_bool(const struct xc_json *obj, const char *where, const char *key,
		    int required, int *out, struct xc_cni_err *err);
/* An address ("10.0.0.1", "fd00::1"). */
int xc_cni_get_ip(const struct xc_json *obj, const char *where, const char *key,
		  int required, struct xc_ip *out, struct xc_cni_err *err);
/* A prefix ("10.0.0.0/24"; host bits kept as written). */
int xc_cni_get_prefix(const struct xc_json *obj, const char *where, const char *key,
		      int required, struct xc_prefix *out, struct xc_cni_err *err);
/*
 * Member `key` of type `type` (XC_JSON_OBJECT, XC_JSON_ARRAY, ...) into
 * *out; type NONE in *out when absent and not required.
 */
int xc_cni_get_typed(const struct xc_json *obj, const char *where, const char *key,
		     int required, enum xc_json_type type, struct xc_json *out,
		     struct xc_cni_err *err);

/*
 * The start every plugin shares, in the reference plugins' order: read
 * stdin into in[0..in_size) (code 5/6), read the environment (code 4);
 * for VERSION write the answer into out and return 1 with *out_len set
 * (stdin may then be empty or anything); otherwise parse the
 * configuration (prevResult into *prev when prev is not NULL) and check
 * that the command is allowed at its version (code 1), and return 0.
 * On failure c->conf.cni_version/version are still set when they could be
 * read, for xc_cni_err_version.
 */
struct xc_cni_call {
	struct xc_cni_env env;
	struct xc_cni_conf conf;
	const char *in;                 /* the configuration text */
	size_t in_len;
};
int xc_cni_begin(struct xc_cni_call *c, int fd, char *const *envp, char *in, size_t in_size,
		 struct xc_cni_result *prev, char *out, size_t out_size, long *out_len,
		 struct xc_cni_err *err);

/* The cniVersion to put in an error document: the config's when supported, else NULL. */
const char *xc_cni_err_version(const struct xc_cni_conf *conf);

/* --- the runner: one plugin call, start to exit status ----------------- */

/* A command's work: 0, or a negative errno with err filled (code, message). */
typedef int (*xc_cni_cmd_fn)(void *ctx, struct xc_cni_err *err);

/*
 * What a plugin gives xc_cni_run. Everything is the plugin's storage; the
 * runner allocates nothing.
 */
struct xc_cni_plugin {
	void *ctx;                      /* handed to every hook */
	struct xc_cni_call *call;       /* filled before any hook runs */
	struct xc_cni_result *prev;     /* prevResult goes here; NULL: not parsed */
	struct xc_cni_result *res;      /* what a successful ADD prints */
	char *in, *out;                 /* stdin (XC_CNI_STDIN_MAX + 1), stdout */
	size_t in_size, out_size;
	xc_cni_cmd_fn parse;            /* the configuration into ctx; may be NULL */
	/* one per command; NULL: refused with code 4 naming the command */
	xc_cni_cmd_fn add, del, check, gc, status;
	/* an ADD that succeeded but whose result cannot be printed: take it back */
	void (*undo_add)(void *ctx);
};

/*
 * One plugin call, the same for every plugin: xc_cni_begin (VERSION is
 * answered here), the parse hook, the command's hook; then the result of
 * an ADD on stdout, nothing for the other commands, or on any failure the
 * error document (a negative errno with no code becomes code 100 naming
 * it). Returns the process's exit status: 0 only when the command
 * succeeded and all its output was written; an ADD whose result could
 * not be written is taken back with undo_add.
 */
int xc_cni_run(const struct xc_cni_plugin *p, char *const *envp);

/* --- GC: the valid attachments ----------------------------------------- */

struct xc_cni_attachment {
	uint64_t hash;                  /* of containerID and ifname */
	struct xc_json obj;             /* the {"containerID","ifname"} object */
};

/*
 * Index conf->valid_attachments into tab[0..max) (sorted by hash) for
 * xc_cni_attachment_find. Each element must be an object with a string
 * containerID and ifname (code 7 naming the index); more than max: code
 * 7. An absent list yields 0 entries (GC then keeps nothing). Returns
 * the number of entries.
 */
long xc_cni_attachments(const struct xc_cni_conf *conf, struct xc_cni_attachment *tab,
			size_t max, struct xc_cni_err *err);

/*
 * Non-zero if (cid, ifname) is one of the n indexed attachments; with
 * ifname NULL, if any attachment has container ID cid (for allocations
 * recorded without an interface name).
 */
int xc_cni_attachment_find(const struct xc_cni_attachment *tab, size_t n,
			   const char *cid, const char *ifname);

/* --- results ----------------------------------------------------------- */

struct xc_cni_iface {
	char name[XC_CNI_IFNAME_MAX + 1];
	char mac[18];                   /* "" when none */
	int mtu;                        /* 0 = not reported (1.1.0 key) */
	char sandbox[XC_CNI_PATH_MAX + 1]; /* "" for host interfaces */
};

struct xc_cni_ipconf {
	struct xc_prefix address;       /* address with the subnet's length */
	struct xc_ip gateway;
	int has_gateway;
	int iface;                      /* index into interfaces, -1 = none */
};

/* Route fields that are present (1.1.0 added all but dst and gw). */
enum {
	XC_CNI_RT_GW = 1 << 0,
	XC_CNI_RT_MTU = 1 << 1,
	XC_CNI_RT_ADVMSS = 1 << 2,
	XC_CNI_RT_PRIORITY = 1 << 3,
	XC_CNI_RT_TABLE = 1 << 4,
	XC_CNI_RT_SCOPE = 1 << 5,
};

struct xc_cni_route {
	struct xc_prefix dst;
	struct xc_ip gw;
	unsigned has;                   /* XC_CNI_RT_* */
	int mtu, advmss, priority, table, scope;
};

struct xc_cni_dns {
	int n_nameservers, n_search, n_options;
	char nameservers[XC_CNI_MAX_DNS][XC_IP_STRLEN];
	char domain[XC_CNI_DNS_LEN];
	char search[XC_CNI_MAX_DNS][XC_CNI_DNS_LEN];
	char options[XC_CNI_MAX_DNS][XC_CNI_DNS_LEN];
};

struct xc_cni_result {
	int n_ifaces, n_ips, n_routes;
	struct xc_cni_iface ifaces[XC_CNI_MAX_IFACES];
	struct xc_cni_ipconf ips[XC_CNI_MAX_IPS];
	struct xc_cni_route routes[XC_CNI_MAX_ROUTES];
	struct xc_cni_dns dns;
};

/* Empty result (no interfaces, ips, routes, dns). */
void xc_cni_result_init(struct xc_cni_result *r);

/*
 * Emit the result for version v into an open emitter as one object:
 * cniVersion, interfaces (when any), ips, routes (when any), dns (keys
 * present only when set; `{}` when empty, as the reference prints it).
 * 0.3.x/0.4.0 add ips[].version "4"/"6"; keys new in 1.1.0 (interface
 * and route mtu, route advmss/priority/table/scope) are written only for
 * 1.1.0.
 */
void xc_cni_result_json(struct xc_json_out *o, const struct xc_cni_result *r,
			enum xc_cni_ver v);

/* The result as a document into buf (2-space indent). Length or -ENOSPC. */
long xc_cni_result_emit(const struct xc_cni_result *r, enum xc_cni_ver v,
			char *buf, size_t size);

/*
 * Parse a result object (a prevResult, or an IPAM plugin's answer) of
 * version v into r. Accepts 0.3.0..1.1.0 shapes (ips[].version is
 * checked against the address when present). Failure: code 7 (code 6 is
 * for text that is not JSON, which cannot reach here) naming the key.
 */
int xc_cni_result_parse(const struct xc_json *obj, enum xc_cni_ver v,
			struct xc_cni_result *r, struct xc_cni_err *err);

/*
 * One route object {"dst", "gw", and with 1.1.0 "mtu", "advmss",
 * "priority", "table", "scope"} (as in ipam.routes or a result) into rt.
 * `where` names it for messages. Failure: code 7.
 */
int xc_cni_route_parse(const struct xc_json *obj, const char *where, struct xc_cni_route *rt,
		       struct xc_cni_err *err);

/* --- delegation: run another plugin (IPAM) ----------------------------- */

struct xc_cni_exec {
	const char *type;               /* plugin file name (ipam.type), validated */
	const char *path;               /* CNI_PATH: ':'-separated directories */
	enum xc_cni_cmd cmd;            /* CNI_COMMAND for the delegate */
	char *const *envp;              /* our environment; CNI_COMMAND replaced */
	const char *in;                 /* configuration for its stdin */
	size_t in_len;
	int timeout_ms;                 /* <= 0: XC_CNI_IPAM_TIMEOUT_MS */
	char *out;                      /* capture buffer for its stdout */
	size_t out_size;
	/*
	 * The multi-call entry point of this binary, or NULL. When the plugin
	 * file found is the running binary (same device and inode as
	 * /proc/self/exe), the child runs self_main(1, {file}) instead of
	 * exec'ing the file: the same applet, input, environment, descriptors
	 * 0 and 1 and deadline, without the cost of loading the binary again.
	 */
	int (*self_main)(int argc, char **argv);
};

/*
 * A delegate between its start and its end: the caller's storage, filled
 * by xc_cni_exec_start, emptied by xc_cni_exec_wait.
 */
struct xc_cni_child {
	pid_t pid;                      /* 0: not started */
	int in, out;                    /* our ends: its stdin, its stdout */
	size_t in_off, out_len;
	int64_t deadline;               /* xc_now_ms() at which it is killed */
	int timeout_ms;
	char file[XC_CNI_PATH_MAX + 1]; /* the plugin file found */
	struct sigaction chld;          /* the caller's SIGCHLD, back at the end */
};

/*
 * Find x->type on x->path (first executable regular file wins) and start
 * it with the environment (CNI_COMMAND set to x->cmd); x->self_main above
 * says when no exec happens. Returns at once: the caller may do other
 * work, on other threads too, before xc_cni_exec_wait. Starting before any
 * second thread exists keeps the child's copy of the process consistent.
 * Failure to start (not found, not executable): code 103 naming the
 * plugin and the path searched; nothing is left running.
 */
int xc_cni_exec_start(const struct xc_cni_exec *x, struct xc_cni_child *c,
		      struct xc_cni_err *err);

/*
 * Feed a started delegate x->in on stdin and capture its stdout into
 * x->out (NUL-terminated; more than out_size - 1 bytes is a failure);
 * kill it when its deadline passes. Sets *status to its exit status.
 * Failures (timeout, killed by a signal, output too large): code 103.
 * Returns the captured length; c is finished either way.
 */
long xc_cni_exec_wait(const struct xc_cni_exec *x, struct xc_cni_child *c, int *status,
		      struct xc_cni_err *err);

/* xc_cni_exec_start, then xc_cni_exec_wait. */
long xc_cni_exec_plugin(const struct xc_cni_exec *x, int *status, struct xc_cni_err *err);

/*
 * Interpret a finished delegate's answer (len bytes in x->out, exit
 * status `status`): on status 0 and a result `r` (ADD), parse it as a
 * result of version v; on a non-zero status, fill err from its error JSON
 * (code, msg, details) and keep the document in err->raw so it reaches the
 * runtime unchanged (not JSON: code 103 with what it printed). Returns 0
 * or a negative errno.
 */
int xc_cni_delegate_answer(const struct xc_cni_exec *x, long len, int status,
			   enum xc_cni_ver v, struct xc_cni_result *r, struct xc_cni_err *err);

/* xc_cni_exec_plugin, then xc_cni_delegate_answer. */
int xc_cni_delegate(const struct xc_cni_exec *x, enum xc_cni_ver v,
		    struct xc_cni_result *r, struct xc_cni_err *err);

#endif
