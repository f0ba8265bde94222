// HTTP fetch benchmark, with the arguments and the JSON line of the
// libcurl-multi peer in ../shared/peers/http (http_curl_multi.c):
//
//   http_fetch --url http://127.0.0.1:P/1k.bin [--n 10000] [--conc 100]
//              [--expect 1024] [--time 60]
//   http_fetch --probe        # prints {"backend": ...} and exits
//
// CONC tasks share one coio::http::Client (at most CONC connections, as the
// peer's multi handle) and each loops: GET the URL, check the status (200)
// and the body's length, until N requests have started or TIME seconds have
// passed. Every request's latency is kept; the exit code is 1 on any error.
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "coio/coio.h"
#include "coio/http/client.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Config {
  std::string url;
  long n = 10000;
  long conc = 100;
  std::size_t expect = 1024;
  double seconds = 60;
};

struct Stats {
  long started = 0;
  long errors = 0;
  std::vector<std::int64_t> latency_ns;
  std::string first_error;
};

coio::Task<void> fetcher(coio::http::Client& client, const Config& c, Clock::time_point deadline, Stats& stats) {
  while (stats.started < c.n && Clock::now() < deadline) {
    ++stats.started;
    const auto start = Clock::now();
    bool ok = false;
    try {
      const coio::http::Response response = co_await client.get(c.url);
      ok = response.status == 200 && response.body.size() == c.expect;
      if (!ok && stats.first_error.empty()) {
        stats.first_error = "status " + std::to_string(response.status) + ", " +
                            std::to_string(response.body.size()) + " bytes";
      }
    } catch (const coio::http::Error& e) {
      if (stats.first_error.empty()) stats.first_error = e.what();
    }
    stats.latency_ns.push_back(std::chrono::nanoseconds(Clock::now() - start).count());
    if (!ok) ++stats.errors;
  }
}

coio::Task<int> run(Config c) {
  coio::http::ClientOptions options;
  options.max_connections = static_cast<std::size_t>(c.conc);
  coio::http::Client client(options);
  Stats stats;
  stats.latency_ns.reserve(static_cast<std::size_t>(c.n));

  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(c.seconds));
  std::vector<coio::Task<void>> fetchers;
  for (long i = 0; i < c.conc; ++i) fetchers.push_back(fetcher(client, c, deadline, stats));
  co_await coio::gather(std::move(fetchers));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<std::int64_t>& lat = stats.latency_ns;
  std::sort(lat.begin(), lat.end());
  const long done = static_cast<long>(lat.size());
  std::printf(
      "{\"client\": \"coio http::Client\", \"backend\": \"%s\", \"requests\": %ld, \"conc\": %ld, "
      "\"seconds\": %.4f, \"req_per_s\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"errors\": %ld, "
      "\"curl\": \"%s\"}\n",
      std::string(coio::Loop::current().backend_name()).c_str(), done, c.conc, seconds, done / seconds,
      done ? lat[done / 2] / 1e6 : 0.0, done ? lat[static_cast<long>(done * 0.99)] / 1e6 : 0.0, stats.errors,
      curl_version_info(CURLVERSION_NOW)->version);
  if (!stats.first_error.empty()) std::fprintf(stderr, "http_fetch: first error: %s\n", stats.first_error.c_str());
  co_return stats.errors != 0 || done != c.n ? 1 : 0;
}

int usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s --url URL [--n N] [--conc C] [--expect BYTES] [--time S] | --probe\n", argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--probe") {
      coio::run([]() -> coio::Task<void> {
        std::printf("{\"backend\": \"%s\"}\n", std::string(coio::Loop::current().backend_name()).c_str());
        co_return;
      });
      return 0;
    }
    if (i + 1 >= argc) return usage(argv[0]);
    const char* v = argv[++i];
    if (k == "--url") {
      c.url = v;
    } else if (k == "--n") {
      c.n = std::atol(v);
    } else if (k == "--conc") {
      c.conc = std::atol(v);
    } else if (k == "--expect") {
      c.expect = std::strtoull(v, nullptr, 10);
    } else if (k == "--time") {
      c.seconds = std::atof(v);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", k.c_str());
      return usage(argv[0]);
    }
  }
  if (c.url.empty() || c.n < 1 || c.conc < 1 || c.seconds <= 0 || c.seconds > 600) return usage(argv[0]);
  c.conc = std::min(c.conc, c.n);
  try {
    return coio::run(run(c));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "http_fetch: %s\n", e.what());
    return 1;
  }
}
