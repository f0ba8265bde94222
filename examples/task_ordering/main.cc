// The two-task example from the asyncio tutorial: tasks run in the order
// they are scheduled, but the second one, which sleeps less, ends first.
//
//   async def first_task():
//       print('First Task Start')
//       await asyncio.sleep(2)
//       print('First Task End')
//
//   async def second_task():
//       print('Second Task Start')
//       await asyncio.sleep(1)
//       print('Second Task End')
//
//   async def main():
//       asyncio.create_task(first_task())
//       asyncio.create_task(second_task())
//       await asyncio.sleep(3)  # wait a bit for all tasks to finish
#include <cstdio>

#include "coio/coio.h"

using namespace std::chrono_literals;

coio::Task<void> first_task() {
  std::puts("First Task Start");
  co_await coio::sleep(2s);
  std::puts("First Task End");
}

coio::Task<void> second_task() {
  std::puts("Second Task Start");
  co_await coio::sleep(1s);
  std::puts("Second Task End");
}

coio::Task<void> amain() {
  coio::create_task(first_task());
  coio::create_task(second_task());
  // Wait a bit for all tasks to finish.
  co_await coio::sleep(3s);
}

int main() { coio::run(amain()); }
