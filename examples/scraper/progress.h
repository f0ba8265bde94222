// The scraper's progress line on stderr: pages done out of the total, bytes
// so far and the rate. On a terminal it is one line redrawn in place (also
// between pages, so that the rate stays live); into a file or a pipe, where
// "\r" would only make a mess, a plain line now and then and one at the end.
#pragma once

#include <chrono>
#include <cstddef>

#include "coio/coio.h"

class Progress {
 public:
  explicit Progress(std::size_t total);

  // Starts the clock (and, on a terminal, the redrawing).
  void start();
  void page_done(std::size_t bytes);
  // Draws the final state and stops redrawing.
  coio::Task<void> finish();

 private:
  using Clock = std::chrono::steady_clock;
  coio::Task<void> keep_redrawing();
  void draw(bool final);

  std::size_t total_;
  std::size_t done_ = 0;
  std::size_t bytes_ = 0;
  bool tty_;
  Clock::time_point start_;
  Clock::time_point last_plain_line_;
  coio::TaskHandle<void> redrawing_;
};
