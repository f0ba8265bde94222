// coio::http::Client against real servers on 127.0.0.1: Debian's nginx for
// what a well-behaved server does, and TestServer (coio streams) for slow,
// short, cut and chunked responses.
#include <curl/curl.h>

#include <stdlib.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "coio/coio.h"
#include "coio/http/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nginx.h"
#include "test_server.h"
#include "tests/support/co_assert.h"
#include "tests/support/memory.h"
#include "tests/support/watchdog.h"
#include "tests/support/wine.h"

namespace coio::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using http::Client;
using http::ClientOptions;
using http::Response;

constexpr std::size_t kMiB = 1024 * 1024;

// The process's environment, where libcurl reads proxies from.
void set_env(const char* name, const char* value) {
#if defined(_WIN32)
  ::_putenv_s(name, value);  // also SetEnvironmentVariable, which libcurl reads there
#else
  ::setenv(name, value, 1);
#endif
}

void unset_env(const char* name) {
#if defined(_WIN32)
  ::_putenv_s(name, "");  // an empty value removes it
#else
  ::unsetenv(name);
#endif
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// One nginx for the whole test binary, started on first use.
Nginx& nginx() {
  static Nginx* server = [] {
    auto* n = new Nginx;
    n->add_file("empty.bin", 0);
    n->add_file("1k.bin", 1024);
    n->add_file("1m.bin", kMiB);
    n->add_file("10m.bin", 10 * kMiB);
    n->add_sparse_file("1g.bin", 1024 * kMiB);
    n->start();
    std::atexit([] { nginx().stop(); });
    return n;
  }();
  return *server;
}

// The error a request failed with, or a failure when it did not fail.
template <class E = http::Error>
Task<std::optional<E>> failure_of(Task<Response> request) {
  try {
    Response r = co_await std::move(request);
    ADD_FAILURE() << "expected an error, got status " << r.status;
  } catch (const E& e) {
    co_return e;
  }
  co_return std::nullopt;
}

// ---------------------------------------------------------------------------
// Responses from nginx.

TEST(HttpClient, GetsStaticFilesOfSeveralSizesByteForByte) {
  const std::vector<std::pair<std::string, std::size_t>> files = {
      {"/empty.bin", 0}, {"/1k.bin", 1024}, {"/1m.bin", kMiB}, {"/10m.bin", 10 * kMiB}};
  run_bounded([&]() -> Task<void> {
    Client client;
    for (const auto& [path, size] : files) {
      const std::string url = nginx().url(path);
      Response r = co_await client.get(url);
      EXPECT_EQ(r.status, 200) << path;
      EXPECT_EQ(r.body.size(), size) << path;
      EXPECT_TRUE(r.body == Nginx::content(size)) << path << ": the body differs from the file";
      EXPECT_EQ(r.url, url);
      EXPECT_EQ(r.headers.get("Content-Length"), std::to_string(size));
    }
  });
}

TEST(HttpClient, ANotFoundIsAResponseUntilRaiseForStatus) {
  run_bounded([&]() -> Task<void> {
    Client client;
    const std::string url = nginx().url("/missing.bin");
    Response r = co_await client.get(url);
    EXPECT_EQ(r.status, 404);
    EXPECT_THAT(r.text(), HasSubstr("404 Not Found"));
    try {
      r.raise_for_status();
      ADD_FAILURE() << "raise_for_status() did not throw for a 404";
    } catch (const http::StatusError& e) {
      EXPECT_EQ(e.status(), 404);
      EXPECT_EQ(e.url(), url);
      EXPECT_THAT(e.what(), HasSubstr("404"));
      EXPECT_EQ(e.code().category(), http::curl_category());
    }
    Response ok = co_await client.get(nginx().url("/1k.bin"));
    EXPECT_NO_THROW(ok.raise_for_status());
  });
}

TEST(HttpClient, HeadersAreLookedUpWithoutRegardToCase) {
  run_bounded([&]() -> Task<void> {
    Client client;
    Response r = co_await client.get(nginx().url("/page"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.text(), "<p>coio</p>");
    EXPECT_EQ(r.headers.get("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.headers.get("CONTENT-TYPE"), "text/html; charset=utf-8");
    EXPECT_EQ(r.headers.get_all("Content-type").size(), 1u);
    EXPECT_TRUE(r.headers.contains("server"));
    EXPECT_FALSE(r.headers.get("X-Not-There").has_value());
  });
}

TEST(HttpClient, FollowsRedirectsAndReportsTheFinalUrl) {
  run_bounded([&]() -> Task<void> {
    Client client;
    Response r = co_await client.get(nginx().url("/redirect"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.url, nginx().url("/1k.bin"));
    EXPECT_EQ(r.body, Nginx::content(1024));
    // The headers are the final response's, not the redirect's.
    EXPECT_FALSE(r.headers.contains("Location"));
  });
}

TEST(HttpClient, WithoutFollowingARedirectIsTheResponse) {
  run_bounded([&]() -> Task<void> {
    ClientOptions options;
    options.follow_redirects = false;
    Client client(options);
    Response r = co_await client.get(nginx().url("/redirect"));
    EXPECT_EQ(r.status, 302);
    EXPECT_THAT(std::string(r.headers.get("location").value_or("")), HasSubstr("/1k.bin"));
    EXPECT_EQ(r.url, nginx().url("/redirect"));
  });
}

TEST(HttpClient, ARedirectLoopStopsAtTheLimit) {
  run_bounded([&]() -> Task<void> {
    ClientOptions options;
    options.max_redirects = 3;
    Client client(options);
    auto e = co_await failure_of(client.get(nginx().url("/redirect-loop")));
    CO_ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code().value(), CURLE_TOO_MANY_REDIRECTS);
    EXPECT_EQ(e->url(), nginx().url("/redirect-loop"));
  });
}

TEST(HttpClient, RequestsOfOneClientReuseItsConnection) {
  run_bounded([&]() -> Task<void> {
    Client client;
    const std::string url = nginx().url("/connection");
    std::vector<std::string> connections;
    for (int i = 0; i < 10; ++i) {
      Response r = co_await client.get(url);
      connections.push_back(r.body);
    }
    for (const std::string& c : connections) EXPECT_EQ(c, connections.front()) << "a request opened a new connection";
    // A second Client has connections of its own.
    Client other;
    Response r = co_await other.get(url);
    EXPECT_NE(r.body, connections.front());
  });
}

TEST(HttpClient, HttpsWithASelfSignedCertificateFailsVerification) {
  if (under_wine()) {
    GTEST_SKIP() << "Wine's Schannel does not check the server's certificate (Windows does): "
                    "libcurl on Schannel accepts any certificate under Wine";
  }
  run_bounded([&]() -> Task<void> {
    Client client;
    const std::string url = nginx().tls_url("/1k.bin");
    auto e = co_await failure_of(client.get(url));
    CO_ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code().value(), CURLE_PEER_FAILED_VERIFICATION) << e->what();
    EXPECT_THAT(e->what(), HasSubstr(url));
  });
}

TEST(HttpClient, HttpsWithVerificationOffAcceptsASelfSignedCertificate) {
  run_bounded([&]() -> Task<void> {
    const std::string url = nginx().tls_url("/1k.bin");
    ClientOptions insecure;
    insecure.verify_tls = false;
    Client unchecked(insecure);
    Response r = co_await unchecked.get(url);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, Nginx::content(1024));
  });
}

TEST(HttpClient, HttpsSpokenToAPlainHttpPortIsATlsError) {
  run_bounded([&]() -> Task<void> {
    ClientOptions insecure;
    insecure.verify_tls = false;
    Client client(insecure);
    const std::string url = "https://127.0.0.1:" + std::to_string(nginx().port()) + "/1k.bin";
    auto e = co_await failure_of(client.get(url));
    CO_ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code().value(), CURLE_SSL_CONNECT_ERROR) << e->what();
  });
}

TEST(HttpClient, AThousandConcurrentRequestsShareOneHundredConnections) {
  run_bounded(
      [&]() -> Task<void> {
        TestServer server = co_await TestServer::start();
        Client client;  // max_connections = 100 by default
        const std::string url = server.url("/sleep/5");
        std::vector<Task<Response>> requests;
        for (int i = 0; i < 1000; ++i) requests.push_back(client.get(url));
        std::vector<Response> responses = co_await gather(std::move(requests));
        int ok = 0;
        for (const Response& r : responses) ok += r.status == 200 && r.body == "ok";
        EXPECT_EQ(ok, 1000);
        EXPECT_EQ(server.stats().requests, 1000u);
        EXPECT_LE(server.stats().max_open, 100u);
        EXPECT_GE(server.stats().max_open, 50u) << "the requests did not run concurrently";
        EXPECT_LE(server.stats().connections, 100u) << "connections were not reused";
        co_await server.close();
      },
      120s);
}

TEST(HttpClient, AStreamedGigabyteKeepsMemoryFlat) {
  constexpr std::uint64_t kSize = 1024ull * kMiB;
  const std::string url = nginx().url("/1g.bin");
  const long rss_before = memory_kib("VmRSS");
  ASSERT_TRUE(reset_peak_memory()) << "cannot reset VmHWM through /proc/self/clear_refs";
  const long long heap_before = live_heap_bytes();
  long long heap_peak = heap_before;
  run_bounded(
      [&]() -> Task<void> {
        Client client;
        http::Request request;
        request.url = url;
        request.stream = true;
        Response r = co_await client.request(std::move(request));
        EXPECT_EQ(r.status, 200);
        EXPECT_TRUE(r.body.empty());
        EXPECT_EQ(r.headers.get("content-length"), std::to_string(kSize));
        std::uint64_t bytes = 0;
        std::uint64_t nonzero = 0;
        auto chunks = r.body_chunks();
        while (auto chunk = co_await chunks.next()) {
          bytes += chunk->size();
          nonzero += chunk->find_first_not_of('\0') != std::string::npos;
          heap_peak = std::max(heap_peak, live_heap_bytes());
        }
        EXPECT_EQ(bytes, kSize);
        EXPECT_EQ(nonzero, 0u) << "chunks with bytes other than the file's zeros";
      },
      180s);
  const long peak = memory_kib("VmHWM");
  std::printf("resident memory: %ld KiB before, a peak of %ld KiB while 1 GiB streamed\n", rss_before, peak);
  EXPECT_LT(heap_peak - heap_before, 64ll * kMiB) << "the live heap grew by " << heap_peak - heap_before;
  EXPECT_LT(peak - rss_before, under_asan() ? 512 * 1024 : 64 * 1024) << "resident memory grew to " << peak << " KiB";
}

TEST(HttpClient, BodyChunksOfAPlainResponseYieldTheBodyOnce) {
  run_bounded([&]() -> Task<void> {
    Client client;
    Response r = co_await client.get(nginx().url("/1k.bin"));
    std::string joined;
    int count = 0;
    auto chunks = r.body_chunks();
    while (auto chunk = co_await chunks.next()) {
      joined += *chunk;
      ++count;
    }
    EXPECT_EQ(count, 1);
    EXPECT_EQ(joined, r.body);
  });
}

TEST(HttpClient, AStreamedResponseThatIsNotReadToTheEndCanBeDropped) {
  run_bounded([&]() -> Task<void> {
    Client client;
    {
      http::Request request;
      request.url = nginx().url("/1g.bin");
      request.stream = true;
      Response r = co_await client.request(std::move(request));
      auto chunks = r.body_chunks();
      auto first = co_await chunks.next();
      EXPECT_TRUE(first.has_value() && !first->empty());
    }
    // The dropped transfer's connection is gone; the Client goes on.
    Response r = co_await client.get(nginx().url("/1k.bin"));
    EXPECT_EQ(r.body.size(), 1024u);
  });
}

// ---------------------------------------------------------------------------
// Methods, bodies and headers, as a server receives them.

TEST(HttpClient, PostPutAndDeleteSendTheirMethodBodyAndHeaders) {
  run_bounded([&]() -> Task<void> {
    TestServer server = co_await TestServer::start();
    Client client;
    const std::string url = server.url("/echo");
    const http::Headers headers{{"X-Coio", "yes"}, {"Content-Type", "text/plain"}};
    Response posted = co_await client.post(url, "the body", headers);
    EXPECT_THAT(posted.body, HasSubstr("POST /echo HTTP/1.1\r\n"));
    EXPECT_THAT(posted.body, HasSubstr("X-Coio: yes\r\n"));
    EXPECT_THAT(posted.body, HasSubstr("Content-Length: 8\r\n"));
    EXPECT_THAT(posted.body, ::testing::EndsWith("\r\n\r\nthe body"));
    EXPECT_THAT(posted.body, ::testing::Not(HasSubstr("Expect:")));

    Response put = co_await client.put(url, std::string(100000, 'p'));
    EXPECT_THAT(put.body, HasSubstr("PUT /echo HTTP/1.1\r\n"));
    EXPECT_THAT(put.body, ::testing::EndsWith(std::string(100000, 'p')));

    Response deleted = co_await client.delete_(url);
    EXPECT_THAT(deleted.body, HasSubstr("DELETE /echo HTTP/1.1\r\n"));

    http::Request patch;
    patch.method = "PATCH";
    patch.url = url;
    patch.body = "{}";
    Response patched = co_await client.request(std::move(patch));
    EXPECT_THAT(patched.body, HasSubstr("PATCH /echo HTTP/1.1\r\n"));
    EXPECT_THAT(patched.body, ::testing::EndsWith("{}"));

    http::Request head;
    head.method = "HEAD";
    head.url = nginx().url("/1m.bin");
    Response headed = co_await client.request(std::move(head));
    EXPECT_EQ(headed.status, 200);
    EXPECT_TRUE(headed.body.empty());
    EXPECT_EQ(headed.headers.get("Content-Length"), std::to_string(kMiB));

    const http::Headers accept{{"Accept", "text/plain"}, {"X-Empty", ""}};
    Response got = co_await client.get(url, accept);
    EXPECT_THAT(got.body, HasSubstr("GET /echo HTTP/1.1\r\n"));
    EXPECT_THAT(got.body, HasSubstr("Accept: text/plain\r\n"));
    EXPECT_THAT(got.body, HasSubstr("X-Empty:"));
    EXPECT_THAT(got.body, HasSubstr("User-Agent: coio-http/1\r\n"));
    co_await server.close();
  });
}

TEST(HttpClient, CookiesAreKeptForTheClientsLaterRequests) {
  run_bounded([&]() -> Task<void> {
    TestServer server = co_await TestServer::start();
    Client client;
    Response before = co_await client.get(server.url("/echo"));
    EXPECT_THAT(before.body, ::testing::Not(HasSubstr("Cookie:")));
    Response set = co_await client.get(server.url("/set-cookie"));
    EXPECT_EQ(set.headers.get("set-cookie"), "flavour=oatmeal; Path=/");
    Response after = co_await client.get(server.url("/echo"));
    EXPECT_THAT(after.body, HasSubstr("Cookie: flavour=oatmeal\r\n"));
    // Another Client has a jar of its own.
    Client other;
    Response elsewhere = co_await other.get(server.url("/echo"));
    EXPECT_THAT(elsewhere.body, ::testing::Not(HasSubstr("Cookie:")));
    co_await server.close();
  });
}

TEST(HttpClient, AChunkedBodyIsReassembledAndStreamsChunkByChunk) {
  run_bounded([&]() -> Task<void> {
    TestServer server = co_await TestServer::start();
    Client client;
    Response whole = co_await client.get(server.url("/chunked"));
    EXPECT_EQ(whole.body, "chunk0chunk1chunk2chunk3chunk4");

    http::Request request;
    request.url = server.url("/chunked");
    request.stream = true;
    Response streamed = co_await client.request(std::move(request));
    std::vector<std::string> pieces;
    auto chunks = streamed.body_chunks();
    while (auto chunk = co_await chunks.next()) pieces.push_back(*chunk);
    EXPECT_GE(pieces.size(), 3u) << "the chunks, 10 ms apart, came in one piece";
    std::string joined;
    for (const auto& p : pieces) joined += p;
    EXPECT_EQ(joined, "chunk0chunk1chunk2chunk3chunk4");
    co_await server.close();
  });
}

TEST(HttpClient, AFoldedHeaderLineIsJoinedWithASpace) {
  run_bounded([&]() -> Task<void> {
    TestServer server = co_await TestServer::start();
    Client client;
    Response r = co_await client.get(server.url("/folded"));
    EXPECT_EQ(r.headers.get("X-Folded"), "first second");
    EXPECT_EQ(r.headers.get("X-After"), "yes");
    co_await server.close();
  });
}

TEST(HttpClient, ProxiesComeFromTheEnvironmentOrTheOptions) {
  run_bounded([&]() -> Task<void> {
    TestServer proxy = co_await TestServer::start();
    const std::string target = "http://nonexistent.invalid/page";
    {
      ClientOptions options;
      options.proxy = proxy.url("");
      Client client(options);
      Response r = co_await client.get(target);
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(r.body, "proxied " + target);
    }
    // As libcurl reads it, for each transfer: http_proxy, and no_proxy.
    set_env("http_proxy", proxy.url("").c_str());
    {
      Client client;
      Response r = co_await client.get(target);
      EXPECT_EQ(r.body, "proxied " + target);
      set_env("no_proxy", "nonexistent.invalid");
      auto e = co_await failure_of(client.get(target));
      EXPECT_TRUE(e.has_value() && e->code().value() == CURLE_COULDNT_RESOLVE_HOST);
    }
    unset_env("http_proxy");
    unset_env("no_proxy");
    co_await proxy.close();
  });
}

// ---------------------------------------------------------------------------
// Bad input: each fails with a clear error, and the Client goes on.

TEST(HttpClient, ABodyShorterThanItsContentLengthIsAnError) {
  run_bounded([&]() -> Task<void> {
    TestServer server = co_await TestServer::start();
    Client client;
    auto e = co_await failure_of(client.get(server.url("/short")));
    CO_ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code().value(), CURLE_PARTIAL_FILE) << e->what();
    EXPECT_THAT(e->what(), HasSubstr(server.url("/short")));

    // Streamed: the cut shows at the end of body_chunks().
    http::Request request;
    request.url = server.url("/short");
    request.stream = true;
    Response r = co_await client.request(std::move(request));
    std::size_t bytes = 0;
    bool failed = false;
    try {
      auto chunks = r.body_chunks();
      while (auto chunk = co_await chunks.next()) bytes += chunk->size();
    } catch (const http::Error& cut) {
      failed = true;
      EXPECT_EQ(cut.code().value(), CURLE_PARTIAL_FILE);
    }
    EXPECT_TRUE(failed) << "a cut body streamed to its end without an error";
    EXPECT_EQ(bytes, 500u);

    Response ok = co_await client.get(server.url("/status/200"));
    EXPECT_EQ(ok.status, 200);
    co_await server.close();
  });
}

