#include "summary.h"

#include <algorithm>
#include <cstdio>

void print_summary(const std::vector<Fetched>& rows, double wall_seconds, const std::string& out_dir) {
  int url_width = 3;
  for (const Fetched& row : rows) url_width = std::max(url_width, static_cast<int>(row.url.size()));

  std::printf("%-*s  %6s  %9s  %7s  %s\n", url_width, "URL", "STATUS", "BYTES", "MS", "SAVED AS / ERROR");
  double sum_ms = 0;
  std::size_t total_bytes = 0, responses = 0, errors = 0;
  for (const Fetched& row : rows) {
    sum_ms += row.ms;
    total_bytes += row.bytes;
    if (row.status != 0) ++responses;
    if (!row.error.empty()) ++errors;
    // The file's name only: the folder is printed once, below.
    const std::string name = row.file.substr(row.file.rfind('/') + 1);
    if (row.status == 0) {
      std::printf("%-*s  %6s  %9s  %7.0f  %s\n", url_width, row.url.c_str(), "error", "-", row.ms, row.error.c_str());
    } else {
      std::printf("%-*s  %6d  %9zu  %7.0f  %s\n", url_width, row.url.c_str(), row.status, row.bytes, row.ms,
                  row.error.empty() ? name.c_str() : row.error.c_str());
    }
  }
  std::printf("\n%zu URLs: %zu responses, %zu errors, %zu bytes\n", rows.size(), responses, errors, total_bytes);
  const double sum_seconds = sum_ms / 1000;
  std::printf("wall time %.2f s; the single times add up to %.2f s: %.1fx from fetching concurrently\n", wall_seconds,
              sum_seconds, wall_seconds > 0 ? sum_seconds / wall_seconds : 0);
  std::printf("saved in %s\n", out_dir.c_str());
}
