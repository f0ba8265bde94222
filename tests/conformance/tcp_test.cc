// TcpListener and TcpStream on real sockets (127.0.0.1 and Unix-domain
// paths only): transfers, end of stream, half-close, errors with their
// std::errc condition and address, cancellation that gives the buffer back,
// close() aborting what is in flight, and many connections at once. On
// POSIX and Windows; the Unix-domain tests are POSIX-only.
#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#else
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"
#include "tests/support/blocking_socket.h"
#include "net_test_util.h"

namespace coio::testing {
namespace {

// A connected pair: `client` made with connect(), `server` by accept().
struct Pair {
  TcpStream client;
  TcpStream server;
};

Task<Pair> connected_pair(TcpListener& listener) {
  const SocketAddress where = listener.sockname();
  TcpStream client = co_await TcpStream::connect(where);
  TcpStream server = co_await listener.accept();
  Pair pair;
  pair.client = std::move(client);
  pair.server = std::move(server);
  co_return std::move(pair);
}

// Reads until `n` bytes came or the stream ended.
Task<std::string> read_exactly(TcpStream& s, std::size_t n) {
  std::string out;
  std::vector<std::byte> buf(std::min<std::size_t>(n, 256 * 1024));
  while (out.size() < n) {
    const std::size_t want = std::min(buf.size(), n - out.size());
    const std::size_t got = co_await s.read_some(std::span(buf).first(want));
    if (got == 0) break;
    out += text(std::span(buf).first(got));
  }
  co_return out;
}

// Reads until the end of the stream.
Task<std::string> read_to_end(TcpStream& s) {
  std::string out;
  std::vector<std::byte> buf(64 * 1024);
  for (;;) {
    const std::size_t got = co_await s.read_some(buf);
    if (got == 0) break;
    out += text(std::span(buf).first(got));
  }
  co_return out;
}

Task<std::size_t> read_into(TcpStream& s, std::span<std::byte> buf) {
  const std::size_t n = co_await s.read_some(buf);
  co_return n;
}

Task<std::size_t> write_all_of(TcpStream& s, std::span<const std::byte> data) {
  const std::size_t n = co_await s.write_all(data);
  co_return n;
}

// An int socket option, or minus the error. (Winsock takes char pointers.)
int int_option(std::intptr_t fd, int level, int option) {
  int value = 0;
  socklen_t length = sizeof value;
  if (::getsockopt(static_cast<NativeSocket>(fd), level, option, reinterpret_cast<char*>(&value), &length) != 0) {
    return -socket_error();
  }
  return value;
}

void set_int_option(std::intptr_t fd, int level, int option, int value) {
  EXPECT_EQ(::setsockopt(static_cast<NativeSocket>(fd), level, option, reinterpret_cast<const char*>(&value),
                         sizeof value),
            0)
      << "error " << socket_error();
}

TEST(Tcp, AcceptAndConnectMakeAPairThatCarriesBytesBothWays) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    EXPECT_NE(listener.port(), 0);
    Pair p = co_await connected_pair(listener);
    EXPECT_TRUE(p.client.is_open());
    EXPECT_TRUE(p.server.is_open());

    const std::size_t sent = co_await p.client.write_all("ping");
    EXPECT_EQ(sent, 4u);
    std::string got = co_await read_exactly(p.server, 4);
    EXPECT_EQ(got, "ping");

    const std::size_t answered = co_await p.server.write_all("pong!");
    EXPECT_EQ(answered, 5u);
    got = co_await read_exactly(p.client, 5);
    EXPECT_EQ(got, "pong!");

    co_await p.client.close();
    co_await p.server.close();
    co_await listener.close();
    EXPECT_FALSE(p.client.is_open());
    EXPECT_FALSE(listener.is_open());
  });
}

TEST(Tcp, BindByHostWithPortZeroPicksAFreePortOnThatAddress) {
  run_async([]() -> Task<void> {
    TcpListener a = co_await TcpListener::bind("127.0.0.1", 0);
    TcpListener b = co_await TcpListener::bind("127.0.0.1", 0);
    EXPECT_NE(a.port(), 0);
    EXPECT_NE(b.port(), 0);
    EXPECT_NE(a.port(), b.port());
    EXPECT_EQ(a.sockname().host(), "127.0.0.1");
    EXPECT_EQ(a.sockname().port(), a.port());
    EXPECT_GE(a.native_handle(), 0);
    co_await a.close();
    co_await b.close();
  });
}

TEST(Tcp, BindingAPortInUseThrowsEaddrinuseNamingTheAddress) {
  run_async([]() -> Task<void> {
    TcpListener first = TcpListener::bind(loopback_any_port());
    const SocketAddress taken = first.sockname();
    try {
      TcpListener second = TcpListener::bind(taken);
      ADD_FAILURE() << "bound twice to " << taken.to_string();
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::address_in_use) << e.what();
      EXPECT_NE(std::string(e.what()).find(taken.to_string()), std::string::npos) << e.what();
    }
    co_await first.close();
  });
}

TEST(Tcp, ReadSomeReturnsWhatIsThereAtMostTheBufferSize) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    co_await p.client.write_all("0123456789");
    co_await sleep(5ms);  // all ten bytes have arrived
    std::array<std::byte, 4> small{};
    std::size_t n = co_await p.server.read_some(small);
    EXPECT_EQ(n, 4u);
    EXPECT_EQ(text(std::span(small).first(n)), "0123");
    std::array<std::byte, 64> big{};
    n = co_await p.server.read_some(big);
    EXPECT_EQ(n, 6u);
    EXPECT_EQ(text(std::span(big).first(n)), "456789");
  });
}

