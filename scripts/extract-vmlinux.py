#!/usr/bin/env python3
"""Extract the uncompressed vmlinux (ELF64 x86-64) from an XZ-compressed x86 bzImage.

Usage: extract-vmlinux.py BZIMAGE OUT

The payload is located through the boot header (setup_sects at 0x1f1, payload_offset/payload_length
at 0x248/0x24c, boot protocol >= 2.08); if that fails, the first XZ stream magic (FD 37 7A 58 5A 00)
in the file is used. The result must be an ELF64 little-endian x86-64 file; its PVH entry
(XEN_ELFNOTE_PHYS32_ENTRY) is reported when present.
"""
import lzma
import os
import struct
import sys

XZ_MAGIC = b"\xfd7zXZ\x00"
XEN_ELFNOTE_PHYS32_ENTRY = 18


def die(msg):
    print(f"extract-vmlinux: error: {msg}", file=sys.stderr)
    sys.exit(1)


def payload_candidates(img):
    """Yield offsets of XZ streams: the one the boot header names first, then a magic scan."""
    if len(img) > 0x250 and img[0x202:0x206] == b"HdrS":
        version = struct.unpack_from("<H", img, 0x206)[0]
        setup_sects = img[0x1F1] or 4
        if version >= 0x208:
            pm_start = (setup_sects + 1) * 512
            off, length = struct.unpack_from("<II", img, 0x248)
            if length and img[pm_start + off:pm_start + off + 6] == XZ_MAGIC:
                yield pm_start + off
    pos = img.find(XZ_MAGIC)
    while pos >= 0:
        yield pos
        pos = img.find(XZ_MAGIC, pos + 1)


def decompress(img):
    tried = set()
    for off in payload_candidates(img):
        if off in tried:
            continue
        tried.add(off)
        try:
            d = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
            out = d.decompress(img[off:])
        except lzma.LZMAError:
            continue
        if d.eof and out[:4] == b"\x7fELF":
            return off, out
    die("no XZ stream that decompresses to an ELF file was found (is this an XZ-compressed bzImage?)")


def check_elf(elf):
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        die("payload is not a little-endian ELF64 file")
    e_type, e_machine = struct.unpack_from("<HH", elf, 16)
    if e_machine != 62:
        die(f"payload ELF machine is {e_machine}, not x86-64 (62)")
    entry = struct.unpack_from("<Q", elf, 24)[0]
    return entry


def pvh_entry(elf):
    phoff = struct.unpack_from("<Q", elf, 32)[0]
    phentsize, phnum = struct.unpack_from("<HH", elf, 54)
    for i in range(phnum):
        p_type, _flags, p_offset, _vaddr, _paddr, p_filesz = struct.unpack_from("<IIQQQQ", elf, phoff + i * phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        pos, end = p_offset, p_offset + p_filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, pos)
            name = elf[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            desc_off = pos + 12 + ((namesz + 3) & ~3)
            if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                size = 8 if descsz >= 8 else 4
                return struct.unpack_from("<Q" if size == 8 else "<I", elf, desc_off)[0]
            pos = desc_off + ((descsz + 3) & ~3)
    return None


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    src, dst = sys.argv[1], sys.argv[2]
    try:
        with open(src, "rb") as f:
            img = f.read()
    except OSError as e:
        die(str(e))
    off, elf = decompress(img)
    entry = check_elf(elf)
    pvh = pvh_entry(elf)
    tmp = dst + ".tmp"
    with open(tmp, "wb") as f:
        f.write(elf)
    os.chmod(tmp, 0o644)
    os.replace(tmp, dst)
    pvh_text = f"0x{pvh:x}" if pvh is not None else "none"
    print(f"extract-vmlinux: {src}: XZ payload at 0x{off:x} -> {dst} ({len(elf)} bytes, "
          f"ELF64 x86-64, entry 0x{entry:x}, PVH entry {pvh_text})")


if __name__ == "__main__":
    main()
