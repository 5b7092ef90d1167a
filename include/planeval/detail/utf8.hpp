// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file detail/utf8.hpp
/// UTF-8 validation and encoding hints: text enters planeval as UTF-8 or is refused where it
/// enters, naming the place, so that nothing stored can later fail to be written or read back.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace planeval::detail {

/// The byte offset of the first byte that does not start a valid UTF-8 sequence (overlong forms,
/// surrogates and code points above U+10FFFF are invalid), or nullopt for valid UTF-8.
inline std::optional<std::size_t> invalid_utf8_at(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF; // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c == 0xE0) {
      len = 3;
      lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      len = 3;
    } else if (c == 0xED) {
      len = 3;
      hi = 0x9F; // no surrogates
    } else if (c == 0xF0) {
      len = 4;
      lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
      len = 4;
    } else if (c == 0xF4) {
      len = 4;
      hi = 0x8F;
    } else {
      return i;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    i += len;
  }
  return std::nullopt;
}

inline bool is_valid_utf8(std::string_view s) noexcept { return !invalid_utf8_at(s); }

/// `s` with every byte of an invalid UTF-8 sequence written as \xNN, so that messages quoting
/// bad input are themselves valid UTF-8.
inline std::string escape_invalid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const auto bad = invalid_utf8_at(s);
    const std::size_t good = bad ? *bad : s.size();
    out.append(s.substr(0, good));
    if (!bad) break;
    static constexpr char hex[] = "0123456789ABCDEF";
    const auto b = static_cast<unsigned char>(s[good]);
    out += "\\x";
    out += hex[b >> 4];
    out += hex[b & 15];
    s.remove_prefix(good + 1);
  }
  return out;
}

/// Input quoted in a message: in double quotes, control characters (NUL, CR, LF ...) and bytes
/// that are not UTF-8 written as \xNN, and at most `limit` bytes of it ("…" and how many bytes
/// were left out): a message stays one readable line of valid UTF-8 whatever the input was.
inline std::string quote_input(std::string_view s, std::size_t limit = 200) {
  std::string text = escape_invalid_utf8(s);
  std::string out = "\"";
  static constexpr char hex[] = "0123456789ABCDEF";
  std::size_t shown = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (shown >= limit && (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      out += "\"… (" + std::to_string(text.size() - i) + " more bytes)";
      return out;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
    ++shown;
  }
  return out + "\"";
}

/// True if `s` starts like UTF-16 text: a UTF-16 byte-order mark, or NUL bytes among its first 64.
inline bool looks_utf16(std::string_view s) noexcept {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  if (s.size() >= 2 && ((b(0) == 0xFF && b(1) == 0xFE) || (b(0) == 0xFE && b(1) == 0xFF))) return true;
  return s.substr(0, 64).find('\0') != std::string_view::npos;
}

/// A hint naming the likely encoding of text that is not UTF-8: UTF-16 (a byte-order mark or NUL
/// bytes), else GBK/GB18030 (what Chinese Windows and Excel write); empty for valid UTF-8.
inline std::string encoding_hint(std::string_view s) {
  if (looks_utf16(s))
    return "the file looks UTF-16 encoded (what Windows calls \"Unicode\"): save it as UTF-8";
  if (invalid_utf8_at(s))
    return "the text is not UTF-8 (GBK/GB18030, as Chinese Windows and Excel write by default?): save it as UTF-8";
  return {};
}

} // namespace planeval::detail
