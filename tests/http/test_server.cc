#include "test_server.h"

#include <chrono>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace coio::testing {
namespace {

using namespace std::chrono_literals;

std::size_t content_length(std::string_view head) {
  // Header names compare without case; the test client sends this one as
  // libcurl writes it.
  for (std::string_view key : {"\r\nContent-Length:", "\r\ncontent-length:"}) {
    auto at = head.find(key);
    if (at != std::string_view::npos) return std::strtoull(head.data() + at + key.size(), nullptr, 10);
  }
  return 0;
}

std::string response(int status, std::string_view body, std::string_view extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra_headers) + "\r\n" + std::string(body);
}

// Serves one request; false when the connection is to be closed after it.
Task<bool> serve_one(StreamReader& reader, StreamWriter& writer, const std::string& head, const std::string& body,
                     TestServerStats& stats) {
  const std::size_t path_start = head.find(' ') + 1;
  const std::string path = head.substr(path_start, head.find(' ', path_start) - path_start);
  if (path.starts_with("http://")) {
    writer.write(response(200, "proxied " + path));  // a request sent to a proxy names the whole URL
  } else if (path == "/echo") {
    writer.write(response(200, head + body));
  } else if (path.starts_with("/sleep/")) {
    co_await sleep(std::chrono::milliseconds(std::atoi(path.c_str() + 7)));
    writer.write(response(200, "ok"));
  } else if (path == "/short") {
    writer.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(500, 's'));
    co_await writer.drain();
    co_return false;
  } else if (path == "/close-mid") {
    writer.write("HTTP/1.1 2");
    co_await writer.drain();
    co_return false;
  } else if (path == "/chunked" || path == "/chunked-cut") {
    writer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    const int chunks = path == "/chunked" ? 5 : 2;
    for (int i = 0; i < chunks; ++i) {
      writer.write("6\r\nchunk" + std::to_string(i) + "\r\n");
      co_await writer.drain();
      co_await sleep(10ms);
    }
    if (path == "/chunked-cut") co_return false;
    writer.write("0\r\n\r\n");
  } else if (path == "/hold") {
    while (!(co_await reader.read(4096)).empty()) {
    }
    ++stats.holds_ended;
    co_return false;
  } else if (path == "/folded") {
    writer.write(response(200, "folded", "X-Folded: first\r\n  second\r\nX-After: yes\r\n"));
  } else if (path == "/set-cookie") {
    writer.write(response(200, "set", "Set-Cookie: flavour=oatmeal; Path=/\r\n"));
  } else if (path.starts_with("/status/")) {
    const int status = std::atoi(path.c_str() + 8);
    writer.write(response(status, "status " + std::to_string(status)));
  } else {
    writer.write(response(404, "no such path"));
  }
  co_await writer.drain();
  co_return true;
}

Task<void> serve_connection(StreamReader reader, StreamWriter writer, std::shared_ptr<TestServerStats> stats) {
  ++stats->connections;
  stats->max_open = std::max(stats->max_open, ++stats->open);
  try {
    for (;;) {
      std::string head;
      try {
        head = co_await reader.readuntil("\r\n\r\n");
      } catch (const IncompleteReadError&) {
        break;  // the client closed the connection
      }
      const std::size_t length = content_length(head);
      std::string body;
      if (length > 0) body = co_await reader.readexactly(length);
      ++stats->requests;
      if (!co_await serve_one(reader, writer, head, body, *stats)) break;
    }
  } catch (const std::system_error&) {
    // A reset from the client: the connection is over.
  }
  --stats->open;
  writer.close();
}

}  // namespace

Task<TestServer> TestServer::start() {
  auto stats = std::make_shared<TestServerStats>();
  ServerOptions options;
  options.listen.backlog = 1024;
  // Built before the await: GCC 12 mishandles temporaries in a co_await.
  ClientHandler handler = [stats](StreamReader reader, StreamWriter writer) {
    return serve_connection(std::move(reader), std::move(writer), stats);
  };
  std::string host = "127.0.0.1";
  Server server = co_await start_server(std::move(handler), std::move(host), 0, options);
  co_return TestServer(std::move(server), std::move(stats));
}

std::string TestServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
}

Task<void> TestServer::close() {
  server_.close();
  co_await server_.wait_closed();
}

}  // namespace coio::testing
