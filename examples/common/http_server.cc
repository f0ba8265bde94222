#include "http_server.h"

#include <charconv>
#include <memory>
#include <utility>

namespace examples {
namespace {

using namespace std::chrono_literals;

struct RequestHead {
  bool valid = false;
  std::string method;
  std::string path;  // without the query string
  bool keep_alive = true;
  std::size_t content_length = 0;
};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "GET /path HTTP/1.1\r\nName: value\r\n...\r\n\r\n"
RequestHead parse_head(std::string_view head) {
  RequestHead request;
  std::size_t end = head.find("\r\n");
  const std::string_view line = head.substr(0, end);
  const std::size_t space1 = line.find(' ');
  const std::size_t space2 = line.rfind(' ');
  if (space1 == line.npos || space2 == space1) return request;
  request.method = line.substr(0, space1);
  const std::string_view target = line.substr(space1 + 1, space2 - space1 - 1);
  const std::string_view version = line.substr(space2 + 1);
  request.path = target.substr(0, target.find('?'));
  request.keep_alive = version == "HTTP/1.1";  // 1.0 closes unless asked not to

  while (end != head.npos && end + 2 < head.size()) {
    const std::size_t start = end + 2;
    end = head.find("\r\n", start);
    const std::string_view field = head.substr(start, end - start);
    const std::size_t colon = field.find(':');
    if (colon == field.npos) continue;
    const std::string_view name = field.substr(0, colon);
    const std::string_view value = trim(field.substr(colon + 1));
    if (equals_ignoring_case(name, "connection")) {
      if (equals_ignoring_case(value, "close")) request.keep_alive = false;
      if (equals_ignoring_case(value, "keep-alive")) request.keep_alive = true;
    } else if (equals_ignoring_case(name, "content-length")) {
      std::from_chars(value.data(), value.data() + value.size(), request.content_length);
    }
  }
  request.valid = request.path.starts_with('/');
  return request;
}

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    default: return "Unknown";
  }
}

std::string response_head(const Reply& reply, bool keep_alive) {
  return "HTTP/1.1 " + std::to_string(reply.status) + " " + reason(reply.status) +
         "\r\nServer: coio-example\r\nContent-Type: " + reply.content_type +
         "\r\nContent-Length: " + std::to_string(reply.body.size()) +
         (keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n");
}

// One client connection: requests one after the other until it closes.
coio::Task<void> serve(std::shared_ptr<const Route> route, coio::StreamReader reader, coio::StreamWriter writer) {
  for (;;) {
    std::string head;
    try {
      head = co_await reader.readuntil("\r\n\r\n");
    } catch (const coio::IncompleteReadError&) {
      break;  // the client closed the connection
    } catch (const coio::LimitOverrunError&) {
      break;  // a head of more than 64 KiB: not a client of ours
    }
    const RequestHead request = parse_head(head);
    if (request.content_length > 0) co_await reader.readexactly(request.content_length);  // unused
    Reply reply = request.valid ? (*route)(request.path) : Reply{.status = 400, .body = "bad request\n"};
    if (reply.delay > 0ms) co_await coio::sleep(reply.delay);
    writer.write(response_head(reply, request.keep_alive));
    if (request.method != "HEAD") writer.write(reply.body);
    co_await writer.drain();
    if (!request.keep_alive) break;
  }
  writer.close();
  co_await writer.wait_closed();
}

}  // namespace

coio::Task<coio::Server> start_http_server(Route route, std::uint16_t port) {
  auto shared = std::make_shared<const Route>(std::move(route));
  // A plain lambda that starts a coroutine: a coroutine lambda's captures
  // would be gone once the lambda returned. It is made outside the co_await
  // expression: as a temporary in there, GCC 12 handed start_server an
  // empty std::function (bad_function_call for every client).
  coio::ClientHandler handler = [shared](coio::StreamReader reader, coio::StreamWriter writer) {
    return serve(shared, std::move(reader), std::move(writer));
  };
  co_return co_await coio::start_server(std::move(handler), "127.0.0.1", port);
}

}  // namespace examples
