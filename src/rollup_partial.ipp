// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// The roll-up in parts (rollup_partial.hpp). Included at the end of src/rollup.cpp: it runs the
// roll-up's own engine (request, states, the pass over the rows), which lives in that file's
// anonymous namespace; it is not compiled on its own.

#include <planeval/detail/archive.hpp>
#include <planeval/rollup_partial.hpp>

#include <bit>
#include <iterator>
#include <map>
#include <numeric>
#include <optional>

namespace planeval {

// impl is defined in this translation unit only, so its members may be of the engine's types from
// the anonymous namespace (GCC warns about that for types a header could define twice).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsubobject-linkage"
#endif
namespace {

/// A bitmap kept sparse: the nonzero 64-bit words and their indices, ascending.
struct sparse_bits {
  std::vector<std::uint64_t> at, bits;
};

/// The sparse form of a dense bitmap.
sparse_bits sparse_of(const std::vector<std::uint64_t>& words) {
  sparse_bits s;
  for (std::size_t w = 0; w < words.size(); ++w)
    if (words[w]) {
      s.at.push_back(w);
      s.bits.push_back(words[w]);
    }
  return s;
}

/// The first bit set in both `a` and `b`, if any.
std::optional<std::uint64_t> first_common_bit(const sparse_bits& a, const sparse_bits& b) {
  for (std::size_t i = 0, j = 0; i < a.at.size() && j < b.at.size();) {
    if (a.at[i] < b.at[j]) {
      ++i;
    } else if (b.at[j] < a.at[i]) {
      ++j;
    } else {
      if (const std::uint64_t both = a.bits[i] & b.bits[j])
        return a.at[i] * 64 + static_cast<std::uint64_t>(std::countr_zero(both));
      ++i;
      ++j;
    }
  }
  return std::nullopt;
}

/// The union of `a` and `b`.
sparse_bits united(const sparse_bits& a, const sparse_bits& b) {
  sparse_bits u;
  u.at.reserve(a.at.size() + b.at.size());
  u.bits.reserve(a.at.size() + b.at.size());
  std::size_t i = 0, j = 0;
  while (i < a.at.size() || j < b.at.size()) {
    if (j == b.at.size() || (i < a.at.size() && a.at[i] < b.at[j])) {
      u.at.push_back(a.at[i]);
      u.bits.push_back(a.bits[i++]);
    } else if (i == a.at.size() || b.at[j] < a.at[i]) {
      u.at.push_back(b.at[j]);
      u.bits.push_back(b.bits[j++]);
    } else {
      u.at.push_back(a.at[i]);
      u.bits.push_back(a.bits[i++] | b.bits[j++]);
    }
  }
  return u;
}

/// Throws unless `s` read from bytes is a sparse bitmap of at most `words` words.
void check_sparse(const sparse_bits& s, std::uint64_t words) {
  if (s.at.size() != s.bits.size()) throw error("corrupt key bitmap");
  for (std::size_t j = 0; j < s.at.size(); ++j)
    if (s.at[j] >= words || (j > 0 && s.at[j] <= s.at[j - 1]) || s.bits[j] == 0) throw error("corrupt key bitmap");
}

} // namespace

struct rollup_partial::impl {
  plan_key key;
  rollup_options opt;     ///< threads 1; the others as requested
  std::string opt_bytes;  ///< the options that shape the result, as bytes (+= compares them)
  day_number window_start = 0; ///< first day of the roll-up window (Jan 1 of the earliest year)
  std::size_t n_slots = 0;     ///< periods in the window
  states st;                   ///< the request's arrays: cell = block * n_slots + slot
  std::uint64_t rows_used = 0, rows_outside = 0, rows_combined = 0;
  std::vector<std::uint32_t> weight_assumed; ///< sorted, unique
  /// The (indicator, entity) keys with rows, per period label (the slot's first year; 0 for a custom
  /// period): bit indicator * entities + entity of a bitmap kept sparse (the nonzero 64-bit words
  /// and their indices, ascending). Two parts holding one key cannot be merged.
  using key_words = sparse_bits;
  std::map<std::int32_t, key_words> keys;
};

struct k_of_n_partial::impl {
  plan_key key;
  rollup_options opt;     ///< the level and period (as k_of_n_options keeps them)
  std::string opt_bytes;  ///< opt as bytes (+= compares them)
  k_of_n_spec spec;
  std::string spec_bytes; ///< spec as bytes (+= compares them)
  day_number window_start = 0; ///< first day of the roll-up window (Jan 1 of the earliest year)
  std::size_t n_slots = 0;     ///< periods in the window
  std::size_t n_st = 1;        ///< 5 with by_stage (stage code 1 + stage, 0 none), else 1
  /// Per cell (group * n_st + stage) * n_slots + period: units judged, passing, incomplete.
  std::vector<std::uint64_t> units, passed, incomplete;
  /// The units judged, per period label (the slot's first year; 0 for a custom period): bit =
  /// entity index. Two parts that judged one unit in one period cannot be merged.
  std::map<std::int32_t, sparse_bits> judged;
};
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace {

constexpr std::string_view partial_magic = "pvp";
constexpr std::uint32_t partial_format_version = 1;

std::string options_bytes(const rollup_options& o) {
  std::string s;
  detail::binary_oarchive ar(s);
  std::vector<std::uint32_t> also;
  for (auto k : o.also) also.push_back(static_cast<std::uint32_t>(k));
  ar(o.kind.has_value(), static_cast<std::uint32_t>(o.kind ? static_cast<std::uint32_t>(*o.kind) : 0u),
     static_cast<std::uint64_t>(o.depth), o.by_stage, static_cast<std::uint32_t>(o.period), o.indicators,
     static_cast<std::uint32_t>(o.rule), static_cast<std::uint32_t>(o.missing), also);
  return s;
}

rollup_options options_from_bytes(std::string_view bytes) {
  detail::binary_iarchive ar(bytes);
  bool has_kind = false;
  std::uint32_t kind = 0, per = 0, rule = 0, missing = 0;
  std::uint64_t depth = 0;
  rollup_options o;
  std::vector<std::uint32_t> also;
  ar(has_kind, kind, depth, o.by_stage, per, o.indicators, rule, missing, also);
  if (!ar.at_end() || kind > static_cast<std::uint32_t>(entity_kind::prefecture) ||
      per > static_cast<std::uint32_t>(period_kind::custom) || rule >= rules::rule_table.size() + 1 ||
      missing > static_cast<std::uint32_t>(rules::missing_policy::never_skip))
    throw error("corrupt roll-up options");
  for (auto a : also) {
    if (a > static_cast<std::uint32_t>(entity_kind::prefecture)) throw error("corrupt roll-up options");
    o.also.push_back(static_cast<entity_kind>(a));
  }
  if (has_kind) o.kind = static_cast<entity_kind>(kind);
  o.depth = static_cast<std::size_t>(depth);
  o.period = static_cast<period_kind>(per);
  o.rule = static_cast<rollup_rule>(rule);
  o.missing = static_cast<rules::missing_policy>(missing);
  if (!rollup_supports(o.rule)) throw error("corrupt roll-up options (rule)");
  return o;
}

/// The periods of a roll-up window (as prepare() lays them out) and the label of each: its first
/// year, or 0 for the one custom period.
std::vector<std::int32_t> slot_labels(const period& window, period_kind kind) {
  std::vector<std::int32_t> labels;
  if (kind == period_kind::calendar_year) {
    for (int y = window.start.year(); y <= window.end.year(); ++y) labels.push_back(y);
  } else if (kind == period_kind::school_year) {
    const int y0 = school_year_of(window.start).start.year(), y1 = school_year_of(window.end).start.year();
    for (int y = y0; y <= y1; ++y) labels.push_back(y);
  } else {
    labels.push_back(0);
  }
  return labels;
}

/// A request laid over the window starting on `window_start` (no rows: finalise and from_bytes
/// need the layout of merged states, not rows). Keeps the one placeholder row it is built from.
struct layout {
  std::uint32_t ind = 0, ent = 0;
  day_number day = 0;
  double value = 0;
  std::uint8_t flag = flags::missing;
  std::optional<request> req;

  layout(const plan& p, const rollup_options& opt, day_number window_start) : day(window_start) {
    observation_view v;
    if (!p.indicators().empty() && !p.entities().empty()) {
      v.indicator = {&ind, 1};
      v.entity = {&ent, 1};
      v.start = {&day, 1};
      v.end = {&day, 1};
      v.value = {&value, 1};
      v.flags = {&flag, 1};
    }
    v.yearly_unique = true; // one row: nothing to combine
    req.emplace(p, v, opt);
  }
};

[[noreturn]] void throw_not_in_parts(const plan& p, const rollup_options& opt) {
  std::string inds;
  const std::size_t n = opt.indicators.empty() ? p.indicators().size() : opt.indicators.size();
  for (std::size_t k = 0; k < n && k < 5; ++k) {
    const auto i = opt.indicators.empty() ? static_cast<std::uint32_t>(k) : opt.indicators[k];
    if (i < p.indicators().size()) inds += (inds.empty() ? "\"" : ", \"") + p.indicators()[i].id + "\"";
  }
  if (n > 5) inds += ", ...";
  throw error("roll-up in parts: rule \"" + std::string(to_string(opt.rule)) + "\" (indicators " + inds +
              ") is not mergeable (its state keeps every value), so it cannot be computed in parts and merged; "
              "expected one of " +
              capable_names());
}

template <std::size_t... I>
void save_states(detail::binary_oarchive& ar, const states& st, std::index_sequence<I...>) {
  (
      [&] {
        if constexpr (capable<static_cast<rollup_rule>(I)>) ar(std::get<I>(st.arrays));
      }(),
      ...);
}
template <std::size_t... I>
void load_states(detail::binary_iarchive& ar, states& st, std::index_sequence<I...>) {
  (
      [&] {
        if constexpr (capable<static_cast<rollup_rule>(I)>) ar(std::get<I>(st.arrays));
      }(),
      ...);
}
/// The size of each array of `st`, by rule kind.
template <std::size_t... I>
std::array<std::size_t, sizeof...(I)> array_sizes(const states& st, std::index_sequence<I...>) {
  return {std::get<I>(st.arrays).size()...};
}
/// True if every array of `a` has the size of `b`'s.
template <std::size_t... I>
bool same_shape(const states& a, const states& b, std::index_sequence<I...>) {
  return ((std::get<I>(a.arrays).size() == std::get<I>(b.arrays).size()) && ...);
}

/// Adds the cells of `from` (laid out with n_from slots) into `to` (n_to slots), slot s of `from`
/// going to slot s + shift of `to`.
template <std::size_t... I>
void add_shifted(states& to, std::size_t n_to, const states& from, std::size_t n_from, std::size_t shift,
                 std::index_sequence<I...>) {
  (
      [&] {
        if constexpr (capable<static_cast<rollup_rule>(I)>) {
          auto& a = std::get<I>(to.arrays);
          const auto& b = std::get<I>(from.arrays);
          if (b.empty() || n_from == 0) return;
          const std::size_t blocks = b.size() / n_from;
          for (std::size_t k = 0; k < blocks; ++k)
            for (std::size_t s = 0; s < n_from; ++s) a[k * n_to + s + shift] += b[k * n_from + s];
        }
      }(),
      ...);
}

} // namespace

rollup_partial::rollup_partial() = default;
rollup_partial::rollup_partial(const rollup_partial& o) : impl_(o.impl_ ? std::make_unique<impl>(*o.impl_) : nullptr) {}
rollup_partial::rollup_partial(rollup_partial&&) noexcept = default;
rollup_partial& rollup_partial::operator=(const rollup_partial& o) {
  if (this != &o) impl_ = o.impl_ ? std::make_unique<impl>(*o.impl_) : nullptr;
  return *this;
}
rollup_partial& rollup_partial::operator=(rollup_partial&&) noexcept = default;
rollup_partial::~rollup_partial() = default;

bool rollup_partial::empty() const noexcept { return !impl_; }
std::size_t rollup_partial::rows_used() const noexcept { return impl_ ? impl_->rows_used : 0; }

rollup_partial rollup_states(const plan& p, const observation_view& obs, const rollup_options& opt) {
  require_plan(p, obs, "rollup_states");
  if (!rollup_supports(opt.rule)) throw_not_in_parts(p, opt);
  if (!obs.derived && needs_derive(p, opt.indicators)) { // as rollup(): derived rows first
    const bool only_derived =
        !opt.indicators.empty() && std::all_of(opt.indicators.begin(), opt.indicators.end(), [&](std::uint32_t i) {
          return i < p.indicators().size() && p.indicators()[i].is_derived();
        });
    const auto d = derive(p, obs, opt.indicators, !only_derived, /*keep_sides=*/false);
    return rollup_states(p, d.table.view(), opt);
  }
  const std::size_t n_ind = p.indicators().size(), n_ent = p.entities().size();
  if (!obs.has_weight() && obs.size() > 0) { // as rollup(): rows weighed as their definitions say
    std::vector<std::uint8_t> need(n_ind, 0);
    for (std::size_t k = 0; k < n_ind; ++k)
      if (opt.indicators.empty() || std::find(opt.indicators.begin(), opt.indicators.end(), k) != opt.indicators.end())
        if (needs_weight(opt.rule == rollup_rule::indicator ? default_rule(p.indicators()[k]) : opt.rule)) need[k] = 1;
    bool any = false;
    for (std::size_t i = 0; i < obs.size() && !any; ++i) any = obs.indicator[i] < n_ind && need[obs.indicator[i]];
    if (any) {
      const definition_weights w = weights_by_definition(p, obs, need);
      observation_view weighed = obs;
      weighed.weight = w.weight;
      auto part = rollup_states(p, weighed, opt);
      auto& ents = part.impl_->weight_assumed;
      for (auto i : w.assumed) ents.push_back(obs.entity[i]);
      std::sort(ents.begin(), ents.end());
      ents.erase(std::unique(ents.begin(), ents.end()), ents.end());
      return part;
    }
  }

  rollup_partial out;
  out.impl_ = std::make_unique<rollup_partial::impl>();
  auto& m = *out.impl_;
  m.key = p.key();
  m.opt = opt;
  m.opt.threads = 1;
  m.opt_bytes = options_bytes(opt);
  const period window = rollup_window(p, obs, opt.threads, opt.min_rows_per_thread);
  const request req(p, obs, m.opt, &window);
  m.window_start = to_day_number(window.start);
  const auto labels = slot_labels(window, opt.period);
  m.n_slots = labels.size();
  const observation_view& rows = req.own_rows() ? req.rows() : obs;
  m.rows_combined = obs.size() - rows.size();

  // the pass over the rows, as run_pass: slices per thread, each with its own states, merged
  const period dw = data_window(p);
  const day_number lo = to_day_number(dw.start), hi = to_day_number(dw.end);
  const std::size_t n = rows.size();
  const unsigned threads = thread_count(opt.threads, n, opt.min_rows_per_thread);
  std::vector<states> part(threads);
  std::vector<std::size_t> used(threads, 0), outside(threads, 0);
  parallel_rows(n, threads, [&](unsigned t, std::size_t b, std::size_t e) {
    part[t] = req.make_states();
    std::size_t u = 0, beyond = 0;
    constexpr std::size_t block = 8192;
    for (std::size_t i0 = b; i0 < e; i0 += block) {
      const std::size_t i1 = std::min(e, i0 + block);
      check_rows(rows, i0, i1, n_ind, n_ent, lo, hi);
      req.observe_rows(rows, i0, i1, part[t], u, beyond);
    }
    used[t] = u;
    outside[t] = beyond;
  });
  if (threads == 0 || n == 0) part.assign(1, req.make_states());
  for (std::size_t t = 1; t < part.size(); ++t) part[0].merge(part[t]);
  m.st = std::move(part[0]);
  for (unsigned t = 0; t < threads; ++t) {
    m.rows_used += used[t];
    m.rows_outside += outside[t];
  }

  // the keys: (indicator, entity) per period, for the rows that entered a group
  std::vector<std::uint8_t> selected(n_ind, opt.indicators.empty() ? 1 : 0);
  for (auto i : opt.indicators)
    if (i < n_ind) selected[i] = 1;
  std::vector<std::uint32_t> group_of, groups;
  map_level(p.entities(), opt.kind, opt.depth, group_of, groups);
  const day_number wlo = m.window_start, whi = to_day_number(window.end);
  std::vector<std::int32_t> label_of_day(static_cast<std::size_t>(whi - wlo + 1));
  {
    std::size_t s = 0;
    const auto slots_end = [&](std::size_t k) {
      if (opt.period == period_kind::calendar_year) return to_day_number(date(labels[k], 12, 31));
      if (opt.period == period_kind::school_year) return to_day_number(period::school_year(labels[k]).end);
      return whi;
    };
    for (day_number d = wlo; d <= whi; ++d) {
      while (s + 1 < labels.size() && slots_end(s) < d) ++s;
      label_of_day[static_cast<std::size_t>(d - wlo)] = labels[s];
    }
  }
  const std::uint64_t bits = std::uint64_t{n_ind} * n_ent;
  std::map<std::int32_t, std::vector<std::uint64_t>> dense;
  for (std::size_t i = 0; i < n; ++i) {
    const auto ind = rows.indicator[i], ent = rows.entity[i];
    if (!selected[ind] || group_of[ent] == npos32 || rows.end[i] < wlo || rows.end[i] > whi) continue;
    auto& words = dense[label_of_day[static_cast<std::size_t>(rows.end[i] - wlo)]];
    if (words.empty()) words.assign(static_cast<std::size_t>((bits + 63) / 64), 0);
    const std::uint64_t bit = std::uint64_t{ind} * n_ent + ent;
    words[bit >> 6] |= std::uint64_t{1} << (bit & 63);
  }
  for (auto& [label, words] : dense) {
    m.keys[label] = sparse_of(words);
    std::vector<std::uint64_t>().swap(words);
  }
  return out;
}

rollup_partial& rollup_partial::operator+=(const rollup_partial& other) {
  if (!other.impl_) return *this;
  if (!impl_) {
    impl_ = std::make_unique<impl>(*other.impl_);
    return *this;
  }
  auto& a = *impl_;
  const auto& b = *other.impl_;
  if (!(a.key == b.key))
    throw error("rollup_partial +=: the partials are of different plans (\"" + a.key.id + "\" and \"" + b.key.id +
                "\", or different indicators or entities)");
  if (a.opt_bytes != b.opt_bytes) throw error("rollup_partial +=: the partials were computed with different options");
  // two parts holding rows of one key: refused before anything changes
  // the arrays must have one shape (the bytes of either may come from anywhere)
  const auto sa = array_sizes(a.st, std::make_index_sequence<rules::rule_table.size()>{});
  const auto sb = array_sizes(b.st, std::make_index_sequence<rules::rule_table.size()>{});
  for (std::size_t k = 0; k < rules::rule_table.size(); ++k)
    if ((sa[k] == 0) != (sb[k] == 0) || (sa[k] && sa[k] / a.n_slots != sb[k] / b.n_slots))
      throw error("rollup_partial +=: the partials' states do not have the same layout");
  for (const auto& [label, kb] : b.keys) {
    const auto it = a.keys.find(label);
    if (it == a.keys.end()) continue;
    if (const auto common = first_common_bit(it->second, kb)) {
      const std::uint64_t bit = *common;
      const std::uint64_t n_ent = a.key.entities ? a.key.entities : 1;
      throw data_error("roll-up in parts: two parts hold rows of indicator #" + std::to_string(bit / n_ent) +
                       ", entity #" + std::to_string(bit % n_ent) +
                       (label ? " in the period starting in " + std::to_string(label) : std::string()) +
                       "; the rows of one indicator, entity and period must be in one part (they combine in time "
                       "before entities do): partition the rows by entity or by period");
    }
  }
  // align the periods: the merged window starts at the earlier of the two
  const bool custom = a.opt.period == period_kind::custom;
  const int ya = from_day_number(a.window_start).year(), yb = from_day_number(b.window_start).year();
  const std::size_t shift_a = custom || ya <= yb ? 0 : static_cast<std::size_t>(ya - yb);
  const std::size_t shift_b = custom || yb <= ya ? 0 : static_cast<std::size_t>(yb - ya);
  const std::size_t n_slots = std::max(a.n_slots + shift_a, b.n_slots + shift_b);
  constexpr auto kinds = std::make_index_sequence<rules::rule_table.size()>{};
  if (n_slots != a.n_slots || shift_a != 0) {
    states fresh; // empty states of the request's kinds, laid out over n_slots
    rules::rule_params params;
    params.missing = a.opt.missing;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            if constexpr (capable<static_cast<rollup_rule>(I)>) {
              const auto& old = std::get<I>(a.st.arrays);
              if (!old.empty()) {
                std::get<I>(fresh.arrays)
                    .assign(old.size() / a.n_slots * n_slots, rules::make_rule<static_cast<rollup_rule>(I)>(params));
              }
            }
          }(),
          ...);
    }(kinds);
    add_shifted(fresh, n_slots, a.st, a.n_slots, shift_a, kinds);
    a.st = std::move(fresh);
    a.n_slots = n_slots;
  }
  add_shifted(a.st, a.n_slots, b.st, b.n_slots, shift_b, kinds);
  a.window_start = std::min(a.window_start, b.window_start);
  a.rows_used += b.rows_used;
  a.rows_outside += b.rows_outside;
  a.rows_combined += b.rows_combined;
  std::vector<std::uint32_t> ents;
  std::set_union(a.weight_assumed.begin(), a.weight_assumed.end(), b.weight_assumed.begin(), b.weight_assumed.end(),
                 std::back_inserter(ents));
  a.weight_assumed = std::move(ents);
  for (const auto& [label, kb] : b.keys) {
    auto& ka = a.keys[label];
    ka = united(ka, kb);
  }
  return *this;
}

