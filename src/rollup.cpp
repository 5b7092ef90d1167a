// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#include <planeval/derived.hpp>
#include <planeval/rollup.hpp>
#include <planeval/rules.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <memory>
#include <unordered_map>
#include <numeric>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

namespace planeval {

namespace {

/// True for the rules a roll-up across entities can apply (see rollup_rule): mergeable, observing
/// a unit's value (and weight), needing no parameter. Decided from the registry row and the type.
template <rollup_rule K>
constexpr bool capable = rules::info(K).needs.empty() &&
                         (rules::info(K).input == rules::rule_input::values ||
                          rules::info(K).input == rules::rule_input::values_weights ||
                          rules::info(K).input == rules::rule_input::values_weights_required) &&
                         rules::rule_type<K>::mergeable;

/// "sum", "count", ... : the rules capable<> accepts, for messages.
std::string capable_names() {
  std::string s;
  for (const auto& r : rules::rule_table)
    if (rollup_supports(r.kind)) s += (s.empty() ? "\"" : ", \"") + std::string(r.name) + "\"";
  return s;
}

} // namespace

bool rollup_supports(rollup_rule r) noexcept {
  if (r == rollup_rule::indicator) return true; // each indicator's default rule, all supported
  return rules::visit_kind(r, [](auto k) { return capable<decltype(k)::value>; });
}

rollup_rule default_rule(const indicator& ind) {
  for (const auto& [declared, kind] : entity_rule_kinds)
    if (declared == ind.across_entities && kind != rollup_rule::indicator) return kind;
  switch (ind.kind) {
  case value_kind::rate:
  case value_kind::ratio: return rollup_rule::weighted_mean;
  case value_kind::boolean: return rollup_rule::min;
  default: return rollup_rule::sum;
  }
}

namespace {

constexpr std::uint32_t npos32 = static_cast<std::uint32_t>(-1);

bool needs_weight(rollup_rule r) { return r != rollup_rule::indicator && rules::info(r).weighted; }

/// One array of rule states per rule kind (the registry's rule_type<K>), each indexed by cell;
/// only the kinds a request uses are allocated.
template <std::size_t... I>
auto state_arrays_of(std::index_sequence<I...>)
    -> std::tuple<std::vector<rules::rule_type<static_cast<rollup_rule>(I)>>...>;
using state_arrays = decltype(state_arrays_of(std::make_index_sequence<rules::rule_table.size()>{}));

struct states {
  state_arrays arrays;

  template <rollup_rule K>
  auto& of() noexcept {
    return std::get<static_cast<std::size_t>(K)>(arrays);
  }
  template <rollup_rule K>
  const auto& of() const noexcept {
    return std::get<static_cast<std::size_t>(K)>(arrays);
  }

  /// Merge every cell of `o` into this (the states of another thread over other rows).
  void merge(const states& o) { merge(o, std::make_index_sequence<rules::rule_table.size()>{}); }

private:
  template <std::size_t... I>
  void merge(const states& o, std::index_sequence<I...>) {
    (merge_into(std::get<I>(arrays), std::get<I>(o.arrays)), ...);
  }
  template <class R>
  static void merge_into(std::vector<R>& a, const std::vector<R>& b) {
    if constexpr (R::mergeable)
      for (std::size_t i = 0; i < b.size(); ++i) a[i] += b[i];
  }
};

/// Stage 1 (across time) in the general case: rows of one (indicator, entity, period) combine by
/// the indicator's time rule into one row. Returns the combined table.
observation_table combine_in_time(const plan& p, const observation_view& obs, const std::vector<std::uint32_t>& slot,
                                  std::size_t& combined) {
  const std::size_t n = obs.size();
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    if (obs.indicator[a] != obs.indicator[b]) return obs.indicator[a] < obs.indicator[b];
    if (obs.entity[a] != obs.entity[b]) return obs.entity[a] < obs.entity[b];
    if (slot[a] != slot[b]) return slot[a] < slot[b];
    if (obs.end[a] != obs.end[b]) return obs.end[a] < obs.end[b];
    return a < b;
  });
  observation_table out;
  out.reserve(n);
  if (obs.has_weight()) out.weight.reserve(n);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    const auto a = order[i];
    while (j < n && obs.indicator[order[j]] == obs.indicator[a] && obs.entity[order[j]] == obs.entity[a] &&
           slot[order[j]] == slot[a])
      ++j;
    const indicator& ind = p.indicators()[obs.indicator[a]];
    // the rows order[i..j) share a key; combine their present values
    double acc = 0, days = 0;
    std::size_t present = 0;
    double lastw = obs.has_weight() ? obs.weight[order[j - 1]] : 0;
    day_number first_start = obs.start[a], last_end = obs.end[order[j - 1]];
    for (std::size_t k = i; k < j; ++k) {
      const auto r = order[k];
      if (obs.is_missing(r)) continue;
      const double x = obs.value[r];
      switch (ind.across_time) {
      case time_rule::sum:
      case time_rule::mean: acc += x; break;
      case time_rule::mean_days: {
        const double d = static_cast<double>(obs.end[r] - obs.start[r] + 1);
        acc += x * d;
        days += d;
        break;
      }
      case time_rule::min: acc = present ? (std::min)(acc, x) : x; break;
      case time_rule::max: acc = present ? (std::max)(acc, x) : x; break;
      case time_rule::first:
        if (!present) acc = x; // rows are sorted by end day: the first present row
        break;
      default: acc = x; break; // last (the default for stocks): rows are in date order
      }
      ++present;
    }
    if (ind.across_time == time_rule::mean && present) acc /= static_cast<double>(present);
    if (ind.across_time == time_rule::mean_days && days > 0) acc /= days;
    std::uint8_t f = present ? 0 : flags::missing;
    out.push_back(obs.indicator[a], obs.entity[a], first_start, last_end, present ? acc : 0.0, f);
    if (obs.has_weight()) out.weight.push_back(lastw);
    combined += j - i - 1;
    i = j;
  }
  return out;
}

/// Run `work(t, begin, end)` over `rows` split into `threads` slices; rethrows a worker's error.
template <class Work>
void parallel_rows(std::size_t rows, unsigned threads, Work work) {
  if (threads <= 1) {
    work(0u, std::size_t{0}, rows);
    return;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(threads);
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      try {
        work(t, rows * t / threads, rows * (t + 1) / threads);
      } catch (...) {
        errors[t] = std::current_exception();
      }
    });
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

