// Connection churn against an echo server: each of --threads blocking
// threads connects to 127.0.0.1:--port, sends 64 bytes, reads them back and
// closes (with a reset, so the client's side leaves no TIME_WAIT behind),
// for --seconds. Prints one JSON line with the connections per second.
//
//   churn_client --port N [--threads 16] [--seconds 5]
//
// What it loads is a server's accept path: one connection per exchange.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

struct Options {
  int port = 0;
  int threads = 16;
  double seconds = 5;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--port") == 0) {
      options.port = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--threads") == 0) {
      options.threads = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--seconds") == 0) {
      options.seconds = std::atof(argv[i + 1]);
    }
  }
  if (options.port <= 0 || options.threads <= 0 || options.seconds <= 0) {
    std::fprintf(stderr, "usage: churn_client --port N [--threads 16] [--seconds 5]\n");
    std::exit(2);
  }
  return options;
}

// One connection's exchange; false if any step failed.
bool exchange(const sockaddr_in& server) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const linger reset_on_close{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset_on_close, sizeof reset_on_close);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) == 0;
  char buffer[64] = {'c'};
  ok = ok && ::send(fd, buffer, sizeof buffer, MSG_NOSIGNAL) == sizeof buffer;
  std::size_t got = 0;
  while (ok && got < sizeof buffer) {
    const ssize_t n = ::recv(fd, buffer + got, sizeof buffer - got, 0);
    if (n <= 0) ok = false;
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(static_cast<std::uint16_t>(options.port));
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  std::atomic<bool> stop{false};
  std::atomic<long> done{0};
  std::atomic<long> failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < options.threads; ++i) {
    threads.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) (exchange(server) ? done : failed).fetch_add(1);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds));
  stop = true;
  for (std::thread& thread : threads) thread.join();
  std::printf("{\"connections_per_s\": %.0f, \"connections\": %ld, \"failed\": %ld}\n",
              static_cast<double>(done) / options.seconds, done.load(), failed.load());
  return failed > 0 ? 1 : 0;
}
