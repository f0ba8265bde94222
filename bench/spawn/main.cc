// Spawn benchmark: create and await 1,000,000 trivial tasks with
// create_task, gathered in batches of 1000 (asyncio: create_task + gather).
// Prints one JSON line with ns_per_task, the figure ../shared/peers compares.
//
//   bazel run -c opt //bench/spawn -- --n 1000000 --batch 1000
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "coio/coio.h"

namespace {

coio::Task<int> trivial(int i) { co_return i; }

coio::Task<long long> spawn_all(std::size_t n, std::size_t batch) {
  long long checksum = 0;
  std::vector<coio::TaskHandle<int>> handles;
  handles.reserve(batch);
  for (std::size_t b = 0; b < n / batch; ++b) {
    for (std::size_t i = 0; i < batch; ++i) handles.push_back(coio::create_task(trivial(static_cast<int>(i))));
    std::vector<int> results = co_await coio::gather(std::move(handles));
    checksum += results.back();
    handles.clear();
  }
  co_return checksum;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 1000000, batch = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--n")) {
      n = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--batch")) {
      batch = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  std::string backend;
  const auto start = std::chrono::steady_clock::now();
  const long long checksum = coio::run([&]() -> coio::Task<long long> {
    backend = coio::Loop::current().backend_name();
    co_return co_await spawn_all(n, batch);
  });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::size_t tasks = (n / batch) * batch;
  const long long expected = static_cast<long long>(n / batch) * static_cast<long long>(batch - 1);
  if (checksum != expected) {
    std::fprintf(stderr, "bad checksum %lld != %lld\n", checksum, expected);
    return 1;
  }
  std::printf("{\"tasks\": %zu, \"batch\": %zu, \"backend\": \"%s\", \"wall_s\": %.6f, \"ns_per_task\": %.2f}\n", tasks,
              batch, backend.c_str(), wall, wall * 1e9 / static_cast<double>(tasks));
  return 0;
}