namespace {
void check_layout(const rollup_partial::impl& m, const plan& p, const char* what);
} // namespace

rollup_result rollup_partial::finalise(const plan& p) const {
  if (!impl_) return {};
  const auto& m = *impl_;
  check_layout(m, p, "rollup_partial::finalise");
  const layout l(p, m.opt, m.window_start);
  rollup_result res;
  l.req->results(m.st, res);
  res.rows_used = static_cast<std::size_t>(m.rows_used);
  res.rows_outside_level = static_cast<std::size_t>(m.rows_outside);
  res.rows_combined_in_time = static_cast<std::size_t>(m.rows_combined);
  res.weight_assumed_entities = m.weight_assumed;
  return res;
}

std::string rollup_partial::to_bytes() const {
  std::string out(partial_magic);
  detail::binary_oarchive ar(out);
  ar(partial_format_version, empty());
  if (impl_) {
    const auto& m = *impl_;
    ar(m.key.id, m.key.indicators, m.key.entities, m.key.indicator_hash, m.key.entity_hash, m.opt_bytes,
       m.window_start, static_cast<std::uint64_t>(m.n_slots), m.rows_used, m.rows_outside, m.rows_combined,
       m.weight_assumed, static_cast<std::uint64_t>(m.keys.size()));
    for (const auto& [label, k] : m.keys) ar(label, k.at, k.bits); // the nonzero words only
    save_states(ar, m.st, std::make_index_sequence<rules::rule_table.size()>{});
  }
  ar(detail::fnv1a64(out));
  return out;
}

