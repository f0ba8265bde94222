#include "backends/io_uring/acceptor.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace coio::internal {
namespace {

std::uint64_t tag(const void* listener) noexcept { return reinterpret_cast<std::uintptr_t>(listener) | 2; }

}  // namespace

Acceptor::~Acceptor() {
  listeners_.for_each([this](Listener& l) { close_kept(l); });
}

void Acceptor::start(Operation& op) {
  Listener& l = listeners_.get(static_cast<int>(op.handle));
  if (!l.kept.empty()) {
    const int connection = l.kept.front();
    l.kept.pop_front();
    hand_over(op, connection, /*now=*/false);
    return;
  }
  l.waiting.push_back(&op);
  if (!l.armed) arm(l);
}

bool Acceptor::cancel(Operation& op) {
  Listener* l = listeners_.find(op.handle);
  if (l == nullptr) return false;
  const auto it = std::find(l->waiting.begin(), l->waiting.end(), &op);
  if (it == l->waiting.end()) return false;
  l->waiting.erase(it);
  if (l->waiting.empty() && l->armed) {
    // Completes when the multishot accept has ended, so that it takes no
    // connection after the cancel.
    l->cancelled.push_back(&op);
    stop(*l);
  } else {
    host_.finish_accept_later(op, -ECANCELED, 0);
  }
  return true;
}

void Acceptor::arm(Listener& l) {
  io_uring_sqe* sqe = host_.get_sqe();
  io_uring_prep_multishot_accept(sqe, l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  io_uring_sqe_set_data64(sqe, tag(&l));
  l.armed = true;
  l.stopping = false;
  ++armed_count_;
}

void Acceptor::stop(Listener& l) {
  if (!l.armed || l.stopping) return;
  io_uring_sqe* sqe = host_.get_sqe();
  io_uring_prep_cancel64(sqe, tag(&l), 0);
  io_uring_sqe_set_data64(sqe, 1);  // the backend's tag for cancels
  l.stopping = true;
}

void Acceptor::hand_over(Operation& op, int connection, bool now) {
  // The multishot accept could not store the peer's address: ask the socket.
  std::uint32_t peer_length = 0;
  if (op.address != nullptr) {
    socklen_t length = op.address_length;
    // Fails (ENOTCONN) only when the peer has already reset the connection:
    // the address is then reported empty and the error comes with the
    // first transfer, as it does after a one-shot accept.
    if (::getpeername(connection, static_cast<sockaddr*>(op.address), &length) == 0) peer_length = length;
  }
  if (now) {
    host_.finish_accept(op, connection, peer_length);
  } else {
    host_.finish_accept_later(op, connection, peer_length);
  }
}

void Acceptor::on_completion(std::uint64_t user_data, int res, std::uint32_t flags) {
  Listener& l = *reinterpret_cast<Listener*>(user_data & ~std::uint64_t{3});
  const bool more = (flags & IORING_CQE_F_MORE) != 0;
  const bool stopped = l.stopping;
  if (!more) {
    l.armed = false;
    l.stopping = false;
    --armed_count_;
  }
  if (l.orphaned) {
    if (res >= 0) ::close(res);
    if (!more) delete &l;
    return;
  }
  if (res >= 0) {
    if (!l.waiting.empty()) {
      Operation& op = *l.waiting.front();
      l.waiting.pop_front();
      hand_over(op, res, /*now=*/true);
    } else {
      l.kept.push_back(res);
      // Nobody accepts: leave further connections in the kernel's backlog.
      if (l.kept.size() >= kQueueBound) stop(l);
    }
  } else if (res == -ECANCELED && stopped) {
    // Stopped by stop(): nothing to report.
  } else if (res == -EINVAL && !proven_) {
    // No multishot accept in this kernel (before 5.19): one-shot from now on.
    enabled_ = false;
    while (!l.waiting.empty()) {
      Operation& op = *l.waiting.front();
      l.waiting.pop_front();
      host_.submit_one_shot(op);
    }
  } else if (!l.waiting.empty()) {
    // EMFILE, ENFILE, ENOMEM...: the first kAccept waiting reports it.
    Operation& op = *l.waiting.front();
    l.waiting.pop_front();
    host_.finish_accept(op, res, 0);
  }
  if (res >= 0) proven_ = true;
  if (l.armed) return;
  for (Operation* op : std::exchange(l.cancelled, {})) host_.finish_accept(*op, -ECANCELED, 0);
  if (!l.waiting.empty() && enabled_) arm(l);
}

void Acceptor::forget(std::intptr_t fd) {
  Listener* l = listeners_.release(fd);
  if (l == nullptr) return;
  close_kept(*l);
  for (Operation* op : l->waiting) host_.finish_accept_later(*op, -ECANCELED, 0);
  for (Operation* op : l->cancelled) host_.finish_accept_later(*op, -ECANCELED, 0);
  l->waiting.clear();
  l->cancelled.clear();
  if (!l->armed) {
    delete l;
    return;
  }
  stop(*l);
  l->orphaned = true;
}

void Acceptor::close_kept(Listener& l) noexcept {
  for (const int connection : l.kept) ::close(connection);
  l.kept.clear();
}

void Acceptor::stop_all() {
  listeners_.for_each([this](Listener& l) { stop(l); });
}

}  // namespace coio::internal
