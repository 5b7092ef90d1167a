// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file evaluate_partial.hpp
/// A plan evaluation in parts: each part of the rows (a file, a province's server, a Dask
/// partition) becomes a partial evaluation holding what evaluate() reads from the rows, in
/// mergeable form; partials are saved, shipped and merged (in part order); the merged partial
/// finalises to the report evaluate() gives on all rows at once (the parts' rows concatenated in
/// part order).
///
/// What evaluate() reads from the rows, and how a partial keeps it:
/// - the counters: rows given, rows after as_of (summed), where the data end (the latest end day
///   of a row up to as_of: a maximum);
/// - the roll-up of every target's indicator to its scope's level per calendar year: one
///   rollup_partial per entity kind of the targets' scopes (rollup_states with the options
///   evaluate() uses), finalised as rollup() would give them (floating values to rounding: sums
///   merge in another order);
/// - whether a weight assumed 1 changes a figure: per weighted indicator the first entity seen,
///   or "several";
/// - the derivation line of a derived target's trace: per target and year the sums of the
///   derived rows' numerators and denominators under the scope, and the units with and without a
///   value;
/// - targets judged by an official standard: per target the latest year (up to the deadline or
///   as_of) with a row of the standard's indicators under the scope (a maximum), and the rows of
///   that year that evaluate_standard reads (standard indicators, under the scope); a part keeps
///   only the rows of its own latest year and merging drops the rows of a year that is no longer
///   the latest, so the standard is evaluated at finalise on exactly the rows evaluate() gives it,
///   in the same order (its "latest row, then the later row" rule holds across parts merged in
///   part order);
/// - the rows used: rows under a target's scope are counted at once; rows that are only under the
///   scope of a standard-judged target are counted per pattern of such targets, and the patterns
///   of the targets actually judged by their standard are added at finalise.
///
/// What a part must hold: the same as for rollup_partial (rollup_partial.hpp): the rows of one
/// indicator, entity and calendar year in one part (they combine in time); a derived indicator's
/// inputs for one entity and period together; a rate's denominator row with the rate's row. A part
/// per entity (school, district) or per year satisfies all three. Merging two partials whose
/// rows share an (indicator, entity, year) key of a target's indicator raises data_error (the
/// roll-up's keys). Parts must all have a weight column or all lack one, and all be derived rows
/// (observation_view::derived) or none: mixing is refused with planeval::error.
///
/// Merging is associative but not commutative: merge in part order (a += b with a's rows before
/// b's), in any tree shape. Bad rows raise data_error while the states are computed, naming the
/// row of the part; a non-finite value of a standard's row used at finalise is named by its row
/// in the rows kept for standards, not in the part.
///
/// Options: the partial carries as_of, the primary method, the methods and their parameters
/// (merging partials computed with other ones throws planeval::error). Standards given in
/// evaluate_options::standards are not carried (the states depend only on which plan indicators
/// each standard-judged target's standard names, which is carried and checked): finalise takes
/// them again (finalise(p, options)), or finalise(p) when none were given.

#include <planeval/evaluate.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace planeval {

/// What evaluate() reads from some of the rows, mergeable. A value type: copy, merge with +=, save
/// with to_bytes and read back with from_bytes.
class evaluation_partial {
public:
  /// An empty partial: the identity of += (adding a partial to it copies that partial).
  evaluation_partial();
  evaluation_partial(const evaluation_partial&);
  evaluation_partial(evaluation_partial&&) noexcept;
  evaluation_partial& operator=(const evaluation_partial&);
  evaluation_partial& operator=(evaluation_partial&&) noexcept;
  ~evaluation_partial();

  /// Merge `o`, the states of the rows after this partial's. Throws planeval::error if the
  /// partials are of different plans or options (as_of, methods, parameters, standards), or mix
  /// parts with and without a weight column (or derived and underived rows), and data_error if
  /// both hold rows of one (indicator, entity, year) of a target's indicator.
  evaluation_partial& operator+=(const evaluation_partial& o);

  /// The report of all rows merged so far: the report evaluate(p, all rows, options) gives, with
  /// the options the states were computed with (`options.threads` is free; `options.standards`
  /// must be the standards given then: their ids and the plan indicators they name are checked).
  /// Throws planeval::error if `p` is not the partial's plan or the options differ.
  report finalise(const plan& p, const evaluate_options& options) const;
  /// finalise with the carried options; throws planeval::error if the states were computed with
  /// standards given in evaluate_options::standards (pass them with finalise(p, options)), or for
  /// the empty partial (it carries no options; finalise(p, options) gives the report of no rows).
  report finalise(const plan& p) const;

  /// The options carried (as_of, primary, methods, params; standards and threads left empty).
  evaluate_options options() const;

  /// The partial as bytes (magic "pve", a format version, the plan's fingerprint, the options,
  /// the states, an FNV-1a checksum), to save or ship to another process.
  std::string to_bytes() const;
  /// Read a partial written by to_bytes for plan `p`. Throws planeval::error naming what is
  /// wrong if the bytes are truncated, corrupt, of an unknown format version, or of another plan.
  static evaluation_partial from_bytes(const plan& p, std::string_view bytes);
  /// Read a partial without its plan (to merge on a worker of a cluster): checked as above except
  /// for the plan, which finalise checks.
  static evaluation_partial from_bytes(std::string_view bytes);

  /// True for the identity (no part was ever merged in).
  bool empty() const noexcept;
  /// Rows given so far (report::rows).
  std::size_t rows() const noexcept;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
  friend evaluation_partial evaluate_states(const plan&, const observation_view&, const evaluate_options&);
};

/// The partial evaluation of the rows `obs` (one part) with `options` (as evaluate() takes them;
/// `threads` applies to this call only). Throws planeval::error for unknown method parameters and
/// data_error for bad rows, as evaluate() does.
evaluation_partial evaluate_states(const plan& p, const observation_view& obs, const evaluate_options& options);

} // namespace planeval
