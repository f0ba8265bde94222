#!/bin/bash
# Builds coio's benchmarks once per backend and runs them in the same rounds
# as the peer programs of shared/peers (spawn, timers, tcp echo, files and
# http fetch workloads), so that every coio figure has a same-round ratio
# against the peers.
#
#   bench/run.sh                  # 5 rounds (REPS=5) of spawn, timers, echo
#   REPS=3 bench/run.sh
#   WORKLOADS=echo bench/run.sh   # only the echo workload
#   bench/run.sh --reps 9         # extra arguments go to the peers' bench.py
#
# Environment:
#   COIO_PEERS      the peers directory (default: ../../shared/peers from here)
#   COIO_BENCH_OUT  where results and scratch go (default: /tmp/coio-bench)
#   REPS            rounds per workload (default 5; --reps overrides it)
#   WORKLOADS       comma-separated, among spawn,timers,echo,files,http
#                   (default: spawn,timers,echo; echo takes about 3 minutes a
#                   round, files makes a 1 GiB file once, http starts nginx)
#   ECHO_SECONDS    measured seconds per echo run (bench.py's default: 5)
#   BAZEL_FLAGS     extra flags for `bazel build` (word-split)
#
# Nothing is written into the peers directory or the source tree: the peers
# are copied to $COIO_BENCH_OUT/peers (kept, so their `make` is incremental),
# and each run gets $COIO_BENCH_OUT/<UTC stamp>/ with
#   bin/<backend>/{spawn,timers,echo_server,files,http_fetch}  the binaries measured
#   results/summary.md raw.jsonl env.txt   (from bench.py)
#   run.log  coio.txt (commit, build commands)
# $COIO_BENCH_OUT/latest.md is a copy of the last summary.
#
# These are binaries, never tests: `bazel test` does not run them.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
peers_src="${COIO_PEERS:-$here/../../shared/peers}"
out="${COIO_BENCH_OUT:-/tmp/coio-bench}"
if [ ! -f "$peers_src/bench.py" ] || [ ! -f "$peers_src/run_all.sh" ]; then
  echo "no peers at $peers_src (set COIO_PEERS)" >&2
  exit 2
fi
peers_src="$(cd "$peers_src" && pwd)"

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
run="$out/$stamp"
mkdir -p "$run/bin"
out="$(cd "$out" && pwd)"
run="$out/$stamp"
echo "coio bench: $run"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

backends=(io_uring asio)
read -r -a extra_bazel <<<"${BAZEL_FLAGS:-}"
workloads="${WORKLOADS:-spawn,timers,echo}"
# Each workload's coio binary: bench/<dir>/<target>.
declare -A target_of=([spawn]=spawn:spawn [timers]=timers:timers [echo]=echo:echo_server [files]=files:files
  [http]=http:http_fetch)
targets=()
for w in ${workloads//,/ }; do
  if [ -z "${target_of[$w]:-}" ]; then
    echo "unknown workload $w in WORKLOADS (spawn, timers, echo, files, http)" >&2
    exit 2
  fi
  targets+=("${target_of[$w]}")
done
{
  echo "coio commit: $(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
  if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    echo "working tree: tracked files modified"
  fi
  echo "load average at start: $(cat /proc/loadavg)"
} >"$run/coio.txt"

# --- build: one `bazel build -c opt` per backend. Every backend's binary has
# the same output path, so each is copied out before the next build. The
# convenience symlinks go into the run folder (--symlink_prefix), so the
# workspace's own bazel-bin is left alone and another build cannot move ours.
cd "$root"
for b in "${backends[@]}"; do
  echo "== bazel build -c opt --//:backend=$b"
  cmd=(bazel build -c opt "--//:backend=$b" "--symlink_prefix=$run/bazel-" "${extra_bazel[@]}")
  for t in "${targets[@]}"; do cmd+=("//bench/${t%%:*}:${t#*:}"); done
  echo "${cmd[*]}" >>"$run/coio.txt"
  "${cmd[@]}"
  mkdir -p "$run/bin/$b"
  for t in "${targets[@]}"; do
    cp "$run/bazel-bin/bench/${t%%:*}/${t#*:}" "$run/bin/$b/${t#*:}"
  done
  rm -f "$run"/bazel-*
  # Check each copy is what we think it is: a tiny run names its backend.
  for t in "${targets[@]}"; do
    case "${t#*:}" in
      spawn) args=(--n 1000 --batch 100) ;;
      timers) args=(--n 100 --ms 1) ;;
      echo_server | http_fetch) args=(--probe) ;;
      files) args=(--file "$run/bin/$b/files" --time 0.05) ;;
    esac
    got="$("$run/bin/$b/${t#*:}" "${args[@]}")"
    case "$got" in
      *"\"backend\": \"$b\""*) ;;
      *)
        echo "bin/$b/${t#*:} reports another backend: $got" >&2
        exit 1
        ;;
    esac
  done
