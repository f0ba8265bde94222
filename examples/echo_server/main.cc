// The TCP echo server of the asyncio tutorials ("a simple TCP server that
// handles incoming client requests"), on coio's streams. The tutorial names
// it without showing code; this is asyncio's own streams example, reading a
// line at a time until the client closes, so that one connection carries
// many messages:
//
//   async def handle_echo(reader, writer):
//       addr = writer.get_extra_info('peername')
//       while data := await reader.readline():
//           message = data.decode()
//           print(f"Received {message!r} from {addr!r}")
//           print(f"Send: {message!r}")
//           writer.write(data)
//           await writer.drain()
//       print("Close the connection")
//       writer.close()
//       await writer.wait_closed()
//
//   async def main(host='127.0.0.1', port=8888):
//       server = await asyncio.start_server(handle_echo, host, port)
//       addrs = ', '.join(str(sock.getsockname()) for sock in server.sockets)
//       print(f'Serving on {addrs}')
//       for sig in (signal.SIGINT, signal.SIGTERM):
//           asyncio.get_running_loop().add_signal_handler(sig, server.close)
//       async with server:
//           await server.serve_forever()
//
// Usage: echo_server [HOST [PORT]]   (127.0.0.1 and 8888; port 0 picks a
// free port, which "Serving on" shows). Try it with `nc 127.0.0.1 8888`.
// SIGINT (Ctrl+C) or SIGTERM closes the server, lets the clients still
// connected go, and the program exits with 0; on Windows, Ctrl+C or
// Ctrl+Break does (stop_signal.h).
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "coio/coio.h"
#include "stop_signal.h"

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

// What Python prints for a socket address: ('127.0.0.1', 8888), or
// ('::1', 8888, 0, 0) for IPv6.
std::string py_address(const coio::SocketAddress& a) {
  std::string out = "(" + py_repr(a.host()) + ", " + std::to_string(a.port());
  if (a.family() == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(a.native());
    out += ", " + std::to_string(ntohl(v6->sin6_flowinfo)) + ", " + std::to_string(v6->sin6_scope_id);
  }
  return out + ")";
}

coio::Task<void> handle_echo(coio::StreamReader reader, coio::StreamWriter writer) {
  const std::string addr = py_address(writer.peername());
  for (;;) {
    std::string data = co_await reader.readline();
    if (data.empty()) break;  // the client closed its side
    std::printf("Received %s from %s\n", py_repr(data).c_str(), addr.c_str());
    std::printf("Send: %s\n", py_repr(data).c_str());
    std::fflush(stdout);
    writer.write(data);
    co_await writer.drain();
  }
  std::printf("Close the connection\n");
  std::fflush(stdout);
  writer.close();
  co_await writer.wait_closed();
}

// loop.add_signal_handler(sig, server.close).
coio::Task<void> close_on_signal(StopSignal& stop, coio::Server server) {
  co_await stop.wait();
  server.close();
}

coio::Task<void> amain(std::string host, std::uint16_t port, StopSignal& stop) {
  coio::Server server = co_await coio::start_server(handle_echo, host, port);

  std::string addrs;
  for (const coio::SocketAddress& address : server.sockets()) {
    if (!addrs.empty()) addrs += ", ";
    addrs += py_address(address);
  }
  std::printf("Serving on %s\n", addrs.c_str());
  std::fflush(stdout);

  coio::create_task(close_on_signal(stop, server));
  co_await server.serve_forever();  // until close_on_signal closes it
  co_await server.wait_closed();    // and every client handler has ended
}

bool parse_port(std::string_view text, std::uint16_t& port) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string host = argc > 1 ? argv[1] : "127.0.0.1";
  std::uint16_t port = 8888;
  if (argc > 3 || (argc > 2 && !parse_port(argv[2], port))) {
    std::fprintf(stderr, "usage: echo_server [HOST [PORT]]\n");
    return 2;
  }

  // The output is flushed after each message (above) rather than line
  // buffered: Windows' C library has no line buffering, and a pipe or a
  // file must see each message as it happens.
  int status = 0;
  try {
    StopSignal stop;  // before the loop starts any thread
    coio::run(amain(host, port, stop));
  } catch (const std::exception& e) {  // e.g. the port is taken
    std::fprintf(stderr, "echo_server: %s\n", e.what());
    status = 1;
  }
  return status;
}
