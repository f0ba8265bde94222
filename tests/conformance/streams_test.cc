// StreamReader and StreamWriter: asyncio's streams, over real sockets on the
// loopback interface, with a coio server at the other end (or, to
// misbehave, a blocking peer on a thread of its own).

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_util.h"
#include "tests/support/blocking_socket.h"
#include "tests/support/slowdown.h"
#include "net_test_util.h"

namespace coio::testing {
namespace {

using ::testing::HasSubstr;



// These build the std::string arguments outside the awaiting coroutine, so
// that no temporary shares a full-expression with a co_await.
Task<Server> serve(const ClientHandler& handler) { return start_server(handler, kLoopback, 0); }
Task<Server> serve_on(const ClientHandler& handler, const char* host) { return start_server(handler, host, 0); }
Task<Streams> connect_to(std::uint16_t port, std::size_t limit = StreamReader::kDefaultLimit) {
  return open_connection(kLoopback, port, limit);
}
Task<Streams> connect_to_host(const char* host, std::uint16_t port) { return open_connection(host, port); }
Task<std::string> readuntil(StreamReader& reader, const char* separator) { return reader.readuntil(separator); }

// A client handler that writes `chunks` one at a time, `gap` apart (each
// drained before the pause, so each leaves as a segment of its own), then
// closes.
ClientHandler sends(std::vector<std::string> chunks, std::chrono::milliseconds gap = 0ms) {
  return [chunks = std::move(chunks), gap](StreamReader, StreamWriter writer) -> Task<void> {
    for (const std::string& chunk : chunks) {
      writer.write(chunk);
      co_await writer.drain();
      if (gap > 0ms) co_await sleep(gap);
    }
    writer.close();
    co_await writer.wait_closed();
  };
}

Task<std::string> readline_of(StreamReader reader) { co_return co_await reader.readline(); }

Task<void> drain_then_flag(StreamWriter writer, bool& drained) {
  co_await writer.drain();
  drained = true;
}

Task<void> wait_closed_then_flag(StreamWriter writer, bool& closed) {
  co_await writer.wait_closed();
  closed = true;
}

// A payload whose every byte depends on its offset, so that a lost or
// reordered piece shows.
std::string pattern(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + i % 23);
  return s;
}

// ---- a blocking peer on a thread

// A thread, joined at the latest when the test's scope ends.
class PeerThread {
 public:
  explicit PeerThread(std::function<void()> body) : thread_(std::move(body)) {}
  ~PeerThread() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::thread thread_;
};

// ---- connecting

TEST(Streams, OpenConnectionAndStartServerRoundTripALine) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    client.second.write("hello\n");
    co_await client.second.drain();
    std::string line = co_await wait_for(client.first.readline(), 2s);
    EXPECT_EQ(line, "hello\n");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, OpenConnectionAndStartServerAcceptTheNameLocalhost) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve_on(handler, "localhost");
    EXPECT_NE(server.port(), 0);
    Streams client = co_await connect_to_host("localhost", server.port());
    client.second.write("by name\n");
    std::string line = co_await wait_for(client.first.readline(), 2s);
    EXPECT_EQ(line, "by name\n");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, WaitForAroundOpenConnectionReturnsTheConnection) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve(handler);
    Streams client = co_await wait_for(connect_to(server.port()), 1s);
    client.second.write("in time\n");
    std::string line = co_await wait_for(client.first.readline(), 2s);
    EXPECT_EQ(line, "in time\n");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, OpenConnectionToAPortNobodyListensOnThrowsConnectionRefusedNamingTheAddress) {
  std::uint16_t port = 0;
  Fd bound = loopback_socket(/*listening=*/false, port);  // holds the port; refuses connections
  run_async([&]() -> Task<void> {
    std::optional<std::system_error> error;
    try {
      Streams client = co_await connect_to(port);
      ADD_FAILURE() << "connected to a port nobody listens on";
    } catch (const std::system_error& e) {
      error = e;
    }
    if (!error) co_return;
    EXPECT_EQ(error->code(), std::errc::connection_refused) << error->what();
    EXPECT_THAT(error->what(), HasSubstr("127.0.0.1:" + std::to_string(port)));
  });
}

