// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file value.hpp
/// A plan value: missing, a number, a boolean (milestones) or a vector of shares (3:4:3).
///
/// Design notes: missing is a state of its own, never NaN and never zero, so "reported 0" and
/// "not reported" cannot be confused. Bulk observation data (later layers) use columns of
/// doubles with a separate validity mask; this type is for the plan's few hundred values.

#include <planeval/detail/format_number.hpp>

#include <cmath>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace planeval {

/// Tag for an explicitly missing value.
struct missing_t {
  friend bool operator==(missing_t, missing_t) noexcept { return true; }
};
/// The missing value.
inline constexpr missing_t missing{};

/// A single plan value.
class value {
public:
  using storage = std::variant<missing_t, double, bool, std::vector<double>>;

  value() = default;
  value(missing_t) {}
  value(double x) : v_(x) {}
  value(int x) : v_(static_cast<double>(x)) {}
  value(bool b) : v_(b) {}
  value(std::vector<double> shares) : v_(std::move(shares)) {}

  bool is_missing() const noexcept { return std::holds_alternative<missing_t>(v_); }
  bool is_number() const noexcept { return std::holds_alternative<double>(v_); }
  bool is_boolean() const noexcept { return std::holds_alternative<bool>(v_); }
  bool is_vector() const noexcept { return std::holds_alternative<std::vector<double>>(v_); }

  /// Precondition: is_number().
  double number() const { return std::get<double>(v_); }
  /// Precondition: is_boolean().
  bool boolean() const { return std::get<bool>(v_); }
  /// Precondition: is_vector().
  const std::vector<double>& vector() const { return std::get<std::vector<double>>(v_); }

  /// True if the value holds a NaN or an infinity anywhere.
  bool has_non_finite() const noexcept {
    if (is_number()) return !std::isfinite(number());
    if (is_vector())
      for (double x : vector())
        if (!std::isfinite(x)) return true;
    return false;
  }

  const storage& data() const noexcept { return v_; }
  friend bool operator==(const value&, const value&) = default;

  /// Human-readable: "missing", "12.5", "true", "[3, 4, 3]".
  std::string to_string() const;

private:
  storage v_;
};

inline std::string value::to_string() const {
  if (is_missing()) return "missing";
  if (is_boolean()) return boolean() ? "true" : "false";
  if (is_number()) return detail::format_number(number());
  std::string s = "[";
  for (std::size_t i = 0; i < vector().size(); ++i) {
    if (i) s += ", ";
    s += detail::format_number(vector()[i]);
  }
  return s + "]";
}

} // namespace planeval
