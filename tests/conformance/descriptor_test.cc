// Raw descriptors: wait_readable/wait_writable/read_some/write_some, and the
// backend seam's promise that a cancelled operation gives the buffer back.
//
// On POSIX the descriptors are a pipe's. On Windows a descriptor is a
// handle the IOCP backend reads with ReadFile and polls through the AFD
// driver, which knows sockets only: there the "pipe" is a connected pair of
// loopback TCP sockets (an anonymous pipe can be neither polled nor read
// overlapped).
#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

#if defined(_WIN32)
using Descriptor = std::intptr_t;

// A new overlapped TCP socket (what the completion port needs).
SOCKET overlapped_socket() {
  const SOCKET s = ::WSASocketW(AF_INET, SOCK_STREAM, 0, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) throw std::system_error(::WSAGetLastError(), std::system_category(), "WSASocketW");
  return s;
}

// A one-way byte stream closed when the test ends: the read end and the
// write end of a TCP connection on 127.0.0.1 (each end could do both).
struct Pipe {
  Pipe() {
    const SOCKET listener = overlapped_socket();
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int length = sizeof address;
    const SOCKET writer = overlapped_socket();
    const bool ok = ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                    ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0 &&
                    ::listen(listener, 1) == 0 &&
                    ::connect(writer, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    const int error = ::WSAGetLastError();
    const SOCKET reader = ok ? ::accept(listener, nullptr, nullptr) : INVALID_SOCKET;
    const int accept_error = ::WSAGetLastError();
    ::closesocket(listener);
    if (!ok || reader == INVALID_SOCKET) {
      ::closesocket(writer);
      throw std::system_error(ok ? accept_error : error, std::system_category(), "a loopback TCP pair");
    }
    read_end = static_cast<Descriptor>(reader);
    write_end = static_cast<Descriptor>(writer);
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(Pipe&& other) noexcept
      : read_end(std::exchange(other.read_end, -1)), write_end(std::exchange(other.write_end, -1)) {}
  void close_read() {
    if (read_end >= 0) ::closesocket(static_cast<SOCKET>(std::exchange(read_end, -1)));
  }
  void close_write() {
    if (write_end >= 0) ::closesocket(static_cast<SOCKET>(std::exchange(write_end, -1)));
  }
  Descriptor read_end = -1;
  Descriptor write_end = -1;
};
#else
using Descriptor = int;

// A pipe closed when the test ends.
struct Pipe {
  Pipe() {
    int fds[2];
    if (::pipe(fds) != 0) throw std::system_error(errno, std::system_category(), "pipe");
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (read_end >= 0) ::close(std::exchange(read_end, -1));
  }
  void close_write() {
    if (write_end >= 0) ::close(std::exchange(write_end, -1));
  }
  Descriptor read_end = -1;
  Descriptor write_end = -1;
};
#endif

std::span<const std::byte> bytes(const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); }

Task<void> write_after(Descriptor fd, std::chrono::milliseconds delay, std::string text) {
  co_await sleep(delay);
  co_await write_some(fd, bytes(text));
}

TEST(Descriptor, WriteThenReadThroughAPipe) {
  Pipe p;
  run_async([&]() -> Task<void> {
    std::string hello = "hello";
    EXPECT_EQ(co_await write_some(p.write_end, bytes(hello)), 5u);
    std::array<std::byte, 16> buf{};
    std::size_t n = co_await read_some(p.read_end, buf);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), n), "hello");
  });
}

TEST(Descriptor, ReadWaitsForDataWithoutBlockingTheLoop) {
  Pipe p;
  run_async([&]() -> Task<void> {
    auto writer = create_task(write_after(p.write_end, 20ms, "late"));
    auto start = Clock::now();
    std::array<std::byte, 16> buf{};
    std::size_t n = co_await read_some(p.read_end, buf);
    EXPECT_EQ(n, 4u);
    EXPECT_GE(ms_since(start), 15.0);
    co_await writer;
  });
}

