// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#include <planeval/observations.hpp>
#include <planeval/detail/cells.hpp>
#include <planeval/detail/entity_cells.hpp>
#include <planeval/detail/utf8.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>
#include <iterator>
#include <numeric>
#include <unordered_map>

#if __has_include(<iconv.h>)
#include <iconv.h>
#define PLANEVAL_HAVE_ICONV 1
#else
#define PLANEVAL_HAVE_ICONV 0
#endif
#if __has_include(<sys/mman.h>) && __has_include(<fcntl.h>) && __has_include(<unistd.h>)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define PLANEVAL_HAVE_MMAP 1
#else
#define PLANEVAL_HAVE_MMAP 0
#endif

namespace planeval {

namespace {

std::string quoted(std::string_view s) { return detail::quote_input(s); }

/// The file a source names: none for the placeholders of text given in memory ("<csv>", "<data>").
std::string file_of(const std::string& source) {
  return source.empty() || (source.front() == '<' && source.back() == '>') ? std::string() : source;
}
/// A place in a file: its name, and the line (from 1) and column when given.
location in_file(const std::string& source, std::size_t line = 0, std::string column = {}) {
  location where;
  where.file = file_of(source);
  if (line > 0) where.row = line;
  where.column = std::move(column);
  return where;
}

/// Collects rejections, or throws the first one in raise mode.
class rejector {
public:
  rejector(ingest_report& r, on_bad_row mode, std::string source, int first_line,
           const std::vector<std::string>* row_names = nullptr)
      : report_(r), mode_(mode), source_(std::move(source)), first_line_(first_line),
        row_names_(row_names && !row_names->empty() ? row_names : nullptr) {}

  /// Rows of the checked table map to these input rows (empty: the identity).
  std::vector<std::size_t> row_map;
  std::size_t input_row(std::size_t row) const { return row_map.empty() ? row : row_map[row]; }

  void reject(std::size_t row, std::string column, rejection_reason reason, std::string message) {
    if (mode_ == on_bad_row::raise) throw data_error(locate(row, column) + ": " + message, where(row, column), message);
    report_.rejected.push_back({row, std::move(column), reason, std::move(message)});
  }
  /// The place of an input row's cell as fields: a file's line (row + first line), else the
  /// position + 1 (location::row counts from 1).
  location where(std::size_t row, const std::string& column) const {
    location w;
    if (first_line_ > 0) w.file = file_of(source_);
    w.row = row + static_cast<std::size_t>(first_line_ > 0 ? first_line_ : 1);
    w.column = column;
    return w;
  }
  std::string locate(std::size_t row, const std::string& column) const {
    return (source_.empty() ? "" : source_ + ": ") + place(row) + ", column " + column;
  }
  /// Where an input row is, as people count: "line 5" in a file (its line, from 1), else "row 3"
  /// (the 0-based position of arrays and frames, as Rejection::row).
  std::string place(std::size_t row) const {
    return first_line_ > 0 ? "line " + std::to_string(row + static_cast<std::size_t>(first_line_))
                           : "row " + std::to_string(row);
  }
  /// "lines 5, 9" / "rows 3, 7" (the first `limit`, then "… (4 more)"); `zh`: "第 5、9 行" /
  /// "第 3、7 行数据（从 0 起）". With row names (read_options::row_names): "cells 小学!E5, 小学!E9" /
  /// "单元格 小学!E5、小学!E9" (`word` false: the names alone).
  std::string places(const std::vector<std::size_t>& rows, bool zh = false, std::size_t limit = 5,
                     bool word = true) const {
    if (named(rows)) {
      std::string s = word ? (zh ? "单元格 " : "cells ") : "";
      for (std::size_t k = 0; k < rows.size() && k < limit; ++k) s += (k ? (zh ? "、" : ", ") : "") + (*row_names_)[rows[k]];
      if (rows.size() > limit)
        s += zh ? " 等 " + std::to_string(rows.size()) + " 处" : " … (" + std::to_string(rows.size() - limit) + " more)";
      return s;
    }
    std::string s;
    for (std::size_t k = 0; k < rows.size() && k < limit; ++k)
      s += (k ? (zh ? "、" : ", ") : "") +
           std::to_string(rows[k] + static_cast<std::size_t>(first_line_ > 0 ? first_line_ : 0));
    if (rows.size() > limit)
      s += zh ? " 等 " + std::to_string(rows.size()) + " 处" : " … (" + std::to_string(rows.size() - limit) + " more)";
    if (zh) return "第 " + s + (first_line_ > 0 ? " 行" : " 行数据（从 0 起）");
    return (first_line_ > 0 ? (rows.size() == 1 ? "line " : "lines ") : (rows.size() == 1 ? "row " : "rows ")) + s;
  }

private:
  /// Whether every row of `rows` has a name.
  bool named(const std::vector<std::size_t>& rows) const {
    return row_names_ && std::all_of(rows.begin(), rows.end(), [&](std::size_t r) { return r < row_names_->size(); });
  }

