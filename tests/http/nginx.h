// tests/http/nginx.h: Debian's nginx, started and stopped by the test, on
// 127.0.0.1 — a real HTTP server that no one here wrote.
//
// Linux's nginx also serves a Windows test run under Wine (unix_command.h).
//
// It serves a directory of files over HTTP and HTTPS (a self-signed
// certificate made with openssl for "localhost"), plus a few fixed
// locations:
//   /redirect        302 to /1k.bin        /redirect-loop  302 to itself
//   /connection      the number nginx gives the connection (keep-alive)
//   /page            text/html with charset
#pragma once

#include <string>
#include <string_view>

#include "unix_command.h"

namespace coio::testing {

class Nginx {
 public:
  // Starts nginx serving the files written with add_file() before start().
  Nginx();
  ~Nginx();
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;

  // Writes www/<name> with `size` bytes of a fixed pattern (see content()).
  void add_file(const std::string& name, std::size_t size);
  // A sparse file of `size` bytes (zeros), e.g. a gigabyte.
  void add_sparse_file(const std::string& name, std::size_t size);
  // Launches nginx and waits until it accepts connections.
  void start();
  void stop() noexcept;

  int port() const noexcept { return port_; }
  int tls_port() const noexcept { return tls_port_; }
  std::string url(std::string_view path) const;
  std::string tls_url(std::string_view path) const;

  // The bytes add_file() writes for a file of `size` bytes.
  static std::string content(std::size_t size);

 private:
  void write_config() const;
  // The Linux path of `name` in the directory, and where this program opens it.
  std::string unix_path(const std::string& name) const { return dir_ + "/" + name; }
  std::string local(const std::string& name) const { return local_path(unix_path(name)); }

  std::string dir_;  // a Linux path: nginx and openssl are Linux programs
  int port_ = 0;
  int tls_port_ = 0;
  ShellProcess process_;
};

}  // namespace coio::testing
