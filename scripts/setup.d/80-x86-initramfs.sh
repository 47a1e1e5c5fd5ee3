# The x86-64 guest's initramfs: bookworm's static busybox (busybox-static, installed by step 10) and an
# /init that prints "BMBT-GUEST-SHELL-READY" and powers off (or gives a shell with `bmbt.shell`).
# Built by scripts/build-initramfs.sh; rebuilt only when that script or the busybox binary changes.
INITRAMFS="$BMBT_CACHE/x86-initramfs/initramfs.cpio.gz"
export BMBT_X86_INITRAMFS="$INITRAMFS"
[[ -x /bin/busybox ]] || die "/bin/busybox is missing (step 10 installs busybox-static)"
initramfs_inputs=$(sha256sum "$BMBT_ROOT/scripts/build-initramfs.sh" /bin/busybox | awk '{print $1}' | tr '\n' ' ')
if [[ ! -s $INITRAMFS || ! -f $INITRAMFS.inputs || $(cat "$INITRAMFS.inputs") != "$initramfs_inputs" ]]; then
  BUSYBOX=/bin/busybox bash "$BMBT_ROOT/scripts/build-initramfs.sh" "$INITRAMFS" >&2 \
    || die "building $INITRAMFS failed"
  echo "$initramfs_inputs" > "$INITRAMFS.inputs"
fi
log "x86 guest initramfs: $INITRAMFS"
