#!/bin/sh
# size: what each part of the release binary costs, in bytes of the file.
# Links the binary once more with a linker map (the same objects and
# flags as make) and adds up the input sections the linker kept, by part:
# core/'s five parts, each applet, BearSSL, musl's libc; the rest of the
# file is ELF headers and the padding that puts code, read-only data and
# data on pages of their own. `make size-report` runs it; docs/size.md
# holds its last table.
#
#   SIZE_MAP   where the map goes (default build/size/xcluster-cni.map)
set -eu
cd "$(dirname "$0")/.."
map=${SIZE_MAP:-build/size/xcluster-cni.map}
bin=${map%.map}
mkdir -p "$(dirname "$map")"
make -s B=build all >/dev/null
objs=$(ls build/obj/core/main.o build/obj/applets/*.o build/obj/core/*/*.o)
# shellcheck disable=SC2086 # the object list is words
musl-gcc -static -s -Wl,--gc-sections -Wl,-Map="$map" -o "$bin" $objs build/bearssl/libbearssl.a
python3 - "$map" "$bin" <<'PY'
import os, re, sys
mp, binary = sys.argv[1], sys.argv[2]
parts, files = {}, {}
live = False
pending = None
def part_of(f):
    m = re.match(r'build/obj/core/([a-z]+)/', f)
    if m: return 'core/' + m.group(1)
    m = re.match(r'build/obj/applets/([a-z_]+)\.o', f)
    if m: return 'applet ' + m.group(1).replace('_', '-')
    if f.startswith('build/obj/core/main.o'): return 'core/main.c'
    if 'bearssl' in f: return 'BearSSL'
    if 'libc.a' in f or 'musl' in f: return 'musl libc'
    return 'startup (crt, libgcc)'
def add(name, size, f):
    if not re.match(r'\.(text|rodata|data|init|fini|eh_frame|got|tdata)', name): return
    if name.startswith('.data') and False: return
    p = part_of(f)
    parts[p] = parts.get(p, 0) + size
    if p.startswith('core/') or p.startswith('applet') or p == 'musl libc':
        files[f] = files.get(f, 0) + size
for line in open(mp):
    if line.startswith('Linker script and memory map'):
        live = True; continue
    if not live: continue
    m = re.match(r'^ (\.[^ \n]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)', line)
    if m:
        if int(m.group(2), 16): add(m.group(1), int(m.group(3), 16), m.group(4))
        pending = None; continue
    m = re.match(r'^ (\.[^ \n]+)\s*$', line)
    if m: pending = m.group(1); continue
    m = re.match(r'^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)', line)
    if m and pending:
        if int(m.group(1), 16): add(pending, int(m.group(2), 16), m.group(3))
        pending = None
total = os.path.getsize(binary)
kept = sum(parts.values())
print('| part | bytes | share |')
print('|---|---:|---:|')
for p, n in sorted(parts.items(), key=lambda x: -x[1]):
    print('| %s | %d | %.1f%% |' % (p, n, 100.0 * n / total))
print('| ELF headers and page padding | %d | %.1f%% |' % (total - kept, 100.0 * (total - kept) / total))
print('| **the file** | **%d** | |' % total)
print()
def table(title, pick, rename):
    print(title)
    print()
    print('| file | bytes |')
    print('|---|---:|')
    for f, n in sorted(((f, n) for f, n in files.items() if pick(f)), key=lambda x: -x[1])[:10]:
        print('| %s | %d |' % (rename(f), n))
    print()
table('The ten largest files of ours:', lambda f: f.startswith('build/obj/'),
      lambda f: f.replace('build/obj/', '').replace('.o', '.c'))
table("The ten largest members of musl's libc:", lambda f: 'libc.a' in f,
      lambda f: re.sub(r'.*libc\.a\((.*)\.lo\)', r'\1', f))
PY
