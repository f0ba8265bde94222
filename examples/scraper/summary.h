// The table the scraper prints at the end: one row per URL (status, bytes,
// milliseconds and the file it went to, or the error), then the wall time
// against the sum of the single times — what fetching concurrently gained.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

struct Fetched {
  std::string url;
  int status = 0;          // 0: no response
  std::size_t bytes = 0;   // of the body
  double ms = 0;           // fetching and saving
  std::string file;        // where the body went
  std::string error;       // why there is no response (or no file)
};

void print_summary(const std::vector<Fetched>& rows, double wall_seconds, const std::string& out_dir);
