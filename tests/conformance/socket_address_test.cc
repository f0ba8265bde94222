// SocketAddress: numeric IPv4/IPv6 and Unix-domain addresses as values.
#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>
#endif

#include <optional>
#include <stdexcept>
#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace coio::testing {
namespace {

TEST(SocketAddress, ParsesAnIpv4AddressAndPort) {
  const SocketAddress a = SocketAddress::parse("127.0.0.1", 8080);
  EXPECT_EQ(a.family(), AF_INET);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a.host(), "127.0.0.1");
  EXPECT_EQ(a.port(), 8080);
  EXPECT_EQ(a.to_string(), "127.0.0.1:8080");
  EXPECT_EQ(a.native_length(), sizeof(sockaddr_in));
  const auto* in = reinterpret_cast<const sockaddr_in*>(a.native());
  EXPECT_EQ(ntohs(in->sin_port), 8080);
  EXPECT_EQ(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
}

TEST(SocketAddress, ParsesAnIpv6AddressWithOrWithoutBrackets) {
  const SocketAddress bare = SocketAddress::parse("::1", 443);
  EXPECT_EQ(bare.family(), AF_INET6);
  EXPECT_EQ(bare.host(), "::1");
  EXPECT_EQ(bare.port(), 443);
  EXPECT_EQ(bare.to_string(), "[::1]:443");
  EXPECT_EQ(bare.native_length(), sizeof(sockaddr_in6));

  const SocketAddress bracketed = SocketAddress::parse("[::1]", 443);
  EXPECT_EQ(bracketed.family(), AF_INET6);
  EXPECT_EQ(bracketed, bare);

  const SocketAddress longer = SocketAddress::parse("2001:db8::42", 0);
  EXPECT_EQ(longer.host(), "2001:db8::42");
  EXPECT_EQ(longer.to_string(), "[2001:db8::42]:0");
}

TEST(SocketAddress, ParseOfANameOrGarbageThrowsInvalidArgumentNamingIt) {
  try {
    (void)SocketAddress::parse("localhost", 80);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("localhost"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)SocketAddress::parse("", 80), std::invalid_argument);
  EXPECT_THROW((void)SocketAddress::parse("256.1.1.1", 80), std::invalid_argument);
  EXPECT_THROW((void)SocketAddress::parse("[::1", 80), std::invalid_argument);
  EXPECT_THROW((void)SocketAddress::parse("127.0.0.1:80", 80), std::invalid_argument);
}

TEST(SocketAddress, TryParseOfANameIsNothingAndOfAnIpIsTheAddress) {
  EXPECT_EQ(SocketAddress::try_parse("localhost", 80), std::nullopt);
  EXPECT_EQ(SocketAddress::try_parse("example.invalid", 80), std::nullopt);
  EXPECT_EQ(SocketAddress::try_parse("", 80), std::nullopt);
  const std::optional<SocketAddress> v4 = SocketAddress::try_parse("10.1.2.3", 7);
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->to_string(), "10.1.2.3:7");
  const std::optional<SocketAddress> v6 = SocketAddress::try_parse("[fe80::1]", 7);
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->to_string(), "[fe80::1]:7");
}

TEST(SocketAddress, AUnixPathIsItsOwnHostAndStringWithPortZero) {
  const SocketAddress a = SocketAddress::unix_path("/run/app.sock");
  EXPECT_EQ(a.family(), AF_UNIX);
  EXPECT_EQ(a.host(), "/run/app.sock");
  EXPECT_EQ(a.to_string(), "/run/app.sock");
  EXPECT_EQ(a.port(), 0);
  const auto* un = reinterpret_cast<const sockaddr_un*>(a.native());
  EXPECT_STREQ(un->sun_path, "/run/app.sock");
}

TEST(SocketAddress, AUnixPathTooLongOrEmptyThrowsInvalidArgument) {
  const std::size_t room = sizeof(sockaddr_un{}.sun_path);  // 108 on Linux, with the NUL
  const std::string longest(room - 1, 'p');
  EXPECT_EQ(SocketAddress::unix_path(longest).host(), longest);
  EXPECT_THROW((void)SocketAddress::unix_path(std::string(room, 'p')), std::invalid_argument);
  EXPECT_THROW((void)SocketAddress::unix_path(std::string(500, 'p')), std::invalid_argument);
  EXPECT_THROW((void)SocketAddress::unix_path(""), std::invalid_argument);
}

TEST(SocketAddress, EqualityComparesFamilyAddressAndPort) {
  EXPECT_EQ(SocketAddress::parse("127.0.0.1", 80), SocketAddress::parse("127.0.0.1", 80));
  EXPECT_NE(SocketAddress::parse("127.0.0.1", 80), SocketAddress::parse("127.0.0.1", 81));
  EXPECT_NE(SocketAddress::parse("127.0.0.1", 80), SocketAddress::parse("127.0.0.2", 80));
  EXPECT_NE(SocketAddress::parse("::1", 80), SocketAddress::parse("127.0.0.1", 80));
  EXPECT_NE(SocketAddress::parse("::ffff:127.0.0.1", 80), SocketAddress::parse("127.0.0.1", 80));
  EXPECT_EQ(SocketAddress::unix_path("/tmp/a"), SocketAddress::unix_path("/tmp/a"));
  EXPECT_NE(SocketAddress::unix_path("/tmp/a"), SocketAddress::unix_path("/tmp/b"));
  EXPECT_EQ(SocketAddress(), SocketAddress());
  EXPECT_NE(SocketAddress(), SocketAddress::parse("0.0.0.0", 0));
}

TEST(SocketAddress, ADefaultAddressIsEmptyAndSaysSo) {
  const SocketAddress a;
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.family(), AF_UNSPEC);
  EXPECT_EQ(a.port(), 0);
  EXPECT_EQ(a.host(), "");
  EXPECT_EQ(a.to_string(), "(no address)");
}

TEST(SocketAddress, FromNativeCopiesASystemAddress) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(5353);
  in.sin_addr.s_addr = htonl(0xC0A80001);  // 192.168.0.1
  const SocketAddress a = SocketAddress::from_native(reinterpret_cast<const sockaddr*>(&in), sizeof in);
  EXPECT_EQ(a.to_string(), "192.168.0.1:5353");
  EXPECT_EQ(a, SocketAddress::parse("192.168.0.1", 5353));
}

}  // namespace
}  // namespace coio::testing
