// The asyncio.create_task example: the coroutine is scheduled as a task, so
// main goes on "Doing Other Stuff" before the task even starts, then awaits
// its result.
//
//   async def my_coroutine():
//       print('My Coroutine')
//       await asyncio.sleep(1)
//       return 'Coroutine Finished'
//
//   async def main():
//       task = asyncio.create_task(my_coroutine())
//       print('Doing Other Stuff')
//       result = await task
//       print(result)
#include <cstdio>
#include <string>

#include "coio/coio.h"

using namespace std::chrono_literals;

coio::Task<std::string> my_coroutine() {
  std::puts("My Coroutine");
  co_await coio::sleep(1s);
  co_return "Coroutine Finished";
}

coio::Task<void> amain() {
  // Schedule the coroutine to run as a task.
  coio::TaskHandle<std::string> task = coio::create_task(my_coroutine());
  // Do other stuff in the meantime.
  std::puts("Doing Other Stuff");
  // Wait until the task completes.
  std::string result = co_await task;
  std::puts(result.c_str());
}

int main() { coio::run(amain()); }