TEST(Streams, OpenConnectionToAHostThatDoesNotResolveThrowsResolveError) {
  run_async([]() -> Task<void> {
    std::optional<ResolveError> error;
    try {
      Streams client = co_await wait_for(connect_to_host("no-such-host.invalid", 80), 2s);
      ADD_FAILURE() << "connected to no-such-host.invalid";
    } catch (const ResolveError& e) {
      error = e;
    }
    if (!error) co_return;
    EXPECT_EQ(error->host(), "no-such-host.invalid");
    EXPECT_EQ(error->code().category(), resolve_category());
    EXPECT_THAT(error->what(), HasSubstr("no-such-host.invalid"));
  });
}

TEST(Streams, PeernameAndSocknameNameBothEndsOfTheConnection) {
  run_async([]() -> Task<void> {
    std::string server_saw_peer;
    std::string server_saw_self;
    Event served;
    const ClientHandler handler = [&](StreamReader, StreamWriter writer) -> Task<void> {
      server_saw_peer = writer.peername().to_string();
      server_saw_self = writer.sockname().to_string();
      served.set();
      co_return;
    };
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    co_await wait_for(served.wait(), 2s);
    const std::string expected_server = "127.0.0.1:" + std::to_string(server.port());
    EXPECT_EQ(client.second.peername().to_string(), expected_server);
    EXPECT_EQ(server_saw_self, expected_server);
    EXPECT_EQ(client.second.sockname().to_string(), server_saw_peer);
    EXPECT_NE(client.second.sockname().port(), 0);
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, PeernameAndSocknameStayAvailableAfterTheConnectionIsClosed) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    const std::string peer = client.second.peername().to_string();
    const std::string self = client.second.sockname().to_string();
    co_await close_writer(client.second);
    // asyncio's get_extra_info("peername") answers after close too.
    std::string peer_after;
    std::string self_after;
    try {
      peer_after = client.second.peername().to_string();
      self_after = client.second.sockname().to_string();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "after close(): " << e.what();
    }
    EXPECT_EQ(peer_after, peer);
    EXPECT_EQ(self_after, self);
    co_await close_server(server);
  });
}

// ---- reading

