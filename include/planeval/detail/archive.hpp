// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file detail/archive.hpp
/// A small binary archive for rule states, and to_bytes / from_bytes to ship them between processes.
///
/// Design notes: a rule writes one `serialize(Archive& ar, unsigned version)` member that calls
/// `ar(member, ...)` for both directions, as in Boost.Serialization and Boost.Histogram; the archive
/// knows whether it saves or loads (`Archive::is_loading`). Encoding: numbers as their exact bytes
/// (doubles via memcpy, so a state round-trips bit for bit), little-endian only (static_assert);
/// bool as one byte 0/1; enums as their underlying type; std::string and std::vector as a uint64
/// length then the elements; std::optional as a bool then the value; a type with a serialize member
/// as a uint32 class version (its `static constexpr unsigned serialization_version`, 0 if absent)
/// then its members. Use fixed-width integer types in serialized state (`long` differs between
/// platforms). Reading never trusts the input: every read is bounds-checked, container lengths are
/// checked against the bytes left before anything is allocated, and every failure is a
/// planeval::error. to_bytes adds a header (magic "pvr", format version, the rule's name) and an
/// FNV-1a checksum, so a flipped byte is reported as corruption instead of being read as a state.

#include <planeval/error.hpp>

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace planeval::detail {

static_assert(std::endian::native == std::endian::little,
              "planeval's binary archives store numbers in native byte order, which must be little-endian");

template <class T>
struct is_std_vector : std::false_type {};
template <class T, class A>
struct is_std_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_std_optional : std::false_type {};
template <class T>
struct is_std_optional<std::optional<T>> : std::true_type {};

/// T has a `serialize(Archive&, unsigned)` member.
template <class T, class Archive>
concept has_serialize = requires(T& t, Archive& ar) {
  t.serialize(ar, 0u);
};

/// A rule state that to_bytes / from_bytes can label: it has a `name`.
template <class R>
concept named_state = std::is_default_constructible_v<R> && requires {
  { R::name } -> std::convertible_to<std::string_view>;
};

/// The class version written before the members of T: `T::serialization_version`, else 0.
template <class T>
constexpr unsigned serialization_version() noexcept {
  if constexpr (requires { T::serialization_version; })
    return T::serialization_version;
  else
    return 0;
}

/// The fewest bytes a serialized T occupies; bounds container lengths read from untrusted input.
template <class T>
constexpr std::size_t min_serialized_size() noexcept {
  if constexpr (std::is_enum_v<T>)
    return sizeof(std::underlying_type_t<T>);
  else if constexpr (std::is_arithmetic_v<T>)
    return sizeof(T);
  else if constexpr (is_std_optional<T>::value)
    return 1;
  else if constexpr (std::is_same_v<T, std::string> || is_std_vector<T>::value)
    return sizeof(std::uint64_t);
  else
    return sizeof(std::uint32_t); // the class version
}

/// Writes values to the end of a std::string.
class binary_oarchive {
public:
  static constexpr bool is_loading = false;

  explicit binary_oarchive(std::string& out) noexcept : out_(&out) {}

  /// Append each argument in turn.
  template <class... Ts>
  binary_oarchive& operator()(const Ts&... xs) {
    (save(xs), ...);
    return *this;
  }

private:
  template <class T>
  void save(const T& x) {
    if constexpr (std::is_enum_v<T>) {
      save(static_cast<std::underlying_type_t<T>>(x));
    } else if constexpr (std::is_same_v<T, bool>) {
      out_->push_back(x ? '\1' : '\0');
    } else if constexpr (std::is_arithmetic_v<T>) {
      static_assert(!std::is_same_v<T, long double>, "long double has no portable size; store a double");
      char buf[sizeof(T)];
      std::memcpy(buf, &x, sizeof(T));
      out_->append(buf, sizeof(T));
    } else if constexpr (std::is_same_v<T, std::string>) {
      save(static_cast<std::uint64_t>(x.size()));
      out_->append(x);
    } else if constexpr (is_std_vector<T>::value) {
      save(static_cast<std::uint64_t>(x.size()));
      for (const auto& e : x) save(static_cast<const typename T::value_type&>(e));
    } else if constexpr (is_std_optional<T>::value) {
      save(x.has_value());
      if (x) save(*x);
    } else {
      static_assert(has_serialize<T, binary_oarchive>,
                    "binary_oarchive: type has no serialize(Archive&, unsigned) member");
      constexpr unsigned version = serialization_version<T>();
      save(static_cast<std::uint32_t>(version));
      // serialize is one member for both directions; saving does not modify the object.
      const_cast<T&>(x).serialize(*this, version);
    }
  }

  std::string* out_;
};

/// Reads values from a byte string written by binary_oarchive. Throws planeval::error on truncated
/// or malformed input; never reads outside `in`.
class binary_iarchive {
public:
  static constexpr bool is_loading = true;

  explicit binary_iarchive(std::string_view in) noexcept : in_(in) {}

  /// Read each argument in turn.
  template <class... Ts>
  binary_iarchive& operator()(Ts&... xs) {
    (load(xs), ...);
    return *this;
  }

  /// Bytes not read yet.
  std::size_t remaining() const noexcept { return in_.size() - pos_; }
  /// True when every byte has been read.
  bool at_end() const noexcept { return pos_ == in_.size(); }

private:
  void need(std::size_t n) const {
    if (n > remaining())
      throw error("truncated rule state: " + std::to_string(n) + " more bytes needed at offset " +
                  std::to_string(pos_) + ", " + std::to_string(remaining()) + " left");
  }

  template <class T>
  void load(T& x) {
    if constexpr (std::is_enum_v<T>) {
      std::underlying_type_t<T> u{};
      load(u);
      x = static_cast<T>(u); // the owner checks the range
    } else if constexpr (std::is_same_v<T, bool>) {
      need(1);
      const char c = in_[pos_++];
      if (c != '\0' && c != '\1') throw error("corrupt rule state: a bool must be 0 or 1");
      x = c == '\1';
    } else if constexpr (std::is_arithmetic_v<T>) {
      static_assert(!std::is_same_v<T, long double>, "long double has no portable size; store a double");
      need(sizeof(T));
      std::memcpy(&x, in_.data() + pos_, sizeof(T));
      pos_ += sizeof(T);
    } else if constexpr (std::is_same_v<T, std::string>) {
      const std::size_t n = length(1);
      x.assign(in_.data() + pos_, n);
      pos_ += n;
    } else if constexpr (is_std_vector<T>::value) {
      using value_type = typename T::value_type;
      const std::size_t n = length(min_serialized_size<value_type>());
      x.clear();
      x.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        value_type e{};
        load(e);
        x.push_back(std::move(e));
      }
    } else if constexpr (is_std_optional<T>::value) {
      bool has = false;
      load(has);
      if (has) {
        typename T::value_type v{};
        load(v);
        x = std::move(v);
      } else {
        x.reset();
      }
    } else {
      static_assert(has_serialize<T, binary_iarchive>,
                    "binary_iarchive: type has no serialize(Archive&, unsigned) member");
      std::uint32_t version = 0;
      load(version);
      if (version > serialization_version<T>())
        throw error("unsupported rule state: class version " + std::to_string(version) + ", this build reads up to " +
                    std::to_string(serialization_version<T>()));
      x.serialize(*this, version);
    }
  }

  /// A container length, checked against what the remaining bytes can hold.
  std::size_t length(std::size_t min_element_size) {
    std::uint64_t n = 0;
    load(n);
    if (n > remaining() / min_element_size)
      throw error("corrupt rule state: length " + std::to_string(n) + " at offset " + std::to_string(pos_ - 8) +
                  " exceeds the " + std::to_string(remaining()) + " bytes left");
    return static_cast<std::size_t>(n);
  }

  std::string_view in_;
  std::size_t pos_ = 0;
};

