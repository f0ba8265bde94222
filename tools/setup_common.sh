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
