// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// The evaluation in parts (evaluate_partial.hpp). Included at the end of src/evaluate.cpp: it fills
// the states the evaluator of that file reads (evaluation_partial::impl) with that file's helpers
// (rows_up_to, rollup_requests, standard_year ...); it is not compiled on its own.

#include <planeval/detail/archive.hpp>

#include <iterator>

namespace planeval {

namespace {

constexpr std::string_view eval_partial_magic = "pve";
constexpr std::uint32_t eval_partial_format_version = 1;
constexpr std::uint32_t no_entity = entity_tree::npos;

/// The targets judged by a standard that can be found (given, the plan's own, built in), and the
/// plan indicators each standard names: as the evaluator's judge_by_standard resolves them.
void standard_layout(const plan& p, const evaluate_options& opt, evaluation_partial::impl& m) {
  std::map<std::string, std::optional<standard>> cache;
  for (std::uint32_t ti = 0; ti < p.targets().size(); ++ti) {
    const target& t = p.targets()[ti];
    if (t.standard.empty()) continue;
    const standard* s = nullptr;
    for (const auto& st : opt.standards)
      if (st.id == t.standard) s = &st;
    if (!s)
      if (const plan_standard* own = p.find_standard(t.standard)) {
        auto it = cache.find("plan:" + t.standard);
        if (it == cache.end()) it = cache.emplace("plan:" + t.standard, parse_standard(own->json, own->file)).first;
        s = &*it->second;
      }
    if (!s) {
      auto it = cache.find(t.standard);
      if (it == cache.end()) {
        std::optional<standard> b;
        try {
          b = builtin_standard(t.standard);
        } catch (const error&) {
          // unknown: the evaluator reports it
        }
        it = cache.emplace(t.standard, std::move(b)).first;
      }
      if (it->second) s = &*it->second;
    }
    if (!s) continue;
    std::vector<std::uint32_t> inds;
    for (const auto& si : s->indicators)
      if (auto i = p.find_indicator(si.id)) inds.push_back(*i);
    m.std_target.push_back(ti);
    m.std_inds.push_back(std::move(inds));
  }
}

/// The options and the standards' layout as bytes (+= and finalise compare them).
std::string eval_options_bytes(const evaluation_partial::impl& m) {
  std::string s;
  detail::binary_oarchive ar(s);
  std::vector<std::uint8_t> methods, entry_method, kinds;
  std::vector<std::uint64_t> entry_count;
  std::vector<std::string> names;
  std::vector<double> values;
  for (auto x : m.opt.methods) methods.push_back(static_cast<std::uint8_t>(x));
  for (const auto& [pm, pv] : m.opt.params) {
    entry_method.push_back(static_cast<std::uint8_t>(pm));
    entry_count.push_back(pv.values.size());
    for (const auto& [n, v] : pv.values) {
      names.push_back(n);
      const bool is_bool = std::holds_alternative<bool>(v);
      kinds.push_back(is_bool ? 1 : 0);
      values.push_back(is_bool ? (std::get<bool>(v) ? 1.0 : 0.0) : std::get<double>(v));
    }
  }
  ar(static_cast<std::int32_t>(to_day_number(m.opt.as_of)), static_cast<std::uint8_t>(m.opt.primary), methods,
     entry_method, entry_count, names, kinds, values, m.standard_ids, m.std_target, m.std_inds);
  return s;
}

/// Reads eval_options_bytes into m (opt, standard_ids, std_target, std_inds).
void eval_options_from_bytes(std::string_view bytes, evaluation_partial::impl& m) {
  detail::binary_iarchive ar(bytes);
  std::int32_t as_of = 0;
  std::uint8_t primary = 0;
  std::vector<std::uint8_t> methods, entry_method, kinds;
  std::vector<std::uint64_t> entry_count;
  std::vector<std::string> names;
  std::vector<double> values;
  ar(as_of, primary, methods, entry_method, entry_count, names, kinds, values, m.standard_ids, m.std_target,
     m.std_inds);
  constexpr std::uint8_t last_method = static_cast<std::uint8_t>(assess_method::unsd);
  auto bad = [](const char* what) { throw error(std::string("corrupt evaluation options (") + what + ")"); };
  if (!ar.at_end()) bad("trailing bytes");
  if (as_of < to_day_number(date(1400, 1, 1)) || as_of > to_day_number(date(9999, 12, 31))) bad("as_of");
  if (primary > last_method) bad("primary method");
  if (entry_method.size() != entry_count.size() || names.size() != kinds.size() || names.size() != values.size())
    bad("parameters");
  if (m.std_inds.size() != m.std_target.size()) bad("standards");
  m.opt = evaluate_options{};
  m.opt.as_of = from_day_number(as_of);
  m.opt.primary = static_cast<assess_method>(primary);
  for (auto x : methods) {
    if (x > last_method) bad("methods");
    m.opt.methods.push_back(static_cast<assess_method>(x));
  }
  std::size_t at = 0;
  for (std::size_t e = 0; e < entry_method.size(); ++e) {
    if (entry_method[e] > last_method || entry_count[e] > names.size() - at) bad("parameters");
    assess_params prm;
    for (std::uint64_t k = 0; k < entry_count[e]; ++k, ++at) {
      if (kinds[at] > 1) bad("parameters");
      prm.values.emplace_back(names[at], kinds[at] ? param_value(values[at] != 0) : param_value(values[at]));
    }
    m.opt.params.emplace_back(static_cast<assess_method>(entry_method[e]), std::move(prm));
  }
  if (at != names.size()) bad("parameters");
}

/// Words of a bitmap of the partial's standard slots.
std::size_t slot_words(const evaluation_partial::impl& m) { return (m.std_target.size() + 63) / 64; }

/// Keeps the rows of m.std_rows (and their slot masks) that some slot of theirs reads in the slot's
/// year (m.std_year).
void keep_standard_rows(evaluation_partial::impl& m, std::vector<std::uint64_t>& masks) {
  const std::size_t w = slot_words(m);
  auto& t = m.std_rows;
  std::size_t out = 0;
  for (std::size_t r = 0; r < t.size(); ++r) {
    const int y = from_day_number(t.end[r]).year();
    bool keep = false;
    for (std::size_t k = 0; k < m.std_target.size() && !keep; ++k)
      keep = (masks[r * w + k / 64] >> (k % 64) & 1) && m.std_year[k] == y;
    if (!keep) continue;
    if (out != r) {
      t.indicator[out] = t.indicator[r];
      t.entity[out] = t.entity[r];
      t.start[out] = t.start[r];
      t.end[out] = t.end[r];
      t.value[out] = t.value[r];
      t.flags[out] = t.flags[r];
      if (!t.weight.empty()) t.weight[out] = t.weight[r];
      for (std::size_t j = 0; j < w; ++j) masks[out * w + j] = masks[r * w + j];
    }
    ++out;
  }
  t.indicator.resize(out);
  t.entity.resize(out);
  t.start.resize(out);
  t.end.resize(out);
  t.value.resize(out);
  t.flags.resize(out);
  if (!t.weight.empty()) t.weight.resize(out);
  masks.resize(out * w);
}

} // namespace

evaluation_partial::evaluation_partial() = default;
evaluation_partial::evaluation_partial(const evaluation_partial& o)
    : impl_(o.impl_ ? std::make_unique<impl>(*o.impl_) : nullptr) {}
evaluation_partial::evaluation_partial(evaluation_partial&&) noexcept = default;
evaluation_partial& evaluation_partial::operator=(const evaluation_partial& o) {
  if (this != &o) impl_ = o.impl_ ? std::make_unique<impl>(*o.impl_) : nullptr;
  return *this;
}
evaluation_partial& evaluation_partial::operator=(evaluation_partial&&) noexcept = default;
evaluation_partial::~evaluation_partial() = default;

bool evaluation_partial::empty() const noexcept { return !impl_; }
std::size_t evaluation_partial::rows() const noexcept { return impl_ ? static_cast<std::size_t>(impl_->rows) : 0; }
evaluate_options evaluation_partial::options() const { return impl_ ? impl_->opt : evaluate_options{}; }

evaluation_partial evaluate_states(const plan& p, const observation_view& obs, const evaluate_options& options) {
  require_plan(p, obs, "evaluate_states");
  // every parameter set is checked now, as evaluate() does (unknown names throw)
  for (const auto& [pm, pv] : options.params)
    (void)assess(pm, assess_input{{2020, 1}, {2021, 2}, time_point{2025, 3}, direction::increase, {}, {}, {}}, pv);
  evaluation_partial out;
  out.impl_ = std::make_unique<evaluation_partial::impl>();
  auto& m = *out.impl_;
  m.key = p.key();
  m.opt.as_of = options.as_of;
  m.opt.primary = options.primary;
  m.opt.methods = options.methods;
  m.opt.params = options.params;
  for (const auto& st : options.standards) m.standard_ids.push_back(st.id);
  standard_layout(p, options, m);
  m.opt_bytes = eval_options_bytes(m);

  const std::size_t n_ind = p.indicators().size();
  const auto& tree = p.entities();
  m.rows = obs.size();
  const filtered_rows rows = rows_up_to(obs, options.as_of);
  m.after = rows.after;
  if (obs.size() > 0)
    m.form = static_cast<std::uint8_t>(1 + (obs.has_weight() ? 1 : 0) + (rows.view.derived ? 2 : 0));
  const std::size_t input_rows = rows.view.size();
  for (std::size_t i = 0; i < input_rows; ++i)
    m.last_end = m.last_end ? std::max(*m.last_end, rows.view.end[i]) : rows.view.end[i];

  // the first entity of each weighted indicator (weights_would_matter)
  m.first_entity.assign(n_ind, no_entity);
  {
    std::vector<std::uint8_t> weighted(n_ind, 0);
    for (std::size_t i = 0; i < n_ind; ++i) weighted[i] = default_rule(p.indicators()[i]) == rollup_rule::weighted_mean;
    for (std::size_t r = 0; r < input_rows; ++r) {
      const auto ind = rows.view.indicator[r];
      if (ind >= n_ind || !weighted[ind]) continue;
      auto& f = m.first_entity[ind];
      if (f == no_entity)
        f = rows.view.entity[r];
      else if (f != evaluation_partial::impl::several && f != rows.view.entity[r])
        f = evaluation_partial::impl::several;
    }
  }

  std::optional<derived_observations> derived;
  observation_view view = rows.view;
  if (!view.derived && needs_derive(p)) {
    derived = derive(p, view);
    view = derived->table.view();
  }

  // the roll-ups (their rows are checked there: bad rows throw data_error)
  const auto requests = rollup_requests(p, options.threads);
  m.rollups.resize(requests.size());
  if (view.size() > 0)
    for (std::size_t k = 0; k < requests.size(); ++k) m.rollups[k] = rollup_states(p, view, requests[k]);

  // derived targets' sums per year (the trace's derivation line)
  if (derived) {
    std::vector<std::vector<std::uint32_t>> targets_of(n_ind);
    for (std::uint32_t ti = 0; ti < p.targets().size(); ++ti)
      if (p.indicators()[p.targets()[ti].indicator_index].formula)
        targets_of[p.targets()[ti].indicator_index].push_back(ti);
    const auto& tab = derived->table;
    const std::size_t base = derived->input_rows;
    for (std::size_t r = base; r < tab.size(); ++r) {
      const auto ind = tab.indicator[r];
      if (ind >= n_ind || targets_of[ind].empty()) continue;
      const int year = from_day_number(tab.end[r]).year();
      for (auto ti : targets_of[ind]) {
        const target& t = p.targets()[ti];
        if (!tree.is_ancestor_or_self(t.scope_index, tab.entity[r])) continue;
        auto& s = m.derivations[{ti, year}];
        if (tab.flags[r] & flags::missing) {
          ++s.missing;
          continue;
        }
        ++s.units;
        if (p.indicators()[ind].formula->is_ratio()) {
          s.num += derived->numerator[r - base];
          s.den += derived->denominator[r - base];
        }
      }
    }
  }

  // standard-judged targets: the latest year, and the rows of that year their standards read
  const std::size_t n_slots = m.std_target.size(), w = slot_words(m);
  m.std_year.assign(n_slots, -1);
  std::vector<std::uint64_t> masks;
  if (n_slots > 0) {
    std::vector<std::vector<std::uint32_t>> slots_of(n_ind);
    for (std::size_t k = 0; k < n_slots; ++k) {
      const target& t = p.targets()[m.std_target[k]];
      m.std_year[k] = standard_year(p, view, m.std_inds[k], t.scope_index, standard_last_year(t, options.as_of));
      for (auto i : m.std_inds[k]) slots_of[i].push_back(static_cast<std::uint32_t>(k));
    }
    auto& keep = m.std_rows;
    keep.derived = true; // derived rows are in (when the plan has any): evaluate_standard must not derive again
    std::vector<std::uint64_t> mask(w);
    for (std::size_t r = 0; r < view.size(); ++r) {
      const auto ind = view.indicator[r];
      if (ind >= n_ind || slots_of[ind].empty() || view.entity[r] >= tree.size()) continue;
      const int y = from_day_number(view.end[r]).year();
      std::fill(mask.begin(), mask.end(), 0);
      bool read = false;
      for (auto k : slots_of[ind]) {
        if (!tree.is_ancestor_or_self(p.targets()[m.std_target[k]].scope_index, view.entity[r])) continue;
        mask[k / 64] |= std::uint64_t{1} << (k % 64);
        read = read || m.std_year[k] == y;
      }
      if (!read) continue;
      keep.push_back(ind, view.entity[r], view.start[r], view.end[r], view.value[r],
                     view.flags.empty() ? std::uint8_t{0} : view.flags[r]);
      if (view.has_weight()) keep.weight.push_back(view.weight[r]);
      masks.insert(masks.end(), mask.begin(), mask.end());
    }
    keep.yearly_unique = false;
  }
  m.std_rows.derived = true;

  // rows used: under a target's scope (counted), or only under standard-judged targets' scopes
  // (counted per pattern of those targets); a derived indicator's scopes pass to what it references
  {
    std::vector<std::vector<std::pair<std::uint32_t, std::int32_t>>> cond(n_ind); // (scope, slot or -1)
    for (std::size_t k = 0; k < n_slots; ++k)
      for (auto i : m.std_inds[k])
        cond[i].emplace_back(p.targets()[m.std_target[k]].scope_index, static_cast<std::int32_t>(k));
    for (const auto& t : p.targets()) cond[t.indicator_index].emplace_back(t.scope_index, -1);
    for (std::size_t i = n_ind; i-- > 0;) {
      const auto& ind = p.indicators()[i];
      if (!ind.formula || cond[i].empty()) continue;
      const auto from = cond[i];
      for (const auto* text : {&ind.formula->expression, &ind.formula->numerator, &ind.formula->denominator})
        for (const auto& id : references_of(*text)) {
          auto& to = cond[*p.find_indicator(id)];
          to.insert(to.end(), from.begin(), from.end());
        }
    }
    std::vector<std::uint64_t> mask(w);
    for (std::size_t r = 0; r < input_rows; ++r) {
      const auto ind = rows.view.indicator[r];
      const auto e = rows.view.entity[r];
      if (ind >= n_ind || cond[ind].empty() || e >= tree.size()) continue;
      bool direct = false, any = false;
      std::fill(mask.begin(), mask.end(), 0);
      for (const auto& [scope, slot] : cond[ind]) {
        if (!tree.is_ancestor_or_self(scope, e)) continue;
        if (slot < 0) {
          direct = true;
          break;
        }
        mask[static_cast<std::size_t>(slot) / 64] |= std::uint64_t{1} << (slot % 64);
        any = true;
      }
      if (direct) {
        ++m.used_static;
      } else if (any) {
        const auto it = m.used_patterns.find(mask);
        if (it == m.used_patterns.end())
          m.used_patterns.emplace(mask, 1);
        else
          ++it->second;
      }
    }
  }
  m.std_masks = std::move(masks);
  return out;
}

evaluation_partial& evaluation_partial::operator+=(const evaluation_partial& other) {
  if (!other.impl_) return *this;
  if (!impl_) {
    impl_ = std::make_unique<impl>(*other.impl_);
    return *this;
  }
  auto& a = *impl_;
  const auto& b = *other.impl_;
  if (!(a.key == b.key))
    throw error("evaluation_partial +=: the partials are of different plans (\"" + a.key.id + "\" and \"" + b.key.id +
                "\", or different indicators or entities)");
  if (a.opt_bytes != b.opt_bytes)
    throw error("evaluation_partial +=: the partials were computed with different options (as_of, methods, "
                "parameters or standards)");
  if (a.form != 0 && b.form != 0 && a.form != b.form)
    throw error(std::string("evaluation_partial +=: the parts differ in form: ") +
                (a.has_weight() != b.has_weight() ? "one has a weight column, the other not"
                                                  : "one holds derived rows, the other not") +
                " (all parts must have the same columns)");
  if (a.first_entity.size() != b.first_entity.size() || a.rollups.size() != b.rollups.size() ||
      a.std_year.size() != b.std_year.size())
    throw error("evaluation_partial +=: the partials' states do not have the same layout");
  // the roll-ups first: a key in both parts is refused before anything changes
  std::vector<rollup_partial> rollups = a.rollups;
  for (std::size_t k = 0; k < rollups.size(); ++k) rollups[k] += b.rollups[k];
  a.rollups = std::move(rollups);
  if (a.form == 0) a.form = b.form;
  a.rows += b.rows;
  a.after += b.after;
  if (b.last_end) a.last_end = a.last_end ? std::max(*a.last_end, *b.last_end) : *b.last_end;
  for (std::size_t i = 0; i < a.first_entity.size(); ++i) {
    auto& f = a.first_entity[i];
    const auto g = b.first_entity[i];
    if (g == no_entity || f == impl::several) continue;
    if (f == no_entity || g == impl::several || f != g) f = f == no_entity ? g : impl::several;
  }
  for (const auto& [k, s] : b.derivations) {
    auto& d = a.derivations[k];
    d.num += s.num;
    d.den += s.den;
    d.units += s.units;
    d.missing += s.missing;
  }
  // standards: the later year wins; rows of a year no longer the latest go
  if (!a.std_year.empty()) {
    bool changed = false;
    for (std::size_t k = 0; k < a.std_year.size(); ++k)
      if (b.std_year[k] > a.std_year[k]) {
        a.std_year[k] = b.std_year[k];
        changed = true;
      }
    if (changed) keep_standard_rows(a, a.std_masks);
    const std::size_t before = a.std_rows.size();
    auto& t = a.std_rows;
    const auto& u = b.std_rows;
    t.indicator.insert(t.indicator.end(), u.indicator.begin(), u.indicator.end());
    t.entity.insert(t.entity.end(), u.entity.begin(), u.entity.end());
    t.start.insert(t.start.end(), u.start.begin(), u.start.end());
    t.end.insert(t.end.end(), u.end.begin(), u.end.end());
    t.value.insert(t.value.end(), u.value.begin(), u.value.end());
    t.flags.insert(t.flags.end(), u.flags.begin(), u.flags.end());
    t.weight.insert(t.weight.end(), u.weight.begin(), u.weight.end());
    a.std_masks.insert(a.std_masks.end(), b.std_masks.begin(), b.std_masks.end());
    t.yearly_unique = false;
    if (t.size() > before) keep_standard_rows(a, a.std_masks);
  }
  a.used_static += b.used_static;
  for (const auto& [mask, n] : b.used_patterns) a.used_patterns[mask] += n;
  return *this;
}

namespace {
/// Throws unless the states of `m` fit plan `p` (indices in range, one roll-up per request).
void check_fits(const evaluation_partial::impl& m, const plan& p, const char* what) {
  if (!(p.key() == m.key))
    throw error(std::string(what) + ": the partial is of plan \"" + m.key.id +
                "\" (or other indicators or entities), not \"" + p.id() + "\"");
  const std::size_t n_ind = p.indicators().size(), n_ent = p.entities().size(), n_t = p.targets().size();
  bool ok = m.first_entity.size() == n_ind && m.rollups.size() == rollup_requests(p, 1).size();
  for (auto e : m.first_entity) ok = ok && (e < n_ent || e == no_entity || e == evaluation_partial::impl::several);
  for (auto t : m.std_target) ok = ok && t < n_t;
  for (const auto& inds : m.std_inds)
    for (auto i : inds) ok = ok && i < n_ind;
  for (std::size_t r = 0; r < m.std_rows.size() && ok; ++r)
    ok = m.std_rows.indicator[r] < n_ind && m.std_rows.entity[r] < n_ent;
  for (const auto& [k, s] : m.derivations) ok = ok && k.first < n_t;
  if (!ok) throw error(std::string(what) + ": the states do not fit the plan's layout");
}
} // namespace

report evaluation_partial::finalise(const plan& p, const evaluate_options& options) const {
  if (!impl_) return evaluate(p, observation_view{}, options);
  const auto& m = *impl_;
  check_fits(m, p, "evaluation_partial::finalise");
  // the options must be those of the states
  impl expected;
  expected.opt.as_of = options.as_of;
  expected.opt.primary = options.primary;
  expected.opt.methods = options.methods;
  expected.opt.params = options.params;
  for (const auto& st : options.standards) expected.standard_ids.push_back(st.id);
  standard_layout(p, options, expected);
  if (eval_options_bytes(expected) != m.opt_bytes) {
    std::string what;
    if (options.as_of != m.opt.as_of)
      what = "as_of " + format_date(options.as_of) + ", the states were computed at " + format_date(m.opt.as_of);
    else if (expected.standard_ids != m.standard_ids || expected.std_target != m.std_target ||
             expected.std_inds != m.std_inds)
      what = "other standards than the states were computed with (pass the same evaluate_options::standards)";
    else
      what = "other methods or parameters than the states were computed with";
    throw error("evaluation_partial::finalise: " + what);
  }
  return evaluator(p, m, options).run();
}

report evaluation_partial::finalise(const plan& p) const {
  if (!impl_)
    throw error("evaluation_partial::finalise: the empty partial carries no options (no part was merged in); "
                "call finalise(plan, options) for the report of no rows");
  if (!impl_->standard_ids.empty())
    throw error("evaluation_partial::finalise: the states were computed with standards given in the options; pass "
                "them again with finalise(plan, options)");
  return finalise(p, impl_->opt);
}

std::string evaluation_partial::to_bytes() const {
  std::string out(eval_partial_magic);
  detail::binary_oarchive ar(out);
  ar(eval_partial_format_version, empty());
  if (impl_) {
    const auto& m = *impl_;
    std::vector<std::uint32_t> d_target;
    std::vector<std::int32_t> d_year;
    std::vector<double> d_num, d_den;
    std::vector<std::uint64_t> d_units, d_missing;
    for (const auto& [k, s] : m.derivations) {
      d_target.push_back(k.first);
      d_year.push_back(k.second);
      d_num.push_back(s.num);
      d_den.push_back(s.den);
      d_units.push_back(s.units);
      d_missing.push_back(s.missing);
    }
    std::vector<std::vector<std::uint64_t>> pattern_masks;
    std::vector<std::uint64_t> pattern_counts;
    for (const auto& [mask, n] : m.used_patterns) {
      pattern_masks.push_back(mask);
      pattern_counts.push_back(n);
    }
    std::vector<std::string> rollups;
    for (const auto& r : m.rollups) rollups.push_back(r.to_bytes());
    const auto& t = m.std_rows;
    ar(m.key.id, m.key.indicators, m.key.entities, m.key.indicator_hash, m.key.entity_hash, m.opt_bytes, m.form,
       m.rows, m.after, m.last_end, m.first_entity, rollups, d_target, d_year, d_num, d_den, d_units, d_missing,
       m.std_year, t.indicator, t.entity, t.start, t.end, t.value, t.flags, t.weight, m.std_masks, m.used_static,
       pattern_masks, pattern_counts);
  }
  ar(detail::fnv1a64(out));
  return out;
}

evaluation_partial evaluation_partial::from_bytes(std::string_view bytes) {
  try {
    constexpr std::size_t smallest = eval_partial_magic.size() + sizeof(std::uint32_t) + 1 + sizeof(std::uint64_t);
    if (bytes.size() < smallest) throw error("truncated input (" + std::to_string(bytes.size()) + " bytes)");
    if (bytes.substr(0, eval_partial_magic.size()) != eval_partial_magic)
      throw error("not a planeval evaluation partial (no \"pve\" magic)");
    const std::string_view body = bytes.substr(0, bytes.size() - sizeof(std::uint64_t));
    detail::binary_iarchive ar(body.substr(eval_partial_magic.size()));
    std::uint32_t format = 0;
    ar(format);
    if (format != eval_partial_format_version)
      throw error("unsupported format version " + std::to_string(format) + " (this build reads " +
                  std::to_string(eval_partial_format_version) + ")");
    std::uint64_t stored = 0;
    detail::binary_iarchive{bytes.substr(body.size())}(stored);
    if (stored != detail::fnv1a64(body)) throw error("corrupt input (checksum mismatch)");
    bool is_empty = false;
    ar(is_empty);
    evaluation_partial out;
    if (!is_empty) {
      out.impl_ = std::make_unique<impl>();
      auto& m = *out.impl_;
      std::vector<std::uint32_t> d_target;
      std::vector<std::int32_t> d_year;
      std::vector<double> d_num, d_den;
      std::vector<std::uint64_t> d_units, d_missing;
      std::vector<std::vector<std::uint64_t>> pattern_masks;
      std::vector<std::uint64_t> pattern_counts;
      std::vector<std::string> rollups;
      auto& t = m.std_rows;
      ar(m.key.id, m.key.indicators, m.key.entities, m.key.indicator_hash, m.key.entity_hash, m.opt_bytes, m.form,
         m.rows, m.after, m.last_end, m.first_entity, rollups, d_target, d_year, d_num, d_den, d_units, d_missing,
         m.std_year, t.indicator, t.entity, t.start, t.end, t.value, t.flags, t.weight, m.std_masks, m.used_static,
         pattern_masks, pattern_counts);
      eval_options_from_bytes(m.opt_bytes, m);
      if (m.form > 4) throw error("corrupt form byte");
      if (m.after > m.rows) throw error("corrupt counters (more rows after as_of than rows)");
      for (const auto& r : rollups) m.rollups.push_back(rollup_partial::from_bytes(r));
      const std::size_t nd = d_target.size();
      if (d_year.size() != nd || d_num.size() != nd || d_den.size() != nd || d_units.size() != nd ||
          d_missing.size() != nd)
        throw error("corrupt derivation sums (columns of different lengths)");
      for (std::size_t k = 0; k < nd; ++k)
        m.derivations[{d_target[k], d_year[k]}] = {d_num[k], d_den[k], d_units[k], d_missing[k]};
      if (m.std_year.size() != m.std_target.size()) throw error("corrupt standard years");
      const std::size_t n = t.indicator.size(), w = slot_words(m);
      if (t.entity.size() != n || t.start.size() != n || t.end.size() != n || t.value.size() != n ||
          t.flags.size() != n || (!t.weight.empty() && t.weight.size() != n) || m.std_masks.size() != n * w)
        throw error("corrupt standard rows (columns of different lengths)");
      if (!t.weight.empty() && !m.has_weight()) throw error("corrupt standard rows (a weight column in a part without)");
      t.derived = true;
      if (pattern_masks.size() != pattern_counts.size()) throw error("corrupt row counts");
      for (std::size_t k = 0; k < pattern_masks.size(); ++k) {
        if (pattern_masks[k].size() != w) throw error("corrupt row counts");
        m.used_patterns[pattern_masks[k]] += pattern_counts[k];
      }
    }
    if (!ar.at_end()) throw error(std::to_string(ar.remaining()) + " unexpected trailing bytes");
    return out;
  } catch (const error& e) {
    throw error(std::string("evaluation_partial::from_bytes: ") + e.what());
  }
}

evaluation_partial evaluation_partial::from_bytes(const plan& p, std::string_view bytes) {
  evaluation_partial out = from_bytes(bytes);
  if (out.impl_) {
    check_fits(*out.impl_, p, "evaluation_partial::from_bytes");
    for (auto& r : out.impl_->rollups) r = rollup_partial::from_bytes(p, r.to_bytes());
  }
  return out;
}

} // namespace planeval
