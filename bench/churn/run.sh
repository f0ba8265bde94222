#!/bin/bash
# Connection churn: coio's echo server (io_uring and asio backends) beside
# the peers' raw liburing and Asio (epoll) echo servers, loaded by
# churn_client (connect, 64-byte exchange, close), in interleaved rounds.
# Prints, per server, the median connections per second and the median
# server CPU time per connection.
#
#   bench/churn/run.sh            # 5 rounds of 5 s per server
#   REPS=9 SECONDS_PER_RUN=3 THREADS=32 bench/churn/run.sh
#
# The peer servers come from $COIO_BENCH_OUT/peers/build, made by
# bench/run.sh (run `WORKLOADS=echo REPS=1 bench/run.sh` once first).
# Servers run on CPU 0, the client on CPU 1.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$(dirname "$here")")"
out="${COIO_BENCH_OUT:-/tmp/coio-bench}"
peers="$out/peers/build"
reps="${REPS:-5}"
seconds="${SECONDS_PER_RUN:-5}"
threads="${THREADS:-16}"
bin="$out/churn-bin"
mkdir -p "$bin"
for server in echo_server_uring echo_server_asio; do
  if [ ! -x "$peers/$server" ]; then
    echo "no $peers/$server: run 'WORKLOADS=echo REPS=1 bench/run.sh' first" >&2
    exit 2
  fi
done

cd "$root"
for backend in io_uring asio; do
  bazel build -c opt "--//:backend=$backend" //bench/echo:echo_server //bench/churn:churn_client
  cp -f bazel-bin/bench/echo/echo_server "$bin/echo_server_$backend"
done
cp -f bazel-bin/bench/churn/churn_client "$bin/churn_client"

declare -A command_of=(
  ["coio io_uring"]="$bin/echo_server_io_uring --port"
  ["coio asio"]="$bin/echo_server_asio --port"
  ["raw liburing"]="$peers/echo_server_uring --port"
  ["Asio epoll"]="$peers/echo_server_asio --port"
)
order=("coio io_uring" "coio asio" "raw liburing" "Asio epoll")
ticks_per_s="$(getconf CLK_TCK)"
results="$(mktemp)"
trap 'rm -f "$results"' EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$reps"); do
  for server in "${order[@]}"; do
    port=$((30000 + RANDOM % 20000))
    taskset -c 0 ${command_of[$server]} "$port" >/dev/null 2>&1 &
    pid=$!
    sleep 0.5
    before="$(cpu_ticks "$pid")"
    line="$(taskset -c 1 "$bin/churn_client" --port "$port" --threads "$threads" --seconds "$seconds" || true)"
    after="$(cpu_ticks "$pid")"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    printf '%s\t%s\t%s\t%s\n' "$round" "$server" "$((after - before))" "$line" >>"$results"
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$results" "$ticks_per_s" "$seconds" <<'PY'
import json, statistics, sys
path, ticks_per_s, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
rates, cpu, failed = {}, {}, {}
for row in open(path):
    _, server, ticks, line = row.rstrip("\n").split("\t")
    m = json.loads(line) if line else {"connections_per_s": 0, "connections": 0, "failed": 0}
    rates.setdefault(server, []).append(m["connections_per_s"])
    if m["connections"]:
        cpu.setdefault(server, []).append(int(ticks) * 1e6 / ticks_per_s / m["connections"])
    failed[server] = failed.get(server, 0) + m["failed"]
print("| server | connections/s median | min–max | server CPU µs/connection median | failed |")
print("|---|---|---|---|---|")
for server in rates:
    r = rates[server]
    c = statistics.median(cpu[server]) if server in cpu else float("nan")
    print(f"| {server} | {statistics.median(r):,.0f} | {min(r):,.0f}–{max(r):,.0f} | {c:.1f} | {failed[server]} |")
PY
