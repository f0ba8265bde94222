#!/usr/bin/env bash
# Runs a Windows program under Wine; `bazel test --config=mingw` runs every
# test through it (--run_under). Each run gets a Wine prefix of its own,
# copied from the template tools/setup_mingw.sh makes, and so a wineserver of
# its own: tests run in parallel and share nothing. Exits with the program's
# exit code.
#
#   run_test.sh PROGRAM.exe [ARGS...]
#   run_test.sh SCRIPT [ARGS...]
#
# A program that is not a Windows one (a test script that starts Windows
# programs itself with `wine`) runs as it is, with the prefix made ready.
set -uo pipefail

template="${COIO_WINE_TEMPLATE:-/var/cache/coio/wine-template}"
if [[ ! -f $template/.coio-ready ]]; then
  echo "run_test.sh: no Wine prefix at $template; run tools/setup_mingw.sh" >&2
  exit 2
fi

scratch="$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/wine.XXXXXX")"
prefix="$scratch/prefix"
# drive_c (~700 MB) becomes directories of symbolic links to the template's
# files, at once (hard links would fail across linux-sandbox's mounts); the
# template's own links (user folders) are copied as they are, not pointed at.
mkdir "$prefix"
cp -as "$template/drive_c" "$prefix/drive_c"
(cd "$template/drive_c" && find . -type l -exec cp -P --remove-destination {} "$prefix/drive_c/{}" \;)
# The rest gets real copies: the registry files, which wineserver rewrites in
# place, and dosdevices, whose c: -> ../drive_c must lead to this copy.
find "$template" -mindepth 1 -maxdepth 1 ! -name drive_c -exec cp -a {} "$prefix/" \;
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

# The test runs in a session of its own: Linux programs it starts through
# Wine (which hands back no process handle to stop them with) end with it,
# also when it crashes or Bazel stops it at its timeout.
case "$1" in
  *.exe) setsid wine "$@" & ;;
  *) setsid "$@" & ;;
esac
session=$!
trap 'kill -TERM -- "-$session" 2>/dev/null' TERM INT
wait "$session"
rc=$?
trap - TERM INT
pkill -KILL -s "$session" 2>/dev/null
wineserver -k 2>/dev/null
wineserver -w 2>/dev/null
rm -rf "$scratch"
exit "$rc"