TEST(Tcp, WriteSomeReturnsHowManyBytesWentAndThoseArrive) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    set_int_option(p.client.native_handle(), SOL_SOCKET, SO_SNDBUF, 64 * 1024);
    set_int_option(p.server.native_handle(), SOL_SOCKET, SO_RCVBUF, 64 * 1024);
    std::vector<std::byte> data(4 * 1024 * 1024);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::byte(i % 251);
    const std::size_t n = co_await p.client.write_some(data);
    EXPECT_GT(n, 0u);
    EXPECT_LT(n, data.size()) << "4 MiB fit in 64 KiB socket buffers";
    std::string got = co_await read_exactly(p.server, n);
    EXPECT_EQ(got.size(), n);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), data.begin(),
                           [](char c, std::byte b) { return static_cast<std::byte>(c) == b; }));
  });
}

TEST(Tcp, WriteAllSendsEveryByteOfALargeBufferAcrossPartialSends) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    // Bounded buffers (the kernel doubles these): 8 MiB cannot go in one send.
    set_int_option(p.client.native_handle(), SOL_SOCKET, SO_SNDBUF, 256 * 1024);
    set_int_option(p.server.native_handle(), SOL_SOCKET, SO_RCVBUF, 256 * 1024);
    constexpr std::size_t kSize = 8 * 1024 * 1024;
    std::vector<std::byte> data(kSize);
    for (std::size_t i = 0; i < kSize; ++i) data[i] = std::byte((i * 7 + i / 4096) % 253);
    auto writer = create_task(write_all_of(p.client, data));
    co_await sleep(20ms);
    EXPECT_FALSE(writer.done()) << "write_all finished with nobody reading";
    std::string got = co_await read_exactly(p.server, kSize);
    const std::size_t written = co_await writer;
    EXPECT_EQ(written, kSize);
    EXPECT_EQ(got.size(), kSize);
    std::size_t first_difference = kSize;
    for (std::size_t i = 0; i < std::min(got.size(), kSize); ++i) {
      if (static_cast<std::byte>(got[i]) != data[i]) {
        first_difference = i;
        break;
      }
    }
    EXPECT_EQ(first_difference, kSize) << "the bytes differ from offset " << first_difference;
  });
}

TEST(Tcp, OneTaskReadsWhileAnotherWritesOnTheSameStream) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    std::array<std::byte, 16> buf{};
    auto reader = create_task(read_into(p.client, buf));
    co_await sleep(2ms);
    // The read is pending; a write on the same stream goes on meanwhile.
    const std::size_t sent = co_await p.client.write_all("request");
    EXPECT_EQ(sent, 7u);
    std::string request = co_await read_exactly(p.server, 7);
    EXPECT_EQ(request, "request");
    co_await p.server.write_all("reply");
    const std::size_t n = co_await reader;
    EXPECT_EQ(text(std::span(buf).first(n)), "reply");
  });
}

TEST(Tcp, ReadSomeReturnsZeroAfterThePeerClosed) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    co_await p.client.write_all("last words");
    co_await p.client.close();
    std::string got = co_await read_to_end(p.server);
    EXPECT_EQ(got, "last words");
    std::array<std::byte, 8> buf{};
    const std::size_t again = co_await p.server.read_some(buf);  // end of stream stays so
    EXPECT_EQ(again, 0u);
  });
}

TEST(Tcp, APendingReadReturnsZeroWhenThePeerClosesMeanwhile) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    std::array<std::byte, 8> buf{};
    auto reader = create_task(read_into(p.server, buf));
    co_await sleep(5ms);
    EXPECT_FALSE(reader.done());
    co_await p.client.close();
    const std::size_t n = co_await reader;
    EXPECT_EQ(n, 0u);
  });
}

TEST(Tcp, ADestroyedStreamClosesItsConnection) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    { TcpStream gone = std::move(p.client); }
    EXPECT_FALSE(p.client.is_open());  // moved from
    std::array<std::byte, 8> buf{};
    const std::size_t n = co_await p.server.read_some(buf);
    EXPECT_EQ(n, 0u);
  });
}

TEST(Tcp, ShutdownWriteLetsThePeerSeeEndOfStreamAndStillAnswer) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    co_await p.client.write_all("question");
    p.client.shutdown_write();
    std::string question = co_await read_to_end(p.server);
    EXPECT_EQ(question, "question");
    // The half-closed side still reads what the peer sends back.
    co_await p.server.write_all("answer");
    co_await p.server.close();
    std::string answer = co_await read_to_end(p.client);
    EXPECT_EQ(answer, "answer");
  });
}

TEST(Tcp, PeernameAndSocknameOfTheTwoEndsAgree) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    EXPECT_EQ(p.client.peername(), listener.sockname());
    EXPECT_EQ(p.server.sockname(), listener.sockname());
    EXPECT_EQ(p.client.sockname(), p.server.peername());
    EXPECT_EQ(p.client.sockname().host(), "127.0.0.1");
    EXPECT_NE(p.client.sockname().port(), 0);
    EXPECT_NE(p.client.sockname().port(), listener.port());
    EXPECT_EQ(p.client.peername().to_string(), "127.0.0.1:" + std::to_string(listener.port()));
  });
}

