// Windows' error codes as coio reports them: the core's category of Win32
// and Winsock codes (api/src/windows/error_category.cc), and a refused
// connection on the IOCP backend, which must be the same std::errc
// condition as on every other backend while keeping Windows' code and text.
#include <string>
#include <system_error>

#include "coio/coio.h"
#include "coio/internal/os.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/blocking_socket.h"

namespace coio {
namespace {

using internal::os::error;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

// ERROR_DIRECTORY_NOT_SUPPORTED, missing from mingw-w64's headers: what the
// IOCP backend reports for a directory opened as a file.
constexpr int kDirectoryNotSupported = 336;

TEST(WindowsErrorCategory, WinsockAndWin32CodesEqualTheirErrcConditions) {
  EXPECT_EQ(error(WSAECONNREFUSED), std::errc::connection_refused);
  EXPECT_EQ(error(ERROR_CONNECTION_REFUSED), std::errc::connection_refused);
  EXPECT_EQ(error(WSAECONNRESET), std::errc::connection_reset);
  EXPECT_EQ(error(ERROR_NETNAME_DELETED), std::errc::connection_reset);
  EXPECT_EQ(error(WSAECONNABORTED), std::errc::connection_aborted);
  EXPECT_EQ(error(WSAEADDRINUSE), std::errc::address_in_use);
  EXPECT_EQ(error(WSAEAFNOSUPPORT), std::errc::address_family_not_supported);
  EXPECT_EQ(error(WSAETIMEDOUT), std::errc::timed_out);
  EXPECT_EQ(error(WSAEWOULDBLOCK), std::errc::operation_would_block);
  EXPECT_EQ(error(ERROR_BROKEN_PIPE), std::errc::broken_pipe);
  EXPECT_EQ(error(ERROR_FILE_NOT_FOUND), std::errc::no_such_file_or_directory);
  EXPECT_EQ(error(ERROR_PATH_NOT_FOUND), std::errc::no_such_file_or_directory);
  EXPECT_EQ(error(ERROR_FILE_EXISTS), std::errc::file_exists);
  EXPECT_EQ(error(ERROR_ACCESS_DENIED), std::errc::permission_denied);
  EXPECT_EQ(error(ERROR_INVALID_HANDLE), std::errc::bad_file_descriptor);
  EXPECT_EQ(error(ERROR_DISK_FULL), std::errc::no_space_on_device);
  EXPECT_EQ(error(kDirectoryNotSupported), std::errc::is_a_directory);
  // Equal to its own condition only.
  EXPECT_NE(error(WSAECONNREFUSED), std::errc::connection_reset);
  EXPECT_NE(error(ERROR_FILE_NOT_FOUND), std::errc::permission_denied);
}

TEST(WindowsErrorCategory, ACodeWithoutAPosixCounterpartStaysItself) {
  const std::error_condition condition = error(ERROR_INVALID_PRINTER_NAME).default_error_condition();
  EXPECT_EQ(&condition.category(), &internal::os::error_category());
  EXPECT_EQ(condition.value(), ERROR_INVALID_PRINTER_NAME);
}

TEST(WindowsErrorCategory, MessagesAreWindowsOwnTextWithoutTheLineBreak) {
  const int codes[] = {WSAECONNREFUSED, ERROR_FILE_NOT_FOUND, ERROR_ACCESS_DENIED};
  for (const int code : codes) {
    const std::string message = error(code).message();
    EXPECT_FALSE(message.empty()) << code;
    // FormatMessage knew the code: not the category's fallback.
    EXPECT_THAT(message, Not(HasSubstr("Windows error"))) << code;
    EXPECT_THAT(message, Not(HasSubstr("\n"))) << code;
    EXPECT_NE(message.back(), '.') << code;
  }
  // A code Windows has no text for is named by its number.
  EXPECT_EQ(error(0x2fffffff).message(), "Windows error 805306367");
  EXPECT_STREQ(internal::os::error_category().name(), "windows");
}

// A port where nothing listens: bound (so that nobody else takes it) but
// never listening, so a connection is refused.
TEST(IocpErrors, AConnectionRefusedIsWindowsCodeAndTextAndTheErrcCondition) {
  std::uint16_t port = 0;
  const testing::Fd bound = testing::loopback_socket(/*listening=*/false, port);
  coio::run([](std::uint16_t closed_port) -> Task<void> {
    const SocketAddress where = SocketAddress::parse("127.0.0.1", closed_port);
    try {
      TcpStream stream = co_await TcpStream::connect(where);
      ADD_FAILURE() << "connected to " << where.to_string();
    } catch (const std::system_error& e) {
      EXPECT_EQ(e.code(), std::errc::connection_refused) << e.what();
      // What the OS said, in the core's Windows category, with its words.
      EXPECT_EQ(&e.code().category(), &internal::os::error_category()) << e.code().category().name();
      EXPECT_THAT(e.code().value(), AnyOf(WSAECONNREFUSED, static_cast<int>(ERROR_CONNECTION_REFUSED)));
      EXPECT_THAT(e.what(), HasSubstr(e.code().message()));
      EXPECT_THAT(e.what(), HasSubstr(where.to_string()));
      EXPECT_THAT(e.code().message(), Not(HasSubstr("Unknown error")));
    }
  }(port));
}

}  // namespace
}  // namespace coio
