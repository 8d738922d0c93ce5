/*
 * cni delegation: run another plugin (the IPAM one) the way a runtime
 * would, with a deadline (see cni.h). This is the only exec in the
 * project.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

extern char **environ;

#include "base/fdio.h"
#include "cni/cni.h"
#include "base/deadline.h"
#include "kernel/sysctl.h"

#define EXEC_MAX_ENV 1024

/*
 * First executable regular file named `type` in the ':'-list `path`; st
 * gets its stat (is_self() compares it).
 */
static int find_plugin(const char *path, const char *type, char *out, size_t size,
		       struct stat *st)
{
	const char *p = path;

	while (p && *p) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n && (size_t)snprintf(out, size, "%.*s/%s", (int)n, p, type) < size &&
		    !stat(out, st) && S_ISREG(st->st_mode) && !access(out, X_OK))
			return 0;
		p = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

/*
 * Our environment with CNI_COMMAND replaced: at most max variables, so
 * env[] has max + 1 slots (it ends with NULL).
 */
static int build_env(char *const *envp, const char *cmd_var, char **env, size_t max)
{
	size_t n = 0;

	for (; envp && *envp; envp++) {
		if (!strncmp(*envp, "CNI_COMMAND=", 12))
			continue;
		/* this one and CNI_COMMAND */
		if (n + 2 > max)
			return -E2BIG;
		env[n++] = *envp;
	}
	env[n++] = (char *)cmd_var;
	env[n] = NULL;
	return 0;
}

/*
 * The running binary, when a (the plugin's stat) is it: its applet then
 * runs without an exec.
 */
