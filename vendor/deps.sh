#!/bin/bash
# Make sure the Debian packages the build and the tests need are present.
# Usage: vendor/deps.sh GROUP... (build, test, fuzz, bench, vm, soak, figures, runtime)
# As root it installs what is missing with apt-get; otherwise it names the
# one command to run and fails.
set -eu

need() { # package that provides $1 (a file or a command)
	case "$1" in
	/*) [ -e "$1" ] ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac || missing="$missing $2"
}

missing=""
for group in "${@:-build}"; do
case "$group" in
build)
	need musl-gcc musl-tools
	need /usr/include/linux/rtnetlink.h linux-libc-dev
	need xz xz-utils
	need dpkg-source dpkg-dev
	need sha256sum coreutils
	;;
test)
	need gcc gcc
	need ip iproute2
	need sipcalc sipcalc
	need /usr/include/bearssl.h libbearssl-dev
	need python3 python3
	need openssl openssl # test/lib/mkcerts.sh
	# image and manifest suites: read the image back, load it, validate the YAML
	need skopeo skopeo
	need umoci umoci
	need podman podman
	need ctr containerd
	need /usr/lib/python3/dist-packages/yaml/__init__.py python3-yaml
	need /usr/lib/python3/dist-packages/kubernetes/__init__.py python3-kubernetes
	# bridge suites: the reference plugins to compare with and chain after
	need /usr/lib/cni/bridge containernetworking-plugins
	need /usr/lib/cni/host-local containernetworking-plugins # node_local_ref.sh
	need jq jq
	need ping iputils-ping
	need nsenter util-linux
	need iptables iptables # the reference portmap
	need nft nftables      # masq.sh, test_nft: Debian's nft reads our tables back
	need strace strace     # bridge_ipam_paths.sh: which IPAM path ran
	need bridge iproute2   # bridge vlan show
	;;
fuzz)
	need clang clang
	need /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev
	;;
bench)
	need /usr/include/cjson/cJSON.h libcjson-dev
	need /usr/bin/time time
	need gcc gcc         # make bench-bin: gcc + glibc builds (BENCH=1)
	need /usr/include/bearssl.h libbearssl-dev # their core objects include TLS
	need python3 python3 # bench/json/gen.py, the fake API server
	need ip iproute2     # bench/cni and bench/router: network namespaces
	need openssl openssl # bench/k8s, bench/router: the fake API server's certificates
	need /usr/lib/cni/bridge containernetworking-plugins # bench/cni: the reference
	need iptables iptables # bench/portmap: the reference portmap
	;;
vm)	# make test-vm: qemu under TCG; the kernel and busybox-static are
	# fetched with apt-get download into build/vm by test/vm/run.sh
	need qemu-system-x86_64 qemu-system-x86
	need python3 python3 # test/vm/vmimage.py
	need timeout coreutils
	;;
soak)	# test/soak: router_valgrind.sh runs the glibc build (make glibc) under it
	need valgrind valgrind
	need /usr/include/bearssl.h libbearssl-dev
	need python3 python3
	;;
figures) # make figures: docs/figures/gen.sh (dot for NAME.dot, gnuplot for NAME.gp)
	need dot graphviz
	need gnuplot gnuplot-nox
	need sha256sum coreutils
	need python3 python3 # gen.sh check: is each SVG well-formed XML
	;;
runtime) # make test-runtime, bench/runtime: a private containerd (test/runtime/rt.lib)
	need containerd containerd
	need ctr containerd
	need runc runc
	need umoci umoci                  # the sandbox image, packed without a registry
	need /bin/busybox busybox-static  # its rootfs (static: nothing else to copy)
	need /usr/lib/python3/dist-packages/grpc/__init__.py python3-grpcio      # test/runtime/cri.py
	need /usr/lib/python3/dist-packages/grpc_tools/protoc.py python3-grpc-tools # its stubs
	need /usr/lib/cni/loopback containernetworking-plugins # the CRI plugin runs loopback; bench's reference
	need /usr/lib/cni/host-local containernetworking-plugins
	need nsenter util-linux
	need unshare util-linux
	need ip iproute2
	need ping iputils-ping
	need jq jq
	need iptables iptables # the reference portmap, chained after our bridge
	need nft nftables      # run.sh's masquerade checks read the router's table
	need curl curl         # ... a hostPort from the node
	;;
*)
	echo "deps.sh: unknown group '$group' (build, test, fuzz, bench, vm, soak, figures, runtime)" >&2
	exit 2
	;;
esac
done

[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing packages:$missing" >&2
	echo "run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 ||
	{ apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing >/dev/null; }
