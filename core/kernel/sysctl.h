/*
 * sysctl: read and write /proc/sys values by key.
 *
 * A key is dotted ("net.ipv4.ip_forward") or slashed
 * ("net/ipv6/conf/eth0.100/accept_dad"); a key with a '/' is taken as
 * slashed and its dots are kept, which is how to name an interface whose
 * name has a dot. Keys are checked before any file is opened: no leading
 * '/', no empty, "." or ".." components, no control characters or blanks,
 * and at most XC_SYSCTL_KEY_MAX bytes. Files under /proc/sys/net belong to
 * the network namespace the caller is in when it opens them.
 *
 * Return 0 (or a length where documented) or a negative errno.
 *
 * Names: xc_sysctl_
 */
#ifndef XC_SYSCTL_H
#define XC_SYSCTL_H

#include <stddef.h>

#define XC_SYSCTL_KEY_MAX 200

/*
 * Turn key into its path under /proc/sys ("/proc/sys/net/ipv4/ip_forward")
 * in buf. -EINVAL for a key that fails the checks above, -ENAMETOOLONG if
 * it is too long or buf too small.
 */
int xc_sysctl_path(const char *key, char *buf, size_t size);

/*
 * Read key's value into buf (size bytes), without its trailing newline,
 * NUL-terminated. Returns the length, or -ENOSPC when the value does not
 * fit, or the open/read error (-ENOENT for an unknown key).
 */
int xc_sysctl_read(const char *key, char *buf, size_t size);

/* Write value (as given; no newline needed) to key. */
int xc_sysctl_write(const char *key, const char *value);

/*
 * Keys are opened beneath one descriptor of /proc/sys kept for the life of
 * the process (so in the mount namespace of the first key's open; the
 * network namespace is still the caller's at each open). A child forked
 * without an exec that closed the descriptors it inherited calls this
 * before it reads or writes a key, so that none is opened beneath
 * whatever now has that descriptor's number.
 */
void xc_sysctl_forget(void);

#endif