static int is_self(const struct stat *a)
{
	struct stat b;

	return !stat("/proc/self/exe", &b) && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/*
 * This process has one thread. A child forked beside a second thread may
 * find a lock (stdio's, malloc's) held by a thread it does not have: it
 * then gets an exec, never our code. procfs counts a directory's links as
 * 2 + its subdirectories, and /proc/self/task has one per thread: one stat,
 * where reading /proc/self/stat took five syscalls.
 */
static int one_thread(void)
{
	struct stat st;

	return !stat("/proc/self/task", &st) && st.st_nlink == 3;
}

/*
 * Without an exec the child keeps every descriptor of ours: close all but
 * its stdin, stdout and stderr, as O_CLOEXEC would have (the status pipe's
 * end among them, which tells the parent it runs). Without close_range(2)
 * (Linux < 5.9), the ones /proc/self/fd lists.
 */
static void close_inherited(void)
{
	DIR *d;
	struct dirent *e;
	int fd;

#ifdef SYS_close_range
	if (!syscall(SYS_close_range, 3U, ~0U, 0U))
		return;
#endif
	d = opendir("/proc/self/fd");
	while (d && (e = readdir(d))) {
		fd = atoi(e->d_name);
		if (fd > 2 && fd != dirfd(d))
			close(fd);
	}
	if (d)
		closedir(d);
}

/* The applet in file's name, as exec would have started it; never returns. */
static void run_self(int (*self_main)(int, char **), const char *file, char **env)
{
	char *argv[] = { (char *)file, NULL };
	const char *name = strrchr(file, '/');
	int rc;

	close_inherited();
	xc_sysctl_forget();
	prctl(PR_SET_NAME, name ? name + 1 : file);
	environ = env;
	rc = self_main(1, argv);
	/* exit() would flush stdio too, but also run our parent's atexit work */
	fflush(NULL);
#ifdef __SANITIZE_ADDRESS__
	/* _exit skips the leak check an exec'd plugin's exit would run */
	if (__lsan_do_recoverable_leak_check())
		rc = rc ? rc : 23;
#endif
	_exit(rc);
}

/*
 * Put the caller's SIGCHLD back; one that was the default (without flags
 * that change what it does) still is, and needs no syscall.
 */
static void restore_chld(const struct sigaction *old)
{
	if (old->sa_handler != SIG_DFL || (old->sa_flags & (SA_NOCLDWAIT | SA_NOCLDSTOP)))
		sigaction(SIGCHLD, old, NULL);
}

/*
 * The child's side of spawn(). A delegate outliving a plugin killed
 * mid-ADD would allocate an address nobody will release until GC, so it
 * dies with the thread that started it (the main thread, which lives as
 * long as the plugin). An exec failure travels back as errno on the status
 * pipe (none with self_main: a dup2 failure is then only exit 127).
 * self_main: see struct xc_cni_exec (one_thread() chose it). It gets
 * SIGCHLD as our caller gave it to us, which we changed to wait.
 */
static void child(const char *file, char **env, int (*self_main)(int, char **), int in,
		  int out, int status, pid_t parent, const struct sigaction *chld)
{
	char *argv[] = { (char *)file, NULL };
	int e;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(127);
	/* We ignore SIGPIPE while feeding it; it must start with the default. */
	signal(SIGPIPE, SIG_DFL);
	restore_chld(chld);
	if (dup2(in, 0) >= 0 && dup2(out, 1) >= 0) {
		if (self_main)
			run_self(self_main, file, env);
		execve(file, argv, env);
	}
	e = errno;
	if (write(status, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static void close_pair(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/*
 * Start the plugin with its stdin and stdout on pipes. Input that fits a
 * fresh pipe (PIPE_BUF: even a pipe cut to one page by the per-user limit
 * holds it) is written before the fork, while we hold the read end (no
 * SIGPIPE possible), and the write end closed: no poll round, O_NONBLOCK
 * or SIGPIPE handling for it afterwards. Longer input is fed by pump().
 */
static int spawn(struct xc_cni_child *r, char **env, int (*self_main)(int, char **),
		 const struct xc_cni_exec *x, struct xc_cni_err *err)
{
	const char *file = r->file;
	int in[2], out[2], st[2] = { -1, -1 }, e = 0, rc = 0;
	pid_t parent = getpid();
	ssize_t n;

	if (pipe2(in, O_CLOEXEC))
		return -errno;
	if (x->in_len <= PIPE_BUF) {
		rc = xc_write_full(in[1], x->in, x->in_len);
		if (rc) {
			close_pair(in);
			return rc;
		}
		r->in_off = x->in_len;
	}
	if (pipe2(out, O_CLOEXEC)) {
		rc = -errno;
		close_pair(in);
		return rc;
	}
	/* Our own applet cannot fail to exec: it gets no status pipe (see below). */
	if (!self_main && pipe2(st, O_CLOEXEC)) {
		rc = -errno;
		close_pair(in);
		close_pair(out);
		return rc;
	}
	if (self_main)
		fflush(NULL);   /* the child must not write our buffered output again */
	r->pid = fork();
	if (r->pid == 0)
		child(file, env, self_main, in[0], out[1], st[1], parent, &r->chld);
	if (r->pid < 0)
		e = errno;
	close(in[0]);
	close(out[1]);
	if (st[1] >= 0)
		close(st[1]);
	r->in = in[1];
	if (r->in_off == x->in_len) {
		close(r->in);
		r->in = -1;
	}
	r->out = out[0];
	/*
	 * EOF (the exec closed the pipe) means it runs; 4 bytes are its errno.
	 * This binary's own applet in the child execs nothing and cannot fail
	 * to start: waiting for it to be scheduled would only hold back the
	 * work we do beside it (0.3-1 ms of an ADD on two cores).
	 */
	if (!e && !self_main) {
		while ((n = read(st[0], &e, sizeof(e))) < 0 && errno == EINTR)
			;
		if (n != (ssize_t)sizeof(e))
			e = 0;
		else
			while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR)
				;
	}
	if (st[0] >= 0)
		close(st[0]);
	if (e) {
		if (r->in >= 0)
			close(r->in);
		close(r->out);
		r->pid = 0;
		xc_cni_errf(err, XC_CNI_E_DELEGATE, "cannot run the plugin %s: %s", file,
			    strerror(e));
		return -e;
	}
	if (r->in >= 0)
		fcntl(r->in, F_SETFL, O_NONBLOCK);
	fcntl(r->out, F_SETFL, O_NONBLOCK);
	return 0;
}

/* One poll round: feed stdin, drain stdout. 1 when stdout hit EOF. */
static int pump(struct xc_cni_child *r, const struct xc_cni_exec *x)
{
	struct pollfd pf[2] = { { r->out, POLLIN, 0 }, { r->in, POLLOUT, 0 } };
	int64_t left = r->deadline - xc_now_ms();
	ssize_t n;
	char extra;

	if (left <= 0)
		return -ETIMEDOUT;
	if (poll(pf, r->in >= 0 ? 2 : 1, (int)left) < 0)
		return errno == EINTR ? 0 : -errno;
	if (r->in >= 0 && (pf[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
		n = write(r->in, x->in + r->in_off, x->in_len - r->in_off);
		if (n > 0)
			r->in_off += (size_t)n;
		/* It may exit without reading everything: that is its business. */
		if ((n < 0 && errno != EAGAIN && errno != EINTR) || r->in_off == x->in_len) {
			close(r->in);
			r->in = -1;
		}
	}
	if (!(pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
		return 0;
	/* Full: the end of the output still fits, one byte more does not. */
	if (r->out_len + 1 >= x->out_size)
		n = read(r->out, &extra, 1);
	else
		n = read(r->out, x->out + r->out_len, x->out_size - 1 - r->out_len);
	if (n > 0 && r->out_len + 1 >= x->out_size)
		return -EMSGSIZE;
	if (n > 0)
		r->out_len += (size_t)n;
	else if (n == 0)
		return 1;
	else if (errno != EAGAIN && errno != EINTR)
		return -errno;
	return 0;
}

/* A descriptor that polls readable once pid has exited (Linux 5.3+), or -1. */
static int exit_fd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

/*
 * Wait for the child until the deadline; kill it past that. Its stdout is
 * closed, so it is exiting: wait for that event, not a fixed sleep (which
 * cost every delegation a millisecond); poll in short steps only where
 * there is no pidfd.
 */
static int reap(struct xc_cni_child *r, int *status)
{
	struct timespec step = { 0, 20000 };
	int fd = -1, rc = 0;
	int64_t left;

	for (;;) {
		pid_t p = waitpid(r->pid, status, WNOHANG);

		if (p == r->pid)
			break;
		if (p < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		left = r->deadline - xc_now_ms();
		if (left <= 0) {
			kill(r->pid, SIGKILL);
			waitpid(r->pid, status, 0);
			rc = -ETIMEDOUT;
			break;
		}
		if (fd < 0)
			fd = exit_fd(r->pid);
		if (fd >= 0)
			poll(&(struct pollfd){ fd, POLLIN, 0 }, 1, (int)left);
		else if (nanosleep(&step, NULL) == 0 && step.tv_nsec < 1000000)
			step.tv_nsec *= 2;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static long run_fail(const struct xc_cni_exec *x, const char *file, int rc, int timeout,
		     struct xc_cni_err *err)
{
	if (rc == -ETIMEDOUT)
		xc_cni_errf(err, XC_CNI_E_DELEGATE, "the IPAM plugin %s did not finish within "
			    "%d ms and was killed", file, timeout);
	else if (rc == -EMSGSIZE)
		xc_cni_errf(err, XC_CNI_E_DELEGATE, "the IPAM plugin %s wrote more than %zu "
			    "bytes and was killed", file, x->out_size - 1);
	else
		xc_cni_errf(err, XC_CNI_E_DELEGATE, "talking to the IPAM plugin %s failed: %s",
			    file, strerror(-rc));
	return rc;
}

/* Feed and drain it until its stdout ends, then reap it. */
static long finish(const struct xc_cni_exec *x, struct xc_cni_child *c, int *status,
		   struct xc_cni_err *err)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old = { 0 };
	int fed = c->in < 0, rc;

	if (!fed)
		sigaction(SIGPIPE, &ign, &old);
	while ((rc = pump(c, x)) == 0)
		;
	if (!fed)
		sigaction(SIGPIPE, &old, NULL);
	if (c->in >= 0)
		close(c->in);
	close(c->out);
	x->out[c->out_len] = '\0';
	if (rc < 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, status, 0);
		return run_fail(x, c->file, rc, c->timeout_ms, err);
	}
	rc = reap(c, status);
	if (rc)
		return run_fail(x, c->file, rc, c->timeout_ms, err);
	if (WIFSIGNALED(*status)) {
		xc_cni_errf(err, XC_CNI_E_DELEGATE, "the IPAM plugin %s was killed by signal %d",
			    c->file, WTERMSIG(*status));
		return -EINTR;
	}
	*status = WEXITSTATUS(*status);
	return (long)c->out_len;
}

int xc_cni_exec_start(const struct xc_cni_exec *x, struct xc_cni_child *c,
		      struct xc_cni_err *err)
{
	char cmd_var[32];
	char *env[EXEC_MAX_ENV + 1];
	struct stat st;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!x->out || x->out_size < 2)
		return xc_cni_errf(err, XC_CNI_E_INTERNAL, "no capture buffer for the plugin");
	x->out[0] = '\0';
	rc = xc_cni_valid_type(x->type, err);
	if (rc)
		return rc;
	if (!x->path)
		return xc_cni_errf(err, XC_CNI_E_ENV, "CNI_PATH is not set: it is needed to "
				   "find the IPAM plugin \"%s\"", x->type);
	if (find_plugin(x->path, x->type, c->file, sizeof(c->file), &st)) {
		xc_cni_errf(err, XC_CNI_E_DELEGATE, "IPAM plugin \"%s\" not found in CNI_PATH",
			    x->type);
		xc_cni_err_details(err, "searched CNI_PATH=%.600s for an executable file named "
				   "\"%s\"", x->path, x->type);
		return -ENOENT;
	}
	snprintf(cmd_var, sizeof(cmd_var), "CNI_COMMAND=%s", xc_cni_cmd_name(x->cmd));
	if (build_env(x->envp, cmd_var, env, EXEC_MAX_ENV))
		return xc_cni_errf(err, XC_CNI_E_DELEGATE, "more than %d environment variables",
				   EXEC_MAX_ENV);
	/*
	 * A caller that ignores SIGCHLD would have the kernel reap the child
	 * before we can read its exit status: the default until it is reaped.
	 */
	sigaction(SIGCHLD, &(struct sigaction){ .sa_handler = SIG_DFL }, &c->chld);
	c->timeout_ms = x->timeout_ms > 0 ? x->timeout_ms : XC_CNI_IPAM_TIMEOUT_MS;
	c->deadline = xc_now_ms() + c->timeout_ms;
	rc = spawn(c, env, x->self_main && is_self(&st) && one_thread() ? x->self_main : NULL,
		   x, err);
	if (rc)
		restore_chld(&c->chld);
	return rc;
}

long xc_cni_exec_wait(const struct xc_cni_exec *x, struct xc_cni_child *c, int *status,
		      struct xc_cni_err *err)
{
	long len;

	if (!c->pid)
		return xc_cni_errf(err, XC_CNI_E_INTERNAL, "the IPAM plugin was not started");
	len = finish(x, c, status, err);
	c->pid = 0;
	restore_chld(&c->chld);
	return len;
}

long xc_cni_exec_plugin(const struct xc_cni_exec *x, int *status, struct xc_cni_err *err)
{
	struct xc_cni_child c;
	int rc = xc_cni_exec_start(x, &c, err);

	return rc ? rc : xc_cni_exec_wait(x, &c, status, err);
}

/* A delegate's failure: its error document, kept verbatim. */
static int delegate_error(const struct xc_cni_exec *x, long len, int status,
			  struct xc_cni_err *err)
{
	struct xc_json root;
	int64_t code;
	long n;

	if (xc_json_parse(x->out, (size_t)len, &root, NULL) || root.type != XC_JSON_OBJECT ||
	    xc_json_get_int(&root, "code", &code) || code < 0 || code > 0x7fffffff) {
		xc_cni_errf(err, XC_CNI_E_DELEGATE, "the IPAM plugin \"%s\" failed (exit status "
			    "%d) without an error document", x->type, status);
		xc_cni_err_details(err, "its output: %.500s", x->out);
		return -EIO;
	}
	xc_cni_err_init(err);
	err->code = (int)code;
	n = xc_json_get_str(&root, "msg", err->msg, sizeof(err->msg));
	if (n < 0)
		snprintf(err->msg, sizeof(err->msg), "the IPAM plugin \"%s\" failed", x->type);
	if (xc_json_get_str(&root, "details", err->details, sizeof(err->details)) < 0)
		err->details[0] = '\0';
	err->raw = x->out;
	err->raw_len = (size_t)len;
	return -EIO;
}

int xc_cni_delegate_answer(const struct xc_cni_exec *x, long len, int status,
			   enum xc_cni_ver v, struct xc_cni_result *r, struct xc_cni_err *err)
{
	struct xc_json root;
	struct xc_json_error je;
	char why[96], ver[16];

	if (len < 0)
		return (int)len;
	if (status)
		return delegate_error(x, len, status, err);
	if (!r)
		return 0;
	if (xc_json_parse(x->out, (size_t)len, &root, &je) || root.type != XC_JSON_OBJECT) {
		xc_cni_errf(err, XC_CNI_E_DELEGATE, "the IPAM plugin \"%s\" answered something "
			    "that is not a result object", x->type);
		xc_cni_err_details(err, "%s; its output: %.400s",
				   len ? xc_json_strerror(&je, why, sizeof(why)) : "empty", x->out);
		return -EIO;
	}
	/* It answers in the version it was asked for, or says which. */
	if (xc_json_get_str(&root, "cniVersion", ver, sizeof(ver)) >= 0 &&
	    xc_cni_version_parse(ver))
		v = xc_cni_version_parse(ver);
	return xc_cni_result_parse(&root, v, r, err);
}

int xc_cni_delegate(const struct xc_cni_exec *x, enum xc_cni_ver v,
		    struct xc_cni_result *r, struct xc_cni_err *err)
{
	int status = 0;
	long len = xc_cni_exec_plugin(x, &status, err);

	return xc_cni_delegate_answer(x, len, status, v, r, err);
}
