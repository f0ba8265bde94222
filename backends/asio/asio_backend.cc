#include "backends/asio/asio_backend.h"

#include <poll.h>
#include <unistd.h>

#include <asio/buffer.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/error.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "backends/asio/descriptor_registry.h"
#include "backends/asio/handler_memory.h"
#include "coio/backend.h"

namespace coio {
namespace {

using internal::DescriptorRegistry;
using internal::HandlerAllocator;
using internal::HandlerMemory;
using Wait = asio::posix::descriptor_base::wait_type;

constexpr int kFileThreads = 4;
// Bounds the ready handlers one run() drains, so that completions which keep
// submitting operations that are ready at once cannot starve the timers.
constexpr int kMaxHandlersPerRun = 1024;

class AsioBackend;

enum class Kind : std::uint8_t { kDescriptor, kFile, kFailed };

// What the backend keeps in Operation::backend_area while `op` is in flight.
struct OpState {
  AsioBackend* backend;
  DescriptorRegistry::Entry* entry = nullptr;
  // One per Asio operation in flight for `op`: a poll for input and output
  // runs two waits. Pooled, because each keeps Asio's cancellation handler.
  asio::cancellation_signal* signals[2] = {};
  Kind kind = Kind::kFailed;
  bool cancel_requested = false;
  bool finished = false;   // a poll's outcome is set; its other wait must end
  std::uint8_t waits = 0;  // Asio operations of `op` still in flight
};
static_assert(sizeof(OpState) <= Operation::kBackendAreaSize);
static_assert(alignof(OpState) <= alignof(std::max_align_t));
static_assert(std::is_trivially_destructible_v<OpState>);

OpState& state(Operation& op) {
  return *std::launder(reinterpret_cast<OpState*>(op.backend_area));
}

int native_error(const asio::error_code& ec) {
  return ec.category() == asio::error::get_system_category() ? ec.value() : EIO;
}

// Returns the ready events of `fd` among `wanted` (plus errors and hang-ups,
// as poll(2) reports them), or a negated errno.
std::int64_t ready_events(int fd, std::uint32_t wanted) {
  pollfd p = {fd, 0, 0};
  if (wanted & kPollIn) p.events |= POLLIN;
  if (wanted & kPollOut) p.events |= POLLOUT;
  int n;
  do {
    n = ::poll(&p, 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  if (p.revents & POLLNVAL) return -EBADF;
  std::int64_t ready = 0;
  if (p.revents & POLLIN) ready |= kPollIn;
  if (p.revents & POLLOUT) ready |= kPollOut;
  if (p.revents & POLLERR) ready |= kPollErr;
  if (p.revents & POLLHUP) ready |= kPollHup;
  return ready;
}

class AsioBackend final : public Backend {
 public:
  AsioBackend() : io_(1), work_(io_.get_executor()), registry_(io_) {
    // Starts the reactor now, so that a failure throws here and not from
    // the first submit().
    asio::posix::stream_descriptor probe(io_);
  }

  ~AsioBackend() override {
    if (files_) files_->join();
  }

  std::string_view name() const noexcept override { return "asio"; }

  void submit(Operation& op) override {
    OpState& s = *new (op.backend_area) OpState{this};
    if (op.handle < 0 || op.handle > INT_MAX) return fail(op, EBADF);
    if (op.code != OpCode::kPoll && op.offset != Operation::kNoOffset) {
      return start_file(op);
    }
    asio::error_code ec;
    s.entry = registry_.acquire(static_cast<int>(op.handle), ec);
    if (s.entry == nullptr) return fail(op, native_error(ec));
    s.kind = Kind::kDescriptor;
    start(op);
  }

  void cancel(Operation& op) override {
    OpState& s = state(op);
    // pread/pwrite on the pool and failed submissions just complete.
    if (s.kind != Kind::kDescriptor) return;
    s.cancel_requested = true;
    // Per-operation cancellation: descriptor.cancel() would abort every
    // operation on the descriptor, including other coroutines' ones.
    for (asio::cancellation_signal* signal : s.signals) {
      if (signal != nullptr) signal->emit(asio::cancellation_type::terminal);
    }
  }

  void run(Clock::time_point deadline) override {
    const std::uint64_t before = completions_;
    woken_ = false;
    if (deadline > Clock::now()) {
      // Some handlers complete no operation (the first of a poll's two
      // waits), so one handler run is not enough to return.
      while (completions_ == before && !woken_) {
        const std::size_t ran = deadline == Clock::time_point::max()
                                    ? io_.run_one()
                                    : io_.run_one_until(deadline);
        if (ran == 0) break;
      }
    }
    for (int i = 0; i < kMaxHandlersPerRun && io_.poll_one() != 0; ++i) {
    }
  }

  void wake() override {
    if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
    asio::post(io_, [this] {
      wake_pending_.store(false, std::memory_order_release);
      woken_ = true;
    });
  }

 private:
  // Completion handler of one Asio operation started for `op`. Asio finds
  // the allocator and the cancellation slot through it.
  struct Handler {
    Operation* op;
    int which;  // index of its signal in OpState::signals

    using allocator_type = HandlerAllocator<void>;
    allocator_type get_allocator() const noexcept {
      return allocator_type(&state(*op).backend->handler_memory_);
    }
    using cancellation_slot_type = asio::cancellation_slot;
    cancellation_slot_type get_cancellation_slot() const noexcept {
      return state(*op).signals[which]->slot();
    }

    void operator()(const asio::error_code& ec, std::size_t n) const {
      state(*op).backend->on_transfer(*op, ec, n);
    }
    void operator()(const asio::error_code& ec) const {
      state(*op).backend->on_wait(*op, which, ec);
    }
  };

  // Turns an operation record into Asio operations.
  void start(Operation& op) {
    OpState& s = state(op);
    asio::posix::stream_descriptor& d = s.entry->descriptor;
    switch (op.code) {
      case OpCode::kRead:
        s.waits = 1;
        d.async_read_some(asio::buffer(op.buffer, op.length), handler(op, 0));
        return;
      case OpCode::kWrite:
        s.waits = 1;
        d.async_write_some(asio::const_buffer(op.buffer, op.length),
                           handler(op, 0));
        return;
      case OpCode::kPoll:
        s.waits =
            (op.poll_events & kPollIn) && (op.poll_events & kPollOut) ? 2 : 1;
        for (int i = 0; i < s.waits; ++i) {
          d.async_wait(wait_of(op, i), handler(op, i));
        }
        return;
    }
  }

  // The readiness wait number `which` of a poll: one each for input and
  // output, or a wait for errors only when neither is asked for.
  static Wait wait_of(const Operation& op, int which) {
    if ((op.poll_events & kPollIn) && which == 0) return Wait::wait_read;
    if (op.poll_events & kPollOut) return Wait::wait_write;
    return Wait::wait_error;
  }

  static std::int64_t woken_events(Wait wait) {
    return wait == Wait::wait_read    ? kPollIn
           : wait == Wait::wait_write ? kPollOut
                                      : 0;
  }

  Handler handler(Operation& op, int which) {
    asio::cancellation_signal*& signal = state(op).signals[which];
    if (signal == nullptr) {
      if (free_signals_.empty()) {
        signal = new asio::cancellation_signal;
      } else {
        signal = free_signals_.back().release();
        free_signals_.pop_back();
      }
    }
    return Handler{&op, which};
  }

  void on_transfer(Operation& op, const asio::error_code& ec, std::size_t n) {
    op.result = ec ? 0 : static_cast<std::int64_t>(n);
    if (!ec || ec == asio::error::eof) {
      op.error = 0;  // a read at end of file reads 0 bytes, as read(2) does
    } else if (ec == asio::error::operation_aborted &&
               state(op).cancel_requested) {
      op.error = Operation::kCancelled;
    } else {
      op.error = native_error(ec);
    }
    complete(op);
  }

  void on_wait(Operation& op, int which, const asio::error_code& ec) {
    OpState& s = state(op);
    --s.waits;
    if (!s.finished) {
      op.result = 0;
      op.error = 0;
      if (ec == asio::error::operation_aborted && s.cancel_requested) {
        op.error = Operation::kCancelled;
      } else if (ec && ec != asio::error::operation_not_supported) {
        op.error = native_error(ec);
      } else {
        // poll(2) adds errors, hang-ups and the other direction. It may
        // find nothing when another operation consumed the readiness since
        // the wake: report the woken direction then, as io_uring would.
        // Descriptors the reactor cannot watch (regular files) report
        // operation_not_supported and are always ready.
        std::int64_t ready =
            ready_events(static_cast<int>(op.handle), op.poll_events);
        if (ready == 0 && !ec) ready = woken_events(wait_of(op, which));
        if (ready < 0) {
          op.error = static_cast<int>(-ready);
        } else {
          op.result = ready;
        }
      }
      s.finished = true;
      if (s.waits > 0) {
        s.signals[which ^ 1]->emit(asio::cancellation_type::terminal);
      }
    }
    if (s.waits == 0) complete(op);
  }

  // pread/pwrite run on the pool, as Asio has no portable asynchronous file
  // I/O; the buffer stays the pool's until the completion is posted back.
  void start_file(Operation& op) {
    state(op).kind = Kind::kFile;
    if (!files_) {
      try {
        files_.emplace(kFileThreads);
      } catch (const std::system_error& e) {
        return fail(op, e.code().value());  // no threads to be had
      }
    }
    asio::post(*files_, [op = &op] {
      const int fd = static_cast<int>(op->handle);
      ssize_t n;
      do {
        n = op->code == OpCode::kRead
                ? ::pread(fd, op->buffer, op->length, op->offset)
                : ::pwrite(fd, op->buffer, op->length, op->offset);
      } while (n < 0 && errno == EINTR);
      op->error = n < 0 ? errno : 0;
      op->result = n < 0 ? 0 : n;
      asio::post(state(*op).backend->io_,
                 [op] { state(*op).backend->complete(*op); });
    });
  }

  // Completes `op` with `error` from inside run(), never from submit().
  void fail(Operation& op, int error) {
    op.result = 0;
    op.error = error;
    asio::post(io_, [op = &op] { state(*op).backend->complete(*op); });
  }

  void complete(Operation& op) {
    OpState& s = state(op);
    DescriptorRegistry::Entry* entry = s.entry;
    for (asio::cancellation_signal* signal : s.signals) {
      if (signal != nullptr) free_signals_.emplace_back(signal);
    }
    ++completions_;
    op.on_complete(op);  // `op` is the core's again
    // After on_complete, so that an operation it submits on the same
    // descriptor keeps the registration.
    if (entry != nullptr) registry_.release(*entry);
  }

  // Destroyed after io_context, whose destructor frees pending handlers.
  HandlerMemory handler_memory_;
  std::vector<std::unique_ptr<asio::cancellation_signal>> free_signals_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  DescriptorRegistry registry_;
  std::optional<asio::thread_pool> files_;  // started by the first file op
  std::atomic<bool> wake_pending_{false};
  bool woken_ = false;
  std::uint64_t completions_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_asio_backend() {
  try {
    return std::make_unique<AsioBackend>();
  } catch (const std::system_error& e) {
    throw std::system_error(
        e.code(), std::string("cannot start the asio backend: ") + e.what());
  }
}

}  // namespace coio
