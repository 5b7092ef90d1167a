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

/// The derived indicators to compute: `wanted` (all when empty) and, transitively, the derived
/// indicators they reference; in plan order (which is dependency order).
std::vector<std::uint32_t> closure(const plan& p, std::span<const std::uint32_t> wanted) {
  const auto& inds = p.indicators();
  std::vector<std::uint8_t> need(inds.size(), 0);
  if (wanted.empty()) {
    for (std::size_t i = 0; i < inds.size(); ++i) need[i] = inds[i].is_derived();
  } else {
    for (auto i : wanted)
      if (i < inds.size() && inds[i].is_derived()) need[i] = 1;
  }
  // references point to earlier indicators: one backward sweep closes the set
  for (std::size_t i = inds.size(); i-- > 0;) {
    if (!need[i]) continue;
    for (auto r : compile(p, static_cast<std::uint32_t>(i)).references)
      if (inds[r].is_derived()) need[r] = 1;
  }
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < inds.size(); ++i)
    if (need[i]) out.push_back(static_cast<std::uint32_t>(i));
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

derived_observations derive(const plan& p, const observation_view& obs, std::span<const std::uint32_t> indicators) {
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
  for (auto d : todo) any_ratio = any_ratio || inds[d].formula->is_ratio();

  derived_observations out;
  out.input_rows = n;
  auto& t = out.table;
  t.indicator.assign(obs.indicator.begin(), obs.indicator.end());
  t.entity.assign(obs.entity.begin(), obs.entity.end());
  t.start.assign(obs.start.begin(), obs.start.end());
  t.end.assign(obs.end.begin(), obs.end.end());
  t.value.assign(obs.value.begin(), obs.value.end());
  if (obs.flags.empty())
    t.flags.assign(n, 0);
  else
    t.flags.assign(obs.flags.begin(), obs.flags.end());
  const bool weighted = obs.has_weight() || any_ratio;
  if (obs.has_weight())
    t.weight.assign(obs.weight.begin(), obs.weight.end());
  else if (weighted)
    t.weight.assign(n, 1.0);
  t.yearly_unique = obs.yearly_unique;
  t.derived = true;
  if (todo.empty()) return out;

  // dense key ids over (entity, start, end), one pass
  std::unordered_map<key, std::uint32_t, key_hash> key_ids;
  key_ids.reserve(n / 4 + 16);
  std::vector<key> keys;
  std::vector<std::uint32_t> key_of;
  key_of.reserve(n);
  auto key_id = [&](std::uint32_t e, day_number s, day_number en) {
    const key k{e, s, en};
    auto [it, added] = key_ids.try_emplace(k, static_cast<std::uint32_t>(keys.size()));
    if (added) keys.push_back(k);
    return it->second;
  };
  for (std::size_t i = 0; i < n; ++i) key_of.push_back(key_id(obs.entity[i], obs.start[i], obs.end[i]));
  // rows per indicator (derived rows are appended as they are computed)
  std::vector<std::vector<std::uint32_t>> rows_of(inds.size());
  for (std::size_t i = 0; i < n; ++i) rows_of[obs.indicator[i]].push_back(static_cast<std::uint32_t>(i));

  constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> slot(keys.size(), none); // key id -> position in this indicator's key list
  for (auto d : todo) {
    const auto c = compile(p, d);
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
        const bool miss = t.flags[r] & flags::missing;
        values[j][s] = miss ? 0.0 : t.value[r];
        present[j][s] = miss ? 0 : 1;
        row_flags[s] |= t.flags[r] & (flags::estimated | flags::provisional);
        if (weighted && !has_weight[s]) {
          row_weight[s] = t.weight[r];
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
      const auto num = evaluate(*c.numerator, in, f.missing);
      const auto den = evaluate(*c.denominator, in, f.missing);
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
    // append
    for (std::size_t s = 0; s < m; ++s) {
      const key& k = keys[list[s]];
      const std::uint32_t row = static_cast<std::uint32_t>(t.size());
      const bool yu = t.yearly_unique;
      t.push_back(d, k.entity, k.start, k.end, ok[s] ? result[s] : 0.0,
                  static_cast<std::uint8_t>(row_flags[s] | (ok[s] ? 0 : flags::missing)));
      t.yearly_unique = yu; // one row per key of data that had one per year: still unique
      if (weighted) {
        // a ratio's weight is its denominator (0 where it has no value); a formula takes the
        // weight of its first input row at the key
        const double w = c.value ? row_weight[s] : (ok[s] ? row_weight[s] : 0.0);
        t.weight.push_back(std::isfinite(w) && w >= 0 ? w : 0.0);
      }
      out.numerator.push_back(num_side.empty() ? nan : num_side[s]);
      out.denominator.push_back(den_side.empty() ? nan : den_side[s]);
      key_of.push_back(list[s]);
      rows_of[d].push_back(row);
      ++sum.rows;
      ok[s] ? ++sum.values : ++sum.missing;
    }
    out.summary.push_back(sum);
  }
  return out;
}

} // namespace planeval