rollup_partial rollup_partial::from_bytes(std::string_view bytes) {
  try {
    constexpr std::size_t smallest = partial_magic.size() + sizeof(std::uint32_t) + 1 + sizeof(std::uint64_t);
    if (bytes.size() < smallest) throw error("truncated input (" + std::to_string(bytes.size()) + " bytes)");
    if (bytes.substr(0, partial_magic.size()) != partial_magic)
      throw error("not a planeval roll-up partial (no \"pvp\" magic)");
    const std::string_view body = bytes.substr(0, bytes.size() - sizeof(std::uint64_t));
    detail::binary_iarchive ar(body.substr(partial_magic.size()));
    std::uint32_t format = 0;
    ar(format);
    if (format != partial_format_version)
      throw error("unsupported format version " + std::to_string(format) + " (this build reads " +
                  std::to_string(partial_format_version) + ")");
    std::uint64_t stored = 0;
    detail::binary_iarchive{bytes.substr(body.size())}(stored);
    if (stored != detail::fnv1a64(body)) throw error("corrupt input (checksum mismatch)");
    bool is_empty = false;
    ar(is_empty);
    rollup_partial out;
    if (!is_empty) {
      out.impl_ = std::make_unique<impl>();
      auto& m = *out.impl_;
      std::uint64_t n_slots = 0, n_keys = 0;
      ar(m.key.id, m.key.indicators, m.key.entities, m.key.indicator_hash, m.key.entity_hash, m.opt_bytes,
         m.window_start, n_slots, m.rows_used, m.rows_outside, m.rows_combined, m.weight_assumed, n_keys);
      m.opt = options_from_bytes(m.opt_bytes);
      // the window starts on 1 January of a year from 1900 to 2200; calendar or school years: at
      // most one period per year, a custom period: one
      if (m.window_start < to_day_number(date(1900, 1, 1)) || m.window_start > to_day_number(date(2200, 1, 1)) ||
          n_slots == 0 || n_slots > (m.opt.period == period_kind::custom ? 1u : 302u))
        throw error("corrupt roll-up window");
      m.n_slots = static_cast<std::size_t>(n_slots);
      const std::uint64_t words = (std::uint64_t{m.key.indicators} * m.key.entities + 63) / 64;
      for (std::uint64_t k = 0; k < n_keys; ++k) {
        std::int32_t label = 0;
        impl::key_words w;
        ar(label, w.at, w.bits);
        if (m.keys.count(label)) throw error("corrupt key bitmap");
        check_sparse(w, words);
        m.keys.emplace(label, std::move(w));
      }
      load_states(ar, m.st, std::make_index_sequence<rules::rule_table.size()>{});
      // one shape for every array in use: blocks x periods
      std::size_t size = 0;
      for (auto z : array_sizes(m.st, std::make_index_sequence<rules::rule_table.size()>{})) {
        if (z == 0) continue;
        if (z % m.n_slots != 0 || (size != 0 && z != size)) throw error("the states do not have one layout");
        size = z;
      }
    }
    if (!ar.at_end()) throw error(std::to_string(ar.remaining()) + " unexpected trailing bytes");
    return out;
  } catch (const error& e) {
    throw error(std::string("rollup_partial::from_bytes: ") + e.what());
  }
}