TEST(Streams, ReadReturnsWhatHasArrivedUpToNBytesWithoutWaitingForMore) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({"abcdef", "ghi"}, 300ms);
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    StreamReader& reader = client.first;

    std::string first = co_await wait_for(reader.read(4), 2s);
    EXPECT_GE(first.size(), 1u);
    EXPECT_LE(first.size(), 4u);
    std::string got = first;
    const auto start = Clock::now();
    while (got.size() < 6) {
      std::string more = co_await wait_for(reader.read(100), 2s);
      if (more.empty()) break;
      got += more;
    }
    EXPECT_EQ(got, "abcdef");                 // not "abcdefghi": read() did not wait for the rest
    EXPECT_LT(ms_since(start), 250.0);
    std::string last = co_await wait_for(reader.read(100), 2s);
    EXPECT_EQ(last, "ghi");
    std::string at_end = co_await wait_for(reader.read(100), 2s);
    EXPECT_EQ(at_end, "");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, ReadZeroBytesReturnsAnEmptyStringAtOnce) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({"later"}, 0ms);
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    std::string nothing = co_await client.first.read(0);
    EXPECT_EQ(nothing, "");
    std::string all = co_await wait_for(client.first.read(), 2s);
    EXPECT_EQ(all, "later");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, ReadWithoutACountReadsEverythingUntilTheEndOfTheStream) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({"one ", "two ", "three"}, 10ms);
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    std::string all = co_await wait_for(client.first.read(), 2s);
    EXPECT_EQ(all, "one two three");
    EXPECT_TRUE(client.first.at_eof());
    std::string again = co_await wait_for(client.first.read(), 2s);
    EXPECT_EQ(again, "");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, ReadlineReturnsLinesWithTheirNewlineThenTheTailThenEmptyAtTheEnd) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({"one\ntw", "o\nthree"}, 10ms);
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    StreamReader& reader = client.first;
    std::vector<std::string> lines;
    for (int i = 0; i < 5; ++i) {
      std::string line = co_await wait_for(reader.readline(), 2s);
      lines.push_back(line);
    }
    EXPECT_THAT(lines, ::testing::ElementsAre("one\n", "two\n", "three", "", ""));
    EXPECT_TRUE(reader.at_eof());
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, ReadexactlyWaitsForAllTheBytesAcrossSegments) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({"ab", "cde", "fgh"}, 20ms);
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    StreamReader& reader = client.first;
    std::string seven = co_await wait_for(reader.readexactly(7), 2s);
    EXPECT_EQ(seven, "abcdefg");
    std::string none = co_await reader.readexactly(0);
    EXPECT_EQ(none, "");
    std::string one = co_await wait_for(reader.readexactly(1), 2s);
    EXPECT_EQ(one, "h");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, ReadexactlyAtEofThrowsIncompleteReadErrorWithThePartialBytes) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({"abc"});
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    StreamReader& reader = client.first;
    std::optional<IncompleteReadError> error;
    try {
      std::string data = co_await wait_for(reader.readexactly(10), 2s);
      ADD_FAILURE() << "readexactly(10) returned " << data.size() << " bytes";
    } catch (const IncompleteReadError& e) {
      error = e;
    }
    if (error) {
      EXPECT_EQ(error->partial(), "abc");
      EXPECT_EQ(error->expected(), 10u);
    } else {
      ADD_FAILURE() << "no IncompleteReadError";
    }
    EXPECT_TRUE(reader.at_eof());  // the partial bytes were consumed
    std::string rest = co_await reader.read();
    EXPECT_EQ(rest, "");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, ReaduntilFindsAMultiByteSeparatorSplitAcrossSegments) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({"first--", "-BOUND", "ARY---second---", "BOUNDARY---"}, 20ms);
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    std::string a = co_await wait_for(readuntil(client.first, "---BOUNDARY---"), 2s);
    EXPECT_EQ(a, "first---BOUNDARY---");
    std::string b = co_await wait_for(readuntil(client.first, "---BOUNDARY---"), 2s);
    EXPECT_EQ(b, "second---BOUNDARY---");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, ReaduntilAtEofThrowsIncompleteReadErrorWithNoExpectedCount) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({"no separator\r"});
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    std::optional<IncompleteReadError> error;
    try {
      std::string data = co_await wait_for(readuntil(client.first, "\r\n"), 2s);
      ADD_FAILURE() << "readuntil returned " << data;
    } catch (const IncompleteReadError& e) {
      error = e;
    }
    if (error) {
      EXPECT_EQ(error->partial(), "no separator\r");
      EXPECT_EQ(error->expected(), std::string::npos);
    } else {
      ADD_FAILURE() << "no IncompleteReadError";
    }
    EXPECT_TRUE(client.first.at_eof());
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, ReaduntilWithAnEmptySeparatorThrowsInvalidArgument) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({"x"});
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    bool thrown = false;
    try {
      std::string data = co_await readuntil(client.first, "");
    } catch (const std::invalid_argument&) {
      thrown = true;
    }
    EXPECT_TRUE(thrown);
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, TheDefaultLimitIs64KiBAndALongerChunkThrowsLimitOverrunErrorLeavingTheData) {
  run_async([]() -> Task<void> {
    constexpr std::size_t kLimit = 64 * 1024;
    const std::string fits = std::string(kLimit, 'a') + "\n";
    const std::string too_long = std::string(kLimit + 1, 'b') + "\n";
    const ClientHandler handler = sends({fits + too_long});
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    StreamReader& reader = client.first;
    EXPECT_EQ(reader.limit(), kLimit);
    EXPECT_EQ(StreamReader::kDefaultLimit, kLimit);

    std::string first = co_await wait_for(reader.readline(), 2s);
    EXPECT_EQ(first, fits);  // exactly the limit, then the separator: allowed

    std::optional<LimitOverrunError> error;
    try {
      std::string data = co_await wait_for(readuntil(reader, "\n"), 2s);
      ADD_FAILURE() << "readuntil returned " << data.size() << " bytes past the limit";
    } catch (const LimitOverrunError& e) {
      error = e;
    }
    if (error) {
      EXPECT_GT(error->consumed(), kLimit);
    } else {
      ADD_FAILURE() << "no LimitOverrunError";
    }
    // readuntil consumed nothing: the whole line is still there.
    std::string rest = co_await wait_for(reader.readexactly(too_long.size()), 2s);
    EXPECT_TRUE(rest == too_long) << "the data after LimitOverrunError differs";
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, ReaduntilWithTheSeparatorPastTheLimitThrowsAndKeepsTheDataBuffered) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({"0123456789abcdefghij--end"});
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port(), /*limit=*/16);
    StreamReader& reader = client.first;
    EXPECT_EQ(reader.limit(), 16u);
    co_await sleep(50ms);  // all of it arrives, as one segment

    std::optional<LimitOverrunError> error;
    try {
      std::string data = co_await wait_for(readuntil(reader, "--"), 2s);
      ADD_FAILURE() << "readuntil returned " << data;
    } catch (const LimitOverrunError& e) {
      error = e;
    }
    if (error) {
      EXPECT_EQ(error->consumed(), 20u);  // where the separator starts
    } else {
      ADD_FAILURE() << "no LimitOverrunError";
    }
    std::string all = co_await wait_for(reader.read(), 2s);
    EXPECT_EQ(all, "0123456789abcdefghij--end");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, ReaduntilWithNoSeparatorWithinTheLimitThrowsLimitOverrunError) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({std::string(40, 'x')});
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port(), /*limit=*/16);
    co_await sleep(50ms);
    std::optional<LimitOverrunError> error;
    try {
      std::string data = co_await wait_for(readuntil(client.first, "\n"), 2s);
      ADD_FAILURE() << "readuntil returned " << data;
    } catch (const LimitOverrunError& e) {
      error = e;
    } catch (const IncompleteReadError& e) {
      ADD_FAILURE() << "IncompleteReadError instead of LimitOverrunError, with " << e.partial().size() << " bytes";
    }
    if (error) {
      EXPECT_GT(error->consumed(), 16u);
    }
    std::string all = co_await wait_for(client.first.read(), 2s);
    EXPECT_EQ(all, std::string(40, 'x'));
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, SetLimitAppliesToTheNextReadAndReadlineDiscardsTheOverlongLine) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({"short\n0123456789\nok\n"});
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    StreamReader& reader = client.first;
    co_await sleep(50ms);
    reader.set_limit(8);
    EXPECT_EQ(reader.limit(), 8u);
    std::string short_line = co_await wait_for(reader.readline(), 2s);
    EXPECT_EQ(short_line, "short\n");
    bool overrun = false;
    try {
      std::string line = co_await wait_for(reader.readline(), 2s);
      ADD_FAILURE() << "readline returned " << line;
    } catch (const LimitOverrunError&) {
      overrun = true;
    }
    EXPECT_TRUE(overrun);
    std::string next = co_await wait_for(reader.readline(), 2s);
    EXPECT_EQ(next, "ok\n");  // the long line went, its "\n" too
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, AtEofIsFalseUntilTheEndOfTheStreamHasBeenReadAndTheBufferIsEmpty) {
  run_async([]() -> Task<void> {
    Event may_close;
    const ClientHandler handler = [&](StreamReader, StreamWriter writer) -> Task<void> {
      writer.write("xy");
      co_await writer.drain();
      co_await may_close.wait();
      writer.close();
      co_await writer.wait_closed();
    };
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    StreamReader& reader = client.first;
    EXPECT_FALSE(reader.at_eof());
    std::string x = co_await wait_for(reader.readexactly(1), 2s);
    EXPECT_EQ(x, "x");
    EXPECT_FALSE(reader.at_eof());
    may_close.set();
    std::string rest = co_await wait_for(reader.read(), 2s);
    EXPECT_EQ(rest, "y");
    EXPECT_TRUE(reader.at_eof());
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, LinesYieldsEachLineInTurnAsAsyncFor) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({"alpha\nbe", "ta\n", "gamma"}, 10ms);
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    std::vector<std::string> got;
    AsyncGenerator<std::string> lines = client.first.lines();
    for (auto it = co_await lines.begin(); it != lines.end(); co_await ++it) got.push_back(*it);
    EXPECT_THAT(got, ::testing::ElementsAre("alpha\n", "beta\n", "gamma"));
    EXPECT_TRUE(client.first.at_eof());
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, WaitForAroundAReadlineThatNeverComesThrowsTimeoutErrorAndLeavesTheConnectionUsable) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    bool timed_out = false;
    const auto start = Clock::now();
    try {
      std::string line = co_await wait_for(client.first.readline(), 50ms);
      ADD_FAILURE() << "readline returned " << line;
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    EXPECT_GE(ms_since(start), 45.0);
    EXPECT_FALSE(client.first.at_eof());

    client.second.write("still here\n");
    std::string line = co_await wait_for(client.first.readline(), 2s);
    EXPECT_EQ(line, "still here\n");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, AReadexactlyCancelledByATimeoutLosesNoneOfTheBytesItWasWaitingOn) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = sends({"abc", "de"}, 200ms);
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    bool timed_out = false;
    try {
      std::string data = co_await wait_for(client.first.readexactly(5), 100ms);
      ADD_FAILURE() << "readexactly(5) returned " << data;
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    std::string five = co_await wait_for(client.first.readexactly(5), 2s);
    EXPECT_EQ(five, "abcde");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, ClosingTheWriterEndsAReadlinePendingInAnotherTaskWithEndOfStream) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;  // says nothing unless spoken to
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    auto pending = create_task(readline_of(client.first));
    co_await sleep(20ms);
    EXPECT_FALSE(pending.done());
    client.second.close();
    bool timed_out = false;
    std::string line = "(none)";
    try {
      line = co_await wait_for(pending, 1s);
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_FALSE(timed_out) << "the pending readline hung after close()";
    EXPECT_EQ(line, "");
    EXPECT_TRUE(client.first.at_eof());
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, ASecondReadWhileOneIsPendingThrowsInvalidStateErrorAndTheFirstGoesOn) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    auto first = create_task(readline_of(client.first));
    co_await sleep(10ms);
    bool refused = false;
    try {
      std::string line = co_await wait_for(client.first.readline(), 1s);
      ADD_FAILURE() << "a second readline returned " << line;
    } catch (const InvalidStateError&) {
      refused = true;
    }
    EXPECT_TRUE(refused);
    client.second.write("for the first\n");
    std::string line = co_await wait_for(first, 2s);
    EXPECT_EQ(line, "for the first\n");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, AReadPendingWhenThePeerResetsTheConnectionThrowsConnectionReset) {
  std::uint16_t port = 0;
  Fd listener = loopback_socket(/*listening=*/true, port);
  std::atomic<bool> reset_sent{false};
  PeerThread peer([&] {
    Fd connection = accept_one(listener.get());
    if (!connection.valid()) return;
    send_some(connection, "partial", 7);
    std::this_thread::sleep_for(100ms);  // the client is waiting for more by then
    close_with_reset(connection);
    reset_sent = true;
  });
  run_async([&]() -> Task<void> {
    Streams client = co_await connect_to(port);
    std::optional<std::system_error> error;
    try {
      std::string data = co_await wait_for(client.first.readexactly(100), 2s);
      ADD_FAILURE() << "readexactly returned " << data.size() << " bytes";
    } catch (const std::system_error& e) {
      error = e;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not a std::system_error: " << e.what();
    }
    if (error) {
      EXPECT_EQ(error->code(), std::errc::connection_reset) << error->what();
    }
    co_await close_writer(client.second);
  });
  peer.join();
  EXPECT_TRUE(reset_sent);
}

