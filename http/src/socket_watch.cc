#include "socket_watch.h"

#include "coio/internal/detached_close.h"
#include "coio/internal/os.h"
#include "coio/loop.h"

namespace coio::http::internal {

SocketWatch* SocketWatch::create(Loop& loop, std::intptr_t socket, Ready ready, void* context) {
  return new SocketWatch(loop, socket, ready, context);
}

SocketWatch::SocketWatch(Loop& loop, std::intptr_t socket, Ready ready, void* context) noexcept
    : loop_(&loop), socket_(socket), ready_(ready), context_(context) {
  code = OpCode::kPoll;
  handle = socket;
  on_complete = &SocketWatch::completed;
}

void SocketWatch::want(std::uint32_t events) noexcept {
  if (end_ != End::kNone) return;
  wanted_ = events;
  settle();
}

void SocketWatch::close() noexcept {
  end_ = End::kClose;
  wanted_ = 0;
  settle();
}

void SocketWatch::release() noexcept {
  end_ = End::kRelease;
  wanted_ = 0;
  settle();
}

void SocketWatch::completed(Operation& op) noexcept {
  auto* self = static_cast<SocketWatch*>(&op);
  self->loop_->operation_returned();
  self->in_flight_ = false;
  self->cancel_sent_ = false;
  std::uint32_t events = 0;
  if (op.error == 0) {
    events = static_cast<std::uint32_t>(op.result);
  } else if (op.error != Operation::kCancelled) {
    events = kPollErr;  // e.g. the socket is no longer pollable: let the owner find out
  }
  constexpr std::uint32_t kAlways = kPollErr | kPollHup;
  if (self->end_ == End::kNone && (events & (self->wanted_ | kAlways)) != 0) {
    self->dispatching_ = true;
    self->ready_(self->context_, self->socket_, events);
    self->dispatching_ = false;
  }
  self->settle();
}

void SocketWatch::settle() noexcept {
  if (dispatching_) return;  // completed() settles once the callback is done
  if (in_flight_) {
    if (poll_events != wanted_ && !cancel_sent_) {
      cancel_sent_ = true;
      loop_->cancel(*this);
    }
    return;
  }
  if (end_ != End::kNone) {
    if (end_ == End::kClose) {
      if (Loop::current_or_null() == loop_) {
        coio::internal::close_detached(socket_);
      } else {
        coio::internal::os::close_socket(socket_);
      }
    }
    delete this;
    return;
  }
  if (wanted_ == 0) return;
  poll_events = wanted_;
  result = 0;
  error = 0;
  in_flight_ = true;
  try {
    loop_->submit(*this);
  } catch (...) {
    // The backend could not take it (out of memory): the socket goes
    // unwatched and its transfer ends at its timeout. Reporting an error
    // from here could re-enter the library that called want().
    loop_->operation_returned();
    in_flight_ = false;
  }
}

}  // namespace coio::http::internal
