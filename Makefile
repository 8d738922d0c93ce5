# xcluster-cni: one static binary, many applets.
#
#   make            build/xcluster-cni (static musl, -Os, stripped; size printed)
#   make demo       build and show it working (the README's first command)
#   make test       build, then run every test; ends with "N passed, N failed"
#   make asan       the same tests against a gcc+glibc ASan/UBSan build (build/asan)
#   make glibc      build/glibc/xcluster-cni: gcc+glibc, -O1 -g, no sanitizer (for valgrind)
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (default 30)
#   make check      test + asan + a short fuzz run + bench-smoke: what CI runs
#                   (the README's second command)
#   make test-vm    the tunnel modes in a qemu VM with a Debian kernel (docs/vm.md)
#   make test-runtime  the plugins under a private containerd: CRI pods, ctr run
#                   --cni, restarts, config switches (docs/runtime.md)
#   make soak       the long soaks of test/soak (about 75 min; not in make check):
#                   soak-cni (kill -9 loop, 200 concurrent ADD/DEL), soak-router
#                   (30 min with 5,000 nodes and faults), soak-valgrind (10 min)
#   make bench      benchmarks in bench/ (figures, not tests); make bench-bin
#                   builds their programs alone, make bench-smoke runs each
#                   once at a small size: does it still build, run and print
#                   its table (part of make check); their data files go in
#                   build/bench/data (bench/data.sh)
#   make bench-data the benchmarks the plots read (bench/cni, bench/router) at
#                   their knobs' sizes; their data replace docs/figures/data/,
#                   then make figures (commit data and SVGs together)
#   make figures    docs/figures/*.svg from their sources (graphviz, gnuplot;
#                   the SVGs are committed, test/cli/figures.sh checks them)
#   make image      build/image/: scratch container image (OCI + docker archives,
#                   no engine needed) and the DaemonSet manifests naming it
#   make clean
#
# Variants share the sources; a variant is a build folder B plus its flags.

SHELL   := /bin/bash
.SHELLFLAGS := -o pipefail -c

B       ?= build
SAN     ?= 0
GLIBC   ?= 0
BENCH   ?= 0
BENCH_OPT ?= -O2
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)
# The file's bytes: 444 KiB, the ceiling issue 11 set for nf_tables, portmap
# and loopback (432 KiB), one page for the router's incremental computation,
# one for its reading of kernel events during a pass and one for VXLAN
# entries its routes carry (issue 12); docs/size.md says what each part
# costs and why (make size-report).
SIZE_BUDGET := 454656

ifeq ($(SAN),1)
CC      := gcc
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDOPT   := -fsanitize=address,undefined
TLS_LIB := -lbearssl
TLS_INC :=
UAPI    :=
else ifeq ($(GLIBC),1)
# valgrind cannot follow malloc in the static musl binary
CC      := gcc
OPT     := -O1 -g -fno-omit-frame-pointer
LDOPT   :=
TLS_LIB := -lbearssl
TLS_INC :=
UAPI    :=
else ifeq ($(BENCH),1)
# bench/ programs set against glibc-built contenders (cJSON, the reference
# plugins): the same compiler and libc as theirs, at BENCH_OPT
CC      := gcc
OPT     := $(BENCH_OPT)
LDOPT   :=
TLS_LIB := -lbearssl
TLS_INC :=
UAPI    :=
else
CC      := musl-gcc
OPT     := -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
LDOPT   := -static -s -Wl,--gc-sections
TLS_LIB := $(B)/bearssl/libbearssl.a
TLS_INC := -isystem $(B)/bearssl/bearssl-0.6/inc
UAPI    := $(B)/uapi/.done
endif

CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           $(OPT) -Icore -I$(B)/gen $(if $(UAPI),-isystem $(B)/uapi) $(TLS_INC)

CORE_SRC   := $(wildcard core/*/*.c)
APPLET_SRC := $(wildcard applets/*.c)
CORE_OBJ   := $(CORE_SRC:%.c=$(B)/obj/%.o)
APPLET_OBJ := $(APPLET_SRC:%.c=$(B)/obj/%.o)
MAIN_OBJ   := $(B)/obj/core/main.o
UNIT_SRC   := $(wildcard test/unit/test_*.c)
UNIT_BIN   := $(UNIT_SRC:test/unit/%.c=$(B)/test/%)
BENCH_SRC  := $(wildcard bench/*/*.c)
BIN        := $(B)/xcluster-cni
DEPS_OK    := $(B)/.deps-build