TEST(Streams, DrainThrowsBrokenPipeOrConnectionResetOnceThePeerHasGoneMidWrite) {
  std::uint16_t port = 0;
  Fd listener = loopback_socket(/*listening=*/true, port);
  std::atomic<bool> peer_left{false};
  PeerThread peer([&] {
    Fd connection = accept_one(listener.get());
    if (!connection.valid()) return;
    char buffer[4096];
    recv_some(connection, buffer, sizeof buffer);
    connection.reset();  // with data unread: RST
    peer_left = true;
  });
  run_async([&]() -> Task<void> {
    Streams client = co_await connect_to(port);
    StreamWriter& writer = client.second;
    const std::string chunk(1 << 20, 'w');
    std::optional<std::system_error> error;
    for (int i = 0; i < 64 && !error; ++i) {
      writer.write(chunk);
      try {
        co_await wait_for(writer.drain(), 2s);
      } catch (const std::system_error& e) {
        error = e;
      }
    }
    if (!error) {
      ADD_FAILURE() << "64 MiB went to a peer that had left";
      co_return;
    }
    EXPECT_TRUE(error->code() == std::errc::broken_pipe || error->code() == std::errc::connection_reset)
        << error->what();

    // The connection stays failed: what is written is dropped, and drain()
    // reports the error again.
    writer.write(chunk);
    EXPECT_EQ(writer.write_buffer_size(), 0u);
    bool again = false;
    try {
      co_await writer.drain();
    } catch (const std::system_error&) {
      again = true;
    }
    EXPECT_TRUE(again);
    co_await close_writer(writer);
  });
  peer.join();
  EXPECT_TRUE(peer_left);
}

