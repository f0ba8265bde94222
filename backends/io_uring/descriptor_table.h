// backends/io_uring/descriptor_table.h: the state the backend keeps per
// socket for its multishot requests (stream_receiver.h, acceptor.h), found by
// descriptor number.
//
// Descriptor numbers are small and dense (the lowest free one is always
// taken), so the table is a vector indexed by them. An entry leaves the
// table when its descriptor is forgotten; it may outlive that while the
// kernel still holds its request, and its owner frees it then.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace coio::internal {

template <class Entry>  // with an `int fd` member
class DescriptorTable {
 public:
  DescriptorTable() = default;
  DescriptorTable(const DescriptorTable&) = delete;
  DescriptorTable& operator=(const DescriptorTable&) = delete;
  ~DescriptorTable() {
    for (Entry* entry : entries_) delete entry;
  }

  // The entry of `fd`, or null.
  Entry* find(std::intptr_t fd) const noexcept {
    const auto index = static_cast<std::size_t>(fd);
    return fd >= 0 && index < entries_.size() ? entries_[index] : nullptr;
  }

  // The entry of `fd`, made (with its fd set) if it had none.
  Entry& get(int fd) {
    const auto index = static_cast<std::size_t>(fd);
    if (index >= entries_.size()) entries_.resize(std::max(index + 1, entries_.size() * 2), nullptr);
    Entry*& entry = entries_[index];
    if (entry == nullptr) {
      entry = new Entry;
      entry->fd = fd;
    }
    return *entry;
  }

  // Takes `fd`'s entry out of the table: the caller owns it now. Null if
  // there was none.
  Entry* release(std::intptr_t fd) noexcept {
    return find(fd) != nullptr ? std::exchange(entries_[static_cast<std::size_t>(fd)], nullptr) : nullptr;
  }

  template <class Visit>
  void for_each(Visit visit) const {
    for (Entry* entry : entries_) {
      if (entry != nullptr) visit(*entry);
    }
  }

 private:
  std::vector<Entry*> entries_;
};

}  // namespace coio::internal
