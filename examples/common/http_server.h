// A small HTTP/1.1 server on coio::start_server, for the examples that need
// a site to fetch from without internet: each GET is answered with what
// `route` returns for its path, after the reply's delay (a coio::sleep, so
// slow pages do not hold up the others). Connections are kept alive, as
// HTTP clients expect.
//
//   coio::Server server = co_await start_http_server([](std::string_view path) {
//     return Reply{.body = "<h1>hello</h1>"};
//   });
//   std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "coio/coio.h"

namespace examples {

struct Reply {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::chrono::milliseconds delay{0};  // before the reply is sent
};

using Route = std::function<Reply(std::string_view path)>;

// Listens on 127.0.0.1:`port` (0: a free one, see Server::port()).
coio::Task<coio::Server> start_http_server(Route route, std::uint16_t port = 0);

}  // namespace examples
