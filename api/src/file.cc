#include "coio/file.h"

#include <algorithm>
#include <string>
#include <system_error>
#include <utility>

#include "coio/internal/detached_close.h"
#include "coio/internal/io_awaiter.h"
#include "coio/internal/os.h"
#include "coio/internal/open_mode.h"

namespace coio {
namespace {

// Read size when the end is not known (lines(), read() past the known size).
constexpr std::size_t kChunk = 64 * 1024;

// A file operation whose errors name the path.
class FileOp final : public internal::IoAwaiter {
 public:
  FileOp(OpCode op_code, std::intptr_t fd, const char* what, const std::string& path)
      : IoAwaiter(what), path_(path) {
    code = op_code;
    handle = fd;
  }
  std::int64_t await_resume() const {
    try {
      return IoAwaiter::await_resume();
    } catch (const std::system_error& e) {
      if (e.code().category() != internal::os::error_category()) throw;
      throw std::system_error(e.code(), std::string(what()) + " " + path_);
    }
  }

 private:
  const std::string& path_;
};

}  // namespace

File::File(File&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      mode_(std::move(other.mode_)),
      position_(other.position_),
      text_(other.text_),
      append_(other.append_),
      seekable_(other.seekable_) {}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) internal::close_detached(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    mode_ = std::move(other.mode_);
    position_ = other.position_;
    text_ = other.text_;
    append_ = other.append_;
    seekable_ = other.seekable_;
  }
  return *this;
}

File::~File() {
  if (fd_ >= 0) internal::close_detached(fd_);
}

void File::check_open(const char* what) const {
  if (fd_ < 0) {
    throw std::system_error(std::make_error_code(std::errc::bad_file_descriptor),
                            std::string(what) + " " + path_ + ": the file is closed");
  }
}

Task<std::size_t> File::transfer_at(std::uint64_t offset, std::byte* data, std::size_t size, bool writing) {
  check_open(writing ? "write" : "read");
  std::size_t done = 0;
  while (done < size) {
    FileOp op(writing ? OpCode::kWrite : OpCode::kRead, fd_, writing ? "write" : "read", path_);
    op.buffer = data + done;
    op.length = size - done;
    op.offset = seekable_ ? static_cast<std::int64_t>(offset + done) : Operation::kNoOffset;
    const auto n = static_cast<std::size_t>(co_await op);
    if (n == 0) {
      if (writing) throw std::system_error(std::make_error_code(std::errc::io_error), "write " + path_ + ": nothing was written");
      break;  // the end of the file
    }
    done += n;
  }
  co_return done;
}

Task<std::string> File::read(std::ptrdiff_t n) {
  std::string out;
  if (n >= 0) {
    out.resize(static_cast<std::size_t>(n));
    const std::size_t got = co_await transfer_at(position_, reinterpret_cast<std::byte*>(out.data()), out.size(), false);
    out.resize(got);
    position_ += got;
    co_return out;
  }
  // To the end: the size known now in one read, then until a read finds
  // nothing more (the file may be growing).
  const std::uint64_t known = co_await size();
  std::size_t want = std::max<std::size_t>(known > position_ ? known - position_ : 0, kChunk);
  for (;;) {
    const std::size_t old = out.size();
    out.resize(old + want);
    const std::size_t got = co_await transfer_at(position_, reinterpret_cast<std::byte*>(out.data() + old), want, false);
    out.resize(old + got);
    position_ += got;
    if (got < want) break;
    want = kChunk;
  }
  co_return out;
}

Task<std::size_t> File::write(std::string_view data) {
  // In append mode the kernel puts the bytes at the end whatever the offset,
  // and the position follows them there, as in Python.
  const std::size_t n = co_await transfer_at(position_, const_cast<std::byte*>(reinterpret_cast<const std::byte*>(data.data())),
                                             data.size(), true);
  if (append_) {
    position_ = co_await size();
  } else {
    position_ += n;
  }
  co_return n;
}

