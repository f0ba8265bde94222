// backends/asio/descriptor_registry.h: one Asio descriptor object per file
// descriptor in use.
//
// Asio registers a descriptor with its reactor when the object is assigned,
// so a second object on the same file descriptor fails (EEXIST from epoll).
// Operations on one descriptor therefore share one object, counted here. The
// last operation to complete gives the descriptor back as it was found:
// deregistered, its blocking mode restored, not closed (the caller owns it,
// and closes it with kClose or by itself). Not registering for good keeps a
// closed-and-reused descriptor number from inheriting a stale reactor
// registration.
//
// The exception is a stream socket the core reads with `stream_socket`
// kRecv operations (backend.h): the core closes it only with kClose or
// after forget(), so its registration may outlive its operations. A stream
// whose reader is always waiting (StreamReader) then pays no fcntl and
// epoll_ctl pair per wait.
#pragma once

#include <asio/error_code.hpp>
#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <memory>
#include <vector>

namespace coio::internal {

class DescriptorRegistry {
 public:
  struct Entry {
    explicit Entry(asio::io_context& io) : descriptor(io) {}

    asio::posix::stream_descriptor descriptor;
    int operations = 0;
    bool was_blocking = false;
    // Stays registered when its last operation completes (keep_registered).
    bool lingers = false;
    // Set by close() while operations were in flight: the number may already
    // name another file, so they must not touch it again.
    bool closed = false;
  };

  explicit DescriptorRegistry(asio::io_context& io) : io_(io) {}
  DescriptorRegistry(const DescriptorRegistry&) = delete;
  DescriptorRegistry& operator=(const DescriptorRegistry&) = delete;
  ~DescriptorRegistry();

  // Returns the entry of `fd` with one more operation counted on it,
  // registering `fd` with the reactor if it has none. Returns nullptr and
  // sets `ec` (a system error) when `fd` cannot be registered.
  Entry* acquire(int fd, asio::error_code& ec);

  // Uncounts one operation on `entry`; the last one gives the descriptor back,
  // unless it is to stay registered.
  void release(Entry& entry);

  // Keeps `entry` registered between operations, until close() or forget()
  // (a descriptor that was non-blocking already, so none is restored).
  void keep_registered(Entry& entry);

  // The caller is about to close `fd` itself, with no operation in flight:
  // drops a registration kept for it.
  void forget(int fd);

  // Closes `fd`. Operations in flight on it are aborted first (Asio completes
  // them with operation_aborted) and their entry is retired, so that the
  // number's next user gets a registration of its own. Returns 0 or an errno.
  int close(int fd);

 private:
  asio::io_context& io_;
  // Indexed by descriptor. Entries outlive their registrations: Asio's
  // cancellation handlers point into them, and reuse avoids allocation.
  std::vector<std::unique_ptr<Entry>> entries_;
  // Entries close() took away while operations were in flight, kept until
  // the last of them completes; then spare, for acquire() to reuse.
  std::vector<std::unique_ptr<Entry>> closed_;
  std::vector<std::unique_ptr<Entry>> spare_;
};

}  // namespace coio::internal
