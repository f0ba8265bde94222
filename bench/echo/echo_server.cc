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
// SIGTERM or SIGINT cancels the main task: the listener closes, the
// connection tasks are cancelled, and the process exits 0.
#include <pthread.h>
#include <signal.h>

#include <atomic>
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
#include <thread>

#include "coio/coio.h"

namespace {

struct Options {
  int port = 0;
  std::string api = "tcp";
  std::size_t buffer = 4096;
  int backlog = 1024;
  bool probe = false;
};

// A connection that ends with an error (reset by the client at the end of a
// run) is just over.
bool is_connection_error(const std::system_error& e) { return e.code().category() == std::system_category(); }

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

// Turns SIGTERM and SIGINT into a cancel of the main task, on the loop's
// thread: the signals are blocked everywhere and taken by one thread with
// sigwait, which hands the cancel over with call_soon_threadsafe.
class SignalWatcher {
 public:
  // `main` is only touched on the loop's thread (a handle's count is not
  // atomic), and outlives the loop's run.
  SignalWatcher(coio::Loop& loop, const coio::TaskHandle<void>* main) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    thread_ = std::thread([this, &loop, main] {
      int sig = 0;
      while (sigwait(&set_, &sig) != 0) {
      }
      if (stopping_.load()) return;
      loop.call_soon_threadsafe([main] { main->cancel(); });
    });
  }
  // Ends the thread (a signal to itself if none came) before the loop goes.
  ~SignalWatcher() {
    stopping_.store(true);
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
  }
  // Blocks the signals for this thread and the ones it starts.
  static void block() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }

 private:
  sigset_t set_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

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

  SignalWatcher::block();
  int rc = 0;
  try {
    // coio::run, spelled out so that the signal thread can name the loop
    // and is joined before the loop is destroyed.
    coio::Loop loop;
    coio::TaskHandle<void> main_task = coio::create_task(serve(o), "main");
    {
      SignalWatcher watcher(loop, &main_task);
      loop.run_until_done(*main_task.promise());
    }
    loop.cancel_all_and_drain();
    if (!main_task.cancelled()) main_task.result();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "echo server: %s\n", e.what());
    rc = 1;
  }
  return rc;
}