  ingest_report& report_;
  on_bad_row mode_;
  std::string source_;
  int first_line_;
  const std::vector<std::string>* row_names_;
};

std::string number_text(double x) { return detail::format_number(x); }

struct row_key {
  std::uint32_t indicator, entity;
  day_number start, end;
  friend bool operator==(const row_key&, const row_key&) = default;
};
struct row_key_hash {
  std::size_t operator()(const row_key& k) const noexcept {
    std::uint64_t h = (std::uint64_t{k.indicator} << 32) ^ k.entity;
    h ^= (std::uint64_t(static_cast<std::uint32_t>(k.start)) << 21) ^ static_cast<std::uint32_t>(k.end);
    h *= 0x9E3779B97F4A7C15ULL;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};

bool same_row(const observation_view& v, std::size_t a, std::size_t b) {
  const bool ma = v.is_missing(a), mb = v.is_missing(b);
  if (ma != mb) return false;
  if (!ma && v.value[a] != v.value[b]) return false;
  if (v.has_weight() && v.weight[a] != v.weight[b]) return false;
  const std::uint8_t fa = v.flags.empty() ? 0 : v.flags[a], fb = v.flags.empty() ? 0 : v.flags[b];
  return fa == fb;
}

/// Checks everything of one row that does not involve other rows. Returns false if rejected.
bool check_row(const plan& p, const observation_view& v, std::size_t row, day_number lo, day_number hi, rejector& rj,
               std::string_view date_column) {
  const std::size_t i = row;
  const auto reject = [&](const char* column, rejection_reason reason, std::string msg) {
    rj.reject(rj.input_row(row), column, reason, std::move(msg));
  };
  const auto n_ind = p.indicators().size();
  const auto n_ent = p.entities().size();
  if (v.indicator[i] >= n_ind) {
    reject("indicator", rejection_reason::unknown_indicator,
           "expected an indicator index below " + std::to_string(n_ind) + ", got " + std::to_string(v.indicator[i]));
    return false;
  }
  if (v.entity[i] >= n_ent) {
    reject("entity", rejection_reason::unknown_entity,
           "expected an entity index below " + std::to_string(n_ent) + ", got " + std::to_string(v.entity[i]));
    return false;
  }
  if (v.start[i] > v.end[i]) {
    reject(date_column.data(), rejection_reason::bad_date,
           "the period starts (" + format_date(from_day_number(v.start[i])) + ") after it ends (" +
               format_date(from_day_number(v.end[i])) + ")");
    return false;
  }
  if (v.start[i] < lo || v.end[i] > hi) {
    reject(date_column.data(), rejection_reason::outside_horizon,
           "expected a date within " + format_date(from_day_number(lo)) + ".." + format_date(from_day_number(hi)) +
               " (up to the end of the plan horizon), got " + format_date(from_day_number(v.start[i])) +
               (v.start[i] == v.end[i] ? "" : ".." + format_date(from_day_number(v.end[i]))));
    return false;
  }
  const indicator& ind = p.indicators()[v.indicator[i]];
  if (!v.is_missing(i)) {
    const double x = v.value[i];
    if (!std::isfinite(x)) {
      reject("value", rejection_reason::non_finite,
             "expected a finite number, got " + number_text(x) + " (mark a value not reported as missing)");
      return false;
    }
    if (ind.kind == value_kind::count && x < 0) {
      reject("value", rejection_reason::negative_count,
             "expected a count >= 0 for " + quoted(ind.id) + ", got " + number_text(x));
      return false;
    }
    if (ind.is_percentage() && (x < 0 || x > 100)) {
      reject("value", rejection_reason::out_of_range,
             "expected a percentage from 0 to 100 for " + quoted(ind.id) + ", got " + number_text(x));
      return false;
    }
    if (ind.kind == value_kind::boolean && x != 0 && x != 1) {
      reject("value", rejection_reason::out_of_range,
             "expected 0 or 1 (false or true) for boolean " + quoted(ind.id) + ", got " + number_text(x));
      return false;
    }
  }
  if (v.has_weight() && (!std::isfinite(v.weight[i]) || v.weight[i] < 0)) {
    reject("weight", rejection_reason::bad_weight, "expected a finite weight >= 0, got " + number_text(v.weight[i]));
    return false;
  }
  return true;
}

/// The year of day number `z` if it is January 1, else -1 (H. Hinnant's public-domain
/// civil_from_days: integer arithmetic, no boost date per row).
int year_if_new_year(day_number z) noexcept {
  const int zz = z + 719468;
  const int era = (zz >= 0 ? zz : zz - 146096) / 146097;
  const auto doe = static_cast<unsigned>(zz - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int y = static_cast<int>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return m == 1 && d == 1 ? y : -1;
}

/// Whether a year has 366 days.
constexpr bool leap_year(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/// Marks duplicates among kept rows: identical repeats are dropped and counted; rows sharing a key
/// with a different value are all rejected (no silent choice of one).
void check_duplicates(const observation_view& v, std::vector<std::uint8_t>& keep, ingest_report& report, rejector& rj,
                      std::size_t n_ind, std::size_t n_ent, day_number lo, day_number hi) {
  const std::size_t n = v.size();
  // Fast path: every row is one calendar year (the usual school data). A bitmap over
  // (entity, indicator, year) finds repeated keys in one pass; only those keys are then resolved.
  // The years span the kept rows (the window's start is open); whether a row is one calendar
  // year is worked out in integers (no boost date per row).
  day_number first = hi, last = lo;
  for (std::size_t i = 0; i < n; ++i)
    if (keep[i]) first = (std::min)(first, v.start[i]), last = (std::max)(last, v.start[i]);
  if (first > last) first = last = lo;
  const int y0 = from_day_number(first).year();
  const int years = from_day_number(last).year() - y0 + 1;
  std::vector<std::uint32_t> suspects; // rows whose key was seen before
  bool yearly = true;
  const std::uint64_t bits = std::uint64_t{n_ind} * n_ent * static_cast<std::uint64_t>(years);
  if (bits <= (std::uint64_t{1} << 31)) {
    std::vector<std::uint64_t> seen((bits + 63) / 64, 0);
    for (std::size_t i = 0; i < n && yearly; ++i) {
      if (!keep[i]) continue;
      const int year = year_if_new_year(v.start[i]);
      if (year < 0 || v.end[i] != v.start[i] + (leap_year(year) ? 365 : 364)) {
        yearly = false;
        break;
      }
      const std::uint64_t slot =
          (std::uint64_t{v.entity[i]} * n_ind + v.indicator[i]) * static_cast<std::uint64_t>(years) +
          static_cast<std::uint64_t>(year - y0);
      std::uint64_t& word = seen[slot >> 6];
      const std::uint64_t bit = std::uint64_t{1} << (slot & 63);
      if (word & bit)
        suspects.push_back(static_cast<std::uint32_t>(i));
      else
        word |= bit;
    }
  } else {
    yearly = false;
  }
  report.calendar_years = yearly;
  std::unordered_map<row_key, std::vector<std::size_t>, row_key_hash> groups;
  auto key_of = [&](std::size_t i) { return row_key{v.indicator[i], v.entity[i], v.start[i], v.end[i]}; };
  if (yearly) {
    if (suspects.empty()) return;
    for (auto i : suspects) groups[key_of(i)];
    for (std::size_t i = 0; i < n; ++i)
      if (keep[i]) {
        auto it = groups.find(key_of(i));
        if (it != groups.end()) it->second.push_back(i);
      }
  } else {
    for (std::size_t i = 0; i < n; ++i)
      if (keep[i]) groups[key_of(i)].push_back(i);
  }
  std::vector<std::size_t> conflicted;
  for (auto& [key, rows] : groups) {
    if (rows.size() < 2) continue;
    bool all_same = true;
    for (std::size_t k = 1; k < rows.size(); ++k) all_same = all_same && same_row(v, rows[0], rows[k]);
    if (all_same) {
      for (std::size_t k = 1; k < rows.size(); ++k) {
        keep[rows[k]] = 0;
        ++report.duplicates;
        report.duplicate_rows.push_back(rj.input_row(rows[k]));
      }
    } else {
      conflicted.insert(conflicted.end(), rows.begin(), rows.end());
    }
  }
  std::sort(report.duplicate_rows.begin(), report.duplicate_rows.end());
  std::sort(conflicted.begin(), conflicted.end());
  for (auto i : conflicted) {
    const auto& rows = groups[key_of(i)];
    std::vector<std::size_t> others;
    for (auto j : rows)
      if (j != i) others.push_back(rj.input_row(j));
    keep[i] = 0;
    rj.reject(rj.input_row(i), "value", rejection_reason::duplicate_conflict,
              "the same indicator, entity and period as " + rj.places(others, false, others.size(), false) +
                  " with a different value (" +
                  (v.is_missing(i) ? std::string("missing") : number_text(v.value[i])) + ")");
  }
}

std::string_view trim(std::string_view s) { return detail::trim_id(s); }
std::optional<bool> parse_bool(std::string_view s) { return detail::parse_bool_cell(s); }

} // namespace

period data_window(const plan& p) {
  // open at the start: history before the plan (the previous plan's figures) is data too
  return {date(1900, 1, 1), p.horizon().end, period_kind::custom};
}

namespace {

/// The first rows of `rows` as "rows 3, 9, 12" (input rows, as rejections name them).
/// "a, b, c" (at most 5 ids, then " …").
std::string join_ids(const std::vector<std::string>& ids) {
  std::string s;
  for (std::size_t k = 0; k < ids.size() && k < 5; ++k) s += (k ? ", " : "") + ids[k];
  if (ids.size() > 5) s += " …";
  return s;
}

/// The implausible_scale note: a percentage indicator whose accepted values here all lie within
/// [0, 1] with at least one strictly between 0 and 1 (0.989 for 98.9%?). Values that are all 0 or
/// 1 (booleans kept as %) are not flagged, nor an indicator whose own figures in the plan (a
/// baseline, goal or milestone) are within (0, 1]: there the plan itself counts in small
/// percentages (a dropout rate kept below 0.5%), nor one of direction "decrease" for that reason.
void note_implausible_scale(const plan& p, const observation_view& v, const std::vector<std::uint8_t>& keep,
                            ingest_report& report, const rejector& rj) {
  const std::size_t n_ind = p.indicators().size();
  // per indicator: 0 unseen, 1 all within [0, 1] so far, 2 not a fraction scale; the first values
  std::vector<std::uint8_t> state(n_ind, 0);
  std::vector<std::uint8_t> fractional(n_ind, 0);
  bool any = false;
  for (std::size_t k = 0; k < n_ind; ++k) {
    const indicator& ind = p.indicators()[k];
    if (!ind.is_percentage() || ind.direction == direction::decrease) state[k] = 2;
    any = any || state[k] == 0;
  }
  if (!any) return;
  for (const auto& t : p.targets()) {
    if (t.indicator_index >= n_ind) continue;
    const auto small = [](const value& x) { return x.is_number() && x.number() > 0 && x.number() <= 1; };
    bool plan_small = (t.baseline && small(t.baseline->value)) || small(t.goal.value);
    for (const auto& m : t.milestones) plan_small = plan_small || small(m.value);
    if (plan_small) state[t.indicator_index] = 2;
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!keep[i] || v.is_missing(i)) continue;
    const std::uint32_t k = v.indicator[i];
    if (state[k] == 2) continue;
    const double x = v.value[i];
    if (x < 0 || x > 1) {
      state[k] = 2;
      continue;
    }
    state[k] = 1;
    if (x > 0 && x < 1) fractional[k] = 1;
  }
  for (std::size_t k = 0; k < n_ind; ++k) {
    if (state[k] != 1 || !fractional[k]) continue;
    std::vector<std::size_t> rows;
    double example = 0;
    for (std::size_t i = 0; i < v.size() && rows.size() < 10; ++i)
      if (keep[i] && !v.is_missing(i) && v.indicator[i] == k) {
        if (rows.empty() || (example <= 0 || example >= 1)) example = v.value[i];
        rows.push_back(rj.input_row(i));
      }
    const std::string& id = p.indicators()[k].id;
    const std::string ex = number_text(example), pct = number_text(example * 100);
    report.notes.push_back(
        {"implausible_scale",
         "values of " + quoted(id) + " look like fractions (" + ex + " for " + pct +
             "%?): percentages are 0–100 (" + rj.places(rows) + ")",
         "指标 " + quoted(id) + " 的数值像是小数比例（" + ex + " 应为 " + pct + "%？）：百分比应在 0–100 之间（" +
             rj.places(rows, true) + "）",
         std::move(rows)});
  }
}

/// The likely_duplicate_entity note: two entities of this input with the same name under the same
/// parent, or with exactly the same (indicator, period, value) rows, at least 3 of them and at
/// least 3 of those values other than 0 and 1 (identical flags and zeros are common and prove
/// nothing). Each entity's rows are hashed once, order-free (a sum and an xor of mixed keys);
/// entities whose hashes agree are then compared row by row. Groups of more than 3 entities (a
/// pattern, not a copy) are not reported; at most 20 notes.
void note_likely_duplicates(const plan& p, const observation_view& v, const std::vector<std::uint8_t>& keep,
                            ingest_report& report, const rejector& rj) {
  const std::size_t n_ent = p.entities().size();
  struct signature {
    std::uint64_t sum = 0, x = 0;
    std::uint32_t rows = 0, telling = 0; ///< values, and those other than 0 and 1
    std::size_t first_row = static_cast<std::size_t>(-1);
  };
  std::vector<signature> sig(n_ent);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!keep[i] || v.is_missing(i)) continue;
    signature& g = sig[v.entity[i]];
    std::uint64_t bits = 0;
    const double val = v.value[i] == 0 ? 0.0 : v.value[i]; // -0 == 0
    std::memcpy(&bits, &val, sizeof bits);
    std::uint64_t h = (std::uint64_t{v.indicator[i]} << 40) ^ (std::uint64_t(static_cast<std::uint32_t>(v.start[i])) << 20) ^
                      static_cast<std::uint32_t>(v.end[i]);
    h = (h ^ bits * 0x9E3779B97F4A7C15ULL) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
    g.sum += h;
    g.x ^= h * 0x94D049BB133111EBULL;
    ++g.rows;
    if (val != 0 && val != 1) ++g.telling;
    if (g.first_row == static_cast<std::size_t>(-1)) g.first_row = i;
  }
  struct pair_found {
    std::uint32_t a, b;
    bool by_name;
  };
  std::vector<pair_found> pairs;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> by_values;
  std::unordered_map<std::string_view, std::vector<std::uint32_t>> by_name;
  for (std::uint32_t e = 0; e < n_ent; ++e) {
    const signature& g = sig[e];
    if (g.rows == 0) continue;
    const entity& en = p.entities()[e];
    if (!en.name.zh.empty() && en.name.zh != en.id) by_name[en.name.zh].push_back(e);
    if (g.rows >= 3 && g.telling >= 3) by_values[g.sum ^ (g.x << 1) ^ g.rows].push_back(e);
  }
  // rows of an entity as sorted (indicator, start, end, value) tuples, for the exact comparison
  const auto rows_of = [&](std::uint32_t e) {
    std::vector<std::tuple<std::uint32_t, day_number, day_number, double>> r;
    for (std::size_t i = sig[e].first_row; i < v.size(); ++i)
      if (keep[i] && !v.is_missing(i) && v.entity[i] == e) r.emplace_back(v.indicator[i], v.start[i], v.end[i], v.value[i]);
    std::sort(r.begin(), r.end());
    return r;
  };
  for (auto& [h, ents] : by_values) {
    if (ents.size() < 2 || ents.size() > 3) continue;
    for (std::size_t a = 0; a < ents.size(); ++a)
      for (std::size_t b = a + 1; b < ents.size(); ++b)
        if (sig[ents[a]].rows == sig[ents[b]].rows && rows_of(ents[a]) == rows_of(ents[b]))
          pairs.push_back({ents[a], ents[b], false});
  }
  for (auto& [name, ents] : by_name) {
    if (ents.size() < 2 || ents.size() > 3) continue;
    for (std::size_t a = 0; a < ents.size(); ++a)
      for (std::size_t b = a + 1; b < ents.size(); ++b)
        if (p.entities()[ents[a]].parent == p.entities()[ents[b]].parent) pairs.push_back({ents[a], ents[b], true});
  }
  std::sort(pairs.begin(), pairs.end(), [](const pair_found& x, const pair_found& y) {
    return std::tie(x.a, x.b, x.by_name) < std::tie(y.a, y.b, y.by_name);
  });
  if (pairs.size() > 20) pairs.resize(20);
  for (const auto& pr : pairs) {
    const entity& ea = p.entities()[pr.a];
    const entity& eb = p.entities()[pr.b];
    const bool schools = ea.kind == entity_kind::school && eb.kind == entity_kind::school;
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < v.size() && rows.size() < 10; ++i)
      if (keep[i] && (v.entity[i] == pr.a || v.entity[i] == pr.b)) rows.push_back(rj.input_row(i));
    const std::string what = pr.by_name ? "the same name " + quoted(ea.name.zh)
                                        : "the same " + std::to_string(sig[pr.a].rows) + " values";
    const std::string what_zh = pr.by_name ? " 名称相同（" + quoted(ea.name.zh) + "）"
                                           : " 有 " + std::to_string(sig[pr.a].rows) + " 个数值完全相同";
    report.notes.push_back(
        {"likely_duplicate_entity",
         std::string(schools ? "schools " : "entities ") + quoted(ea.id) + " and " + quoted(eb.id) + " have " + what +
             " (" + rj.places(rows) + "): the same " + (schools ? "school" : "unit") +
             " under two codes? it would be counted twice",
         std::string(schools ? "学校 " : "单位 ") + quoted(ea.id) + " 与 " + quoted(eb.id) + what_zh + "（" +
             rj.places(rows, true) + "）：是否同一" + (schools ? "学校" : "单位") + "用了两个代码？汇总时会被重复计算",
         std::move(rows)});
  }
}

std::vector<std::uint8_t> check_impl(const plan& p, const observation_view& v, ingest_report& report, rejector& rj,
                                     std::string_view date_column) {
  const std::size_t n = v.size();
  if (v.entity.size() != n || v.start.size() != n || v.end.size() != n || v.value.size() != n ||
      (!v.weight.empty() && v.weight.size() != n) || (!v.flags.empty() && v.flags.size() != n))
    throw data_error("observation columns have different lengths");
  const auto window = data_window(p);
  const day_number lo = to_day_number(window.start), hi = to_day_number(window.end);
  std::vector<std::uint8_t> keep(n, 0);
  for (std::size_t i = 0; i < n; ++i) keep[i] = check_row(p, v, i, lo, hi, rj, date_column) ? 1 : 0;
  check_duplicates(v, keep, report, rj, p.indicators().size(), p.entities().size(), lo, hi);
  for (std::size_t i = 0; i < n; ++i)
    if (keep[i]) {
      ++report.accepted;
      if (v.is_missing(i)) ++report.missing;
    }
  note_implausible_scale(p, v, keep, report, rj);
  note_likely_duplicates(p, v, keep, report, rj);
  return keep;
}
} // namespace

