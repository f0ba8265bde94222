#include "session.h"

#include <mutex>

#include "coio/errors.h"
#include "coio/internal/detached_close.h"
#include "coio/internal/os.h"
#include "coio/loop.h"
#include "error_factory.h"
#include "transfer.h"

namespace coio::http::internal {
namespace {

constexpr std::size_t kIdleEasyLimit = 256;

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw Error(CURLE_FAILED_INIT, "curl_global_init failed", "");
    }
  });
}

}  // namespace

Session::Session(ClientOptions options) : options_(std::move(options)) {
  init_curl_once();
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw Error(CURLE_FAILED_INIT, "curl_multi_init failed", "");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Session::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Session::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(options_.max_connections));
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(options_.max_connections_per_host));
  // Keep as many idle connections as may be open at once, for reuse.
  if (options_.max_connections > 0) {
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(options_.max_connections));
  }
  // One cookie jar for the session's requests, as aiohttp's ClientSession
  // keeps one. Used from the loop's thread only, so no locking.
  share_ = curl_share_init();
  if (share_ == nullptr) {
    curl_multi_cleanup(multi_);
    throw Error(CURLE_FAILED_INIT, "curl_share_init failed", "");
  }
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
  timer_.session = this;
  timer_.fire = &Session::on_timer_fired;
}

Session::~Session() {
  // Closes the cached connections through on_close_socket, while the
  // watches are still here.
  curl_multi_cleanup(multi_);
  const bool loop_alive = loop_ != nullptr && Loop::current_or_null() == loop_;
  if (loop_alive) loop_->remove_timer(timer_);
  // Left are sockets libcurl closed itself (its resolver's), or none.
  for (auto& [socket, watch] : watches_) watch->release();
  for (CURL* easy : idle_easy_) curl_easy_cleanup(easy);
  curl_share_cleanup(share_);
}

CURL* Session::take_easy() {
  if (!idle_easy_.empty()) {
    CURL* easy = idle_easy_.back();
    idle_easy_.pop_back();
    return easy;
  }
  CURL* easy = curl_easy_init();
  if (easy == nullptr) throw Error(CURLE_FAILED_INIT, "curl_easy_init failed", "");
  // The Client's options, set once per handle: a pooled handle keeps them.
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &Session::on_close_socket);
  curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
  curl_easy_setopt(easy, CURLOPT_SHARE, share_);
  curl_easy_setopt(easy, CURLOPT_COOKIEFILE, "");  // the cookie engine on, reading no file
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // what libcurl can decode, decoded
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, options_.follow_redirects ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.proxy.empty()) curl_easy_setopt(easy, CURLOPT_PROXY, options_.proxy.c_str());
  return easy;
}

void Session::give_back(CURL* easy) noexcept {
  if (idle_easy_.size() < kIdleEasyLimit) {
    try {
      idle_easy_.push_back(easy);
    } catch (...) {
      curl_easy_cleanup(easy);
      return;
    }
    // Undo what a request set (Transfer::configure), pointers into the
    // transfer first; the handle is a GET with the Client's options again.
    curl_easy_setopt(easy, CURLOPT_PRIVATE, nullptr);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, nullptr);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, nullptr);
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);  // also ends NOBODY and POST
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    return;
  }
  curl_easy_cleanup(easy);
}

void Session::start(Transfer& transfer) {
  Loop& loop = Loop::current();
  if (loop_ != &loop) bind(loop);
  CURLMcode code = curl_multi_add_handle(multi_, transfer.easy());
  if (code != CURLM_OK) throw Error(CURLE_FAILED_INIT, curl_multi_strerror(code), "");
  ++running_;
}

void Session::bind(Loop& loop) {
  if (running_ > 0) {
    throw InvalidStateError("coio::http::Client: used from a second loop while requests run in the first");
  }
  // The previous loop has ended (a loop drains every poll before it ends):
  // its timer and its watches on idle connections are let go of. Kept-alive
  // connections stay in libcurl's cache and get new watches when reused.
  for (auto& [socket, watch] : watches_) watch->release();
  watches_.clear();
  timer_.index = coio::internal::TimerNode::kNotQueued;
  loop_ = &loop;
}

void Session::stop(Transfer& transfer) noexcept {
  curl_multi_remove_handle(multi_, transfer.easy());
  --running_;
}

int Session::on_socket(CURL*, curl_socket_t socket, int what, void* self, void*) {
  auto& session = *static_cast<Session*>(self);
  auto found = session.watches_.find(socket);
  if (what == CURL_POLL_REMOVE) {
    // The watch stays until the socket is closed: libcurl often wants the
    // same socket again (a kept-alive connection).
    if (found != session.watches_.end()) found->second->want(0);
    return 0;
  }
  if (session.loop_ == nullptr || Loop::current_or_null() != session.loop_) return 0;  // being torn down
  std::uint32_t events = 0;
  if (what & CURL_POLL_IN) events |= kPollIn;
  if (what & CURL_POLL_OUT) events |= kPollOut;
  SocketWatch* watch;
  if (found != session.watches_.end()) {
    watch = found->second;
  } else {
    try {
      watch = SocketWatch::create(*session.loop_, socket, &Session::on_ready, &session);
      session.watches_.emplace(socket, watch);
    } catch (...) {
      return -1;  // libcurl fails the transfers on this socket
    }
  }
  watch->want(events);
  return 0;
}

int Session::on_close_socket(void* self, curl_socket_t socket) {
  auto& session = *static_cast<Session*>(self);
  auto found = session.watches_.find(socket);
  if (found != session.watches_.end()) {
    SocketWatch* watch = found->second;
    session.watches_.erase(found);
    watch->close();  // once its poll is back, so the number is not reused under it
  } else if (session.loop_ != nullptr && Loop::current_or_null() == session.loop_) {
    coio::internal::close_detached(socket);
  } else {
    coio::internal::os::close_socket(static_cast<std::intptr_t>(socket));
  }
  return 0;
}

int Session::on_timer(CURLM*, long timeout_ms, void* self) {
  auto& session = *static_cast<Session*>(self);
  Loop* loop = session.loop_;
  if (loop == nullptr || Loop::current_or_null() != loop) return 0;
  loop->remove_timer(session.timer_);
  if (timeout_ms < 0) return 0;
  // Zero means "now", but not from inside this callback: the timer fires on
  // the loop's next turn.
  session.timer_.deadline = loop->now() + std::chrono::milliseconds(timeout_ms);
  loop->add_timer(session.timer_);
  return 0;
}

void Session::on_timer_fired(coio::internal::TimerNode& node) noexcept {
  static_cast<Timer&>(node).session->act(CURL_SOCKET_TIMEOUT, 0);
}

void Session::on_ready(void* self, std::intptr_t socket, std::uint32_t events) noexcept {
  int flags = 0;
  if (events & kPollIn) flags |= CURL_CSELECT_IN;
  if (events & kPollOut) flags |= CURL_CSELECT_OUT;
  if (events & (kPollErr | kPollHup)) flags |= CURL_CSELECT_ERR;
  static_cast<Session*>(self)->act(static_cast<curl_socket_t>(socket), flags);
}

void Session::act(curl_socket_t socket, int events) noexcept {
  int running = 0;
  curl_multi_socket_action(multi_, socket, events, &running);
  collect_finished();
}

void Session::collect_finished() noexcept {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    const CURLcode result = message->data.result;
    char* self = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &self);
    curl_multi_remove_handle(multi_, easy);  // its connection goes back to the cache
    --running_;
    reinterpret_cast<Transfer*>(self)->finished(result);
  }
}

}  // namespace coio::http::internal
