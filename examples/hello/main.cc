// Hello world from the asyncio tutorials: print "Hello", sleep one second
// without blocking the loop, print "world".
//
//   async def main():
//       print("Hello")
//       await asyncio.sleep(1)
//       print("world")
//
//   asyncio.run(main())
#include <cstdio>

#include "coio/coio.h"

using namespace std::chrono_literals;

coio::Task<void> amain() {
  std::puts("Hello");
  co_await coio::sleep(1s);  // stands in for an I/O operation
  std::puts("world");
}

int main() { coio::run(amain()); }