std::vector<std::uint8_t> check_observations(const plan& p, const observation_view& v, ingest_report& report,
                                             on_bad_row mode) {
  require_plan(p, v, "check_observations");
  rejector rj(report, mode, "", 0);
  report.rows += v.size();
  auto keep = check_impl(p, v, report, rj, "date");
  std::stable_sort(report.rejected.begin(), report.rejected.end(),
                   [](const rejection& a, const rejection& b) { return a.row < b.row; });
  return keep;
}

void require_plan(const plan& p, const observation_view& v, std::string_view operation) {
  if (!v.plan || p.extends(*v.plan)) return;
  const plan_key& k = *v.plan;
  const std::string what = k.id == p.id() ? "the plan \"" + p.id() + "\" has changed since (its indicators or entities differ)"
                                          : "this is plan \"" + p.id() + "\"";
  throw data_error(std::string(operation) + ": these observations were checked against plan \"" + k.id + "\" (" +
                   std::to_string(k.indicators) + " indicators, " + std::to_string(k.entities) + " entities), but " +
                   what + "; their indices would name other indicators and entities: read them again with this plan");
}

observation_table select_rows(const observation_view& v, const std::vector<std::uint8_t>& keep,
                              const ingest_report* checked, const plan* checked_against) {
  observation_table t;
  const std::size_t kept = static_cast<std::size_t>(std::count(keep.begin(), keep.end(), std::uint8_t{1}));
  t.reserve(kept);
  if (v.has_weight()) t.weight.reserve(kept);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!keep[i]) continue;
    t.push_back(v.indicator[i], v.entity[i], v.start[i], v.end[i], v.value[i], v.flags.empty() ? 0 : v.flags[i]);
    if (v.has_weight()) t.weight.push_back(v.weight[i]);
  }
  t.yearly_unique = checked && checked->calendar_years;
  t.plan = checked_against ? std::optional<plan_key>(checked_against->key()) : v.plan;
  return t;
}

