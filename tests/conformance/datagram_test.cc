// DatagramSocket on real UDP sockets on 127.0.0.1: send_to/recv_from with
// the sender's address, connected sockets, datagrams cut short to the buffer,
// cancellation that gives the buffer back, and close() aborting a receive.
#if defined(_WIN32)
#include <winsock2.h>  // before windows.h, which would bring the old winsock.h
#include <windows.h>
#else
#include <fcntl.h>
#endif

#include <array>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"
#include "net_test_util.h"
#include "tests/support/wine.h"

namespace coio::testing {
namespace {

Task<Datagram> receive_into(DatagramSocket& s, std::span<std::byte> buf) {
  Datagram d = co_await s.recv_from(buf);
  co_return d;
}

TEST(Datagram, SendToAndRecvFromCarryADatagramAndTheSendersAddress) {
  run_async([]() -> Task<void> {
    DatagramSocket server = co_await DatagramSocket::bind("127.0.0.1", 0);
    DatagramSocket client = DatagramSocket::bind(loopback_any_port());
    EXPECT_NE(server.sockname().port(), 0);
    EXPECT_EQ(server.sockname().host(), "127.0.0.1");

    const std::size_t sent = co_await client.send_to("hello", server.sockname());
    EXPECT_EQ(sent, 5u);
    std::array<std::byte, 64> buf{};
    Datagram d = co_await server.recv_from(buf);
    EXPECT_EQ(d.size, 5u);
    EXPECT_EQ(text(std::span(buf).first(d.size)), "hello");
    EXPECT_EQ(d.sender, client.sockname());
    EXPECT_EQ(d.sender.to_string(), client.sockname().to_string());

    // Replying to the sender reaches the client.
    const std::size_t replied = co_await server.send_to(bytes("world!"), d.sender);
    EXPECT_EQ(replied, 6u);
    Datagram r = co_await client.recv_from(buf);
    EXPECT_EQ(text(std::span(buf).first(r.size)), "world!");
    EXPECT_EQ(r.sender, server.sockname());

    co_await client.close();
    co_await server.close();
    EXPECT_FALSE(server.is_open());
  });
}

TEST(Datagram, EachRecvFromGetsOneWholeDatagramInOrder) {
  run_async([]() -> Task<void> {
    DatagramSocket server = DatagramSocket::bind(loopback_any_port());
    DatagramSocket client = DatagramSocket::bind(loopback_any_port());
    co_await client.send_to("one", server.sockname());
    co_await client.send_to("two!", server.sockname());
    co_await client.send_to("", server.sockname());  // an empty datagram is one too
    co_await client.send_to("three", server.sockname());
    std::array<std::byte, 64> buf{};
    std::vector<std::string> got;
    for (int i = 0; i < 4; ++i) {
      Datagram d = co_await server.recv_from(buf);
      got.push_back(text(std::span(buf).first(d.size)));
    }
    const std::vector<std::string> expected{"one", "two!", "", "three"};
    EXPECT_EQ(got, expected);
  });
}

TEST(Datagram, RecvFromWithAMaximumSizeReturnsTheDataAsAString) {
  run_async([]() -> Task<void> {
    DatagramSocket server = DatagramSocket::bind(loopback_any_port());
    DatagramSocket client = DatagramSocket::bind(loopback_any_port());
    co_await client.send_to("as a string", server.sockname());
    std::pair<std::string, SocketAddress> got = co_await server.recv_from(std::size_t{64});
    EXPECT_EQ(got.first, "as a string");
    EXPECT_EQ(got.second, client.sockname());

    // The default maximum takes a large datagram whole.
    const std::string large(20000, 'L');
    const std::size_t sent = co_await client.send_to(large, server.sockname());
    EXPECT_EQ(sent, large.size());
    std::pair<std::string, SocketAddress> whole = co_await server.recv_from();
    EXPECT_EQ(whole.first.size(), large.size());
    EXPECT_EQ(whole.first, large);

    // And a small maximum cuts it short.
    co_await client.send_to("0123456789", server.sockname());
    std::pair<std::string, SocketAddress> cut = co_await server.recv_from(std::size_t{4});
    EXPECT_EQ(cut.first, "0123");
  });
}

TEST(Datagram, ADatagramLongerThanTheBufferIsCutShortAndTheRestDropped) {
  run_async([]() -> Task<void> {
    DatagramSocket server = DatagramSocket::bind(loopback_any_port());
    DatagramSocket client = DatagramSocket::bind(loopback_any_port());
    std::string long_one(100, '\0');
    for (std::size_t i = 0; i < long_one.size(); ++i) long_one[i] = static_cast<char>('a' + i % 26);
    co_await client.send_to(long_one, server.sockname());
    co_await client.send_to("next", server.sockname());
    std::array<std::byte, 10> small;
    small.fill(std::byte{0});
    Datagram d = co_await server.recv_from(small);
    EXPECT_EQ(d.size, 10u);
    EXPECT_EQ(text(small), "abcdefghij");
    EXPECT_EQ(d.sender, client.sockname());
    // The rest of the long datagram is gone: the next receive gets the next one.
    std::array<std::byte, 64> buf{};
    Datagram n = co_await server.recv_from(buf);
    EXPECT_EQ(text(std::span(buf).first(n.size)), "next");
  });
}

TEST(Datagram, AConnectedSocketSendsAndReceivesWithItsPeerOnly) {
  run_async([]() -> Task<void> {
    DatagramSocket server = DatagramSocket::bind(loopback_any_port());
    DatagramSocket client = co_await DatagramSocket::connect(server.sockname());
    EXPECT_EQ(client.peername(), server.sockname());
    EXPECT_NE(client.sockname().port(), 0);  // bound to a free local port

    const std::size_t sent = co_await client.send("ping");
    EXPECT_EQ(sent, 4u);
    std::array<std::byte, 64> buf{};
    Datagram d = co_await server.recv_from(buf);
    EXPECT_EQ(text(std::span(buf).first(d.size)), "ping");
    EXPECT_EQ(d.sender, client.sockname());

    // A stranger's datagram to the connected socket is filtered out by the kernel.
    DatagramSocket stranger = DatagramSocket::bind(loopback_any_port());
    co_await stranger.send_to("intruder", client.sockname());
    co_await server.send_to("pong", d.sender);
    const std::size_t n = co_await client.recv(buf);
    EXPECT_EQ(text(std::span(buf).first(n)), "pong");
  });
}

TEST(Datagram, ConnectByHostAndPortTalksToThatAddress) {
  run_async([]() -> Task<void> {
    DatagramSocket server = DatagramSocket::bind(loopback_any_port());
    DatagramSocket client = co_await DatagramSocket::connect("127.0.0.1", server.sockname().port());
    EXPECT_EQ(client.peername(), server.sockname());
    co_await client.send(bytes("by name"));
    std::pair<std::string, SocketAddress> got = co_await server.recv_from(std::size_t{64});
    EXPECT_EQ(got.first, "by name");
    DatagramSocket by_localhost = co_await DatagramSocket::connect("localhost", server.sockname().port());
    co_await by_localhost.send("via localhost");
    got = co_await server.recv_from(std::size_t{64});
    EXPECT_EQ(got.first, "via localhost");
  });
}

// As for streams: a cancelled receive is aborted in the kernel before its
// task resumes, so a datagram arriving afterwards never lands in its buffer.
TEST(Datagram, ACancelledRecvFromLeavesItsBufferUntouchedAndTheDatagramQueued) {
  run_async([]() -> Task<void> {
    DatagramSocket server = DatagramSocket::bind(loopback_any_port());
    DatagramSocket client = DatagramSocket::bind(loopback_any_port());
    const std::chrono::milliseconds delays[] = {0ms, 1ms, 10ms};
    int round = 0;
    for (std::chrono::milliseconds delay : delays) {
      ++round;
      std::array<std::byte, 64> canary;
      canary.fill(std::byte{0xCD});
      auto receiver = create_task(server.recv_from(canary));
      co_await sleep(0ms);  // the receive goes to the kernel
      co_await sleep(delay);
      EXPECT_FALSE(receiver.done()) << "round " << round;
      receiver.cancel();
      const bool ended = co_await ends_within(receiver, 1000ms);
      if (!ended) {
        ADD_FAILURE() << "round " << round << ": the cancelled receive never ended";
        co_return;
      }
      bool cancelled = false;
      try {
        Datagram d = co_await receiver;
        ADD_FAILURE() << "round " << round << ": received " << d.size << " bytes";
      } catch (const CancelledError&) {
        cancelled = true;
      }
      EXPECT_TRUE(cancelled) << "round " << round;

      const std::string message = "DATAGRAM-AFTER-CANCEL-" + std::to_string(round);
      co_await client.send_to(message, server.sockname());
      co_await sleep(50ms);
      int touched = 0;
      for (std::byte b : canary) touched += b != std::byte{0xCD};
      EXPECT_EQ(touched, 0) << "round " << round << ": the cancelled receive wrote into its buffer: "
                            << text(std::span(canary).first(message.size()));
      std::array<std::byte, 64> buf{};
      Datagram d;
      try {
        d = co_await wait_for(server.recv_from(buf), 1s);
      } catch (const TimeoutError&) {
        ADD_FAILURE() << "round " << round << ": the datagram never came to the next receive";
        co_return;
      }
      EXPECT_EQ(text(std::span(buf).first(d.size)), message) << "round " << round;
      EXPECT_EQ(d.sender, client.sockname());
    }
  });
}

TEST(Datagram, WaitForTimesOutARecvFromAndTheSocketStaysUsable) {
  run_async([]() -> Task<void> {
    DatagramSocket server = DatagramSocket::bind(loopback_any_port());
    DatagramSocket client = DatagramSocket::bind(loopback_any_port());
    std::array<std::byte, 16> buf{};
    bool timed_out = false;
    try {
      Datagram d = co_await wait_for(server.recv_from(buf), 20ms);
      ADD_FAILURE() << "received " << d.size << " bytes";
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    co_await client.send_to("after", server.sockname());
    Datagram d = co_await server.recv_from(buf);
    EXPECT_EQ(text(std::span(buf).first(d.size)), "after");
  });
}

TEST(Datagram, CloseWhileARecvFromIsPendingFailsItWithEcanceled) {
  run_async([]() -> Task<void> {
    DatagramSocket server = DatagramSocket::bind(loopback_any_port());
    std::array<std::byte, 16> buf{};
    auto receiver = create_task(receive_into(server, buf));
    co_await sleep(5ms);
    EXPECT_FALSE(receiver.done());
    const auto start = Clock::now();
    co_await server.close();
    EXPECT_LT(ms_since(start), 500.0);
    bool ecanceled = false;
    try {
      Datagram d = co_await receiver;
      ADD_FAILURE() << "received " << d.size << " bytes";
    } catch (const CancelledError&) {
      ADD_FAILURE() << "CancelledError: the receiving task was not cancelled";
    } catch (const std::system_error& e) {
      ecanceled = e.code() == std::errc::operation_canceled;
      EXPECT_TRUE(ecanceled) << e.what();
    }
    EXPECT_TRUE(ecanceled);
    EXPECT_FALSE(receiver.cancelled());
  });
}

TEST(Datagram, WaitForTimesOutAConnectedRecvAndTheSocketStaysUsable) {
  run_async([]() -> Task<void> {
    DatagramSocket server = DatagramSocket::bind(loopback_any_port());
    DatagramSocket client = co_await DatagramSocket::connect(server.sockname());
    std::array<std::byte, 16> buf{};
    bool timed_out = false;
    try {
      const std::size_t n = co_await wait_for(client.recv(buf), 20ms);
      ADD_FAILURE() << "received " << n << " bytes";
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    co_await server.send_to("late", client.sockname());
    const std::size_t n = co_await client.recv(buf);
    EXPECT_EQ(text(std::span(buf).first(n)), "late");
  });
}

TEST(Datagram, CloseWhileAConnectedRecvIsPendingFailsItWithEcanceled) {
  run_async([]() -> Task<void> {
    DatagramSocket server = DatagramSocket::bind(loopback_any_port());
    DatagramSocket client = co_await DatagramSocket::connect(server.sockname());
    std::array<std::byte, 16> buf{};
    auto receiver = create_task(client.recv(buf));
    co_await sleep(5ms);
    co_await client.close();
    bool ecanceled = false;
    try {
      const std::size_t n = co_await receiver;
      ADD_FAILURE() << "received " << n << " bytes";
    } catch (const std::system_error& e) {
      ecanceled = e.code() == std::errc::operation_canceled;
      EXPECT_TRUE(ecanceled) << e.what();
    }
    EXPECT_TRUE(ecanceled);
  });
}

TEST(Datagram, TwoConcurrentReceivesAreAnInvalidStateError) {
  run_async([]() -> Task<void> {
    DatagramSocket server = DatagramSocket::bind(loopback_any_port());
    DatagramSocket client = DatagramSocket::bind(loopback_any_port());
    std::array<std::byte, 16> first{};
    auto receiver = create_task(receive_into(server, first));
    co_await sleep(2ms);
    std::array<std::byte, 16> second{};
    bool refused = false;
    try {
      Datagram d = co_await server.recv_from(second);
      ADD_FAILURE() << "second receive got " << d.size << " bytes";
    } catch (const InvalidStateError&) {
      refused = true;
    }
    EXPECT_TRUE(refused);
    co_await client.send_to("first", server.sockname());
    Datagram d = co_await receiver;
    EXPECT_EQ(text(std::span(first).first(d.size)), "first");
  });
}

TEST(Datagram, OperationsAfterCloseThrowEbadf) {
  run_async([]() -> Task<void> {
    DatagramSocket s = DatagramSocket::bind(loopback_any_port());
    const SocketAddress self = s.sockname();
    co_await s.close();
    EXPECT_EQ(s.native_handle(), -1);
    const std::error_condition ebadf = std::errc::bad_file_descriptor;
    std::array<std::byte, 8> buf{};
    int failures = 0;
    try {
      Datagram d = co_await s.recv_from(buf);
      ADD_FAILURE() << "received " << d.size;
    } catch (const std::system_error& e) {
      ++failures;
      EXPECT_EQ(e.code(), ebadf) << e.what();
    }
    try {
      const std::size_t n = co_await s.send_to("x", self);
      ADD_FAILURE() << "sent " << n;
    } catch (const std::system_error& e) {
      ++failures;
      EXPECT_EQ(e.code(), ebadf) << e.what();
    }
    try {
      const std::size_t n = co_await s.send("x");
      ADD_FAILURE() << "sent " << n;
    } catch (const std::system_error& e) {
      ++failures;
      EXPECT_EQ(e.code(), ebadf) << e.what();
    }
    try {
      (void)s.sockname();
      ADD_FAILURE() << "sockname";
    } catch (const std::system_error& e) {
      ++failures;
      EXPECT_EQ(e.code(), ebadf) << e.what();
    }
    EXPECT_EQ(failures, 4);
  });
}

TEST(Datagram, SendToAnAddressOfAnotherFamilyThrowsNamingTheAddress) {
  run_async([]() -> Task<void> {
    DatagramSocket v4 = DatagramSocket::bind(loopback_any_port());
    const SocketAddress v6 = SocketAddress::parse("::1", 9);
    try {
      const std::size_t n = co_await v4.send_to("x", v6);
      ADD_FAILURE() << "sent " << n;
    } catch (const std::system_error& e) {
      // Linux says EAFNOSUPPORT or EINVAL, Windows WSAEAFNOSUPPORT. Wine
      // turns Linux's EAFNOSUPPORT into STATUS_NOT_SUPPORTED, which is
      // WSAEOPNOTSUPP.
      const bool wines_answer = under_wine() && e.code() == std::errc::operation_not_supported;
      EXPECT_TRUE(e.code() == std::errc::address_family_not_supported || e.code() == std::errc::invalid_argument ||
                  wines_answer)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("[::1]:9"), std::string::npos) << e.what();
    }
  });
}

TEST(Datagram, BindingAPortInUseThrowsEaddrinuseNamingTheAddress) {
  run_async([]() -> Task<void> {
    DatagramSocket first = DatagramSocket::bind(loopback_any_port());
    const SocketAddress taken = first.sockname();
    try {
      DatagramSocket second = DatagramSocket::bind(taken);
      ADD_FAILURE() << "bound twice";
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::address_in_use) << e.what();
      EXPECT_NE(std::string(e.what()).find(taken.to_string()), std::string::npos) << e.what();
    }
    co_await first.close();
  });
}

#if defined(_WIN32)
// Windows has no non-blocking mode to check: the socket is overlapped, and a
// child process must not inherit it.
TEST(Datagram, SocketsAreNotInherited) {
  run_async([]() -> Task<void> {
    DatagramSocket s = DatagramSocket::bind(loopback_any_port());
    DWORD flags = 0;
    EXPECT_TRUE(::GetHandleInformation(reinterpret_cast<HANDLE>(s.native_handle()), &flags)) << ::GetLastError();
    EXPECT_EQ(flags & HANDLE_FLAG_INHERIT, 0u);
    co_await s.close();
  });
}
#else
TEST(Datagram, SocketsAreNonBlockingAndCloseOnExec) {
  run_async([]() -> Task<void> {
    DatagramSocket s = DatagramSocket::bind(loopback_any_port());
    const int fd = static_cast<int>(s.native_handle());
    EXPECT_NE(::fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    co_await s.close();
  });
}
#endif

}  // namespace
}  // namespace coio::testing
