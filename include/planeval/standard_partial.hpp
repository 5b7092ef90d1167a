// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file standard_partial.hpp
/// An official standard evaluated in parts: each part of the rows (a file, a province's server, a
/// Dask partition) becomes a partial holding the only rows evaluate_standard could read from it;
/// partials are saved, shipped and merged; the merged partial finalises to exactly the
/// standard_result that evaluate_standard gives on all rows at once.
///
/// Design notes: evaluate_standard reads, per (standard indicator, entity), one row: the latest in
/// the period (end date inside it; ties: the later row), of an entity at or under the scope. A
/// partial keeps those rows of its part: rows of the standard's indicators (through
/// standard_options::indicators), of entities evaluate_standard reads (the scope, entities of kind
/// stage under it, units of the standard's kinds whose stage is one of its stages or that have
/// none), ending in the period, reduced to the latest per (indicator, entity). Merging
/// concatenates (the right-hand side's rows count as later) and reduces again, so any split of
/// the rows into consecutive parts, merged in order, gives evaluate_standard the rows it would
/// read, in their order: no part needs to hold an entity's rows together. Parts merged in another
/// order give evaluate_standard's result on the rows in that order, which is the same unless the
/// order of one entity's rows across parts matters: two rows of one (indicator, entity) with the
/// same end date (the later part in += order counts, as the later row does in memory), rows of
/// different indicators of one entity with the same end date (its students are the later row's
/// weight), or a derived indicator's inputs at several starts with one end date. Parts by entity
/// (each entity's rows in one part, in order) merge in any order.
///
/// When the plan derives some of the standard's indicators (formula indicators, derived.hpp) and
/// the rows are not derived yet, derive() reads every row of the derived indicators and of the
/// indicators their formulas reference at one (entity, start, end): for those indicators the
/// partial keeps the first and the last row of each (indicator, entity, start, end) instead
/// (what derive() reads: the later row's value, the first row's weight, the keys in order of
/// first appearance), and finalise derives as evaluate_standard does.
///
/// Bad rows raise data_error when the part's states are computed, naming the row in the part:
/// indices outside the plan (every row, as evaluate_standard), and a kept row of a standard
/// indicator with a value that is not finite and not flagged missing or a weight that is not finite
/// and >= 0. evaluate_standard raises the latter only for the rows it reads; the partial raises for
/// any row it keeps (the latest of its part), so it never accepts what evaluate_standard refuses
/// (it may refuse a bad row that a later part supersedes).

#include <planeval/standard.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace planeval {

/// The rows of some observations that evaluate_standard could read, for one standard, plan and
/// options. A value type: copy, merge with +=, save with to_bytes and read back with from_bytes.
class standard_partial {
public:
  /// An empty partial: the identity of += (adding a partial to it copies that partial).
  standard_partial();
  standard_partial(const standard_partial&);
  standard_partial(standard_partial&&) noexcept;
  standard_partial& operator=(const standard_partial&);
  standard_partial& operator=(standard_partial&&) noexcept;
  ~standard_partial();

  /// Merge `o` (the rows of a later part). Throws planeval::error if the partials are of different
  /// plans, standards or options, or of rows with and without a weight column (or derived and not).
  standard_partial& operator+=(const standard_partial& o);

  /// evaluate_standard(s, p, all rows merged so far, the options of standard_states). Throws
  /// planeval::error if `s` or `p` is not the standard or plan the partial was computed with (its
  /// id and digest; the plan's fingerprint and the structure of its entities). The identity
  /// finalises as evaluate_standard on no rows would need options it does not have: it throws.
  standard_result finalise(const standard& s, const plan& p) const;

  /// The partial as bytes (magic "pvs", a format version, the plan's fingerprint, the standard's
  /// id and digest, the options, the rows, an FNV-1a checksum), to save or ship to another process.
  std::string to_bytes() const;
  /// Read a partial written by to_bytes for plan `p`. Throws planeval::error if the bytes are
  /// truncated, corrupt, of an unknown format version, or of another plan.
  static standard_partial from_bytes(const plan& p, std::string_view bytes);
  /// Read a partial without its plan (to merge where the plan is not at hand, e.g. a worker of a
  /// cluster): the bytes are checked as above; the plan is checked by finalise.
  static standard_partial from_bytes(std::string_view bytes);

  /// True for the identity (no part was ever merged in).
  bool empty() const noexcept;
  /// The rows kept (what finalise hands evaluate_standard).
  std::size_t rows() const noexcept;
  /// The id of the standard (empty for the identity).
  const std::string& standard_id() const noexcept;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
  friend standard_partial standard_states(const standard&, const plan&, const observation_view&,
                                          const standard_options&);
};

/// The partial of `obs` for evaluating `s` on `p` with `options` (as evaluate_standard takes them).
/// Throws standard_error for an invalid standard, planeval::error for unusable options (the
/// messages of evaluate_standard) and data_error for bad rows (see the design notes).
standard_partial standard_states(const standard& s, const plan& p, const observation_view& obs,
                                 const standard_options& options);

} // namespace planeval
