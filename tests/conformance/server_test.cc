// Server: asyncio's start_server — the listening sockets, a task per client,
// close() and wait_closed(), serve_forever(), and failing handlers — over
// real sockets (start_unix_server: unix_server_test.cc).
#if !defined(_WIN32)
#include <sys/resource.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net_test_util.h"
#include "test_util.h"
#include "tests/support/blocking_socket.h"
#include "tests/support/slowdown.h"
#include "tests/support/wine.h"

namespace coio::testing {
namespace {

using ::testing::HasSubstr;



// These build the std::string arguments outside the awaiting coroutine, so
// that no temporary shares a full-expression with a co_await.
Task<Server> serve(const ClientHandler& handler, ServerOptions options = {}) {
  return start_server(handler, kLoopback, 0, options);
}
Task<Server> serve_on_port(const ClientHandler& handler, std::uint16_t port) {
  return start_server(handler, kLoopback, port);
}
Task<Streams> connect_to(std::uint16_t port) { return open_connection(kLoopback, port); }

// Sends `line` and returns the reply line (at most 2 s).
Task<std::string> round_trip(Streams& client, const char* line) {
  client.second.write(line);
  co_await client.second.drain();
  std::string reply = co_await wait_for(client.first.readline(), 2s);
  co_return reply;
}

// The error of connecting to 127.0.0.1:`port`; none if it connected.
Task<std::error_code> connect_error(std::uint16_t port) {
  std::error_code error;
  try {
    Streams client = co_await connect_to(port);
    client.second.close();
    co_await client.second.wait_closed();
  } catch (const std::system_error& e) {
    error = e.code();
  }
  co_return error;
}

// Polls `condition` every millisecond; false if it still does not hold
// after `timeout`.
Task<bool> eventually(std::function<bool()> condition, std::chrono::milliseconds timeout = 1s) {
  const auto deadline = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() > deadline) co_return false;
    co_await sleep(1ms);
  }
  co_return true;
}

Task<void> serve_forever_then_flag(Server server, bool& returned, bool& cancelled) {
  try {
    co_await server.serve_forever();
    returned = true;
  } catch (const CancelledError&) {
    cancelled = true;
    throw;
  }
}

Task<void> wait_closed_then_flag(Server server, bool& closed) {
  co_await server.wait_closed();
  closed = true;
}

// ---- the listening sockets

TEST(Server, PortSocketsAndIsServingDescribeTheListeningSocket) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve(handler);
    EXPECT_NE(server.port(), 0);
    std::vector<SocketAddress> sockets = server.sockets();
    EXPECT_EQ(sockets.size(), 1u);
    if (!sockets.empty()) {
      EXPECT_EQ(sockets[0].to_string(), "127.0.0.1:" + std::to_string(server.port()));
      EXPECT_EQ(sockets[0].family(), AF_INET);
    }
    EXPECT_TRUE(server.is_serving());
    co_await close_server(server);
    EXPECT_FALSE(server.is_serving());
  });
}

// Whether a new TCP socket can bind 127.0.0.1:`port`: not while a socket
// listens there.
bool can_bind(std::uint16_t port) {
  const Fd probe(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  return probe.valid() && ::bind(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

#if !defined(_WIN32)
// How many descriptors this process has open. (Windows' count of handles,
// GetProcessHandleCount, is always 0 under Wine.)
int open_descriptors() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}
#endif

TEST(Server, AServerClosedBeforeItAcceptedAnythingClosesItsListeningSocket) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
#if !defined(_WIN32)
    const int before = open_descriptors();
#endif
    Server server = co_await serve(handler);
    const std::uint16_t port = server.port();
    EXPECT_FALSE(can_bind(port)) << "nothing listens on port " << port;
#if !defined(_WIN32)
    EXPECT_EQ(open_descriptors(), before + 1);
#endif
    co_await close_server(server);  // before the accept loop ever ran
    EXPECT_TRUE(can_bind(port)) << "the listening socket still holds its port after wait_closed()";
#if !defined(_WIN32)
    EXPECT_EQ(open_descriptors(), before) << "the listening socket is still open after wait_closed()";
#endif
  });
}

