// Files (aiofiles' API): open_file's modes, File's reads, writes, positions
// and lines(), read_file/write_file, the errors with their errno and path,
// and the promises that hold under load and cancellation. Every test works
// on real files in a fresh directory of its own, removed at the end.
//
// The same tests run on Windows (IOCP, under Wine): the few checks that ask
// the OS itself (is a handle closed, how many are open, permissions, named
// pipes for FIFOs) have a Windows branch; only the full-disk test, which
// mounts a tmpfs, is POSIX's alone.
#if defined(_WIN32)
#include <winsock2.h>
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"
#include "tests/support/memory.h"
#include "tests/support/temp_dir.h"
#include "tests/support/watchdog.h"

namespace coio::testing {
namespace {

constexpr std::size_t kKiB = 1024;
constexpr std::size_t kMiB = 1024 * kKiB;


// Synchronous set-up and checks, outside the code under test.
void put(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string get(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool exists(const std::string& path) { return std::filesystem::exists(path); }

// Bytes that repeat nowhere nearby, so that a read at a wrong offset shows.
std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen() & 0xFF);
  return s;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

#if defined(_WIN32)
// The open handles of this process (files, and the loop's own). Wine's
// GetProcessHandleCount says 0, so count the values that are handles:
// Windows and Wine hand out the lowest free ones, multiples of 4.
int open_descriptor_count() {
  int count = 0;
  int misses = 0;
  for (std::uintptr_t value = 4; misses < 4096; value += 4) {
    DWORD flags = 0;
    if (::GetHandleInformation(reinterpret_cast<HANDLE>(value), &flags)) {
      ++count;
      misses = 0;
    } else {
      ++misses;
    }
  }
  return count;
}

// Whether `handle` no longer is the file at `path`: closed, or its value
// given to another object since (Wine reuses a freed value at once).
bool descriptor_is_closed(std::intptr_t handle, const std::string& path) {
  BY_HANDLE_FILE_INFORMATION now{};
  if (!::GetFileInformationByHandle(reinterpret_cast<HANDLE>(handle), &now)) return true;
  const HANDLE probe = ::CreateFileA(path.c_str(), 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                    nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr);
  BY_HANDLE_FILE_INFORMATION file{};
  const bool known = probe != INVALID_HANDLE_VALUE && ::GetFileInformationByHandle(probe, &file);
  if (probe != INVALID_HANDLE_VALUE) ::CloseHandle(probe);
  return !known || now.dwVolumeSerialNumber != file.dwVolumeSerialNumber ||
         now.nFileIndexHigh != file.nFileIndexHigh || now.nFileIndexLow != file.nFileIndexLow;
}
#else
// The open descriptors of this process.
int open_descriptor_count() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// Whether `fd` no longer is the file at `path`: closed, or its number given
// to another file since.
bool descriptor_is_closed(std::intptr_t fd, const std::string& path) {
  errno = 0;
  struct stat now {};
  if (::fstat(static_cast<int>(fd), &now) != 0) return errno == EBADF;
  struct stat file {};
  return ::stat(path.c_str(), &file) != 0 || now.st_dev != file.st_dev || now.st_ino != file.st_ino;
}
#endif

// The permissions a file created with mode 0666 gets.
std::filesystem::perms created_file_permissions() {
#if defined(_WIN32)
  // No umask: a file is either read-only or not, and one created with 0666
  // is not (the C runtime shows that as 0666).
  return static_cast<std::filesystem::perms>(0666);
#else
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return static_cast<std::filesystem::perms>(0666 & ~mask);
#endif
}

// What an awaited operation threw as std::system_error: its code, compared
// with std::errc conditions so that every backend's codes match, and
// what(); an empty code when it succeeded.
struct Failure {
  std::error_code code;
  std::string what;
};

template <class Awaitable>
Task<Failure> failure_of(Awaitable aw) {
  Failure failure;
  try {
    co_await std::move(aw);
  } catch (const std::system_error& e) {
    failure.code = e.code();
    failure.what = e.what();
  }
  co_return failure;
}

// Every line lines() yields from the position on.
Task<std::vector<std::string>> all_lines(File& f) {
  std::vector<std::string> out;
  auto gen = f.lines();
  while (auto line = co_await gen.next()) out.push_back(std::move(*line));
  co_return out;
}

std::span<std::byte> as_span(std::vector<std::byte>& v) { return std::span<std::byte>(v.data(), v.size()); }

std::string as_string(const std::vector<std::byte>& v, std::size_t n) {
  return std::string(reinterpret_cast<const char*>(v.data()), n);
}

// ---------------------------------------------------------------------------
// Modes.

// What a mode does, as Python's open() defines it.
struct ModeCase {
  std::string mode;
  bool creates;    // a missing file is created (else ENOENT)
  bool truncates;  // an existing file is emptied
  bool exclusive;  // an existing file is refused with EEXIST
  bool reads;
  bool writes;
  bool appends;  // writes go to the end; the position starts there
};

// Opens `mode` on a missing and on an existing file and checks each promise.
Task<void> check_mode(const TempDir& dir, ModeCase c, int index) {
  const std::string& mode = c.mode;
  const std::string missing = dir / ("missing" + std::to_string(index));
  const std::string existing = dir / ("existing" + std::to_string(index));
  put(existing, "0123456789");

  // A missing file.
  if (c.creates) {
    File f = co_await open_file(missing, mode);
    EXPECT_TRUE(exists(missing)) << mode;
    const std::uint64_t size = co_await f.size();
    EXPECT_EQ(size, 0u) << mode;
    const auto permissions = std::filesystem::status(missing).permissions() & std::filesystem::perms::all;
    EXPECT_EQ(permissions, created_file_permissions()) << mode << ": created with 0666 less the umask";
    co_await f.close();
  } else {
    Failure failure = co_await failure_of(open_file(missing, mode));
    EXPECT_EQ(failure.code, std::errc::no_such_file_or_directory) << mode;
    EXPECT_TRUE(contains(failure.what, missing)) << mode << ": " << failure.what;
    EXPECT_FALSE(exists(missing)) << mode;
  }

  // An existing file.
  if (c.exclusive) {
    Failure failure = co_await failure_of(open_file(existing, mode));
    EXPECT_EQ(failure.code, std::errc::file_exists) << mode;
    EXPECT_TRUE(contains(failure.what, existing)) << mode << ": " << failure.what;
    EXPECT_EQ(get(existing), "0123456789") << mode;
    co_return;
  }
  File f = co_await open_file(existing, mode);
  EXPECT_EQ(f.mode(), mode);
  EXPECT_EQ(f.path(), existing);
  const std::string before = c.truncates ? "" : "0123456789";
  EXPECT_EQ(get(existing), before) << mode;
  EXPECT_EQ(f.tell(), c.appends ? 10u : 0u) << mode << ": the position at open";

  Failure read_failure = co_await failure_of(f.read_at(0, 4));
  if (c.reads) {
    EXPECT_FALSE(read_failure.code) << mode << ": " << read_failure.what;
    const std::string head = co_await f.read_at(0, 4);
    EXPECT_EQ(head, before.substr(0, 4)) << mode;
  } else {
    EXPECT_EQ(read_failure.code, std::errc::bad_file_descriptor) << mode << ": reading a file not opened for reading";
    EXPECT_TRUE(contains(read_failure.what, existing)) << mode << ": " << read_failure.what;
  }

  f.seek(2);
  if (c.writes) {
    const std::size_t n = co_await f.write("WW");
    EXPECT_EQ(n, 2u) << mode;
    std::string after;
    if (c.appends) {
      after = before + "WW";
    } else if (c.truncates) {
      after = std::string(2, '\0') + "WW";  // a write past the end leaves a hole of zeros
    } else {
      after = "01WW456789";
    }
    EXPECT_EQ(get(existing), after) << mode;
    EXPECT_EQ(f.tell(), c.appends ? after.size() : 4u) << mode << ": the position after the write";
  } else {
    Failure write_failure = co_await failure_of(f.write("WW"));
    EXPECT_EQ(write_failure.code, std::errc::bad_file_descriptor) << mode << ": writing a file not opened for writing";
    EXPECT_TRUE(contains(write_failure.what, existing)) << mode << ": " << write_failure.what;
    EXPECT_EQ(get(existing), before) << mode;
  }
  co_await f.close();
}

TEST(File, EveryModeCreatesTruncatesReadsWritesAndAppendsAsPythonsOpenDoes) {
  //                 mode   creates truncates exclusive reads  writes appends
  const ModeCase r = {"r", false, false, false, true, false, false};
  const ModeCase w = {"w", true, true, false, false, true, false};
  const ModeCase a = {"a", true, false, false, false, true, true};
  const ModeCase x = {"x", true, false, true, false, true, false};
  std::vector<ModeCase> cases;
  for (ModeCase base : {r, w, a, x}) {
    const std::string k(1, base.mode[0]);
    ModeCase plus = base;
    plus.reads = plus.writes = true;
    // Each spelling Python accepts: "b" or "t" anywhere, "+" anywhere.
    for (const std::string& spelling : {k, k + "b", k + "t", "b" + k, "t" + k}) {
      ModeCase c = base;
      c.mode = spelling;
      cases.push_back(c);
    }
    for (const std::string& spelling : {k + "+", k + "+b", k + "b+", k + "+t", "+" + k, "b+" + k}) {
      ModeCase c = plus;
      c.mode = spelling;
      cases.push_back(c);
    }
  }
  TempDir dir;
  run_bounded([&]() -> Task<void> {
    for (std::size_t i = 0; i < cases.size(); ++i) co_await check_mode(dir, cases[i], static_cast<int>(i));
  });
}

TEST(File, OpenMissingFileThrowsEnoentNamingThePath) {
  TempDir dir;
  const std::string path = dir / "no-such-file";
  run_bounded([&]() -> Task<void> {
    Failure failure = co_await failure_of(open_file(path));
    EXPECT_EQ(failure.code, std::errc::no_such_file_or_directory);
    EXPECT_TRUE(contains(failure.what, path)) << failure.what;
    EXPECT_TRUE(contains(failure.what, "open")) << failure.what;
  });
}

TEST(File, ModeXOnAnExistingFileThrowsEexistAndLeavesItAlone) {
  TempDir dir;
  const std::string path = dir / "there";
  put(path, "keep me");
  run_bounded([&]() -> Task<void> {
    Failure failure = co_await failure_of(open_file(path, "x"));
    EXPECT_EQ(failure.code, std::errc::file_exists);
    EXPECT_TRUE(contains(failure.what, path)) << failure.what;
  });
  EXPECT_EQ(get(path), "keep me");
}

TEST(File, ModeRPlusReadsAndWritesInPlace) {
  TempDir dir;
  const std::string path = dir / "f";
  put(path, "hello world");
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "r+");
    const std::string hello = co_await f.read(5);
    EXPECT_EQ(hello, "hello");
    co_await f.write("_");
    const std::string rest = co_await f.read();
    EXPECT_EQ(rest, "world");
    f.seek(0);
    const std::string all = co_await f.read();
    EXPECT_EQ(all, "hello_world");
    co_await f.close();
  });
  EXPECT_EQ(get(path), "hello_world");
}

