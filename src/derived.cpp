// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#include <planeval/derived.hpp>
#include <planeval/expression.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>

namespace planeval {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

struct key {
  std::uint32_t entity;
  day_number start, end;
  friend bool operator==(const key&, const key&) = default;
};
struct key_hash {
  std::size_t operator()(const key& k) const noexcept {
    std::uint64_t h = k.entity;
    h = h * 0x9E3779B97F4A7C15ull ^ static_cast<std::uint32_t>(k.start);
    h = h * 0x9E3779B97F4A7C15ull ^ static_cast<std::uint32_t>(k.end);
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};

/// The expressions of one derived indicator, parsed once.
struct compiled {
  std::uint32_t indicator = 0;
  std::optional<expression> value, numerator, denominator;
  std::vector<std::uint32_t> references; // plan indices of every referenced indicator, each once
};

compiled compile(const plan& p, std::uint32_t i) {
  const auto& f = *p.indicators()[i].formula;
  compiled c;
  c.indicator = i;
  auto parse = [&](const std::string& t) { return expression::parse(t); }; // checked by plan::add_indicator
  if (f.is_ratio()) {
    c.numerator = parse(f.numerator);
    c.denominator = parse(f.denominator);
  } else {
    c.value = parse(f.expression);
  }
  for (const auto* e : {&c.value, &c.numerator, &c.denominator})
    if (*e)
      for (const auto& id : (*e)->references()) {
        const auto r = *p.find_indicator(id);
        if (std::find(c.references.begin(), c.references.end(), r) == c.references.end()) c.references.push_back(r);
      }
  return c;
}

/// The derived indicators to compute, parsed once: `wanted` (all when empty) and, transitively,
/// the derived indicators they reference; in plan order (which is dependency order).
std::vector<compiled> closure(const plan& p, std::span<const std::uint32_t> wanted) {
  const auto& inds = p.indicators();
  std::vector<std::uint8_t> need(inds.size(), 0);
  if (wanted.empty()) {
    for (std::size_t i = 0; i < inds.size(); ++i) need[i] = inds[i].is_derived();
  } else {
    for (auto i : wanted)
      if (i < inds.size() && inds[i].is_derived()) need[i] = 1;
  }
  // references point to earlier indicators: one backward sweep closes the set
  std::vector<compiled> out;
  for (std::size_t i = inds.size(); i-- > 0;) {
    if (!need[i]) continue;
    out.push_back(compile(p, static_cast<std::uint32_t>(i)));
    for (auto r : out.back().references)
      if (inds[r].is_derived()) need[r] = 1;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

/// One side of a ratio over the columns: a bare reference `#{x}` (the usual case: a count over a
/// count) is its column as it is, under the missing policy, without running the evaluator.
expression_column side(const expression& e, const expression_inputs& in, rules::missing_policy policy) {
  const auto& ex = e.internals();
  if (ex.nodes[ex.root].kind != detail::expression_op::reference) return evaluate(e, in, policy);
  const auto* col = in.find_column(ex.nodes[ex.root].text);
  if (!col) return evaluate(e, in, policy); // reports the missing input
  const std::size_t m = in.rows();
  expression_column out;
  out.value.assign(col->values.begin(), col->values.end());
  if (col->present.empty()) {
    out.present.assign(m, 1);
  } else {
    out.present.assign(col->present.begin(), col->present.end());
    for (std::size_t i = 0; i < m; ++i) {
      if (out.present[i]) continue;
      if (policy == rules::missing_policy::never_skip) { // a missing item counts as 0
        out.value[i] = 0;
        out.present[i] = 1;
      } else {
        out.value[i] = nan;
      }
    }
  }
  return out;
}

void add_constants(const plan& p, expression_inputs& in) {
  for (const auto& c : p.constants()) in.constant(c.id, c.value);
}

} // namespace

bool needs_derive(const plan& p, std::span<const std::uint32_t> indicators) {
  const auto& inds = p.indicators();
  if (indicators.empty())
    return std::any_of(inds.begin(), inds.end(), [](const indicator& i) { return i.is_derived(); });
  return std::any_of(indicators.begin(), indicators.end(),
                     [&](std::uint32_t i) { return i < inds.size() && inds[i].is_derived(); });
}

derived_observations derive(const plan& p, const observation_view& obs, std::span<const std::uint32_t> indicators,
                            bool include_inputs, bool keep_sides) {
  require_plan(p, obs, "derive");
  const auto& inds = p.indicators();
  const std::size_t n = obs.size();
  const std::size_t n_ent = p.entities().size();
  for (std::size_t i = 0; i < n; ++i) {
    if (obs.indicator[i] >= inds.size())
      throw error("derive: row " + std::to_string(i) + ": indicator index " + std::to_string(obs.indicator[i]) +
                  " out of range (the plan has " + std::to_string(inds.size()) + " indicators)");
    if (obs.entity[i] >= n_ent)
      throw error("derive: row " + std::to_string(i) + ": entity index " + std::to_string(obs.entity[i]) +
                  " out of range (the plan has " + std::to_string(n_ent) + " entities)");
  }
  const auto todo = closure(p, indicators);
  bool any_ratio = false;
  for (const auto& c : todo) any_ratio = any_ratio || !c.value;

  derived_observations out;
  const bool weighted = obs.has_weight() || any_ratio;
  // the derived rows; row numbers r < n are input rows, r >= n the derived row r - n
  observation_table t;
  auto flags_of = [&](std::size_t r) -> std::uint8_t {
    if (r >= n) return t.flags[r - n];
    return obs.flags.empty() ? std::uint8_t{0} : obs.flags[r];
  };
  auto value_of = [&](std::size_t r) { return r < n ? obs.value[r] : t.value[r - n]; };
  auto weight_of = [&](std::size_t r) { return r < n ? (obs.has_weight() ? obs.weight[r] : 1.0) : t.weight[r - n]; };
  auto append_derived = [&](observation_table& o) {
    o.indicator.insert(o.indicator.end(), t.indicator.begin(), t.indicator.end());
    o.entity.insert(o.entity.end(), t.entity.begin(), t.entity.end());
    o.start.insert(o.start.end(), t.start.begin(), t.start.end());
    o.end.insert(o.end.end(), t.end.begin(), t.end.end());
    o.value.insert(o.value.end(), t.value.begin(), t.value.end());
    o.flags.insert(o.flags.end(), t.flags.begin(), t.flags.end());
    if (weighted) o.weight.insert(o.weight.end(), t.weight.begin(), t.weight.end());
  };
  auto finish = [&] {
    auto& o = out.table;
    if (include_inputs) {
      out.input_rows = n;
      o.indicator.reserve(n + t.size());
      o.indicator.assign(obs.indicator.begin(), obs.indicator.end());
      o.entity.assign(obs.entity.begin(), obs.entity.end());
      o.start.assign(obs.start.begin(), obs.start.end());
      o.end.assign(obs.end.begin(), obs.end.end());
      o.value.assign(obs.value.begin(), obs.value.end());
      if (obs.flags.empty())
        o.flags.assign(n, 0);
      else
        o.flags.assign(obs.flags.begin(), obs.flags.end());
      if (obs.has_weight())
        o.weight.assign(obs.weight.begin(), obs.weight.end());
      else if (weighted)
        o.weight.assign(n, 1.0);
      append_derived(o);
    } else {
      // the input rows of the derived indicators themselves (observed values, kept), then the
      // derived rows
      std::vector<std::uint8_t> computed(inds.size(), 0);
      for (const auto& c : todo) computed[c.indicator] = 1;
      std::size_t kept = 0;
      for (std::size_t i = 0; i < n; ++i) kept += computed[obs.indicator[i]];
      if (kept == 0) { // nothing observed for them: the derived rows as they are, no copy
        out.input_rows = 0;
        o = std::move(t);
        o.yearly_unique = obs.yearly_unique;
        o.derived = true;
        o.plan = obs.plan;
        return;
      }
      o.reserve(kept + t.size());
      if (weighted) o.weight.reserve(kept + t.size());
      for (std::size_t i = 0; i < n; ++i) {
        if (!computed[obs.indicator[i]]) continue;
        o.push_back(obs.indicator[i], obs.entity[i], obs.start[i], obs.end[i], obs.value[i], flags_of(i));
        if (weighted) o.weight.push_back(weight_of(i));
      }
      out.input_rows = kept;
      append_derived(o);
    }
    // derived rows are one per indicator and key: data with one row per indicator, entity and
    // year give derived rows with one too
    o.yearly_unique = obs.yearly_unique;
    o.derived = true;
    o.plan = obs.plan;
  };
  if (todo.empty()) {
    finish();
    return out;
  }

  // the rows of the indicators the formulas read or compute, per indicator (derived rows are
  // appended as they are computed): the only rows the passes below touch
  // (read_by_formula: indicators some formula of the closure reads; those later in plan order)
  std::vector<std::uint8_t> wanted(inds.size(), 0), read_by_formula(inds.size(), 0);
  for (const auto& c : todo) {
    wanted[c.indicator] = 1;
    for (auto r : c.references) wanted[r] = read_by_formula[r] = 1;
  }
  std::vector<std::vector<std::uint32_t>> rows_of(inds.size());
  std::size_t n_wanted = 0;
  {
    std::vector<std::size_t> per(inds.size(), 0);
    for (std::size_t i = 0; i < n; ++i) per[obs.indicator[i]] += wanted[obs.indicator[i]];
    for (std::size_t k = 0; k < inds.size(); ++k) {
      rows_of[k].reserve(per[k]);
      n_wanted += per[k];
    }
    for (std::size_t i = 0; i < n; ++i)
      if (wanted[obs.indicator[i]]) rows_of[obs.indicator[i]].push_back(static_cast<std::uint32_t>(i));
  }

  // dense key ids over (entity, start, end) of those rows. Periods are few (years), so when
  // entities × periods is not much more than the rows, a key is found from entity × period id in
  // an array; otherwise in a hash map.
  std::vector<key> keys;
  std::vector<std::uint32_t> key_of(n); // by row; set for the wanted rows
  {
    // period ids: the first 16 distinct periods are found by a linear scan (school data have a
    // handful of years), the others in a hash map
    std::vector<std::uint64_t> first_periods;
    std::unordered_map<std::uint64_t, std::uint32_t> period_ids;
    std::vector<std::uint32_t> period_of(n);
    for (const auto& rows : rows_of)
      for (const auto i : rows) {
        const std::uint64_t pk = (static_cast<std::uint64_t>(static_cast<std::uint32_t>(obs.start[i])) << 32) |
                                 static_cast<std::uint32_t>(obs.end[i]);
        const auto it = std::find(first_periods.begin(), first_periods.end(), pk);
        if (it != first_periods.end()) {
          period_of[i] = static_cast<std::uint32_t>(it - first_periods.begin());
        } else if (first_periods.size() < 16) {
          period_of[i] = static_cast<std::uint32_t>(first_periods.size());
          first_periods.push_back(pk);
        } else {
          period_of[i] = period_ids.try_emplace(pk, static_cast<std::uint32_t>(16 + period_ids.size())).first->second;
        }
      }
    const std::size_t n_per = first_periods.size() + period_ids.size();
    constexpr std::uint32_t unset = std::numeric_limits<std::uint32_t>::max();
    if (n_per > 0 && n_ent <= (4 * n_wanted + 1024) / n_per) {
      std::vector<std::uint32_t> dense(n_ent * n_per, unset);
      for (const auto& rows : rows_of)
        for (const auto i : rows) {
          auto& id = dense[static_cast<std::size_t>(obs.entity[i]) * n_per + period_of[i]];
          if (id == unset) {
            id = static_cast<std::uint32_t>(keys.size());
            keys.push_back({obs.entity[i], obs.start[i], obs.end[i]});
          }
          key_of[i] = id;
        }
    } else {
      std::unordered_map<key, std::uint32_t, key_hash> key_ids;
      key_ids.reserve(n_wanted / 4 + 16);
      for (const auto& rows : rows_of)
        for (const auto i : rows) {
          const key k{obs.entity[i], obs.start[i], obs.end[i]};
          auto [it, added] = key_ids.try_emplace(k, static_cast<std::uint32_t>(keys.size()));
          if (added) keys.push_back(k);
          key_of[i] = it->second;
        }
    }
  }
  constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> slot(keys.size(), none); // key id -> position in this indicator's key list
  for (const auto& c : todo) {
    const std::uint32_t d = c.indicator;
    const auto& f = *inds[d].formula;
    derived_summary sum;
    sum.indicator = d;
    // keys already observed for d itself are kept
    std::vector<std::uint8_t> observed(keys.size(), 0);
    for (auto r : rows_of[d]) observed[key_of[r]] = 1;
    // the keys at which any reference has a row, in order of first appearance
    std::vector<std::uint32_t> list;
    for (auto ref : c.references)
      for (auto r : rows_of[ref]) {
        const auto k = key_of[r];
        if (slot[k] != none) continue;
        if (observed[k]) {
          slot[k] = none - 1; // seen, kept
          continue;
        }
        slot[k] = static_cast<std::uint32_t>(list.size());
        list.push_back(k);
      }
    for (std::size_t k = 0; k < keys.size(); ++k)
      if (slot[k] == none - 1) {
        ++sum.observed;
        slot[k] = none;
      }
    const std::size_t m = list.size();
    // the referenced columns over those keys (a repeated row at a key: the later row counts)
    std::vector<std::vector<double>> values(c.references.size(), std::vector<double>(m, 0.0));
    std::vector<std::vector<std::uint8_t>> present(c.references.size(), std::vector<std::uint8_t>(m, 0));
    std::vector<std::uint8_t> row_flags(m, 0);
    std::vector<double> row_weight(m, 1.0);
    std::vector<std::uint8_t> has_weight(m, 0);
    expression_inputs in(m);
    add_constants(p, in);
    for (std::size_t j = 0; j < c.references.size(); ++j) {
      for (auto r : rows_of[c.references[j]]) {
        const auto s = slot[key_of[r]];
        if (s == none) continue;
        const std::uint8_t fl = flags_of(r);
        const bool miss = fl & flags::missing;
        values[j][s] = miss ? 0.0 : value_of(r);
        present[j][s] = miss ? 0 : 1;
        row_flags[s] |= fl & (flags::estimated | flags::provisional);
        if (weighted && !has_weight[s]) {
          row_weight[s] = weight_of(r);
          has_weight[s] = 1;
        }
      }
      in.column(inds[c.references[j]].id, values[j], present[j]);
    }
    for (auto k : list) slot[k] = none;

    std::vector<double> result(m, nan);
    std::vector<std::uint8_t> ok(m, 0);
    std::vector<double> num_side, den_side;
    if (c.value) {
      auto col = evaluate(*c.value, in, f.missing);
      for (std::size_t s = 0; s < m; ++s) {
        ok[s] = col.present[s];
        result[s] = col.value[s];
      }
    } else {
      const auto num = side(*c.numerator, in, f.missing);
      const auto den = side(*c.denominator, in, f.missing);
      num_side.assign(m, nan);
      den_side.assign(m, nan);
      for (std::size_t s = 0; s < m; ++s) {
        if (num.present[s]) num_side[s] = num.value[s];
        if (den.present[s]) den_side[s] = den.value[s];
        if (!num.present[s] || !den.present[s]) continue;
        if (den.value[s] == 0) {
          ++sum.zero_denominator;
          continue;
        }
        const double x = f.factor * num.value[s] / den.value[s];
        if (!std::isfinite(x)) continue;
        result[s] = x;
        ok[s] = 1;
        row_weight[s] = den.value[s]; // the ratio of sums as a weighted mean (design notes)
      }
    }
    // append: every column resized once and written by index
    const std::size_t base = t.size();
    const std::size_t grown = base + m;
    t.indicator.resize(grown, d);
    t.entity.resize(grown);
    t.start.resize(grown);
    t.end.resize(grown);
    t.value.resize(grown);
    t.flags.resize(grown);
    if (weighted) t.weight.resize(grown);
    // the sides are kept for traces; the rows of d are listed for the formulas that read it
    if (keep_sides) {
      out.numerator.resize(grown, nan);
      out.denominator.resize(grown, nan);
    }
    const bool read_later = read_by_formula[d]; // formulas read only earlier indicators
    if (read_later) {
      key_of.resize(n + grown);
      rows_of[d].reserve(rows_of[d].size() + m);
    }
    for (std::size_t s = 0; s < m; ++s) {
      const key& k = keys[list[s]];
      const std::size_t at = base + s;
      t.entity[at] = k.entity;
      t.start[at] = k.start;
      t.end[at] = k.end;
      t.value[at] = ok[s] ? result[s] : 0.0;
      t.flags[at] = static_cast<std::uint8_t>(row_flags[s] | (ok[s] ? 0 : flags::missing));
      if (weighted) {
        // a ratio's weight is its denominator (0 where it has no value); a formula takes the
        // weight of its first input row at the key
        const double w = c.value ? row_weight[s] : (ok[s] ? row_weight[s] : 0.0);
        t.weight[at] = std::isfinite(w) && w >= 0 ? w : 0.0;
      }
      if (keep_sides && !num_side.empty()) {
        out.numerator[at] = num_side[s];
        out.denominator[at] = den_side[s];
      }
      if (read_later) {
        key_of[n + at] = list[s];
        rows_of[d].push_back(static_cast<std::uint32_t>(n + at));
      }
    }
    sum.rows = m;
    sum.values = static_cast<std::size_t>(std::count(ok.begin(), ok.end(), std::uint8_t{1}));
    sum.missing = m - sum.values;
    out.summary.push_back(sum);
  }
  finish();
  return out;
}

} // namespace planeval