XC_VERSION := $(shell git describe --always --dirty --tags 2>/dev/null || cat VERSION 2>/dev/null || echo 0.0-unknown)

.PHONY: all demo test asan glibc fuzz check soak soak-cni soak-router soak-valgrind bench bench-bin bench-smoke bench-data clean tests-bin image figures size-report
all: $(BIN)

# --- toolchain and third-party pieces (installed or fetched once) ---------------
$(B)/.deps-build:
	$(Q)mkdir -p $(@D)
	$(Q)vendor/deps.sh build
	$(Q)touch $@

$(B)/.deps-test:
	$(Q)mkdir -p $(@D)
	$(Q)vendor/deps.sh test
	$(Q)touch $@

# musl sees no Linux UAPI headers: give it a private copy of linux-libc-dev's.
$(B)/uapi/.done: | $(DEPS_OK)
	$(Q)mkdir -p $(B)/uapi
	$(Q)cp -r /usr/include/linux /usr/include/asm-generic $(B)/uapi/
	$(Q)cp -r /usr/include/$$(gcc -print-multiarch)/asm $(B)/uapi/
	$(Q)touch $@

$(B)/bearssl/libbearssl.a: vendor/bearssl.sh | $(DEPS_OK)
	@echo "  BEARSSL  $@"
	$(Q)vendor/bearssl.sh $(B)/bearssl
	$(Q)$(MAKE) -s -C $(B)/bearssl/bearssl-0.6 lib BUILD=build CC=musl-gcc AR=ar LD=musl-gcc \
		CFLAGS='-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -W -Wall' \
		MAKEFLAGS= >/dev/null
	$(Q)cp $(B)/bearssl/bearssl-0.6/build/libbearssl.a $@

# --- generated headers: rewritten only when their content changes --------------
$(B)/gen/version.h: FORCE | $(DEPS_OK)
	$(Q)mkdir -p $(@D)
	$(Q)echo '#define XC_VERSION "$(XC_VERSION)"' > $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