/// Threads for `rows` rows: `wanted` (0: every core) but no more than one per `min_rows` rows.
unsigned thread_count(unsigned wanted, std::size_t rows, std::size_t min_rows) {
  if (wanted == 0) wanted = std::max(1u, std::thread::hardware_concurrency());
  min_rows = std::max<std::size_t>(1, min_rows);
  return std::max(1u, std::min<unsigned>(wanted, static_cast<unsigned>((rows + min_rows - 1) / min_rows)));
}

[[noreturn, gnu::cold, gnu::noinline]] void throw_row_range(const observation_view& obs, std::size_t i, day_number lo,
                                                            day_number hi) {
  if (obs.end[i] < lo || obs.end[i] > hi)
    throw data_error("roll-up: row " + std::to_string(i) + " ends on " + format_date(from_day_number(obs.end[i])) +
                     ", outside the data window of the plan (" + format_date(from_day_number(lo)) + ".." +
                     format_date(from_day_number(hi)) + ")");
  throw data_error("roll-up: row " + std::to_string(i) + " has an indicator or entity index out of range");
}

/// Throws data_error unless row i's indices and end day are in range (all loops that index arrays
/// by a row's indicator, entity or day call this first: a cheap, well-predicted test, with the
/// message built out of line).
inline void check_row_range(const observation_view& obs, std::size_t i, std::size_t n_ind, std::size_t n_ent,
                            day_number lo, day_number hi) {
  if (obs.indicator[i] >= n_ind || obs.entity[i] >= n_ent || obs.end[i] < lo || obs.end[i] > hi) [[unlikely]]
    throw_row_range(obs, i, lo, hi);
}

/// check_row_range for rows [b, e): a branch-free loop the compiler vectorises; the first bad row,
/// if any, is found again to throw its message.
inline void check_rows(const observation_view& obs, std::size_t b, std::size_t e, std::size_t n_ind, std::size_t n_ent,
                       day_number lo, day_number hi) {
  const std::uint32_t* ind = obs.indicator.data();
  const std::uint32_t* ent = obs.entity.data();
  const day_number* end = obs.end.data();
  const auto ni = static_cast<std::uint32_t>(std::min<std::size_t>(n_ind, 0xFFFFFFFFu));
  const auto ne = static_cast<std::uint32_t>(std::min<std::size_t>(n_ent, 0xFFFFFFFFu));
  const auto span = static_cast<std::uint32_t>(hi - lo);
  std::uint32_t bad = 0;
  for (std::size_t i = b; i < e; ++i)
    bad |= static_cast<std::uint32_t>(ind[i] >= ni) | static_cast<std::uint32_t>(ent[i] >= ne) |
           static_cast<std::uint32_t>(static_cast<std::uint32_t>(end[i]) - static_cast<std::uint32_t>(lo) > span);
  if (bad) [[unlikely]]
    for (std::size_t i = b; i < e; ++i) check_row_range(obs, i, n_ind, n_ent, lo, hi);
}

/// Everything both roll-ups need: the level's groups, stages, period slots, and the rows after
/// the first stage (across time).
struct prepared {
  std::vector<std::uint32_t> group_of; ///< entity -> dense group index (npos32: outside the level)
  std::vector<std::uint32_t> groups;   ///< dense group index -> entity
  std::vector<std::uint8_t> stage_of;  ///< entity -> 1 + stage, 0 for none (only with by_stage)
  std::size_t n_st = 1;
  std::vector<period> slots;
  std::vector<std::uint32_t> slot_of_day; ///< (end day - lo) -> period slot
  day_number lo = 0, hi = 0;
  observation_table combined; ///< rows after combining in time, when that was needed
  observation_view obs;       ///< the rows to aggregate
  bool own_rows = false;      ///< obs is `combined`, not the input
  std::size_t rows_combined = 0;

  /// The period slot of row i of `obs` (a lookup in a table of a few thousand days: no per-row
  /// date arithmetic and no per-row array to allocate).
  std::uint32_t slot(std::size_t i) const noexcept { return slot_of_day[static_cast<std::size_t>(obs.end[i] - lo)]; }
};

/// Dense group index of every entity at the level given by a kind or a depth.
void map_level(const entity_tree& tree, std::optional<entity_kind> kind, std::size_t depth,
               std::vector<std::uint32_t>& group_of, std::vector<std::uint32_t>& groups) {
  const std::size_t n_ent = tree.size();
  group_of.assign(n_ent, npos32);
  groups.clear();
  std::vector<std::uint32_t> dense(n_ent, npos32);
  if (!kind && depth >= tree.levels() && n_ent > 0)
    throw error("roll-up level: depth " + std::to_string(depth) + " is below the deepest level (" +
                std::to_string(tree.levels() - 1) + ")");
  for (std::uint32_t e = 0; e < n_ent; ++e) {
    std::uint32_t g = npos32;
    if (kind) {
      if (auto a = tree.ancestor_of_kind(e, *kind)) g = *a;
    } else {
      g = tree.ancestor_at_depth(e, depth);
    }
    if (g == npos32) continue;
    if (dense[g] == npos32) {
      dense[g] = static_cast<std::uint32_t>(groups.size());
      groups.push_back(g);
    }
    group_of[e] = dense[g];
  }
}

/// The days a roll-up lays its periods over: the plan's own window (the earliest baseline's year,
/// or the horizon start, to the horizon end), reaching back to the year of the earliest row when
/// the data hold history before it. data_window() itself is open at the start (any history is
/// accepted), but periods from 1900 would multiply the states by the number of empty years.
/// The pass over the rows' start days is branch-free (the compiler vectorises it) and split over
/// `threads` (as many as the options of the roll-up ask, one per min_rows rows at most); rollup()
/// makes it once for all its requests.
period rollup_window(const plan& p, const observation_view& obs, unsigned threads = 1,
                     std::size_t min_rows = 100000) {
  const period open = data_window(p);
  date lo = p.horizon().start;
  for (const auto& t : p.targets())
    if (t.baseline) lo = (std::min)(lo, date(t.baseline->date.year(), 1, 1));
  lo = date(lo.year(), 1, 1);
  const day_number floor = to_day_number(open.start);
  // the earliest start on or after the floor (the data window's open start), per slice of rows
  const unsigned n_threads = thread_count(threads, obs.size(), min_rows);
  std::vector<day_number> earliest(n_threads, to_day_number(lo));
  parallel_rows(obs.size(), n_threads, [&](unsigned t, std::size_t b, std::size_t e) {
    const day_number* start = obs.start.data();
    day_number first = earliest[t];
    constexpr day_number none = std::numeric_limits<day_number>::max();
    for (std::size_t i = b; i < e; ++i) first = (std::min)(first, start[i] >= floor ? start[i] : none);
    earliest[t] = first;
  });
  const date d = from_day_number(*std::min_element(earliest.begin(), earliest.end()));
  return {date(d.year(), 1, 1), open.end, period_kind::custom};
}

