// The exercise that ends the asyncio tutorial's chapter on HTTP: "make
// multiple API calls concurrently, aggregate the data, and compute some
// statistics", from this skeleton:
//
//   async def fetch_api_data(session, url):
//       pass
//
//   async def main():
//       urls = []
//
//   asyncio.run(main())
//
// Here: GET BASE/1 to BASE/COUNT at once with coio::http::Client, read the
// number FIELD holds in each JSON answer, print each and their average.
//
// Usage: api_stats [BASE_URL [FIELD [COUNT]]]
//   With no base URL it starts a local API (local_api.cc: six weather
//   stations, some slow) in the same program and asks that, for
//   "temperature". For instance, on a public API:
//     api_stats https://jsonplaceholder.typicode.com/todos userId 5
//   The exit code is 1 when a call failed or had no such number.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coio/coio.h"
#include "coio/http/client.h"
#include "json_number.h"
#include "local_api.h"

namespace {

using Clock = std::chrono::steady_clock;

struct ApiResult {
  std::optional<double> value;
  std::string problem;  // why there is no value
  double ms = 0;
};

coio::Task<ApiResult> fetch_api_data(coio::http::Client& client, std::string url, std::string field) {
  ApiResult result;
  const auto start = Clock::now();
  try {
    coio::http::Response response = co_await client.get(url);
    response.raise_for_status();  // a 404 has no data to count
    result.value = json_number(response.text(), field);
    if (!result.value) result.problem = "no number in \"" + field + "\"";
  } catch (const coio::http::Error& e) {
    result.problem = e.what();
  }
  result.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  co_return result;
}

coio::Task<int> amain(std::string base_url, std::string field, int count) {
  std::optional<LocalApi> local;
  if (base_url.empty()) {
    local = co_await start_local_api();
    base_url = local->base_url;
    count = local->count;
  }

  coio::http::Client client;
  std::vector<std::string> urls;
  std::vector<coio::Task<ApiResult>> calls;
  for (int i = 1; i <= count; ++i) {
    urls.push_back(base_url + "/" + std::to_string(i));
    calls.push_back(fetch_api_data(client, urls.back(), field));
  }
  const auto start = Clock::now();
  std::vector<ApiResult> results = co_await coio::gather(std::move(calls));
  const double wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();

  double sum = 0, sum_ms = 0;
  int counted = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const ApiResult& r = results[i];
    sum_ms += r.ms;
    if (r.value) {
      std::printf("%s: %s = %g (%.0f ms)\n", urls[i].c_str(), field.c_str(), *r.value, r.ms);
      sum += *r.value;
      ++counted;
    } else {
      std::printf("%s: error: %s (%.0f ms)\n", urls[i].c_str(), r.problem.c_str(), r.ms);
    }
  }
  if (counted > 0) {
    std::printf("average %s over %d calls: %.2f\n", field.c_str(), counted, sum / counted);
  } else {
    std::printf("no %s to average\n", field.c_str());
  }
  std::printf("%d calls in %.0f ms; one after the other they would take %.0f ms\n", count, wall_ms, sum_ms);

  if (local) {
    local->server.close();
    co_await local->server.wait_closed();
  }
  co_return counted == count ? 0 : 1;
}

bool parse_count(std::string_view text, int& count) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  return error == std::errc() && end == text.data() + text.size() && count > 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string base_url = argc > 1 ? argv[1] : "";
  const std::string field = argc > 2 ? argv[2] : "temperature";
  int count = 6;
  if (argc > 4 || (argc > 3 && !parse_count(argv[3], count))) {
    std::fprintf(stderr, "usage: api_stats [BASE_URL [FIELD [COUNT]]]\n");
    return 2;
  }
  try {
    return coio::run(amain(base_url, field, count));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "api_stats: %s\n", e.what());
    return 1;
  }
}
