// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file rules.hpp
/// Umbrella header for the aggregation rules (namespace planeval::rules) and their serialization.
///
/// Design notes: every rule is a small value type modelled on Boost.Histogram's accumulators.
/// Default construction gives the empty state (the identity); parameters (ddof, threshold,
/// comparator, missing policy, target shares...) are constructor arguments and part of the state.
/// `operator()(...)` observes a present value, `missing(...)` a missing one; `value()` is a
/// std::optional<double> (nullopt when undefined); `count()` and `missing_count()` count present and
/// missing observations. Mergeable rules (`mergeable == true`) have `operator+=`, which combines
/// partial states from threads, files or processes into the one-pass result, in any order and
/// grouping; merging states with different parameters throws planeval::error, except that a state
/// equal to the default-constructed one (no data, default parameters) is a two-sided identity for
/// any state of its type, so `R total; for (auto& p : parts) total += p;` works. Floating sums merged
/// in another order may differ in the last bits. States serialize with `serialize(Archive&,
/// unsigned)`; planeval::to_bytes / planeval::from_bytes<R> ship them as bytes.
///
/// | rule | observe | value() |
/// |---|---|---|
/// | sum, count, mean | (x) | Σx, n, Σx/n |
/// | min, max | (x) | smallest, largest |
/// | first, last | (x, date or day) | value on the earliest / latest day |
/// | weighted_mean | (x, w) | Σwx/Σw |
/// | ratio_of_sums | (num, den) | factor·Σnum/Σden |
/// | mean_of_ratios | (num, den) | factor·mean(num/den) |
/// | variance, stddev | (x) or (x, w) | M2/(Σw − ddof), its root |
/// | cv | (x, P) or (x) | S/x̄ (差异系数, student-weighted by default) |
/// | share_meeting, count_meeting | (x) | share / number of units with x c threshold |
/// | k_of_n | (unit, values, present) | share of units passing k of n with a floor |
/// | year_over_year | (year, x) | 1 if 只增不减 (or strictly increasing) holds, else 0 |
/// | structure_shares | (category, x) | largest deviation from target shares, percentage points |
/// | median, percentile | (x) | type 7 quantile (not mergeable) |
///
/// The registry (rules/kind.hpp) names every rule (rules::rule_kind, its name table with DHIS2's
/// aggregation types as aliases) and dispatches from a kind to the rule's type (rules::visit).

#include <planeval/detail/archive.hpp>
#include <planeval/rules/common.hpp>
#include <planeval/rules/cv.hpp>
#include <planeval/rules/extremum.hpp>
#include <planeval/rules/first_last.hpp>
#include <planeval/rules/k_of_n.hpp>
#include <planeval/rules/kind.hpp>
#include <planeval/rules/meeting.hpp>
#include <planeval/rules/quantile.hpp>
#include <planeval/rules/ratio.hpp>
#include <planeval/rules/structure_shares.hpp>
#include <planeval/rules/sum.hpp>
#include <planeval/rules/variance.hpp>
#include <planeval/rules/weighted_mean.hpp>
#include <planeval/rules/year_over_year.hpp>