TEST(File, AppendModeAppendsEvenAfterSeek) {
  TempDir dir;
  const std::string path = dir / "log";
  put(path, "one\n");
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "a+");
    f.seek(0);
    const std::string first = co_await f.read(4);
    EXPECT_EQ(first, "one\n");  // "a+" reads anywhere
    f.seek(0);
    co_await f.write("two\n");
    EXPECT_EQ(f.tell(), 8u);  // the end, where the bytes went
    f.seek(1);
    co_await f.write_at(0, "three\n");  // even at an explicit offset
    co_await f.fsync();  // a file open for appending only may be synced
    co_await f.close();
  });
  EXPECT_EQ(get(path), "one\ntwo\nthree\n");
}

TEST(File, InvalidModesThrowInvalidArgumentNamingTheModeAndCreateNothing) {
  // Each invalid mode, and how what() names it: as it is, or with the
  // bytes that are not printable as \xNN (a NUL would end what()).
  const std::vector<std::pair<std::string, std::string>> modes = {
      {"rw", "'rw'"},   {"", "''"},       {"z", "'z'"},     {"rr", "'rr'"},       {"bt", "'bt'"},
      {"++r", "'++r'"}, {"r++", "'r++'"}, {"wa", "'wa'"},   {"rbb", "'rbb'"},     {"rtt", "'rtt'"},
      {"R", "'R'"},     {"r ", "'r '"},   {" r", "' r'"},   {"rU", "'rU'"},       {"U", "'U'"},
      {"b", "'b'"},     {"+", "'+'"},     {"tb", "'tb'"},   {"wz", "'wz'"},       {"w+z", "'w+z'"},
      {"xr", "'xr'"},   {"a+x", "'a+x'"}, {"rb+t", "'rb+t'"}, {"w\n", "'w\\x0a'"}, {std::string("r\0", 2), "'r\\x00'"}};
  TempDir dir;
  const int descriptors_before = open_descriptor_count();
  run_bounded([&]() -> Task<void> {
    for (std::size_t i = 0; i < modes.size(); ++i) {
      const std::string& mode = modes[i].first;
      const std::string& named = modes[i].second;
      const std::string path = dir / ("f" + std::to_string(i));
      std::string message;
      try {
        Task<File> opening = open_file(path, mode);
        File f = co_await std::move(opening);
        ADD_FAILURE() << "mode " << named << " was accepted";
      } catch (const std::invalid_argument& e) {
        message = e.what();
      }
      EXPECT_TRUE(contains(message, named)) << "mode " << named << ": " << message;
      EXPECT_FALSE(exists(path)) << "mode " << named << " created the file";
    }
    co_await sleep(10ms);
  });
  EXPECT_EQ(open_descriptor_count(), descriptors_before);
}

// ---------------------------------------------------------------------------
// Reading, writing, positions.

