// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rollup_partial.hpp
/// A roll-up in parts: each part of the rows (a file, a province's server, a Dask partition)
/// becomes a partial result holding the roll-up's per-group rule states; partials are saved,
/// shipped and merged; the merged partial finalises to exactly the rollup_result that rollup()
/// gives on all rows at once.
///
/// Design notes: a partial holds the same dense arrays of mergeable rule states that rollup()
/// fills (one cell per group × indicator × stage × period, the same hot loop: no allocation or
/// virtual call per row), the counters of the result, and a bitmap of the (indicator, entity,
/// period) keys its rows held. The periods of a part start at the year of its earliest row (as
/// rollup's do), so merging realigns the arrays of two parts whose data start in different years.
///
/// What a part must hold: rows that combine before entities do stay in one part. That is, the rows
/// of one indicator, entity and period (they combine in time first); a derived indicator's inputs
/// for one entity and period (derive() reads them together); an indicator weighed by a
/// denominator indicator, with the denominator's row of the same entity and period. A part per
/// entity (school, district, province) or per year satisfies all three. Merging two partials
/// whose rows share an (indicator, entity, period) key raises data_error (the keys' bitmap); a
/// denominator in another part is not detected: the row is weighed 1 and its entity listed in
/// rollup_result::weight_assumed_entities, as rollup() does when a denominator is missing.
///
/// Only mergeable rules can be rolled up in parts: every rule a roll-up takes (rollup_supports) is
/// mergeable; median and percentile are not (their state keeps every value) and are refused.

#include <planeval/rollup.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace planeval {

/// Per-group rule states of a roll-up over some of the rows. A value type: copy, merge with +=,
/// save with to_bytes and read back with from_bytes.
class rollup_partial {
public:
  /// An empty partial: the identity of += (adding a partial to it copies that partial).
  rollup_partial();
  rollup_partial(const rollup_partial&);
  rollup_partial(rollup_partial&&) noexcept;
  rollup_partial& operator=(const rollup_partial&);
  rollup_partial& operator=(rollup_partial&&) noexcept;
  ~rollup_partial();

  /// Merge `o` (the states of other rows): groups united, states merged with the rules' +=.
  /// Throws planeval::error if the partials are of different plans or options, and data_error if
  /// both hold rows of one (indicator, entity, period) (the rows of such a key must be in one part).
  rollup_partial& operator+=(const rollup_partial& o);

  /// The roll-up of all rows merged so far: equal to rollup(p, all rows, options). Throws
  /// planeval::error if `p` is not the plan the partial was computed with (its fingerprint).
  rollup_result finalise(const plan& p) const;

  /// The partial as bytes (magic "pvp", a format version, the plan's fingerprint, the options,
  /// the states, an FNV-1a checksum), to save or ship to another process.
  std::string to_bytes() const;
  /// Read a partial written by to_bytes for plan `p`. Throws planeval::error if the bytes are
  /// truncated, corrupt, of an unknown format version, or of another plan (different ids).
  static rollup_partial from_bytes(const plan& p, std::string_view bytes);
  /// Read a partial without its plan (to merge where the plan is not at hand, e.g. a worker of a
  /// cluster): the bytes are checked as above, and the states for one consistent layout; the plan
  /// is checked by finalise, and += refuses partials of other plans, options or layouts.
  static rollup_partial from_bytes(std::string_view bytes);

  /// True for the identity (no rows were ever merged in).
  bool empty() const noexcept;
  /// Input rows that entered a group so far (rollup_result::rows_used of the final result).
  std::size_t rows_used() const noexcept;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
  friend rollup_partial rollup_states(const plan&, const observation_view&, const rollup_options&);
};

/// The counts of a k-of-n roll-up (rollup_k_of_n) over some of the rows: per group, stage and
/// period the units judged, passing and incomplete, and which units were judged in which period.
/// A value type like rollup_partial: merge with +=, save with to_bytes, read with from_bytes, and
/// finalise to exactly the k_of_n_result rollup_k_of_n gives on all rows.
///
/// What a part must hold: a unit is judged on all its values for a period, so the rows of one
/// observed entity (of a stage with criteria) and period stay in one part; a part per entity
/// (school, district, province) or per year satisfies that. Merging two partials that both judged
/// one (entity, period) raises data_error naming them (a bitmap of the judged keys, kept sparse).
class k_of_n_partial {
public:
  /// An empty partial: the identity of +=.
  k_of_n_partial();
  k_of_n_partial(const k_of_n_partial&);
  k_of_n_partial(k_of_n_partial&&) noexcept;
  k_of_n_partial& operator=(const k_of_n_partial&);
  k_of_n_partial& operator=(k_of_n_partial&&) noexcept;
  ~k_of_n_partial();

  /// Merge `o` (the counts of other rows). Throws planeval::error if the partials are of different
  /// plans, options or specs, and data_error if both judged one unit in one period (nothing is
  /// changed then).
  k_of_n_partial& operator+=(const k_of_n_partial& o);

  /// The k-of-n roll-up of all rows merged so far: equal to rollup_k_of_n(p, all rows, options,
  /// spec). Throws planeval::error if `p` is not the plan the partial was computed with.
  k_of_n_result finalise(const plan& p) const;

  /// The partial as bytes (magic "pvk", a format version, the plan's fingerprint, the options, the
  /// spec, the nonzero counts and the judged keys, an FNV-1a checksum).
  std::string to_bytes() const;
  /// Read a partial written by to_bytes for plan `p`. Throws planeval::error if the bytes are
  /// truncated, corrupt, of an unknown format version, or of another plan.
  static k_of_n_partial from_bytes(const plan& p, std::string_view bytes);
  /// Read a partial without its plan (to merge on a worker): checked as above for one consistent
  /// layout; the plan is checked by finalise.
  static k_of_n_partial from_bytes(std::string_view bytes);

  /// True for the identity (nothing was ever merged in).
  bool empty() const noexcept;
  /// Units judged so far, summed over groups and periods.
  std::uint64_t units() const noexcept;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
  friend k_of_n_partial rollup_k_of_n_states(const plan&, const observation_view&, const rollup_options&,
                                             const k_of_n_spec&);
};

/// The partial roll-up of `obs` with `options` (as rollup(p, obs, options) takes them; `threads`
/// and `min_rows_per_thread` apply to this call only). Throws planeval::error for an unusable
/// request, naming a rule that cannot be rolled up in parts and the indicators it was asked for,
/// and data_error for bad rows.
rollup_partial rollup_states(const plan& p, const observation_view& obs, const rollup_options& options = {});

/// The k-of-n counts of `obs` as a partial (the arguments of rollup_k_of_n; `threads` and
/// `min_rows_per_thread` apply to this call only). Throws planeval::error for an unusable spec or
/// level and data_error for bad rows, as rollup_k_of_n does.
k_of_n_partial rollup_k_of_n_states(const plan& p, const observation_view& obs, const rollup_options& options,
                                    const k_of_n_spec& spec);

} // namespace planeval