// ---- writing

TEST(Streams, WriteNeverBlocksAndDrainWaitsUntilAPeerThatDoesNotReadStartsReading) {
  run_async([]() -> Task<void> {
    constexpr std::size_t kTotal = 16 << 20;
    Event start_reading;
    Event reader_done;
    std::size_t received = 0;
    const ClientHandler handler = [&](StreamReader reader, StreamWriter) -> Task<void> {
      co_await start_reading.wait();
      for (;;) {
        std::string chunk = co_await reader.read(1 << 16);
        if (chunk.empty()) break;
        received += chunk.size();
      }
      reader_done.set();
    };
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    StreamWriter& writer = client.second;

    const auto start = Clock::now();
    writer.write(std::string(kTotal, 'd'));
    EXPECT_LT(ms_since(start), 500.0 * kSanitizerSlowdown);  // a copy, not a wait for the peer
    co_await sleep(50ms);
    // The kernel takes a few MiB at most; the rest waits in the buffer.
    EXPECT_GT(writer.write_buffer_size(), kTotal / 2);

    bool timed_out = false;
    try {
      co_await wait_for(writer.drain(), 50ms);
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out) << "drain() returned while the peer was not reading";

    bool drained = false;
    auto drainer = create_task(drain_then_flag(writer, drained));
    co_await sleep(100ms);
    EXPECT_FALSE(drained);

    start_reading.set();
    co_await wait_for(drainer, 2s);
    EXPECT_TRUE(drained);
    EXPECT_LE(writer.write_buffer_size(), 16u * 1024);  // drain() returns at the low-water mark

    co_await close_writer(writer);
    co_await wait_for(reader_done.wait(), 2s);
    EXPECT_EQ(received, kTotal);
    co_await close_server(server);
  });
}