done

# --- peers: a private copy, so that their build/ and results/ stay out of
# shared/. rsync keeps modification times, so `make` only rebuilds changes.
peers="$out/peers"
mkdir -p "$peers"
if command -v rsync >/dev/null 2>&1; then
  rsync -a --delete --exclude /build --exclude /results "$peers_src/" "$peers/"
else
  (cd "$peers_src" && tar --exclude=./build --exclude=./results -cf - .) | (cd "$peers" && tar -xf -)
fi

q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }  # quote a path for bench.py's shlex.split
wanted() { case ",$workloads," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
adds=()
if wanted spawn; then
  for b in "${backends[@]}"; do
    adds+=(--add "spawn:coio create_task+gather ($b)=$(q "$run/bin/$b/spawn") --n {n} --batch {batch}")
  done
fi
if wanted timers; then
  for b in "${backends[@]}"; do
    adds+=(--add "timers:coio sleep gather ($b)=$(q "$run/bin/$b/timers") --n {n} --ms {ms}")
  done
fi
if wanted echo; then
  # Servers on {port}, loaded by the peers' echo_client as theirs are.
  for b in "${backends[@]}"; do
    adds+=(--add "echo:coio TcpStream read_some/write_all ($b)=$(q "$run/bin/$b/echo_server") --port {port}")
  done
  for b in "${backends[@]}"; do
    adds+=(--add "echo:coio streams read/write+drain ($b)=$(q "$run/bin/$b/echo_server") --api streams --port {port}")
  done
fi

if wanted files; then
  # Random 4 KiB reads at QD32 over the peers' 1 GiB file, warm and O_DIRECT.
  for b in "${backends[@]}"; do
    adds+=(--add "files:coio File::read_at QD32 ($b)=$(q "$run/bin/$b/files") --file {file} --direct {direct} --qd {qd} --time {time}")
  done
fi

if wanted http; then
  # GETs of the 1 KiB file from the peers' nginx, beside their libcurl-multi
  # program, aiohttp and wrk.
  for b in "${backends[@]}"; do
    adds+=(--add "http:coio http::Client ($b)=$(q "$run/bin/$b/http_fetch") --url {url} --n {n} --conc {conc}")
  done
fi

# PEERS_SCRATCH: run_all.sh cleans its scratch at the end; keep it ours, not
# the shared default /var/tmp/coio-peers.
cmd=("$peers/run_all.sh" --only "$workloads" --reps "${REPS:-5}" --outdir "$run/results" "${adds[@]}" "$@")
{
  printf 'run:'
  printf ' %q' "${cmd[@]}"
  echo
} >>"$run/coio.txt"
reps="${REPS:-5}"
prev=""
for arg in "$@"; do  # bench.py takes the last --reps given
  case "$arg" in
    --reps=*) reps="${arg#--reps=}" ;;
    *) if [ "$prev" = --reps ]; then reps="$arg"; fi ;;
  esac
  prev="$arg"
done
echo "== peers + coio: ${workloads//,/, }, $reps rounds"
# The full output goes to run.log; the terminal gets the progress lines.
set +e
PEERS_SCRATCH="$run/peers-scratch" "${cmd[@]}" 2>&1 | tee "$run/run.log" |
  grep --line-buffered -E '^(== |   [a-z]+ took|  ! )'
rc=${PIPESTATUS[0]}
set -e

summary="$run/results/summary.md"
if [ ! -f "$summary" ]; then
  echo "no summary; the end of $run/run.log:" >&2
  tail -n 30 "$run/run.log" >&2
  exit "$((rc ? rc : 1))"
fi
cp "$summary" "$out/latest.md"
echo
cat "$summary"
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "summary: $summary"
echo "copy:    $out/latest.md"
exit "$rc"