/// The periods laid over a roll-up window: its calendar years, its school years, or the window
/// itself (custom).
std::vector<period> period_slots(const period& window, period_kind kind) {
  std::vector<period> slots;
  if (kind == period_kind::calendar_year) {
    for (int y = window.start.year(); y <= window.end.year(); ++y) slots.push_back(period::calendar_year(y));
  } else if (kind == period_kind::school_year) {
    const int y0 = school_year_of(window.start).start.year(), y1 = school_year_of(window.end).start.year();
    for (int y = y0; y <= y1; ++y) slots.push_back(period::school_year(y));
  } else {
    slots.push_back(window);
  }
  return slots;
}

/// `window`: rollup_window(p, obs_in), when the caller has it already (a batch of requests).
prepared prepare(const plan& p, const observation_view& obs_in, const rollup_options& opt,
                 const period* window_known = nullptr) {
  const auto& tree = p.entities();
  const std::size_t n_ent = tree.size();
  const std::size_t n_ind = p.indicators().size();
  prepared pr;
  map_level(tree, opt.kind, opt.depth, pr.group_of, pr.groups);
  // the stage of each entity (its own, else its nearest ancestor's)
  pr.n_st = opt.by_stage ? 5 : 1;
  pr.stage_of.assign(n_ent, 0);
  if (opt.by_stage)
    for (std::uint32_t e = 0; e < n_ent; ++e)
      for (auto a = e; a != entity_tree::npos; a = tree.parent(a))
        if (tree[a].stage) {
          pr.stage_of[e] = static_cast<std::uint8_t>(static_cast<int>(*tree[a].stage) + 1);
          break;
        }

  // periods: a lookup from day to period slot over the window of the plan and its data
  const period window =
      window_known ? *window_known : rollup_window(p, obs_in, opt.threads, opt.min_rows_per_thread);
  const day_number lo = to_day_number(window.start), hi = to_day_number(window.end);
  pr.slots = period_slots(window, opt.period);
  const std::size_t n_slots = pr.slots.size();
  pr.lo = lo;
  pr.hi = hi;
  pr.slot_of_day.resize(static_cast<std::size_t>(hi - lo + 1));
  {
    std::size_t s = 0;
    for (day_number d = lo; d <= hi; ++d) {
      while (to_day_number(pr.slots[s].end) < d) ++s;
      pr.slot_of_day[static_cast<std::size_t>(d - lo)] = static_cast<std::uint32_t>(s);
    }
  }

  pr.obs = obs_in;
  // Checked yearly data (see observation_view::yearly_unique) has one row per indicator, entity
  // and calendar year, hence per calendar or school year: nothing to combine, no pass needed.
  if (obs_in.yearly_unique && opt.period != period_kind::custom) return pr;

  // One pass over the rows (in slices, one per thread): range checks, and whether every
  // (indicator, entity, period) has a single row, so that the first stage can be skipped. Each
  // slice marks its keys in a bitmap of its own; a key marked twice in one slice, or in two
  // slices, is a repeat.
  const std::size_t n = obs_in.size();
  const std::uint64_t bits = std::uint64_t{n_ind} * n_ent * n_slots;
  const bool bitmap_ok = bits <= (std::uint64_t{1} << 33);
  const unsigned threads = thread_count(opt.threads, n, opt.min_rows_per_thread);
  std::vector<std::vector<std::uint64_t>> seen(threads);
  std::vector<std::uint8_t> repeat(threads, 0);
  parallel_rows(n, threads, [&](unsigned t, std::size_t b, std::size_t e) {
    if (bitmap_ok) seen[t].assign((bits + 63) / 64, 0);
    bool rep = !bitmap_ok;
    for (std::size_t i = b; i < e; ++i) {
      check_row_range(obs_in, i, n_ind, n_ent, lo, hi);
      if (rep) continue;
      const std::uint64_t key = (std::uint64_t{obs_in.entity[i]} * n_ind + obs_in.indicator[i]) * n_slots +
                                pr.slot_of_day[static_cast<std::size_t>(obs_in.end[i] - lo)];
      std::uint64_t& word = seen[t][key >> 6];
      const std::uint64_t mask = std::uint64_t{1} << (key & 63);
      rep = (word & mask) != 0;
      word |= mask;
    }
    repeat[t] = rep ? 1 : 0;
  });
  bool unique = std::none_of(repeat.begin(), repeat.end(), [](std::uint8_t r) { return r != 0; });
  for (unsigned t = 1; t < threads && unique; ++t)
    for (std::size_t w = 0; w < seen[0].size() && unique; ++w) {
      unique = (seen[0][w] & seen[t][w]) == 0;
      seen[0][w] |= seen[t][w];
    }
  if (!unique) {
    std::vector<std::uint32_t> slot(n);
    for (std::size_t i = 0; i < n; ++i) slot[i] = pr.slot_of_day[static_cast<std::size_t>(obs_in.end[i] - lo)];
    pr.combined = combine_in_time(p, obs_in, slot, pr.rows_combined);
    pr.obs = pr.combined.view();
    pr.own_rows = true;
  }
  return pr;
}

} // namespace

