#!/usr/bin/env python3
"""vmimage.py: the two host-side pieces of test/vm/run.sh that need more
than the shell (python3 stdlib only).

  vmimage.py vmlinux BZIMAGE OUT   the ELF kernel inside a bzImage (its
                                   payload, xz or gzip, decompressed),
                                   so qemu boots it by PVH without the
                                   decompressor: about twice as fast
                                   under TCG
  vmimage.py cpio ROOT OUT         an initramfs (cpio "newc") of the tree
                                   ROOT, owned by root, mtime 0, with
                                   /dev/console added (the kernel opens
                                   it for init before anything is mounted)
"""
import gzip
import lzma
import os
import stat
import sys


def vmlinux(src, out):
    data = open(src, "rb").read()
    if data[0x202:0x206] != b"HdrS":
        sys.exit("vmimage: %s is not a bzImage" % src)
    setup = (data[0x1F1] or 4) + 1
    payload_off = int.from_bytes(data[0x248:0x24C], "little")
    payload_len = int.from_bytes(data[0x24C:0x250], "little")
    start = setup * 512 + payload_off
    blob = data[start:start + payload_len]
    if blob.startswith(b"\xfd7zXZ\x00"):
        elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(blob)
    elif blob.startswith(b"\x1f\x8b"):
        elf = gzip.decompress(blob)
    else:
        sys.exit("vmimage: unknown kernel compression (%r)" % blob[:6])
    if not elf.startswith(b"\x7fELF"):
        sys.exit("vmimage: the payload is no ELF file")
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(elf)
    os.rename(tmp, out)


def cpio_entry(f, ino, name, mode, data=b"", rdev=(0, 0), nlink=1):
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join("%08X" % v for v in (
        ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1],
        len(name_b), 0))
    f.write(hdr.encode() + name_b)
    f.write(b"\0" * (-(110 + len(name_b)) % 4))
    f.write(data)
    f.write(b"\0" * (-len(data) % 4))


def cpio(root, out):
    tmp = out + ".tmp"
    ino = 1
    with open(tmp, "wb") as f:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            rel = os.path.relpath(dirpath, root)
            if rel != ".":
                cpio_entry(f, ino, rel, stat.S_IFDIR | 0o755, nlink=2)
                ino += 1
            for n in sorted(filenames + [d for d in dirnames
                                         if os.path.islink(os.path.join(dirpath, d))]):
                p = os.path.join(dirpath, n)
                name = os.path.normpath(os.path.join(rel, n))
                st = os.lstat(p)
                if stat.S_ISLNK(st.st_mode):
                    cpio_entry(f, ino, name, stat.S_IFLNK | 0o777,
                               os.readlink(p).encode())
                elif stat.S_ISREG(st.st_mode):
                    perm = 0o755 if st.st_mode & 0o111 else 0o644
                    cpio_entry(f, ino, name, stat.S_IFREG | perm,
                               open(p, "rb").read())
                else:
                    continue
                ino += 1
        if not os.path.isdir(os.path.join(root, "dev")):
            cpio_entry(f, ino, "dev", stat.S_IFDIR | 0o755, nlink=2)
            ino += 1
        cpio_entry(f, ino, "dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1))
        cpio_entry(f, 0, "TRAILER!!!", 0)
    os.rename(tmp, out)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "vmlinux":
        vmlinux(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "cpio":
        cpio(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