TEST(Server, StartServerOnAPortInUseThrowsAddressInUseNamingTheAddress) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server first = co_await serve(handler);
    const std::uint16_t port = first.port();
    std::optional<std::system_error> error;
    try {
      Server second = co_await serve_on_port(handler, port);
      ADD_FAILURE() << "a second server listens on port " << port;
      co_await close_server(second);
    } catch (const std::system_error& e) {
      error = e;
    }
    if (error) {
      EXPECT_EQ(error->code(), std::errc::address_in_use) << error->what();
      EXPECT_THAT(error->what(), HasSubstr("127.0.0.1:" + std::to_string(port)));
    } else {
      ADD_FAILURE() << "no std::system_error";
    }
    co_await close_server(first);
  });
}

TEST(Server, TheLimitOptionIsTheLimitOfEveryClientsReader) {
  run_async([]() -> Task<void> {
    std::size_t limit_seen = 0;
    bool overrun = false;
    const ClientHandler handler = [&](StreamReader reader, StreamWriter writer) -> Task<void> {
      limit_seen = reader.limit();
      try {
        std::string line = co_await reader.readline();
      } catch (const LimitOverrunError&) {
        overrun = true;
      }
      writer.write("done\n");
      co_await writer.drain();
    };
    ServerOptions options;
    options.limit = 10;
    Server server = co_await serve(handler, options);
    Streams client = co_await connect_to(server.port());
    std::string reply = co_await round_trip(client, "more than ten bytes\n");
    EXPECT_EQ(reply, "done\n");
    EXPECT_EQ(limit_seen, 10u);
    EXPECT_TRUE(overrun);
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Server, EachClientHandlerRunsAsATaskOfItsOwn) {
  run_async([]() -> Task<void> {
    Event release;
    int blocked = 0;
    const ClientHandler handler = [&](StreamReader reader, StreamWriter writer) -> Task<void> {
      for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty()) break;
        if (line == "block\n") {
          ++blocked;
          co_await release.wait();
        }
        writer.write(line);
        co_await writer.drain();
      }
    };
    Server server = co_await serve(handler);
    Streams first = co_await connect_to(server.port());
    first.second.write("block\n");
    Task<bool> first_blocks = eventually([&] { return blocked == 1; });
    const bool first_blocked = co_await std::move(first_blocks);
    EXPECT_TRUE(first_blocked);

    // The first handler waits; a second client is served meanwhile.
    Streams second = co_await connect_to(server.port());
    std::string reply = co_await round_trip(second, "hello\n");
    EXPECT_EQ(reply, "hello\n");
    Streams third = co_await connect_to(server.port());
    reply = co_await round_trip(third, "again\n");
    EXPECT_EQ(reply, "again\n");

    release.set();
    std::string released = co_await wait_for(first.first.readline(), 2s);
    EXPECT_EQ(released, "block\n");
    co_await close_writer(first.second);
    co_await close_writer(second.second);
    co_await close_writer(third.second);
    co_await close_server(server);
  });
}

TEST(Server, CloseStopsAcceptingSoNewConnectionsAreRefused) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve(handler);
    const std::uint16_t port = server.port();
    Streams before = co_await connect_to(port);
    std::string reply = co_await round_trip(before, "before\n");
    EXPECT_EQ(reply, "before\n");

    server.close();
    EXPECT_FALSE(server.is_serving());
    // asyncio closes the listening sockets in close() itself.
    std::error_code error = co_await connect_error(port);
    EXPECT_EQ(error, std::errc::connection_refused) << "connecting right after close(): " << error.message();

    co_await wait_for(server.wait_closed(), 2s);
    error = co_await connect_error(port);
    EXPECT_EQ(error, std::errc::connection_refused) << "connecting after wait_closed(): " << error.message();
    co_await close_writer(before.second);
  });
}

