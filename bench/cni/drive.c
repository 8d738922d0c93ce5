/*
 * drive: run a CNI plugin for many pods, as a container runtime would, and
 * time each call from spawn to exit.
 *
 *   drive HOSTNS PLUGIN CNI_PATH CMD CONF PODPREFIX N PAR RESDIR [PREVDIR]
 *
 * Enters the network namespace HOSTNS (a path) once, then runs PLUGIN with
 * CNI_COMMAND=CMD for pods 0..N-1 (container ID "b<i>", CNI_NETNS
 * PODPREFIX<i>, ifname eth0), PAR calls at a time, the configuration file
 * CONF on stdin. For ADD each result is kept in RESDIR/<i>; for CHECK and
 * DEL that result goes in as prevResult. With PREVDIR an ADD gets
 * PREVDIR/<i> as prevResult (a chained plugin after the one that wrote
 * it). "@PORT@" in CONF is pod i's own number, 20000 + i (a hostPort).
 * The plugin's environment is the CNI variables and a standard PATH (the
 * reference portmap runs iptables). Prints one line per call:
 * "<i> <microseconds> <exit status> <CPU microseconds>", in the order they
 * end; the CPU time (user + system) includes the plugin's own delegate
 * (IPAM), which it waited for, and depends far less on a busy machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define MAXPAR 64
#define BUF (256 * 1024)

struct call {
	pid_t pid;
	int idx, out;
	struct timespec t0;
};

static const char *plugin, *cni_path, *cmd, *prefix, *resdir, *prevdir;
static char conf[BUF];
static size_t conf_len;

static double us_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e6 + (t.tv_nsec - t0->tv_nsec) / 1e3;
}

static size_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;
	size_t len = 0;

	if (fd < 0)
		return 0;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* CONF with every "@PORT@" replaced by pod i's number, into buf. */
static size_t with_port(int i, char *buf, size_t size)
{
	const char *p = conf, *at;
	size_t len = 0;

	while ((at = strstr(p, "@PORT@")) && len + (size_t)(at - p) + 8 < size) {
		memcpy(buf + len, p, (size_t)(at - p));
		len += (size_t)(at - p);
		len += (size_t)snprintf(buf + len, size - len, "%d", 20000 + i);
		p = at + 6;
	}
	len += (size_t)snprintf(buf + len, size - len, "%s", p);
	return len < size ? len : size - 1;
}

/*
 * The stdin of pod i: CONF, with the pod's ADD result as prevResult for
 * CHECK/DEL (PREVDIR's for ADD, when given).
 */
static size_t input(int i, char *buf, size_t size)
{
	char path[512], res[BUF];
	size_t n, len = with_port(i, buf, size);
	const char *dir = !strcmp(cmd, "ADD") ? prevdir : resdir;
	char *end;

	if (!dir)
		return len;
	snprintf(path, sizeof(path), "%s/%d", dir, i);
	n = slurp(path, res, sizeof(res));
	end = strrchr(buf, '}');
	if (!n || !end || len + n + 32 > size)
		return len;
	n = (size_t)snprintf(end, size - (size_t)(end - buf), ",\"prevResult\":%s}", res);
	return (size_t)(end - buf) + n;
}

static void start(struct call *c, int i)
{
	static char in[2 * BUF];
	char id[32], ns[512], e_cmd[32], e_id[64], e_ns[600], e_path[1024];
	char *envp[] = { e_cmd, e_id, e_ns, "CNI_IFNAME=eth0", e_path,
			 "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char *argv[] = { (char *)plugin, NULL };
	int pin[2], pout[2];
	size_t len = input(i, in, sizeof(in));

	snprintf(id, sizeof(id), "b%d", i);
	snprintf(ns, sizeof(ns), "%s%d", prefix, i);
	snprintf(e_cmd, sizeof(e_cmd), "CNI_COMMAND=%s", cmd);
	snprintf(e_id, sizeof(e_id), "CNI_CONTAINERID=%s", id);
	snprintf(e_ns, sizeof(e_ns), "CNI_NETNS=%s", ns);
	snprintf(e_path, sizeof(e_path), "CNI_PATH=%s", cni_path);
	if (pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC)) {
		perror("pipe");
		exit(2);
	}
	/* A configuration fits the pipe: write it all before the child runs. */
	fcntl(pin[1], F_SETPIPE_SZ, 1 << 20);
	if (write(pin[1], in, len) != (ssize_t)len) {
		perror("write");
		exit(2);
	}
	close(pin[1]);
	fcntl(pout[0], F_SETPIPE_SZ, 1 << 20);
	c->idx = i;
	c->out = pout[0];
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	c->pid = vfork();
	if (c->pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		execve(plugin, argv, envp);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
}

static void finish(struct call *c, int status, const struct rusage *ru)
{
	static char out[BUF];
	char path[512];
	ssize_t n, len = 0;
	double us = us_since(&c->t0);
	int fd;

	while ((n = read(c->out, out + len, sizeof(out) - 1 - (size_t)len)) > 0)
		len += n;
	close(c->out);
	if (!strcmp(cmd, "ADD") && WIFEXITED(status) && !WEXITSTATUS(status)) {
		snprintf(path, sizeof(path), "%s/%d", resdir, c->idx);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			if (write(fd, out, (size_t)len) != len)
				perror("write");
			close(fd);
		}
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		out[len] = '\0';
		fprintf(stderr, "drive: %s pod %d failed: %.300s\n", cmd, c->idx, out);
	}
	printf("%d %.0f %d %ld\n", c->idx, us, WIFEXITED(status) ? WEXITSTATUS(status) : 128,
	       (long)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000 +
	       ru->ru_utime.tv_usec + ru->ru_stime.tv_usec);
}

int main(int argc, char **argv)
{
	struct call calls[MAXPAR];
	struct rusage ru;
	int fd, n, par, next = 0, running = 0, status;
	pid_t pid;

	if (argc != 10 && argc != 11) {
		fprintf(stderr, "usage: drive HOSTNS PLUGIN CNI_PATH CMD CONF PODPREFIX N PAR "
			"RESDIR [PREVDIR]\n");
		return 2;
	}
	prevdir = argc == 11 ? argv[10] : NULL;
	plugin = argv[2];
	cni_path = argv[3];
	cmd = argv[4];
	prefix = argv[6];
	n = atoi(argv[7]);
	par = atoi(argv[8]);
	resdir = argv[9];
	if (par < 1 || par > MAXPAR)
		par = 1;
	conf_len = slurp(argv[5], conf, sizeof(conf));
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		perror(argv[1]);
		return 2;
	}
	close(fd);
	while (next < n || running) {
		while (running < par && next < n) {
			start(&calls[running], next++);
			running++;
		}
		pid = wait4(-1, &status, 0, &ru);
		if (pid < 0)
			break;
		for (int i = 0; i < running; i++) {
			if (calls[i].pid != pid)
				continue;
			finish(&calls[i], status, &ru);
			calls[i] = calls[--running];
			break;
		}
	}
	return 0;
}
