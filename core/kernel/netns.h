/*
 * netns: network namespaces by path, entered and left with setns(2).
 *
 * A CNI runtime names the pod's namespace by a path (/var/run/netns/NAME,
 * /proc/PID/ns/net); a path given on the command line or in JSON is not
 * trusted: it must be absolute, free of "." and ".." components, and lead to
 * an nsfs file. Opening never blocks (a FIFO planted at the path cannot
 * stall the plugin).
 *
 * setns(2) moves only the calling thread; these functions are meant for a
 * single-threaded process. Every function returns 0 (or a file descriptor
 * where documented) or a negative errno.
 *
 * Names: xc_netns_
 */
#ifndef XC_NETNS_H
#define XC_NETNS_H

/*
 * Open the network namespace at path. Returns a file descriptor
 * (O_CLOEXEC), -EINVAL for a relative path or one with "." or ".."
 * components, -ENAMETOOLONG, -ENOTSUP when the file is not a namespace
 * (not on nsfs), -EMEDIUMTYPE when it is a namespace of another type, or
 * open's error (-ENOENT, ...).
 */
int xc_netns_open(const char *path);

/*
 * The same; on -EMEDIUMTYPE *kind names the namespace's type ("mnt",
 * "uts", ...) for the caller's message, else it is NULL.
 */
int xc_netns_open_kind(const char *path, const char **kind);

/*
 * Move the calling thread into the namespace nsfd. *saved receives a
 * descriptor of the namespace it left, for xc_netns_return(). On failure
 * the thread stays where it was and *saved is -1.
 */
int xc_netns_enter(int nsfd, int *saved);

/*
 * Go back to the namespace saved by xc_netns_enter() and close saved.
 * A failure here leaves the thread in a foreign namespace: the caller
 * should treat it as fatal.
 */
int xc_netns_return(int saved);

/*
 * 1 if nsfd is the calling thread's current network namespace, 0 if it is
 * another, negative errno on error.
 */
int xc_netns_is_current(int nsfd);

#endif
