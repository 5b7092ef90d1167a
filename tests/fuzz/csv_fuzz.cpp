// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Fuzz harness: the observations CSV reader (planeval::parse_csv + planeval::read_observations,
// planeval/observations.hpp), against the mini plan of tests/cpp/test_plans.hpp (indicators
// teachers: count, rate: %, passed: boolean, posts: shares; entities d and its stage s1; new
// schools may be added under them with the `parent` column).
//
// Properties, for any input bytes:
// - parse_csv returns columns of equal length or throws planeval::error, nothing else;
// - read_observations with on_bad_row::collect throws only for the header (a missing required
//   column, not exactly one time column ...: a message that does not name a row), and then so does
//   on_bad_row::raise; otherwise every row is accounted for:
//   accepted + duplicates + rejected == rows == the CSV's data rows, the table has `accepted`
//   rows, every rejected or duplicate row number is a row of the input and no row is counted twice
//   (a rejected row is neither accepted nor a duplicate);
// - the accepted table checks clean against the plan it was read into (no rejection, no
//   duplicate);
// - on_bad_row::raise agrees: it throws planeval::data_error exactly when collect rejected a row,
//   and otherwise returns the same table and counts.
#include <planeval/json.hpp>
#include <planeval/observations.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "../cpp/test_plans.hpp"
#include "fuzz_common.hpp"

namespace {

using planeval_fuzz::fail;

const planeval::plan& base_plan() {
  static const planeval::plan p = planeval::parse_plan(planeval_test::mini_plan);
  return p;
}

/// An error about a row names it first ("fuzz.csv: row 3 (line 5), column value: ..."); anything else
/// is about the table as a whole (a missing or repeated column, not exactly one time column).
bool header_refusal(const std::string& message) {
  const std::string row = "fuzz.csv: row ";
  return !(message.compare(0, row.size(), row) == 0 && message.size() > row.size() &&
           message[row.size()] >= '0' && message[row.size()] <= '9');
}

bool same_table(const planeval::observation_table& a, const planeval::observation_table& b) {
  return a.indicator == b.indicator && a.entity == b.entity && a.start == b.start && a.end == b.end &&
         planeval_fuzz::same(a.value, b.value) && planeval_fuzz::same(a.weight, b.weight) && a.flags == b.flags;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = planeval_fuzz::as_text(data, size);
  planeval::text_columns columns;
  try {
    columns = planeval::parse_csv(text, "fuzz.csv");
  } catch (const planeval::error& e) {
    planeval_fuzz::trace("parse_csv refused", e.what());
    return 0;
  }
  if (columns.cells.size() != columns.names.size()) fail("parse_csv: one column of cells per header name", {}, text);
  const std::size_t rows = columns.cells.empty() ? 0 : columns.cells.front().size();
  for (const auto& c : columns.cells)
    if (c.size() != rows) fail("parse_csv: columns of different lengths", {}, text);

  // Collect: every row accounted for.
  planeval::plan pc = base_plan();
  planeval::ingest_report rc;
  planeval::read_options collect;
  collect.mode = planeval::on_bad_row::collect;
  std::optional<planeval::observation_table> tc;
  try {
    tc = planeval::read_observations(pc, columns, rc, collect, "fuzz.csv");
  } catch (const planeval::error& e) {
    if (!header_refusal(e.what()))
      fail("read_observations (collect) threw for a row instead of collecting it", e.what(), text);
    planeval_fuzz::trace("read_observations refused the header", e.what());
    planeval::plan pr = base_plan();
    planeval::ingest_report rr;
    try {
      (void)planeval::read_observations(pr, columns, rr, {}, "fuzz.csv");
    } catch (const planeval::error&) {
      return 0;
    }
    fail("on_bad_row::raise accepted a table that collect refused as a whole", e.what(), text);
  }
  const std::string counts = "rows " + std::to_string(rc.rows) + ", accepted " + std::to_string(rc.accepted) +
                             ", duplicates " + std::to_string(rc.duplicates) + ", rejected " +
                             std::to_string(rc.rejected.size()) + ", data rows " + std::to_string(rows) +
                             ", table " + std::to_string(tc->size());
  if (rc.rows != rows) fail("report.rows is not the number of data rows", counts, text);
  if (rc.accepted + rc.duplicates + rc.rejected.size() != rc.rows)
    fail("accepted + duplicates + rejected != rows", counts, text);
  if (tc->size() != rc.accepted) fail("the table does not have `accepted` rows", counts, text);
  if (rc.duplicate_rows.size() != rc.duplicates) fail("duplicate_rows does not list every duplicate", counts, text);
  std::vector<std::size_t> seen;
  for (const auto& r : rc.rejected) seen.push_back(r.row);
  seen.insert(seen.end(), rc.duplicate_rows.begin(), rc.duplicate_rows.end());
  std::sort(seen.begin(), seen.end());
  if (std::adjacent_find(seen.begin(), seen.end()) != seen.end())
    fail("a row is rejected twice, or both rejected and a duplicate", counts, text);
  if (!seen.empty() && seen.back() >= rows) fail("a rejected or duplicate row number is not an input row", counts, text);
  std::size_t missing = 0;
  for (std::size_t i = 0; i < tc->size(); ++i)
    if (tc->view().is_missing(i)) ++missing;
  if (missing != rc.missing) fail("report.missing is not the number of accepted missing values", counts, text);

  // The accepted rows check clean against the plan they were read into.
  planeval::ingest_report again;
  const auto keep = planeval::check_observations(pc, tc->view(), again, planeval::on_bad_row::collect);
  if (!again.rejected.empty() || again.duplicates != 0 || again.accepted != tc->size() ||
      std::count(keep.begin(), keep.end(), std::uint8_t{1}) != static_cast<std::ptrdiff_t>(tc->size()))
    fail("the accepted rows do not check clean", again.rejected.empty() ? counts : again.rejected.front().message,
         text);

  // Raise mode agrees with collect mode.
  planeval::plan pr = base_plan();
  planeval::ingest_report rr;
  try {
    const planeval::observation_table tr = planeval::read_observations(pr, columns, rr, {}, "fuzz.csv");
    if (!rc.rejected.empty())
      fail("on_bad_row::raise accepted data in which collect rejected a row", rc.rejected.front().message, text);
    if (!same_table(tr, *tc) || rr.accepted != rc.accepted || rr.duplicates != rc.duplicates || rr.rows != rc.rows ||
        rr.added_entities != rc.added_entities)
      fail("on_bad_row::raise and collect read different tables", counts, text);
  } catch (const planeval::data_error& e) {
    if (rc.rejected.empty()) fail("on_bad_row::raise threw where collect rejected nothing", e.what(), text);
  }
  return 0;
}