namespace {

/// One roll-up request: its indicators and rules, its level and periods, its states per thread.
class request {
public:
  /// `window`: rollup_window of the rows, if the caller has it (see prepare).
  request(const plan& p, const observation_view& obs_in, const rollup_options& opt, const period* window = nullptr)
      : p_(p), opt_(opt) {
    const std::size_t n_ind = p.indicators().size();
    // which indicators, by which rule
    pos_of_.assign(n_ind, -1);
    if (opt.indicators.empty()) {
      selected_.resize(n_ind);
      std::iota(selected_.begin(), selected_.end(), 0u);
    } else {
      for (auto i : opt.indicators) {
        if (i >= n_ind) throw error("roll-up: indicator index " + std::to_string(i) + " out of range");
        if (pos_of_[i] < 0) {
          pos_of_[i] = 0;
          selected_.push_back(i);
        }
      }
    }
    if (!rollup_supports(opt.rule))
      throw error("roll-up: rule \"" + std::string(to_string(opt.rule)) +
                  "\" cannot combine entities; expected one of " + capable_names());
    rule_of_pos_.resize(selected_.size());
    for (std::size_t k = 0; k < selected_.size(); ++k) {
      pos_of_[selected_[k]] = static_cast<std::int32_t>(k);
      rule_of_pos_[k] = opt.rule == rollup_rule::indicator ? default_rule(p.indicators()[selected_[k]]) : opt.rule;
    }
    pr_ = prepare(p, obs_in, opt, window);
    n_pos_ = selected_.size();
    n_slots_ = pr_.slots.size();
    // stage slots: only the stage codes (1 + stage, 0 for none) that entities of the level have
    slot_of_code_.assign(pr_.n_st, 0);
    if (pr_.n_st > 1) {
      std::vector<std::uint8_t> used(pr_.n_st, 0);
      for (std::size_t e = 0; e < pr_.group_of.size(); ++e)
        if (pr_.group_of[e] != npos32) used[pr_.stage_of[e]] = 1;
      for (std::uint8_t c = 0; c < pr_.n_st; ++c)
        if (used[c]) {
          slot_of_code_[c] = static_cast<std::uint8_t>(code_of_slot_.size());
          code_of_slot_.push_back(c);
        }
    }
    if (code_of_slot_.empty()) code_of_slot_.push_back(0);
    n_st_ = code_of_slot_.size();
    // cell_of(pos, g, st, s) = ent_base_[entity] + ind_off[indicator] + s: two lookups per row.
    // One ind_off per rule in use (-1 for the indicators of other rules), so each rule's loop is
    // compiled for its type and skips the rows of the others.
    for (std::size_t k = 0; k < n_pos_; ++k) {
      auto it = std::find_if(kinds_.begin(), kinds_.end(), [&](const kind_rows& g) { return g.kind == rule_of_pos_[k]; });
      if (it == kinds_.end()) {
        kinds_.push_back({rule_of_pos_[k], std::vector<std::int64_t>(n_ind, -1)});
        it = kinds_.end() - 1;
      }
      it->ind_off[selected_[k]] = static_cast<std::int64_t>(cell_of(k, 0, 0, 0));
    }
    ent_base_.assign(pr_.group_of.size(), -1);
    for (std::size_t e = 0; e < pr_.group_of.size(); ++e)
      if (pr_.group_of[e] != npos32)
        ent_base_[e] = static_cast<std::int64_t>(cell_of(0, pr_.group_of[e], slot_of_code_[pr_.stage_of[e]], 0));
  }

  /// True if the rows had to be combined in time first (the request then reads its own rows).
  bool own_rows() const noexcept { return pr_.own_rows; }
  const observation_view& rows() const noexcept { return pr_.obs; }
  /// The threads wanted (0 in the options: every core).
  unsigned threads() const noexcept {
    return opt_.threads ? opt_.threads : std::max(1u, std::thread::hardware_concurrency());
  }
  std::size_t min_rows_per_thread() const noexcept { return opt_.min_rows_per_thread; }

  /// Fresh states for `n_groups` groups: one array per rule in use, every cell the rule's empty
  /// state with the request's missing policy.
  states make_states(std::size_t n_groups) const {
    states st;
    rules::rule_params params;
    params.missing = opt_.missing;
    const std::size_t n = n_pos_ * n_groups * n_st_ * n_slots_;
    for (const auto& g : kinds_)
      rules::visit_kind(g.kind, [&](auto k) {
        constexpr rollup_rule K = decltype(k)::value;
        if constexpr (capable<K>) st.of<K>().assign(n, rules::make_rule<K>(params));
      });
    return st;
  }
  states make_states() const { return make_states(pr_.groups.size()); }

  /// Cells are group-major: the rows of one school (one group) touch one small block of states.
  std::size_t cell_of(std::size_t pos, std::size_t g, std::size_t st, std::size_t s) const noexcept {
    return ((g * n_pos_ + pos) * n_st_ + st) * n_slots_ + s;
  }

  /// Observe rows [b, e) (already range-checked), adding to `used` and `outside` (rows whose entity
  /// is outside the level). One loop per rule in use, compiled for the rule's type (no per-row
  /// switch or virtual call; offsets from two lookups, the request's fields in locals); a loop skips
  /// the rows of the other rules' indicators. The rows are a block small enough to stay in cache.
  void observe_rows(const observation_view& obs, std::size_t b, std::size_t e, states& st, std::size_t& used,
                    std::size_t& outside) const {
    for (const auto& g : kinds_)
      rules::visit_kind(g.kind, [&](auto k) {
        constexpr rollup_rule K = decltype(k)::value;
        if constexpr (capable<K>)
          rows_of<rules::info(K).weighted>(obs, b, e, g.ind_off.data(), st.of<K>(), used, outside);
      });
  }

