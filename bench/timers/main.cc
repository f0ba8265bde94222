// Timer benchmark: 100,000 concurrent 10 ms sleeps, gathered; prints the
// wall time and the overhead beyond the sleep (one JSON line, as the timer
// peers in ../shared/peers do).
//
//   bazel run -c opt //bench/timers -- --n 100000 --ms 10
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "coio/coio.h"

namespace {

std::size_t g_done = 0;

coio::Task<void> sleeper(std::chrono::nanoseconds d) {
  co_await coio::sleep(d);
  ++g_done;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 100000;
  double ms = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--n")) {
      n = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--ms")) {
      ms = std::strtod(argv[i + 1], nullptr);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  const auto d = std::chrono::nanoseconds(static_cast<long long>(ms * 1e6));
  std::string backend;
  const auto start = std::chrono::steady_clock::now();
  coio::run([&]() -> coio::Task<void> {
    backend = coio::Loop::current().backend_name();
    std::vector<coio::Task<void>> sleepers;
    sleepers.reserve(n);
    for (std::size_t i = 0; i < n; ++i) sleepers.push_back(sleeper(d));
    co_await coio::gather(std::move(sleepers));
  });
  const double wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (g_done != n) {
    std::fprintf(stderr, "only %zu of %zu timers fired\n", g_done, n);
    return 1;
  }
  std::printf(
      "{\"timers\": %zu, \"sleep_ms\": %g, \"backend\": \"%s\", \"wall_ms\": %.3f, \"overhead_ms\": %.3f, "
      "\"overhead_ns_per_timer\": %.1f}\n",
      n, ms, backend.c_str(), wall_ms, wall_ms - ms, (wall_ms - ms) * 1e6 / static_cast<double>(n));
  return 0;
}
