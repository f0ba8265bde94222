#include "coio/internal/open_mode.h"

#include <fcntl.h>

#include <stdexcept>
#include <string>

namespace coio::internal {

OpenMode parse_open_mode(std::string_view mode) {
  auto invalid = [&](const char* why) {
    return std::invalid_argument("coio::open_file: invalid mode '" + std::string(mode) + "': " + why);
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
