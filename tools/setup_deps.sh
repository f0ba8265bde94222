#!/usr/bin/env bash
# Prepares a Debian 12 machine for coio's offline Bazel build: installs the
# Debian packages it needs and unpacks abseil's Debian source into
# ${COIO_DEPS_DIR:-<coio>/third_party/.deps}/abseil, where repositories.bzl
# looks for it. Idempotent and silent when there is nothing to do.
#
#   tools/setup_deps.sh                 packages and abseil's source
#   tools/setup_deps.sh --abseil-only   abseil's source only (the repository
#                                       rule of @com_google_absl runs this)
set -euo pipefail

PACKAGES=(
  bazel-bootstrap bazel-platforms bazel-rules-java bazel-skylib
  g++ clang libclang-rt-14-dev
  googletest libasio-dev libcurl4-openssl-dev liburing-dev
  netcat-openbsd curl # nc and curl: the real clients of tests/examples:echo_test
  nginx openssl # the HTTP client's tests start nginx, with a certificate openssl makes
  dpkg-dev # apt-get source unpacks with dpkg-source
)
ABSEIL_VERSION=20220623 # the upstream release Debian 12 ships

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps="${COIO_DEPS_DIR:-$root/third_party/.deps}"
export DEBIAN_FRONTEND=noninteractive

# as_root, quietly
source "$(dirname "${BASH_SOURCE[0]}")/setup_common.sh"

apt_updated=0
apt_update() {
  if [[ $apt_updated -eq 0 ]]; then
    quietly as_root apt-get update
    apt_updated=1
  fi
}

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
      missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return
  echo "setup_deps.sh: installing ${missing[*]}" >&2
  apt_update
  # Installing nginx would start it as a system service on port 80; the
  # tests start their own. policy-rc.d (the Debian way) says no services.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e $policy ]]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod +x $policy"
    added_policy=1
  fi
  local rc=0
  quietly as_root apt-get install -y --no-install-recommends "${missing[@]}" || rc=$?
  [[ $added_policy -eq 1 ]] && as_root rm -f "$policy"
  return "$rc"
}

has_abseil_source() {
  apt-cache showsrc abseil 2>/dev/null | grep -q '^Package: abseil'
}

# Adds deb-src entries for the Debian mirrors apt already uses for binaries.
add_deb_src() {
  local list=/etc/apt/sources.list.d/coio-deb-src.sources
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
  printf '%s\n' "$entries" | as_root tee "$list" >/dev/null
}

fetch_abseil() {
  local dest="$deps/abseil"
  [[ -f $dest/.coio-version ]] && return
  if ! has_abseil_source; then
    echo "setup_deps.sh: adding a deb-src entry to fetch abseil's source" >&2
    [[ -f /etc/apt/sources.list.d/coio-deb-src.sources ]] || add_deb_src
    apt_updated=0
    apt_update
    has_abseil_source || {
      echo "setup_deps.sh: apt has no source package 'abseil'" >&2
      return 1
    }
  fi
  mkdir -p "$deps"
  tmp="$(mktemp -d "$deps/.abseil.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  local sandbox=()
  [[ $EUID -eq 0 ]] && sandbox=(-o APT::Sandbox::User=root)
  # apt checks the files against the signed Sources index, so dpkg-source
  # need not check the .dsc signature (that needs debian-keyring).
  (cd "$tmp" && quietly apt-get "${sandbox[@]}" source --download-only abseil &&
    quietly dpkg-source --no-check -x abseil_*.dsc src)
  local version
  version="$(cd "$tmp" && ls abseil_*.dsc | sed 's/^abseil_\(.*\)\.dsc$/\1/')"
  if [[ $version != "$ABSEIL_VERSION"* ]]; then
    echo "setup_deps.sh: got abseil $version, want $ABSEIL_VERSION" >&2
    return 1
  fi
  echo "$version" >"$tmp/src/.coio-version"
  rm -rf "$dest"
  mv "$tmp/src" "$dest"
}

if [[ ${1:-} != --abseil-only ]]; then
  install_packages
fi
fetch_abseil
