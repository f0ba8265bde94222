// TCP echo server on coio, for the echo workload of ../shared/peers (64-byte
// ping-pong from build/echo_client, 1, 50 and 500 connections).
//
//   bazel run -c opt --//:backend=io_uring //bench/echo:echo_server -- --port 21000
//   echo_server --port N [--api tcp|streams] [--buffer BYTES] [--backlog N]
//   echo_server --probe        # prints {"backend": ...} and exits
//
// Listens on 127.0.0.1:N, one task per connection.
//   --api tcp (default): TcpListener::accept, then TcpStream::read_some into
//     a buffer in the task's frame and write_all from it: no copies, the
//     same shape as the Asio peer (async_read_some + async_write).
//   --api streams: start_server with a handler doing StreamReader::read(64 KiB)
//     and StreamWriter::write + drain, as an asyncio echo server does.
// SIGTERM or SIGINT (Ctrl+C or Ctrl+Break on Windows) cancels the server's
// task: the listener closes, the connection tasks are cancelled, and the
// process exits 0.
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <system_error>

#include "coio/coio.h"
#include "examples/echo_server/stop_signal.h"

namespace {

struct Options {
  int port = 0;
  std::string api = "tcp";
  std::size_t buffer = 4096;
  int backlog = 1024;
  bool probe = false;
};

// A connection that ends with an error (reset by the client at the end of a
// run) is just over: Python's ConnectionError, in any OS's codes.
bool is_connection_error(const std::system_error& e) {
  const std::error_code code = e.code();
  return code == std::errc::connection_reset || code == std::errc::connection_aborted ||
         code == std::errc::broken_pipe || code == std::errc::not_connected;
}

coio::Task<void> echo_tcp(coio::TcpStream stream, std::size_t size) {
  const std::unique_ptr<std::byte[]> storage(new std::byte[size]);
  const std::span<std::byte> buffer(storage.get(), size);
  try {
    while (const std::size_t n = co_await stream.read_some(buffer)) {
      co_await stream.write_all(buffer.first(n));
    }
  } catch (const std::system_error& e) {
    if (!is_connection_error(e)) throw;
  }
}

coio::Task<void> serve_tcp(const Options& o) {
  coio::TcpListener listener =
      co_await coio::TcpListener::bind("127.0.0.1", static_cast<std::uint16_t>(o.port), {.backlog = o.backlog});
  std::fprintf(stderr, "coio echo server: 127.0.0.1:%u, backend %s, api tcp\n", listener.port(),
               std::string(coio::Loop::current().backend_name()).c_str());
  for (;;) {
    coio::TcpStream stream = co_await listener.accept();
    coio::create_task(echo_tcp(std::move(stream), o.buffer));
  }
}

coio::Task<void> echo_streams(coio::StreamReader reader, coio::StreamWriter writer) {
  try {
    for (;;) {
      std::string data = co_await reader.read(64 * 1024);
      if (data.empty()) break;
      writer.write(data);
      co_await writer.drain();
    }
  } catch (const std::system_error& e) {
    if (!is_connection_error(e)) throw;
  }
  writer.close();
}

coio::Task<void> serve_streams(const Options& o) {
  coio::ServerOptions options;
  options.listen.backlog = o.backlog;
  coio::Server server =
      co_await coio::start_server(echo_streams, "127.0.0.1", static_cast<std::uint16_t>(o.port), options);
  std::fprintf(stderr, "coio echo server: 127.0.0.1:%u, backend %s, api streams\n", server.port(),
               std::string(coio::Loop::current().backend_name()).c_str());
  co_await server.serve_forever();
}

coio::Task<void> serve(const Options& o) {
  if (o.api == "tcp") {
    co_await serve_tcp(o);
  } else {
    co_await serve_streams(o);
  }
}

// SIGTERM or SIGINT (a console control event on Windows) cancels the
// server's task.
coio::Task<void> cancel_on_stop(StopSignal& stop, coio::TaskHandle<void> server) {
  co_await stop.wait();
  server.cancel();
}

coio::Task<void> serve_until_stopped(const Options& o, StopSignal& stop) {
  coio::TaskHandle<void> server = coio::create_task(serve(o), "serve");
  coio::TaskHandle<void> watcher = coio::create_task(cancel_on_stop(stop, server), "stop");
  try {
    co_await server;
  } catch (const coio::CancelledError&) {
    // Stopped as asked.
  }
  watcher.cancel();
}

int usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s --port N [--api tcp|streams] [--buffer BYTES] [--backlog N] | --probe\n", argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--probe") {
      o.probe = true;
      continue;
    }
    if (i + 1 >= argc) return usage(argv[0]);
    const char* v = argv[++i];
    if (k == "--port") {
      o.port = std::atoi(v);
    } else if (k == "--api") {
      o.api = v;
    } else if (k == "--buffer") {
      o.buffer = std::strtoull(v, nullptr, 10);
    } else if (k == "--backlog") {
      o.backlog = std::atoi(v);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", k.c_str());
      return usage(argv[0]);
    }
  }
  if (o.probe) {
    coio::run([]() -> coio::Task<void> {
      std::printf("{\"backend\": \"%s\"}\n", std::string(coio::Loop::current().backend_name()).c_str());
      co_return;
    });
    return 0;
  }
  if (o.port <= 0 || o.port > 65535 || o.buffer == 0 || o.buffer > 64 * 1024 ||
      (o.api != "tcp" && o.api != "streams")) {
    return usage(argv[0]);
  }

  int rc = 0;
  try {
    StopSignal stop;  // before the loop starts any thread
    coio::run([&]() { return serve_until_stopped(o, stop); });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "echo server: %s\n", e.what());
    rc = 1;
  }
  return rc;
}
