# QEMU 10 (system + user) from bookworm-backports: bookworm's 7.2 is too old for LoongArch UEFI.
qemu_ok() { command -v qemu-loongarch64 >/dev/null && qemu-loongarch64 -version | grep -qE 'version (9|[1-9][0-9])\.'; }
if ! qemu_ok; then
  list=/etc/apt/sources.list.d/bmbt-bookworm-backports.list
  want="deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_archive_url) bookworm-backports main"
  if [[ ! -f $list ]] || [[ $(cat "$list") != "$want" ]]; then
    echo "$want" | $SUDO tee "$list" >/dev/null
    rm -f "$APT_UPDATED_MARK"
  fi
  apt_update_once
  log "installing QEMU from bookworm-backports"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    -t bookworm-backports qemu-system-misc qemu-user >/dev/null
  qemu_ok || die "qemu-loongarch64 from bookworm-backports is not version >= 9"
fi
