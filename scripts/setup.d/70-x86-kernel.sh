# shellcheck disable=SC2012  # ls picks the newest cached .deb; names are Debian package files
# Debian bookworm's stock x86-64 kernel (the guest), from the host's own apt sources: downloaded and only
# its /boot unpacked (never installed). Default: the ABI that linux-image-amd64 currently depends on;
# override with BMBT_X86_KERNEL_PKG=linux-image-6.1.0-N-amd64. Once built, the cached kernel is kept
# (delete $BMBT_CACHE/x86-kernel to move to a newer one).
# Results in $BMBT_CACHE/x86-kernel:
#   bzImage  -> boot/vmlinuz-*  (XZ-compressed bzImage, for firmware/bzImage boot)
#   vmlinux     uncompressed ELF64 x86-64 with a PVH note (scripts/extract-vmlinux.py)
#   config -> boot/config-* (Debian's System.map here is a stub; real symbols are in the -dbg package)
KDIR="$BMBT_CACHE/x86-kernel"
export BMBT_X86_KERNEL_DIR="$KDIR"
if [[ ! -f $KDIR/.complete ]]; then
  kpkg="${BMBT_X86_KERNEL_PKG:-}"
  if [[ -z $kpkg ]]; then
    apt_update_once
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null \
           | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9.]+-[0-9]+-amd64$/ { print $2; exit }')
    if [[ -z $kpkg ]]; then  # fall back to the highest ABI number listed
      kpkg=$(apt-cache pkgnames linux-image-6.1.0- | grep -E '^linux-image-6\.1\.0-[0-9]+-amd64$' | sort -V | tail -n1)
    fi
  fi
  [[ -n $kpkg ]] || die "no linux-image-6.1.0-N-amd64 package found in the host's apt lists"
  debs="$BMBT_CACHE/debs-amd64"; mkdir -p "$debs"
  if ! compgen -G "$debs/${kpkg}_*.deb" >/dev/null; then
    log "downloading $kpkg (~70 MB)"
    (cd "$debs" && apt-get -o APT::Sandbox::User=root download "$kpkg" >/dev/null) || die "apt-get download $kpkg failed"
  fi
  deb=$(ls -t "$debs/${kpkg}"_*.deb | head -n1)
  rm -rf "$KDIR"; mkdir -p "$KDIR"
  # Only /boot is needed (the modules are ~400 MB unpacked).
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$KDIR" ./boot || die "unpacking /boot from $deb failed"
  vmlinuz=$(ls "$KDIR"/boot/vmlinuz-* 2>/dev/null | head -n1)
  [[ -n $vmlinuz ]] || die "$deb has no /boot/vmlinuz-*"
  kver=${vmlinuz##*/vmlinuz-}
  ln -sfn "boot/vmlinuz-$kver" "$KDIR/bzImage"
  ln -sfn "boot/config-$kver" "$KDIR/config"
  python3 "$BMBT_ROOT/scripts/extract-vmlinux.py" "$KDIR/bzImage" "$KDIR/vmlinux" >&2 \
    || die "cannot extract vmlinux from $vmlinuz"
  file -L "$KDIR/vmlinux" | grep -q 'ELF 64-bit LSB executable, x86-64' || die "$KDIR/vmlinux is not an x86-64 ELF64"
  echo "$kpkg $kver" > "$KDIR/.complete"
fi
log "x86 guest kernel: $(cat "$KDIR/.complete") in $KDIR (bzImage, vmlinux)"