TEST(Tcp, NodelayIsOnByDefaultOnBothEndsAndCanBeTurnedOff) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    EXPECT_NE(int_option(p.client.native_handle(), IPPROTO_TCP, TCP_NODELAY), 0);
    EXPECT_NE(int_option(p.server.native_handle(), IPPROTO_TCP, TCP_NODELAY), 0);
    p.client.set_nodelay(false);
    EXPECT_EQ(int_option(p.client.native_handle(), IPPROTO_TCP, TCP_NODELAY), 0);
    p.client.set_nodelay(true);
    EXPECT_NE(int_option(p.client.native_handle(), IPPROTO_TCP, TCP_NODELAY), 0);
  });
}

#if defined(_WIN32)
// Windows has no non-blocking flag to read back (coio's sockets are
// overlapped, for the completion port); what close-on-exec guards against,
// a child process holding the socket, is the handle's inherit flag.
TEST(Tcp, SocketsAreNotInheritedByChildProcesses) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    for (std::intptr_t fd : {listener.native_handle(), p.client.native_handle(), p.server.native_handle()}) {
      DWORD flags = 0;
      EXPECT_TRUE(::GetHandleInformation(reinterpret_cast<HANDLE>(fd), &flags)) << fd;
      EXPECT_EQ(flags & HANDLE_FLAG_INHERIT, 0u) << fd;
    }
  });
}
#else
TEST(Tcp, SocketsAreNonBlockingAndCloseOnExec) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    for (std::intptr_t fd : {listener.native_handle(), p.client.native_handle(), p.server.native_handle()}) {
      EXPECT_NE(::fcntl(static_cast<int>(fd), F_GETFL) & O_NONBLOCK, 0) << fd;
      EXPECT_NE(::fcntl(static_cast<int>(fd), F_GETFD) & FD_CLOEXEC, 0) << fd;
    }
  });
}
#endif

// A port where nothing listens: bound (so that nobody else takes it) but
// never listening, so a connection is refused.
struct ClosedPort {
  std::uint16_t port = 0;
  Fd bound = loopback_socket(/*listening=*/false, port);
};

TEST(Tcp, ConnectToAClosedPortThrowsEconnrefusedNamingTheAddress) {
  ClosedPort closed;
  run_async([&]() -> Task<void> {
    const SocketAddress where = SocketAddress::parse("127.0.0.1", closed.port);
    try {
      TcpStream s = co_await TcpStream::connect(where);
      ADD_FAILURE() << "connected to " << where.to_string();
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::connection_refused) << e.what();
      EXPECT_NE(std::string(e.what()).find(where.to_string()), std::string::npos) << e.what();
    }
    // The same by host and port.
    try {
      TcpStream s = co_await TcpStream::connect("127.0.0.1", closed.port);
      ADD_FAILURE() << "connected to " << where.to_string();
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::connection_refused) << e.what();
      EXPECT_NE(std::string(e.what()).find(where.to_string()), std::string::npos) << e.what();
    }
  });
}

TEST(Tcp, ConnectToLocalhostByNameWorks) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    TcpStream client = co_await TcpStream::connect("localhost", listener.port());
    TcpStream server = co_await listener.accept();
    EXPECT_EQ(client.peername(), listener.sockname());
    co_await client.write_all("by name");
    std::string got = co_await read_exactly(server, 7);
    EXPECT_EQ(got, "by name");
  });
}

TEST(Tcp, ConnectToAnUnresolvableHostThrowsResolveError) {
  run_async([]() -> Task<void> {
    try {
      TcpStream s = co_await TcpStream::connect("no-such-host.invalid", 80);
      ADD_FAILURE() << "connected";
    } catch (const ResolveError& e) {
      EXPECT_EQ(e.host(), "no-such-host.invalid");
    }
  });
}

TEST(Tcp, WaitForBoundsAConnectToAReachableServer) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    TcpStream client = co_await wait_for(TcpStream::connect(listener.sockname()), 1s);
    EXPECT_TRUE(client.is_open());
    TcpStream by_name = co_await wait_for(TcpStream::connect("127.0.0.1", listener.port()), 1s);
    EXPECT_TRUE(by_name.is_open());
    TcpStream server = co_await listener.accept();
    EXPECT_EQ(server.peername(), client.sockname());
  });
}

TEST(Tcp, WaitForTimesOutAReadAndTheStreamStaysUsable) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    std::array<std::byte, 16> buf{};
    const auto start = Clock::now();
    bool timed_out = false;
    try {
      const std::size_t n = co_await wait_for(p.server.read_some(buf), 20ms);
      ADD_FAILURE() << "read " << n << " bytes";
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    EXPECT_GE(ms_since(start), 15.0);
    co_await p.client.write_all("later");
    const std::size_t n = co_await p.server.read_some(buf);
    EXPECT_EQ(text(std::span(buf).first(n)), "later");
  });
}

