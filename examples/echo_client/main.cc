// The TCP echo client that goes with examples/echo_server: asyncio's streams
// example, sending lines (the server echoes a line at a time):
//
//   async def tcp_echo_client(message):
//       reader, writer = await asyncio.open_connection('127.0.0.1', 8888)
//
//       print(f'Send: {message!r}')
//       writer.write(message.encode())
//       await writer.drain()
//
//       data = await reader.readline()
//       print(f'Received: {data.decode()!r}')
//
//       print('Close the connection')
//       writer.close()
//       await writer.wait_closed()
//
//   asyncio.run(tcp_echo_client('Hello World!\n'))
//
// Usage: echo_client [HOST [PORT [MESSAGE...]]]   (127.0.0.1, 8888 and
// "Hello World!"). Each MESSAGE goes as one line, and its echo is read back
// before the next one goes. A connection that fails is reported on stderr,
// with exit status 1.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "coio/coio.h"

namespace {

// Python's repr() of a str: quoted, control characters escaped.
std::string py_repr(std::string_view s) {
  const char quote = s.find('\'') != s.npos && s.find('"') == s.npos ? '"' : '\'';
  std::string out(1, quote);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\' || c == quote) {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += ch;
    }
  }
  out += quote;
  return out;
}

coio::Task<void> tcp_echo_client(std::vector<std::string> messages, std::string host, std::uint16_t port) {
  auto [reader, writer] = co_await coio::open_connection(host, port);

  for (const std::string& message : messages) {
    std::printf("Send: %s\n", py_repr(message).c_str());
    writer.write(message);
    co_await writer.drain();

    const std::string data = co_await reader.readline();
    std::printf("Received: %s\n", py_repr(data).c_str());
  }

  std::printf("Close the connection\n");
  writer.close();
  co_await writer.wait_closed();
}

bool parse_port(std::string_view text, std::uint16_t& port) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string host = argc > 1 ? argv[1] : "127.0.0.1";
  std::uint16_t port = 8888;
  if (argc > 2 && !parse_port(argv[2], port)) {
    std::fprintf(stderr, "usage: echo_client [HOST [PORT [MESSAGE...]]]\n");
    return 2;
  }
  std::vector<std::string> messages;
  for (int i = 3; i < argc; ++i) messages.push_back(std::string(argv[i]) + "\n");
  if (messages.empty()) messages.push_back("Hello World!\n");

  try {
    coio::run(tcp_echo_client(std::move(messages), host, port));
  } catch (const std::exception& e) {  // e.g. "connect to 127.0.0.1:8888: Connection refused"
    std::fflush(stdout);
    std::fprintf(stderr, "echo_client: %s\n", e.what());
    return 1;
  }
}