TEST(File, ReadNReadsUpToNBytesFromThePositionAndMovesIt) {
  TempDir dir;
  const std::string path = dir / "f";
  put(path, "abcdefghij");
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path);
    const std::string a = co_await f.read(3);
    EXPECT_EQ(a, "abc");
    EXPECT_EQ(f.tell(), 3u);
    const std::string b = co_await f.read(4);
    EXPECT_EQ(b, "defg");
    const std::string c = co_await f.read(100);  // fewer only at the end
    EXPECT_EQ(c, "hij");
    EXPECT_EQ(f.tell(), 10u);
    const std::string d = co_await f.read(0);
    EXPECT_EQ(d, "");
    co_await f.close();
  });
}

TEST(File, ReadWithNoSizeReadsToTheEndAndThenReturnsEmpty) {
  TempDir dir;
  const std::string path = dir / "f";
  const std::string content = random_bytes(300 * kKiB + 17, 1);  // more than one 64 KiB chunk
  put(path, content);
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "rb");
    const std::string head = co_await f.read(10);
    const std::string rest = co_await f.read();
    EXPECT_EQ(head + rest, content);
    EXPECT_EQ(f.tell(), content.size());
    const std::string at_end = co_await f.read();
    EXPECT_EQ(at_end, "");
    const std::string at_end_n = co_await f.read(5);
    EXPECT_EQ(at_end_n, "");
    f.seek(content.size() + 100);  // past the end
    const std::string past = co_await f.read();
    EXPECT_EQ(past, "");
    co_await f.close();
  });
}

TEST(File, ReadWithNoSizeSeesWhatWasAppendedAfterTheSizeWasKnown) {
  TempDir dir;
  const std::string path = dir / "growing";
  run_bounded([&]() -> Task<void> {
    File writer = co_await open_file(path, "w");
    File reader = co_await open_file(path, "r");
    co_await writer.write("first ");
    const std::string first = co_await reader.read();
    EXPECT_EQ(first, "first ");
    co_await writer.write("second");
    const std::string second = co_await reader.read();
    EXPECT_EQ(second, "second");
    co_await writer.close();
    co_await reader.close();
  });
}

TEST(File, WriteReturnsTheSizeAndMovesThePosition) {
  TempDir dir;
  const std::string path = dir / "f";
  const std::string big = random_bytes(3 * kMiB + 5, 2);
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "wb");
    const std::size_t a = co_await f.write("hello ");
    EXPECT_EQ(a, 6u);
    const std::size_t empty = co_await f.write("");
    EXPECT_EQ(empty, 0u);
    const std::size_t b = co_await f.write(big);
    EXPECT_EQ(b, big.size());
    EXPECT_EQ(f.tell(), 6 + big.size());
    co_await f.close();
  });
  EXPECT_EQ(get(path), "hello " + big);
}

TEST(File, SeekMovesWhereReadAndWriteGoAndAWritePastTheEndLeavesZeros) {
  TempDir dir;
  const std::string path = dir / "f";
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "w+b");
    co_await f.write("0123456789");
    f.seek(4);
    EXPECT_EQ(f.tell(), 4u);
    const std::string mid = co_await f.read(3);
    EXPECT_EQ(mid, "456");
    f.seek(1);
    co_await f.write("AB");
    EXPECT_EQ(f.tell(), 3u);
    f.seek(12);
    co_await f.write("Z");
    f.seek(0);
    const std::string all = co_await f.read();
    EXPECT_EQ(all, std::string("0AB3456789\0\0Z", 13));
    co_await f.close();
  });
}

TEST(File, ReadAtAndWriteAtDoNotMoveThePosition) {
  TempDir dir;
  const std::string path = dir / "f";
  put(path, "0123456789");
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "r+");
    f.seek(3);
    const std::string at5 = co_await f.read_at(5, 3);
    EXPECT_EQ(at5, "567");
    EXPECT_EQ(f.tell(), 3u);
    const std::size_t n = co_await f.write_at(8, "XYZ");  // grows the file
    EXPECT_EQ(n, 3u);
    EXPECT_EQ(f.tell(), 3u);
    const std::string past = co_await f.read_at(11, 10);
    EXPECT_EQ(past, "");
    const std::string next = co_await f.read(2);  // still from 3
    EXPECT_EQ(next, "34");
    co_await f.close();
  });
  EXPECT_EQ(get(path), "01234567XYZ");
}

TEST(File, ReadAtIntoASpanReturnsTheBytesReadAndZeroPastTheEnd) {
  TempDir dir;
  const std::string path = dir / "f";
  put(path, "abcd");
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "rb");
    std::vector<std::byte> buf(10, std::byte{'#'});
    const std::size_t n = co_await f.read_at(0, as_span(buf));
    EXPECT_EQ(n, 4u);
    EXPECT_EQ(as_string(buf, 10), "abcd######");  // the rest of the buffer untouched
    const std::size_t mid = co_await f.read_at(2, as_span(buf));
    EXPECT_EQ(mid, 2u);
    EXPECT_EQ(as_string(buf, 2), "cd");
    const std::size_t at_end = co_await f.read_at(4, as_span(buf));
    EXPECT_EQ(at_end, 0u);
    const std::size_t past = co_await f.read_at(1000, as_span(buf));
    EXPECT_EQ(past, 0u);
    EXPECT_EQ(f.tell(), 0u);
    co_await f.close();
  });
}

TEST(File, SizeFollowsWritesAndFsyncSucceeds) {
  TempDir dir;
  const std::string path = dir / "f";
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "w");
    const std::uint64_t empty = co_await f.size();
    EXPECT_EQ(empty, 0u);
    co_await f.write("12345");
    const std::uint64_t five = co_await f.size();
    EXPECT_EQ(five, 5u);
    co_await f.write_at(1000, "x");
    const std::uint64_t grown = co_await f.size();
    EXPECT_EQ(grown, 1001u);
    co_await f.fsync();
    co_await f.close();
    File r = co_await open_file(path, "r");
    co_await r.fsync();  // a file open for reading may be synced too
    const std::uint64_t again = co_await r.size();
    EXPECT_EQ(again, 1001u);
    co_await r.close();
  });
  EXPECT_EQ(std::filesystem::file_size(path), 1001u);
}

// Makes the file at `path` sparse where that must be asked for (NTFS would
// otherwise write gigabytes of zeros for a write far past the end); Linux's
// file systems leave holes unasked.
void make_sparse(const std::string& path) {
  put(path, "");
#if defined(_WIN32)
  const HANDLE file = ::CreateFileA(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
  ASSERT_NE(file, INVALID_HANDLE_VALUE) << "error " << ::GetLastError();
  DWORD bytes = 0;
  ::DeviceIoControl(file, FSCTL_SET_SPARSE, nullptr, 0, nullptr, 0, &bytes, nullptr);
  ::CloseHandle(file);
#endif
}

TEST(File, OffsetsAndSizesPast4GiBAreExact) {
  // 32 bits are not enough for any of them: the offset of a read or a
  // write, the size, the position, and the end an append goes to.
  constexpr std::uint64_t kFar = 5ull * 1024 * kMiB + 3;
  TempDir dir;
  const std::string path = dir / "sparse";
  make_sparse(path);
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "r+b");
    const std::size_t n = co_await f.write_at(kFar, "far");
    EXPECT_EQ(n, 3u);
    const std::uint64_t size = co_await f.size();
    EXPECT_EQ(size, kFar + 3);
    const std::string at = co_await f.read_at(kFar, 3);
    EXPECT_EQ(at, "far");
    const std::string across = co_await f.read_at(kFar - 2, 10);  // the hole reads as zeros
    EXPECT_EQ(across, std::string("\0\0far", 5));
    f.seek(kFar + 1);
    const std::string tail = co_await f.read();
    EXPECT_EQ(tail, "ar");
    EXPECT_EQ(f.tell(), kFar + 3);
    co_await f.close();

    File log = co_await open_file(path, "a+b");
    EXPECT_EQ(log.tell(), kFar + 3) << "an append starts at the end";
    co_await log.write("!");
    EXPECT_EQ(log.tell(), kFar + 4);
    const std::string end = co_await log.read_at(kFar, 4);
    EXPECT_EQ(end, "far!");
    co_await log.close();
  });
  EXPECT_EQ(std::filesystem::file_size(path), kFar + 4);
}

