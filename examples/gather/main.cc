// The gather example from the asyncio tutorial: three fetches that each take
// 2 s finish in about 2 s together, because gather runs them concurrently.
//
//   async def fetch_data(n):
//       print(f"Fetching data {n}")
//       await asyncio.sleep(2)
//       print(f"Done fetching {n}")
//       return f"Data {n}"
//
//   async def main():
//       results = await asyncio.gather(fetch_data(1), fetch_data(2), fetch_data(3))
//       print(results)
//
// It prints what the Python program prints, then the time it took.
#include <cstdio>
#include <string>

#include "coio/coio.h"

using namespace std::chrono_literals;

coio::Task<std::string> fetch_data(int n) {
  std::printf("Fetching data %d\n", n);
  co_await coio::sleep(2s);  // a simulated network call
  std::printf("Done fetching %d\n", n);
  co_return "Data " + std::to_string(n);
}

coio::Task<void> amain() {
  const double start = coio::Loop::current().time();
  auto [a, b, c] = co_await coio::gather(fetch_data(1), fetch_data(2), fetch_data(3));
  std::printf("['%s', '%s', '%s']\n", a.c_str(), b.c_str(), c.c_str());

  const double elapsed = coio::Loop::current().time() - start;
  std::printf("3 fetches of 2 seconds each took %.2f seconds\n", elapsed);
}

int main() { coio::run(amain()); }
