# shellcheck disable=SC2012  # ls picks the newest cached .deb; names are Debian package files
# edk2 UEFI firmware for QEMU's LoongArch `virt` board, from sid's qemu-efi-loongarch64
# (Architecture: all, listed on the amd64 side), downloaded and unpacked with dpkg -x (never installed).
# Result: $BMBT_EDK2_DIR/QEMU_EFI.fd and QEMU_VARS.fd (read-only template: copy VARS before use).
EDK2="$BMBT_CACHE/edk2"
export BMBT_EDK2_DIR="$EDK2/usr/share/qemu-efi-loongarch64"
if [[ ! -f $EDK2/.complete ]]; then
  opts="$(foreign_apt_opts sid-amd64 amd64 sid) -o APT::Sandbox::User=root"
  # shellcheck disable=SC2086
  foreign_apt_update sid-amd64 $opts || die "apt update of sid (amd64) failed"
  foreign_download sid-amd64 "$opts" "$BMBT_CACHE/debs-all" qemu-efi-loongarch64 \
    || die "cannot download qemu-efi-loongarch64 from sid"
  rm -rf "$EDK2"; mkdir -p "$EDK2"
  deb=$(ls -t "$BMBT_CACHE"/debs-all/qemu-efi-loongarch64_*.deb | head -n1)
  dpkg -x "$deb" "$EDK2" || die "dpkg -x $deb failed"
  for f in QEMU_EFI.fd QEMU_VARS.fd; do
    [[ -s $BMBT_EDK2_DIR/$f ]] || die "qemu-efi-loongarch64 has no $f (looked in $BMBT_EDK2_DIR)"
  done
  touch "$EDK2/.complete"
fi
log "edk2 for LoongArch virt: $BMBT_EDK2_DIR/QEMU_EFI.fd"
