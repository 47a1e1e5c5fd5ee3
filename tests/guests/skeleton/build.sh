#!/bin/sh
# Build the BMBT skeleton guest image without CMake.
#   usage: tests/guests/skeleton/build.sh OUTDIR
# Produces OUTDIR/skeleton.elf, OUTDIR/skeleton.img (flat binary, load at
# 0x100000, entry = first byte), OUTDIR/skeleton.dis (objdump -d) and
# OUTDIR/skeleton.mnemonics (sorted list of mnemonics used).
# Uses the host x86-64 gcc/objcopy/objdump; override with CC/OBJCOPY/OBJDUMP.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
OUT=$1
SRC=$(cd "$(dirname "$0")" && pwd)

if [ -z "${CC:-}" ]; then
    if command -v x86_64-linux-gnu-gcc >/dev/null 2>&1; then CC=x86_64-linux-gnu-gcc; else CC=gcc; fi
fi
if [ -z "${OBJCOPY:-}" ]; then
    if command -v x86_64-linux-gnu-objcopy >/dev/null 2>&1; then OBJCOPY=x86_64-linux-gnu-objcopy; else OBJCOPY=objcopy; fi
fi
if [ -z "${OBJDUMP:-}" ]; then
    if command -v x86_64-linux-gnu-objdump >/dev/null 2>&1; then OBJDUMP=x86_64-linux-gnu-objdump; else OBJDUMP=objdump; fi
fi

# Compiler flags: one per line in cflags.txt (shared with CMakeLists.txt).
CFLAGS=$(grep -v '^#' "$SRC/cflags.txt" | tr '\n' ' ')
LDFLAGS="-nostdlib -static -no-pie -Wl,--build-id=none -Wl,-T,$SRC/skeleton.ld"

mkdir -p "$OUT"
# shellcheck disable=SC2086
$CC $CFLAGS -c "$SRC/entry.S" -o "$OUT/entry.o"
# shellcheck disable=SC2086
$CC $CFLAGS -c "$SRC/skeleton.c" -o "$OUT/skeleton.o"
# shellcheck disable=SC2086
$CC $CFLAGS $LDFLAGS "$OUT/entry.o" "$OUT/skeleton.o" -o "$OUT/skeleton.elf"
$OBJCOPY -O binary "$OUT/skeleton.elf" "$OUT/skeleton.img"
$OBJDUMP -d --no-show-raw-insn "$OUT/skeleton.elf" > "$OUT/skeleton.dis"
sh "$SRC/list-mnemonics.sh" "$OUT/skeleton.dis" > "$OUT/skeleton.mnemonics"

size=$(wc -c < "$OUT/skeleton.img")
# The flat file must cover everything up to __image_end (bss included).
NM=${NM:-$(echo "$OBJCOPY" | sed 's/objcopy$/nm/')}
if command -v "$NM" >/dev/null 2>&1; then
    end=$("$NM" "$OUT/skeleton.elf" | awk '$3 == "__image_end" { print $1 }')
    if [ -n "$end" ] && [ $((0x$end - 0x100000)) -ne "$size" ]; then
        echo "error: skeleton.img is $size bytes but __image_end is 0x$end" >&2
        exit 1
    fi
fi
if [ "$size" -ge 65536 ]; then
    echo "error: skeleton.img is $size bytes (limit 64 KiB)" >&2
    exit 1
fi
echo "skeleton.img: $size bytes"
