// The "chaining coroutines" pattern from the asyncio tutorial: each
// coroutine awaits the one before it and takes its result, so they run one
// after the other.
//
//   async def coroutine1():
//       print("starting coroutine1")
//       await asyncio.sleep(1)
//       print("finishing coroutine1")
//       return "Coroutine 1 result"
//
//   async def coroutine2(result):
//       print("starting coroutine2", result)
//       await asyncio.sleep(2)
//       print("finishing coroutine2")
//       return "Coroutine 2 result"
//
//   async def coroutine3(result):
//       print("starting coroutine3", result)
//       await asyncio.sleep(3)
//       print("ending coroutine3")
//
//   async def main():
//       res1 = await coroutine1()
//       res2 = await coroutine2(res1)
//       await coroutine3(res2)
//
// The sleeps are halved (0.5 s, 1 s, 1.5 s) so the chain takes 3 s, not 6.
#include <cstdio>
#include <string>

#include "coio/coio.h"

using namespace std::chrono_literals;

coio::Task<std::string> coroutine1() {
  std::puts("starting coroutine1");
  co_await coio::sleep(500ms);
  std::puts("finishing coroutine1");
  co_return "Coroutine 1 result";
}

coio::Task<std::string> coroutine2(std::string result) {
  std::printf("starting coroutine2 %s\n", result.c_str());
  co_await coio::sleep(1s);
  std::puts("finishing coroutine2");
  co_return "Coroutine 2 result";
}

coio::Task<void> coroutine3(std::string result) {
  std::printf("starting coroutine3 %s\n", result.c_str());
  co_await coio::sleep(1500ms);
  std::puts("ending coroutine3");
}

coio::Task<void> amain() {
  std::string res1 = co_await coroutine1();
  std::string res2 = co_await coroutine2(res1);
  co_await coroutine3(res2);
}

int main() { coio::run(amain()); }