$(B)/gen/applets.h: FORCE | $(DEPS_OK)
	$(Q)mkdir -p $(@D)
	$(Q)for f in $(sort $(APPLET_SRC)); do n=$${f#applets/}; printf "APPLET(%s) " "$${n%.c}"; done > $@.tmp; echo >> $@.tmp; sed -i "1s/^/#define XC_APPLETS /" $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@

FORCE:

# --- objects and the binary ----------------------------------------------------
# Code that runs once per start, command line or connection (the
# DaemonSet's install step, the CLI applets, a kubeconfig and its PEM, a
# certificate's names, the router's flags) is built for size alone (-Oz:
# ~750 bytes less; its time is microseconds either way). docs/size.md.
COLD_SRC := applets/install.c applets/ipcalc.c applets/nodes.c core/kube/k8s_config.c \
            core/kube/yaml.c core/kube/yaml_scan.c core/kube/tls_pem.c core/kube/tls_name.c \
            core/router/rtconf.c
$(COLD_SRC:%.c=$(B)/obj/%.o): COLD := $(if $(filter -Os,$(OPT)),-Oz)

$(B)/obj/%.o: %.c $(if $(UAPI),$(UAPI)) $(filter-out -l%,$(TLS_LIB)) | $(B)/gen/version.h $(B)/gen/applets.h
	$(Q)mkdir -p $(@D)
	@echo "  CC       $<"
	$(Q)$(CC) $(CFLAGS) $(COLD) -MMD -MP -c -o $@ $<

$(MAIN_OBJ): $(B)/gen/applets.h $(B)/gen/version.h

$(BIN): $(MAIN_OBJ) $(APPLET_OBJ) $(CORE_OBJ) $(filter-out -l%,$(TLS_LIB))
	@echo "  LD       $@"
	$(Q)$(CC) $(LDOPT) -o $@ $(MAIN_OBJ) $(APPLET_OBJ) $(CORE_OBJ) $(TLS_LIB)
	@s=$$(stat -c %s $@); echo "  SIZE     $@: $$s bytes (budget $(SIZE_BUDGET))"; \
	  [ $(SAN)$(GLIBC) != 00 ] || [ $$s -le $(SIZE_BUDGET) ] || { echo "over the size budget" >&2; rm -f $@; exit 1; }

# --- tests ---------------------------------------------------------------------
$(B)/test/%: test/unit/%.c $(wildcard test/lib/*.h) $(CORE_OBJ) $(filter-out -l%,$(TLS_LIB))
	$(Q)mkdir -p $(@D)
	@echo "  TEST-CC  $<"
	$(Q)$(CC) $(CFLAGS) -Itest/lib $(filter-out -s,$(LDOPT)) -o $@ $< $(CORE_OBJ) $(TLS_LIB)

tests-bin: $(BIN) $(UNIT_BIN) $(B)/.deps-test

test: tests-bin
	$(Q)XC=$(abspath $(BIN)) XC_TESTBIN=$(abspath $(B)/test) test/run.sh

asan:
	$(Q)$(MAKE) --no-print-directory B=build/asan SAN=1 test

glibc:
	$(Q)$(MAKE) --no-print-directory B=build/glibc GLIBC=1

# The whole gate: every suite on the release build and under sanitizers, a
# short fuzz smoke run, then every benchmark once at a small size (so that a
# benchmark which no longer builds or runs is seen here, not when figures are
# next wanted). Each step prints its own closing line; the last one printed
# is the sum over all four.
check:
	$(Q)vendor/deps.sh build test fuzz bench figures runtime
	$(Q)mkdir -p build
	$(Q)$(MAKE) --no-print-directory test 2>&1 | tee build/check-test.log
	$(Q)$(MAKE) --no-print-directory asan 2>&1 | tee build/check-asan.log
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS) 2>&1 | tee build/check-fuzz.log
	$(Q)$(MAKE) --no-print-directory bench-smoke 2>&1 | tee build/check-bench.log
	$(Q)test/sum.sh build/check-test.log build/check-asan.log build/check-fuzz.log build/check-bench.log

CHECK_FUZZ_SECONDS ?= 15

demo: $(BIN)
	$(Q)XC=$(abspath $(BIN)) test/demo.sh

# sit, ipip and vxlan need modules this machine's kernel lacks: boot Debian's
# kernel under qemu (cached in build/vm) and run test/vm there.
.PHONY: test-vm
test-vm: $(BIN)
	$(Q)vendor/deps.sh vm
	$(Q)XC=$(abspath $(BIN)) test/vm/run.sh

# The plugins driven by Debian's containerd and runc, as a kubelet's node
# runs them (test/runtime/run.sh; docs/runtime.md). Not in make test: it
# needs its own packages and starts a container runtime.
.PHONY: test-runtime
test-runtime: $(BIN)
	$(Q)vendor/deps.sh runtime
	$(Q)mkdir -p build
	$(Q)XC=$(abspath $(BIN)) test/runtime/run.sh 2>&1 | tee build/check-runtime.log

# --- soaks: long runs with figures (docs/reliability.md); each log in build/ ---
soak: soak-cni soak-router soak-valgrind
	$(Q)test/sum.sh build/soak-cni-kill.log build/soak-cni-concurrent.log \
	  build/soak-router.log build/soak-valgrind.log

soak-cni: $(BIN)
	$(Q)vendor/deps.sh test
	$(Q)XC=$(abspath $(BIN)) sh test/soak/cni_kill.sh 2>&1 | tee build/soak-cni-kill.log
	$(Q)XC=$(abspath $(BIN)) sh test/soak/cni_concurrent.sh 2>&1 | tee build/soak-cni-concurrent.log

soak-router: $(BIN)
	$(Q)vendor/deps.sh test
	$(Q)XC=$(abspath $(BIN)) sh test/soak/router_soak.sh 2>&1 | tee build/soak-router.log

soak-valgrind:
	$(Q)vendor/deps.sh test soak
	$(Q)$(MAKE) --no-print-directory glibc
	$(Q)XC=$(abspath build/glibc/xcluster-cni) sh test/soak/router_valgrind.sh 2>&1 | tee build/soak-valgrind.log

# --- fuzzing and benchmarks ----------------------------------------------------
FUZZ_SECONDS ?= 30
fuzz:
	$(Q)vendor/deps.sh fuzz
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) test/fuzz/run.sh

# A benchmark's program links the core objects of a variant, as the unit tests
# do, so that a new core/ file cannot leave a benchmark behind.
# bench/DIR/NAME.c -> $(B)/bench/DIR/NAME (+ BENCH_LIBS_DIR/NAME).
BENCH_LIBS_json/bench := -lcjson
$(B)/bench/%: bench/%.c $(CORE_OBJ) $(filter-out -l%,$(TLS_LIB))
	$(Q)mkdir -p $(@D)
	@echo "  BENCH-CC $<"
	$(Q)$(CC) $(CFLAGS) $(LDOPT) -o $@ $< $(CORE_OBJ) $(TLS_LIB) $(BENCH_LIBS_$*)

# bench/json without cJSON: core/base/json in another variant's flags (BENCH_OPT=-Os).
$(B)/bench/json/bench-ours: bench/json/bench.c $(CORE_OBJ) $(filter-out -l%,$(TLS_LIB))
	$(Q)mkdir -p $(@D)
	@echo "  BENCH-CC $< (ours only)"
	$(Q)$(CC) $(CFLAGS) -DOURS_ONLY $(LDOPT) -o $@ $< $(CORE_OBJ) $(TLS_LIB)

# Which variant builds which program: gcc+glibc -O2 where the contender is
# built that way (cJSON; drive and floor beside the reference plugins), -Os
# for core/base/json as the release binary has it; bench/k8s measures the
# router's own LIST and WATCH, so it is the release build (musl, static).
BENCH_O2 := build/bench-O2
BENCH_OS := build/bench-Os
BENCH_ENV = XC=$(abspath $(BIN)) \
	JSON_BENCH_BIN=$(abspath $(BENCH_O2)/bench/json/bench) \
	JSON_BENCH_BIN_OS=$(abspath $(BENCH_OS)/bench/json/bench-ours) \
	CNI_BENCH_DRIVE=$(abspath $(BENCH_O2)/bench/cni/drive) \
	CNI_BENCH_FLOOR=$(abspath $(BENCH_O2)/bench/cni/floor) \
	K8S_BENCH_BIN=$(abspath $(B)/bench/k8s/bench)

bench-bin: $(BIN) $(B)/bench/k8s/bench
	$(Q)vendor/deps.sh bench
	$(Q)$(MAKE) -s --no-print-directory B=$(BENCH_O2) BENCH=1 $(filter-out %/k8s/bench,$(BENCH_SRC:%.c=$(BENCH_O2)/%))
	$(Q)$(MAKE) -s --no-print-directory B=$(BENCH_OS) BENCH=1 BENCH_OPT=-Os $(BENCH_OS)/bench/json/bench-ours

bench: bench-bin
	$(Q)$(BENCH_ENV) BENCH_COMMAND="make bench" bench/run.sh

# The plots' data: the benchmarks they read, run into a fresh folder; only when
# all ran do their files replace docs/figures/data/*.tsv (BENCH_PLOTTED=cni
# refreshes one). The sizes are the knobs', e.g. (a loaded 2-core machine)
#   make bench-data CNI_BENCH_PODS=100 BENCH_NODES="1000 5000"
BENCH_PLOTTED ?= cni router
BENCH_DATA_NEW := build/bench/data-new
bench-data: bench-bin
	$(Q)rm -rf $(BENCH_DATA_NEW)
	$(Q)$(BENCH_ENV) BENCH_DATA=$(abspath $(BENCH_DATA_NEW)) BENCH_COMMAND="make bench-data" \
		bench/run.sh $(BENCH_PLOTTED)
	$(Q)mkdir -p docs/figures/data
	$(Q)cp $(BENCH_DATA_NEW)/*.tsv docs/figures/data/
	$(Q)$(MAKE) --no-print-directory figures

# What each part of the binary costs (bench/size.sh; the table in docs/size.md).
size-report: $(BIN)
	$(Q)bench/size.sh

bench-smoke: bench-bin
	$(Q)$(BENCH_ENV) bench/smoke.sh

# --- figures of the docs: diagrams (NAME.dot) and plots (NAME.gp + data) ------
# Each SVG records the hash of its inputs, so that the test suite finds a
# stale one without these tools; docs/figures/gen.sh says how.
figures:
	$(Q)vendor/deps.sh figures
	$(Q)docs/figures/gen.sh build

# --- container image: assembled by image/build.sh, byte-reproducible -----------
IMAGE_NAME ?= localhost/xcluster-cni
IMAGE_TAG  ?= $(shell printf '%s' '$(XC_VERSION)' | tr -c 'A-Za-z0-9_.-' '-')
IMAGE      ?= $(IMAGE_NAME):$(IMAGE_TAG)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

image: $(BIN)
	$(Q)SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) image/build.sh $(BIN) $(B)/image $(IMAGE) \
		xcluster-cni.yaml xcluster-cni-secondary-net.yaml

clean:
	rm -rf build

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