namespace {

/// Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse of H. Hinnant's
/// public-domain algorithms): the same numbers as to_day_number, without building a boost date.
constexpr day_number days_from_civil(int y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<day_number>(era * 146097 + static_cast<int>(doe) - 719468);
}

/// Four ASCII digits as a year within min_year..max_year, else -1.
inline int four_digit_year(std::string_view s) noexcept {
  if (s.size() != 4) return -1;
  int y = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return -1;
    y = y * 10 + (c - '0');
  }
  return y >= min_year && y <= max_year ? y : -1;
}

/// a == b for the short ids of a column, without a call: 8 to 16 bytes as two overlapping words.
inline bool same_text(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  if (n >= 8 && n <= 16) {
    std::uint64_t a1, b1, a2, b2;
    std::memcpy(&a1, a.data(), 8);
    std::memcpy(&b1, b.data(), 8);
    std::memcpy(&a2, a.data() + n - 8, 8);
    std::memcpy(&b2, b.data() + n - 8, 8);
    return a1 == b1 && a2 == b2;
  }
  return n == 0 || std::memcmp(a.data(), b.data(), n) == 0;
}

/// Cells of text_columns, row by row.
class text_source {
public:
  explicit text_source(const text_columns& d) : d_(d) {}
  const std::vector<std::string>& names() const { return d_.names; }
  /// The rows, as the first column of the given one says; consistent() checks the others.
  std::size_t size(std::size_t column) const { return d_.cells[column].size(); }
  bool consistent(std::size_t n) const {
    return std::all_of(d_.cells.begin(), d_.cells.end(), [&](const auto& c) { return c.size() == n; });
  }
  /// The cells of row i (valid until the next call).
  const std::string_view* row(std::size_t i) {
    row_.resize(d_.cells.size());
    for (std::size_t c = 0; c < d_.cells.size(); ++c) row_[c] = d_.cells[c][i];
    return row_.data();
  }

private:
  const text_columns& d_;
  std::vector<std::string_view> row_;
};

/// How the CSV tokenizer treats the input (RFC 4180 as parse_csv reads it: a quote opens a quoted
/// cell only at the start of a cell; "" inside quotes is one quote; CRLF, LF and a lone CR end a
/// row outside quotes; a line with nothing on it is no row).
struct csv_cursor {
  char* pos;
  char* end;
  std::size_t line = 1; ///< the line `pos` is on
};

/// Reads the next row (skipping empty lines) into `cells`, unescaping quoted cells in place (the
/// text only shrinks, so each cell stays a string_view of the buffer). Returns the line the row
/// starts on, 0 at the end of the input, or -(line) for a quote left open at the end.
long next_csv_row(csv_cursor& cur, std::vector<std::string_view>& cells) {
  for (;;) {
    cells.clear();
    char* r = cur.pos;
    char* const end = cur.end;
    if (r == end) return 0;
    const std::size_t row_line = cur.line;
    for (;;) { // one cell per turn
      char* const begin = r;
      char* w = nullptr; // write position once the cell has a quote (in-place unescaping)
      if (r < end && *r == '"') {
        w = r;
        ++r;
        for (;;) {
          if (r == end) {
            cur.pos = r;
            return -static_cast<long>(row_line);
          }
          const char c = *r;
          if (c == '"') {
            if (r + 1 < end && r[1] == '"') {
              *w++ = '"';
              r += 2;
              continue;
            }
            ++r;
            break;
          }
          if (c == '\n' || (c == '\r' && !(r + 1 < end && r[1] == '\n'))) ++cur.line;
          *w++ = c;
          ++r;
        }
      }
      // unquoted text (or what follows a closing quote): up to a comma or the end of the line
      while (r < end) {
        const char c = *r;
        if (c == ',' || c == '\n' || c == '\r') break;
        if (w) *w = c, ++w;
        ++r;
      }
      cells.emplace_back(begin, static_cast<std::size_t>((w ? w : r) - begin));
      if (r == end) break;
      const char c = *r++;
      if (c == ',') {
        if (r == end) { // "a,b," at the end of the file: a last empty cell
          cells.emplace_back(r, 0);
          break;
        }
        continue;
      }
      if (c == '\r' && r < end && *r == '\n') ++r;
      ++cur.line;
      break;
    }
    cur.pos = r;
    if (cells.size() == 1 && cells[0].empty()) continue; // an empty line
    return static_cast<long>(row_line);
  }
}

/// The structure of the data rows (after the header) without changing the buffer: how many rows,
/// the first row whose cell count differs from `columns`, and a quote left open.
struct csv_shape {
  std::size_t rows = 0;
  std::size_t bad_row = 0, bad_line = 0, bad_cells = 0; ///< bad_line 0: every row has `columns` cells
  std::size_t open_quote_line = 0;                      ///< 0: the quotes balance
  bool quoted_newline = false;                          ///< a quoted cell holds a line break
};
csv_shape scan_csv(const char* p, const char* end, std::size_t line, std::size_t columns) {
  csv_shape out;
  while (p < end) {
    const std::size_t row_line = line;
    std::size_t cells = 1;
    bool content = false; // the row has a character beyond its first (empty) cell
    for (;;) {
      if (p < end && *p == '"') {
        ++p;
        for (;;) {
          if (p == end) {
            out.open_quote_line = row_line;
            return out;
          }
          const char c = *p++;
          if (c == '"') {
            if (p < end && *p == '"') {
              ++p;
              content = true;
              continue;
            }
            break;
          }
          if (c == '\n' || (c == '\r' && !(p < end && *p == '\n'))) {
            ++line;
            out.quoted_newline = true;
          }
          content = true;
        }
      }
      const char* q = p;
      while (p < end && *p != ',' && *p != '\n' && *p != '\r') ++p;
      if (p != q) content = true;
      if (p == end) break;
      const char c = *p++;
      if (c == ',') {
        ++cells;
        if (p == end) break;
        continue;
      }
      if (c == '\r' && p < end && *p == '\n') ++p;
      ++line;
      break;
    }
    if (cells == 1 && !content) continue; // an empty line
    if (cells != columns && out.bad_line == 0) {
      out.bad_row = out.rows;
      out.bad_line = row_line;
      out.bad_cells = cells;
    }
    ++out.rows;
  }
  return out;
}

