# Zydis 4.1.1 + Zycore 1.5.2 sources: one decoder version for every target (host, la64-linux, bare metal).
# Only the upstream .orig tarballs are fetched (the .dsc files are not always in the archive), with the
# checksums listed in the archive's own Sources index.
SRC="$BMBT_CACHE/src"
fetch_orig_tarball() {  # PACKAGE VERSION OPTS
  local pkg=$1 ver=$2 opts=$3 file="${1}_${2}.orig.tar.gz"
  [[ -f $SRC/dl/$file ]] && return 0
  local info dir sum
  # shellcheck disable=SC2086
  info=$(apt-cache $opts showsrc "$pkg")
  dir=$(awk '/^Directory:/ { print $2; exit }' <<<"$info")
  sum=$(awk -v f="$file" '$3 == f { print $1; exit }' <<<"$info")
  [[ -n $dir && -n $sum ]] || die "no $file listed in the sid source index"
  log "downloading $file"
  /usr/lib/apt/apt-helper download-file "$(debian_archive_url)/$dir/$file" "$SRC/dl/$file.part" "MD5Sum:$sum" >/dev/null \
    || die "download of $file failed"
  mv "$SRC/dl/$file.part" "$SRC/dl/$file"
}
if [[ ! -f $SRC/zydis/.complete ]]; then
  opts=$(foreign_apt_opts sid-src amd64 sid deb-src)
  foreign_apt_update sid-src $opts
  mkdir -p "$SRC/dl"
  fetch_orig_tarball zydis 4.1.1 "$opts"
  fetch_orig_tarball zycore-c 1.5.2 "$opts"
  rm -rf "$SRC/zydis" "$SRC/zycore"; mkdir -p "$SRC/zydis" "$SRC/zycore"
  tar -xzf "$SRC/dl/zydis_4.1.1.orig.tar.gz" -C "$SRC/zydis" --strip-components=1
  tar -xzf "$SRC/dl/zycore-c_1.5.2.orig.tar.gz" -C "$SRC/zycore" --strip-components=1
  touch "$SRC/zydis/.complete"
fi