// The kernel owns a read's buffer until it completes: a cancelled read must
// be aborted in the kernel, and resume only once the kernel let go, so that
// data arriving afterwards never lands in the caller's buffer.
TEST(Tcp, ACancelledReadLeavesItsBufferUntouchedAndTheDataForTheNextRead) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    // Cancelled at once, after one loop turn, and after the read waited a while.
    const std::chrono::milliseconds delays[] = {0ms, 1ms, 10ms};
    int round = 0;
    for (std::chrono::milliseconds delay : delays) {
      ++round;
      std::array<std::byte, 64> canary;
      canary.fill(std::byte{0xCD});
      auto reader = create_task(read_into(p.server, canary));
      co_await sleep(0ms);  // the reader starts and its recv goes to the kernel
      co_await sleep(delay);
      EXPECT_FALSE(reader.done()) << "round " << round;
      reader.cancel();
      const bool ended = co_await ends_within(reader, 1000ms);
      if (!ended) {
        ADD_FAILURE() << "round " << round << ": the cancelled read never ended";
        co_return;
      }
      bool cancelled = false;
      try {
        const std::size_t n = co_await reader;
        ADD_FAILURE() << "round " << round << ": read " << n << " bytes";
      } catch (const CancelledError&) {
        cancelled = true;
      }
      EXPECT_TRUE(cancelled) << "round " << round;
      EXPECT_TRUE(reader.cancelled()) << "round " << round;

      const std::string message = "DATA-AFTER-CANCEL-" + std::to_string(round);
      co_await p.client.write_all(message);
      co_await sleep(50ms);
      int touched = 0;
      for (std::byte b : canary) touched += b != std::byte{0xCD};
      EXPECT_EQ(touched, 0) << "round " << round << ": the cancelled read wrote into its buffer: "
                            << text(std::span(canary).first(message.size()));
      // The data went to nobody: the next read gets all of it.
      std::string next;
      try {
        next = co_await wait_for(read_exactly(p.server, message.size()), 1s);
      } catch (const TimeoutError&) {
        ADD_FAILURE() << "round " << round << ": the data never came to the next read";
        co_return;
      }
      EXPECT_EQ(next, message) << "round " << round;
    }
  });
}

TEST(Tcp, TwoConcurrentReadsOnOneStreamAreAnInvalidStateError) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    std::array<std::byte, 16> first{};
    auto reader = create_task(p.server.read_some(first));  // an awaiter runs as a task too
    co_await sleep(2ms);
    std::array<std::byte, 16> second{};
    bool refused = false;
    try {
      const std::size_t n = co_await p.server.read_some(second);
      ADD_FAILURE() << "second read got " << n << " bytes";
    } catch (const InvalidStateError& e) {
      refused = true;
      EXPECT_NE(std::string(e.what()).find("recv"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(refused);
    // The first read is unharmed.
    co_await p.client.write_all("first");
    const std::size_t n = co_await reader;
    EXPECT_EQ(text(std::span(first).first(n)), "first");
    // And with it done, reading again is fine.
    co_await p.client.write_all("again");
    const std::size_t m = co_await p.server.read_some(second);
    EXPECT_EQ(text(std::span(second).first(m)), "again");
  });
}

TEST(Tcp, TwoConcurrentWritesOnOneStreamAreAnInvalidStateError) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    set_int_option(p.client.native_handle(), SOL_SOCKET, SO_SNDBUF, 64 * 1024);
    set_int_option(p.server.native_handle(), SOL_SOCKET, SO_RCVBUF, 64 * 1024);
    std::vector<std::byte> big(2 * 1024 * 1024, std::byte{'x'});
    auto writer = create_task(write_all_of(p.client, big));
    co_await sleep(5ms);
    EXPECT_FALSE(writer.done());  // blocked: nobody reads
    bool refused = false;
    try {
      const std::size_t n = co_await p.client.write_some(bytes("y"));
      ADD_FAILURE() << "second write sent " << n << " bytes";
    } catch (const InvalidStateError&) {
      refused = true;
    }
    EXPECT_TRUE(refused);
    std::string got = co_await read_exactly(p.server, big.size());
    EXPECT_EQ(got.size(), big.size());
    EXPECT_EQ(got.find('y'), std::string::npos);
    const std::size_t written = co_await writer;
    EXPECT_EQ(written, big.size());
  });
}

TEST(Tcp, OperationsAfterCloseThrowEbadf) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    co_await p.server.close();
    EXPECT_FALSE(p.server.is_open());
    EXPECT_EQ(p.server.native_handle(), -1);
    const std::error_condition ebadf = std::errc::bad_file_descriptor;
    std::array<std::byte, 8> buf{};
    int failures = 0;
    try {
      const std::size_t n = co_await p.server.read_some(buf);
      ADD_FAILURE() << "read " << n;
    } catch (const std::system_error& e) {
      ++failures;
      EXPECT_EQ(e.code(), ebadf) << e.what();
    }
    try {
      const std::size_t n = co_await p.server.write_some(bytes("x"));
      ADD_FAILURE() << "wrote " << n;
    } catch (const std::system_error& e) {
      ++failures;
      EXPECT_EQ(e.code(), ebadf) << e.what();
    }
    try {
      const std::size_t n = co_await p.server.write_all("x");
      ADD_FAILURE() << "wrote " << n;
    } catch (const std::system_error& e) {
      ++failures;
      EXPECT_EQ(e.code(), ebadf) << e.what();
    }
    try {
      p.server.shutdown_write();
      ADD_FAILURE() << "shut down";
    } catch (const std::system_error& e) {
      ++failures;
      EXPECT_EQ(e.code(), ebadf) << e.what();
    }
    try {
      p.server.set_nodelay(true);
      ADD_FAILURE() << "set TCP_NODELAY";
    } catch (const std::system_error& e) {
      ++failures;
      EXPECT_EQ(e.code(), ebadf) << e.what();
    }
    try {
      (void)p.server.peername();
      ADD_FAILURE() << "peername";
    } catch (const std::system_error& e) {
      ++failures;
      EXPECT_EQ(e.code(), ebadf) << e.what();
    }
    try {
      (void)p.server.sockname();
      ADD_FAILURE() << "sockname";
    } catch (const std::system_error& e) {
      ++failures;
      EXPECT_EQ(e.code(), ebadf) << e.what();
    }
    EXPECT_EQ(failures, 7);
    co_await p.server.close();  // closing again does nothing

    co_await listener.close();
    try {
      TcpStream s = co_await listener.accept();
      ADD_FAILURE() << "accepted on a closed listener";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), ebadf) << e.what();
    }
  });
}

