// //api:core's Windows seam (src/windows/os.cc) and SocketAddress on Winsock.
#include <string>

#include "coio/internal/os.h"
#include "coio/socket_address.h"
#include "gtest/gtest.h"

namespace coio {
namespace {

TEST(WindowsSocketAddress, ParsesAndPrintsIPv4AndIPv6) {
  EXPECT_EQ(SocketAddress::parse("127.0.0.1", 8080).to_string(), "127.0.0.1:8080");
  EXPECT_EQ(SocketAddress::parse("[::1]", 443).to_string(), "[::1]:443");
  EXPECT_EQ(SocketAddress::parse("::1", 443).family(), AF_INET6);
  EXPECT_FALSE(SocketAddress::try_parse("localhost", 80).has_value());
}

TEST(WindowsSocketAddress, UnixPathRoundTrips) {
  EXPECT_EQ(SocketAddress::unix_path("C:\\tmp\\app.sock").host(), "C:\\tmp\\app.sock");
}

TEST(WindowsOs, OpensAndBindsAnOverlappedSocket) {
  const std::intptr_t s = internal::os::open_socket(AF_INET, SOCK_STREAM);
  ASSERT_GE(s, 0) << "WSASocketW failed: " << internal::os::last_error();
  EXPECT_EQ(internal::os::set_socket_option(s, IPPROTO_TCP, TCP_NODELAY, 1), 0);
  SocketAddress any = SocketAddress::parse("127.0.0.1", 0);
  ASSERT_EQ(::bind(static_cast<SOCKET>(s), any.native(), any.native_length()), 0);
  SocketAddress bound;
  socklen_t length = SocketAddress::capacity();
  ASSERT_EQ(::getsockname(static_cast<SOCKET>(s), bound.native(), &length), 0);
  bound.set_native_length(length);
  EXPECT_EQ(bound.host(), "127.0.0.1");
  EXPECT_NE(bound.port(), 0);
  internal::os::close_socket(s);
}

TEST(WindowsOs, ReportsWinsockErrors) {
  EXPECT_EQ(internal::os::open_socket(12345, SOCK_STREAM), -1);
  EXPECT_EQ(internal::os::last_error(), WSAEAFNOSUPPORT);
}

}  // namespace
}  // namespace coio
