#!/usr/bin/env bash
# Build the x86-64 guest initramfs: a static busybox plus an /init that mounts proc/sys/devtmpfs,
# prints the marker line "BMBT-GUEST-SHELL-READY" on the console and then
#   - runs an interactive shell when the kernel command line contains `bmbt.shell`
#     (powering off when that shell exits), otherwise
#   - powers off at once: `poweroff -f` when the kernel has ACPI, otherwise (e.g. `acpi=off`, where
#     power-off would only halt the CPU) `reboot -f`, which with the kernel's `reboot=t` is a triple
#     fault and ends QEMU under -no-reboot. `bmbt.exit=poweroff|reboot` forces one of the two.
#
# Usage: scripts/build-initramfs.sh OUT.cpio.gz
#   BUSYBOX=<path>  x86-64 static busybox to use (default /bin/busybox from bookworm's busybox-static)
#
# The archive is written by a small Python newc writer (no root needed for /dev/console, owner 0:0,
# mtime 0, sorted entries, gzip without timestamp), so the same busybox always gives the same bytes.
set -euo pipefail
die() { printf 'build-initramfs: error: %s\n' "$*" >&2; exit 1; }

[[ $# == 1 ]] || { sed -n '2,13p' "$0" >&2; exit 2; }
OUT=$1
BUSYBOX=${BUSYBOX:-/bin/busybox}
[[ -x $BUSYBOX ]] || die "$BUSYBOX not found (install bookworm's busybox-static, or set BUSYBOX=)"
file -L "$BUSYBOX" | grep -q 'ELF 64-bit LSB executable, x86-64.*statically linked' \
  || die "$BUSYBOX is not a static x86-64 executable"
command -v python3 >/dev/null || die "python3 is required"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc}
cp "$BUSYBOX" "$stage/bin/busybox"
chmod 0755 "$stage/bin/busybox"
# Applet links at build time (the guest should not spend instructions on `busybox --install`).
"$BUSYBOX" --list-full | while read -r applet; do
  [[ -n $applet && $applet != bin/busybox ]] || continue
  [[ -e $stage/$applet || -L $stage/$applet ]] && continue
  mkdir -p "$stage/$(dirname "$applet")"
  ln -s /bin/busybox "$stage/$applet"
done
[[ -L $stage/bin/sh && -L $stage/sbin/poweroff ]] || die "busybox lacks the sh/poweroff applets"

cat > "$stage/init" <<'EOF'
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
cmdline=$(cat /proc/cmdline)
echo "BMBT-GUEST-SHELL-READY"
case " $cmdline " in
  *" bmbt.shell "*|*" bmbt.shell="*)
    echo "bmbt: interactive shell; exit it to power off"
    setsid cttyhack sh -l
    ;;
esac
# Power off when the kernel can (ACPI); without ACPI (acpi=off) power-off only halts the CPU, so reboot:
# with the kernel's reboot=t that is a triple fault, which ends QEMU under -no-reboot.
case " $cmdline " in
  *" bmbt.exit=reboot "*) exit_cmd=reboot ;;
  *" bmbt.exit=poweroff "*) exit_cmd=poweroff ;;
  *) if [ -d /sys/firmware/acpi ]; then exit_cmd=poweroff; else exit_cmd=reboot; fi ;;
esac
echo "bmbt: $exit_cmd"
$exit_cmd -f
# Not reached unless the kernel could neither power off nor reboot.
while :; do sleep 3600; done
EOF
chmod 0755 "$stage/init"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$stage/etc/passwd"
printf 'root:x:0:\n' > "$stage/etc/group"

mkdir -p "$(dirname "$OUT")"
python3 - "$stage" "$OUT.tmp" <<'PY'
import gzip, os, stat, sys
root, out = sys.argv[1], sys.argv[2]
entries = []  # (name, mode, data, rdevmajor, rdevminor)
for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    for n in sorted(dirnames + filenames):
        p = os.path.join(dirpath, n)
        rel = os.path.relpath(p, root)
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode):
            entries.append((rel, stat.S_IFLNK | 0o777, os.readlink(p).encode(), 0, 0))
        elif stat.S_ISDIR(st.st_mode):
            entries.append((rel, stat.S_IFDIR | 0o755, b"", 0, 0))
        else:
            with open(p, "rb") as f:
                entries.append((rel, stat.S_IFREG | (st.st_mode & 0o777), f.read(), 0, 0))
# Device nodes the kernel needs before devtmpfs is mounted (init's stdio is /dev/console).
entries.append(("dev/console", stat.S_IFCHR | 0o600, b"", 5, 1))
entries.append(("dev/null", stat.S_IFCHR | 0o666, b"", 1, 3))
entries.sort(key=lambda e: e[0])
buf = bytearray()
def pad4():
    buf.extend(b"\0" * (-len(buf) % 4))
for ino, (name, mode, data, rmaj, rmin) in enumerate(entries + [("TRAILER!!!", 0, b"", 0, 0)], 1):
    nb = name.encode() + b"\0"
    nlink = 2 if stat.S_ISDIR(mode) else 1
    fields = [ino if name != "TRAILER!!!" else 0, mode, 0, 0, nlink, 0, len(data), 0, 0, rmaj, rmin, len(nb), 0]
    buf.extend(b"070701" + b"".join(b"%08X" % v for v in fields))
    buf.extend(nb); pad4()
    buf.extend(data); pad4()
buf.extend(b"\0" * (-len(buf) % 512))
with open(out, "wb") as f:
    with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as g:
        g.write(buf)
PY
mv "$OUT.tmp" "$OUT"
echo "build-initramfs: wrote $OUT ($(stat -c %s "$OUT") bytes, busybox $("$BUSYBOX" 2>&1 | head -n1 | awk '{print $2}'))"