// An awaiter made before the stream closed, and awaited after (a task made
// from it starts on a later loop turn), fails with EBADF.
TEST(Tcp, AReadMadeBeforeTheStreamClosedAndStartedAfterThrowsEbadf) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    std::array<std::byte, 8> buf{};
    auto after_close = create_task(p.server.read_some(buf));
    co_await p.server.close();
    auto after_destruction = create_task(p.client.read_some(buf));
    { TcpStream dropped = std::move(p.client); }
    TaskHandle<std::size_t> started_late[] = {after_close, after_destruction};
    for (TaskHandle<std::size_t>& task : started_late) {
      try {
        const std::size_t n = co_await task;
        ADD_FAILURE() << "read " << n << " bytes";
      } catch (const std::system_error& e) {
        EXPECT_EQ(e.code(), std::errc::bad_file_descriptor) << e.what();
      }
    }
  });
}

TEST(Tcp, CloseWhileAReadIsPendingFailsThatReadWithEcanceled) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    std::array<std::byte, 16> buf{};
    auto reader = create_task(read_into(p.server, buf));
    co_await sleep(5ms);
    EXPECT_FALSE(reader.done());
    const auto start = Clock::now();
    co_await p.server.close();
    EXPECT_LT(ms_since(start), 500.0);
    EXPECT_FALSE(p.server.is_open());
    bool ecanceled = false;
    try {
      const std::size_t n = co_await reader;
      ADD_FAILURE() << "read " << n << " bytes";
    } catch (const CancelledError&) {
      ADD_FAILURE() << "CancelledError: the reading task was not cancelled";
    } catch (const std::system_error& e) {
      ecanceled = e.code() == std::errc::operation_canceled;
      EXPECT_TRUE(ecanceled) << e.what();
    }
    EXPECT_TRUE(ecanceled);
    EXPECT_FALSE(reader.cancelled());
    // The peer sees the connection closed.
    std::array<std::byte, 8> peer_buf{};
    const std::size_t n = co_await p.client.read_some(peer_buf);
    EXPECT_EQ(n, 0u);
  });
}

TEST(Tcp, DestroyingAStreamWithAReadPendingFailsThatReadWithEcanceled) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    std::array<std::byte, 16> buf{};
    auto reader = create_task(read_into(p.server, buf));
    co_await sleep(5ms);
    { TcpStream dropped = std::move(p.server); }  // closed by its destructor
    const bool ended = co_await ends_within(reader, 1000ms);
    if (!ended) {
      ADD_FAILURE() << "the read outlived its stream";
      co_return;
    }
    bool ecanceled = false;
    try {
      const std::size_t n = co_await reader;
      ADD_FAILURE() << "read " << n << " bytes";
    } catch (const std::system_error& e) {
      ecanceled = e.code() == std::errc::operation_canceled;
      EXPECT_TRUE(ecanceled) << e.what();
    }
    EXPECT_TRUE(ecanceled);
    // And the descriptor was closed once the kernel gave the read back.
    std::array<std::byte, 8> peer_buf{};
    const std::size_t n = co_await p.client.read_some(peer_buf);
    EXPECT_EQ(n, 0u);
  });
}

TEST(Tcp, CloseWhileAWriteIsPendingFailsThatWriteWithEcanceled) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    set_int_option(p.client.native_handle(), SOL_SOCKET, SO_SNDBUF, 64 * 1024);
    set_int_option(p.server.native_handle(), SOL_SOCKET, SO_RCVBUF, 64 * 1024);
    std::vector<std::byte> big(4 * 1024 * 1024, std::byte{'z'});
    auto writer = create_task(write_all_of(p.client, big));
    co_await sleep(5ms);
    EXPECT_FALSE(writer.done());
    co_await p.client.close();
    bool ecanceled = false;
    try {
      const std::size_t n = co_await writer;
      ADD_FAILURE() << "wrote " << n << " bytes";
    } catch (const CancelledError&) {
      ADD_FAILURE() << "CancelledError: the writing task was not cancelled";
    } catch (const std::system_error& e) {
      ecanceled = e.code() == std::errc::operation_canceled;
      EXPECT_TRUE(ecanceled) << e.what();
    }
    EXPECT_TRUE(ecanceled);
  });
}

TEST(Tcp, ACancelledWriteAllEndsWithCancelledErrorHavingSentAPrefix) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    set_int_option(p.client.native_handle(), SOL_SOCKET, SO_SNDBUF, 64 * 1024);
    set_int_option(p.server.native_handle(), SOL_SOCKET, SO_RCVBUF, 64 * 1024);
    constexpr std::size_t kSize = 4 * 1024 * 1024;
    std::vector<std::byte> data(kSize);
    for (std::size_t i = 0; i < kSize; ++i) data[i] = std::byte(i % 239);
    auto writer = create_task(write_all_of(p.client, data));
    co_await sleep(5ms);
    EXPECT_FALSE(writer.done());
    writer.cancel();
    const bool ended = co_await ends_within(writer, 1000ms);
    if (!ended) {
      ADD_FAILURE() << "the cancelled write never ended";
      co_return;
    }
    EXPECT_TRUE(writer.cancelled());
    // What went before the cancel arrives intact, and nothing after it.
    p.client.shutdown_write();
    std::string got = co_await read_to_end(p.server);
    EXPECT_GT(got.size(), 0u);
    EXPECT_LT(got.size(), kSize);
    bool prefix = got.size() <= kSize;
    for (std::size_t i = 0; prefix && i < got.size(); ++i) prefix = static_cast<std::byte>(got[i]) == data[i];
    EXPECT_TRUE(prefix);
  });
}

