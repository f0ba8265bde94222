// Reading a file without blocking the loop, from the asyncio tutorials:
//
//   import aiofiles, asyncio
//
//   async def read_file(filename):
//       async with aiofiles.open(filename, mode='r') as f:
//           contents = await f.read()
//       print(contents)
//
//   asyncio.run(read_file('example.txt'))
//
// Usage: read_file [FILE]   (default: example.txt in the current directory)
#include <cstdio>
#include <exception>
#include <string>

#include "coio/coio.h"

coio::Task<void> read_file(std::string filename) {
  coio::File f = co_await coio::open_file(filename, "r");
  std::string contents = co_await f.read();
  co_await f.close();
  std::printf("%s\n", contents.c_str());
}

int main(int argc, char** argv) {
  try {
    coio::run(read_file(argc > 1 ? argv[1] : "example.txt"));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "read_file: %s\n", e.what());
    return 1;
  }
}
