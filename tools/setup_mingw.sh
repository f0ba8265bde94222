#!/usr/bin/env bash
# Prepares a Debian 12 machine for the Windows build (--config=mingw): installs
# mingw-w64's -posix compilers and Wine 8, makes the Wine prefix that
# tools/wine/run_test.sh copies for every test, and unpacks Debian's curl
# source into ${COIO_DEPS_DIR:-<coio>/third_party/.deps}/curl, which Bazel
# builds for Windows (third_party/curl.BUILD). Idempotent and silent when
# there is nothing to do.
#
#   tools/setup_mingw.sh              packages, the template prefix at
#                                     ${COIO_WINE_TEMPLATE:-/var/cache/coio/wine-template},
#                                     curl's source
#   tools/setup_mingw.sh --curl-only  curl's source only (the repository
#                                     rule of @curl_windows runs this)
set -euo pipefail

PACKAGES=(
  g++-mingw-w64-x86-64-posix gcc-mingw-w64-x86-64-posix
  wine wine64
  dpkg-dev # apt-get source unpacks with dpkg-source
)
CURL_VERSION=7.88.1 # the upstream release Debian 12 ships

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps="${COIO_DEPS_DIR:-$root/third_party/.deps}"
template="${COIO_WINE_TEMPLATE:-/var/cache/coio/wine-template}"
export DEBIAN_FRONTEND=noninteractive

# as_root, quietly, fetch_source
source "$(dirname "${BASH_SOURCE[0]}")/setup_common.sh"

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
      missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return
  echo "setup_mingw.sh: installing ${missing[*]}" >&2
  quietly as_root apt-get update
  quietly as_root apt-get install -y --no-install-recommends "${missing[@]}"
}

# Wine's first start in an empty prefix builds it (a few seconds, ~700 MB:
# Debian copies the DLLs into system32). Tests then start from a copy of it.
make_template() {
  [[ -f $template/.coio-ready ]] && return
  as_root mkdir -p "$(dirname "$template")"
  as_root chown "$(id -u):$(id -g)" "$(dirname "$template")"
  local tmp scratch
  tmp="$(mktemp -d "$template.XXXXXX")"
  scratch="$(mktemp -d)"
  # Wine insists that the prefix belongs to the user running it.
  chmod 755 "$tmp"
  (
    unset DISPLAY
    export WINEPREFIX="$tmp" WINEDEBUG=-all TMPDIR="$scratch"
    # No Mono or Gecko: console programs need neither, and both would ask.
    export WINEDLLOVERRIDES="mscoree,mshtml,winemenubuilder.exe="
    quietly wine wineboot --init
    # A new prefix says Windows 7; tests should see what users run.
    quietly wine winecfg /v win10
    wineserver -w
  )
  rm -rf "$scratch"
  # Debian's wine notes its server's socket directory here; copies need their own.
  rm -f "$tmp/wineserver"
  touch "$tmp/.coio-ready"
  rm -rf "$template"
  mv "$tmp" "$template"
}

if [[ ${1:-} != --curl-only ]]; then
  install_packages
  make_template
fi
fetch_source curl "$CURL_VERSION" "$deps/curl"