// With a backlog of 0 and nobody accepting, the kernel drops the next
// connection's SYN: that connect gets no answer for a second or more.
TEST(Tcp, WaitForTimesOutAConnectThatGetsNoAnswer) {
  run_async([]() -> Task<void> {
    ListenOptions options;
    options.backlog = 0;
    TcpListener listener = TcpListener::bind(loopback_any_port(), options);
    std::vector<TcpStream> queued;
    bool timed_out = false;
    const auto start = Clock::now();
    // The first connection or two fill the accept queue.
    for (int i = 0; i < 4 && !timed_out; ++i) {
      try {
        TcpStream s = co_await wait_for(TcpStream::connect(listener.sockname()), 100ms);
        queued.push_back(std::move(s));
      } catch (const TimeoutError&) {
        timed_out = true;
      }
    }
    EXPECT_TRUE(timed_out) << queued.size() << " connections were answered";
    EXPECT_LT(ms_since(start), 900.0);
    // The listener still hands out what it queued.
    if (!queued.empty()) {
      TcpStream first = co_await wait_for(listener.accept(), 1s);
      EXPECT_EQ(first.peername(), queued.front().sockname());
    }
  });
}

#if defined(_WIN32)
// Two connected sockets made by hand: TCP on 127.0.0.1, by socket(), which
// makes them overlapped, as the completion port needs.
bool native_pair(NativeSocket (&out)[2]) {
  Fd listener(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (!listener.valid() || ::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
      ::listen(listener.get(), 1) != 0) {
    return false;
  }
  Fd client(::socket(AF_INET, SOCK_STREAM, 0));
  if (!client.valid() || ::connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return false;
  }
  Fd server(::accept(listener.get(), nullptr, nullptr));
  if (!server.valid()) return false;
  out[0] = client.release();
  out[1] = server.release();
  return true;
}

// Whether `s` is no longer a socket of this process.
bool is_closed(NativeSocket s) {
  int type = 0;
  int length = sizeof type;
  return ::getsockopt(s, SOL_SOCKET, SO_TYPE, reinterpret_cast<char*>(&type), &length) != 0 &&
         ::WSAGetLastError() == WSAENOTSOCK;
}
#else
bool native_pair(NativeSocket (&out)[2]) {
  return ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, out) == 0;
}

bool is_closed(NativeSocket s) { return ::fcntl(s, F_GETFD) == -1 && errno == EBADF; }
#endif

TEST(Tcp, AStreamAdoptsAConnectedDescriptor) {
  NativeSocket fds[2];
  ASSERT_TRUE(native_pair(fds)) << "error " << socket_error();
  run_async([&]() -> Task<void> {
    TcpStream a(static_cast<std::intptr_t>(fds[0]));
    TcpStream b(static_cast<std::intptr_t>(fds[1]));
    EXPECT_EQ(a.native_handle(), static_cast<std::intptr_t>(fds[0]));
    co_await a.write_all("adopted");
    std::string got = co_await read_exactly(b, 7);
    EXPECT_EQ(got, "adopted");
    co_await a.close();
    EXPECT_TRUE(is_closed(fds[0]));  // the stream closed what it adopted
  });
  EXPECT_TRUE(is_closed(fds[1]));  // and so did the destructor
}

TEST(Tcp, ACancelledAcceptThrowsCancelledErrorAndTheListenerStaysUsable) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    auto accepting = create_task(listener.accept());
    co_await sleep(5ms);
    EXPECT_FALSE(accepting.done());
    accepting.cancel();
    bool cancelled = false;
    try {
      TcpStream s = co_await accepting;
      ADD_FAILURE() << "accepted a connection nobody made";
    } catch (const CancelledError&) {
      cancelled = true;
    }
    EXPECT_TRUE(cancelled);
    // The listener accepts the next connection as usual.
    Pair p = co_await connected_pair(listener);
    co_await p.client.write_all("still here");
    std::string got = co_await read_exactly(p.server, 10);
    EXPECT_EQ(got, "still here");
  });
}

TEST(Tcp, ClosingAListenerFailsAPendingAcceptWithEcanceled) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    const SocketAddress where = listener.sockname();
    auto accepting = create_task(listener.accept());
    co_await sleep(5ms);
    co_await listener.close();
    bool ecanceled = false;
    try {
      TcpStream s = co_await accepting;
      ADD_FAILURE() << "accepted";
    } catch (const std::system_error& e) {
      ecanceled = e.code() == std::errc::operation_canceled;
      EXPECT_TRUE(ecanceled) << e.what();
    }
    EXPECT_TRUE(ecanceled);
    EXPECT_FALSE(accepting.cancelled());
    // Nothing listens there any more.
    try {
      TcpStream s = co_await TcpStream::connect(where);
      ADD_FAILURE() << "connected to a closed listener";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::connection_refused) << e.what();
    }
  });
}

