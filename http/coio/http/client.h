// coio/http/client.h: an HTTP client (aiohttp's ClientSession) on libcurl,
// driven by the loop: libcurl's sockets are polled through the backend and
// its timeouts are loop timers, so no request has a thread of its own.
//
//   coio::http::Client client;                        // one per program, reused
//   coio::http::Response r = co_await client.get("http://127.0.0.1:8080/");
//   std::cout << r.status << " " << r.text().size() << "\n";
//
//   // A large body, a chunk at a time, in flat memory:
//   auto big = co_await client.request({.url = url, .stream = true});
//   auto chunks = big.body_chunks();
//   while (auto chunk = co_await chunks.next()) co_await file.write(*chunk);
//
// Requests of one Client share its connections (keep-alive) up to
// ClientOptions::max_connections; more requests than that wait their turn.
// Cancelling a request (or coio::wait_for running out) stops its transfer
// and closes its connection; the Client stays usable. A Client belongs to
// the loop of its first request.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "coio/generator.h"
#include "coio/http/error.h"
#include "coio/http/headers.h"
#include "coio/task.h"

namespace coio::http {

namespace internal {
class Transfer;
class Session;
}  // namespace internal

struct ClientOptions {
  // Connections open at once, over all hosts (aiohttp's limit); 0: no limit.
  std::size_t max_connections = 100;
  // Connections open at once to one host:port (limit_per_host); 0: no limit.
  std::size_t max_connections_per_host = 0;
  // Time to set up a connection (name lookup, TCP, TLS); 0: libcurl's 300 s.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(30);
  // Time for a whole request, body included; 0: none (aiohttp: 5 minutes).
  std::chrono::milliseconds timeout = std::chrono::minutes(5);
  std::string user_agent = "coio-http/1";
  bool follow_redirects = true;
  int max_redirects = 10;
  // Check the server's certificate and name (https). Off only for testing.
  bool verify_tls = true;
  // Proxies come from http_proxy, https_proxy and no_proxy in the
  // environment, as libcurl reads them; "" here means that, any other value
  // is the proxy URL for every request.
  std::string proxy;
};

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  // Overrides ClientOptions::timeout for this request when not zero.
  std::chrono::milliseconds timeout{0};
  // When set, the request returns once the status and headers are in; the
  // body is then read with Response::body_chunks().
  bool stream = false;
};

struct Response {
  int status = 0;
  Headers headers;  // of the final response, after redirects
  std::string body;  // empty for a streamed response
  std::string url;   // the final URL, after redirects

  std::string_view text() const noexcept { return body; }
  // Throws StatusError when status is 400 or more.
  void raise_for_status() const;
  // The body in chunks as they arrive. For a streamed response, the
  // transfer pauses while a chunk is not taken (memory stays flat) and the
  // generator throws Error if the body is cut short; otherwise it yields
  // `body` once. Consume it once.
  AsyncGenerator<std::string> body_chunks() const;

  // The transfer of a streamed response; releasing it before the end stops
  // the transfer.
  std::shared_ptr<internal::Transfer> stream_;
};

class Client {
 public:
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  Task<Response> get(std::string url, Headers headers = {});
  Task<Response> post(std::string url, std::string body, Headers headers = {});
  Task<Response> put(std::string url, std::string body, Headers headers = {});
  Task<Response> delete_(std::string url, Headers headers = {});
  Task<Response> request(Request request);

  const ClientOptions& options() const noexcept;

 private:
  std::shared_ptr<internal::Session> session_;
};

}  // namespace coio::http
