// backends/iocp/completion_port.h on Windows (here, Wine): posting, batches,
// timeouts, a wake-up from another thread, and a real overlapped file write.
#include "backends/iocp/completion_port.h"

#include <array>
#include <chrono>
#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace coio::iocp {
namespace {

using std::chrono::milliseconds;

TEST(CompletionPort, DequeuesPostedPacketsInOneBatch) {
  CompletionPort port;
  for (ULONG_PTR key = 1; key <= 3; ++key) port.post(key, nullptr, static_cast<DWORD>(key * 10));
  std::array<OVERLAPPED_ENTRY, 8> batch{};
  auto got = port.dequeue(batch, 1000);
  ASSERT_EQ(got.size(), 3u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].lpCompletionKey, i + 1);
    EXPECT_EQ(got[i].dwNumberOfBytesTransferred, (i + 1) * 10);
    EXPECT_EQ(got[i].lpOverlapped, nullptr);
  }
}

TEST(CompletionPort, ReturnsNothingWhenTheTimeoutPasses) {
  CompletionPort port;
  std::array<OVERLAPPED_ENTRY, 4> batch{};
  const auto start = Clock::now();
  EXPECT_TRUE(port.dequeue(batch, 30).empty());
  EXPECT_GE(Clock::now() - start, milliseconds(25));
  EXPECT_TRUE(port.dequeue(batch, 0).empty());
}

TEST(CompletionPort, APostFromAnotherThreadWakesABlockedDequeue) {
  CompletionPort port;
  std::thread waker([&port] {
    std::this_thread::sleep_for(milliseconds(20));
    port.post(7);
  });
  std::array<OVERLAPPED_ENTRY, 4> batch{};
  auto got = port.dequeue(batch, 5000);
  waker.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].lpCompletionKey, 7u);
}

TEST(CompletionPort, DeliversAnOverlappedFileWrite) {
  char dir[MAX_PATH];
  ASSERT_NE(::GetTempPathA(sizeof dir, dir), 0u);
  const std::string path = std::string(dir) + "coio_completion_port_test.bin";
  HANDLE file = ::CreateFileA(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                              FILE_FLAG_OVERLAPPED, nullptr);
  ASSERT_NE(file, INVALID_HANDLE_VALUE) << path << ": error " << ::GetLastError();
  CompletionPort port;
  port.associate(file, 42);
  static const char kData[] = "completion";
  OVERLAPPED overlapped{};
  overlapped.Offset = 4096;
  // Wine always pends file writes; Windows may finish at once, and still
  // queues the packet (no skip-on-success mode here).
  if (!::WriteFile(file, kData, sizeof kData, nullptr, &overlapped)) {
    ASSERT_EQ(::GetLastError(), static_cast<DWORD>(ERROR_IO_PENDING));
  }
  std::array<OVERLAPPED_ENTRY, 4> batch{};
  auto got = port.dequeue(batch, 5000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].lpCompletionKey, 42u);
  EXPECT_EQ(got[0].lpOverlapped, &overlapped);
  EXPECT_EQ(got[0].dwNumberOfBytesTransferred, sizeof kData);
  LARGE_INTEGER size{};
  ASSERT_TRUE(::GetFileSizeEx(file, &size));
  EXPECT_EQ(size.QuadPart, 4096 + static_cast<LONGLONG>(sizeof kData));
  ::CloseHandle(file);
  ::DeleteFileA(path.c_str());
}

TEST(TimeoutUntil, RoundsUpAndKnowsNoDeadline) {
  const auto now = Clock::now();
  EXPECT_EQ(timeout_until(Clock::time_point::max(), now), INFINITE);
  EXPECT_EQ(timeout_until(now - milliseconds(5), now), 0u);
  EXPECT_EQ(timeout_until(now, now), 0u);
  EXPECT_EQ(timeout_until(now + std::chrono::microseconds(1), now), 1u);
  EXPECT_EQ(timeout_until(now + milliseconds(250), now), 250u);
  EXPECT_EQ(timeout_until(now + std::chrono::hours(24 * 60), now), INFINITE - 1);
}

}  // namespace
}  // namespace coio::iocp
