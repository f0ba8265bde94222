#include "json_number.h"

#include <charconv>
#include <string>

namespace {

std::size_t skip_spaces(std::string_view s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  return i;
}

}  // namespace

std::optional<double> json_number(std::string_view json, std::string_view field) {
  const std::string key = "\"" + std::string(field) + "\"";
  for (std::size_t at = json.find(key); at != json.npos; at = json.find(key, at + 1)) {
    std::size_t i = skip_spaces(json, at + key.size());
    if (i == json.size() || json[i] != ':') continue;  // the text as a value, not a key
    i = skip_spaces(json, i + 1);
    double value = 0;
    const auto [end, error] = std::from_chars(json.data() + i, json.data() + json.size(), value);
    if (error != std::errc()) return std::nullopt;  // the field holds no number
    return value;
  }
  return std::nullopt;
}