  /// The results from the merged states of the level, and of each coarser level.
  void results(const states& merged, rollup_result& res) const {
    res.rows_combined_in_time = pr_.rows_combined;
    emit(merged, pr_.groups, res);
    const std::size_t n_groups = pr_.groups.size();
    for (auto kind : opt_.also) {
      // each group of the main level goes to its ancestor of `kind`; states merge exactly
      std::vector<std::uint32_t> coarse_of(n_groups, npos32), coarse;
      std::vector<std::uint32_t> dense(p_.entities().size(), npos32);
      for (std::size_t g = 0; g < n_groups; ++g) {
        auto a = p_.entities().ancestor_of_kind(pr_.groups[g], kind);
        if (!a)
          throw error("roll-up: level \"" + std::string(to_string(kind)) + "\" is not above \"" +
                      p_.entities()[pr_.groups[g]].id + "\"");
        if (dense[*a] == npos32) {
          dense[*a] = static_cast<std::uint32_t>(coarse.size());
          coarse.push_back(*a);
        }
        coarse_of[g] = dense[*a];
      }
      states cs = make_states(coarse.size());
      for (std::size_t pos = 0; pos < n_pos_; ++pos)
        rules::visit_kind(rule_of_pos_[pos], [&](auto k) {
          constexpr rollup_rule K = decltype(k)::value;
          if constexpr (capable<K>) {
            auto& to = cs.of<K>();
            const auto& from = merged.of<K>();
            for (std::size_t g = 0; g < n_groups; ++g)
              for (std::size_t s2 = 0; s2 < n_st_; ++s2)
                for (std::size_t s = 0; s < n_slots_; ++s)
                  to[cell_of(pos, coarse_of[g], s2, s)] += from[cell_of(pos, g, s2, s)];
          }
        });
      emit(cs, coarse, res);
    }
  }

private:
  template <bool Weighted, class Rule>
  void rows_of(const observation_view& obs, std::size_t b, std::size_t e, const std::int64_t* ind_off,
               std::vector<Rule>& st, std::size_t& used, std::size_t& outside) const {
    const std::int64_t* ent_base = ent_base_.data();
    const std::uint32_t* slot_of_day = pr_.slot_of_day.data();
    const day_number lo = pr_.lo;
    const std::uint32_t* ind = obs.indicator.data();
    const std::uint32_t* ent = obs.entity.data();
    const day_number* end = obs.end.data();
    const double* x = obs.value.data();
    const double* w = Weighted ? obs.weight.data() : nullptr;
    const std::uint8_t* fl = obs.flags.empty() ? nullptr : obs.flags.data();
    Rule* cells = st.data();
    std::size_t u = 0, out = 0;
    for (std::size_t i = b; i < e; ++i) {
      const std::int64_t io = ind_off[ind[i]];
      if (io < 0) continue;
      const std::int64_t eb = ent_base[ent[i]];
      if (eb < 0) {
        ++out;
        continue;
      }
      Rule& r = cells[eb + io + slot_of_day[end[i] - lo]];
      const bool m = fl && (fl[i] & flags::missing);
      if constexpr (Weighted) {
        if (m)
          r.missing(w[i]);
        else
          r(x[i], w[i]);
      } else {
        if (m)
          r.missing();
        else
          r(x[i]);
      }
      ++u;
    }
    used += u;
    outside += out;
  }

  /// What emit reads of a cell.
  struct summary {
    std::optional<double> value;
    std::uint64_t present, missing;
  };
  /// Calls f(cell index in `groups` order, summary) for every cell of position `pos` (the rule's
  /// type chosen once for the position, not per cell); WithValue false leaves the value out (counting
  /// the cells with data need not compute it).
  template <bool WithValue = true, class F>
  void each_cell(const states& st, std::size_t pos, std::size_t n_groups, F f) const {
    rules::visit_kind(rule_of_pos_[pos], [&](auto k) {
      constexpr rollup_rule K = decltype(k)::value;
      if constexpr (capable<K>) {
        const auto& cells = st.of<K>();
        for (std::size_t g = 0; g < n_groups; ++g)
          for (std::size_t s2 = 0; s2 < n_st_; ++s2)
            for (std::size_t s = 0; s < n_slots_; ++s) {
              const auto& r = cells[cell_of(pos, g, s2, s)];
              f(g, s2, s,
                summary{WithValue ? r.value() : std::optional<double>{}, r.count(), r.missing_count()});
            }
      }
    });
  }

  void emit(const states& st, const std::vector<std::uint32_t>& groups, rollup_result& res) const {
    std::size_t cells = 0;
    for (std::size_t pos = 0; pos < n_pos_; ++pos)
      each_cell</*WithValue=*/false>(st, pos, groups.size(),
                                     [&](std::size_t, std::size_t, std::size_t, const summary& sm) {
                                       cells += sm.present + sm.missing > 0 ? 1 : 0;
                                     });
    const std::size_t n = res.size() + cells;
    res.indicator.reserve(n);
    res.entity.reserve(n);
    res.stage.reserve(n);
    res.start.reserve(n);
    res.end.reserve(n);
    res.value.reserve(n);
    res.defined.reserve(n);
    res.units.reserve(n);
    res.missing_units.reserve(n);
    res.rule.reserve(n);
    for (std::size_t pos = 0; pos < n_pos_; ++pos)
      each_cell(st, pos, groups.size(), [&](std::size_t g, std::size_t s2, std::size_t s, const summary& sm) {
        if (sm.present + sm.missing == 0) return;
        res.indicator.push_back(selected_[pos]);
        res.entity.push_back(groups[g]);
        res.stage.push_back(opt_.by_stage ? static_cast<std::int8_t>(static_cast<int>(code_of_slot_[s2]) - 1)
                                          : std::int8_t{-1});
        res.start.push_back(to_day_number(pr_.slots[s].start));
        res.end.push_back(to_day_number(pr_.slots[s].end));
        res.value.push_back(sm.value.value_or(0.0));
        res.defined.push_back(sm.value ? 1 : 0);
        res.units.push_back(sm.present);
        res.missing_units.push_back(sm.missing);
        res.rule.push_back(rule_of_pos_[pos]);
      });
  }

  const plan& p_;
  const rollup_options& opt_;
  std::vector<std::int32_t> pos_of_;
  std::vector<std::uint32_t> selected_;
  std::vector<rollup_rule> rule_of_pos_;
  /// A rule in use and its indicators: indicator -> offset of its cells, -1 if not requested or
  /// of another rule.
  struct kind_rows {
    rollup_rule kind;
    std::vector<std::int64_t> ind_off;
  };
  std::vector<kind_rows> kinds_;
  std::vector<std::int64_t> ent_base_;     ///< entity -> first cell of its group and stage, -1 outside the level
  std::vector<std::uint8_t> slot_of_code_; ///< stage code (1 + stage, 0 none) -> stage slot of the cells
  std::vector<std::uint8_t> code_of_slot_; ///< stage slot -> stage code
  prepared pr_;
  std::size_t n_pos_ = 0, n_st_ = 1, n_slots_ = 1;
};

/// One pass over `obs` (in slices, one per thread) feeding every request in `reqs`.
void run_pass(const plan& p, const observation_view& obs, const std::vector<const request*>& reqs, unsigned wanted,
              std::size_t min_rows, std::vector<rollup_result*>& out) {
  const std::size_t n_ind = p.indicators().size(), n_ent = p.entities().size();
  const period window = data_window(p);
  const day_number lo = to_day_number(window.start), hi = to_day_number(window.end);
  const std::size_t rows = obs.size(), nq = reqs.size();
  const unsigned threads = thread_count(wanted, rows, min_rows);
  std::vector<std::vector<states>> partial(threads);
  std::vector<std::size_t> used(threads * nq, 0), outside(threads * nq, 0);
  parallel_rows(rows, threads, [&](unsigned t, std::size_t b, std::size_t e) {
    auto& st = partial[t];
    for (const auto* q : reqs) st.push_back(q->make_states());
    // counters local to the thread (shared ones would bounce a cache line between cores per row)
    std::vector<std::size_t> u(nq, 0), beyond(nq, 0);
    // blocks of rows small enough to stay in cache while every request reads them
    constexpr std::size_t block = 8192;
    for (std::size_t i0 = b; i0 < e; i0 += block) {
      const std::size_t i1 = std::min(e, i0 + block);
      check_rows(obs, i0, i1, n_ind, n_ent, lo, hi);
      for (std::size_t q = 0; q < nq; ++q) reqs[q]->observe_rows(obs, i0, i1, st[q], u[q], beyond[q]);
    }
    for (std::size_t q = 0; q < nq; ++q) {
      used[t * nq + q] = u[q];
      outside[t * nq + q] = beyond[q];
    }
  });
  for (std::size_t q = 0; q < nq; ++q) {
    for (unsigned t = 1; t < threads; ++t) partial[0][q].merge(partial[t][q]);
    for (unsigned t = 0; t < threads; ++t) {
      out[q]->rows_used += used[t * nq + q];
      out[q]->rows_outside_level += outside[t * nq + q];
    }
    reqs[q]->results(partial[0][q], *out[q]);
  }
}

} // namespace

