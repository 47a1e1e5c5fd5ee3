# shellcheck disable=SC2012  # ls picks the newest cached .deb; names are Debian package files
# Peers built for LoongArch64 (sid's loong64 packages), unpacked with dpkg -x (never installed) into ONE
# self-contained loong64 root, $BMBT_CACHE/peers, that is also the -L prefix for qemu-loongarch64:
#   qemu-loongarch64 -L $BMBT_CACHE/peers $BMBT_CACHE/peers/usr/bin/box64 ./x86prog     (box64 dynarec)
#   qemu-loongarch64 $BMBT_CACHE/peers/usr/bin/qemu-x86_64 ./x86prog                     (QEMU TCG, static)
#   qemu-loongarch64 -L $BMBT_CACHE/peers $BMBT_CACHE/peers/usr/bin/qemu-system-x86_64 ...  (full PC emulator)
# The root carries its own loong64 glibc, so the build sysroot ($BMBT_CACHE/loong64-sysroot) stays untouched.
# Set BMBT_PEERS_SYSTEM=0 to skip qemu-system-x86 and its ~90-package dependency closure (~40 MB download).
PEERS="$BMBT_CACHE/peers"
export BMBT_PEERS="$PEERS"
peers_system="${BMBT_PEERS_SYSTEM:-1}"
peers_want="v1 system=$peers_system"
if [[ ! -f $PEERS/.complete || $(cat "$PEERS/.complete") != "$peers_want" ]]; then
  opts="$(foreign_apt_opts loong64 loong64 sid) -o APT::Sandbox::User=root"
  # shellcheck disable=SC2086
  foreign_apt_update loong64 $opts || die "apt update of sid (loong64) failed"
  debs="$BMBT_CACHE/debs-loong64"
  pkgs=(qemu-user box64 libc6 libgcc-s1)
  if [[ $peers_system == 1 ]]; then
    # Dependency closure of qemu-system-x86 in the private state (its status file is empty, so the
    # closure is complete). Virtual packages (<...>) have no .deb and are dropped.
    # shellcheck disable=SC2086
    mapfile -t closure < <(apt-cache $opts depends --recurse --no-recommends --no-suggests --no-conflicts \
        --no-breaks --no-replaces --no-enhances qemu-system-x86 | grep -v -e '^ ' -e '^<' | sort -u)
    (( ${#closure[@]} > 10 )) || die "cannot compute the dependency closure of qemu-system-x86 (loong64)"
    pkgs+=("${closure[@]}")
  fi
  foreign_download loong64 "$opts" "$debs" "${pkgs[@]}" || die "downloading loong64 peers failed"
  log "unpacking ${#pkgs[@]} loong64 packages into $PEERS"
  rm -rf "$PEERS"; mkdir -p "$PEERS"
  for p in "${pkgs[@]}"; do
    deb=$(ls -t "$debs/${p}"_*.deb 2>/dev/null | head -n1)
    [[ -n $deb ]] || die "no .deb for $p in $debs"
    if [[ $p == qemu-user ]]; then
      # qemu-user holds every target (~490 MB unpacked); keep only the x86 ones (static binaries).
      dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$PEERS" ./usr/bin/qemu-x86_64 ./usr/bin/qemu-i386 \
        || die "unpacking qemu-x86_64 from $deb failed"
    else
      dpkg -x "$deb" "$PEERS" || die "dpkg -x $deb failed"
    fi
  done
  mkdir -p "$PEERS/lib64"
  ln -sfn ../usr/lib64/ld-linux-loongarch-lp64d.so.1 "$PEERS/lib64/ld-linux-loongarch-lp64d.so.1"
  # Smoke tests: each peer must start under the host's qemu-loongarch64.
  qemu-loongarch64 "$PEERS/usr/bin/qemu-x86_64" -version | grep -q 'version' \
    || die "peer qemu-x86_64 (loong64) does not run under qemu-loongarch64"
  qemu-loongarch64 -L "$PEERS" "$PEERS/usr/bin/box64" --version 2>&1 | grep -qi 'box64' \
    || die "peer box64 (loong64) does not run under qemu-loongarch64 -L $PEERS"
  if [[ $peers_system == 1 ]]; then
    qemu-loongarch64 -L "$PEERS" "$PEERS/usr/bin/qemu-system-x86_64" -version | grep -q 'version' \
      || die "peer qemu-system-x86_64 (loong64) does not run under qemu-loongarch64 -L $PEERS"
  fi
  echo "$peers_want" > "$PEERS/.complete"
fi
log "loong64 peers in $PEERS (qemu-x86_64, box64$([[ $peers_system == 1 ]] && echo ', qemu-system-x86_64'))"