namespace {
/// Throws unless `m`'s states have the layout the plan and options give over its window.
void check_layout(const rollup_partial::impl& m, const plan& p, const char* what) {
  if (!(p.key() == m.key))
    throw error(std::string(what) + ": the partial is of plan \"" + m.key.id +
                "\" (or other indicators or entities), not \"" + p.id() + "\"");
  const layout l(p, m.opt, m.window_start);
  const states expected = l.req->make_states();
  if (!same_shape(m.st, expected, std::make_index_sequence<rules::rule_table.size()>{}) ||
      slot_labels(period{from_day_number(m.window_start), data_window(p).end, period_kind::custom}, m.opt.period)
              .size() != m.n_slots)
    throw error(std::string(what) + ": the states do not fit the plan's layout");
}
} // namespace

rollup_partial rollup_partial::from_bytes(const plan& p, std::string_view bytes) {
  rollup_partial out = from_bytes(bytes);
  if (out.impl_) check_layout(*out.impl_, p, "rollup_partial::from_bytes");
  return out;
}

// ---------------------------------------------------------------------------------------------
// k-of-n in parts
// ---------------------------------------------------------------------------------------------

namespace {

constexpr std::string_view k_of_n_magic = "pvk";
constexpr std::uint32_t k_of_n_format_version = 1;

/// The options a k-of-n roll-up reads (level, stages, periods); the others left at their defaults
/// so that parts asked with, say, other threads still merge.
rollup_options k_of_n_options(const rollup_options& o) {
  rollup_options k;
  k.kind = o.kind;
  k.depth = o.depth;
  k.by_stage = o.by_stage;
  k.period = o.period;
  return k;
}

std::string spec_bytes(const k_of_n_spec& spec) {
  std::string s;
  detail::binary_oarchive ar(s);
  ar(spec.indicators, spec.k, spec.floor, static_cast<std::uint64_t>(spec.criteria.size()));
  for (const auto& [st, crit] : spec.criteria) {
    ar(static_cast<std::uint32_t>(st), static_cast<std::uint64_t>(crit.size()));
    for (const auto& c : crit) ar(static_cast<std::uint32_t>(c.comparator), c.threshold, c.label);
  }
  return s;
}

/// The spec written by spec_bytes, checked as rollup_k_of_n checks it (its rules are built).
k_of_n_spec spec_from_bytes(std::string_view bytes) {
  detail::binary_iarchive ar(bytes);
  k_of_n_spec spec;
  std::uint64_t n_stages = 0;
  ar(spec.indicators, spec.k, spec.floor, n_stages);
  if (n_stages > 4) throw error("corrupt k-of-n spec");
  for (std::uint64_t j = 0; j < n_stages; ++j) {
    std::uint32_t st = 0;
    std::uint64_t n = 0;
    ar(st, n);
    if (st > static_cast<std::uint32_t>(stage::senior) || n != spec.indicators.size())
      throw error("corrupt k-of-n spec");
    std::vector<rules::criterion> crit(static_cast<std::size_t>(n));
    for (auto& c : crit) {
      std::uint32_t cmp = 0;
      ar(cmp, c.threshold, c.label);
      if (cmp > static_cast<std::uint32_t>(comparator::lt)) throw error("corrupt k-of-n spec");
      c.comparator = static_cast<comparator>(cmp);
    }
    spec.criteria.emplace_back(static_cast<stage>(st), std::move(crit));
  }
  if (!ar.at_end()) throw error("corrupt k-of-n spec");
  for (const auto& [st, crit] : spec.criteria) (void)rules::k_of_n(crit, spec.k, spec.floor); // throws if unusable
  return spec;
}

/// The groups and periods of a k-of-n partial's cells under plan `p`; throws unless the partial is
/// of `p` and its counts have that layout.
struct k_of_n_layout {
  std::vector<std::uint32_t> groups;
  std::vector<period> slots;
};
k_of_n_layout check_k_of_n_layout(const k_of_n_partial::impl& m, const plan& p, const char* what) {
  if (!(p.key() == m.key))
    throw error(std::string(what) + ": the partial is of plan \"" + m.key.id +
                "\" (or other indicators or entities), not \"" + p.id() + "\"");
  k_of_n_layout l;
  std::vector<std::uint32_t> group_of;
  map_level(p.entities(), m.opt.kind, m.opt.depth, group_of, l.groups);
  l.slots = period_slots(period{from_day_number(m.window_start), data_window(p).end, period_kind::custom}, m.opt.period);
  if (l.slots.size() != m.n_slots || m.units.size() != l.groups.size() * m.n_st * m.n_slots)
    throw error(std::string(what) + ": the counts do not fit the plan's layout");
  return l;
}

} // namespace

