// The asyncio.gather example that collects results: three tasks start
// together, each sleeps a second, and gather returns their results in the
// order they were passed.
//
//   async def task(number):
//       print(f'Starting task {number}')
//       await asyncio.sleep(1)
//       print(f'Finished task {number}')
//       return number
//
//   async def main():
//       results = await asyncio.gather(task(1), task(2), task(3))
//       print(f'Task results: {results}')
#include <cstdio>

#include "coio/coio.h"

using namespace std::chrono_literals;

coio::Task<int> task(int number) {
  std::printf("Starting task %d\n", number);
  co_await coio::sleep(1s);
  std::printf("Finished task %d\n", number);
  co_return number;
}

coio::Task<void> amain() {
  auto [a, b, c] = co_await coio::gather(task(1), task(2), task(3));
  std::printf("Task results: [%d, %d, %d]\n", a, b, c);
}

int main() { coio::run(amain()); }