TEST(Tcp, APeerResetFailsAPendingReadWithEconnreset) {
  run_async([]() -> Task<void> {
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    std::array<std::byte, 16> buf{};
    auto reader = create_task(read_into(p.server, buf));
    co_await sleep(5ms);
    // SO_LINGER {on, 0 s}: close() sends a reset instead of a FIN.
    const linger abortive{1, 0};
    EXPECT_EQ(::setsockopt(static_cast<NativeSocket>(p.client.native_handle()), SOL_SOCKET, SO_LINGER,
                           reinterpret_cast<const char*>(&abortive), sizeof abortive),
              0);
    co_await p.client.close();
    bool reset = false;
    try {
      const std::size_t n = co_await reader;
      ADD_FAILURE() << "read " << n << " bytes";
    } catch (const std::system_error& e) {
      reset = e.code() == std::errc::connection_reset;
      EXPECT_TRUE(reset) << e.what();
      EXPECT_NE(std::string(e.what()).find("recv"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(reset);
  });
}

std::atomic<int> sigpipe_count{0};

#if defined(_WIN32)
// Windows has no SIGPIPE: a closed peer is only ever an error.
struct SigpipeCounter {};
#else
void count_sigpipe(int) { ++sigpipe_count; }

// Counts SIGPIPE while it lives; a program's own handler, which the backend
// leaves alone, so that only sending without SIGPIPE keeps it at zero.
struct SigpipeCounter {
  SigpipeCounter() {
    sigpipe_count = 0;
    struct sigaction counting {};
    counting.sa_handler = count_sigpipe;
    sigemptyset(&counting.sa_mask);
    ::sigaction(SIGPIPE, &counting, &previous);
  }
  ~SigpipeCounter() { ::sigaction(SIGPIPE, &previous, nullptr); }
  struct sigaction previous {};
};
#endif

TEST(Tcp, WritingToAClosedPeerIsEpipeOrEconnresetAndNeverASignal) {
  run_async([]() -> Task<void> {
    [[maybe_unused]] SigpipeCounter counter;  // installed once the loop (and its backend) exist
    TcpListener listener = TcpListener::bind(loopback_any_port());
    Pair p = co_await connected_pair(listener);
    co_await p.server.close();
    std::vector<std::byte> chunk(64 * 1024, std::byte{'w'});
    std::error_code error;
    std::string what;
    for (int i = 0; i < 200 && !error; ++i) {
      try {
        co_await p.client.write_all(chunk);
      } catch (const std::system_error& e) {
        error = e.code();
        what = e.what();
      }
      if (!error) co_await sleep(1ms);
    }
    EXPECT_TRUE(error == std::errc::broken_pipe || error == std::errc::connection_reset)
        << "error " << error.value() << ": " << what;
    EXPECT_NE(what.find("send"), std::string::npos) << what;
    EXPECT_EQ(sigpipe_count.load(), 0);
    // Once broken, it stays so, still without a signal.
    try {
      co_await p.client.write_all("more");
      ADD_FAILURE() << "a write to a closed peer succeeded";
    } catch (const std::system_error& e) {
      EXPECT_TRUE(e.code() == std::errc::broken_pipe || e.code() == std::errc::connection_reset) << e.what();
    }
    EXPECT_EQ(sigpipe_count.load(), 0);
  });
}

#if !defined(_WIN32)
// Unix-domain sockets: POSIX only (socket files, lstat); what Windows does
// with them is tested below.
TEST(Tcp, UnixStreamSocketsConnectAndCarryBytes) {
  SocketDir dir;
  const std::string path = dir.file("echo.sock");
  run_async([&]() -> Task<void> {
    TcpListener listener = TcpListener::bind_unix(path);
    EXPECT_TRUE(is_socket_file(path));
    EXPECT_EQ(listener.sockname().family(), AF_UNIX);
    EXPECT_EQ(listener.sockname().to_string(), path);
    EXPECT_EQ(listener.port(), 0);
    TcpStream client = co_await TcpStream::connect_unix(path);
    TcpStream server = co_await listener.accept();
    EXPECT_EQ(client.peername().to_string(), path);
    co_await client.write_all("over unix");
    std::string got = co_await read_exactly(server, 9);
    EXPECT_EQ(got, "over unix");
    co_await server.write_all("back");
    client.shutdown_write();
    std::string rest = co_await read_to_end(server);
    EXPECT_EQ(rest, "");
    co_await server.close();
    std::string reply = co_await read_to_end(client);
    EXPECT_EQ(reply, "back");
    co_await listener.close();
  });
}

TEST(Tcp, ClosingAUnixListenerRemovesItsSocketFile) {
  SocketDir dir;
  const std::string closed_path = dir.file("closed.sock");
  const std::string destroyed_path = dir.file("destroyed.sock");
  run_async([&]() -> Task<void> {
    TcpListener listener = TcpListener::bind_unix(closed_path);
    EXPECT_TRUE(is_socket_file(closed_path));
    co_await listener.close();
    EXPECT_FALSE(exists(closed_path));
    {
      TcpListener dropped = TcpListener::bind_unix(destroyed_path);
      EXPECT_TRUE(is_socket_file(destroyed_path));
    }
    EXPECT_FALSE(exists(destroyed_path));
    // A listener moved elsewhere removes the file once, when its new owner closes.
    TcpListener moved_from = TcpListener::bind_unix(closed_path);
    TcpListener owner = std::move(moved_from);
    EXPECT_TRUE(is_socket_file(closed_path));
    co_await moved_from.close();
    EXPECT_TRUE(is_socket_file(closed_path));
    co_await owner.close();
    EXPECT_FALSE(exists(closed_path));
  });
}

TEST(Tcp, BindUnixReplacesAStaleSocketFile) {
  SocketDir dir;
  const std::string path = dir.file("stale.sock");
  // A socket file left behind by a process that did not clean up.
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  const SocketAddress address = SocketAddress::unix_path(path);
  ASSERT_EQ(::bind(fd, address.native(), address.native_length()), 0) << std::strerror(errno);
  ::close(fd);
  ASSERT_TRUE(is_socket_file(path));
  run_async([&]() -> Task<void> {
    TcpListener listener = TcpListener::bind_unix(path);
    TcpStream client = co_await TcpStream::connect_unix(path);
    TcpStream server = co_await listener.accept();
    co_await client.write_all("fresh");
    std::string got = co_await read_exactly(server, 5);
    EXPECT_EQ(got, "fresh");
    co_await listener.close();
  });
  EXPECT_FALSE(exists(path));
}

TEST(Tcp, BindUnixLeavesARegularFileAloneAndFailsWithEaddrinuse) {
  SocketDir dir;
  const std::string path = dir.file("data.txt");
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("keep me", f);
    std::fclose(f);
  }
  try {
    TcpListener listener = TcpListener::bind_unix(path);
    ADD_FAILURE() << "bound over a regular file";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::address_in_use) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 7);
}

TEST(Tcp, ConnectUnixToAMissingPathThrowsEnoentNamingThePath) {
  SocketDir dir;
  const std::string path = dir.file("nobody.sock");
  run_async([&]() -> Task<void> {
    try {
      TcpStream s = co_await TcpStream::connect_unix(path);
      ADD_FAILURE() << "connected";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory) << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  });
}

#else
// Whether this system makes AF_UNIX sockets at all: 0, or Winsock's error.
int af_unix_socket_error() {
  const SOCKET s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (s == INVALID_SOCKET) return ::WSAGetLastError();
  ::closesocket(s);
  return 0;
}

// Wine 8 has no AF_UNIX: there, listening on or connecting to a Unix-domain
// path is a std::system_error carrying Winsock's answer, not a crash.
TEST(Tcp, WithoutAfUnixListeningOrConnectingToAPathThrowsTheSystemsError) {
  const int refused = af_unix_socket_error();
  ASSERT_NE(refused, 0) << "this system has AF_UNIX: the Unix-domain tests above are to be ported to it";
  EXPECT_EQ(refused, WSAEAFNOSUPPORT);
  const std::string path = "C:\\coio-test.sock";
  try {
    TcpListener listener = TcpListener::bind_unix(path);
    ADD_FAILURE() << "listening on " << path;
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::address_family_not_supported) << e.what();
    EXPECT_EQ(e.code().value(), refused) << e.what();
    EXPECT_NE(std::string(e.what()).find("socket"), std::string::npos) << e.what();
  }
  run_async([&]() -> Task<void> {
    try {
      TcpStream stream = co_await TcpStream::connect_unix(path);
      ADD_FAILURE() << "connected to " << path;
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::address_family_not_supported) << e.what();
      EXPECT_EQ(e.code().value(), refused) << e.what();
    }
    // The streams API the same way.
    try {
      Streams client = co_await open_unix_connection(path);
      ADD_FAILURE() << "connected to " << path;
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::address_family_not_supported) << e.what();
    }
    try {
      Server server = co_await start_unix_server(echo_lines, path);
      ADD_FAILURE() << "serving on " << path;
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::address_family_not_supported) << e.what();
    }
  });
}
#endif