k_of_n_partial::k_of_n_partial() = default;
k_of_n_partial::k_of_n_partial(const k_of_n_partial& o) : impl_(o.impl_ ? std::make_unique<impl>(*o.impl_) : nullptr) {}
k_of_n_partial::k_of_n_partial(k_of_n_partial&&) noexcept = default;
k_of_n_partial& k_of_n_partial::operator=(const k_of_n_partial& o) {
  if (this != &o) impl_ = o.impl_ ? std::make_unique<impl>(*o.impl_) : nullptr;
  return *this;
}
k_of_n_partial& k_of_n_partial::operator=(k_of_n_partial&&) noexcept = default;
k_of_n_partial::~k_of_n_partial() = default;

bool k_of_n_partial::empty() const noexcept { return !impl_; }
std::uint64_t k_of_n_partial::units() const noexcept {
  if (!impl_) return 0;
  return std::accumulate(impl_->units.begin(), impl_->units.end(), std::uint64_t{0});
}

k_of_n_partial rollup_k_of_n_states(const plan& p, const observation_view& obs, const rollup_options& opt,
                                    const k_of_n_spec& spec) {
  k_of_n_counts c = count_k_of_n(p, obs, opt, spec, /*want_judged=*/true);
  k_of_n_partial out;
  out.impl_ = std::make_unique<k_of_n_partial::impl>();
  auto& m = *out.impl_;
  m.key = p.key();
  m.opt = k_of_n_options(opt);
  m.opt_bytes = options_bytes(m.opt);
  m.spec = spec;
  m.spec_bytes = spec_bytes(spec);
  m.window_start = c.window_start;
  m.n_slots = c.slots.size();
  m.n_st = c.n_st;
  m.units = std::move(c.units);
  m.passed = std::move(c.passed);
  m.incomplete = std::move(c.incomplete);
  // the judged (entity, period) keys: a dense bitmap over the entities per period, then sparse
  const std::size_t n_ent = p.entities().size(), n_units = c.entity_of.size();
  std::vector<std::vector<std::uint64_t>> dense(m.n_slots);
  for (std::size_t u = 0; u < n_units; ++u)
    for (std::size_t s = 0; s < m.n_slots; ++s)
      if (c.judged[u * m.n_slots + s]) {
        auto& words = dense[s];
        if (words.empty()) words.assign((n_ent + 63) / 64, 0);
        words[c.entity_of[u] >> 6] |= std::uint64_t{1} << (c.entity_of[u] & 63);
      }
  for (std::size_t s = 0; s < m.n_slots; ++s)
    if (!dense[s].empty())
      m.judged[m.opt.period == period_kind::custom ? 0 : static_cast<std::int32_t>(c.slots[s].start.year())] =
          sparse_of(dense[s]);
  return out;
}

