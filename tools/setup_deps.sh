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

# as_root, quietly, fetch_source
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

if [[ ${1:-} != --abseil-only ]]; then
  install_packages
fi
fetch_source abseil "$ABSEIL_VERSION" "$deps/abseil"
