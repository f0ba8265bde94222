// Server: the accept loops and the client tasks of start_server().

#include <cstdio>
#include <memory>
#include <vector>

#include "coio/errors.h"
#include "coio/resolve.h"
#include "coio/sleep.h"
#include "coio/streams.h"
#include "coio/task_handle.h"
#include "coio/wait.h"

namespace coio {
namespace internal {

struct ServerState {
  std::shared_ptr<const ClientHandler> handler;
  std::size_t limit = StreamReader::kDefaultLimit;
  std::vector<TcpListener> listeners;
  std::vector<SocketAddress> addresses;  // of the listeners, kept after they close
  std::vector<TaskHandle<void>> accept_loops;
  std::vector<TaskHandle<void>> clients;  // done ones are pruned as new ones come
  std::size_t prune_at = 64;
  bool closed = false;
  WaitList closed_waiters;

  void spawn_client(TcpStream stream);
};

namespace {

// Runs one client's handler. Its failure is reported here, once: no one
// awaits the task.
Task<void> serve_client(std::shared_ptr<const ClientHandler> handler, TcpStream stream, std::size_t limit) {
  std::string peer;
  try {
    peer = stream.peername().to_string();
  } catch (const std::system_error&) {
    peer = "(a client that left)";
  }
  auto [reader, writer] = make_streams(std::move(stream), limit);
  try {
    co_await (*handler)(std::move(reader), std::move(writer));
  } catch (const CancelledError&) {
    throw;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "coio: the client handler for %s failed: %s\n", peer.c_str(), e.what());
  } catch (...) {
    std::fprintf(stderr, "coio: the client handler for %s failed with a non-standard exception\n", peer.c_str());
  }
}

// Accepts until the server closes, then closes the listener. The state is
// held by a local, not a parameter, so that it is let go when the loop ends
// (the state holds this task's handle).
Task<void> accept_clients(std::shared_ptr<ServerState> state_param, std::size_t index) {
  std::shared_ptr<ServerState> state = std::move(state_param);
  TcpListener& listener = state->listeners[index];
  while (!state->closed) {
    TcpStream stream;
    bool retry_later = false;
    try {
      stream = co_await listener.accept();
    } catch (const CancelledError&) {
      break;
    } catch (const std::system_error& e) {
      if (state->closed || e.code() == std::errc::operation_canceled) break;
      // Out of descriptors or memory: asyncio's answer, wait and go on.
      std::fprintf(stderr, "coio: accept on %s failed: %s; retrying in 1 s\n",
                   state->addresses[index].to_string().c_str(), e.what());
      retry_later = true;
    }
    if (retry_later) {
      try {
        co_await sleep(std::chrono::seconds(1));
      } catch (const CancelledError&) {
        break;
      }
      continue;
    }
    if (state->closed) break;  // accepted as the server closed: let it go
    state->spawn_client(std::move(stream));
  }
  co_await listener.close();
}

}  // namespace

void ServerState::spawn_client(TcpStream stream) {
  clients.push_back(create_task(serve_client(handler, std::move(stream), limit)));
  if (clients.size() >= prune_at) {
    std::erase_if(clients, [](const TaskHandle<void>& t) { return t.done(); });
    prune_at = std::max<std::size_t>(64, clients.size() * 2);
  }
}

}  // namespace internal

Task<Server> start_listening(ClientHandler handler, std::vector<TcpListener> listeners, ServerOptions options) {
  auto state = std::make_shared<internal::ServerState>();
  state->handler = std::make_shared<const ClientHandler>(std::move(handler));
  state->limit = options.limit;
  state->listeners = std::move(listeners);
  for (const TcpListener& l : state->listeners) state->addresses.push_back(l.sockname());
  for (std::size_t i = 0; i < state->listeners.size(); ++i) {
    TaskHandle<void> loop = create_task(internal::accept_clients(state, i));
    // The state lets go of a loop once it ends. A loop cancelled before its
    // first step (a server closed at once) never moves the state out of its
    // parameter, and the frame and the state would keep each other alive.
    loop.add_done_callback([weak = std::weak_ptr<internal::ServerState>(state), i] {
      if (auto s = weak.lock()) s->accept_loops[i] = TaskHandle<void>();
    });
    state->accept_loops.push_back(std::move(loop));
  }
  co_return Server(std::move(state));
}

Task<Server> start_server(ClientHandler handler, std::string host, std::uint16_t port, ServerOptions options) {
  std::vector<SocketAddress> addresses = co_await resolve(host, port);
  std::vector<TcpListener> listeners;
  for (SocketAddress& address : addresses) {
    // Every address on the same port: the one the first listener got.
    if (port == 0 && !listeners.empty()) address = SocketAddress::parse(address.host(), listeners.front().port());
    listeners.push_back(TcpListener::bind(address, options.listen));
  }
  co_return co_await start_listening(std::move(handler), std::move(listeners), options);
}

Task<Server> start_unix_server(ClientHandler handler, std::string path, ServerOptions options) {
  std::vector<TcpListener> listeners;
  listeners.push_back(TcpListener::bind_unix(path, options.listen));
  return start_listening(std::move(handler), std::move(listeners), options);
}

std::uint16_t Server::port() const {
  if (!state_ || state_->addresses.empty()) throw InvalidStateError("coio::Server::port: the server has no socket");
  return state_->addresses.front().port();
}

std::vector<SocketAddress> Server::sockets() const { return state_ ? state_->addresses : std::vector<SocketAddress>{}; }

bool Server::is_serving() const { return state_ && !state_->closed; }

void Server::close() {
  if (!state_ || state_->closed) return;
  state_->closed = true;
  // Stop listening now, as asyncio does: a connect after close() is refused
  // instead of landing in a backlog no accept loop will serve (and being
  // reset when the loop closes the listener). The listeners are closed as
  // the accept loops end.
  for (TcpListener& listener : state_->listeners) listener.stop_listening();
  for (const auto& loop : state_->accept_loops) {
    if (loop.valid()) loop.cancel();
  }
  for (const auto& client : state_->clients) client.cancel();
  state_->closed_waiters.wake_all();
}

Task<void> Server::wait_closed() {
  std::shared_ptr<internal::ServerState> state = state_;
  if (!state) co_return;
  while (!state->closed) co_await state->closed_waiters.wait();
  std::vector<TaskHandle<void>> tasks;
  for (const auto& loop : state->accept_loops) {
    if (loop.valid()) tasks.push_back(loop);
  }
  tasks.insert(tasks.end(), state->clients.begin(), state->clients.end());
  if (!tasks.empty()) co_await wait(std::move(tasks));
  // A loop cancelled before its first step left its listener open (and a
  // Unix socket's file in place).
  for (TcpListener& listener : state->listeners) {
    if (listener.is_open()) co_await listener.close();
  }
}

Task<void> Server::serve_forever() {
  std::shared_ptr<internal::ServerState> state = state_;
  if (!state) co_return;
  try {
    while (!state->closed) co_await state->closed_waiters.wait();
  } catch (const CancelledError&) {
    Server(state).close();
    throw;
  }
}

}  // namespace coio