k_of_n_partial& k_of_n_partial::operator+=(const k_of_n_partial& other) {
  if (!other.impl_) return *this;
  if (!impl_) {
    impl_ = std::make_unique<impl>(*other.impl_);
    return *this;
  }
  auto& a = *impl_;
  const auto& b = *other.impl_;
  if (!(a.key == b.key))
    throw error("k_of_n_partial +=: the partials are of different plans (\"" + a.key.id + "\" and \"" + b.key.id +
                "\", or different indicators or entities)");
  if (a.opt_bytes != b.opt_bytes) throw error("k_of_n_partial +=: the partials were computed with different options");
  if (a.spec_bytes != b.spec_bytes)
    throw error("k_of_n_partial +=: the partials were computed with different k-of-n specs");
  if (a.n_st != b.n_st || a.units.size() / a.n_slots != b.units.size() / b.n_slots)
    throw error("k_of_n_partial +=: the partials' counts do not have the same layout");
  // a unit judged in both parts: refused before anything changes
  for (const auto& [label, kb] : b.judged) {
    const auto it = a.judged.find(label);
    if (it == a.judged.end()) continue;
    if (const auto common = first_common_bit(it->second, kb))
      throw data_error("k-of-n in parts: two parts judged entity #" + std::to_string(*common) +
                       (label ? " in the period starting in " + std::to_string(label) : std::string()) +
                       "; a unit is judged on all its values, so its rows of one period must be in one part: "
                       "partition the rows by entity or by period");
  }
  // align the periods: the merged window starts at the earlier of the two
  const bool custom = a.opt.period == period_kind::custom;
  const int ya = from_day_number(a.window_start).year(), yb = from_day_number(b.window_start).year();
  const std::size_t shift_a = custom || ya <= yb ? 0 : static_cast<std::size_t>(ya - yb);
  const std::size_t shift_b = custom || yb <= ya ? 0 : static_cast<std::size_t>(yb - ya);
  const std::size_t n_slots = std::max(a.n_slots + shift_a, b.n_slots + shift_b);
  const std::size_t blocks = a.units.size() / a.n_slots;
  const auto add = [&](std::vector<std::uint64_t>& to, const std::vector<std::uint64_t>& from, std::size_t n_from,
                       std::size_t shift) {
    for (std::size_t k = 0; k < blocks; ++k)
      for (std::size_t s = 0; s < n_from; ++s) to[k * n_slots + s + shift] += from[k * n_from + s];
  };
  for (auto [to, from] : {std::pair{&a.units, &b.units}, std::pair{&a.passed, &b.passed},
                          std::pair{&a.incomplete, &b.incomplete}}) {
    if (n_slots != a.n_slots || shift_a != 0) {
      std::vector<std::uint64_t> fresh(blocks * n_slots, 0);
      add(fresh, *to, a.n_slots, shift_a);
      *to = std::move(fresh);
    }
    add(*to, *from, b.n_slots, shift_b);
  }
  a.n_slots = n_slots;
  a.window_start = std::min(a.window_start, b.window_start);
  for (const auto& [label, kb] : b.judged) {
    auto& ka = a.judged[label];
    ka = united(ka, kb);
  }
  return *this;
}

