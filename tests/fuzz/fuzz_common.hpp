// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Shared by the fuzz harnesses (tests/fuzz/*_fuzz.cpp): a property that does not hold aborts with
// a message, which libFuzzer reports as a crash and the replay runner (replay_main.cpp) as a
// failed test. Anything thrown that is not a planeval::error escapes the harness and is reported
// the same way (std::terminate -> abort): the readers promise planeval::error and nothing else.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace planeval_fuzz {

/// Print what failed (and a short excerpt of the text involved) and abort.
[[noreturn]] inline void fail(std::string_view property, std::string_view detail = {}, std::string_view text = {}) {
  std::fprintf(stderr, "\n*** fuzz property failed: %.*s\n", static_cast<int>(property.size()), property.data());
  if (!detail.empty()) std::fprintf(stderr, "    %.*s\n", static_cast<int>(detail.size()), detail.data());
  if (!text.empty()) {
    const std::size_t n = text.size() < 2000 ? text.size() : 2000;
    std::fprintf(stderr, "--- text (%zu bytes%s) ---\n%.*s\n---\n", text.size(), n < text.size() ? ", truncated" : "",
                 static_cast<int>(n), text.data());
  }
  std::fflush(stderr);
  std::abort();
}

/// With the environment variable PLANEVAL_FUZZ_TRACE set, say why an input stopped early (a
/// documented refusal): to check that seed inputs reach the deep end of a harness.
inline void trace(std::string_view what, std::string_view why) {
  static const bool on = std::getenv("PLANEVAL_FUZZ_TRACE") != nullptr;
  if (on)
    std::fprintf(stderr, "  [trace] %.*s: %.*s\n", static_cast<int>(what.size()), what.data(), static_cast<int>(why.size()),
                 why.data());
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return size == 0 ? std::string_view() : std::string_view(reinterpret_cast<const char*>(data), size);
}

/// Two doubles are the same value: bitwise equal, or both NaN.
inline bool same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, sizeof a) == 0;
}

inline bool same(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

} // namespace planeval_fuzz
