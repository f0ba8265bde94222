// The one JSON parsing api_stats needs: the number a field holds, as in
// {"station": "Oslo", "temperature": 4.5}. Not a JSON parser: it finds the
// first `"field":` and reads the number after it.
#pragma once

#include <optional>
#include <string_view>

std::optional<double> json_number(std::string_view json, std::string_view field);
