// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file observations.hpp
/// Observations as columns (struct of arrays): indicator, entity, period, value, optional weight
/// or denominator, flags.
///
/// Design notes: roll-ups read millions of rows, so rows are never objects. Ids are dense integers
/// (the plan's indicator and entity indices), periods are day numbers, and a row's value is only
/// meaningful when its `missing` flag is clear: a missing value is a row that says "not
/// reported", distinct from a reported zero. `observation_view` is a non-owning view (spans), so
/// numpy arrays can be read without copying; `observation_table` owns its columns. Checking rows
/// against a plan (check_observations) accounts for every row: accepted, an identical duplicate
/// (reported, not double-counted), or rejected with a reason naming the row and column.

#include <planeval/calendar.hpp>
#include <planeval/error.hpp>
#include <planeval/plan.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace planeval {

/// Days since 1970-01-01: the columnar representation of a date.
using day_number = std::int32_t;

/// The day number of `d`.
inline day_number to_day_number(date d) {
  static const date epoch(1970, 1, 1);
  return static_cast<day_number>((d - epoch).days());
}
/// The date of day number `n`.
inline date from_day_number(day_number n) {
  static const date epoch(1970, 1, 1);
  return epoch + boost::gregorian::days(n);
}

/// Bits of the flags column.
namespace flags {
inline constexpr std::uint8_t missing = 1;     ///< the value was not reported (not zero!)
inline constexpr std::uint8_t estimated = 2;   ///< the value is an estimate
inline constexpr std::uint8_t provisional = 4; ///< the value may still change
} // namespace flags

/// A non-owning columnar view of observations. All non-empty columns have size() rows;
/// `weight` and `flags` may be empty (no weights; all values present and final).
struct observation_view {
  std::span<const std::uint32_t> indicator; ///< plan indicator index
  std::span<const std::uint32_t> entity;    ///< plan entity index
  std::span<const day_number> start;        ///< first day of the period observed
  std::span<const day_number> end;          ///< last day (== start for a dated value)
  std::span<const double> value;
  std::span<const double> weight; ///< weight (students) or denominator; optional
  std::span<const std::uint8_t> flags;
  /// Set by checked ingestion (check_observations + select_rows): every row covers exactly one
  /// calendar year and no two rows share (indicator, entity, year). Roll-ups then skip the pass
  /// that looks for rows to combine in time. Leave it false for data that was not checked.
  bool yearly_unique = false;
  /// Set by derive(): the rows of the plan's derived indicators are in (roll-ups and evaluations
  /// then do not compute them again).
  bool derived = false;
  /// The plan the rows were checked against (set by checked ingestion): the plan functions refuse
  /// the rows for a plan that does not extend it (require_plan), since indices mean nothing there.
  std::optional<plan_key> plan;

  std::size_t size() const noexcept { return indicator.size(); }
  bool has_weight() const noexcept { return !weight.empty(); }
  bool is_missing(std::size_t i) const noexcept { return !flags.empty() && (flags[i] & flags::missing); }
};

/// Observations owning their columns.
class observation_table {
public:
  std::vector<std::uint32_t> indicator;
  std::vector<std::uint32_t> entity;
  std::vector<day_number> start;
  std::vector<day_number> end;
  std::vector<double> value;
  std::vector<double> weight; ///< empty, or one per row
  std::vector<std::uint8_t> flags;
  /// See observation_view::yearly_unique; push_back clears it.
  bool yearly_unique = false;
  /// See observation_view::derived.
  bool derived = false;
  /// See observation_view::plan.
  std::optional<plan_key> plan;

  std::size_t size() const noexcept { return indicator.size(); }
  void reserve(std::size_t n) {
    indicator.reserve(n);
    entity.reserve(n);
    start.reserve(n);
    end.reserve(n);
    value.reserve(n);
    flags.reserve(n);
  }
  /// Append a row. Pass `weight` only if the table has (or starts) a weight column.
  void push_back(std::uint32_t ind, std::uint32_t ent, day_number s, day_number e, double v, std::uint8_t f = 0) {
    yearly_unique = false;
    indicator.push_back(ind);
    entity.push_back(ent);
    start.push_back(s);
    end.push_back(e);
    value.push_back(v);
    flags.push_back(f);
  }
  observation_view view() const noexcept {
    return {indicator, entity, start, end, value, weight, flags, yearly_unique, derived, plan};
  }
};

