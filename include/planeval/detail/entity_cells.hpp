// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file detail/entity_cells.hpp
/// The entity a data row adds (a new school under a known parent), from the row's cells: one rule
/// for every reader (CSV and text columns in src/observations.cpp, Arrow in the bindings).

#include <planeval/detail/cells.hpp>
#include <planeval/detail/enum_names.hpp>
#include <planeval/detail/utf8.hpp>
#include <planeval/entity.hpp>
#include <planeval/indicator.hpp>

#include <cmath>
#include <string>
#include <string_view>
#include <variant>

namespace planeval::detail {

/// A cell that cannot make an entity: its column and what was expected.
struct entity_cell_problem {
  std::string column;
  std::string message;
};

/// A name cell as written by a program that neutralises spreadsheet formulas (OWASP's advice for
/// CSV, which planeval's own CSV files follow): a leading apostrophe before `=`, `+`, `-`, `@`, tab
/// or CR is taken off (`'=HYPERLINK(…)` reads as `=HYPERLINK(…)`); other text is returned as is.
inline std::string_view csv_unneutralised(std::string_view s) noexcept {
  if (s.size() > 1 && s[0] == '\'') {
    const char c = s[1];
    if (c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r') return s.substr(1);
  }
  return s;
}

/// The entity with id `id` under `parent_id`: name (else the id), kind (else school), stage and
/// students from the row's cells, each as written (a name neutralised against spreadsheet
/// formulas, `'=…`, loses its apostrophe: csv_unneutralised) (an empty view: the column is absent or the cell
/// empty). A kind or stage not in planeval's vocabulary, or students that are not a number >= 0,
/// is the problem returned instead (the cell quoted as written).
inline std::variant<entity, entity_cell_problem> entity_from_cells(std::string_view id, std::string parent_id,
                                                                  std::string_view name, std::string_view kind,
                                                                  std::string_view stage, std::string_view students) {
  entity e;
  e.id = std::string(trim_id(id));
  e.parent = std::move(parent_id);
  e.name.zh = trim_id(name).empty() ? e.id : std::string(csv_unneutralised(trim_id(name)));
  e.kind = entity_kind::school;
  if (!trim_id(kind).empty()) {
    const auto k = parse_name(entity_kind_names, trim_id(kind));
    if (!k)
      return entity_cell_problem{"entity_kind",
                                 "expected one of " + alternatives(entity_kind_names) + ", got " + quote_input(kind)};
    e.kind = *k;
  }
  if (!trim_id(stage).empty()) {
    auto st = parse_name(stage_names, trim_id(stage));
    if (!st) st = parse_name(stage_names_en, trim_id(stage));
    if (!st)
      return entity_cell_problem{"stage", "expected one of " + alternatives(stage_names) + ", got " + quote_input(stage)};
    e.stage = *st;
  }
  if (!is_missing_cell(students)) {
    double x = 0;
    bool percent = false;
    if (!parse_number_cell(students, x, percent) || percent || !std::isfinite(x) || x < 0)
      return entity_cell_problem{"students", "expected a number of students >= 0, got " + quote_input(students)};
    e.students = x;
  }
  return e;
}

} // namespace planeval::detail