TEST(Server, CloseCancelsTheHandlersStillRunningAndWaitClosedWaitsForThemToFinish) {
  run_async([]() -> Task<void> {
    int started = 0;
    int saw_cancel = 0;
    int finished_cleanup = 0;
    const ClientHandler handler = [&](StreamReader reader, StreamWriter) -> Task<void> {
      ++started;
      bool cancelled = false;
      try {
        std::string line = co_await reader.readline();  // the client never writes
        ADD_FAILURE() << "the handler read " << line;
      } catch (const CancelledError&) {
        cancelled = true;
      }
      if (cancelled) {
        ++saw_cancel;
        co_await sleep(30ms);  // clean-up that takes a while
        ++finished_cleanup;
        throw CancelledError();
      }
    };
    Server server = co_await serve(handler);
    Streams a = co_await connect_to(server.port());
    Streams b = co_await connect_to(server.port());
    Task<bool> both_start = eventually([&] { return started == 2; });
    const bool both_started = co_await std::move(both_start);
    EXPECT_TRUE(both_started);

    server.close();
    const auto start = Clock::now();
    co_await wait_for(server.wait_closed(), 2s);
    EXPECT_EQ(saw_cancel, 2);
    EXPECT_EQ(finished_cleanup, 2) << "wait_closed() returned before the handlers finished";
    EXPECT_GE(ms_since(start), 25.0);

    // The cancelled handlers' connections are gone: the clients read EOF.
    std::string rest = co_await wait_for(a.first.read(), 2s);
    EXPECT_EQ(rest, "");
    rest = co_await wait_for(b.first.read(), 2s);
    EXPECT_EQ(rest, "");
    co_await close_writer(a.second);
    co_await close_writer(b.second);
  });
}

TEST(Server, WaitClosedWaitsUntilTheServerIsClosed) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve(handler);
    bool closed = false;
    auto waiter = create_task(wait_closed_then_flag(server, closed));
    co_await sleep(20ms);
    EXPECT_FALSE(closed) << "wait_closed() returned on a server still serving";
    server.close();
    co_await wait_for(waiter, 2s);
    EXPECT_TRUE(closed);
    co_await wait_for(server.wait_closed(), 1s);  // again, once closed: at once
  });
}

TEST(Server, ServeForeverEndsWhenTheServerIsClosed) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve(handler);
    bool returned = false;
    bool cancelled = false;
    auto forever = create_task(serve_forever_then_flag(server, returned, cancelled));
    co_await sleep(20ms);
    EXPECT_FALSE(forever.done());

    Streams client = co_await connect_to(server.port());
    std::string reply = co_await round_trip(client, "served\n");
    EXPECT_EQ(reply, "served\n");

    server.close();
    bool timed_out = false;
    try {
      co_await wait_for(forever, 1s);
    } catch (const CancelledError&) {
      // asyncio raises CancelledError from serve_forever(); returning is fine too
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_FALSE(timed_out) << "serve_forever() went on after close()";
    EXPECT_TRUE(returned || cancelled);
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Server, CancellingServeForeverClosesTheServer) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve(handler);
    const std::uint16_t port = server.port();
    bool returned = false;
    bool cancelled = false;
    auto forever = create_task(serve_forever_then_flag(server, returned, cancelled));
    co_await sleep(20ms);
    forever.cancel();
    bool ended_cancelled = false;
    try {
      co_await wait_for(forever, 1s);
    } catch (const CancelledError&) {
      ended_cancelled = true;
    }
    EXPECT_TRUE(ended_cancelled);
    EXPECT_TRUE(cancelled);
    EXPECT_FALSE(returned);
    EXPECT_FALSE(server.is_serving());
    co_await wait_for(server.wait_closed(), 2s);
    const std::error_code error = co_await connect_error(port);
    EXPECT_EQ(error, std::errc::connection_refused) << error.message();
  });
}

// ---- many clients

// Raises the soft limit on open descriptors to the hard one; returns the
// soft limit in force. Windows has no such limit on sockets.
#if defined(_WIN32)
std::uint64_t raise_descriptor_limit() { return UINT64_MAX; }
#else
rlim_t raise_descriptor_limit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
      raised.rlim_cur = std::min<rlim_t>(limit.rlim_max, 1 << 16);  // RLIM_INFINITY is above nr_open
      ::setrlimit(RLIMIT_NOFILE, &raised);
    }
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}
#endif

// One client: a round trip, then it holds the connection until every client
// has had its reply.
Task<void> hold_a_connection(std::uint16_t port, int id, int total, int& echoed, Event& all_echoed) {
  Streams client = co_await connect_to(port);
  const std::string line = "client " + std::to_string(id) + "\n";
  client.second.write(line);
  std::string reply = co_await client.first.readline();
  EXPECT_EQ(reply, line);
  if (++echoed == total) all_echoed.set();
  co_await all_echoed.wait();
  client.second.close();
  co_await client.second.wait_closed();
}