/// The offset of the first byte of `s` that is not valid UTF-8 (8 ASCII bytes at a time).
std::optional<std::size_t> first_invalid_utf8(std::string_view s) noexcept {
  const char* p = s.data();
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, p + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(p[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (detail::invalid_utf8_at(s.substr(i, len)) || i + len > n) return i;
    i += len;
  }
  return std::nullopt;
}

/// `text` decoded from `encoding` to UTF-8 by iconv, or nullopt where it is not that encoding (or
/// iconv is not available).
std::optional<std::string> decode_with_iconv([[maybe_unused]] std::string_view text,
                                             [[maybe_unused]] const char* encoding) {
#if PLANEVAL_HAVE_ICONV
  iconv_t cd = iconv_open("UTF-8", encoding);
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(text.size() + text.size() / 2 + 16, '\0'); // 2 GB18030/UTF-16 bytes: at most 3 UTF-8
  char* in = const_cast<char*>(text.data());                // iconv's signature; it does not write there
  std::size_t in_left = text.size();
  char* o = out.data();
  std::size_t o_left = out.size();
  const std::size_t r = iconv(cd, &in, &in_left, &o, &o_left);
  iconv_close(cd);
  if (r == static_cast<std::size_t>(-1) || in_left != 0) return std::nullopt;
  out.resize(out.size() - o_left);
  return out;
#else
  return std::nullopt;
#endif
}

/// True if the text is more GB18030 than broken UTF-8: at least as many bytes fail to start a
/// UTF-8 sequence as there are valid sequences of three or four bytes (what Chinese is in UTF-8;
/// GBK text often holds valid two-byte UTF-8 by chance, 小学 = D0A1 D1A7, but seldom three-byte
/// ones). A UTF-8 file with a damaged byte is then refused, not read as GB18030 into mojibake.
bool mostly_not_utf8(std::string_view s) noexcept {
  std::size_t long_sequences = 0, invalid = 0;
  while (!s.empty()) {
    const auto bad = detail::invalid_utf8_at(s);
    const std::size_t good = bad ? *bad : s.size();
    for (std::size_t k = 0; k < good; ++k) long_sequences += static_cast<unsigned char>(s[k]) >= 0xE0 ? 1 : 0;
    if (!bad) break;
    ++invalid;
    s.remove_prefix(good + 1);
  }
  return invalid >= long_sequences;
}

/// What a second thread works out for a row before the reading loop needs it: the cells that do
/// not depend on the plan (numbers and a calendar year). The loop uses them only where they give
/// the same answer as its own code would; everything else it reads from the cells itself.
struct pre_parsed {
  double value = 0, weight = 0;
  day_number start = 0, end = 0;
  std::uint8_t value_state = 3; ///< 0 a number, 1 a number with a % sign, 2 a missing mark, 3 not known
  bool weight_ok = false, year_ok = false;
};

/// Which cells a pre-parsing thread reads (column indices; none = -1).
struct pre_parse_columns {
  std::size_t value = static_cast<std::size_t>(-1), weight = static_cast<std::size_t>(-1),
              year = static_cast<std::size_t>(-1);
  bool float_years = false; ///< "2021.0" is a year (a year column, not a period column)
};

/// Text columns give no pre-parsed cells (their reader works row by row on one thread).
inline const pre_parsed* pre_parsed_of(const text_source&, std::size_t) { return nullptr; }
inline void start_pre_parsing(text_source&, const pre_parse_columns&) {}

/// A CSV file's cells, row by row, as string_views over the file's bytes (unescaped in place).
///
/// With start_pre_parsing, a second thread tokenizes the rows ahead of the reading loop, in blocks
/// of block_rows rows into two alternating buffers, and parses their numbers and years: the
/// loop's thread then only resolves ids and checks. The plan is never touched by that thread.
/// The reading thread waits for a block before it reads it and releases it when it moves on;
/// the destructor stops and joins the thread (also when the loop throws for a bad row).
class csv_source {
public:
  static constexpr std::size_t block_rows = 16384;
  static constexpr std::size_t threaded_from_rows = 100000; ///< smaller files: one thread

  csv_source(char* text, std::size_t size, const std::string& source) {
    csv_cursor cur{text, text + size};
    const long header = next_csv_row(cur, cells_);
    if (header < 0)
      throw data_error(source + ": line " + std::to_string(-header) + ": unbalanced quotes",
                       in_file(source, static_cast<std::size_t>(-header)));
    if (header == 0) throw data_error(source + ": empty file (expected a header row)", in_file(source));
    names_.assign(cells_.begin(), cells_.end());
    const csv_shape shape = scan_csv(cur.pos, cur.end, cur.line, names_.size());
    if (shape.open_quote_line)
      throw data_error(source + ": line " + std::to_string(shape.open_quote_line) + ": unbalanced quotes",
                       in_file(source, static_cast<std::size_t>(shape.open_quote_line)));
    if (shape.bad_line)
      throw data_error(source + ": line " + std::to_string(shape.bad_line) + " has " +
                           std::to_string(shape.bad_cells) + " cells, expected " + std::to_string(names_.size()) +
                           " (one per header column)",
                       in_file(source, static_cast<std::size_t>(shape.bad_line)));
    rows_ = shape.rows;
    cur_ = cur;
  }
  ~csv_source() { stop(); }
  csv_source(const csv_source&) = delete;
  csv_source& operator=(const csv_source&) = delete;

  const std::vector<std::string>& names() const { return names_; }
  std::size_t size(std::size_t) const { return rows_; }
  bool consistent(std::size_t) const { return true; }

  /// The cells of row i (rows are read in order, once; valid until the next call).
  const std::string_view* row(std::size_t i) {
    if (!worker_.joinable()) {
      next_csv_row(cur_, cells_); // scan_csv has checked the count of every row
      return cells_.data();
    }
    const std::size_t b = i / block_rows;
    if (b != current_) { // move on to block b: release the one before, wait for b
      std::unique_lock lock(m_);
      current_ = b;
      released_ = b;
      cv_.notify_all();
      cv_.wait(lock, [&] { return produced_ > b; });
    }
    return blocks_[b % 2].cells.data() + (i % block_rows) * names_.size();
  }
  const pre_parsed* parsed(std::size_t i) const {
    return worker_.joinable() ? &blocks_[(i / block_rows) % 2].parsed[i % block_rows] : nullptr;
  }

  void start(const pre_parse_columns& cols) {
    if (rows_ < threaded_from_rows || std::thread::hardware_concurrency() < 2) return;
    cols_ = cols;
    ahead_cells_.reserve(names_.size() + 1); // scan_csv checked every row's count
    for (auto& blk : blocks_) {              // allocated here, where a bad_alloc reaches the caller
      blk.cells.resize(block_rows * names_.size());
      blk.parsed.resize(block_rows);
    }
    current_ = 0;
    released_ = 0;
    produced_ = 0;
    try {
      worker_ = std::thread([this] { produce(); });
    } catch (const std::system_error&) { // no thread to be had: one thread reads
      return;
    }
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return produced_ > 0; });
  }

