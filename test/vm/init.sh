#!/bin/sh
# init.sh: PID 1 of the test VM (test/vm/run.sh puts it at /init).
# Mounts what busybox needs, loads the modules, runs /test/guest.sh with
# its output between markers on the console, and powers off. Whatever
# happens it powers off: a watchdog does it after xcvm.timeout seconds.
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /run /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs run /run
exec </dev/null >/dev/console 2>&1

arg() { sed -n "s/.* xcvm\\.$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
timeout=$(arg timeout)
(sleep "${timeout:-240}"; echo "@@XCVM-TIMEOUT after ${timeout:-240}s"; poweroff -f) &

echo "@@XCVM-BEGIN uptime=$(cut -d' ' -f1 /proc/uptime) kernel=$(uname -r)"
XCVM_ROUTES=$(arg routes) XCVM_MODES=$(arg modes) sh /test/guest.sh
echo "@@XCVM-END uptime=$(cut -d' ' -f1 /proc/uptime)"
sync
poweroff -f
