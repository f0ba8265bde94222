// http/src/socket_watch.h: keeps one readiness poll in flight on a socket
// that a library (libcurl) owns, for as long as the library wants events.
//
// The backend's kPoll is one-shot, so a watch re-arms it after each event
// and swaps it (cancel, then re-submit when the cancel comes back) when the
// wanted events change. Closing goes through the watch: the socket is closed
// only once no poll on it is in flight, so its descriptor number cannot be
// reused under a poll that still refers to it.
#pragma once

#include <cstdint>

#include "coio/backend.h"

namespace coio {
class Loop;
}

namespace coio::http::internal {

class SocketWatch : Operation {
 public:
  // Called on the loop's thread with the ready events (kPollIn, kPollOut,
  // kPollErr, kPollHup); it may call want() and close() on this watch.
  using Ready = void (*)(void* context, std::intptr_t socket, std::uint32_t events) noexcept;

  // A watch on `socket` in `loop`, wanting nothing yet. Owned by itself: it
  // is gone once close() or release() has taken effect.
  static SocketWatch* create(Loop& loop, std::intptr_t socket, Ready ready, void* context);

  // Polls for `events` (kPollIn | kPollOut); 0 stops polling.
  void want(std::uint32_t events) noexcept;
  // Stops polling, closes the socket and frees the watch.
  void close() noexcept;
  // Stops polling and frees the watch; the socket stays open (its owner
  // closes it). No more Ready calls.
  void release() noexcept;

 private:
  SocketWatch(Loop& loop, std::intptr_t socket, Ready ready, void* context) noexcept;
  static void completed(Operation& op) noexcept;
  // Brings the poll in flight in line with what is wanted, or finishes a
  // close or release once nothing is in flight.
  void settle() noexcept;

  Loop* loop_;
  std::intptr_t socket_;
  Ready ready_;
  void* context_;
  std::uint32_t wanted_ = 0;
  bool in_flight_ = false;
  bool cancel_sent_ = false;
  bool dispatching_ = false;
  enum class End : std::uint8_t { kNone, kClose, kRelease } end_ = End::kNone;
};

}  // namespace coio::http::internal
