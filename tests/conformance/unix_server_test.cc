// Server over Unix-domain sockets: asyncio's start_unix_server and
// open_unix_connection, the socket file made and removed, a stale one
// replaced. POSIX only for now: Wine 8, where the Windows build is tested,
// has no AF_UNIX sockets (socket() fails with WSAEAFNOSUPPORT), though
// Windows 10 has them.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "net_test_util.h"
#include "test_util.h"

namespace coio::testing {
namespace {

using ::testing::HasSubstr;

// These build the std::string arguments outside the awaiting coroutine, so
// that no temporary shares a full-expression with a co_await.
Task<Server> serve_unix(const ClientHandler& handler, const std::string& path) {
  return start_unix_server(handler, path);
}
Task<Streams> connect_unix(const std::string& path) { return open_unix_connection(path); }

// Sends `line` and returns the reply line (at most 2 s).
Task<std::string> round_trip(Streams& client, const char* line) {
  client.second.write(line);
  co_await client.second.drain();
  std::string reply = co_await wait_for(client.first.readline(), 2s);
  co_return reply;
}

TEST(Server, UnixServerAndConnectionRoundTripAndTheSocketFileGoesOnClose) {
  SocketDir dir;
  const std::string path = dir.path() + "/server.sock";
  run_async([&]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve_unix(handler, path);
    EXPECT_TRUE(is_socket_file(path));
    EXPECT_TRUE(server.is_serving());
    std::vector<SocketAddress> sockets = server.sockets();
    EXPECT_EQ(sockets.size(), 1u);
    if (!sockets.empty()) {
      EXPECT_EQ(sockets[0].family(), AF_UNIX);
      EXPECT_EQ(sockets[0].to_string(), path);
    }

    Streams client = co_await connect_unix(path);
    std::string reply = co_await round_trip(client, "over a unix socket\n");
    EXPECT_EQ(reply, "over a unix socket\n");
    co_await close_writer(client.second);

    co_await close_server(server);
    EXPECT_FALSE(exists(path)) << "the socket file is still there after the server closed";
  });
}

TEST(Server, AUnixServerClosedBeforeItAcceptedAnythingRemovesItsSocketFile) {
  SocketDir dir;
  const std::string path = dir.path() + "/server.sock";
  run_async([&]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve_unix(handler, path);
    EXPECT_TRUE(is_socket_file(path));
    co_await close_server(server);  // before the accept loop ever ran
    EXPECT_FALSE(exists(path)) << "the socket file is still there after the server closed";
  });
}

TEST(Server, StartUnixServerReplacesAStaleSocketFile) {
  SocketDir dir;
  const std::string path = dir.path() + "/server.sock";
  {  // a socket file left behind by a server that is gone
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << std::strerror(errno);
    ::close(fd);
  }
  ASSERT_TRUE(is_socket_file(path));
  run_async([&]() -> Task<void> {
    const ClientHandler handler = echo_lines;
    Server server = co_await serve_unix(handler, path);
    Streams client = co_await connect_unix(path);
    std::string reply = co_await round_trip(client, "replaced\n");
    EXPECT_EQ(reply, "replaced\n");
    co_await close_writer(client.second);
    co_await close_server(server);
    EXPECT_FALSE(exists(path));
  });
}

TEST(Server, ConnectingToAUnixPathWithNoServerFails) {
  SocketDir dir;
  const std::string path = dir.path() + "/server.sock";
  run_async([&]() -> Task<void> {
    std::error_code error;
    try {
      Streams client = co_await connect_unix(path);
      ADD_FAILURE() << "connected to " << path;
    } catch (const std::system_error& e) {
      error = e.code();
      EXPECT_THAT(e.what(), HasSubstr(path));
    }
    EXPECT_EQ(error, std::errc::no_such_file_or_directory) << error.message();
  });
}

}  // namespace
}  // namespace coio::testing
