// coio/file.h: asynchronous files — aiofiles' API.
//
//   coio::File f = co_await coio::open_file("notes.txt");
//   std::string all = co_await f.read();
//   co_await f.close();
//
//   auto in = co_await coio::open_file("log.txt");
//   co_await coio::for_each(in.lines(), [](const std::string& line) { ... });
//
// Modes are Python's: one of "r", "w", "a", "x", then optionally "+", and
// "b" or "t" ("rb", "w+", "a+b", ...); anything else is an
// std::invalid_argument naming it. Bytes are read and written as they are
// in every mode; the one difference text mode makes is that lines() turns
// "\r\n" endings into "\n" (Python's universal newlines).
//
// On io_uring every operation (open, read, write, fsync, size, close) goes
// through the ring: no thread pool. On Asio they run on a small thread pool,
// as aiofiles does. Either way a cancelled operation resumes only once the
// kernel (or the pool) has let go of the buffer. Errors are std::system_error
// with the errno, the operation and the path.
//
// A FIFO (or another file that cannot seek) has no offsets: reads take the
// bytes in the order they come and writes add them in order, whatever the
// offset of read_at/write_at says; a read waiting for data is cancelled in
// the kernel on both backends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "coio/generator.h"
#include "coio/task.h"

namespace coio {

struct FileOptions;

class File {
 public:
  File() = default;
  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  // Closes the file if it is still open, without blocking the loop.
  ~File();

  // Reads up to n bytes from the position (fewer only at the end of the
  // file); n = -1 reads to the end.
  Task<std::string> read(std::ptrdiff_t n = -1);
  // Writes all of `data` at the position (in append mode: at the end);
  // returns its size.
  Task<std::size_t> write(std::string_view data);
  // Reads up to n bytes at `offset`; the position does not move.
  Task<std::string> read_at(std::uint64_t offset, std::size_t n);
  // Reads into the caller's buffer with one read at `offset` (no copy);
  // returns the bytes read, 0 at the end of the file.
  Task<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> buffer);
  // Writes all of `data` at `offset`; the position does not move.
  Task<std::size_t> write_at(std::uint64_t offset, std::string_view data);
  Task<void> fsync();
  Task<std::uint64_t> size();
  // Closes the file. No other operation on it may be in flight.
  Task<void> close();
  // Each line from the position on, with its "\n" (the last one may have
  // none): `async for line in f`.
  AsyncGenerator<std::string> lines();

  // Where read() and write() go next (after a write in append mode: the
  // end of the file, where the bytes went).
  std::uint64_t tell() const noexcept { return position_; }
  void seek(std::uint64_t position) noexcept { position_ = position; }

  bool is_open() const noexcept { return fd_ >= 0; }
  const std::string& path() const noexcept { return path_; }
  const std::string& mode() const noexcept { return mode_; }
  std::intptr_t native_handle() const noexcept { return fd_; }

 private:
  friend Task<File> open_file(std::string path, std::string mode, FileOptions options);
  // One transfer at `offset`, retried until `size` bytes or the end of the file.
  Task<std::size_t> transfer_at(std::uint64_t offset, std::byte* data, std::size_t size, bool writing);
  void check_open(const char* what) const;

  std::intptr_t fd_ = -1;
  std::string path_;
  std::string mode_;
  std::uint64_t position_ = 0;
  bool text_ = true;
  bool append_ = false;
  bool seekable_ = true;  // false: a FIFO, a pipe, a terminal
};

struct FileOptions {
  // O_DIRECT: reads and writes bypass the page cache. Buffers, offsets and
  // lengths must then be aligned to the device's block size (4096 is safe).
  bool direct = false;
};

// Opens `path` with a Python mode; throws std::invalid_argument for a bad
// mode and std::system_error (ENOENT, EISDIR, EACCES, EEXIST...) naming the
// path.
Task<File> open_file(std::string path, std::string mode = "r", FileOptions options = {});

// The whole content of `path`.
Task<std::string> read_file(std::string path);
// Replaces the content of `path` with `data` (created if missing).
Task<void> write_file(std::string path, std::string_view data);

}  // namespace coio
