// A program in another workspace, built against @coio//:coio and
// @coio//:http: it says which backend the build linked, gathers two sleeps,
// which take as long as the longer one because they run concurrently, and
// fetches a page from a server of its own with the HTTP client.
#include <chrono>
#include <cstdio>
#include <string>

#include "coio/coio.h"
#include "coio/http/client.h"

using namespace std::chrono_literals;

coio::Task<int> nap(int id, std::chrono::milliseconds d) {
  co_await coio::sleep(d);
  co_return id;
}

coio::Task<void> answer(coio::StreamReader reader, coio::StreamWriter writer) {
  co_await reader.readuntil("\r\n\r\n");
  writer.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  co_await writer.drain();
  writer.close();
}

coio::Task<void> amain() {
  auto& loop = coio::Loop::current();
  std::printf("consumer: running on %s\n", std::string(loop.backend_name()).c_str());

  const double start = loop.time();
  auto [a, b] = co_await coio::gather(nap(1, 100ms), nap(2, 200ms));
  std::printf("consumer: gather returned %d and %d in %.2f s\n", a, b, loop.time() - start);

  coio::ClientHandler handler = answer;  // not a temporary inside the co_await (GCC 12)
  std::string host = "127.0.0.1";
  coio::Server server = co_await coio::start_server(std::move(handler), std::move(host), 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
  coio::http::Client client;
  coio::http::Response r = co_await client.get(url);
  std::printf("consumer: http %d %s\n", r.status, r.body.c_str());
  server.close();
  co_await server.wait_closed();
}

int main() { coio::run(amain()); }
