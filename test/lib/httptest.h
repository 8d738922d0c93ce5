/*
 * httptest.h: run test/lib/httptest_server.py for a C test suite.
 *
 * ht_start() makes the test certificates (test/lib/mkcerts.sh, once), starts
 * the server with pipes on its stdin and stdout, and waits for its "ready"
 * line; ht_port(NAME) gives a listener's port. The server is killed by PID
 * at exit, and it also leaves by itself when its stdin closes, so a test that
 * dies leaves nothing behind. A watchdog alarm ends a hung suite.
 */
#ifndef XC_HTTPTEST_H
#define XC_HTTPTEST_H

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t ht_pid;
static int ht_stdin = -1;
static char ht_dir[512];
static struct { char name[32]; int port; } ht_ports[32];
static int ht_nports;

static inline void ht_stop(void)
{
	if (ht_pid > 0) {
		kill(ht_pid, SIGTERM);
		waitpid(ht_pid, NULL, 0);
		ht_pid = 0;
	}
	if (ht_stdin >= 0)
		close(ht_stdin);
	ht_stdin = -1;
}

/* The certificate folder, built by mkcerts.sh the first time. */
static inline const char *ht_certs(void)
{
	const char *bin = getenv("XC_TESTBIN");
	char cmd[700];

	if (!ht_dir[0]) {
		snprintf(ht_dir, sizeof(ht_dir), "%s/certs", bin && *bin ? bin : "build/test");
		snprintf(cmd, sizeof(cmd), "sh test/lib/mkcerts.sh '%s'", ht_dir);
		if (system(cmd) != 0) {
			printf("FAIL mkcerts.sh %s\n", ht_dir);
			exit(1);
		}
	}
	return ht_dir;
}

/* Path of a file in the certificate folder (a static buffer per call site). */
static inline const char *ht_file(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", ht_certs(), name);
	return buf;
}

static inline int ht_read_ports(int fd)
{
	char buf[2048], *line, *save;
	size_t len = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (!memmem(buf, len, "ready\n", 6)) {
		if (poll(&p, 1, 60000) <= 0 || len >= sizeof(buf) - 1)
			return -1;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
	}
	buf[len] = 0;
	for (line = strtok_r(buf, "\n", &save); line && ht_nports < 32;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%31s %d", ht_ports[ht_nports].name, &ht_ports[ht_nports].port) == 2)
			ht_nports++;
	}
	return 0;
}

static inline int ht_start(void)
{
	int in[2], out[2];
	const char *dir = ht_certs();

	alarm(300);
	if (pipe(in) || pipe(out))
		return -1;
	ht_pid = fork();
	if (ht_pid < 0)
		return -1;
	if (ht_pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		execlp("python3", "python3", "test/lib/httptest_server.py", dir, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	ht_stdin = in[1];
	atexit(ht_stop);
	if (ht_read_ports(out[0])) {
		close(out[0]);
		printf("FAIL httptest_server.py did not start\n");
		return -1;
	}
	close(out[0]);
	return 0;
}

/* Port of listener NAME, or 0 when the server could not open it. */
static inline int ht_port(const char *name)
{
	int i;

	for (i = 0; i < ht_nports; i++)
		if (!strcmp(ht_ports[i].name, name))
			return ht_ports[i].port;
	return 0;
}

#endif