TEST(File, AnOpenFileMayBeRenamedAndRemovedAsOnPosix) {
  // coio does not lock a file it has open against others, on Windows
  // either (every sharing mode is allowed): it may be renamed and removed,
  // and the File goes on reading and writing it. The name is gone once
  // the last handle is closed (at once on POSIX).
  TempDir dir;
  const std::string path = dir / "f";
  const std::string moved = dir / "moved";
  put(path, "content");
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "r+b");
    std::error_code error;
    std::filesystem::rename(path, moved, error);
    EXPECT_FALSE(error) << "rename of an open file: " << error.message();
    EXPECT_FALSE(exists(path));
    EXPECT_TRUE(exists(moved));
    const std::string before = co_await f.read();
    EXPECT_EQ(before, "content");
    co_await f.write("!");
    EXPECT_EQ(get(moved), "content!");
    std::filesystem::remove(moved, error);
    EXPECT_FALSE(error) << "remove of an open file: " << error.message();
    const std::string after = co_await f.read_at(0, 100);
    EXPECT_EQ(after, "content!");
    co_await f.close();
  });
  EXPECT_FALSE(exists(moved)) << "the removed file is still there after its last close";
}

// ---------------------------------------------------------------------------
// Closing, destruction and moves.

TEST(File, EveryOperationOnAClosedFileThrowsEbadfNamingThePath) {
  TempDir dir;
  const std::string path = dir / "f";
  put(path, "content");
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "r+");
    EXPECT_TRUE(f.is_open());
    co_await f.close();
    EXPECT_FALSE(f.is_open());
    std::vector<std::byte> buf(4);
    std::vector<Failure> failures;
    failures.push_back(co_await failure_of(f.read()));
    failures.push_back(co_await failure_of(f.read(3)));
    failures.push_back(co_await failure_of(f.write("x")));
    failures.push_back(co_await failure_of(f.read_at(0, 3)));
    failures.push_back(co_await failure_of(f.read_at(0, as_span(buf))));
    failures.push_back(co_await failure_of(f.write_at(0, "x")));
    failures.push_back(co_await failure_of(f.fsync()));
    failures.push_back(co_await failure_of(f.size()));
    failures.push_back(co_await failure_of(all_lines(f)));
    for (std::size_t i = 0; i < failures.size(); ++i) {
      EXPECT_EQ(failures[i].code, std::errc::bad_file_descriptor) << "operation " << i << ": " << failures[i].what;
      EXPECT_TRUE(contains(failures[i].what, path)) << "operation " << i << ": " << failures[i].what;
    }
  });
  EXPECT_EQ(get(path), "content");
}

TEST(File, ClosingTwiceIsHarmless) {
  TempDir dir;
  const std::string path = dir / "f";
  put(path, "x");
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path);
    co_await f.close();
    co_await f.close();
    File never_opened;
    co_await never_opened.close();
    EXPECT_FALSE(f.is_open());
  });
}

TEST(File, AFileDestroyedWhileOpenIsClosed) {
  TempDir dir;
  const std::string path = dir / "f";
  put(path, "x");
  std::intptr_t after_run = -1;
  {
    std::optional<File> outlives_the_loop;
    run_bounded([&]() -> Task<void> {
      std::intptr_t fd = -1;
      {
        File f = co_await open_file(path);
        fd = f.native_handle();
        EXPECT_FALSE(descriptor_is_closed(fd, path));
      }
      co_await sleep(10ms);  // the close runs on the loop, detached
      EXPECT_TRUE(descriptor_is_closed(fd, path)) << "descriptor " << fd << " is still open";
      File kept = co_await open_file(path);
      after_run = kept.native_handle();
      outlives_the_loop.emplace(std::move(kept));
    });
    EXPECT_FALSE(descriptor_is_closed(after_run, path));
  }  // destroyed with no loop running: closed at once
  EXPECT_TRUE(descriptor_is_closed(after_run, path)) << "descriptor " << after_run << " is still open";
}

TEST(File, MoveConstructionTakesTheOpenFileWithItsPosition) {
  TempDir dir;
  const std::string path = dir / "f";
  put(path, "abcdef");
  run_bounded([&]() -> Task<void> {
    File a = co_await open_file(path, "rb");
    const std::string ab = co_await a.read(2);
    EXPECT_EQ(ab, "ab");
    const std::intptr_t fd = a.native_handle();
    File b(std::move(a));
    EXPECT_FALSE(a.is_open());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    EXPECT_TRUE(b.is_open());
    EXPECT_EQ(b.native_handle(), fd);
    EXPECT_EQ(b.tell(), 2u);
    EXPECT_EQ(b.path(), path);
    EXPECT_EQ(b.mode(), "rb");
    const std::string cd = co_await b.read(2);
    EXPECT_EQ(cd, "cd");
    Failure failure = co_await failure_of(a.read(1));  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(failure.code, std::errc::bad_file_descriptor) << failure.what;
    co_await a.close();  // NOLINT(bugprone-use-after-move): harmless
    co_await b.close();
  });
}

TEST(File, MoveAssignmentClosesTheFileItReplaces) {
  TempDir dir;
  const std::string one = dir / "one";
  const std::string two = dir / "two";
  put(one, "first");
  put(two, "second");
  run_bounded([&]() -> Task<void> {
    File a = co_await open_file(one);
    File b = co_await open_file(two);
    const std::intptr_t old_fd = a.native_handle();
    const std::intptr_t moved_fd = b.native_handle();
    a = std::move(b);
    EXPECT_FALSE(b.is_open());  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(a.native_handle(), moved_fd);
    EXPECT_EQ(a.path(), two);
    co_await sleep(10ms);
    EXPECT_TRUE(descriptor_is_closed(old_fd, one)) << "the replaced file's descriptor " << old_fd << " is still open";
    const std::string content = co_await a.read();
    EXPECT_EQ(content, "second");
    co_await a.close();
  });
}

// ---------------------------------------------------------------------------
// read_file / write_file.

TEST(File, WriteFileThenReadFileRoundTripsText) {
  TempDir dir;
  const std::string path = dir / "note.txt";
  run_bounded([&]() -> Task<void> {
    co_await write_file(path, "line one\r\nline two\n");
    const std::string back = co_await read_file(path);
    EXPECT_EQ(back, "line one\r\nline two\n");  // bytes as they are
  });
}

