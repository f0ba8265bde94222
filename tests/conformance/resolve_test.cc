// resolve(): host names to addresses on the loop's thread pool, numeric
// addresses in place. Needs no network: only localhost and the reserved
// ".invalid" domain (RFC 6761), which never resolves.
#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <tlhelp32.h>
#else
#include <netdb.h>
#include <netinet/in.h>
#endif

#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

bool is_loopback(const SocketAddress& a) {
  if (a.family() == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(a.native());
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (a.family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a.native());
    return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
  }
  return false;
}

#if defined(_WIN32)
// The process's thread count, from a snapshot of the system's threads.
int thread_count() {
  const HANDLE snapshot = ::CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
  if (snapshot == INVALID_HANDLE_VALUE) return -1;
  int count = 0;
  THREADENTRY32 entry{};
  entry.dwSize = sizeof entry;
  for (BOOL more = ::Thread32First(snapshot, &entry); more; more = ::Thread32Next(snapshot, &entry)) {
    if (entry.th32OwnerProcessID == ::GetCurrentProcessId()) ++count;
  }
  ::CloseHandle(snapshot);
  return count;
}
#else
// The process's thread count, from /proc.
int thread_count() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}
#endif

TEST(Resolve, LocalhostGivesLoopbackAddressesWithThePort) {
  run_async([]() -> Task<void> {
    std::vector<SocketAddress> all = co_await resolve("localhost", 4242);
    EXPECT_FALSE(all.empty());
    for (const SocketAddress& a : all) {
      EXPECT_TRUE(is_loopback(a)) << a.to_string();
      EXPECT_EQ(a.port(), 4242) << a.to_string();
    }
  });
}

TEST(Resolve, LocalhostForDatagramsGivesLoopbackAddressesToo) {
  run_async([]() -> Task<void> {
    std::vector<SocketAddress> all = co_await resolve("localhost", 53, SocketKind::kDatagram);
    EXPECT_FALSE(all.empty());
    for (const SocketAddress& a : all) EXPECT_TRUE(is_loopback(a)) << a.to_string();
  });
}

TEST(Resolve, NoAddressIsListedTwice) {
  run_async([]() -> Task<void> {
    std::vector<SocketAddress> all = co_await resolve("localhost", 80);
    for (std::size_t i = 0; i < all.size(); ++i) {
      for (std::size_t j = i + 1; j < all.size(); ++j) EXPECT_NE(all[i], all[j]) << all[i].to_string();
    }
  });
}

TEST(Resolve, ANumericAddressIsParsedInPlaceWithoutAThreadOrALoopTurn) {
  run_async([]() -> Task<void> {
    const int threads_before = thread_count();
    bool other_task_ran = false;
    auto other = create_task([](bool& ran) -> Task<void> {
      ran = true;
      co_return;
    }(other_task_ran));
    std::vector<SocketAddress> v4 = co_await resolve("127.0.0.1", 80);
    std::vector<SocketAddress> v6 = co_await resolve("::1", 81);
    std::vector<SocketAddress> bracketed = co_await resolve("[::1]", 82);
    // Had resolve() gone through the thread pool, the loop would have run
    // the other task while waiting, and the pool would have a thread.
    EXPECT_FALSE(other_task_ran);
    EXPECT_EQ(thread_count(), threads_before);
    EXPECT_EQ(v4.size(), 1u);
    EXPECT_EQ(v4.empty() ? "" : v4[0].to_string(), "127.0.0.1:80");
    EXPECT_EQ(v6.size(), 1u);
    EXPECT_EQ(v6.empty() ? "" : v6[0].to_string(), "[::1]:81");
    EXPECT_EQ(bracketed.size(), 1u);
    EXPECT_EQ(bracketed.empty() ? "" : bracketed[0].to_string(), "[::1]:82");
    co_await other;
    EXPECT_TRUE(other_task_ran);
  });
}

TEST(Resolve, AnUnresolvableHostThrowsResolveErrorNamingTheHost) {
  run_async([]() -> Task<void> {
    const std::string host = "no-such-host.invalid";
    try {
      std::vector<SocketAddress> all = co_await resolve(host, 80);
      ADD_FAILURE() << "resolved to " << all.size() << " addresses";
    } catch (const ResolveError& e) {
      EXPECT_EQ(e.host(), host);
      EXPECT_EQ(&e.code().category(), &resolve_category());
      EXPECT_NE(e.code().value(), 0);
      EXPECT_NE(std::string(e.what()).find(host), std::string::npos) << e.what();
      // The category speaks getaddrinfo's language.
      EXPECT_EQ(e.code().message(), ::gai_strerror(e.code().value()));
      EXPECT_STREQ(e.code().category().name(), "getaddrinfo");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not a ResolveError: " << e.what();
    }
  });
}

TEST(Resolve, TheLoopKeepsRunningWhileANameResolves) {
  run_async([]() -> Task<void> {
    int ticks = 0;
    auto ticker = create_task([](int& n) -> Task<void> {
      for (;;) {
        ++n;
        co_await sleep(0ms);
      }
    }(ticks));
    std::vector<SocketAddress> all = co_await resolve("localhost", 80);
    EXPECT_FALSE(all.empty());
    // The lookup took a trip to the thread pool; the ticker ran meanwhile.
    EXPECT_GT(ticks, 0);
    ticker.cancel();
    try {
      co_await ticker;
    } catch (const CancelledError&) {
    }
  });
}

TEST(Resolve, ResolveErrorCarriesItsCodeAndHost) {
  const ResolveError e(EAI_NONAME, "nowhere.invalid");
  EXPECT_EQ(e.code().value(), EAI_NONAME);
  EXPECT_EQ(&e.code().category(), &resolve_category());
  EXPECT_EQ(e.host(), "nowhere.invalid");
  EXPECT_NE(std::string(e.what()).find("nowhere.invalid"), std::string::npos);
  const std::system_error& as_system_error = e;  // catchable as one
  EXPECT_EQ(as_system_error.code(), std::error_code(EAI_NONAME, resolve_category()));
}

}  // namespace
}  // namespace coio::testing