k_of_n_result k_of_n_partial::finalise(const plan& p) const {
  if (!impl_) return {};
  const auto& m = *impl_;
  const k_of_n_layout l = check_k_of_n_layout(m, p, "k_of_n_partial::finalise");
  return k_of_n_rows(l.groups, l.slots, m.n_st, m.units, m.passed, m.incomplete);
}

std::string k_of_n_partial::to_bytes() const {
  std::string out(k_of_n_magic);
  detail::binary_oarchive ar(out);
  ar(k_of_n_format_version, empty());
  if (impl_) {
    const auto& m = *impl_;
    // the counts of the cells with judged units only (a part holds few of the groups)
    std::vector<std::uint64_t> at, units, passed, incomplete;
    for (std::size_t c = 0; c < m.units.size(); ++c)
      if (m.units[c]) {
        at.push_back(c);
        units.push_back(m.units[c]);
        passed.push_back(m.passed[c]);
        incomplete.push_back(m.incomplete[c]);
      }
    ar(m.key.id, m.key.indicators, m.key.entities, m.key.indicator_hash, m.key.entity_hash, m.opt_bytes,
       m.spec_bytes, m.window_start, static_cast<std::uint64_t>(m.n_slots), static_cast<std::uint64_t>(m.n_st),
       static_cast<std::uint64_t>(m.units.size()), at, units, passed, incomplete,
       static_cast<std::uint64_t>(m.judged.size()));
    for (const auto& [label, k] : m.judged) ar(label, k.at, k.bits);
  }
  ar(detail::fnv1a64(out));
  return out;
}