TEST(File, WriteFileThenReadFileRoundTripsBinaryDataWithNulBytes) {
  TempDir dir;
  const std::string path = dir / "blob";
  std::string data;
  for (int round = 0; round < 1000; ++round) {
    for (int b = 0; b < 256; ++b) data.push_back(static_cast<char>(b));
  }
  data += std::string(1000, '\0');
  data += random_bytes(100 * kKiB, 3);
  run_bounded([&]() -> Task<void> {
    co_await write_file(path, data);
    const std::string back = co_await read_file(path);
    EXPECT_EQ(back.size(), data.size());
    EXPECT_TRUE(back == data) << "the bytes differ";
  });
  EXPECT_TRUE(get(path) == data);
}

TEST(File, WriteFileOfNothingMakesAnEmptyFileThatReadsBackEmpty) {
  TempDir dir;
  const std::string path = dir / "empty";
  const std::string replaced = dir / "replaced";
  put(replaced, "old content that must go");
  run_bounded([&]() -> Task<void> {
    co_await write_file(path, "");
    const std::string back = co_await read_file(path);
    EXPECT_EQ(back, "");
    co_await write_file(replaced, "new");
    const std::string now = co_await read_file(replaced);
    EXPECT_EQ(now, "new");
  });
  EXPECT_TRUE(exists(path));
  EXPECT_EQ(get(path), "");
}

TEST(File, ReadFileOfAMissingFileThrowsEnoentNamingThePath) {
  TempDir dir;
  const std::string path = dir / "missing";
  run_bounded([&]() -> Task<void> {
    Failure failure = co_await failure_of(read_file(path));
    EXPECT_EQ(failure.code, std::errc::no_such_file_or_directory);
    EXPECT_TRUE(contains(failure.what, path)) << failure.what;
    Failure no_dir = co_await failure_of(write_file(dir / "no-dir/f", "x"));
    EXPECT_EQ(no_dir.code, std::errc::no_such_file_or_directory);
    EXPECT_TRUE(contains(no_dir.what, dir / "no-dir/f")) << no_dir.what;
  });
}

// ---------------------------------------------------------------------------
// Errors.

TEST(File, OpeningADirectoryThrowsEisdirForReadingAndForWriting) {
  TempDir dir;
  const std::string sub = dir / "sub";
  ASSERT_TRUE(std::filesystem::create_directory(sub));
  const int descriptors_before = open_descriptor_count();
  run_bounded([&]() -> Task<void> {
    for (const char* mode : {"r", "rb", "r+", "w", "a", "w+"}) {
      Failure failure = co_await failure_of(open_file(sub, mode));
      EXPECT_EQ(failure.code, std::errc::is_a_directory) << mode << ": " << failure.what;
      EXPECT_TRUE(contains(failure.what, sub)) << mode << ": " << failure.what;
    }
    Failure read_failure = co_await failure_of(read_file(sub));
    EXPECT_EQ(read_failure.code, std::errc::is_a_directory) << read_failure.what;
    co_await sleep(10ms);  // a descriptor opened on the way is closed
  });
  EXPECT_EQ(open_descriptor_count(), descriptors_before) << "a descriptor leaked";
}

TEST(File, OpeningWithoutPermissionThrowsEaccesNamingThePath) {
  // Windows: a file another handle holds open without sharing it, which no
  // one may open in any mode (Windows' everyday "permission denied"; Wine
  // run as root does not enforce the read-only attribute, so that is no
  // refusal to test here).
  // POSIX, not as root: a file with mode 000. As root (the usual case in a
  // container) permission bits are not enforced, so the refusal comes from
  // a read-only sysctl: /proc/sys/kernel/osrelease (0444), which the kernel
  // refuses to open for writing whoever asks (proc_sys_permission checks the
  // table's mode itself, CAP_DAC_OVERRIDE or not).
  TempDir dir;
  std::string path;
  std::vector<const char*> modes;
#if defined(_WIN32)
  path = dir / "locked";
  put(path, "secret");
  const HANDLE holder = ::CreateFileA(path.c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING, 0, nullptr);
  ASSERT_NE(holder, INVALID_HANDLE_VALUE) << "error " << ::GetLastError();
  modes = {"r", "r+", "w", "a"};
#else
  if (::geteuid() != 0) {
    path = dir / "locked";
    put(path, "secret");
    ASSERT_EQ(::chmod(path.c_str(), 0), 0);
    modes = {"r", "r+", "w", "a"};
  } else {
    path = "/proc/sys/kernel/osrelease";
    ASSERT_TRUE(exists(path)) << "no " << path << " to refuse root";
    modes = {"w", "r+", "a"};
  }
#endif
  run_bounded([&]() -> Task<void> {
    for (const char* mode : modes) {
      Failure failure = co_await failure_of(open_file(path, mode));
      EXPECT_EQ(failure.code, std::errc::permission_denied) << mode << ": " << failure.what;
      EXPECT_TRUE(contains(failure.what, path)) << mode << ": " << failure.what;
    }
  });
#if defined(_WIN32)
  ::CloseHandle(holder);
  EXPECT_EQ(get(path), "secret") << "a refused open changed the file";
#endif
}

TEST(File, WritingAFileOpenedForReadingThrowsEbadfNamingThePath) {
  TempDir dir;
  const std::string path = dir / "f";
  put(path, "read only");
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "r");
    Failure write = co_await failure_of(f.write("x"));
    EXPECT_EQ(write.code, std::errc::bad_file_descriptor);
    EXPECT_TRUE(contains(write.what, path)) << write.what;
    Failure write_at = co_await failure_of(f.write_at(0, "x"));
    EXPECT_EQ(write_at.code, std::errc::bad_file_descriptor);
    const std::string still = co_await f.read();  // the file is still usable
    EXPECT_EQ(still, "read only");
    co_await f.close();
  });
  EXPECT_EQ(get(path), "read only");
}

#if !defined(_WIN32)
// POSIX only: a full disk is a tmpfs mounted for the test, and Windows (or
// Wine) has no small file system a test can mount.

