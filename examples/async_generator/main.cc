// The async generator from the asyncio tutorial, consumed with `async for`.
// The tutorial's listing stops after `for i in range(3):`; the body below is
// the usual one: wait a moment, then yield the next number.
//
//   async def async_generator():
//       for i in range(3):
//           await asyncio.sleep(1)
//           yield i
//
//   async def main():
//       async for i in async_generator():
//           print(i)
#include <cstdio>

#include "coio/coio.h"

using namespace std::chrono_literals;

coio::AsyncGenerator<int> async_generator() {
  for (int i = 0; i < 3; ++i) {
    co_await coio::sleep(1s);
    co_yield i;
  }
}

coio::Task<void> amain() {
  // async for i in async_generator(): print(i)
  auto gen = async_generator();
  while (auto i = co_await gen.next()) {
    std::printf("%d\n", *i);
  }
  // The same loop, written with for_each:
  //   co_await coio::for_each(async_generator(), [](int i) { std::printf("%d\n", i); });
}

int main() { coio::run(amain()); }