TEST(HttpClient, AServerClosingMidResponseIsAnError) {
  run_bounded([&]() -> Task<void> {
    TestServer server = co_await TestServer::start();
    Client client;
    for (const char* path : {"/close-mid", "/chunked-cut"}) {
      auto e = co_await failure_of(client.get(server.url(path)));
      CO_ASSERT_TRUE(e.has_value());
      EXPECT_NE(e->code().value(), CURLE_OK) << path;
      EXPECT_THAT(e->what(), HasSubstr(path));
    }
    co_await server.close();
  });
}

TEST(HttpClient, AnUnresolvableHostIsAnErrorNamingIt) {
  run_bounded([&]() -> Task<void> {
    Client client;
    auto e = co_await failure_of(client.get("http://nonexistent.invalid/page"));
    CO_ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code().value(), CURLE_COULDNT_RESOLVE_HOST);
    EXPECT_THAT(e->what(), HasSubstr("nonexistent.invalid"));
    EXPECT_EQ(e->url(), "http://nonexistent.invalid/page");
  });
}

TEST(HttpClient, AClosedPortIsConnectionRefused) {
  // A port that was just free: nothing listens there.
  int port = 0;
  run_bounded([&]() -> Task<void> {
    TestServer server = co_await TestServer::start();
    const std::string url = server.url("/");
    port = std::stoi(url.substr(url.rfind(':') + 1));
    co_await server.close();
    Client client;
    auto e = co_await failure_of(client.get(url));
    CO_ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code().value(), CURLE_COULDNT_CONNECT);
    EXPECT_EQ(e->os_error(), ECONNREFUSED);
    EXPECT_THAT(e->what(), HasSubstr(std::to_string(port)));
  });
}