// A tmpfs of `size` mounted on a fresh directory, unmounted at the end.
class SmallTmpfs {
 public:
  SmallTmpfs(const TempDir& dir, const char* size) : path_(dir / "tmpfs") {
    if (::mkdir(path_.c_str(), 0755) != 0) {
      error_ = std::string("mkdir: ") + std::strerror(errno);
      return;
    }
    const std::string options = std::string("size=") + size;
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      error_ = std::string("mount -t tmpfs -o ") + options + " " + path_ + ": " + std::strerror(errno) +
               (::geteuid() == 0 ? " (as root)" : " (not root: mounting needs CAP_SYS_ADMIN)");
      return;
    }
    mounted_ = true;
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;
  ~SmallTmpfs() {
    if (mounted_ && ::umount2(path_.c_str(), MNT_DETACH) != 0) {
      ADD_FAILURE() << "umount " << path_ << ": " << std::strerror(errno);
    }
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
  std::string error_;
  bool mounted_ = false;
};

TEST(File, AWriteToAFullDiskThrowsEnospcNamingThePath) {
  // A real full file system: a 1 MiB tmpfs (this needs CAP_SYS_ADMIN; the
  // suite runs as root in its container). RLIMIT_FSIZE would give EFBIG,
  // another error, so it is no substitute.
  TempDir dir;
  SmallTmpfs disk(dir, "1m");
  ASSERT_TRUE(disk.mounted()) << "cannot make a full disk to test ENOSPC: " << disk.error();
  const std::string path = disk / "big";
  const std::string data = random_bytes(2 * kMiB, 4);
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "wb");
    Failure failure = co_await failure_of(f.write(data));
    EXPECT_EQ(failure.code, std::errc::no_space_on_device) << failure.what;
    EXPECT_TRUE(contains(failure.what, path)) << failure.what;
    co_await f.close();
    Failure whole = co_await failure_of(write_file(disk / "other", data));
    EXPECT_EQ(whole.code, std::errc::no_space_on_device) << whole.what;
    EXPECT_TRUE(contains(whole.what, disk / "other")) << whole.what;
  });
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_LE(st.st_size, static_cast<off_t>(kMiB));
}
#endif

// ---------------------------------------------------------------------------
// lines().

TEST(File, LinesYieldsEachLineWithItsNewlineAndALastLineWithout) {
  TempDir dir;
  const std::string path = dir / "f";
  put(path, "one\ntwo\n\nfour");
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path);
    const std::vector<std::string> lines = co_await all_lines(f);
    const std::vector<std::string> want = {"one\n", "two\n", "\n", "four"};
    EXPECT_EQ(lines, want);
    co_await f.close();
  });
}

TEST(File, LinesStartAtThePosition) {
  TempDir dir;
  const std::string path = dir / "f";
  put(path, "header\nbody 1\nbody 2\n");
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path);
    const std::string header = co_await f.read(7);
    EXPECT_EQ(header, "header\n");
    const std::vector<std::string> lines = co_await all_lines(f);
    const std::vector<std::string> want = {"body 1\n", "body 2\n"};
    EXPECT_EQ(lines, want);
    co_await f.close();
  });
}

TEST(File, LinesInTextModeTurnCrlfIntoNewlineAndBinaryModeKeepsIt) {
  TempDir dir;
  const std::string path = dir / "f";
  // The second "\r\n" straddles the first 64 KiB read.
  const std::string long_line(64 * kKiB - 1 - 5, 'x');
  put(path, "first\r\n" + long_line + "\r\nlast\r\n");
  run_bounded([&]() -> Task<void> {
    File text = co_await open_file(path, "r");
    const std::vector<std::string> text_lines = co_await all_lines(text);
    const std::vector<std::string> text_want = {"first\n", long_line + "\n", "last\n"};
    EXPECT_TRUE(text_lines == text_want) << "text mode: " << text_lines.size() << " lines";
    co_await text.close();

    File binary = co_await open_file(path, "rb");
    const std::vector<std::string> binary_lines = co_await all_lines(binary);
    const std::vector<std::string> binary_want = {"first\r\n", long_line + "\r\n", "last\r\n"};
    EXPECT_TRUE(binary_lines == binary_want) << "binary mode: " << binary_lines.size() << " lines";
    co_await binary.close();
  });
}

TEST(File, LinesOfAnEmptyFileYieldNothing) {
  TempDir dir;
  const std::string path = dir / "empty";
  put(path, "");
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path);
    const std::vector<std::string> lines = co_await all_lines(f);
    EXPECT_TRUE(lines.empty()) << lines.size() << " lines";
    co_await f.close();
  });
}

TEST(File, ALineLongerThan64KiBComesOutWhole) {
  TempDir dir;
  const std::string path = dir / "f";
  std::string long_line(200 * kKiB + 3, 'y');
  long_line += "\n";
  put(path, "short\n" + long_line + "tail");
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path);
    const std::vector<std::string> lines = co_await all_lines(f);
    EXPECT_EQ(lines.size(), 3u);
    if (lines.size() != 3) co_return;
    EXPECT_EQ(lines[0], "short\n");
    EXPECT_EQ(lines[1].size(), long_line.size());
    EXPECT_TRUE(lines[1] == long_line);
    EXPECT_EQ(lines[2], "tail");
    co_await f.close();
  });
}

// ---------------------------------------------------------------------------
// Concurrency and scale.

// Raises the soft limit on open descriptors to the hard limit; returns it.
std::uint64_t raise_open_file_limit() {
#if defined(_WIN32)
  return 1u << 24;  // no per-process limit to raise: some 16 million handles
#else
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
#endif
}

Task<bool> write_wait_read(std::string path, std::string content, int& open_count, int total, Event& all_open) {
  File f = co_await open_file(path, "w+b");
  if (++open_count == total) all_open.set();
  co_await all_open.wait();  // every file is open at once
  co_await f.write(content);
  f.seek(0);
  const std::string back = co_await f.read();
  co_await f.close();
  co_return back == content;
}

TEST(File, AThousandFilesAreWrittenAndReadBackConcurrently) {
  constexpr int kFiles = 1000;
  const std::uint64_t limit = raise_open_file_limit();
  ASSERT_GE(limit, static_cast<std::uint64_t>(kFiles + 100)) << "RLIMIT_NOFILE's hard limit is too low";
  TempDir dir;
  std::vector<std::string> paths;
  std::vector<std::string> contents;
  for (int i = 0; i < kFiles; ++i) {
    paths.push_back(dir / ("file" + std::to_string(i)));
    contents.push_back("file " + std::to_string(i) + "\n" + random_bytes(static_cast<std::size_t>(i % 37) * 100, i));
  }
  run_bounded([&]() -> Task<void> {
    int open_count = 0;
    Event all_open;
    std::vector<Task<bool>> round_trips;
    for (int i = 0; i < kFiles; ++i) round_trips.push_back(write_wait_read(paths[i], contents[i], open_count, kFiles, all_open));
    const std::vector<bool> ok = co_await gather(std::move(round_trips));
    EXPECT_EQ(std::count(ok.begin(), ok.end(), true), kFiles);

    // And again through read_file, all at once.
    std::vector<Task<std::string>> reads;
    for (int i = 0; i < kFiles; ++i) reads.push_back(read_file(paths[i]));
    const std::vector<std::string> back = co_await gather(std::move(reads));
    int same = 0;
    for (int i = 0; i < kFiles; ++i) same += back[i] == contents[i] ? 1 : 0;
    EXPECT_EQ(same, kFiles);
  });
  for (int i = 0; i < kFiles; ++i) {
    if (get(paths[i]) != contents[i]) {
      ADD_FAILURE() << paths[i] << " has the wrong content";
      break;
    }
  }
}

Task<bool> read_and_check(File& f, const std::string& content, std::uint64_t offset, std::size_t n, bool into_span) {
  std::string got;
  if (into_span) {
    std::vector<std::byte> buf(n);
    const std::size_t read = co_await f.read_at(offset, as_span(buf));
    got = as_string(buf, read);
  } else {
    got = co_await f.read_at(offset, n);
  }
  const std::size_t end = std::min<std::size_t>(content.size(), offset + n);
  // One read may come back short (the span variant), never wrong.
  co_return !got.empty() && got.size() <= end - offset && got == content.substr(offset, got.size()) &&
      (into_span || got.size() == end - offset);
}

