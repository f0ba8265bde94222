// http/src/session.h: one libcurl multi handle driven by the loop — what a
// Client is underneath.
//
// libcurl's socket callback becomes a SocketWatch per socket, its timer
// callback one loop timer, and every event or timeout is handed back with
// curl_multi_socket_action() from the loop, never from inside a libcurl
// callback (libcurl does not allow that recursion). Finished transfers are
// collected after each action.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "coio/http/client.h"
#include "coio/internal/timer_heap.h"
#include "socket_watch.h"

namespace coio::http::internal {

class Transfer;

class Session {
 public:
  explicit Session(ClientOptions options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const ClientOptions& options() const noexcept { return options_; }

  // An easy handle with the session's callbacks set, from the pool.
  CURL* take_easy();
  // Returns an easy handle that is not in the multi handle.
  void give_back(CURL* easy) noexcept;

  // Starts a transfer; it hears finished() when it ends. Binds the session
  // to the running loop the first time. Throws Error if libcurl refuses.
  void start(Transfer& transfer);
  // Stops a running transfer at once (its connection is closed).
  void stop(Transfer& transfer) noexcept;

 private:
  static int on_socket(CURL* easy, curl_socket_t socket, int what, void* session, void* watch);
  static int on_timer(CURLM* multi, long timeout_ms, void* session);
  static int on_close_socket(void* session, curl_socket_t socket);
  static void on_ready(void* session, std::intptr_t socket, std::uint32_t events) noexcept;
  static void on_timer_fired(coio::internal::TimerNode& node) noexcept;

  // Makes `loop` the session's loop, leaving the previous one's state.
  void bind(Loop& loop);
  // Hands an event (or CURL_SOCKET_TIMEOUT) to libcurl and ends the
  // transfers it finished.
  void act(curl_socket_t socket, int events) noexcept;
  void collect_finished() noexcept;

  struct Timer : coio::internal::TimerNode {
    Session* session = nullptr;
  };

  ClientOptions options_;
  CURLM* multi_ = nullptr;
  CURLSH* share_ = nullptr;  // the cookie jar, shared by the session's requests
  Loop* loop_ = nullptr;
  Timer timer_;
  std::size_t running_ = 0;  // transfers in the multi handle
  absl::flat_hash_map<curl_socket_t, SocketWatch*> watches_;
  std::vector<CURL*> idle_easy_;
};

}  // namespace coio::http::internal
