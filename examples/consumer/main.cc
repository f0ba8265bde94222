// A program in another workspace, built against @coio//:coio: it says which
// backend the build linked, then gathers two sleeps, which take as long as
// the longer one because they run concurrently.
#include <chrono>
#include <cstdio>
#include <string>

#include "coio/coio.h"

using namespace std::chrono_literals;

coio::Task<int> nap(int id, std::chrono::milliseconds d) {
  co_await coio::sleep(d);
  co_return id;
}

coio::Task<void> amain() {
  auto& loop = coio::Loop::current();
  std::printf("consumer: running on %s\n", std::string(loop.backend_name()).c_str());

  const double start = loop.time();
  auto [a, b] = co_await coio::gather(nap(1, 100ms), nap(2, 200ms));
  std::printf("consumer: gather returned %d and %d in %.2f s\n", a, b, loop.time() - start);
}

int main() { coio::run(amain()); }