TEST(File, ManyConcurrentReadAtsOnOneFileEachGetTheirOwnBytes) {
  constexpr int kReaders = 64;
  TempDir dir;
  const std::string path = dir / "four-mib";
  const std::string content = random_bytes(4 * kMiB, 5);
  put(path, content);
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "rb");
    std::vector<Task<bool>> reads;
    for (int i = 0; i < kReaders; ++i) {
      const std::uint64_t offset = static_cast<std::uint64_t>(i) * (content.size() / kReaders) + static_cast<std::uint64_t>(i) * 13;
      const std::size_t n = 64 * kKiB + static_cast<std::size_t>(i) * 101;
      reads.push_back(read_and_check(f, content, offset, n, i % 2 == 0));
    }
    const std::vector<bool> ok = co_await gather(std::move(reads));
    for (int i = 0; i < kReaders; ++i) EXPECT_TRUE(ok[i]) << "reader " << i << " got the wrong bytes";
    EXPECT_EQ(f.tell(), 0u);
    co_await f.close();
  });
}


TEST(File, AHugeFileReadInChunksKeepsMemoryFlat) {
  // 1 GiB, as the feature asks: writing and reading it back takes a few
  // seconds here (fastbuild and ASan alike), so no smaller stand-in is needed.
  constexpr std::uint64_t kSize = 1024ull * kMiB;
  constexpr std::size_t kChunk = kMiB;
  constexpr std::uint64_t kChunks = kSize / kChunk;
  // Peak resident growth allowed while 1 GiB goes through. ASan keeps freed
  // blocks in its quarantine (256 MiB by default) before reusing them, and
  // shadow memory besides, so a flat program grows by some 300 MiB under
  // ASan; there the live heap, which ASan counts, must stay flat instead,
  // and resident memory only far below the gigabyte.
  constexpr long long kAllowedHeapGrowth = 64ll * kMiB;
  const long kAllowedGrowthKiB = under_asan() ? 512 * 1024 : 64 * 1024;
  TempDir dir;
  const std::string path = dir / "huge";
  // Chunk i is one random block with i in its first 8 bytes: a chunk read
  // from the wrong place shows.
  const std::string block = random_bytes(kChunk, 6);
  auto chunk_index = [](const std::string& chunk) {
    std::uint64_t i = 0;
    std::memcpy(&i, chunk.data(), sizeof i);
    return i;
  };
  const long rss_before = memory_kib("VmRSS");
  ASSERT_TRUE(reset_peak_memory()) << "cannot reset VmHWM through /proc/self/clear_refs";
  const long long heap_before = live_heap_bytes();
  long long heap_peak = heap_before;
  run_bounded(
      [&]() -> Task<void> {
        File out = co_await open_file(path, "wb");
        std::string piece = block;
        for (std::uint64_t i = 0; i < kChunks; ++i) {
          std::memcpy(piece.data(), &i, sizeof i);
          const std::size_t n = co_await out.write_at(i * kChunk, piece);
          heap_peak = std::max(heap_peak, live_heap_bytes());
          if (n != kChunk) {
            ADD_FAILURE() << "short write at chunk " << i;
            co_return;
          }
        }
        co_await out.close();

        File in = co_await open_file(path, "rb");
        std::uint64_t chunks = 0;
        std::uint64_t bytes = 0;
        std::uint64_t bad = 0;
        std::uint64_t checksum = 0;
        for (;;) {
          const std::string chunk = co_await in.read(kChunk);
          if (chunk.empty()) break;
          bytes += chunk.size();
          heap_peak = std::max(heap_peak, live_heap_bytes());
          if (chunk.size() != kChunk || chunk_index(chunk) != chunks ||
              std::memcmp(chunk.data() + 8, block.data() + 8, kChunk - 8) != 0) {
            ++bad;
          }
          checksum += chunk_index(chunk);
          ++chunks;
        }
        co_await in.close();
        EXPECT_EQ(bytes, kSize);
        EXPECT_EQ(chunks, kChunks);
        EXPECT_EQ(bad, 0u) << "chunks with the wrong content";
        EXPECT_EQ(checksum, kChunks * (kChunks - 1) / 2);
      },
      std::chrono::seconds(120));
  const long peak = memory_kib("VmHWM");
  std::printf("resident memory: %ld KiB before, a peak of %ld KiB while 1 GiB went through\n", rss_before, peak);
  if (heap_before >= 0) std::printf("live heap: grew by %lld bytes at most\n", heap_peak - heap_before);
  EXPECT_LT(heap_peak - heap_before, kAllowedHeapGrowth) << "the live heap grew by " << heap_peak - heap_before << " bytes";
  EXPECT_LT(peak - rss_before, kAllowedGrowthKiB)
      << "resident memory grew from " << rss_before << " KiB to a peak of " << peak << " KiB";
}

// ---------------------------------------------------------------------------
// Cancellation.

TEST(File, ACancelledReadOfARegularFileEndsWithCancelledErrorOrItsBytesAndLetsGoOfTheBuffer) {
  constexpr int kRounds = 200;
  TempDir dir;
  const std::string path = dir / "f";
  const std::string content = random_bytes(4 * kMiB, 7);
  put(path, content);
  int cancelled = 0;
  int completed = 0;
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "rb");
    std::vector<std::byte> canary(kMiB);
    for (int round = 0; round < kRounds; ++round) {
      std::fill(canary.begin(), canary.end(), std::byte{0xAB});
      const std::uint64_t offset = static_cast<std::uint64_t>(round % 3) * kMiB;
      auto reader = create_task(f.read_at(offset, as_span(canary)));
      // Cancel before the read starts, once it reached the backend, a loop
      // turn later, or a moment later (when it may well have finished).
      if (round % 4 == 1) co_await sleep(0ms);
      if (round % 4 == 2) {
        co_await sleep(0ms);
        co_await sleep(0ms);
      }
      if (round % 4 == 3) co_await sleep(std::chrono::microseconds(20 * (round % 10)));
      reader.cancel();
      bool was_cancelled = false;
      std::size_t n = 0;
      try {
        n = co_await reader;
      } catch (const CancelledError&) {
        was_cancelled = true;
      }
      if (was_cancelled) {
        ++cancelled;
        // The buffer is ours again: nothing may write it from now on.
        std::fill(canary.begin(), canary.end(), std::byte{0xCD});
        co_await sleep(1ms);
        const bool untouched = std::all_of(canary.begin(), canary.end(), [](std::byte b) { return b == std::byte{0xCD}; });
        EXPECT_TRUE(untouched) << "round " << round << ": the buffer was written after CancelledError";
      } else {
        ++completed;
        EXPECT_GT(n, 0u) << "round " << round;
        EXPECT_TRUE(as_string(canary, n) == content.substr(offset, n)) << "round " << round << ": wrong bytes";
      }
    }
    // The loop and the file are still healthy.
    const std::string head = co_await f.read_at(0, 16);
    EXPECT_EQ(head, content.substr(0, 16));
    co_await sleep(1ms);
    co_await f.close();
  });
  EXPECT_EQ(cancelled + completed, kRounds);
  EXPECT_GT(cancelled, 0) << "no round was cancelled at all";
  std::printf("cancelled %d, completed before the cancel landed %d\n", cancelled, completed);
}