TEST(Streams, SetWriteBufferLimitsMovesTheMarksDrainWaitsOn) {
  run_async([]() -> Task<void> {
    constexpr std::size_t kTotal = 16 << 20;
    Event start_reading;
    const ClientHandler handler = [&](StreamReader reader, StreamWriter) -> Task<void> {
      co_await start_reading.wait();
      std::string all = co_await reader.read();
      EXPECT_EQ(all.size(), kTotal);
    };
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    StreamWriter& writer = client.second;

    bool rejected = false;
    try {
      writer.set_write_buffer_limits(1024, 2048);
    } catch (const std::invalid_argument&) {
      rejected = true;
    }
    EXPECT_TRUE(rejected) << "a low-water mark above the high-water mark was accepted";

    writer.set_write_buffer_limits(32 << 20, 0);
    writer.write(std::string(kTotal, 'l'));
    bool timed_out = false;
    try {
      co_await wait_for(writer.drain(), 100ms);  // below the high-water mark
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_FALSE(timed_out) << "drain() waited below the high-water mark";

    writer.set_write_buffer_limits(1 << 20, 512 << 10);
    timed_out = false;
    try {
      co_await wait_for(writer.drain(), 50ms);
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out) << "drain() returned above the high-water mark";

    start_reading.set();
    co_await wait_for(writer.drain(), 2s);
    EXPECT_LE(writer.write_buffer_size(), 512u << 10);

    writer.set_write_buffer_limits(0, 0);
    co_await wait_for(writer.drain(), 2s);
    EXPECT_EQ(writer.write_buffer_size(), 0u);
    co_await close_writer(writer);
    co_await close_server(server);
  });
}

TEST(Streams, WriteEofHalfClosesAndThePeersReplyStillArrives) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = [](StreamReader reader, StreamWriter writer) -> Task<void> {
      std::string all = co_await reader.read();  // until the client's write_eof()
      writer.write("got " + std::to_string(all.size()) + ": " + all);
      co_await writer.drain();
      writer.close();
      co_await writer.wait_closed();
    };
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    StreamWriter& writer = client.second;
    EXPECT_TRUE(writer.can_write_eof());
    writer.write("abc");
    writer.write_eof();
    EXPECT_FALSE(writer.is_closing());
    std::string reply = co_await wait_for(client.first.read(), 2s);
    EXPECT_EQ(reply, "got 3: abc");
    co_await close_writer(writer);
    co_await close_server(server);
  });
}

