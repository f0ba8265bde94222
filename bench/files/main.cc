// File benchmark, with the arguments and the JSON line of the file peers in
// ../shared/peers/files:
//
//   files --file F [--qd 32] [--bs 4096] [--direct 0|1] [--time 2] [--ops N]
//         [--mode randread|seqread|seqwrite]
//
// randread: QD tasks each read BS bytes at random aligned offsets with
// File::read_at into their own buffer (no copies), until TIME seconds or OPS
// reads. seqread / seqwrite: one task reads or writes the file in BS pieces
// (use --bs 1048576), in order. Prints IOPS, MiB/s and latency percentiles.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "coio/coio.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Config {
  std::string file;
  std::string mode = "randread";
  std::size_t qd = 32;
  std::size_t bs = 4096;
  bool direct = false;
  double seconds = 2;
  std::uint64_t max_ops = 100'000'000;
};

struct Stats {
  std::uint64_t ops = 0;
  std::vector<std::uint32_t> latency_ns;  // a sample: every 8th operation
};

// One aligned buffer per reader (O_DIRECT wants 4 KiB alignment).
struct AlignedFree {
  void operator()(std::byte* p) const noexcept { std::free(p); }
};
std::unique_ptr<std::byte, AlignedFree> aligned_buffer(std::size_t size) {
  return std::unique_ptr<std::byte, AlignedFree>(static_cast<std::byte*>(std::aligned_alloc(4096, size)));
}

std::uint64_t next_random(std::uint64_t& state) {  // xorshift64*, as the peers
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1Dull;
}

coio::Task<void> random_reader(coio::File& file, const Config& c, std::uint64_t blocks, Clock::time_point end,
                               std::uint64_t seed, Stats& stats) {
  auto buffer = aligned_buffer(c.bs);
  const std::span<std::byte> span(buffer.get(), c.bs);
  std::uint64_t state = seed;
  while (stats.ops < c.max_ops) {
    const std::uint64_t offset = (next_random(state) % blocks) * c.bs;
    const auto start = Clock::now();
    const std::size_t n = co_await file.read_at(offset, span);
    const auto now = Clock::now();
    if (n != c.bs) throw std::runtime_error("short read at " + std::to_string(offset));
    if ((++stats.ops & 7) == 0) {
      stats.latency_ns.push_back(static_cast<std::uint32_t>(std::chrono::nanoseconds(now - start).count()));
    }
    if (now >= end) break;
  }
}

coio::Task<void> sequential(coio::File& file, const Config& c, std::uint64_t file_size, bool writing,
                            Clock::time_point end, Stats& stats) {
  auto buffer = aligned_buffer(c.bs);
  std::memset(buffer.get(), 'x', c.bs);
  const std::string_view data(reinterpret_cast<const char*>(buffer.get()), c.bs);
  std::uint64_t offset = 0;
  while (stats.ops < c.max_ops) {
    const auto start = Clock::now();
    if (writing) {
      co_await file.write_at(offset, data);
    } else {
      const std::size_t n = co_await file.read_at(offset, std::span<std::byte>(buffer.get(), c.bs));
      if (n == 0) {  // wrap around at the end of the file
        offset = 0;
        continue;
      }
    }
    const auto now = Clock::now();
    ++stats.ops;
    stats.latency_ns.push_back(static_cast<std::uint32_t>(std::chrono::nanoseconds(now - start).count()));
    offset += c.bs;
    if (offset + c.bs > file_size) offset = 0;
    if (now >= end) break;
  }
}

double percentile_us(std::vector<std::uint32_t>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k] / 1e3;
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* value = argv[i + 1];
    if (key == "--file") c.file = value;
    else if (key == "--mode") c.mode = value;
    else if (key == "--qd") c.qd = std::strtoull(value, nullptr, 10);
    else if (key == "--bs") c.bs = std::strtoull(value, nullptr, 10);
    else if (key == "--direct") c.direct = std::atoi(value) != 0;
    else if (key == "--time") c.seconds = std::strtod(value, nullptr);
    else if (key == "--ops") c.max_ops = std::strtoull(value, nullptr, 10);
    else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (c.file.empty() || c.bs == 0 || c.qd == 0) {
    std::fprintf(stderr, "usage: %s --file F [--qd 32] [--bs 4096] [--direct 0|1] [--time 2] [--mode randread|seqread|seqwrite]\n", argv[0]);
    return 2;
  }
  Stats stats;
  std::string backend;
  double seconds = 0;
  try {
    coio::run([&]() -> coio::Task<void> {
      backend = coio::Loop::current().backend_name();
      const bool writing = c.mode == "seqwrite";
      coio::File file = co_await coio::open_file(c.file, writing ? "r+b" : "rb", {.direct = c.direct});
      const std::uint64_t size = co_await file.size();
      const std::uint64_t blocks = size / c.bs;
      if (blocks == 0) throw std::runtime_error("the file is smaller than one block");
      const auto start = Clock::now();
      const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(c.seconds));
      if (c.mode == "randread") {
        std::vector<coio::Task<void>> readers;
        for (std::size_t i = 0; i < c.qd; ++i) readers.push_back(random_reader(file, c, blocks, end, 0x9E3779B97F4A7C15ull + i, stats));
        co_await coio::gather(std::move(readers));
      } else if (c.mode == "seqread" || writing) {
        co_await sequential(file, c, size, writing, end, stats);
      } else {
        throw std::invalid_argument("unknown --mode " + c.mode);
      }
      seconds = std::chrono::duration<double>(Clock::now() - start).count();
      co_await file.close();
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "files: %s\n", e.what());
    return 1;
  }
  const double iops = static_cast<double>(stats.ops) / seconds;
  std::printf(
      "{\"engine\": \"coio\", \"backend\": \"%s\", \"mode\": \"%s\", \"direct\": %d, \"qd\": %zu, \"bs\": %zu, "
      "\"ops\": %llu, \"seconds\": %.3f, \"iops\": %.0f, \"mib_per_s\": %.1f, \"p50_us\": %.1f, \"p99_us\": %.1f}\n",
      backend.c_str(), c.mode.c_str(), c.direct ? 1 : 0, c.mode == "randread" ? c.qd : std::size_t{1}, c.bs,
      static_cast<unsigned long long>(stats.ops), seconds, iops, iops * static_cast<double>(c.bs) / (1 << 20),
      percentile_us(stats.latency_ns, 0.5), percentile_us(stats.latency_ns, 0.99));
  return 0;
}