// A FIFO whose other end the test holds, with plain blocking calls: on
// POSIX a named FIFO the test keeps open for reading and writing (so no
// open of it waits for the other side); on Windows, which has no FIFOs, a
// named pipe's server end, and open_file(path()) opens its client end.
class Fifo {
 public:
  explicit Fifo([[maybe_unused]] const TempDir& dir) {
#if defined(_WIN32)
    static int count = 0;
    path_ = "\\\\.\\pipe\\coio-" + std::to_string(::GetCurrentProcessId()) + "-" + std::to_string(++count);
    server_ = ::CreateNamedPipeA(path_.c_str(), PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT,
                                 1, 64 * 1024, 64 * 1024, 0, nullptr);
    if (server_ == INVALID_HANDLE_VALUE) error_ = "CreateNamedPipe: error " + std::to_string(::GetLastError());
#else
    path_ = dir / "fifo";
    if (::mkfifo(path_.c_str(), 0600) != 0) {
      error_ = std::string("mkfifo: ") + std::strerror(errno);
      return;
    }
    keeper_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
    if (keeper_ < 0) error_ = std::string("open: ") + std::strerror(errno);
#endif
  }
  Fifo(const Fifo&) = delete;
  Fifo& operator=(const Fifo&) = delete;
  ~Fifo() {
#if defined(_WIN32)
    if (server_ != INVALID_HANDLE_VALUE) ::CloseHandle(server_);
#else
    if (keeper_ >= 0) ::close(keeper_);
#endif
  }
  const std::string& path() const { return path_; }
  // Empty when the FIFO is ready; else why not.
  const std::string& error() const { return error_; }

  // Writes all of `data` at the test's end; false on an error.
  bool write(const std::string& data) {
#if defined(_WIN32)
    connect();
    DWORD n = 0;
    return ::WriteFile(server_, data.data(), static_cast<DWORD>(data.size()), &n, nullptr) && n == data.size();
#else
    return ::write(keeper_, data.data(), data.size()) == static_cast<ssize_t>(data.size());
#endif
  }

  // Reads `n` bytes at the test's end (fewer on an error).
  std::string read(std::size_t n) {
    std::string out(n, '\0');
    std::size_t done = 0;
    while (done < n) {
#if defined(_WIN32)
      connect();
      DWORD got = 0;
      if (!::ReadFile(server_, out.data() + done, static_cast<DWORD>(n - done), &got, nullptr) || got == 0) break;
#else
      const ssize_t got = ::read(keeper_, out.data() + done, n - done);
      if (got <= 0) break;
#endif
      done += static_cast<std::size_t>(got);
    }
    out.resize(done);
    return out;
  }

 private:
#if defined(_WIN32)
  // The client (coio) has opened the pipe by now: this returns at once.
  void connect() {
    if (!connected_) connected_ = ::ConnectNamedPipe(server_, nullptr) || ::GetLastError() == ERROR_PIPE_CONNECTED;
  }
  HANDLE server_ = INVALID_HANDLE_VALUE;
  bool connected_ = false;
#else
  int keeper_ = -1;
#endif
  std::string path_;
  std::string error_;
};

TEST(File, ACancelledReadOfAFifoLeavesTheBufferAndTheDataAlone) {
  // A FIFO with no data is a read that really blocks: the cancel must abort
  // it in the kernel, and bytes written afterwards must neither land in the
  // caller's buffer nor be consumed by the aborted read.
  TempDir dir;
  // The test's end is open first, so that opening the reader does not wait
  // for a writer and the read waits for data instead of seeing the end.
  Fifo fifo(dir);
  ASSERT_EQ(fifo.error(), "");
  const std::string path = fifo.path();
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "rb");
    std::vector<std::byte> canary(64, std::byte{0xAB});
    auto reader = create_task(f.read_at(0, as_span(canary)));
    co_await sleep(20ms);  // the read is in flight, blocked
    EXPECT_FALSE(reader.done());
    const auto start = Clock::now();
    reader.cancel();
    bool was_cancelled = false;
    try {
      co_await reader;
    } catch (const CancelledError&) {
      was_cancelled = true;
    }
    EXPECT_TRUE(was_cancelled) << "a read with nothing to read ended without CancelledError";
    EXPECT_LT(ms_since(start), 1000.0) << "the cancel took too long";
    EXPECT_TRUE(fifo.write("DATA")) << "write to the FIFO";
    co_await sleep(20ms);
    const bool untouched = std::all_of(canary.begin(), canary.end(), [](std::byte b) { return b == std::byte{0xAB}; });
    EXPECT_TRUE(untouched) << "the aborted read wrote the buffer";
    // Nothing was lost: the next read gets every byte (at once: had the
    // aborted read taken them, this one would wait, and time out).
    std::vector<std::byte> buf(64);
    const std::size_t n = co_await wait_for(f.read_at(0, as_span(buf)), 2s);
    EXPECT_EQ(as_string(buf, n), "DATA");
    co_await f.close();
  });
}

#if !defined(_WIN32)
TEST(File, AFifoIsReadAndWrittenInOrderWhateverTheOffsets) {
  // A FIFO cannot seek: pread/pwrite would fail with ESPIPE, so its bytes
  // come and go in order and the offsets do not apply.
  TempDir dir;
  Fifo fifo(dir);  // neither open below waits for the other side
  ASSERT_EQ(fifo.error(), "");
  const std::string path = fifo.path();
  run_bounded([&]() -> Task<void> {
    File out = co_await open_file(path, "wb");
    File in = co_await open_file(path, "rb");
    const std::size_t a = co_await out.write("hello ");
    const std::size_t b = co_await out.write_at(1000, "world");
    EXPECT_EQ(a + b, 11u);
    const std::string got = co_await in.read(11);
    EXPECT_EQ(got, "hello world");
    co_await out.write("abc");
    const std::string more = co_await in.read_at(12345, 3);
    EXPECT_EQ(more, "abc");
    co_await out.close();
    co_await in.close();
  });
}
#endif

TEST(File, APipeIsReadAndWrittenInOrderWhateverTheOffsets) {
  // The same through one File open for both ("r+b"), the test at the other
  // end: the way a Windows named pipe, whose clients each have a pipe of
  // their own, is used.
  TempDir dir;
  Fifo fifo(dir);
  ASSERT_EQ(fifo.error(), "");
  const std::string path = fifo.path();
  run_bounded([&]() -> Task<void> {
    File f = co_await open_file(path, "r+b");
    const std::size_t a = co_await f.write("hello ");
    const std::size_t b = co_await f.write_at(1000, "world");
    EXPECT_EQ(a + b, 11u);
    EXPECT_EQ(fifo.read(11), "hello world");
    EXPECT_TRUE(fifo.write("abc"));
    const std::string more = co_await f.read_at(12345, 3);
    EXPECT_EQ(more, "abc");
    co_await f.close();
  });
}

}  // namespace
}  // namespace coio::testing
