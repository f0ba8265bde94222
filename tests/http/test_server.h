// tests/http/test_server.h: an HTTP/1.1 server written with coio's streams,
// in the test's own loop, for what nginx will not do on demand: slowness,
// bodies cut short, connections closed mid-response, chunked bodies, and
// counting the connections a client opens.
//
// Paths:
//   /echo               200; the body is the request's head and body, as received
//   /sleep/<ms>         the headers after <ms> milliseconds, then "ok"
//   /short              Content-Length: 1000 and 500 bytes, then close
//   /close-mid          half a status line, then close
//   /chunked            five chunks, 10 ms apart: "chunk0" ... "chunk4"
//   /chunked-cut        two chunks, then close without the last chunk
//   /hold               never answers; hold_ended() counts those the client closed
//   /folded             a header folded over two lines (obsolete syntax)
//   /set-cookie         sets the cookie flavour=oatmeal
//   /status/<code>      that status, body "status <code>"
//   http://...          as a proxy would get it: 200, body "proxied <url>"
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "coio/coio.h"

namespace coio::testing {

struct TestServerStats {
  std::size_t connections = 0;       // accepted so far
  std::size_t open = 0;              // open now
  std::size_t max_open = 0;          // most open at once
  std::size_t requests = 0;
  std::size_t holds_ended = 0;       // /hold requests whose client went away
};

class TestServer {
 public:
  static Task<TestServer> start();

  std::string url(const std::string& path) const;
  const TestServerStats& stats() const noexcept { return *stats_; }
  Task<void> close();

 private:
  TestServer(Server server, std::shared_ptr<TestServerStats> stats) noexcept
      : server_(std::move(server)), stats_(std::move(stats)) {}

  Server server_;
  std::shared_ptr<TestServerStats> stats_;
};

}  // namespace coio::testing
