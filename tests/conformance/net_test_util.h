// Shared helpers for the network tests (tcp, datagram, streams, server):
// loopback addresses, byte views, bounded waits and clean closes, and
// directories for Unix socket files.
#pragma once

#if !defined(_WIN32)
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "coio/coio.h"
#include "gtest/gtest.h"

namespace coio::testing {

using Streams = std::pair<StreamReader, StreamWriter>;

inline constexpr char kLoopback[] = "127.0.0.1";

inline SocketAddress loopback_any_port() { return SocketAddress::parse(kLoopback, 0); }

inline std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

inline std::string text(std::span<const std::byte> b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// Waits up to `limit` for `task` to end, so that a test fails rather than
// hangs when an operation is never given back. True when it ended.
template <class T>
Task<bool> ends_within(const TaskHandle<T>& task, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!task.done() && Clock::now() < deadline) co_await sleep(std::chrono::milliseconds(1));
  co_return task.done();
}

// Closes the server and waits (at most 2 s) until it is closed.
inline Task<void> close_server(Server& server) {
  server.close();
  bool timed_out = false;
  try {
    co_await wait_for(server.wait_closed(), std::chrono::seconds(2));
  } catch (const TimeoutError&) {
    timed_out = true;
  }
  EXPECT_FALSE(timed_out) << "Server::wait_closed() did not return";
}

// Closes the writer and waits (at most 2 s) until the connection is closed.
inline Task<void> close_writer(StreamWriter& writer) {
  writer.close();
  bool timed_out = false;
  try {
    co_await wait_for(writer.wait_closed(), std::chrono::seconds(2));
  } catch (const TimeoutError&) {
    timed_out = true;
  }
  EXPECT_FALSE(timed_out) << "StreamWriter::wait_closed() did not return";
}

// A client handler that echoes each line until the end of the stream.
inline Task<void> echo_lines(StreamReader reader, StreamWriter writer) {
  for (;;) {
    std::string line = co_await reader.readline();
    if (line.empty()) break;
    writer.write(line);
    co_await writer.drain();
  }
  writer.close();
  co_await writer.wait_closed();
}

#if !defined(_WIN32)
// Unix socket files (for the tests that run on POSIX only).

// A directory for Unix socket files, short enough for sun_path (so under
// /tmp rather than Bazel's long $TEST_TMPDIR when it can), removed with
// everything in it at the end.
class SocketDir {
 public:
  SocketDir() {
    std::string pattern = "/tmp/coio-sock-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      const char* test_tmp = std::getenv("TEST_TMPDIR");
      pattern = std::string(test_tmp != nullptr ? test_tmp : ".") + "/u-XXXXXX";
      if (::mkdtemp(pattern.data()) == nullptr) throw std::system_error(errno, std::system_category(), "mkdtemp");
    }
    path_ = pattern;
  }
  SocketDir(const SocketDir&) = delete;
  SocketDir& operator=(const SocketDir&) = delete;
  ~SocketDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  std::string file(const char* name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline bool is_socket_file(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

inline bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}
#endif

}  // namespace coio::testing