Task<std::string> File::read_at(std::uint64_t offset, std::size_t n) {
  std::string out(n, '\0');
  const std::size_t got = co_await transfer_at(offset, reinterpret_cast<std::byte*>(out.data()), n, false);
  out.resize(got);
  co_return out;
}

Task<std::size_t> File::read_at(std::uint64_t offset, std::span<std::byte> buffer) {
  check_open("read");
  FileOp op(OpCode::kRead, fd_, "read", path_);
  op.buffer = buffer.data();
  op.length = buffer.size();
  op.offset = seekable_ ? static_cast<std::int64_t>(offset) : Operation::kNoOffset;
  co_return static_cast<std::size_t>(co_await op);
}

Task<std::size_t> File::write_at(std::uint64_t offset, std::string_view data) {
  return transfer_at(offset, const_cast<std::byte*>(reinterpret_cast<const std::byte*>(data.data())), data.size(), true);
}

Task<void> File::fsync() {
  check_open("fsync");
  FileOp op(OpCode::kFsync, fd_, "fsync", path_);
  co_await op;
}

Task<std::uint64_t> File::size() {
  check_open("size");
  // The alignment is the type's, not the variable's: GCC 12 lays a
  // coroutine's locals out in its frame by their type and drops alignas on a
  // declaration, which left io_uring's statx result misaligned (UBSan).
  struct alignas(std::max_align_t) Scratch {
    std::byte bytes[Operation::kFileSizeScratch];
  } scratch;
  FileOp op(OpCode::kFileSize, fd_, "size", path_);
  op.buffer = scratch.bytes;
  op.length = sizeof scratch.bytes;
  co_return static_cast<std::uint64_t>(co_await op);
}

Task<void> File::close() {
  if (fd_ < 0) co_return;
  FileOp op(OpCode::kClose, std::exchange(fd_, -1), "close", path_);
  op.make_uninterruptible();
  co_await op;
}

AsyncGenerator<std::string> File::lines() {
  std::string pending;
  for (;;) {
    std::string chunk = co_await read(kChunk);
    if (chunk.empty()) break;
    pending += chunk;
    std::size_t start = 0;
    for (std::size_t end; (end = pending.find('\n', start)) != std::string::npos; start = end + 1) {
      std::string line = pending.substr(start, end + 1 - start);
      if (text_ && line.size() >= 2 && line[line.size() - 2] == '\r') line.erase(line.size() - 2, 1);
      co_yield std::move(line);
    }
    pending.erase(0, start);
  }
  if (!pending.empty()) co_yield std::move(pending);
}

Task<File> open_file(std::string path, std::string mode, FileOptions options) {
  const internal::OpenMode parsed = internal::parse_open_mode(mode);
  FileOp op(OpCode::kOpen, -1, "open", path);
  op.address = path.data();
  op.open_flags = parsed.flags | internal::os::kOpenCloseOnExec | (options.direct ? internal::os::kOpenDirect : 0);
  op.open_mode = 0666;
  File file;
  file.fd_ = static_cast<std::intptr_t>(co_await op);
  file.path_ = path;
  file.mode_ = mode;
  file.text_ = parsed.text;
  file.append_ = parsed.append;
  // Python refuses a directory at open time; the kernel only for writing.
  if (internal::os::is_directory(file.fd_)) {
    throw std::system_error(std::make_error_code(std::errc::is_a_directory), "open " + path);
  }
  // A FIFO's transfers go at no offset, which also makes a blocked read
  // cancellable on Asio's pool.
  file.seekable_ = internal::os::is_seekable(file.fd_);
  if (parsed.append) file.position_ = co_await file.size();
  co_return file;
}

Task<std::string> read_file(std::string path) {
  File file = co_await open_file(std::move(path), "rb");
  std::string data = co_await file.read();
  co_await file.close();
  co_return data;
}

Task<void> write_file(std::string path, std::string_view data) {
  File file = co_await open_file(std::move(path), "wb");
  co_await file.write(data);
  co_await file.close();
}

}  // namespace coio