definition_weights weights_by_definition(const plan& p, const observation_view& obs,
                                         std::span<const std::uint8_t> need) {
  const auto& inds = p.indicators();
  const auto& ents = p.entities();
  const std::size_t n_ind = inds.size();
  if (need.size() != n_ind) throw error("weights_by_definition: expected one flag per indicator of the plan");
  // denominators: the indicator each needing indicator is weighed by (npos32: students or units)
  std::vector<std::uint32_t> by(n_ind, npos32);
  std::vector<std::uint8_t> is_denominator(n_ind, 0);
  for (std::size_t k = 0; k < n_ind; ++k) {
    const auto& w = inds[k].weight_by;
    if (!need[k] || w.empty() || w == "students" || w == "units") continue;
    const auto d = p.find_indicator(w);
    if (!d) throw error("indicator \"" + inds[k].id + "\" is weighed by unknown indicator \"" + w + "\"");
    by[k] = *d;
    is_denominator[*d] = 1;
  }
  // the rows of the denominators, by (indicator, entity, start, end)
  struct key_hash {
    std::size_t operator()(const std::array<std::uint64_t, 2>& k) const noexcept {
      return std::hash<std::uint64_t>{}(k[0] * 0x9E3779B97F4A7C15ull ^ k[1]);
    }
  };
  const auto key = [&](std::uint32_t ind, std::size_t i) {
    return std::array<std::uint64_t, 2>{(std::uint64_t{ind} << 32) | obs.entity[i],
                                        (static_cast<std::uint64_t>(static_cast<std::uint32_t>(obs.start[i])) << 32) |
                                            static_cast<std::uint32_t>(obs.end[i])};
  };
  std::unordered_map<std::array<std::uint64_t, 2>, std::size_t, key_hash> denominator_row;
  if (std::find(is_denominator.begin(), is_denominator.end(), 1) != is_denominator.end())
    for (std::size_t i = 0; i < obs.size(); ++i)
      if (obs.indicator[i] < n_ind && is_denominator[obs.indicator[i]]) denominator_row.emplace(key(obs.indicator[i], i), i);
  definition_weights out;
  out.weight.assign(obs.size(), 1.0);
  for (std::size_t i = 0; i < obs.size(); ++i) {
    const std::uint32_t k = obs.indicator[i];
    if (k >= n_ind || !need[k] || obs.entity[i] >= ents.size()) continue; // range errors are the roll-up's
    if (inds[k].weight_by == "units") continue;
    if (by[k] == npos32) {
      if (const auto& students = ents[obs.entity[i]].students)
        out.weight[i] = *students;
      else
        out.assumed.push_back(i);
      continue;
    }
    const auto it = denominator_row.find(key(by[k], i));
    if (it == denominator_row.end() || obs.is_missing(it->second))
      out.assumed.push_back(i);
    else
      out.weight[i] = obs.value[it->second];
  }
  return out;
}

std::vector<rollup_result> rollup(const plan& p, const observation_view& obs, std::span<const rollup_options> options) {
  require_plan(p, obs, "rollup");
  if (!obs.derived) {
    // derived indicators requested: compute their rows first (derived.hpp), once for all requests
    std::vector<std::uint32_t> wanted;
    bool all = false;
    for (const auto& o : options) {
      all = all || o.indicators.empty();
      wanted.insert(wanted.end(), o.indicators.begin(), o.indicators.end());
    }
    if (all) wanted.clear();
    if (needs_derive(p, wanted)) {
      // only derived indicators requested: their rows alone are read (no copy of the inputs)
      const bool only_derived = !all && std::all_of(wanted.begin(), wanted.end(), [&](std::uint32_t i) {
        return i < p.indicators().size() && p.indicators()[i].is_derived();
      });
      const auto d = derive(p, obs, wanted, !only_derived, /*keep_sides=*/false);
      return rollup(p, d.table.view(), options);
    }
  }
  if (!obs.has_weight() && obs.size() > 0) {
    // the rules needing weights, per indicator; rows weighed as their indicators' definitions say
    const std::size_t n_ind = p.indicators().size();
    std::vector<std::uint8_t> need(n_ind, 0);
    for (const auto& o : options)
      for (std::size_t k = 0; k < n_ind; ++k)
        if (o.indicators.empty() || std::find(o.indicators.begin(), o.indicators.end(), k) != o.indicators.end())
          if (needs_weight(o.rule == rollup_rule::indicator ? default_rule(p.indicators()[k]) : o.rule)) need[k] = 1;
    bool any = false;
    for (std::size_t i = 0; i < obs.size() && !any; ++i) any = obs.indicator[i] < n_ind && need[obs.indicator[i]];
    if (any) {
      const definition_weights w = weights_by_definition(p, obs, need);
      observation_view weighed = obs;
      weighed.weight = w.weight;
      auto res = rollup(p, weighed, options);
      if (!w.assumed.empty()) {
        std::vector<std::uint32_t> ents;
        for (auto i : w.assumed) ents.push_back(obs.entity[i]);
        std::sort(ents.begin(), ents.end());
        ents.erase(std::unique(ents.begin(), ents.end()), ents.end());
        for (auto& r : res) r.weight_assumed_entities = ents;
      }
      return res;
    }
  }
  // the window over the rows' days, one pass for all requests (as many threads as any asks)
  unsigned window_threads = 1;
  std::size_t window_min_rows = static_cast<std::size_t>(-1);
  for (const auto& o : options) {
    window_threads = o.threads == 0 ? 0 : (window_threads == 0 ? 0 : std::max(window_threads, o.threads));
    window_min_rows = std::min(window_min_rows, o.min_rows_per_thread);
  }
  const period window = rollup_window(p, obs, window_threads, window_min_rows);
  std::vector<request> reqs;
  reqs.reserve(options.size());
  for (const auto& o : options) reqs.emplace_back(p, obs, o, &window);
  std::vector<rollup_result> res(options.size());
  // requests reading the input rows as they are share one pass; the others read their own
  std::vector<const request*> shared;
  std::vector<rollup_result*> shared_out;
  unsigned threads = 1;
  std::size_t min_rows = static_cast<std::size_t>(-1);
  for (std::size_t q = 0; q < reqs.size(); ++q) {
    if (reqs[q].own_rows()) {
      std::vector<const request*> one{&reqs[q]};
      std::vector<rollup_result*> one_out{&res[q]};
      run_pass(p, reqs[q].rows(), one, reqs[q].threads(), reqs[q].min_rows_per_thread(), one_out);
    } else {
      shared.push_back(&reqs[q]);
      shared_out.push_back(&res[q]);
      threads = std::max(threads, reqs[q].threads());
      min_rows = std::min(min_rows, reqs[q].min_rows_per_thread());
    }
  }
  if (!shared.empty()) run_pass(p, obs, shared, threads, min_rows, shared_out);
  return res;
}

