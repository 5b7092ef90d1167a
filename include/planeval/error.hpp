// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file error.hpp
/// The error hierarchy. Every error planeval raises derives from planeval::error.
///
/// Design notes: a plan file can contain many problems at once, so plan_error carries the whole list
/// of located diagnostics; what() is the first one (plus a count), so a caller that only prints the
/// message still learns where the first problem is.

#include <planeval/detail/enum_names.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace planeval {

/// Base of every exception thrown by planeval.
class error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// How serious a diagnostic is.
enum class severity { error, warning };
inline constexpr detail::name_table<severity, 2> severity_names{
    {{severity::error, "error"}, {severity::warning, "warning"}}};

/// One located finding about a plan: `path` is a JSON path such as `targets[3].goal.deadline`
/// (or a file name with line and column for malformed JSON).
struct diagnostic {
  severity level = severity::error;
  std::string path;
  std::string message;

  /// "path: message"
  std::string to_string() const { return path.empty() ? message : path + ": " + message; }
  friend bool operator==(const diagnostic&, const diagnostic&) = default;
};

/// An invalid plan: malformed file, wrong types, dangling references, inconsistent dates...
class plan_error : public error {
public:
  explicit plan_error(std::vector<diagnostic> errors) : error(summarise(errors)), errors_(std::move(errors)) {}
  plan_error(std::string path, std::string message)
      : plan_error(std::vector<diagnostic>{{severity::error, std::move(path), std::move(message)}}) {}

  /// Every error found (at least one).
  const std::vector<diagnostic>& errors() const noexcept { return errors_; }

private:
  static std::string summarise(const std::vector<diagnostic>& errors) {
    if (errors.empty()) return "invalid plan";
    std::string s = errors.front().to_string();
    if (errors.size() > 1)
      s += " (and " + std::to_string(errors.size() - 1) + " more error" + (errors.size() > 2 ? "s" : "") + ")";
    return s;
  }
  std::vector<diagnostic> errors_;
};

/// Invalid observation data (later layers: CSV rows, arrays).
class data_error : public error {
public:
  using error::error;
};

} // namespace planeval
