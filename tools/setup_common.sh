# Helpers shared by tools/setup_deps.sh and tools/setup_mingw.sh (sourced;
# messages name the script that sourced them).

# Runs a command as root: directly when root, else through sudo.
as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo -E "$@"
  else
    echo "${0##*/}: '$*' needs root; rerun $0 as root" >&2
    return 1
  fi
}

# Runs a command, showing its output only if it fails.
quietly() {
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "${0##*/}: failed: $*" >&2
    return 1
  fi
  rm -f "$log"
}

# Where the deb-src entries written by add_deb_src go.
COIO_DEB_SRC_LIST=/etc/apt/sources.list.d/coio-deb-src.sources

# Adds deb-src entries for the Debian mirrors apt already uses for binaries.
add_deb_src() {
  local deb822=/etc/apt/sources.list.d/debian.sources
  local entries=""
  if [[ -f $deb822 ]]; then
    entries="$(awk 'BEGIN { RS = ""; ORS = "\n\n" }
      /(^|\n)Types:[^\n]*deb/ && /(^|\n)URIs:[^\n]*debian/ {
        sub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print
      }' "$deb822")"
  elif [[ -f /etc/apt/sources.list ]]; then
    # One-line format: turn it into deb822 stanzas.
    entries="$(awk '{ sub(/\[[^]]*\] */, ""); $0 = $0 }  # drop [options]
      $1 == "deb" && $2 ~ /debian/ {
        comps = $4; for (i = 5; i <= NF; i++) comps = comps " " $i
        printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n\n", $2, $3, comps
      }' /etc/apt/sources.list)"
  fi
  if [[ -z $entries ]]; then
    entries="Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
  fi
  printf '%s\n' "$entries" | as_root tee "$COIO_DEB_SRC_LIST" >/dev/null
}

has_source_package() {
  # grep reads to the end: with -q, apt-cache could die of SIGPIPE, and
  # pipefail would call that a failure.
  apt-cache showsrc "$1" 2>/dev/null | grep "^Package: $1\$" >/dev/null
}

# fetch_source PACKAGE VERSION DEST: unpacks Debian's source package PACKAGE
# (its Debian patches applied) into DEST, once: DEST/.coio-version marks it
# done. Fails unless the version starts with VERSION (the upstream release
# the build files are written for).
fetch_source() {
  local package="$1" want="$2" dest="$3"
  [[ -f $dest/.coio-version ]] && return
  if ! has_source_package "$package"; then
    echo "${0##*/}: adding a deb-src entry to fetch $package's source" >&2
    [[ -f $COIO_DEB_SRC_LIST ]] || add_deb_src
    quietly as_root apt-get update
    has_source_package "$package" || {
      echo "${0##*/}: apt has no source package '$package'" >&2
      return 1
    }
  fi
  mkdir -p "$(dirname "$dest")"
  local tmp sandbox=() version
  tmp="$(mktemp -d "$(dirname "$dest")/.$package.XXXXXX")"
  [[ $EUID -eq 0 ]] && sandbox=(-o APT::Sandbox::User=root)
  # apt checks the files against the signed Sources index, so dpkg-source
  # need not check the .dsc signature (that needs debian-keyring).
  if ! (cd "$tmp" && quietly apt-get "${sandbox[@]}" source --download-only "$package" &&
    quietly dpkg-source --no-check -x "${package}"_*.dsc src); then
    rm -rf "$tmp"
    return 1
  fi
  version="$(cd "$tmp" && ls "${package}"_*.dsc | sed "s/^${package}_\(.*\)\.dsc\$/\1/")"
  if [[ $version != "$want"* ]]; then
    echo "${0##*/}: got $package $version, want $want" >&2
    rm -rf "$tmp"
    return 1
  fi
  echo "$version" >"$tmp/src/.coio-version"
  rm -rf "$dest"
  mv "$tmp/src" "$dest"
  rm -rf "$tmp"
}