rollup_result rollup(const plan& p, const observation_view& obs, const rollup_options& options) {
  return std::move(rollup(p, obs, std::span<const rollup_options>(&options, 1)).front());
}

namespace {

/// A k-of-n spec checked against the plan: each indicator's criterion position, and the rule of
/// each stage code (1 + stage; none: units of that stage are not judged).
struct k_of_n_judges {
  std::vector<std::int32_t> pos_of;                ///< indicator -> criterion position, -1 if not in the spec
  std::vector<std::optional<rules::k_of_n>> judge; ///< stage code -> its rule
};

k_of_n_judges check_k_of_n(const plan& p, const k_of_n_spec& spec) {
  const std::size_t n_ind = p.indicators().size();
  const std::size_t m = spec.indicators.size();
  k_of_n_judges j;
  j.pos_of.assign(n_ind, -1);
  for (std::size_t k = 0; k < m; ++k) {
    if (spec.indicators[k] >= n_ind) throw error("k-of-n: indicator index out of range");
    if (j.pos_of[spec.indicators[k]] >= 0) throw error("k-of-n: an indicator is listed twice");
    j.pos_of[spec.indicators[k]] = static_cast<std::int32_t>(k);
  }
  // one rule per stage (the rules check criteria, k and floor)
  j.judge.resize(5);
  for (const auto& [st, crit] : spec.criteria) {
    if (crit.size() != m)
      throw error("k-of-n: stage " + std::string(to_string(st)) + " has " + std::to_string(crit.size()) +
                  " criteria, expected " + std::to_string(m) + " (one per indicator)");
    j.judge[static_cast<std::size_t>(st) + 1].emplace(crit, spec.k, spec.floor);
  }
  return j;
}

/// The units of a k-of-n roll-up judged and counted per cell: (group * n_st + stage slot) * periods
/// + period, the stage slot being the stage code (1 + stage, 0 none) with by_stage, else 0.
struct k_of_n_counts {
  std::vector<std::uint32_t> groups; ///< dense group index -> entity
  std::vector<period> slots;         ///< the periods
  std::size_t n_st = 1;              ///< 5 with by_stage, else 1
  day_number window_start = 0;       ///< first day of the roll-up window
  std::vector<std::uint64_t> units, passed, incomplete;
  /// Only when asked for: the entity of each unit, and per (unit * periods + period) 1 if the unit
  /// was judged in that period.
  std::vector<std::uint32_t> entity_of;
  std::vector<std::uint8_t> judged;
};

/// Judge every unit and count per cell (rollup_k_of_n without the result rows).
k_of_n_counts count_k_of_n(const plan& p, const observation_view& obs_in, const rollup_options& opt,
                           const k_of_n_spec& spec, bool want_judged) {
  require_plan(p, obs_in, "rollup_k_of_n");
  if (!obs_in.derived && needs_derive(p, spec.indicators)) {
    const auto d = derive(p, obs_in, spec.indicators, true, /*keep_sides=*/false);
    return count_k_of_n(p, d.table.view(), opt, spec, want_judged);
  }
  const k_of_n_judges checked = check_k_of_n(p, spec);
  const auto& judge = checked.judge;
  const std::size_t n_ind = p.indicators().size();
  const std::size_t m = spec.indicators.size();
  rollup_options o = opt;
  const bool split = o.by_stage;
  o.by_stage = true; // stages are needed to choose the criteria
  const prepared pr = prepare(p, obs_in, o);
  const observation_view& obs = pr.obs;
  const std::size_t n_ent = p.entities().size(), n_slots = pr.slots.size();

  // the units: entities inside the level whose stage has criteria, densely numbered
  std::vector<std::uint32_t> unit_of(n_ent, npos32), entity_of;
  for (std::size_t e = 0; e < n_ent; ++e)
    if (pr.group_of[e] != npos32 && judge[pr.stage_of[e]]) {
      unit_of[e] = static_cast<std::uint32_t>(entity_of.size());
      entity_of.push_back(static_cast<std::uint32_t>(e));
    }
  const std::size_t n_units = entity_of.size();

  // one pass: each unit's values per period, in criterion order. state: 0 no row, 1 a row whose
  // value is missing, 2 a value. Every row writes only its own cell (keys are unique after the
  // first stage), so slices of rows can be filled by threads without locks.
  // (values are written before they are read: a cell's value is read only where its state says
  // a row wrote it, so the array is not filled first)
  const std::unique_ptr<double[]> values(new double[n_units * n_slots * m]);
  std::vector<std::uint8_t> state(n_units * n_slots * m, 0);
  const unsigned threads = thread_count(opt.threads, obs.size(), opt.min_rows_per_thread);
  const std::int32_t* pos_at = checked.pos_of.data();
  parallel_rows(obs.size(), threads, [&](unsigned, std::size_t b, std::size_t e) {
    const std::uint32_t* ind = obs.indicator.data();
    const std::uint32_t* ent = obs.entity.data();
    const day_number* end = obs.end.data();
    const double* x = obs.value.data();
    const std::uint8_t* fl = obs.flags.empty() ? nullptr : obs.flags.data();
    const std::uint32_t* slot_of_day = pr.slot_of_day.data();
    const std::uint32_t* unit_at = unit_of.data();
    double* vals = values.get();
    std::uint8_t* row_state = state.data();
    // everything the loop reads in locals: its byte stores could alias anything reached through a
    // reference, which the compiler would then load again for every row
    const std::int32_t* pos_of_ind = pos_at;
    const std::size_t slots = n_slots, n = m;
    const day_number lo = pr.lo;
    constexpr std::size_t block = 8192;
    for (std::size_t i0 = b; i0 < e; i0 += block) {
      const std::size_t i1 = std::min(e, i0 + block);
      check_rows(obs, i0, i1, n_ind, n_ent, pr.lo, pr.hi);
      for (std::size_t i = i0; i < i1; ++i) {
        const std::int32_t pos = pos_of_ind[ind[i]];
        if (pos < 0) continue;
        const std::uint32_t u = unit_at[ent[i]];
        if (u == npos32) continue;
        const std::size_t cell = (std::size_t{u} * slots + slot_of_day[end[i] - lo]) * n + static_cast<std::size_t>(pos);
        vals[cell] = x[i];
        row_state[cell] = (fl && (fl[i] & flags::missing)) ? 1 : 2;
      }
    }
  });
  // judge each unit in each period and count per group (threads over units, own counters)
  const std::size_t n_groups = pr.groups.size(), n_st = split ? 5 : 1, n_cells = n_groups * n_st * n_slots;
  struct counts {
    std::vector<std::uint64_t> units, passed, incomplete;
  };
  std::vector<counts> part(threads);
  std::vector<std::uint8_t> judged(want_judged ? n_units * n_slots : 0, 0);
  parallel_rows(n_units, threads, [&](unsigned t, std::size_t b, std::size_t e) {
    counts& c = part[t];
    c.units.assign(n_cells, 0);
    c.passed.assign(n_cells, 0);
    c.incomplete.assign(n_cells, 0);
    std::unique_ptr<bool[]> pres(new bool[m == 0 ? 1 : m]);
    std::unique_ptr<double[]> x(new double[m == 0 ? 1 : m]);
    const std::uint8_t* cell_state = state.data();
    const double* vals = values.get();
    for (std::size_t u = b; u < e; ++u) {
      const std::uint32_t ent = entity_of[u];
      const auto& rule = *judge[pr.stage_of[ent]];
      for (std::size_t s = 0; s < n_slots; ++s) {
        const std::size_t base = (u * n_slots + s) * m;
        bool any = false, complete = true;
        for (std::size_t k = 0; k < m; ++k) {
          const std::uint8_t written = cell_state[base + k];
          any = any || written != 0;
          pres[k] = written == 2;
          complete = complete && pres[k];
          x[k] = written != 0 ? vals[base + k] : 0.0; // a missing value is not read by the rule (never_skip: 0)
        }
        if (!any) continue;
        if (want_judged) judged[u * n_slots + s] = 1;
        const bool ok = rule.passes(std::span<const double>(x.get(), m), std::span<const bool>(pres.get(), m));
        const std::size_t cell = (pr.group_of[ent] * n_st + (split ? pr.stage_of[ent] : 0)) * n_slots + s;
        ++c.units[cell];
        c.passed[cell] += ok ? 1 : 0;
        c.incomplete[cell] += complete ? 0 : 1;
      }
    }
  });
  k_of_n_counts out;
  out.units = std::move(part[0].units);
  out.passed = std::move(part[0].passed);
  out.incomplete = std::move(part[0].incomplete);
  for (unsigned t = 1; t < threads; ++t)
    for (std::size_t c = 0; c < n_cells; ++c) {
      out.units[c] += part[t].units[c];
      out.passed[c] += part[t].passed[c];
      out.incomplete[c] += part[t].incomplete[c];
    }
  out.groups = pr.groups;
  out.slots = pr.slots;
  out.n_st = n_st;
  out.window_start = pr.lo;
  if (want_judged) {
    out.entity_of = std::move(entity_of);
    out.judged = std::move(judged);
  }
  return out;
}

/// The result rows of counted cells: one per (group, stage, period) with judged units.
k_of_n_result k_of_n_rows(const std::vector<std::uint32_t>& groups, const std::vector<period>& slots, std::size_t n_st,
                          const std::vector<std::uint64_t>& units, const std::vector<std::uint64_t>& passed,
                          const std::vector<std::uint64_t>& incomplete) {
  const std::size_t n_slots = slots.size();
  k_of_n_result res;
  for (std::size_t g = 0; g < groups.size(); ++g)
    for (std::size_t st = 0; st < n_st; ++st)
      for (std::size_t s = 0; s < n_slots; ++s) {
        const std::size_t cell = (g * n_st + st) * n_slots + s;
        if (units[cell] == 0) continue;
        res.entity.push_back(groups[g]);
        res.stage.push_back(n_st > 1 ? static_cast<std::int8_t>(static_cast<int>(st) - 1) : std::int8_t{-1});
        res.start.push_back(to_day_number(slots[s].start));
        res.end.push_back(to_day_number(slots[s].end));
        res.share.push_back(static_cast<double>(passed[cell]) / static_cast<double>(units[cell]));
        res.units.push_back(units[cell]);
        res.passed.push_back(passed[cell]);
        res.incomplete.push_back(incomplete[cell]);
      }
  return res;
}

} // namespace

k_of_n_result rollup_k_of_n(const plan& p, const observation_view& obs, const rollup_options& opt,
                            const k_of_n_spec& spec) {
  const k_of_n_counts c = count_k_of_n(p, obs, opt, spec, false);
  return k_of_n_rows(c.groups, c.slots, c.n_st, c.units, c.passed, c.incomplete);
}

} // namespace planeval

// The roll-up in parts (rollup_partial.hpp) runs this engine; it lives in its own file.
#include "rollup_partial.ipp"
