#!/usr/bin/env bash
# Reference run of the x86-64 guest (Debian bookworm's kernel + busybox initramfs) under the HOST's
# qemu-system-x86_64: the system-behaviour oracle for BMBT. Prints the guest console on stdout and exits
# with QEMU's status once the guest is done (0 = guest rebooted/powered off, 124 = timeout).
#
# Usage: scripts/run-guest-in-qemu-x86.sh [--bzimage] [--shell] [-- EXTRA QEMU ARGS...]
#   --bzimage  boot the compressed bzImage instead of the uncompressed vmlinux (PVH entry)
#   --shell    add `bmbt.shell` to the command line: interactive busybox shell on the console
# Environment:
#   BMBT_GUEST_APPEND   kernel command line (default: console=ttyS0 acpi=off reboot=t quiet)
#   BMBT_GUEST_TIMEOUT  seconds before giving up (default 60; ignored with --shell)
#   QEMU_X86            emulator command, split on spaces (default qemu-system-x86_64), e.g. the loong64
#                       peer: "qemu-loongarch64 -L $BMBT_CACHE/peers $BMBT_CACHE/peers/usr/bin/qemu-system-x86_64"
# Success criterion for a scripted run: the line "BMBT-GUEST-SHELL-READY" appears and the exit status is 0.
# Needs scripts/setup (steps 70 and 80) to have run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${BMBT_CACHE:-$ROOT/.cache}"
kernel="$CACHE/x86-kernel/vmlinux"
initrd="$CACHE/x86-initramfs/initramfs.cpio.gz"
append="${BMBT_GUEST_APPEND:-console=ttyS0 acpi=off reboot=t quiet}"
timeout="${BMBT_GUEST_TIMEOUT:-60}"
read -r -a qemu <<< "${QEMU_X86:-qemu-system-x86_64}"
extra=()
while (( $# )); do
  case "$1" in
    --bzimage) kernel="$CACHE/x86-kernel/bzImage" ;;
    --shell) append="$append bmbt.shell"; timeout=0 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run-guest-in-qemu-x86: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
for f in "$kernel" "$initrd"; do
  [[ -e $f ]] || { echo "run-guest-in-qemu-x86: $f is missing; run scripts/setup" >&2; exit 1; }
done
# microvm + qboot: 8250 UART, PIT, PIC, IOAPIC, LAPIC, RTC and no PCI, close to what BMBT provides.
# acpi=off: the kernel cannot power off, so the guest reboots; reboot=t makes that a triple fault,
# which -no-reboot turns into QEMU exiting.
cmd=("${qemu[@]}" -M microvm -bios /usr/share/qemu/qboot.rom -m 512M -smp 1
     -kernel "$kernel" -initrd "$initrd" -append "$append"
     -nographic -no-reboot "${extra[@]}")
if (( timeout > 0 )); then
  exec timeout "$timeout" "${cmd[@]}"
else
  exec "${cmd[@]}"
fi
