#include "local_api.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string_view>

#include "examples/common/http_server.h"

namespace {

using namespace std::chrono_literals;

struct Station {
  const char* name;
  double temperature;
  std::chrono::milliseconds delay;  // before the API answers
};

constexpr std::array<Station, 6> kStations{{
    {"Oslo", 4.5, 0ms},
    {"Lisbon", 17.0, 300ms},
    {"Cairo", 24.5, 100ms},
    {"Reykjavik", 1.5, 500ms},
    {"Nairobi", 19.0, 0ms},
    {"Osaka", 12.5, 200ms},
}};

examples::Reply route(std::string_view path) {
  constexpr std::string_view prefix = "/stations/";
  int id = 0;
  if (path.starts_with(prefix)) {
    path.remove_prefix(prefix.size());
    const auto [end, error] = std::from_chars(path.data(), path.data() + path.size(), id);
    if (error != std::errc() || end != path.data() + path.size()) id = 0;
  }
  if (id < 1 || id > static_cast<int>(kStations.size())) {
    return {.status = 404, .content_type = "application/json", .body = "{\"error\": \"no such station\"}\n"};
  }
  const Station& s = kStations[id - 1];
  char body[128];
  std::snprintf(body, sizeof body, "{\"id\": %d, \"station\": \"%s\", \"temperature\": %.1f}\n", id, s.name,
                s.temperature);
  return {.content_type = "application/json", .body = body, .delay = s.delay};
}

}  // namespace

coio::Task<LocalApi> start_local_api() {
  coio::Server server = co_await examples::start_http_server(route);
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port()) + "/stations";
  co_return LocalApi{server, base, static_cast<int>(kStations.size())};
}
