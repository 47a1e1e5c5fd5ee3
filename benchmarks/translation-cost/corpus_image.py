#!/usr/bin/env python3
"""Packs every code snippet of an x86-diff corpus (tests/x86-diff/corpus_format.h) into one flat
guest image for bmbt-trace: the entry is a chain of `jz rel32`, one per snippet (taken: the
snippet; not taken: the next jz), and every snippet is followed by `hlt`. Translating the image
therefore translates every snippet once, as a block of its own.

usage: corpus_image.py CORPUS.bin OUT.img
"""
import struct
import sys

MAGIC = b"BMBTX86V"
HEADER_BYTES = 40
JZ_REL32_LEN = 6       # 0f 84 rel32
STATE_BYTES = 20 * 8   # State: 20 x u64
FIXED_BYTES = 4 + 8 + 4 + 8 + 3 * 8 + 2 * STATE_BYTES  # record_bytes .. State out


def snippets(data):
    if data[:8] != MAGIC:
        sys.exit("corpus_image: %s is not an x86-diff corpus (bad magic)" % sys.argv[1])
    version, header_bytes = struct.unpack_from("<II", data, 8)
    if version != 1 or header_bytes != HEADER_BYTES:
        sys.exit("corpus_image: unsupported corpus version %d (header %d bytes)" % (version, header_bytes))
    pos = HEADER_BYTES
    while pos < len(data):
        if pos + 4 > len(data):
            sys.exit("corpus_image: truncated record at offset %d" % pos)
        (record_bytes,) = struct.unpack_from("<I", data, pos)
        if record_bytes < FIXED_BYTES or pos + record_bytes > len(data):
            sys.exit("corpus_image: bad record length %d at offset %d" % (record_bytes, pos))
        code_len = data[pos + 4 + 3]
        code_at = pos + FIXED_BYTES
        yield data[code_at:code_at + code_len]
        pos += record_bytes


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    with open(sys.argv[1], "rb") as f:
        codes = list(snippets(f.read()))
    chain_len = JZ_REL32_LEN * len(codes) + 1  # the chain ends in hlt
    out = bytearray()
    body = bytearray()
    for i, code in enumerate(codes):
        target = chain_len + len(body)
        out += b"\x0f\x84" + struct.pack("<i", target - (len(out) + JZ_REL32_LEN))
        body += code + b"\xf4"
    out += b"\xf4" + body
    with open(sys.argv[2], "wb") as f:
        f.write(out)
    print("corpus_image: %d snippets, %d bytes" % (len(codes), len(out)))


if __name__ == "__main__":
    main()
