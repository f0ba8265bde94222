// The Windows build's own check: a mingw-built program, linked statically,
// runs (under Wine here) with threads, Winsock and an I/O completion port.
#include <winsock2.h>
#include <windows.h>

#include <atomic>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace {

TEST(WindowsSmoke, ReportsWindows10) {
  // tools/setup_mingw.sh sets the template prefix to Windows 10.
  using RtlGetVersionFn = LONG(WINAPI*)(OSVERSIONINFOW*);
  auto rtl_get_version = reinterpret_cast<RtlGetVersionFn>(
      reinterpret_cast<void*>(GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "RtlGetVersion")));
  ASSERT_NE(rtl_get_version, nullptr);
  OSVERSIONINFOW info{};
  info.dwOSVersionInfoSize = sizeof info;
  ASSERT_EQ(rtl_get_version(&info), 0);
  EXPECT_EQ(info.dwMajorVersion, 10u);
}

TEST(WindowsSmoke, CompletionPortWakesAnotherThread) {
  HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 1);
  ASSERT_NE(port, nullptr);
  std::thread poster([port] { PostQueuedCompletionStatus(port, 42, 7, nullptr); });
  OVERLAPPED_ENTRY entry{};
  ULONG count = 0;
  ASSERT_TRUE(GetQueuedCompletionStatusEx(port, &entry, 1, &count, 5000, FALSE));
  poster.join();
  EXPECT_EQ(count, 1u);
  EXPECT_EQ(entry.dwNumberOfBytesTransferred, 42u);
  EXPECT_EQ(entry.lpCompletionKey, 7u);
  CloseHandle(port);
}

TEST(WindowsSmoke, WinsockStarts) {
  WSADATA data;
  ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &data), 0);
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  EXPECT_NE(s, INVALID_SOCKET);
  closesocket(s);
  WSACleanup();
}

TEST(WindowsSmoke, AbseilClockAdvances) {
  absl::Time start = absl::Now();
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(15));
}

}  // namespace