TEST(HttpClient, AnUnsupportedSchemeIsRefusedBeforeAnythingIsSent) {
  run_bounded([&]() -> Task<void> {
    Client client;
    auto e = co_await failure_of(client.get("file:///etc/passwd"));
    CO_ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code().value(), CURLE_UNSUPPORTED_PROTOCOL);
    auto bad = co_await failure_of(client.get("http://[::1"));
    CO_ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(bad->code().value(), CURLE_URL_MALFORMAT);
  });
}

// ---------------------------------------------------------------------------
// Timeouts and cancellation.

TEST(HttpClient, TheClientsTimeoutIsAnHttpTimeoutError) {
  run_bounded([&]() -> Task<void> {
    TestServer server = co_await TestServer::start();
    ClientOptions options;
    options.timeout = 100ms;
    Client client(options);
    const auto start = Clock::now();
    auto e = co_await failure_of<http::TimeoutError>(client.get(server.url("/sleep/5000")));
    const double took = ms_since(start);
    CO_ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code().value(), CURLE_OPERATION_TIMEDOUT);
    EXPECT_GE(took, 90);
    EXPECT_LT(took, 2000);
    // A request's own timeout overrides the Client's.
    http::Request patient;
    patient.url = server.url("/sleep/300");
    patient.timeout = 5s;
    Response r = co_await client.request(std::move(patient));
    EXPECT_EQ(r.body, "ok");
    co_await server.close();
  });
}

