#include "coio/internal/open_mode.h"

#include <fcntl.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace coio::internal {

namespace {

// `mode` as an error message can show it: bytes that are not printable as
// \xNN, so that a NUL does not end what() before the mode does.
std::string printable(std::string_view mode) {
  std::string out;
  for (char c : mode) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F) {
      out += c;
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
      out += escaped;
    }
  }
  return out;
}

}  // namespace

OpenMode parse_open_mode(std::string_view mode) {
  auto invalid = [&](const char* why) {
    return std::invalid_argument("coio::open_file: invalid mode '" + printable(mode) + "': " + why);
  };
  char kind = 0;
  bool plus = false, binary = false, text = false;
  for (char c : mode) {
    switch (c) {
      case 'r':
      case 'w':
      case 'a':
      case 'x':
        if (kind != 0) throw invalid("exactly one of r, w, a, x is allowed");
        kind = c;
        break;
      case '+':
        if (plus) throw invalid("'+' appears twice");
        plus = true;
        break;
      case 'b':
        if (binary) throw invalid("'b' appears twice");
        binary = true;
        break;
      case 't':
        if (text) throw invalid("'t' appears twice");
        text = true;
        break;
      default:
        throw invalid("unknown mode character");
    }
  }
  if (kind == 0) throw invalid("one of r, w, a, x is required");
  if (binary && text) throw invalid("binary and text at once");

  OpenMode m;
  m.text = !binary;
  m.append = kind == 'a';
  const int access = plus ? O_RDWR : (kind == 'r' ? O_RDONLY : O_WRONLY);
  switch (kind) {
    case 'r': m.flags = access; break;
    case 'w': m.flags = access | O_CREAT | O_TRUNC; break;
    case 'a': m.flags = access | O_CREAT | O_APPEND; break;
    case 'x': m.flags = access | O_CREAT | O_EXCL; break;
  }
  return m;
}

}  // namespace coio::internal