TEST(Descriptor, WaitReadableReturnsOnceDataArrives) {
  Pipe p;
  run_async([&]() -> Task<void> {
    auto writer = create_task(write_after(p.write_end, 10ms, "x"));
    co_await wait_readable(p.read_end);
    EXPECT_TRUE(writer.done());
    co_await wait_writable(p.write_end);  // an empty pipe is writable at once
  });
}

TEST(Descriptor, ReadReturnsZeroAtEndOfFile) {
  Pipe p;
  p.close_write();
  run_async([&]() -> Task<void> {
    std::array<std::byte, 8> buf{};
    EXPECT_EQ(co_await read_some(p.read_end, buf), 0u);
  });
}

TEST(Descriptor, ABadDescriptorThrowsSystemErrorWithItsErrno) {
  run_async([]() -> Task<void> {
    std::array<std::byte, 8> buf{};
    try {
      co_await read_some(987654, buf);  // no such descriptor (or handle)
      ADD_FAILURE() << "no error";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::bad_file_descriptor) << e.what();
      EXPECT_NE(std::string(e.what()).find("read"), std::string::npos) << e.what();
    }
  });
}

TEST(Descriptor, ACancelledReadGivesTheBufferBackUntouched) {
  Pipe p;
  run_async([&]() -> Task<void> {
    std::array<std::byte, 8> canary;
    canary.fill(std::byte{0xAB});
    auto reader = create_task([](Descriptor fd, std::span<std::byte> buf) -> Task<std::size_t> {
      co_return co_await read_some(fd, buf);
    }(p.read_end, canary));
    co_await sleep(5ms);  // the read is in flight in the kernel
    reader.cancel();
    EXPECT_THROW(co_await reader, CancelledError);
    // The kernel has let go: data written now is not read into the canary.
    std::string data = "DATA";
    co_await write_some(p.write_end, bytes(data));
    co_await sleep(5ms);
    for (std::byte b : canary) EXPECT_EQ(b, std::byte{0xAB});
    std::array<std::byte, 8> buf{};
    EXPECT_EQ(co_await read_some(p.read_end, buf), 4u);  // nothing was lost
  });
}

TEST(Descriptor, WaitForTimesOutAReadAndThePipeStaysUsable) {
  Pipe p;
  run_async([&]() -> Task<void> {
    std::array<std::byte, 8> buf{};
    EXPECT_THROW(co_await wait_for(read_some(p.read_end, buf), 10ms), TimeoutError);
    std::string data = "ok";
    co_await write_some(p.write_end, bytes(data));
    EXPECT_EQ(co_await read_some(p.read_end, buf), 2u);
  });
}

TEST(Descriptor, ACancelledWaitReadableEndsPromptly) {
  Pipe p;
  run_async([&]() -> Task<void> {
    auto waiter = create_task(wait_readable(p.read_end));
    co_await sleep(1ms);
    auto start = Clock::now();
    waiter.cancel();
    EXPECT_THROW(co_await waiter, CancelledError);
    EXPECT_LT(ms_since(start), 200.0);
  });
}

TEST(Descriptor, ManyReadsInFlightAllComplete) {
  constexpr int kPipes = 200;
  std::vector<Pipe> pipes(kPipes);
  run_async([&]() -> Task<void> {
    std::vector<Task<std::size_t>> reads;
    std::vector<std::array<std::byte, 4>> bufs(kPipes);
    for (int i = 0; i < kPipes; ++i) reads.push_back(read_some(pipes[i].read_end, bufs[i]));
    auto all = create_task(gather(std::move(reads)));
    co_await sleep(5ms);
    std::string one = "1";
    for (auto& p : pipes) co_await write_some(p.write_end, bytes(one));
    auto sizes = co_await all;
    for (std::size_t n : sizes) EXPECT_EQ(n, 1u);
  });
}

}  // namespace
}  // namespace coio::testing
