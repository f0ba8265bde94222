#include "nginx.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "tests/support/blocking_socket.h"

namespace coio::testing {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A port nothing listens on now (the kernel's pick); nginx is then started
// on it, and start() retries should someone take it in between.
int free_port() {
  std::uint16_t port = 0;
  loopback_socket(false, port);
  return port;
}

bool accepts(int port) {
#if defined(_WIN32)
  Fd fd(::WSASocketW(AF_INET, SOCK_STREAM, 0, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT));
#else
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
#endif
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return fd.valid() && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
}

std::string nginx_program() {
  return std::filesystem::exists(local_path("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : "nginx";
}

}  // namespace

Nginx::Nginx() : dir_(make_unix_temp_dir()) {
  std::filesystem::create_directories(local("www"));
  std::filesystem::create_directories(local("tmp"));
  // A self-signed certificate for "localhost" and 127.0.0.1.
  const std::string make_cert = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
                                " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout '" +
                                unix_path("key.pem") + "' -out '" + unix_path("cert.pem") + "' 2>'" +
                                unix_path("openssl.log") + "'";
  if (run_shell(make_cert, dir_) != 0) {
    throw std::runtime_error("openssl could not make a test certificate: " + read_all(local("openssl.log")));
  }
}

Nginx::~Nginx() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(local_path(dir_), ignored);
}

std::string Nginx::content(std::size_t size) {
  std::string data(size, '\0');
  std::uint32_t x = 2463534242u;  // xorshift: every offset has its own byte
  for (std::size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    data[i] = static_cast<char>(x);
  }
  return data;
}

void Nginx::add_file(const std::string& name, std::size_t size) {
  std::ofstream out(local("www/" + name), std::ios::binary | std::ios::trunc);
  const std::string data = content(size);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("cannot write " + name);
}

void Nginx::add_sparse_file(const std::string& name, std::size_t size) {
  const std::string path = local("www/" + name);
  { std::ofstream create(path, std::ios::binary | std::ios::trunc); }
  std::filesystem::resize_file(path, size);
}

std::string Nginx::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::string Nginx::tls_url(std::string_view path) const {
  return "https://localhost:" + std::to_string(tls_port_) + std::string(path);
}

void Nginx::write_config() const {
  const std::string prefix = dir_;
  std::ofstream conf(local("nginx.conf"), std::ios::trunc);
  // Workers must read the test's files, which are root's when the test runs
  // as root; nginx ignores the line (with a warning) when it is not root.
  conf << "user root;\n";
  conf << "daemon off;\nmaster_process on;\nworker_processes 1;\n"
       << "pid " << prefix << "/nginx.pid;\n"
       << "error_log " << prefix << "/error.log warn;\n"
       << "events { worker_connections 4096; }\n"
       << "http {\n"
       << "  access_log off;\n  default_type application/octet-stream;\n  sendfile on;\n"
       << "  keepalive_timeout 65;\n  keepalive_requests 100000;\n"
       << "  client_body_temp_path " << prefix << "/tmp/body;\n"
       << "  proxy_temp_path " << prefix << "/tmp/proxy;\n"
       << "  fastcgi_temp_path " << prefix << "/tmp/fastcgi;\n"
       << "  uwsgi_temp_path " << prefix << "/tmp/uwsgi;\n"
       << "  scgi_temp_path " << prefix << "/tmp/scgi;\n"
       << "  server {\n"
       << "    listen 127.0.0.1:" << port_ << " backlog=1024;\n"
       << "    listen 127.0.0.1:" << tls_port_ << " ssl;\n"
       << "    ssl_certificate " << prefix << "/cert.pem;\n"
       << "    ssl_certificate_key " << prefix << "/key.pem;\n"
       << "    root " << prefix << "/www;\n"
       << "    location = /redirect { return 302 /1k.bin; }\n"
       << "    location = /redirect-loop { return 302 /redirect-loop; }\n"
       << "    location = /connection { default_type text/plain; return 200 \"$connection\"; }\n"
       << "    location = /page { default_type \"text/html; charset=utf-8\"; return 200 \"<p>coio</p>\"; }\n"
       << "  }\n"
       << "}\n";
  if (!conf) throw std::runtime_error("cannot write nginx.conf");
}

void Nginx::start() {
  std::string last_error;
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    tls_port_ = free_port();
    if (tls_port_ == port_) continue;
    write_config();
    process_.start(nginx_program() + " -p '" + dir_ + "' -c '" + unix_path("nginx.conf") + "' -e '" +
                       unix_path("error.log") + "'",
                   dir_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (process_.exited()) {
        last_error = "nginx exited: " + read_all(local("error.log"));
        break;
      }
      if (accepts(port_) && accepts(tls_port_)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (process_.running()) {
      stop();
      last_error = "nginx did not accept connections within 10 s: " + read_all(local("error.log"));
    }
    if (last_error.find("in use") == std::string::npos) break;  // only a port race is worth another try
  }
  throw std::runtime_error(last_error);
}

void Nginx::stop() noexcept {
  process_.stop();  // SIGTERM: a fast shutdown, the master stops its workers
}

}  // namespace coio::testing
