#include "local_site.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <string_view>

#include "examples/common/http_server.h"

namespace {

using namespace std::chrono_literals;

struct PageSpec {
  std::size_t size;
  std::chrono::milliseconds delay;  // the server "thinks" that long first
};

// Sizes from 700 bytes to 512 KiB; seven pages are slow, the slowest 750 ms,
// so the whole scrape takes about that long while the pages' own times add
// up to several seconds.
constexpr std::array<PageSpec, 20> kPages{{
    {1'200, 0ms},     {5'400, 0ms},   {18'000, 300ms}, {64'000, 0ms},  {250'000, 150ms},
    {3'100, 600ms},   {900, 0ms},     {42'000, 0ms},   {130'000, 450ms}, {7'000, 0ms},
    {524'288, 0ms},   {2'600, 200ms}, {15'000, 0ms},   {88'000, 750ms}, {4'096, 0ms},
    {33'000, 0ms},    {700, 100ms},   {190'000, 0ms},  {9'500, 350ms}, {56'000, 0ms},
}};

// An HTML page of exactly `size` bytes.
std::string article(int number, std::size_t size) {
  char title[32];
  std::snprintf(title, sizeof title, "Article %02d", number);
  std::string page = std::string("<!doctype html>\n<html><head><title>") + title + "</title></head>\n<body>\n<h1>" +
                     title + "</h1>\n";
  const std::string_view end = "</body></html>\n";
  for (int paragraph = 1;; ++paragraph) {
    const std::string p = "<p>Paragraph " + std::to_string(paragraph) + " of " + title +
                          ": fetched concurrently with the others, saved with async writes.</p>\n";
    if (page.size() + p.size() + end.size() > size) break;
    page += p;
  }
  page.append(size > page.size() + end.size() ? size - page.size() - end.size() : 0, '\n');
  page += end;
  return page;
}

// "/articles/07.html" -> 7; 0 for anything else.
int article_number(std::string_view path) {
  constexpr std::string_view prefix = "/articles/", suffix = ".html";
  if (!path.starts_with(prefix) || !path.ends_with(suffix)) return 0;
  path = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  int number = 0;
  const auto [end, error] = std::from_chars(path.data(), path.data() + path.size(), number);
  return error == std::errc() && end == path.data() + path.size() ? number : 0;
}

examples::Reply route(std::string_view path) {
  const int number = article_number(path);
  if (number < 1 || number > static_cast<int>(kPages.size())) {
    return {.status = 404, .body = "<!doctype html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"};
  }
  const PageSpec& spec = kPages[number - 1];
  return {.body = article(number, spec.size), .delay = spec.delay};
}

}  // namespace

coio::Task<LocalSite> start_local_site() {
  LocalSite site{co_await examples::start_http_server(route), {}};
  const std::string base = "http://127.0.0.1:" + std::to_string(site.server.port());
  for (std::size_t i = 1; i <= kPages.size(); ++i) {
    char path[32];
    std::snprintf(path, sizeof path, "/articles/%02zu.html", i);
    site.urls.push_back(base + path);
  }
  site.urls.push_back(base + "/articles/missing.html");
  co_return site;
}
