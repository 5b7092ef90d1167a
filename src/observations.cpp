// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#include <planeval/observations.hpp>
#include <planeval/detail/utf8.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <numeric>
#include <unordered_map>

namespace planeval {

namespace {

std::string quoted(std::string_view s) { return detail::quote_input(s); }

/// Collects rejections, or throws the first one in raise mode.
class rejector {
public:
  rejector(ingest_report& r, on_bad_row mode, std::string source, int first_line)
      : report_(r), mode_(mode), source_(std::move(source)), first_line_(first_line) {}

  /// Rows of the checked table map to these input rows (empty: the identity).
  std::vector<std::size_t> row_map;
  std::size_t input_row(std::size_t row) const { return row_map.empty() ? row : row_map[row]; }

  void reject(std::size_t row, std::string column, rejection_reason reason, std::string message) {
    if (mode_ == on_bad_row::raise) throw data_error(locate(row, column) + ": " + message);
    report_.rejected.push_back({row, std::move(column), reason, std::move(message)});
  }
  std::string locate(std::size_t row, const std::string& column) const {
    std::string s = source_.empty() ? "" : source_ + ": ";
    s += "row " + std::to_string(row);
    if (first_line_ > 0) s += " (line " + std::to_string(row + static_cast<std::size_t>(first_line_)) + ")";
    return s + ", column " + column;
  }

private:
  ingest_report& report_;
  on_bad_row mode_;
  std::string source_;
  int first_line_;
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
               " (the plan horizon and its baseline year), got " + format_date(from_day_number(v.start[i])) +
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

/// Marks duplicates among kept rows: identical repeats are dropped and counted; rows sharing a key
/// with a different value are all rejected (no silent choice of one).
void check_duplicates(const observation_view& v, std::vector<std::uint8_t>& keep, ingest_report& report, rejector& rj,
                      std::size_t n_ind, std::size_t n_ent, day_number lo, day_number hi) {
  const std::size_t n = v.size();
  // Fast path: every row is one calendar year (the usual school data). A bitmap over
  // (entity, indicator, year) finds repeated keys in one pass; only those keys are then resolved.
  const date dlo = from_day_number(lo);
  const int y0 = dlo.year();
  const int years = from_day_number(hi).year() - y0 + 1;
  std::vector<std::uint32_t> suspects; // rows whose key was seen before
  bool yearly = true;
  const std::uint64_t bits = std::uint64_t{n_ind} * n_ent * static_cast<std::uint64_t>(years);
  if (bits <= (std::uint64_t{1} << 31)) {
    std::vector<std::uint64_t> seen((bits + 63) / 64, 0);
    for (std::size_t i = 0; i < n && yearly; ++i) {
      if (!keep[i]) continue;
      const date s = from_day_number(v.start[i]);
      if (s.month() != 1 || s.day() != 1 || v.end[i] != to_day_number(date(s.year(), 12, 31))) {
        yearly = false;
        break;
      }
      const std::uint64_t slot =
          (std::uint64_t{v.entity[i]} * n_ind + v.indicator[i]) * static_cast<std::uint64_t>(years) +
          static_cast<std::uint64_t>(s.year() - y0);
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
    std::string others;
    for (auto j : rows)
      if (j != i) others += (others.empty() ? "" : ", ") + std::to_string(rj.input_row(j));
    keep[i] = 0;
    rj.reject(rj.input_row(i), "value", rejection_reason::duplicate_conflict,
              "the same indicator, entity and period as row " + others + " with a different value (" +
                  (v.is_missing(i) ? std::string("missing") : number_text(v.value[i])) + ")");
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool parse_double(std::string_view s, double& out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

bool is_missing_text(std::string_view s) {
  s = trim(s);
  return s.empty() || s == "NA" || s == "N/A" || s == "NaN" || s == "nan" || s == "null" || s == "NULL" ||
         s == "None" || s == "missing";
}

std::optional<bool> parse_bool(std::string_view s) {
  s = trim(s);
  if (s == "true" || s == "True" || s == "TRUE" || s == "1" || s == "yes" || s == "是") return true;
  if (s == "false" || s == "False" || s == "FALSE" || s == "0" || s == "no" || s == "否" || s.empty()) return false;
  return std::nullopt;
}

} // namespace

period data_window(const plan& p) {
  date lo = p.horizon().start;
  for (const auto& t : p.targets())
    if (t.baseline) lo = (std::min)(lo, date(t.baseline->date.year(), 1, 1));
  return {lo, p.horizon().end, period_kind::custom};
}

namespace {
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

observation_table read_impl(plan& p, const text_columns& data, ingest_report& report, const read_options& options,
                            const std::string& source, int first_line) {
  const auto col = [&](std::string_view name) -> const std::vector<std::string>* {
    for (std::size_t c = 0; c < data.names.size(); ++c)
      if (trim(data.names[c]) == name) return &data.cells[c];
    return nullptr;
  };
  std::string columns;
  for (const auto& nm : data.names) columns += (columns.empty() ? "" : ", ") + nm;
  // a column named twice would be read from its first copy only: refuse it
  for (std::size_t a = 0; a < data.names.size(); ++a)
    for (std::size_t b = a + 1; b < data.names.size(); ++b)
      if (trim(data.names[a]) == trim(data.names[b]) && !trim(data.names[a]).empty())
        throw data_error(source + ": column " + quoted(trim(data.names[a])) + " appears twice (columns " +
                         std::to_string(a + 1) + " and " + std::to_string(b + 1) +
                         "): which one holds the data is ambiguous");
  const auto require = [&](std::string_view name) {
    const auto* c = col(name);
    if (!c) throw data_error(source + ": missing column " + quoted(name) + " (columns are: " + columns + ")");
    return c;
  };
  const auto* c_ind = require("indicator");
  const auto* c_ent = require("entity");
  const auto* c_val = require("value");
  const auto* c_date = col("date");
  const auto* c_period = col("period");
  const auto* c_year = col("year");
  const int n_time = (c_date ? 1 : 0) + (c_period ? 1 : 0) + (c_year ? 1 : 0);
  if (n_time != 1)
    throw data_error(source + ": expected exactly one of the columns \"date\", \"period\" or \"year\" (columns are: " +
                     columns + ")");
  const std::string time_name = c_date ? "date" : c_period ? "period" : "year";
  const auto* c_time = c_date ? c_date : c_period ? c_period : c_year;
  const auto* c_w = col("weight");
  const auto* c_est = col("estimated");
  const auto* c_prov = col("provisional");
  const auto* c_parent = col("parent");
  const auto* c_name = col("entity_name");
  const auto* c_kind = col("entity_kind");
  const auto* c_stage = col("stage");
  const auto* c_students = col("students");
  const std::size_t n = c_ind->size();
  for (const auto& cells : data.cells)
    if (cells.size() != n) throw data_error(source + ": columns have different lengths");

  rejector rj(report, options.mode, source, first_line);
  observation_table t;
  t.reserve(n);
  if (c_w) t.weight.reserve(n);
  std::vector<std::size_t> origin; // table row -> input row
  origin.reserve(n);
  std::unordered_map<std::string, std::uint32_t> ind_cache, ent_cache;

  for (std::size_t i = 0; i < n; ++i) {
    // indicator
    std::uint32_t ind = 0;
    {
      const std::string& s = (*c_ind)[i];
      auto it = ind_cache.find(s);
      if (it != ind_cache.end()) {
        ind = it->second;
      } else if (auto k = p.find_indicator(trim(s))) {
        ind = *k;
        ind_cache.emplace(s, ind);
      } else {
        rj.reject(i, "indicator", rejection_reason::unknown_indicator, "unknown indicator " + quoted(s));
        continue;
      }
    }
    // entity (possibly added under a known parent)
    std::uint32_t ent = 0;
    {
      const std::string& s = (*c_ent)[i];
      auto it = ent_cache.find(s);
      if (it != ent_cache.end()) {
        ent = it->second;
      } else if (auto k = p.find_entity(trim(s))) {
        ent = *k;
        ent_cache.emplace(s, ent);
      } else if (options.add_entities && c_parent && !trim((*c_parent)[i]).empty()) {
        const std::string parent(trim((*c_parent)[i]));
        if (!p.find_entity(parent)) {
          rj.reject(i, "parent", rejection_reason::missing_parent,
                    "entity " + quoted(s) + " is new and its parent " + quoted(parent) + " is unknown");
          continue;
        }
        entity e;
        e.id = std::string(trim(s));
        e.parent = parent;
        e.name.zh = c_name && !trim((*c_name)[i]).empty() ? std::string(trim((*c_name)[i])) : e.id;
        e.kind = entity_kind::school;
        if (c_kind && !trim((*c_kind)[i]).empty()) {
          auto kind = detail::parse_name(entity_kind_names, trim((*c_kind)[i]));
          if (!kind) {
            rj.reject(i, "entity_kind", rejection_reason::wrong_type,
                      "expected one of " + detail::alternatives(entity_kind_names) + ", got " + quoted((*c_kind)[i]));
            continue;
          }
          e.kind = *kind;
        }
        if (c_stage && !trim((*c_stage)[i]).empty()) {
          auto st = detail::parse_name(stage_names, trim((*c_stage)[i]));
          if (!st) st = detail::parse_name(stage_names_en, trim((*c_stage)[i]));
          if (!st) {
            rj.reject(i, "stage", rejection_reason::wrong_type,
                      "expected one of " + detail::alternatives(stage_names) + ", got " + quoted((*c_stage)[i]));
            continue;
          }
          e.stage = *st;
        }
        if (c_students && !is_missing_text((*c_students)[i])) {
          double x = 0;
          if (!parse_double((*c_students)[i], x) || !std::isfinite(x) || x < 0) {
            rj.reject(i, "students", rejection_reason::wrong_type,
                      "expected a number of students >= 0, got " + quoted((*c_students)[i]));
            continue;
          }
          e.students = x;
        }
        try {
          ent = p.add_entity(std::move(e));
        } catch (const plan_error& err) {
          rj.reject(i, "entity", rejection_reason::unknown_entity, err.what());
          continue;
        }
        ent_cache.emplace(s, ent);
        report.added_entities.push_back(std::string(trim(s)));
      } else {
        rj.reject(i, "entity", rejection_reason::unknown_entity,
                  "unknown entity " + quoted(s) +
                      (c_parent ? " (give its parent in column \"parent\" to add it)"
                                : " (add a \"parent\" column to add new entities)"));
        continue;
      }
    }
    // period
    day_number s = 0, e = 0;
    {
      const std::string_view txt = trim((*c_time)[i]);
      std::optional<period> per;
      if (c_date) {
        if (auto d = parse_date(txt, date_role::end)) per = period{*d, *d, period_kind::custom};
      } else if (c_period) {
        per = parse_period(txt);
      } else if (txt.size() == 4) {
        per = parse_period(txt);
      } else if (txt.size() == 6 && txt.substr(4) == ".0") { // a year column read as floats
        per = parse_period(txt.substr(0, 4));
      }
      if (!per) {
        rj.reject(i, time_name, rejection_reason::bad_date,
                  std::string(c_date     ? "expected a date (YYYY-MM-DD, YYYY-MM or YYYY)"
                              : c_period ? "expected a period (\"YYYY\" or school year \"YYYY/YYYY\")"
                                         : "expected a year (YYYY)") +
                      ", got " + quoted(txt));
        continue;
      }
      s = to_day_number(per->start);
      e = to_day_number(per->end);
    }
    // value
    double x = 0;
    std::uint8_t f = 0;
    {
      const std::string& txt = (*c_val)[i];
      const indicator& indic = p.indicators()[ind];
      if (is_missing_text(txt)) {
        f |= flags::missing;
        x = 0;
      } else if (indic.kind == value_kind::boolean) {
        auto b = parse_bool(txt);
        if (!b) {
          rj.reject(i, "value", rejection_reason::wrong_type,
                    "expected true or false for boolean " + quoted(indic.id) + ", got " + quoted(txt));
          continue;
        }
        x = *b ? 1.0 : 0.0;
      } else if (!parse_double(txt, x)) {
        rj.reject(i, "value", rejection_reason::wrong_type, "expected a number, got " + quoted(txt));
        continue;
      }
    }
    double w = 0;
    if (c_w) {
      if (!parse_double((*c_w)[i], w)) {
        rj.reject(i, "weight", rejection_reason::bad_weight, "expected a number, got " + quoted((*c_w)[i]));
        continue;
      }
    }
    bool bad_flag = false;
    for (auto [c, bit, name] :
         {std::tuple{c_est, flags::estimated, "estimated"}, std::tuple{c_prov, flags::provisional, "provisional"}}) {
      if (!c) continue;
      auto b = parse_bool((*c)[i]);
      if (!b) {
        rj.reject(i, name, rejection_reason::wrong_type, "expected true or false, got " + quoted((*c)[i]));
        bad_flag = true;
        break;
      }
      if (*b) f |= bit;
    }
    if (bad_flag) continue;
    t.push_back(ind, ent, s, e, x, f);
    if (c_w) t.weight.push_back(w);
    origin.push_back(i);
  }

  // Row checks that need the plan and the other rows, reported with the input row numbers.
  rj.row_map = std::move(origin);
  report.rows += n;
  auto keep = check_impl(p, t.view(), report, rj, time_name);
  std::stable_sort(report.rejected.begin(), report.rejected.end(),
                   [](const rejection& a, const rejection& b) { return a.row < b.row; });
  return select_rows(t.view(), keep, &report, &p);
}

} // namespace

observation_table read_observations(plan& p, const text_columns& data, ingest_report& report,
                                    const read_options& options, const std::string& source) {
  return read_impl(p, data, report, options, source, 0);
}

text_columns parse_csv(std::string_view text, const std::string& source) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (detail::looks_utf16(text)) // every other byte NUL: nothing would read right
    throw data_error(source + ": " + detail::encoding_hint(text));
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
  if (in_quotes) throw data_error(source + ": line " + std::to_string(row_line) + ": unbalanced quotes");
  if (any) end_row();
  if (rows.empty()) throw data_error(source + ": empty file (expected a header row)");
  // every cell is UTF-8, or the file is refused where it is not (a GBK file would store names
  // that no JSON, pickle or plan file can hold)
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t c = 0; c < rows[r].size(); ++c)
      if (const auto bad = detail::invalid_utf8_at(rows[r][c]))
        throw data_error(source + ": line " + std::to_string(lines[r]) +
                         (r == 0 ? ", header" : " (row " + std::to_string(r - 1) + ")") + ", column " +
                         (r == 0 || c >= rows[0].size() ? std::to_string(c + 1) : detail::escape_invalid_utf8(rows[0][c])) +
                         ": not valid UTF-8 (\"" + detail::escape_invalid_utf8(rows[r][c]) + "\"); " +
                         detail::encoding_hint(rows[r][c]));
  text_columns out;
  out.names = rows[0];
  out.cells.assign(out.names.size(), {});
  for (auto& c : out.cells) c.reserve(rows.size() - 1);
  for (std::size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != out.names.size())
      throw data_error(source + ": line " + std::to_string(lines[r]) + " (row " + std::to_string(r - 1) + ") has " +
                       std::to_string(rows[r].size()) + " cells, expected " + std::to_string(out.names.size()) +
                       " (one per header column)");
    for (std::size_t c = 0; c < rows[r].size(); ++c) out.cells[c].push_back(std::move(rows[r][c]));
  }
  return out;
}

observation_table read_observations_csv(plan& p, const std::string& path, ingest_report& report,
                                        const read_options& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw data_error(path + ": cannot open the data file");
  std::string content;
  try {
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure&) { // e.g. a directory
    throw data_error(path + ": cannot read the data file");
  }
  return read_impl(p, parse_csv(content, path), report, options, path, 2);
}

} // namespace planeval
