# LoongArch64 glibc/libstdc++ sysroot from sid's loong64 packages, unpacked (never installed).
SYSROOT="$BMBT_CACHE/loong64-sysroot"
if [[ ! -f $SYSROOT/.complete ]]; then
  opts=$(foreign_apt_opts loong64 loong64 sid)
  foreign_apt_update loong64 $opts
  foreign_download loong64 "$opts" "$BMBT_CACHE/debs-loong64" \
    libc6 libc6-dev libgcc-s1 libgcc-14-dev libstdc++6 libstdc++-14-dev linux-libc-dev libfdt-dev libfdt1
  rm -rf "$SYSROOT"; mkdir -p "$SYSROOT"
  for p in libc6 libc6-dev libgcc-s1 libgcc-14-dev libstdc++6 libstdc++-14-dev linux-libc-dev libfdt-dev libfdt1; do
    for f in "$BMBT_CACHE/debs-loong64/${p}"_*.deb; do dpkg -x "$f" "$SYSROOT"; done
  done
  mkdir -p "$SYSROOT/lib64"
  ln -sf ../usr/lib64/ld-linux-loongarch-lp64d.so.1 "$SYSROOT/lib64/" 2>/dev/null || true
  [[ -f $SYSROOT/usr/include/loongarch64-linux-gnu/bits/types.h || -f $SYSROOT/usr/include/bits/types.h ]] \
    || die "loong64 sysroot is incomplete"
  touch "$SYSROOT/.complete"
fi
