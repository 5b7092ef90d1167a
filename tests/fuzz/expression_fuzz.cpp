// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Fuzz harness: the formula language (planeval::expression, planeval/expression.hpp).
//
// Properties, for any input bytes:
// - expression::parse returns a formula or throws planeval::error (expression_error), nothing
//   else, no crash, within the documented limits;
// - the canonical text is a fixed point: to_string() parses again, to the same canonical text,
//   result type, references and constants;
// - the formula and its canonical re-parse evaluate to the same values (bit for bit, NaN where
//   missing) and the same presence under every missing-value policy, on a fixed set of eight-row
//   columns with zeros, negatives and missing values (every #{id} reads one of four columns and
//   every C{id} one of four constants, chosen by a hash of the id); evaluation with every input
//   given does not throw; substitute() and aggregate_ratio() on the results do not crash.
#include <planeval/expression.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_common.hpp"

namespace {

using planeval_fuzz::fail;

constexpr std::size_t rows = 8;
const std::array<std::array<double, rows>, 4> column_values{{
    {0, 1, -2.5, 3, 100, 1e-3, 7, 0},
    {2, 0, 4, 0, 5, -1, 0.5, 1e6},
    {1, 0, 0, 0, 0, 0, 0, 0},
    {-3, -3, 8, 8, 0, 2, 0, 9},
}};
const std::array<std::array<std::uint8_t, rows>, 4> column_present{{
    {1, 1, 1, 1, 1, 1, 1, 1},
    {1, 1, 1, 0, 1, 1, 1, 1},
    {1, 0, 0, 0, 0, 0, 0, 0},
    {1, 1, 1, 1, 1, 1, 0, 1},
}};
const std::array<double, 4> constant_values{2, 0, -1.5, 100};
const std::array<std::uint32_t, rows> groups{0, 0, 1, 1, 2, 2, 3, 3};

std::size_t slot_of(const std::string& id) { // FNV-1a: the same column for the same id, always
  std::uint64_t h = 1469598103934665603ULL;
  for (const unsigned char c : id) h = (h ^ c) * 1099511628211ULL;
  return static_cast<std::size_t>(h % 4);
}

planeval::expression_inputs inputs_for(const planeval::expression& e) {
  planeval::expression_inputs in(rows);
  for (const auto& id : e.references()) {
    const auto k = slot_of(id);
    in.column(id, column_values[k], column_present[k]);
  }
  for (const auto& id : e.constants()) in.constant(id, constant_values[slot_of(id)]);
  return in;
}

std::string describe(const planeval::expression_column& c) {
  std::string s = std::string(planeval::to_string(c.type)) + " [";
  for (std::size_t i = 0; i < c.value.size(); ++i)
    s += (i ? ", " : "") + (i < c.present.size() && c.present[i] ? std::to_string(c.value[i]) : std::string("missing"));
  return s + "]";
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = planeval_fuzz::as_text(data, size);
  std::optional<planeval::expression> e;
  try {
    e.emplace(planeval::expression::parse(text));
  } catch (const planeval::error& err) {
    planeval_fuzz::trace("expression::parse refused", err.what());
    return 0;
  }
  if (e->node_count() > planeval::expression_limits::max_nodes) fail("more nodes than the limit", {}, text);

  // The canonical text is a fixed point.
  const std::string canonical = e->to_string();
  std::optional<planeval::expression> e2;
  try {
    e2.emplace(planeval::expression::parse(canonical));
  } catch (const planeval::error& err) {
    fail("the canonical text does not parse", std::string(err.what()) + "; canonical: " + canonical, text);
  }
  const std::string canonical2 = e2->to_string();
  if (canonical2 != canonical) fail("to_string() is not a fixed point", canonical + "  ->  " + canonical2, text);
  if (e2->result_type() != e->result_type()) fail("the canonical text has another type", canonical, text);
  if (e2->references() != e->references() || e2->constants() != e->constants())
    fail("the canonical text references other ids", canonical, text);

  // The same values, under every policy.
  const auto in = inputs_for(*e);
  std::map<std::string, std::optional<double>, std::less<>> subst;
  for (const auto& id : e->references()) subst[id] = column_present[slot_of(id)][0] ? std::optional<double>(column_values[slot_of(id)][0]) : std::nullopt;
  (void)e->substitute(subst);
  for (const auto policy : {planeval::rules::missing_policy::skip_if_any_missing,
                            planeval::rules::missing_policy::skip_if_all_missing,
                            planeval::rules::missing_policy::never_skip}) {
    planeval::expression_column a, b;
    try {
      a = planeval::evaluate(*e, in, policy);
      b = planeval::evaluate(*e2, in, policy);
    } catch (const planeval::error& err) {
      fail("evaluate threw with every input given", std::string(err.what()) + "; canonical: " + canonical, text);
    }
    if (a.value.size() != rows || a.present.size() != rows) fail("evaluate: not one value per row", canonical, text);
    if (a.type != b.type || a.present != b.present || !planeval_fuzz::same(a.value, b.value))
      fail("the formula and its canonical text evaluate differently", canonical + ": " + describe(a) + " vs " + describe(b),
           text);
    for (std::size_t i = 0; i < rows; ++i)
      if (!a.present[i] && !std::isnan(a.value[i])) fail("a missing row does not hold NaN", describe(a), text);
    if (a.type == planeval::expression_type::number) {
      (void)planeval::aggregate_ratio(a, a, groups, 4, 100.0, policy);
    }
  }
  return 0;
}