private:
  struct block {
    std::vector<std::string_view> cells; ///< block_rows x columns
    std::vector<pre_parsed> parsed;
  };

  void stop() {
    if (!worker_.joinable()) return;
    {
      const std::lock_guard lock(m_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }

  void produce() {
    const std::size_t ncols = names_.size();
    const std::size_t blocks = (rows_ + block_rows - 1) / block_rows;
    std::vector<std::string_view>& cells = ahead_cells_; // reserved by start(): no allocation here
    for (std::size_t b = 0; b < blocks; ++b) {
      {
        std::unique_lock lock(m_);
        cv_.wait(lock, [&] { return stop_ || b < released_ + 2; });
        if (stop_) return;
      }
      block& blk = blocks_[b % 2];
      const std::size_t n = (std::min)(block_rows, rows_ - b * block_rows);
      for (std::size_t r = 0; r < n; ++r) {
        next_csv_row(cur_, cells);
        std::copy(cells.begin(), cells.end(), blk.cells.begin() + static_cast<std::ptrdiff_t>(r * ncols));
        pre_parsed& pp = blk.parsed[r];
        pp = pre_parsed{};
        if (cols_.value != static_cast<std::size_t>(-1)) {
          const std::string_view v = cells[cols_.value];
          bool percent = false;
          if (detail::is_missing_cell(v))
            pp.value_state = 2;
          else if (detail::parse_number_cell(v, pp.value, percent))
            pp.value_state = percent ? 1 : 0;
        }
        if (cols_.weight != static_cast<std::size_t>(-1)) {
          bool percent = false;
          pp.weight_ok = detail::parse_number_cell(cells[cols_.weight], pp.weight, percent) && !percent;
        }
        if (cols_.year != static_cast<std::size_t>(-1)) {
          const std::string_view txt = trim(cells[cols_.year]);
          int year = four_digit_year(txt);
          if (year < 0 && cols_.float_years && txt.size() == 6 && txt.substr(4) == ".0")
            year = four_digit_year(txt.substr(0, 4));
          if (year >= 0) {
            pp.year_ok = true;
            pp.start = days_from_civil(year, 1, 1);
            pp.end = days_from_civil(year, 12, 31);
          }
        }
      }
      {
        const std::lock_guard lock(m_);
        produced_ = b + 1;
      }
      cv_.notify_all();
    }
  }

  std::vector<std::string> names_;
  std::vector<std::string_view> cells_;
  std::size_t rows_ = 0;
  csv_cursor cur_{nullptr, nullptr};
  // the pre-parsing thread
  pre_parse_columns cols_;
  std::vector<std::string_view> ahead_cells_; ///< the row being tokenized by the thread
  block blocks_[2];
  std::mutex m_;
  std::condition_variable cv_;
  std::size_t current_ = 0, released_ = 0, produced_ = 0; ///< guarded by m_ (current_: reader only)
  bool stop_ = false;
  std::thread worker_;
};

inline const pre_parsed* pre_parsed_of(const csv_source& s, std::size_t i) { return s.parsed(i); }
inline void start_pre_parsing(csv_source& s, const pre_parse_columns& c) { s.start(c); }

template <class Source>
observation_table read_impl(plan& p, Source& src, ingest_report& report, const read_options& options,
                            const std::string& source, int first_line) {
  const auto& names = src.names();
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  const auto col = [&](std::string_view name) -> std::size_t {
    for (std::size_t c = 0; c < names.size(); ++c)
      if (trim(names[c]) == name) return c;
    return none;
  };
  std::string columns;
  for (const auto& nm : names) columns += (columns.empty() ? "" : ", ") + nm;
  // a header's problem: in a file, its header line (the line before the first row's)
  const auto header_place = [&](std::string column) {
    location where;
    if (first_line > 0) {
      where = in_file(source, static_cast<std::size_t>(first_line - 1));
    }
    where.column = std::move(column);
    return where;
  };
  // a column named twice would be read from its first copy only: refuse it
  for (std::size_t a = 0; a < names.size(); ++a)
    for (std::size_t b = a + 1; b < names.size(); ++b)
      if (trim(names[a]) == trim(names[b]) && !trim(names[a]).empty())
        throw data_error(source + ": column " + quoted(trim(names[a])) + " appears twice (columns " +
                             std::to_string(a + 1) + " and " + std::to_string(b + 1) +
                             "): which one holds the data is ambiguous",
                         header_place(std::string(trim(names[a]))));
  const auto require = [&](std::string_view name) {
    const auto c = col(name);
    if (c == none)
      throw data_error(source + ": missing column " + quoted(name) + " (columns are: " + columns + ")",
                       header_place(std::string(name)));
    return c;
  };
  const auto c_ind = require("indicator");
  const auto c_ent = require("entity");
  const auto c_val = require("value");
  const auto c_date = col("date");
  const auto c_period = col("period");
  const auto c_year = col("year");
  const int n_time = (c_date != none ? 1 : 0) + (c_period != none ? 1 : 0) + (c_year != none ? 1 : 0);
  if (n_time != 1)
    throw data_error(source + ": expected exactly one of the columns \"date\", \"period\" or \"year\" (columns are: " +
                         columns + ")",
                     header_place({}));
  const bool by_date = c_date != none, by_period = c_period != none;
  const std::string time_name = by_date ? "date" : by_period ? "period" : "year";
  const auto c_time = by_date ? c_date : by_period ? c_period : c_year;
  const auto c_w = col("weight");
  const auto c_est = col("estimated");
  const auto c_prov = col("provisional");
  const auto c_parent = col("parent");
  const auto c_name = col("entity_name");
  const auto c_kind = col("entity_kind");
  const auto c_stage = col("stage");
  const auto c_students = col("students");
  const bool has_w = c_w != none;
  const std::size_t n = src.size(c_ind);
  if (!src.consistent(n)) throw data_error(source + ": columns have different lengths", header_place({}));

  rejector rj(report, options.mode, source, first_line, &options.row_names);
  observation_table t;
  t.reserve(n);
  if (has_w) t.weight.reserve(n);
  // table row -> input row; filled only once a row is left out (until then the identity)
  std::vector<std::size_t> origin;
  bool identity = true;
  const auto skip_row = [&](std::size_t i) {
    if (identity) {
      identity = false;
      origin.reserve(n);
      for (std::size_t k = 0; k < i && origin.size() < t.size(); ++k) origin.push_back(k);
    }
  };
  const auto reject = [&](std::size_t i, std::string column, rejection_reason reason, std::string message) {
    skip_row(i);
    rj.reject(i, std::move(column), reason, std::move(message));
  };
  // ids keyed by their cell text: the keys are views of the source's text, which outlives this call
  std::unordered_map<std::string_view, std::uint32_t> ind_cache, ent_cache;
  id_or_name ind_lookup(p, name_index::items::indicators), ent_lookup(p, name_index::items::entities);
  std::string_view last_ind_text, last_ent_text;
  std::uint32_t last_ind = 0, last_ent = 0;
  bool have_last_ind = false, have_last_ent = false;
  std::vector<std::size_t> blank_rows;
  {
    pre_parse_columns pc;
    pc.value = c_val;
    pc.weight = c_w;
    if (!by_date) pc.year = c_time;
    pc.float_years = !by_date && !by_period;
    start_pre_parsing(src, pc);
  }
  int last_year = -1;
  day_number last_year_start = 0, last_year_end = 0;

  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view* const cells = src.row(i);
    const pre_parsed* pp = pre_parsed_of(src, i);
    const auto cell = [&](std::size_t c) { return cells[c]; };
    // a row with nothing in it (",,,," in a file, an empty spreadsheet row) is skipped and counted
    if (detail::trim_cell(cell(c_ind)).empty() && std::all_of(cells, cells + names.size(), [](std::string_view s) {
          return detail::trim_cell(s).empty();
        })) {
      skip_row(i);
      blank_rows.push_back(i);
      continue;
    }
    // indicator
    std::uint32_t ind = 0;
    {
      const std::string_view s = cell(c_ind);
      if (have_last_ind && same_text(s, last_ind_text)) {
        ind = last_ind;
      } else if (auto it = ind_cache.find(s); it != ind_cache.end()) {
        ind = it->second;
      } else if (std::vector<std::string> several; auto k = ind_lookup.find(trim(s), &several)) {
        ind = *k; // an id, or a name only one indicator has
        ind_cache.emplace(s, ind);
      } else {
        reject(i, "indicator", rejection_reason::unknown_indicator,
               several.empty() ? "unknown indicator " + quoted(s)
                               : "indicator name " + quoted(s) + " is shared by " + std::to_string(several.size()) +
                                     " indicators (" + join_ids(several) + "): use the id");
        continue;
      }
      last_ind_text = s;
      last_ind = ind;
      have_last_ind = true;
    }
    // entity (possibly added under a known parent)
    std::uint32_t ent = 0;
    {
      const std::string_view s = cell(c_ent);
      if (have_last_ent && same_text(s, last_ent_text)) {
        ent = last_ent;
      } else if (auto it = ent_cache.find(s); it != ent_cache.end()) {
        ent = it->second;
      } else if (std::vector<std::string> several; auto k = ent_lookup.find(trim(s), &several)) {
        ent = *k; // an id, or a name only one entity has
        ent_cache.emplace(s, ent);
      } else if (!several.empty()) {
        reject(i, "entity", rejection_reason::unknown_entity,
               "entity name " + quoted(s) + " is shared by " + std::to_string(several.size()) + " entities (" +
                   join_ids(several) + "): use the id");
        continue;
      } else if (options.add_entities && c_parent != none && !trim(cell(c_parent)).empty()) {
        const std::string parent(trim(cell(c_parent)));
        const auto parent_index = ent_lookup.find(parent); // its id, or a name one entity has
        if (!parent_index) {
          reject(i, "parent", rejection_reason::missing_parent,
                 "entity " + quoted(s) + " is new and its parent " + quoted(parent) + " is unknown");
          continue;
        }
        const auto opt_cell = [&](std::size_t c) { return c != none ? cell(c) : std::string_view{}; };
        auto made = detail::entity_from_cells(s, p.entities()[*parent_index].id, opt_cell(c_name), opt_cell(c_kind),
                                              opt_cell(c_stage), opt_cell(c_students));
        if (auto* bad = std::get_if<detail::entity_cell_problem>(&made)) {
          reject(i, bad->column, rejection_reason::wrong_type, std::move(bad->message));
          continue;
        }
        try {
          ent = p.add_entity(std::get<entity>(std::move(made)));
        } catch (const plan_error& err) {
          reject(i, "entity", rejection_reason::unknown_entity, err.what());
          continue;
        }
        ent_cache.emplace(s, ent);
        report.added_entities.push_back(std::string(trim(s)));
      } else {
        reject(i, "entity", rejection_reason::unknown_entity,
               "unknown entity " + quoted(s) +
                   (c_parent != none ? " (give its parent in column \"parent\" to add it)"
                                     : " (add a \"parent\" column to add new entities)"));
        continue;
      }
      last_ent_text = s;
      last_ent = ent;
      have_last_ent = true;
    }
    // period: a calendar year (four digits) without building dates, else the general parsers
    day_number s = 0, e = 0;
    {
      const std::string_view txt = trim(cell(c_time));
      int year = -1;
      const bool pre = pp && pp->year_ok; // the pre-parsing thread read the year
      if (pre) {
        s = pp->start;
        e = pp->end;
      } else if (!by_date) {
        year = four_digit_year(txt);
        if (year < 0 && !by_period && txt.size() == 6 && txt.substr(4) == ".0") // a year column read as floats
          year = four_digit_year(txt.substr(0, 4));
      }
      if (year >= 0) {
        if (year != last_year) {
          last_year = year;
          last_year_start = days_from_civil(year, 1, 1);
          last_year_end = days_from_civil(year, 12, 31);
        }
        s = last_year_start;
        e = last_year_end;
      } else if (!pre) {
        std::optional<period> per;
        if (by_date) {
          if (auto d = parse_date(txt, date_role::end)) per = period{*d, *d, period_kind::custom};
        } else if (by_period) {
          per = parse_period(txt);
        }
        if (!per) {
          reject(i, time_name, rejection_reason::bad_date,
                 std::string(by_date     ? "expected a date (YYYY-MM-DD, YYYY-MM or YYYY)"
                             : by_period ? "expected a period (\"YYYY\" or school year \"YYYY/YYYY\")"
                                         : "expected a year (YYYY)") +
                     ", got " + quoted(txt));
          continue;
        }
        s = to_day_number(per->start);
        e = to_day_number(per->end);
      }
    }
    // value
    double x = 0;
    std::uint8_t f = 0;
    {
      const std::string_view txt = cell(c_val);
      const indicator& indic = p.indicators()[ind];
      bool percent = false;
      if (pp ? pp->value_state == 2 : detail::is_missing_cell(txt)) {
        f |= flags::missing;
        x = 0;
      } else if (pp && pp->value_state <= 1 && indic.kind != value_kind::boolean) { // read ahead
        x = pp->value;
        percent = pp->value_state == 1;
      } else if (indic.kind == value_kind::boolean) {
        auto b = parse_bool(txt);
        if (!b) {
          reject(i, "value", rejection_reason::wrong_type,
                 "expected true or false for boolean " + quoted(indic.id) + ", got " + quoted(txt));
          continue;
        }
        x = *b ? 1.0 : 0.0;
      } else if (!detail::parse_number_cell(txt, x, percent)) {
        reject(i, "value", rejection_reason::wrong_type,
               "expected a number, got " + quoted(txt) +
                   (txt.find(',') != std::string_view::npos || txt.find("\xEF\xBC\x8C") != std::string_view::npos
                        ? " (thousands separators group three digits: 1,500 or 12,345.6)"
                        : ""));
        continue;
      }
      if (percent && !indic.is_percentage()) {
        reject(i, "value", rejection_reason::wrong_type,
               "expected a number in " + quoted(indic.unit) + " (the unit of " + quoted(indic.id) + "), got " +
                   quoted(txt) + ": a percent sign only for an indicator in %");
        continue;
      }
    }
    double w = 0;
    if (has_w && pp && pp->weight_ok) {
      w = pp->weight;
    } else if (has_w) {
      bool percent = false;
      if (!detail::parse_number_cell(cell(c_w), w, percent) || percent) {
        reject(i, "weight", rejection_reason::bad_weight, "expected a number, got " + quoted(cell(c_w)));
        continue;
      }
    }
    bool bad_flag = false;
    for (auto [c, bit, name] :
         {std::tuple{c_est, flags::estimated, "estimated"}, std::tuple{c_prov, flags::provisional, "provisional"}}) {
      if (c == none) continue;
      auto b = parse_bool(cell(c));
      if (!b) {
        reject(i, name, rejection_reason::wrong_type, "expected true or false, got " + quoted(cell(c)));
        bad_flag = true;
        break;
      }
      if (*b) f |= bit;
    }
    if (bad_flag) continue;
    t.push_back(ind, ent, s, e, x, f);
    if (has_w) t.weight.push_back(w);
    if (!identity) origin.push_back(i);
  }

  if (!blank_rows.empty()) {
    report.notes.push_back(
        {"blank_rows",
         (source.empty() ? "" : source + ": ") + std::to_string(blank_rows.size()) + " blank row" +
             (blank_rows.size() == 1 ? "" : "s") + " skipped: " + rj.places(blank_rows, false, 10),
         (source.empty() ? "" : source + "：") + "跳过 " + std::to_string(blank_rows.size()) + " 个空行：" +
             rj.places(blank_rows, true, 10),
         blank_rows});
  }
  // Row checks that need the plan and the other rows, reported with the input row numbers.
  if (!identity) rj.row_map = std::move(origin);
  report.rows += n - blank_rows.size(); // blank rows are no data: the blank_rows note accounts for them
  auto keep = check_impl(p, t.view(), report, rj, time_name);
  std::stable_sort(report.rejected.begin(), report.rejected.end(),
                   [](const rejection& a, const rejection& b) { return a.row < b.row; });
  if (std::find(keep.begin(), keep.end(), std::uint8_t{0}) == keep.end()) { // every row kept: no copy
    t.yearly_unique = report.calendar_years;
    t.plan = p.key();
    return t;
  }
  return select_rows(t.view(), keep, &report, &p);
}

} // namespace

