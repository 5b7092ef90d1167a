// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file error.hpp
/// The error hierarchy. Every error planeval raises derives from planeval::error.
///
/// Design notes: a plan file can contain many problems at once, so plan_error carries the whole list
/// of located diagnostics; what() is the first one (plus a count), so a caller that only prints the
/// message still learns where the first problem is.
///
/// Every error may also say where it is as fields (planeval::location: JSON path, file, row,
/// column, sheet, cell), so a program never has to take the place out of the message text; what()
/// stays the whole message a person reads.

#include <planeval/detail/enum_names.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace planeval {

/// Where an error is. Every field is optional: empty (or no row) when unknown.
struct location {
  std::string path;               ///< JSON path in a plan or standard: "targets[3].goal.deadline"
  std::string file;               ///< the file read: "schools.csv", "data.xlsx", "plan.json"
  std::optional<std::size_t> row; ///< from 1: a text file's line, a sheet's row; for arrays and frames
                                  ///< the position + 1 (messages there say "row 3" for position 3)
  std::string column;             ///< the column's name: "value", "year"
  std::string sheet;              ///< the worksheet's name
  std::string cell;               ///< the cell in the sheet: "B7"

  bool empty() const noexcept {
    return path.empty() && file.empty() && !row && column.empty() && sheet.empty() && cell.empty();
  }
  friend bool operator==(const location&, const location&) = default;
};

/// Base of every exception thrown by planeval. what() is the message a person reads (naming the
/// place); where() is the place as fields; message() is what is wrong without the place when the
/// thrower gave it apart (a reader can then name the place its own way: a sheet's cell for a row),
/// as expression_error::message() and diagnostic::message are.
class error : public std::runtime_error {
public:
  explicit error(const std::string& message) : std::runtime_error(message) {}
  explicit error(const char* message) : std::runtime_error(message) {}
  /// `message` is the whole message (with the place in words); `where` the place as fields;
  /// `detail` the message without the place (empty: the same as what()), returned by message().
  error(const std::string& message, location where, std::string detail = {})
      : std::runtime_error(message),
        located_(where.empty() && detail.empty()
                     ? nullptr
                     : std::make_shared<const located>(located{std::move(where), std::move(detail)})) {}

  /// The place as fields (all empty when unknown).
  const location& where() const noexcept { return located_ ? located_->where : nowhere(); }
  /// What is wrong without the place, as the thrower gave it apart; else the whole message.
  std::string_view message() const noexcept {
    return located_ && !located_->detail.empty() ? std::string_view(located_->detail) : std::string_view(what());
  }

private:
  struct located {
    location where;
    std::string detail;
  };
  static const location& nowhere() noexcept {
    static const location none;
    return none;
  }
  // shared, so that copying an exception never throws (as std::runtime_error's message)
  std::shared_ptr<const located> located_;
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
  /// where().path is the first error's path.
  explicit plan_error(std::vector<diagnostic> errors)
      : error(summarise(errors), first_path(errors)), errors_(std::move(errors)) {}
  /// With the place given as fields (a plan file's name beside the first error's JSON path).
  plan_error(std::vector<diagnostic> errors, location where)
      : error(summarise(errors), std::move(where)), errors_(std::move(errors)) {}
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
  static location first_path(const std::vector<diagnostic>& errors) {
    location where;
    if (!errors.empty()) where.path = errors.front().path;
    return where;
  }
  std::vector<diagnostic> errors_;
};

/// Invalid observation data (CSV rows, sheets' cells, arrays); where() names the file, row and
/// column when known.
class data_error : public error {
public:
  using error::error;
};

} // namespace planeval
