#include "coio/resolve.h"

#include <cctype>
#include <memory>
#include <stdexcept>

#include "coio/internal/os.h"
#include "coio/to_thread.h"

namespace coio {
namespace {

class ResolveCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "getaddrinfo"; }
  std::string message(int code) const override { return ::gai_strerror(code); }
};

// getaddrinfo(3), blocking: runs on the thread pool.
std::vector<SocketAddress> lookup(const std::string& host, std::uint16_t port, SocketKind kind) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = kind == SocketKind::kStream ? SOCK_STREAM : SOCK_DGRAM;
  hints.ai_flags = AI_ADDRCONFIG | (host.empty() ? AI_PASSIVE : 0);
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    if (rc == internal::os::kResolveSystemError) {
      throw std::system_error(internal::os::error(internal::os::last_error()), "getaddrinfo '" + host + "'");
    }
    throw ResolveError(rc, host);
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
  std::vector<SocketAddress> addresses;
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    auto address = SocketAddress::from_native(ai->ai_addr, ai->ai_addrlen);
    bool seen = false;
    for (const auto& a : addresses) seen = seen || a == address;
    if (!seen) addresses.push_back(address);
  }
  if (addresses.empty()) throw ResolveError(EAI_NONAME, host);
  return addresses;
}

// RFC 6761: "invalid" and the names under it never resolve, and resolver
// libraries should say so at once, without asking a DNS server.
bool is_reserved_invalid(const std::string& host) {
  std::string name = host;
  if (!name.empty() && name.back() == '.') name.pop_back();
  for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return name == "invalid" || (name.size() > 8 && name.ends_with(".invalid"));
}

}  // namespace

const std::error_category& resolve_category() noexcept {
  static const ResolveCategory category;
  return category;
}

ResolveError::ResolveError(int eai_code, const std::string& host)
    : std::system_error(eai_code, resolve_category(), "cannot resolve '" + host + "'"), host_(host) {}

Task<std::vector<SocketAddress>> resolve(std::string host, std::uint16_t port, SocketKind kind) {
  if (auto numeric = SocketAddress::try_parse(host, port)) {
    std::vector<SocketAddress> one;
    one.push_back(*numeric);
    co_return one;
  }
  if (is_reserved_invalid(host)) throw ResolveError(EAI_NONAME, host);
  co_return co_await to_thread(lookup, std::move(host), port, kind);
}

}  // namespace coio
