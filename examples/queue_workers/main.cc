// The queue example from the asyncio tutorial: files are "downloaded" one by
// one into a queue, five worker tasks take them out and "process" them,
// queue.join() waits until every file has been marked done, and then the
// workers, idle in get(), are cancelled.
//
//   async def download_file(q, file_url):
//       print(f"Downloading file: {file_url}")
//       await asyncio.sleep(3)
//       await q.put(file_url)
//       print(f"Download complete: {file_url}")
//
//   async def process_file(q):
//       while True:
//           file_url = await q.get()
//           print(f"Processing file: {file_url}")
//           await asyncio.sleep(5)
//           print(f"Processing complete: {file_url}")
//           q.task_done()
//
//   async def main():
//       file_urls = ["example.com/file1", "example.com/file2", "example.com/file3"]
//       q = Queue()
//       for file_url in file_urls:
//           await download_file(q, file_url)
//       tasks = []
//       for i in range(5):
//           task = asyncio.create_task(process_file(q))
//           tasks.append(task)
//       await q.join()
//       for task in tasks:
//           task.cancel()
//
// As the asyncio documentation does, main then gathers the cancelled workers
// with return_exceptions to wait until they have ended. The sleeps are cut
// from 3 s and 5 s to 0.5 s and 1 s, so the program takes 2.5 s, not 14 s.
#include <cstdio>
#include <string>
#include <vector>

#include "coio/coio.h"

using namespace std::chrono_literals;

coio::Task<void> download_file(coio::Queue<std::string>& q, std::string file_url) {
  std::printf("Downloading file: %s\n", file_url.c_str());
  co_await coio::sleep(500ms);
  co_await q.put(file_url);
  std::printf("Download complete: %s\n", file_url.c_str());
}

coio::Task<void> process_file(coio::Queue<std::string>& q) {
  while (true) {
    std::string file_url = co_await q.get();
    std::printf("Processing file: %s\n", file_url.c_str());
    co_await coio::sleep(1s);
    std::printf("Processing complete: %s\n", file_url.c_str());
    q.task_done();
  }
}

coio::Task<void> amain() {
  std::vector<std::string> file_urls = {"example.com/file1", "example.com/file2", "example.com/file3"};
  coio::Queue<std::string> q;
  for (const std::string& file_url : file_urls) {
    co_await download_file(q, file_url);
  }

  std::vector<coio::TaskHandle<void>> tasks;
  for (int i = 0; i < 5; ++i) {
    tasks.push_back(coio::create_task(process_file(q)));
  }

  co_await q.join();
  for (auto& task : tasks) task.cancel();
  // Each worker ends with CancelledError; collect those instead of throwing.
  co_await coio::gather(coio::return_exceptions, tasks);
}

int main() { coio::run(amain()); }
