#!/usr/bin/env bash
# Builds and runs examples/consumer, a workspace that depends on coio as an
# external repository, with a Bazel server and output root of its own, and
# checks that the program runs on the backend its .bazelrc picks (asio).
#
#   bazel test //tests/consumer:consumer_build_test    (what .ci/run does)
#   tests/consumer/consumer_build_test.sh              (the same, without an
#                                                       outer Bazel)
#
# It needs no network: abseil's source comes from COIO_DEPS_DIR (default
# <coio>/third_party/.deps, filled by tools/setup_deps.sh). Environment:
#   COIO_CONSUMER_TIMEOUT     seconds allowed for the build (default 600;
#                             a cold one takes 1-2 minutes on 2 cores)
#   COIO_CONSUMER_DISK_CACHE  Bazel disk cache kept between runs (default
#                             ~/.cache/coio-consumer-disk-cache; empty for
#                             none, i.e. a cold build of abseil every time)
set -euo pipefail

start_time=$SECONDS
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
workspace="$root/examples/consumer"
build_timeout="${COIO_CONSUMER_TIMEOUT:-600}"
default_cache="${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/coio-consumer-disk-cache"
disk_cache="${COIO_CONSUMER_DISK_CACHE-$default_cache}"
export COIO_DEPS_DIR="${COIO_DEPS_DIR:-$root/third_party/.deps}"
want="consumer: running on asio"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

[[ -f $workspace/WORKSPACE ]] || fail "no consumer workspace at $workspace"
[[ -f $COIO_DEPS_DIR/abseil/.coio-version ]] ||
  fail "abseil's source is not unpacked in $COIO_DEPS_DIR; run $root/tools/setup_deps.sh"

tmp="$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/coio-consumer.XXXXXX")"
# The inner server's startup options: the same for every command below, or the
# client would restart the server. If this script is killed before it can
# shut the server down, the server exits after an idle minute.
startup=(--output_user_root="$tmp/root" --nohome_rc --max_idle_secs=60)
# No convenience symlinks: they would land in coio's source tree. A fixed PATH
# for actions, so that the disk cache serves runs from any shell, or from
# bazel test, alike.
flags=(--symlink_prefix=/ --incompatible_strict_action_env --curses=no --color=no)
[[ -n $disk_cache ]] && flags+=(--disk_cache="$disk_cache")

child=""

# Runs a command under a time limit, in the background so that the traps
# below run at once on a signal instead of after the command.
bounded() {
  local limit=$1
  shift
  # On SIGINT (the limit, or a forwarded one) the Bazel client cancels the
  # command on the server before it exits.
  timeout -s INT -k 30 "$limit" "$@" &
  child=$!
  wait "$child"
  local status=$?
  child=""
  return "$status"
}

cleanup() {
  local status=$? pid_file
  if [[ -n $child ]]; then
    kill -INT "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  # Stops the inner server: politely, else by the pid it wrote.
  for pid_file in "$tmp"/root/*/server/server.pid.txt; do
    [[ -f $pid_file ]] || continue
    if ! timeout -k 10 60 bazel "${startup[@]}" shutdown >/dev/null 2>&1; then
      kill -KILL "$(cat "$pid_file")" 2>/dev/null || true
    fi
  done
  # Bazel leaves its outputs read-only.
  chmod -R u+w "$tmp" 2>/dev/null || true
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$workspace"
echo "consumer workspace: $workspace (coio at $root)"
echo "output user root:   $tmp/root"
echo "COIO_DEPS_DIR:      $COIO_DEPS_DIR (abseil $(cat "$COIO_DEPS_DIR/abseil/.coio-version"))"
echo "disk cache:         ${disk_cache:-none}"

build_start=$SECONDS
bounded "$build_timeout" bazel "${startup[@]}" build "${flags[@]}" //:consumer ||
  fail "bazel build //:consumer failed or took more than $build_timeout s"
build_seconds=$((SECONDS - build_start))

bounded 120 bazel "${startup[@]}" run "${flags[@]}" //:consumer >"$tmp/output" ||
  fail "bazel run //:consumer failed"

echo "--- output of //:consumer"
cat "$tmp/output"
echo "---"
grep -qxF "$want" "$tmp/output" || fail "the output lacks the line '$want'"
grep -qxE 'consumer: gather returned 1 and 2 in [0-9.]+ s' "$tmp/output" ||
  fail "the output lacks the gather's result line"
grep -qxF 'consumer: http 200 hello' "$tmp/output" ||
  fail "the output lacks the HTTP client's line 'consumer: http 200 hello'"
echo "PASS: '$want' and the gather's result (built in ${build_seconds} s, $((SECONDS - start_time)) s in all)"