/// Why a row was rejected.
enum class rejection_reason {
  unknown_indicator,
  unknown_entity,
  bad_date,
  outside_horizon,
  non_finite,
  negative_count,
  out_of_range,
  wrong_type,
  bad_weight,
  duplicate_conflict,
  missing_parent
};
inline constexpr detail::name_table<rejection_reason, 11> rejection_reason_names{{
    {rejection_reason::unknown_indicator, "unknown_indicator"},
    {rejection_reason::unknown_entity, "unknown_entity"},
    {rejection_reason::bad_date, "bad_date"},
    {rejection_reason::outside_horizon, "outside_horizon"},
    {rejection_reason::non_finite, "non_finite"},
    {rejection_reason::negative_count, "negative_count"},
    {rejection_reason::out_of_range, "out_of_range"},
    {rejection_reason::wrong_type, "wrong_type"},
    {rejection_reason::bad_weight, "bad_weight"},
    {rejection_reason::duplicate_conflict, "duplicate_conflict"},
    {rejection_reason::missing_parent, "missing_parent"},
}};
inline std::string_view to_string(rejection_reason r) noexcept { return detail::name_of(rejection_reason_names, r); }

/// One rejected input row.
struct rejection {
  std::size_t row = 0; ///< 0-based data row (CSV: the line is row + 2, after the header)
  std::string column;  ///< the column at fault
  rejection_reason reason = rejection_reason::wrong_type;
  std::string message; ///< what was expected and what was found
  friend bool operator==(const rejection&, const rejection&) = default;
};

/// Something about the data a reader must see that is not a rejected row: values on an
/// implausible scale, rows read with an assumed weight, two entities that look like one, a sheet
/// or blank rows skipped. `code` is stable (e.g. "implausible_scale", "weight_assumed",
/// "likely_duplicate_entity", "sheet_skipped", "blank_rows"); `message` (English) and `message_zh`
/// name the place; `rows` are the input rows concerned (0-based, as rejection::row), possibly none.
struct ingest_note {
  std::string code;
  std::string message;
  std::string message_zh;
  std::vector<std::size_t> rows;
  friend bool operator==(const ingest_note&, const ingest_note&) = default;
};

/// What happened to every input row: rows == accepted + duplicates + rejected.size().
struct ingest_report {
  std::size_t rows = 0;       ///< rows read (blank rows are not rows: see the "blank_rows" note)
  std::size_t accepted = 0;   ///< rows kept
  std::size_t duplicates = 0; ///< exact repeats of an accepted row (reported, not double-counted)
  std::size_t missing = 0;    ///< accepted rows whose value is explicitly missing
  std::vector<rejection> rejected;
  std::vector<std::size_t> duplicate_rows; ///< which rows were identical repeats
  std::vector<std::string> added_entities; ///< entities added to the plan from the data
  std::vector<ingest_note> notes;           ///< warnings and accounting that reject no row
  /// Every accepted row covers exactly one calendar year (what school data usually is).
  bool calendar_years = false;
};

/// What to do with a bad row: throw data_error naming it (default), or collect it in the report.
enum class on_bad_row { raise, collect };

/// The days observations may fall in: from 1900-01-01 to the horizon end. The start is open:
/// history before the plan (the previous plan's figures, 2016–2019 for a 2021–2025 plan) and the
/// baseline year are data; data after the horizon is not.
period data_window(const plan& p);

/// Throws data_error if `v` was checked against a plan that `p` does not extend (another plan, or
/// one changed since): `operation` names the call in the message.
void require_plan(const plan& p, const observation_view& v, std::string_view operation);

/// Check rows against `p`: indices in range, days inside data_window, finite values, counts not
/// negative, percentages within 0–100, weights finite and >= 0, and no two rows with the same
/// (indicator, entity, start, end): an identical repeat is a duplicate, a different value a
/// duplicate_conflict. Returns for each row whether it is kept, and fills `report`. With
/// on_bad_row::raise the first bad row throws data_error ("row 12, column value: ...").
///
/// Notes on the kept rows (report.notes, English and Chinese, rejecting nothing):
/// - "implausible_scale": a percentage indicator whose kept values here all lie within [0, 1],
///   at least one strictly between (0.989 for 98.9%?). Not for values that are all 0 or 1, nor
///   for an indicator of direction "decrease" or one whose plan figures (baseline, goal,
///   milestones) lie within (0, 1]: those count in small percentages (a dropout rate of 0.3%).
/// - "likely_duplicate_entity": two entities with the same name under the same parent, or with
///   exactly the same (indicator, period, value) rows, at least 3 of them with at least 3 values
///   other than 0 and 1; groups of more than 3 such entities are a pattern, not noted; at most 20.
std::vector<std::uint8_t> check_observations(const plan& p, const observation_view& v, ingest_report& report,
                                             on_bad_row mode = on_bad_row::raise);

