# Shared helpers for the setup steps. Sourced, never executed.
log() { printf '[setup %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [[ $(id -u) != 0 ]]; then SUDO="sudo"; fi

# The Debian archive this machine already uses, read from its own apt configuration so that
# no archive host name is ever written into the repository.
debian_archive_url() {
  local url=""
  if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
    url=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' \
          /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  fi
  if [[ -z $url && -f /etc/apt/sources.list ]]; then
    url=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(http|https|ftp):.*\/debian\/?$/) { print $i; exit } }' \
          /etc/apt/sources.list | head -n1)
  fi
  [[ -n $url ]] || die "cannot find a Debian archive in this machine's apt configuration"
  echo "${url%/}"
}

APT_UPDATED_MARK="$BMBT_CACHE/.apt-updated"
apt_update_once() {
  if [[ ! -f $APT_UPDATED_MARK || -n $(find "$APT_UPDATED_MARK" -mmin +720 2>/dev/null) ]]; then
    $SUDO apt-get update -qq
    touch "$APT_UPDATED_MARK"
  fi
}

# apt_install_missing PKG... : install only packages not yet installed.
apt_install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "${p%%/*}" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if (( ${#missing[@]} )); then
    log "installing: ${missing[*]}"
    apt_update_once
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# A private apt state for foreign packages (loong64 from sid, sid's amd64 "all" packages):
# nothing on the host changes; packages are only downloaded and unpacked with dpkg -x.
# foreign_apt NAME ARCH SUITE [deb|deb-src] -> prints the apt options for that private state.
foreign_apt_opts() {
  local name=$1 arch=$2 suite=$3 kind=${4:-deb}
  local d="$BMBT_CACHE/apt-$name"
  mkdir -p "$d/lists/partial" "$d/archives/partial"
  local list="$d/sources.list"
  local want="$kind [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_archive_url) $suite main"
  if [[ ! -f $list ]] || [[ $(cat "$list") != "$want" ]]; then echo "$want" > "$list"; rm -f "$d/.updated"; fi
  echo "-o Dir::Etc::SourceList=$list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$d/lists" \
       "-o Dir::Cache=$d -o Dir::State::Status=/dev/null -o APT::Architecture=$arch -o APT::Architectures=$arch" \
       "-o Debug::NoLocking=1 -o APT::Sandbox::User=root"
}
foreign_apt_update() {
  local name=$1; shift
  local d="$BMBT_CACHE/apt-$name"
  if [[ ! -f $d/.updated || -n $(find "$d/.updated" -mmin +1440 2>/dev/null) ]]; then
    # shellcheck disable=SC2068
    apt-get $@ update -qq && touch "$d/.updated"
  fi
}
# foreign_download NAME "OPTS" DESTDIR PKG... : download .debs (cached) into DESTDIR
foreign_download() {
  local name=$1 opts=$2 dest=$3; shift 3
  mkdir -p "$dest"
  local need=()
  for p in "$@"; do compgen -G "$dest/${p}_*.deb" >/dev/null || need+=("$p"); done
  if (( ${#need[@]} )); then
    log "downloading ($name): ${need[*]}"
    # shellcheck disable=SC2086
    (cd "$dest" && apt-get $opts download "${need[@]}" >/dev/null)
  fi
}
