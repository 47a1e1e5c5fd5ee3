#!/bin/sh
# Build one benchmark workload at one size, twice, with the host x86-64 gcc (never a cross compiler):
#   usage: benchmarks/build.sh OUTDIR WORKLOAD SIZE        (SIZE: ci | full)
# Produces, in OUTDIR:
#   WORKLOAD-SIZE.img        flat guest image for BMBT / x86-native-runner (docs/guest-image-format.md)
#   WORKLOAD-SIZE.linux      static x86-64 Linux executable (native, qemu-x86_64, box64)
#   WORKLOAD-SIZE.elf        ELF of the guest image (symbols, for debugging)
#   WORKLOAD-SIZE.mnemonics  distinct mnemonics of the guest code (objdump, AT&T spelling)
# Override the tools with CC / OBJCOPY / OBJDUMP / NM.
set -eu

if [ $# -ne 3 ]; then
    echo "usage: $0 OUTDIR WORKLOAD SIZE   (SIZE: ci | full)" >&2
    exit 2
fi
OUT=$1
NAME=$2
SIZE=$3
HERE=$(cd "$(dirname "$0")" && pwd)
SKELETON=$HERE/../tests/guests/skeleton
SRC=$HERE/workloads/$NAME.c
[ -f "$SRC" ] || { echo "error: no workload $SRC" >&2; exit 2; }
case $SIZE in
    ci) SIZE_DEF= ;;
    full) SIZE_DEF=-DBENCH_SIZE_FULL ;;
    *) echo "error: SIZE must be ci or full, not '$SIZE'" >&2; exit 2 ;;
esac

pick() { for t in "$@"; do if command -v "$t" >/dev/null 2>&1; then echo "$t"; return; fi; done; echo "$1"; }
CC=${CC:-$(pick x86_64-linux-gnu-gcc gcc)}
OBJCOPY=${OBJCOPY:-$(pick x86_64-linux-gnu-objcopy objcopy)}
OBJDUMP=${OBJDUMP:-$(pick x86_64-linux-gnu-objdump objdump)}
NM=${NM:-$(pick x86_64-linux-gnu-nm nm)}
case $($CC -dumpmachine) in
    x86_64*) ;;
    *) echo "error: $CC does not target x86-64 (set CC)" >&2; exit 2 ;;
esac

CFLAGS="$(grep -v '^#' "$HERE/cflags.txt" | tr '\n' ' ') -I$HERE/runtime $SIZE_DEF"
STEM=$OUT/$NAME-$SIZE
OBJ=$OUT/obj/$NAME-$SIZE
mkdir -p "$OBJ"

# Shared objects: the workload, main and the C library functions, compiled once for both links.
# shellcheck disable=SC2086
{
    $CC $CFLAGS -c "$SRC" -o "$OBJ/workload.o"
    $CC $CFLAGS -c "$HERE/runtime/bench_main.c" -o "$OBJ/bench_main.o"
    $CC $CFLAGS -c "$HERE/runtime/libc.c" -o "$OBJ/libc.o"
    $CC $CFLAGS -c "$HERE/runtime/guest_entry.S" -o "$OBJ/guest_entry.o"
    $CC $CFLAGS -c "$HERE/runtime/guest_io.c" -o "$OBJ/guest_io.o"
    $CC $CFLAGS -c "$HERE/runtime/linux_start.S" -o "$OBJ/linux_start.o"
    $CC $CFLAGS -c "$HERE/runtime/linux_io.c" -o "$OBJ/linux_io.o"
}
COMMON="$OBJ/workload.o $OBJ/bench_main.o $OBJ/libc.o"

# (b) flat guest image: the skeleton guest's linker script defines the format.
# shellcheck disable=SC2086
$CC $CFLAGS -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-T,"$SKELETON/skeleton.ld" \
    "$OBJ/guest_entry.o" $COMMON "$OBJ/guest_io.o" -lgcc -o "$STEM.elf"
$OBJCOPY -O binary "$STEM.elf" "$STEM.img"
size=$(wc -c < "$STEM.img")
end=$("$NM" "$STEM.elf" | awk '$3 == "__image_end" { print $1 }')
if [ -z "$end" ] || [ $((0x$end - 0x100000)) -ne "$size" ]; then
    echo "error: $STEM.img is $size bytes but __image_end is 0x$end" >&2
    exit 1
fi
$OBJDUMP -d --no-show-raw-insn "$STEM.elf" > "$STEM.dis"
sh "$SKELETON/list-mnemonics.sh" "$STEM.dis" > "$STEM.mnemonics"

# (a) static Linux executable.
# shellcheck disable=SC2086
$CC $CFLAGS -nostdlib -static -no-pie -Wl,--build-id=none \
    "$OBJ/linux_start.o" $COMMON "$OBJ/linux_io.o" -lgcc -o "$STEM.linux"