k_of_n_partial k_of_n_partial::from_bytes(std::string_view bytes) {
  try {
    constexpr std::size_t smallest = k_of_n_magic.size() + sizeof(std::uint32_t) + 1 + sizeof(std::uint64_t);
    if (bytes.size() < smallest) throw error("truncated input (" + std::to_string(bytes.size()) + " bytes)");
    if (bytes.substr(0, k_of_n_magic.size()) != k_of_n_magic)
      throw error("not a planeval k-of-n partial (no \"pvk\" magic)");
    const std::string_view body = bytes.substr(0, bytes.size() - sizeof(std::uint64_t));
    detail::binary_iarchive ar(body.substr(k_of_n_magic.size()));
    std::uint32_t format = 0;
    ar(format);
    if (format != k_of_n_format_version)
      throw error("unsupported format version " + std::to_string(format) + " (this build reads " +
                  std::to_string(k_of_n_format_version) + ")");
    std::uint64_t stored = 0;
    detail::binary_iarchive{bytes.substr(body.size())}(stored);
    if (stored != detail::fnv1a64(body)) throw error("corrupt input (checksum mismatch)");
    bool is_empty = false;
    ar(is_empty);
    k_of_n_partial out;
    if (!is_empty) {
      out.impl_ = std::make_unique<impl>();
      auto& m = *out.impl_;
      std::uint64_t n_slots = 0, n_st = 0, n_cells = 0, n_labels = 0;
      std::vector<std::uint64_t> at, units, passed, incomplete;
      ar(m.key.id, m.key.indicators, m.key.entities, m.key.indicator_hash, m.key.entity_hash, m.opt_bytes,
         m.spec_bytes, m.window_start, n_slots, n_st, n_cells, at, units, passed, incomplete, n_labels);
      m.opt = options_from_bytes(m.opt_bytes);
      if (options_bytes(k_of_n_options(m.opt)) != m.opt_bytes) throw error("corrupt k-of-n options");
      m.spec = spec_from_bytes(m.spec_bytes);
      // the window starts on 1 January of a year from 1900 to 2200; at most one period per year
      if (m.window_start < to_day_number(date(1900, 1, 1)) || m.window_start > to_day_number(date(2200, 1, 1)) ||
          n_slots == 0 || n_slots > (m.opt.period == period_kind::custom ? 1u : 302u))
        throw error("corrupt roll-up window");
      m.n_slots = static_cast<std::size_t>(n_slots);
      m.n_st = static_cast<std::size_t>(n_st);
      // cells: groups (at most one per entity) x stage slots x periods
      if (n_st != (m.opt.by_stage ? 5u : 1u) || n_cells % (n_st * n_slots) != 0 ||
          n_cells / (n_st * n_slots) > m.key.entities)
        throw error("corrupt k-of-n counts (layout)");
      if (units.size() != at.size() || passed.size() != at.size() || incomplete.size() != at.size())
        throw error("corrupt k-of-n counts");
      m.units.assign(static_cast<std::size_t>(n_cells), 0);
      m.passed.assign(static_cast<std::size_t>(n_cells), 0);
      m.incomplete.assign(static_cast<std::size_t>(n_cells), 0);
      for (std::size_t j = 0; j < at.size(); ++j) {
        if (at[j] >= n_cells || (j > 0 && at[j] <= at[j - 1]) || units[j] == 0 || passed[j] > units[j] ||
            incomplete[j] > units[j])
          throw error("corrupt k-of-n counts");
        m.units[at[j]] = units[j];
        m.passed[at[j]] = passed[j];
        m.incomplete[at[j]] = incomplete[j];
      }
      const std::uint64_t words = (std::uint64_t{m.key.entities} + 63) / 64;
      for (std::uint64_t k = 0; k < n_labels; ++k) {
        std::int32_t label = 0;
        sparse_bits w;
        ar(label, w.at, w.bits);
        if (m.judged.count(label)) throw error("corrupt key bitmap");
        check_sparse(w, words);
        m.judged.emplace(label, std::move(w));
      }
    }
    if (!ar.at_end()) throw error(std::to_string(ar.remaining()) + " unexpected trailing bytes");
    return out;
  } catch (const error& e) {
    throw error(std::string("k_of_n_partial::from_bytes: ") + e.what());
  }
}

k_of_n_partial k_of_n_partial::from_bytes(const plan& p, std::string_view bytes) {
  k_of_n_partial out = from_bytes(bytes);
  if (out.impl_) (void)check_k_of_n_layout(*out.impl_, p, "k_of_n_partial::from_bytes");
  return out;
}

} // namespace planeval