observation_table read_observations(plan& p, const text_columns& data, ingest_report& report,
                                    const read_options& options, const std::string& source) {
  text_source src(data);
  return read_impl(p, src, report, options, source, 0);
}

text_columns parse_csv(std::string_view text, const std::string& source) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (detail::looks_utf16(text)) // every other byte NUL: nothing would read right
    throw data_error(source + ": " + detail::encoding_hint(text), in_file(source));
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> lines; // the line each row starts on
  std::vector<std::string> row;
  std::string cell;
  std::size_t line = 1, row_line = 1;
  bool quoted_cell = false, in_quotes = false, any = false;
  const auto end_cell = [&] {
    row.push_back(std::move(cell));
    cell.clear();
    quoted_cell = false;
  };
  const auto end_row = [&] {
    end_cell();
    if (!(row.size() == 1 && row[0].empty())) {
      rows.push_back(std::move(row));
      lines.push_back(row_line);
    }
    row.clear();
    row_line = line;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    any = true;
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        // a line break inside quotes is kept; CRLF, LF and a lone CR each count as one line
        if (c == '\n' || (c == '\r' && !(i + 1 < text.size() && text[i + 1] == '\n'))) ++line;
        cell += c;
      }
      continue;
    }
    if (c == '"' && cell.empty() && !quoted_cell) {
      in_quotes = quoted_cell = true;
    } else if (c == ',') {
      end_cell();
    } else if (c == '\n') {
      ++line;
      end_row();
    } else if (c == '\r') {
      // CRLF: the \n ends the row; a lone CR (old Mac, Excel's "CSV (Macintosh)") ends it itself
      if (!(i + 1 < text.size() && text[i + 1] == '\n')) {
        ++line;
        end_row();
      }
    } else {
      cell += c;
    }
  }
  if (in_quotes)
    throw data_error(source + ": line " + std::to_string(row_line) + ": unbalanced quotes", in_file(source, row_line));
  if (any) end_row();
  if (rows.empty()) throw data_error(source + ": empty file (expected a header row)", in_file(source));
  // every cell is UTF-8, or the file is refused where it is not (a GBK file would store names
  // that no JSON, pickle or plan file can hold)
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < rows[r].size(); ++c)
      if (const auto bad = detail::invalid_utf8_at(rows[r][c])) {
        const std::string column =
            r == 0 || c >= rows[0].size() ? std::to_string(c + 1) : detail::escape_invalid_utf8(rows[0][c]);
        throw data_error(source + ": line " + std::to_string(lines[r]) + (r == 0 ? ", header" : "") + ", column " +
                             column + ": not valid UTF-8 (\"" + detail::escape_invalid_utf8(rows[r][c]) + "\"); " +
                             detail::encoding_hint(rows[r][c]),
                         in_file(source, lines[r], column));
      }
  text_columns out;
  out.names = rows[0];
  out.cells.assign(out.names.size(), {});
  for (auto& c : out.cells) c.reserve(rows.size() - 1);
  for (std::size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != out.names.size())
      throw data_error(source + ": line " + std::to_string(lines[r]) + " has " + std::to_string(rows[r].size()) +
                           " cells, expected " + std::to_string(out.names.size()) + " (one per header column)",
                       in_file(source, lines[r]));
    for (std::size_t c = 0; c < rows[r].size(); ++c) out.cells[c].push_back(std::move(rows[r][c]));
  }
  return out;
}

