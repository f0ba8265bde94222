#!/usr/bin/env bash
# Runs a Windows program under Wine; `bazel test --config=mingw` runs every
# test through it (--run_under). Each run gets a Wine prefix of its own,
# copied from the template tools/setup_mingw.sh makes, and so a wineserver of
# its own: tests run in parallel and share nothing. Exits with the program's
# exit code.
#
#   run_test.sh PROGRAM.exe [ARGS...]
set -uo pipefail

template="${COIO_WINE_TEMPLATE:-/var/cache/coio/wine-template}"
if [[ ! -f $template/.coio-ready ]]; then
  echo "run_test.sh: no Wine prefix at $template; run tools/setup_mingw.sh" >&2
  exit 2
fi

scratch="$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/wine.XXXXXX")"
prefix="$scratch/prefix"
# Symbolic links copy the ~700 MB prefix at once (hard links would fail
# across linux-sandbox's mounts). The registry files must be real copies:
# wineserver saves them in place, which would write into the template.
cp -as "$template" "$prefix"
for reg in "$template"/*.reg; do
  cp --remove-destination "$reg" "$prefix/"
done
mkdir -p "$scratch/tmp" "$scratch/xdg"

unset DISPLAY WAYLAND_DISPLAY
export WINEPREFIX="$prefix"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml,winemenubuilder.exe="
# Debian's wine keeps its server socket under $TMPDIR and leaves it there.
export TMPDIR="$scratch/tmp"
export XDG_CACHE_HOME="$scratch/xdg" XDG_CONFIG_HOME="$scratch/xdg" XDG_DATA_HOME="$scratch/xdg"
# gtest on Windows takes /a/b for a relative path; Z: is Wine's drive for /.
if [[ -n ${XML_OUTPUT_FILE:-} ]]; then
  export XML_OUTPUT_FILE="Z:${XML_OUTPUT_FILE//\//\\}"
fi

wine "$@"
rc=$?
wineserver -k 2>/dev/null
wineserver -w 2>/dev/null
rm -rf "$scratch"
exit "$rc"