TEST(Tcp, BindUnixOfATooLongPathThrowsInvalidArgument) {
  EXPECT_THROW((void)TcpListener::bind_unix("/tmp/" + std::string(200, 'x')), std::invalid_argument);
}

// Echoes one message of `size` bytes back, then closes.
Task<void> echo_once(TcpStream s, std::size_t size) {
  std::string message = co_await read_exactly(s, size);
  co_await s.write_all(message);
  co_await s.close();
}

Task<void> accept_and_echo(TcpListener& listener, int count, std::size_t size) {
  std::vector<TaskHandle<void>> handlers;
  handlers.reserve(count);
  for (int i = 0; i < count; ++i) {
    TcpStream s = co_await listener.accept();
    handlers.push_back(create_task(echo_once(std::move(s), size)));
  }
  for (auto& h : handlers) co_await h;
}

// Returns true when the echo matched.
Task<bool> echo_client(SocketAddress where, int id) {
  TcpStream s = co_await TcpStream::connect(where);
  char message[16];
  std::snprintf(message, sizeof message, "client-%06d", id);  // 13 bytes
  co_await s.write_all(std::string_view(message, 13));
  std::string reply = co_await read_exactly(s, 13);
  std::array<std::byte, 1> tail{};
  const std::size_t after = co_await s.read_some(tail);  // the server closed
  co_await s.close();
  co_return reply == std::string_view(message, 13) && after == 0;
}

constexpr int kClients = 1000;

TEST(Tcp, AThousandConcurrentConnectionsEachGetTheirOwnMessageBack) {
#if !defined(_WIN32)  // Windows has no descriptor limit to raise
  // Two descriptors per connection, and then some.
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur < 4 * kClients && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
  }
  if (limit.rlim_cur < 2 * kClients + 64) GTEST_SKIP() << "RLIMIT_NOFILE is only " << limit.rlim_cur;
#endif
  run_async([]() -> Task<void> {
    ListenOptions options;
    options.backlog = 2 * kClients;
    TcpListener listener = TcpListener::bind(loopback_any_port(), options);
    auto server = create_task(accept_and_echo(listener, kClients, 13));
    std::vector<Task<bool>> clients;
    clients.reserve(kClients);
    for (int i = 0; i < kClients; ++i) clients.push_back(echo_client(listener.sockname(), i));
    std::vector<bool> ok = co_await gather(std::move(clients));
    co_await server;
    const auto good = std::count(ok.begin(), ok.end(), true);
    EXPECT_EQ(good, kClients);
    co_await listener.close();
  });
}

}  // namespace
}  // namespace coio::testing
