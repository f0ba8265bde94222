// tests/support/temp_dir.h: a fresh directory under $TEST_TMPDIR (or the
// system's temporary directory), removed with everything in it when the
// object goes. Portable: mingw has no mkdtemp, so the name is a random one
// that create_directory, which fails on a name already taken, claims.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace coio::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TEST_TMPDIR");
    const std::string parent =
        base != nullptr && *base != '\0' ? std::string(base) : std::filesystem::temp_directory_path().string();
    std::random_device seed;
    std::mt19937_64 random((static_cast<std::uint64_t>(seed()) << 32) ^ seed());
    std::error_code error;
    for (int attempt = 0; attempt < 100; ++attempt) {
      char name[32];
      std::snprintf(name, sizeof name, "/coio_%016llx", static_cast<unsigned long long>(random()));
      const std::string candidate = parent + name;
      if (std::filesystem::create_directory(candidate, error)) {
        path_ = candidate;
        return;
      }
      if (error) break;
    }
    if (!error) error = std::make_error_code(std::errc::file_exists);  // every name tried was taken
    throw std::system_error(error, "create a temporary directory under " + parent);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace coio::testing