/// First bytes of every to_bytes output.
inline constexpr std::string_view archive_magic = "pvr";
/// Version of the to_bytes layout: magic, this version (uint32), rule name (string), state, checksum.
inline constexpr std::uint32_t archive_format_version = 1;

/// 64-bit FNV-1a hash (the to_bytes checksum; detects corruption, not tampering).
constexpr std::uint64_t fnv1a64(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

} // namespace planeval::detail

namespace planeval {

/// The state of rule `r` as bytes: magic "pvr", archive format version 1, the rule's name, the
/// state, an FNV-1a checksum. Read back with from_bytes<R>, possibly in another process.
template <detail::named_state R>
std::string to_bytes(const R& r) {
  std::string out(detail::archive_magic);
  detail::binary_oarchive ar(out);
  ar(detail::archive_format_version, std::string(R::name), r);
  const std::uint64_t checksum = detail::fnv1a64(out);
  ar(checksum);
  return out;
}

/// Read a state written by to_bytes<R>. Throws planeval::error if the bytes are truncated, corrupt,
/// of another format version or hold a different rule (the message names both rules).
template <detail::named_state R>
R from_bytes(std::string_view bytes) {
  const std::string expected(R::name);
  try {
    constexpr std::size_t header = detail::archive_magic.size() + sizeof(std::uint32_t);
    constexpr std::size_t smallest = header + sizeof(std::uint64_t) * 2; // + empty name + checksum
    if (bytes.size() < smallest)
      throw error("truncated input (" + std::to_string(bytes.size()) + " bytes; at least " + std::to_string(smallest) +
                  " needed)");
    if (bytes.substr(0, detail::archive_magic.size()) != detail::archive_magic)
      throw error("not a planeval rule state (no \"pvr\" magic)");
    std::uint32_t format = 0;
    detail::binary_iarchive{bytes.substr(detail::archive_magic.size(), sizeof format)}(format);
    if (format != detail::archive_format_version)
      throw error("unsupported archive format version " + std::to_string(format) + " (this build reads " +
                  std::to_string(detail::archive_format_version) + ")");
    const std::string_view body = bytes.substr(0, bytes.size() - sizeof(std::uint64_t));
    std::uint64_t stored = 0;
    detail::binary_iarchive{bytes.substr(body.size())}(stored);
    if (stored != detail::fnv1a64(body)) throw error("corrupt input (checksum mismatch)");
    detail::binary_iarchive ar(body.substr(header));
    std::string got;
    ar(got);
    if (got != expected) throw error("the bytes hold a \"" + got + "\" state, not \"" + expected + "\"");
    R r;
    ar(r);
    if (!ar.at_end()) throw error(std::to_string(ar.remaining()) + " unexpected trailing bytes");
    return r;
  } catch (const error& e) {
    throw error("from_bytes<" + expected + ">: " + e.what());
  }
}

} // namespace planeval