TEST(Streams, AfterThePeersWriteEofTheConnectionCanStillBeWrittenTo) {
  run_async([]() -> Task<void> {
    std::string server_got;
    Event server_done;
    const ClientHandler handler = [&](StreamReader reader, StreamWriter writer) -> Task<void> {
      writer.write("bye from the server");
      writer.write_eof();
      server_got = co_await reader.readline();
      server_done.set();
      writer.close();
      co_await writer.wait_closed();
    };
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    std::string all = co_await wait_for(client.first.read(), 2s);
    EXPECT_EQ(all, "bye from the server");
    EXPECT_TRUE(client.first.at_eof());
    EXPECT_FALSE(client.second.is_closing());
    client.second.write("thanks\n");
    co_await client.second.drain();
    co_await wait_for(server_done.wait(), 2s);
    EXPECT_EQ(server_got, "thanks\n");
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, CloseSendsEverythingBufferedBeforeClosing) {
  run_async([]() -> Task<void> {
    const std::string payload = pattern(4 << 20);
    Event got_all;
    std::string received;
    const ClientHandler handler = [&](StreamReader reader, StreamWriter) -> Task<void> {
      received = co_await reader.read();
      EXPECT_TRUE(reader.at_eof());
      got_all.set();
    };
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    StreamWriter& writer = client.second;
    writer.write(payload);
    writer.close();  // no drain() first
    EXPECT_TRUE(writer.is_closing());
    co_await close_writer(writer);
    co_await wait_for(got_all.wait(), 2s);
    EXPECT_EQ(received.size(), payload.size());
    EXPECT_TRUE(received == payload) << "the bytes the peer read differ from those written";
    co_await close_server(server);
  });
}

TEST(Streams, WhenTheLastReaderAndWriterGoWhatWasWrittenIsSentThenTheConnectionCloses) {
  run_async([]() -> Task<void> {
    const std::string payload = pattern(2 << 20);
    const ClientHandler handler = [&](StreamReader, StreamWriter writer) -> Task<void> {
      writer.write(payload);  // then the handler ends: no drain(), no close()
      co_return;
    };
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    std::string received = co_await wait_for(client.first.read(), 2s);  // to the end of the stream
    EXPECT_EQ(received.size(), payload.size());
    EXPECT_TRUE(received == payload) << "the bytes read differ from those written";
    EXPECT_TRUE(client.first.at_eof());
    co_await close_writer(client.second);
    co_await close_server(server);
  });
}

TEST(Streams, IsClosingTurnsTrueOnCloseAndWaitClosedReturnsOnceClosed) {
  run_async([]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve(handler);
    Streams client = co_await connect_to(server.port());
    StreamWriter& writer = client.second;
    EXPECT_FALSE(writer.is_closing());

    bool closed = false;
    auto waiter = create_task(wait_closed_then_flag(writer, closed));
    co_await sleep(20ms);
    EXPECT_FALSE(closed) << "wait_closed() returned before close()";

    writer.close();
    EXPECT_TRUE(writer.is_closing());
    co_await wait_for(waiter, 2s);
    EXPECT_TRUE(closed);
    writer.close();  // again: nothing happens
    co_await wait_for(writer.wait_closed(), 1s);

    writer.write("after close\n");  // dropped
    EXPECT_EQ(writer.write_buffer_size(), 0u);
    co_await close_server(server);
  });
}

}  // namespace
}  // namespace coio::testing