namespace {

/// A file's bytes: mapped privately (copy-on-write) where mmap is available, else read.
class file_bytes {
public:
  char* data = nullptr;
  std::size_t size = 0;

  explicit file_bytes(const std::string& path) {
#if PLANEVAL_HAVE_MMAP
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw data_error(path + ": cannot open the data file", in_file(path));
    struct stat st {};
    const bool known = ::fstat(fd, &st) == 0;
    if (known && S_ISDIR(st.st_mode)) {
      ::close(fd);
      throw data_error(path + ": cannot read the data file", in_file(path));
    }
    const bool regular = known && S_ISREG(st.st_mode); // else a pipe, a device: read as a stream
    size = regular ? static_cast<std::size_t>(st.st_size) : 0;
    if (size > 0) {
      void* m = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
      if (m != MAP_FAILED) {
        map_ = m;
        data = static_cast<char*>(m);
        ::madvise(m, size, MADV_SEQUENTIAL);
      }
    }
    ::close(fd);
    if (map_ || (regular && size == 0)) {
      if (!map_) data = buffer_.data();
      return;
    }
#endif
    std::ifstream in(path, std::ios::binary);
    if (!in) throw data_error(path + ": cannot open the data file", in_file(path));
    try {
      buffer_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } catch (const std::ios_base::failure&) { // e.g. a directory
      throw data_error(path + ": cannot read the data file", in_file(path));
    }
    data = buffer_.data();
    size = buffer_.size();
  }
  ~file_bytes() {
#if PLANEVAL_HAVE_MMAP
    if (map_) ::munmap(map_, size);
#endif
  }
  file_bytes(const file_bytes&) = delete;
  file_bytes& operator=(const file_bytes&) = delete;

private:
  void* map_ = nullptr;
  std::string buffer_;
};

} // namespace

observation_table read_observations_csv(plan& p, const std::string& path, ingest_report& report,
                                        const read_options& options) {
  // The whole file at once, mapped (or read) into memory; the cells are views of these bytes from
  // here on. The mapping is private and writable: unescaping a quoted cell in place copies that
  // page only, never the file.
  file_bytes file(path);
  std::string content; // the decoded text, when the file is not UTF-8
  char* data = file.data;
  std::size_t skip = file.size >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  std::string_view text(data + skip, file.size - skip);
  std::string decoded_from;
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  if (text.size() >= 2 && ((b(0) == 0xFF && b(1) == 0xFE) || (b(0) == 0xFE && b(1) == 0xFF))) {
    // UTF-16 with a byte-order mark ("Unicode text" from Excel): decoded when iconv can
    if (auto d = decode_with_iconv(text, "UTF-16")) {
      if (d->size() >= 3 && d->compare(0, 3, "\xEF\xBB\xBF") == 0) d->erase(0, 3);
      content = std::move(*d);
      data = content.data();
      skip = 0;
      text = content;
      decoded_from = "UTF-16";
    }
  } else if (first_invalid_utf8(text) && !detail::looks_utf16(text) && mostly_not_utf8(text)) {
    // not UTF-8: GBK/GB18030, as Excel on Chinese Windows writes, when every byte decodes
    if (auto d = decode_with_iconv(text, "GB18030")) {
      content = std::move(*d);
      data = content.data();
      skip = 0;
      text = content;
      decoded_from = "GB18030";
    }
  }
  if (detail::looks_utf16(text) || first_invalid_utf8(text)) {
    (void)parse_csv(text, path); // throws the message naming the line, the column and a hint
    throw data_error(path + ": not valid UTF-8; " + detail::encoding_hint(text), in_file(path));
  }
  if (text.empty()) throw data_error(path + ": empty file (expected a header row)", in_file(path));
  csv_source src(data + skip, text.size(), path);
  auto table = read_impl(p, src, report, options, path, 2);
  if (!decoded_from.empty()) {
    const bool gb = decoded_from == "GB18030";
    report.notes.push_back(
        {gb ? "decoded_gb18030" : "decoded_utf16",
         path + ": the file is not UTF-8; it was read as " + (gb ? "GB18030 (GBK)" : "UTF-16") +
             (gb ? ", what Excel on Chinese Windows writes" : " (Excel's \"Unicode text\")") +
             ": check that names read right, and save it as UTF-8 to be sure",
         path + "：文件不是 UTF-8 编码，已按 " + (gb ? "GB18030（GBK）" : "UTF-16") +
             " 读取：请核对名称是否正确，建议另存为 UTF-8",
         {}});
  }
  return table;
}

} // namespace planeval
