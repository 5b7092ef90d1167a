// Read-only calls on one shared plan from many threads at once (issue 12): evaluate (also with its
// own worker threads), rollup with threads > 1, derive, evaluate_standard, to_json, summary and
// warnings, on the Baijiantan plan with its illustrative school data. Every thread's results must
// equal those of a serial run of the same calls. Built and run under ThreadSanitizer in CI
// (PLANEVAL_TSAN, .ci/test), where a data race fails the test even when the results agree.

#include <planeval/derived.hpp>
#include <planeval/embedded.hpp>
#include <planeval/evaluate.hpp>
#include <planeval/json.hpp>
#include <planeval/observations.hpp>
#include <planeval/rollup.hpp>
#include <planeval/standard.hpp>
#include <planeval/summary.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <exception>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using namespace planeval;

namespace {

constexpr unsigned thread_count = 8;
constexpr int rounds = 2;

/// Doubles written exactly (%a), so that two results compare bit for bit.
void put(std::string& out, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a,", x);
  out += buf;
}
template <class T> void put_all(std::string& out, const std::vector<T>& v) {
  for (const auto& x : v) {
    if constexpr (std::is_floating_point_v<T>)
      put(out, x);
    else
      out += std::to_string(static_cast<long long>(x)) + ",";
  }
  out += ";";
}

std::string fingerprint(const rollup_result& r) {
  std::string s;
  put_all(s, r.indicator);
  put_all(s, r.entity);
  put_all(s, r.stage);
  put_all(s, r.start);
  put_all(s, r.end);
  put_all(s, r.value);
  put_all(s, r.defined);
  put_all(s, r.units);
  put_all(s, r.missing_units);
  for (auto k : r.rule) s += std::string(to_string(k)) + ",";
  s += std::to_string(r.rows_used) + "/" + std::to_string(r.rows_outside_level) + "/" +
       std::to_string(r.rows_combined_in_time);
  return s;
}

std::string fingerprint(const derived_observations& d) {
  std::string s;
  put_all(s, d.table.indicator);
  put_all(s, d.table.entity);
  put_all(s, d.table.start);
  put_all(s, d.table.end);
  put_all(s, d.table.value);
  put_all(s, d.table.weight);
  put_all(s, d.table.flags);
  put_all(s, d.numerator);
  put_all(s, d.denominator);
  s += std::to_string(d.input_rows) + ";";
  for (const auto& x : d.summary)
    s += std::to_string(x.indicator) + ":" + std::to_string(x.rows) + ":" + std::to_string(x.values) + ":" +
         std::to_string(x.missing) + ":" + std::to_string(x.observed) + ":" + std::to_string(x.zero_denominator) + ";";
  return s;
}

bool same(const standard_result& a, const standard_result& b) {
  return a.standard == b.standard && a.scope == b.scope && a.period.start == b.period.start &&
         a.period.end == b.period.end && a.passed == b.passed && a.groups == b.groups && a.units == b.units &&
         a.cvs == b.cvs && a.composites == b.composites && a.criteria == b.criteria && a.reasons == b.reasons;
}

/// Everything one run of the read-only calls produces.
struct outcome {
  std::string report_json, report_text, report_threaded_json;
  std::string rollup_district, rollup_cv_by_stage;
  std::string derived;
  standard_result standard;
  std::string plan_json, plan_json_embedded, summary_zh, summary_en;
  std::vector<diagnostic> warnings;
  std::string error; ///< what a call threw, if one did
};

/// The shared inputs: the plan (with the standards' indicators and the schools of the data added)
/// and the rows, both only read from here on.
struct shared_inputs {
  plan p = baijiantan_plan();
  observation_table rows;
  shared_inputs() {
    std::set<std::string> ids;
    for (const auto& t : p.targets())
      if (!t.standard.empty()) ids.insert(t.standard);
    for (const auto& id : ids) add_standard_indicators(p, builtin_standard(id));
    ingest_report r;
    rows = read_observations_csv(p, PLANEVAL_SOURCE_DIR "/examples/baijiantan/illustrative_observations.csv", r);
  }
};

outcome run_all(const plan& p, const observation_view& obs, unsigned evaluate_threads) {
  outcome o;
  try {
    evaluate_options eo;
    eo.as_of = date(2023, 12, 31);
    eo.methods = {assess_method::statcan, assess_method::eurostat};
    const report r = evaluate(p, obs, eo);
    o.report_json = to_json(r, p);
    o.report_text = to_text(r, p, "zh") + to_text(r, p, "en");
    eo.threads = evaluate_threads;
    o.report_threaded_json = to_json(evaluate(p, obs, eo), p);

    rollup_options ro;
    ro.kind = entity_kind::district;
    ro.threads = 2;
    ro.min_rows_per_thread = 1; // the data are small: make the roll-up start its threads anyway
    o.rollup_district = fingerprint(rollup(p, obs, ro));
    ro.by_stage = true;
    ro.rule = rollup_rule::cv;
    ro.threads = 3;
    o.rollup_cv_by_stage = fingerprint(rollup(p, obs, ro));

    o.derived = fingerprint(derive(p, obs));

    standard_options so;
    so.period = period::calendar_year(2023);
    o.standard = evaluate_standard(builtin_standard("compulsory_quality_balance_2017"), p, obs, so);

    o.plan_json = to_json(p);
    o.plan_json_embedded = to_json(p, true);
    o.summary_zh = summary(p, "zh");
    o.summary_en = summary(p, "en");
    o.warnings = p.warnings();
  } catch (const std::exception& e) {
    o.error = e.what();
  }
  return o;
}

} // namespace

TEST_CASE("read-only calls on one shared plan from 8 threads agree with a serial run") {
  const shared_inputs in;
  const plan& p = in.p;
  const observation_view obs = in.rows.view();
  REQUIRE(obs.size() > 400);

  // The serial run: each evaluate_threads setting used below, on this thread alone.
  const outcome serial = run_all(p, obs, 1);
  REQUIRE(serial.error.empty());
  REQUIRE(!serial.report_json.empty());
  CHECK(serial.report_threaded_json == serial.report_json); // evaluate's own threads change nothing
  CHECK(serial.standard.units.size() > 0);

  std::vector<std::vector<outcome>> results(thread_count);
  std::latch start(thread_count);
  std::vector<std::thread> threads;
  for (unsigned k = 0; k < thread_count; ++k)
    threads.emplace_back([&, k] {
      start.arrive_and_wait(); // all threads begin together
      for (int i = 0; i < rounds; ++i) results[k].push_back(run_all(p, obs, k % 2 == 0 ? 1 : 4));
    });
  for (auto& t : threads) t.join();

  for (unsigned k = 0; k < thread_count; ++k) {
    REQUIRE(results[k].size() == static_cast<std::size_t>(rounds));
    for (const auto& o : results[k]) {
      CAPTURE(k);
      REQUIRE(o.error == "");
      CHECK(o.report_json == serial.report_json);
      CHECK(o.report_threaded_json == serial.report_json);
      CHECK(o.report_text == serial.report_text);
      CHECK(o.rollup_district == serial.rollup_district);
      CHECK(o.rollup_cv_by_stage == serial.rollup_cv_by_stage);
      CHECK(o.derived == serial.derived);
      CHECK(same(o.standard, serial.standard));
      CHECK(o.plan_json == serial.plan_json);
      CHECK(o.plan_json_embedded == serial.plan_json_embedded);
      CHECK(o.summary_zh == serial.summary_zh);
      CHECK(o.summary_en == serial.summary_en);
      CHECK(o.warnings == serial.warnings);
    }
  }
}
