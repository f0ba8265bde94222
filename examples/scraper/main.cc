// The web scraper of the asyncio tutorials: fetch a list of URLs
// concurrently and save each page to a file.
//
//   async def fetch_url(session, url):
//       async with session.get(url) as response:
//           return await response.text()
//
//   async def save_content(filename, content):
//       async with aiofiles.open(filename, 'w') as file:
//           await file.write(content)
//
//   async def main(urls):
//       async with aiohttp.ClientSession() as session:
//           tasks = [fetch_url(session, url) for url in urls]
//           contents = await asyncio.gather(*tasks)
//           save_tasks = [save_content(f'file_{i}.html', content)
//                         for i, content in enumerate(contents)]
//           await asyncio.gather(*save_tasks)
//
// Here each task fetches its page with coio::http::Client and saves it with
// coio::write_file as soon as it is in, a progress line shows on stderr, and
// a table at the end compares the wall time with the sum of the single
// times. A URL that fails (a host that does not resolve, a refused
// connection) is a row with its error, not the end of the program.
//
// Usage: scraper [--out DIR] [--file URLS.txt] [URL...]
//   With no URL it starts a local site (local_site.cc) on 127.0.0.1 in the
//   same program and scrapes that, so it needs no internet. The pages go to
//   DIR (default: a new folder in the system's temporary folder: $TMPDIR or
//   /tmp, %TMP% on Windows). The exit code is 0 when every URL got a
//   response (a 404 is a response) and was saved.
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "coio/coio.h"
#include "coio/http/client.h"
#include "local_site.h"
#include "progress.h"
#include "summary.h"

namespace {

using Clock = std::chrono::steady_clock;

// libcurl's message without the URL that Error::what() adds: the table
// shows the URL already.
std::string error_message(const coio::http::Error& e) {
  std::string message = e.what();
  const std::string suffix = " (" + e.url() + ")";
  if (message.ends_with(suffix)) message.resize(message.size() - suffix.size());
  return message;
}

// fetch_url and save_content in one task, timed.
coio::Task<void> fetch_and_save(coio::http::Client& client, std::string path, Fetched& row, Progress& progress) {
  const auto start = Clock::now();
  try {
    coio::http::Response response = co_await client.get(row.url);
    row.status = response.status;
    row.bytes = response.body.size();
    co_await coio::write_file(path, response.text());
    row.file = path;
  } catch (const coio::http::Error& e) {
    row.error = error_message(e);
  } catch (const std::system_error& e) {  // the file could not be written
    row.error = e.what();
  }
  row.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  progress.page_done(row.bytes);
}

// "07-index.html": the row's number, then the last part of the URL's path.
std::string file_name(std::size_t index, const std::string& url) {
  std::string name = url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
  name = name.substr(0, name.find_first_of("?#"));
  if (name.ends_with('/')) name += "index.html";
  name = name.substr(name.rfind('/') + 1);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  }
  char number[16];
  std::snprintf(number, sizeof number, "%02zu-", index + 1);
  return number + name;
}

coio::Task<int> scrape(std::vector<std::string> urls, std::string out_dir) {
  std::optional<coio::Server> site;
  if (urls.empty()) {
    LocalSite local = co_await start_local_site();
    std::fprintf(stderr, "no URL given: scraping a local site on http://127.0.0.1:%u/\n", local.server.port());
    site = local.server;
    urls = local.urls;
  }

  coio::http::Client client;  // one for every request: it keeps connections alive
  std::vector<Fetched> rows(urls.size());
  Progress progress(urls.size());
  std::vector<coio::Task<void>> tasks;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    rows[i].url = urls[i];
    tasks.push_back(fetch_and_save(client, out_dir + "/" + file_name(i, urls[i]), rows[i], progress));
  }

  const auto start = Clock::now();
  progress.start();
  co_await coio::gather(std::move(tasks));
  const double wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  co_await progress.finish();

  print_summary(rows, wall_seconds, out_dir);
  if (site) {
    site->close();
    co_await site->wait_closed();
  }
  for (const Fetched& row : rows) {
    if (!row.error.empty()) co_return 1;
  }
  co_return 0;
}

// A fresh folder for the pages in the system's temporary folder ($TMPDIR
// or /tmp on POSIX, %TMP% on Windows), named coio-scraper-XXXXXX.
std::string make_temporary_folder() {
  const std::filesystem::path base = std::filesystem::temp_directory_path();
  std::random_device seed;
  std::mt19937 random(seed());
  static constexpr char kLetters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = "coio-scraper-";
    for (int i = 0; i < 6; ++i) name += kLetters[random() % (sizeof kLetters - 1)];
    const std::filesystem::path folder = base / name;
    if (std::filesystem::create_directory(folder)) return folder.string();  // false: taken already
  }
  throw std::system_error(std::make_error_code(std::errc::file_exists), (base / "coio-scraper-*").string());
}

int usage() {
  std::fprintf(stderr, "usage: scraper [--out DIR] [--file URLS.txt] [URL...]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> urls;
  std::string out_dir;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--out" && i + 1 < argc) {
        out_dir = argv[++i];
      } else if (arg == "--file" && i + 1 < argc) {
        // One URL a line; blank lines and lines starting with # are skipped.
        std::ifstream file(argv[++i]);
        if (!file) throw std::system_error(errno, std::generic_category(), argv[i]);
        for (std::string line; std::getline(file, line);) {
          line.erase(0, line.find_first_not_of(" \t\r"));
          line.erase(line.find_last_not_of(" \t\r") + 1);
          if (!line.empty() && line[0] != '#') urls.push_back(line);
        }
      } else if (arg.starts_with("-")) {
        return usage();
      } else {
        urls.push_back(arg);
      }
    }
    if (out_dir.empty()) {
      out_dir = make_temporary_folder();
    } else {
      std::filesystem::create_directories(out_dir);
    }
    return coio::run(scrape(std::move(urls), out_dir));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scraper: %s\n", e.what());
    return 1;
  }
}