/// The rows of `v` for which keep[i] is set, as a new table. Pass the report of the
/// check_observations call that produced `keep` to mark the table yearly_unique when it is.
/// With `checked_against`, the table keeps that plan's key (observation_view::plan).
observation_table select_rows(const observation_view& v, const std::vector<std::uint8_t>& keep,
                              const ingest_report* checked = nullptr, const plan* checked_against = nullptr);

/// Options for reading observations given with string ids (CSV files, data frames).
struct read_options {
  on_bad_row mode = on_bad_row::raise;
  /// Add entities the plan does not know when the row names a known parent (column `parent`).
  bool add_entities = true;
  /// How messages name each input row, when the rows come from elsewhere (a spreadsheet's cells:
  /// "小学!E5"): empty, rows are named by number ("row 3", "line 5"); else notes name them as
  /// "cells 小学!E5, 小学!E6" ("单元格 小学!E5、小学!E6") and a conflicting duplicate as "as 小学!E5
  /// with", so a reader never rewrites messages. Rows past its end are named by number. Errors and
  /// rejections still give the row by number as fields (location::row, rejection::row).
  std::vector<std::string> row_names;
};

/// Observations given as text columns (one std::string per cell), as from a CSV file or a data
/// frame. Required columns: indicator, entity, value, and either `date`, `period` ("2021",
/// "2021/2022") or `year`. Optional: weight, estimated, provisional (true/false/1/0), and for
/// new entities parent, entity_name, entity_kind, stage, students. Rows are checked as by
/// check_observations; new entities are added to `p`. `source` names the input in messages
/// ("schools.csv").
///
/// Cells of the value, weight and students columns are read as detail/cells.hpp says: missing
/// marks (empty or blank cells, NA, N/A, null, - — – － / 无 空 ...) make a missing value (a
/// missing weight or students cell is still refused, as before); numbers may have full-width
/// digits, thousands separators in groups of three and blanks around them (U+3000, U+00A0); a
/// trailing % is accepted for a percentage indicator (85% reads 85) and refused, naming the unit,
/// for others. A row whose cells are all blank is skipped: it is not counted in report.rows (so
/// rows == accepted + duplicates + rejected still holds) but in a "blank_rows" note naming them.
/// Notes (ingest_note) also tell of percentages that look like fractions ("implausible_scale")
/// and of one school under two codes ("likely_duplicate_entity"): see check_observations.
struct text_columns {
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> cells; ///< cells[column][row]
};
observation_table read_observations(plan& p, const text_columns& data, ingest_report& report,
                                    const read_options& options = {}, const std::string& source = "<data>");

/// Read a CSV file (RFC 4180 quoting; header row required), as read_observations reads text
/// columns. Encodings: UTF-8 with or without BOM; a file that is not UTF-8 is decoded as GB18030
/// (GBK, what Excel on Chinese Windows writes) when its bytes are GB18030 and not UTF-8 with a few
/// damaged bytes, and UTF-16 with a byte-order mark (Excel's "Unicode text") is decoded: both with
/// a note ("decoded_gb18030", "decoded_utf16"). Other bytes are refused naming the line and
/// column, as parse_csv refuses them. The file is mapped (or read) once and its cells are views of
/// it: no string per cell. Structural errors (a row with the wrong number of cells, unbalanced
/// quotes) are found before any row is read, so they never leave entities added to `p`. From
/// 100,000 rows on, a second thread tokenizes rows ahead and parses their numbers and years (it
/// never touches `p`; the calling thread resolves ids, adds entities and checks, in row order).
observation_table read_observations_csv(plan& p, const std::string& path, ingest_report& report,
                                        const read_options& options = {});

/// Parse CSV text into columns (header row first). Throws data_error on unbalanced quotes or a
/// row with the wrong number of cells, naming the line.
text_columns parse_csv(std::string_view text, const std::string& source = "<csv>");

} // namespace planeval
