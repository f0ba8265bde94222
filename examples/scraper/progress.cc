#include "progress.h"

#include <cstdio>

#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

namespace {

bool stderr_is_a_terminal() {
#ifdef _WIN32
  return _isatty(_fileno(stderr)) != 0;
#else
  return isatty(STDERR_FILENO) == 1;
#endif
}

using namespace std::chrono_literals;

// 1536 -> "1.5 KiB"
void format_bytes(char* out, std::size_t size, double bytes) {
  const char* unit = "B";
  if (bytes >= 1024 * 1024) {
    bytes /= 1024 * 1024;
    unit = "MiB";
  } else if (bytes >= 1024) {
    bytes /= 1024;
    unit = "KiB";
  }
  std::snprintf(out, size, unit[0] == 'B' ? "%.0f %s" : "%.1f %s", bytes, unit);
}

}  // namespace

Progress::Progress(std::size_t total) : total_(total), tty_(stderr_is_a_terminal()) {}

void Progress::start() {
  start_ = last_plain_line_ = Clock::now();
  if (tty_) redrawing_ = coio::create_task(keep_redrawing(), "progress");
}

void Progress::page_done(std::size_t bytes) {
  ++done_;
  bytes_ += bytes;
  if (tty_) {
    draw(false);
  } else if (Clock::now() - last_plain_line_ >= 1s && done_ < total_) {
    draw(false);
  }
}

coio::Task<void> Progress::finish() {
  if (redrawing_.valid()) {
    redrawing_.cancel();
    try {
      co_await redrawing_;
    } catch (const coio::CancelledError&) {
    }
  }
  draw(true);
}

coio::Task<void> Progress::keep_redrawing() {
  for (;;) {
    co_await coio::sleep(100ms);
    draw(false);
  }
}

void Progress::draw(bool final) {
  const auto now = Clock::now();
  const double seconds = std::chrono::duration<double>(now - start_).count();
  char bytes[32], rate[32];
  format_bytes(bytes, sizeof bytes, static_cast<double>(bytes_));
  format_bytes(rate, sizeof rate, seconds > 0 ? bytes_ / seconds : 0);
  // "\033[K" clears what a longer line before left at the end.
  std::fprintf(stderr, "%spages %zu/%zu  %s  %s/s  %.1f s%s", tty_ ? "\r" : "", done_, total_, bytes, rate, seconds,
               tty_ ? (final ? "\033[K\n" : "\033[K") : "\n");
  std::fflush(stderr);
  last_plain_line_ = now;
}
