#include "backends/asio/descriptor_registry.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <utility>

namespace coio::internal {

DescriptorRegistry::~DescriptorRegistry() {
  for (auto& entry : entries_) {
    if (entry != nullptr && entry->descriptor.is_open()) {
      entry->descriptor.release();
    }
  }
}

DescriptorRegistry::Entry* DescriptorRegistry::acquire(int fd,
                                                       asio::error_code& ec) {
  const auto index = static_cast<std::size_t>(fd);
  if (fd >= 0 && index < entries_.size() && entries_[index] != nullptr &&
      (entries_[index]->operations > 0 || entries_[index]->lingers)) {
    ++entries_[index]->operations;
    return entries_[index].get();
  }

  // Validates fd before the table grows to its size, and learns the blocking
  // mode to restore: Asio sets O_NONBLOCK before its first operation.
  const int flags = fd < 0 ? -1 : ::fcntl(fd, F_GETFL);
  if (flags < 0) {
    ec.assign(fd < 0 ? EBADF : errno, asio::error::get_system_category());
    return nullptr;
  }
  if (index >= entries_.size()) entries_.resize(index + 1);
  std::unique_ptr<Entry>& entry = entries_[index];
  if (entry == nullptr && !spare_.empty()) {
    entry = std::move(spare_.back());
    spare_.pop_back();
  }
  if (entry == nullptr) entry = std::make_unique<Entry>(io_);
  entry->descriptor.assign(fd, ec);
  if (ec) return nullptr;
  entry->was_blocking = (flags & O_NONBLOCK) == 0;
  entry->lingers = false;
  entry->operations = 1;
  return entry.get();
}

void DescriptorRegistry::keep_registered(Entry& entry) {
  if (!entry.was_blocking) entry.lingers = true;
}

void DescriptorRegistry::forget(int fd) {
  const auto index = static_cast<std::size_t>(fd);
  if (fd < 0 || index >= entries_.size() || entries_[index] == nullptr) return;
  Entry& entry = *entries_[index];
  if (entry.lingers && entry.operations == 0) entry.descriptor.release();
  entry.lingers = false;
}

void DescriptorRegistry::release(Entry& entry) {
  if (--entry.operations > 0) return;
  if (entry.closed) {
    const auto it = std::find_if(
        closed_.begin(), closed_.end(),
        [&](const auto& closed) { return closed.get() == &entry; });
    entry.closed = false;
    spare_.push_back(std::move(*it));
    closed_.erase(it);
    return;
  }
  if (entry.lingers) return;
  if (entry.was_blocking && entry.descriptor.native_non_blocking()) {
    asio::error_code ignored;
    entry.descriptor.native_non_blocking(false, ignored);
  }
  entry.descriptor.release();
}

int DescriptorRegistry::close(int fd) {
  const auto index = static_cast<std::size_t>(fd);
  if (fd >= 0 && index < entries_.size() && entries_[index] != nullptr &&
      entries_[index]->operations > 0) {
    Entry& entry = *entries_[index];
    // release(), not close(): Asio would close fd itself, and report its own
    // error. release() takes fd out of the reactor and aborts what waits.
    entry.descriptor.release();
    entry.lingers = false;
    entry.closed = true;
    closed_.push_back(std::move(entries_[index]));
  } else {
    forget(fd);
  }
  // Linux frees the number even when close(2) reports EINTR, so, as CPython
  // does, that is no error: closing again could close a number another
  // thread has just been given.
  if (::close(fd) != 0 && errno != EINTR) return errno;
  return 0;
}

}  // namespace coio::internal
