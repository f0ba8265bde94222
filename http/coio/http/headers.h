// coio/http/headers.h: HTTP header fields, in the order they came, looked up
// without regard to case (as aiohttp's CIMultiDict).
//
//   coio::http::Headers h{{"Accept", "text/html"}};
//   h.add("X-Trace", "1");
//   if (auto type = response.headers.get("content-type")) use(*type);
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coio::http {

namespace internal {
class Transfer;
}

class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  Headers() = default;
  Headers(std::initializer_list<Field> fields) : fields_(fields) {}

  // Appends a field; a name may occur more than once (Set-Cookie).
  void add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }
  // Replaces every field of that name with one.
  void set(std::string_view name, std::string value);
  // Removes every field of that name; returns how many there were.
  std::size_t remove(std::string_view name);

  // The first value of `name`, or nullopt.
  std::optional<std::string_view> get(std::string_view name) const;
  // Every value of `name`, in order.
  std::vector<std::string_view> get_all(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }

  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  void clear() noexcept { fields_.clear(); }
  auto begin() const noexcept { return fields_.begin(); }
  auto end() const noexcept { return fields_.end(); }

  // True when two names are the same header (ASCII case-insensitive).
  static bool same_name(std::string_view a, std::string_view b) noexcept;

 private:
  friend class internal::Transfer;  // folds continuation lines into the last field
  std::vector<Field> fields_;
};

}  // namespace coio::http