constexpr int kClients = 1000;

TEST(Server, ServesAThousandConcurrentConnections) {
  if (raise_descriptor_limit() < 2 * kClients + 64) GTEST_SKIP() << "too few descriptors allowed";
  run_async([]() -> Task<void> {
    int active = 0;
    int most_active = 0;
    int served = 0;
    const ClientHandler handler = [&](StreamReader reader, StreamWriter writer) -> Task<void> {
      ++active;
      most_active = std::max(most_active, active);
      for (;;) {
        std::string line = co_await reader.readline();
        if (line.empty()) break;
        writer.write(line);
        co_await writer.drain();
      }
      --active;
      ++served;
    };
    ServerOptions options;
    options.listen.backlog = 2 * kClients;  // the connects all come at once
    Server server = co_await serve(handler, options);

    int echoed = 0;
    Event all_echoed;
    std::vector<TaskHandle<void>> clients;
    for (int i = 0; i < kClients; ++i) {
      clients.push_back(create_task(hold_a_connection(server.port(), i, kClients, echoed, all_echoed)));
    }
    // Under Wine every socket call is a round trip to wineserver: there the
    // thousand took 6.3 s on this 2-core machine with a build running beside
    // (the connects 2.3 s, then 3.4 ms an accept), hence Wine's own bound.
    // Under ThreadSanitizer with builds beside, 2.5 s served 800 of them.
    const std::optional<Clock::duration> timeout =
        under_wine() ? std::chrono::milliseconds(15000) : std::chrono::milliseconds(2500) * kSanitizerSlowdown;
    Task<WaitResult<void>> all_done = wait(clients, ReturnWhen::kAllCompleted, timeout);
    WaitResult<void> result = co_await std::move(all_done);
    EXPECT_EQ(result.pending.size(), 0u);
    std::size_t failed = 0;
    for (const TaskHandle<void>& h : result.done) failed += h.exception() != nullptr;
    EXPECT_EQ(failed, 0u);
    for (const TaskHandle<void>& h : result.pending) h.cancel();
    EXPECT_EQ(echoed, kClients);
    EXPECT_EQ(most_active, kClients);
    for (int i = 0; i < 200 && served < kClients; ++i) co_await sleep(5ms);
    EXPECT_EQ(served, kClients);
    co_await close_server(server);
  });
}

// ---- failing handlers

void AHandlerThatThrowsIsReportedOnStderrAndTheServerGoesOnServing(RunOptions options) {
  ::testing::internal::CaptureStderr();
  try {
    run_async(
        []() -> Task<void> {
          const ClientHandler handler = [](StreamReader reader, StreamWriter writer) -> Task<void> {
            std::string line = co_await reader.readline();
            if (line == "boom\n") throw std::runtime_error("the handler failed on purpose");
            writer.write(line);
            co_await writer.drain();
            writer.close();
            co_await writer.wait_closed();
          };
          Server server = co_await serve(handler);
          Streams failing = co_await connect_to(server.port());
          failing.second.write("boom\n");
          std::string rest = co_await wait_for(failing.first.read(), 2s);
          EXPECT_EQ(rest, "");  // the failed handler's connection is closed

          Streams next = co_await connect_to(server.port());
          std::string reply = co_await round_trip(next, "still serving\n");
          EXPECT_EQ(reply, "still serving\n");
          EXPECT_TRUE(server.is_serving());
          co_await close_writer(failing.second);
          co_await close_writer(next.second);
          co_await close_server(server);
        },
        std::move(options));
  } catch (...) {
    std::string ignored = ::testing::internal::GetCapturedStderr();
    throw;
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, HasSubstr("the handler failed on purpose"));
  EXPECT_THAT(err, HasSubstr("127.0.0.1:"));  // names the client
}

TEST(Server, AHandlerThatThrowsIsReportedOnStderrAndTheServerGoesOnServing) {
  AHandlerThatThrowsIsReportedOnStderrAndTheServerGoesOnServing({});
}

TEST(Server, AHandlerThatThrowsIsReportedOnStderrAndTheServerGoesOnServingInDebugMode) {
  RunOptions options;
  options.debug = true;
  AHandlerThatThrowsIsReportedOnStderrAndTheServerGoesOnServing(std::move(options));
}

}  // namespace
}  // namespace coio::testing
