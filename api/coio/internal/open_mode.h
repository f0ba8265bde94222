// coio/internal/open_mode.h: Python's file modes ("r", "w+", "ab"...) as
// open(2) flags.
#pragma once

#include <string_view>

namespace coio::internal {

struct OpenMode {
  int flags = 0;        // O_RDONLY / O_WRONLY / O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_EXCL
  bool append = false;  // writes go to the end
  bool text = true;     // no "b": lines() turns "\r\n" into "\n"
};

// Throws std::invalid_argument naming `mode` when Python would refuse it.
OpenMode parse_open_mode(std::string_view mode);

}  // namespace coio::internal
