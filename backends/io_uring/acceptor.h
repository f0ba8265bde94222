// backends/io_uring/acceptor.h: kAccept on listening sockets through one
// multishot accept per socket.
//
// A one-shot accept costs a submission, a file lookup and, when no
// connection waits, a failed attempt and a poll to arm, every time. A
// multishot accept (Linux 5.19) stays armed between the caller's kAccept
// operations: each connection goes to the kAccept waiting for it, or is kept
// for the next one. Each kAccept still completes exactly once, with a
// connection or an error, or cancelled.
//
// What it keeps sound:
// - A cancelled kAccept takes no connection. When no kAccept waits any
//   more, the multishot accept is stopped, and the cancelled one completes
//   only once it has ended, so later connections stay in the kernel.
// - Connections taken from the kernel are never lost: they wait in order
//   for the next kAccept, and are closed when the socket is forgotten.
// - Flow control: once kQueueBound connections wait with no kAccept for
//   them, the multishot accept is stopped, so a server that stops accepting
//   leaves connections in the kernel's backlog as before.
// - A multishot accept cannot return peer addresses: a kAccept that asks for
//   one gets it from getpeername(2) on the new socket.
// - An error ends the multishot accept and goes to the first kAccept
//   waiting; the next kAccept starts a new one (EMFILE, say, clears when
//   descriptors are closed). A kernel without multishot accept (EINVAL)
//   turns the waiting kAccepts, and every later one, into one-shot accepts.
// - The kernel reads RLIMIT_NOFILE when an accept is submitted: an armed
//   multishot accept keeps the limit of its start until it is re-armed.
#pragma once

#include <liburing.h>

#include <cstdint>
#include <deque>
#include <vector>

#include "backends/io_uring/descriptor_table.h"
#include "coio/backend.h"

namespace coio::internal {

// What the acceptor needs from the backend.
class AcceptorHost {
 public:
  virtual io_uring_sqe* get_sqe() = 0;
  // Completes kAccept `op` now (from inside run()) with res, a descriptor
  // or -errno; `peer_length` is the size of the address put in op.address.
  virtual void finish_accept(Operation& op, int res, std::uint32_t peer_length) noexcept = 0;
  // The same, at the next run().
  virtual void finish_accept_later(Operation& op, int res, std::uint32_t peer_length) = 0;
  // `op` goes the one-shot way after all.
  virtual void submit_one_shot(Operation& op) = 0;

 protected:
  ~AcceptorHost() = default;
};

class Acceptor {
 public:
  // Connections kept with no kAccept waiting before the multishot stops.
  static constexpr std::size_t kQueueBound = 8;

  // Tags in a completion's user_data: the acceptor's requests carry a
  // pointer with 2 in its low bits (Operation pointers have them clear).
  static bool owns(std::uint64_t user_data) noexcept { return (user_data & 3) == 2 && user_data != 2; }

  Acceptor(io_uring& ring, AcceptorHost& host) noexcept : ring_(ring), host_(host) {}
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;
  ~Acceptor();

  void enable() noexcept { enabled_ = true; }
  bool enabled() const noexcept { return enabled_; }

  // Takes a kAccept on a listening socket.
  void start(Operation& op);
  // Cancels `op` if it waits here; false if it is not the acceptor's.
  bool cancel(Operation& op);
  // A completion of one of the acceptor's multishot accepts.
  void on_completion(std::uint64_t user_data, int res, std::uint32_t flags);
  // The descriptor is about to be closed: closes the connections kept for
  // it, cancels its waiting kAccepts and stops its multishot accept.
  void forget(std::intptr_t fd);
  // True while some multishot accept may still take connections.
  bool armed() const noexcept { return armed_count_ > 0; }
  // Asks the kernel to stop every multishot accept (the backend is going).
  void stop_all();

 private:
  struct Listener {
    int fd = -1;
    std::deque<Operation*> waiting;
    // Cancelled while the multishot accept was being stopped: they complete
    // when it has ended.
    std::vector<Operation*> cancelled;
    std::deque<int> kept;  // accepted connections, oldest first
    bool armed = false;
    bool stopping = false;
    bool orphaned = false;  // forgotten: freed when the kernel lets go
  };

  void arm(Listener& l);
  void stop(Listener& l);
  void hand_over(Operation& op, int connection, bool now);
  void close_kept(Listener& l) noexcept;

  io_uring& ring_;
  AcceptorHost& host_;
  bool enabled_ = false;
  bool proven_ = false;  // a multishot accept has taken a connection
  DescriptorTable<Listener> listeners_;
  unsigned armed_count_ = 0;
};

}  // namespace coio::internal