TEST(HttpClient, WaitForCancelsTheTransferAndTheClientGoesOn) {
  run_bounded([&]() -> Task<void> {
    TestServer server = co_await TestServer::start();
    Client client;
    const auto start = Clock::now();
    bool timed_out = false;
    try {
      co_await wait_for(client.get(server.url("/hold")), 100ms);
    } catch (const TimeoutError&) {
      timed_out = true;
    }
    EXPECT_TRUE(timed_out);
    EXPECT_LT(ms_since(start), 2000);
    // The transfer's connection was closed: the server sees its client go.
    for (int i = 0; i < 200 && server.stats().holds_ended == 0; ++i) co_await sleep(5ms);
    EXPECT_EQ(server.stats().holds_ended, 1u);
    Response r = co_await client.get(server.url("/status/201"));
    EXPECT_EQ(r.status, 201);
    co_await server.close();
  });
}

TEST(HttpClient, CancellingTheRequestingTaskStopsItsTransfer) {
  run_bounded([&]() -> Task<void> {
    TestServer server = co_await TestServer::start();
    Client client;
    std::vector<TaskHandle<Response>> held;
    for (int i = 0; i < 10; ++i) held.push_back(create_task(client.get(server.url("/hold"))));
    while (server.stats().requests < 10) co_await sleep(5ms);
    for (auto& h : held) h.cancel();
    int cancelled = 0;
    for (auto& h : held) {
      try {
        co_await h;
      } catch (const CancelledError&) {
        ++cancelled;
      }
    }
    EXPECT_EQ(cancelled, 10);
    for (int i = 0; i < 200 && server.stats().holds_ended < 10; ++i) co_await sleep(5ms);
    EXPECT_EQ(server.stats().holds_ended, 10u);
    EXPECT_EQ(server.stats().open, 0u);
    Response r = co_await client.get(server.url("/status/200"));
    EXPECT_EQ(r.status, 200);
    co_await server.close();
  });
}

TEST(HttpClient, AClientMadeOutsideTheLoopServesOneLoopAfterAnother) {
  Client client;
  std::string first_connection;
  for (int round = 0; round < 3; ++round) {
    run_bounded([&]() -> Task<void> {
      Response r = co_await client.get(nginx().url("/connection"));
      EXPECT_EQ(r.status, 200);
      if (first_connection.empty()) first_connection = r.body;
      // The kept-alive connection outlives the loop that opened it.
      EXPECT_EQ(r.body, first_connection);
      Response big = co_await client.get(nginx().url("/1m.bin"));
      EXPECT_EQ(big.body.size(), kMiB);
    });
  }
}

TEST(HttpClient, ADestroyedClientClosesItsIdleConnections) {
  run_bounded([&]() -> Task<void> {
    TestServer server = co_await TestServer::start();
    {
      Client client;
      Response r = co_await client.get(server.url("/status/200"));
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(server.stats().open, 1u);
    }
    for (int i = 0; i < 200 && server.stats().open > 0; ++i) co_await sleep(5ms);
    EXPECT_EQ(server.stats().open, 0u);
    co_await server.close();
  });
}

}  // namespace
}  // namespace coio::testing
