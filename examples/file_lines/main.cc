// `async for line in f`, from the asyncio tutorials:
//
//   async def read_data():
//       async with aiofiles.open("data.txt") as f:
//           async for line in f:
//               print(line)
//
// Each line keeps its "\n" and print() adds one, as in Python.
//
// Usage: file_lines [FILE]   (default: data.txt in the current directory)
#include <cstdio>
#include <exception>
#include <string>

#include "coio/coio.h"

coio::Task<void> read_data(std::string filename) {
  coio::File f = co_await coio::open_file(filename);
  co_await coio::for_each(f.lines(), [](const std::string& line) { std::printf("%s\n", line.c_str()); });
  co_await f.close();
}

int main(int argc, char** argv) {
  try {
    coio::run(read_data(argc > 1 ? argv[1] : "data.txt"));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "file_lines: %s\n", e.what());
    return 1;
  }
}
