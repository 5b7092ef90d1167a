// Tests of single-indicator progress assessment (planeval/assess.hpp).
//
// Every expected number is worked by hand in a comment. Notation: x0 at t0 (baseline), xt at t
// (current), xT at T (target); d = +1 increase, −1 decrease; CAGR(a→b over n years) = (b/a)^(1/n) − 1;
// τ = (t − t0)/(T − t0).
//
// Sources: Statistics Canada / Open SDG — open-sdg/open-sdg docs/progress-methodology.md and the
// reference code open-sdg/sdg-build sdg/ProgressMeasure.py (score lines 7.1429R − 4.2857 and
// 4.1667R − 2.5; no-target score 500v − 5 / 250v − 1.25 / 500v − 2.5 / 125v − 2.5; limit coefficient
// with exponent 4.44; zero base or target → 0.001). UNSD progress chart — EUSTAT-DES/site
// _pages/en/metodologia.md (ratio ≥ 0.95 → 3, ≥ 0.10 → 2; CAGR ≥ 2% / 0.5%; reached → 3). ESCAP —
// data.unescap.org/resource-guides/progress-assessment-methodology. None of these publishes a
// numeric worked example, so the cases below are hand computed; the published score end points
// ("130% → +5, −60% → −5"; "2% → +5, −2% → −5") and the rounded sdg-build coefficients are checked.
//
// Boundary cases use inputs whose arithmetic is exact in binary floating point (e.g. CAGR from 1 to
// 400 over 2 years = sqrt(400) − 1 = 19 exactly, so R = 19/20 is the same double as the literal 0.95).

#include <planeval.hpp>
#include <planeval/assess.hpp>
#include <planeval/error.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace planeval;
using doctest::Approx;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double qnan = std::numeric_limits<double>::quiet_NaN();

assess_input make(time_point base, time_point current, std::optional<time_point> target = std::nullopt,
                  direction dir = direction::increase) {
  assess_input in;
  in.baseline = base;
  in.current = current;
  in.target = target;
  in.dir = dir;
  return in;
}

/// The category belongs to the method's vocabulary (or is not_assessable with a reason in both languages).
void check_vocabulary(const assessment& a) {
  if (!a.assessable()) {
    CHECK_FALSE(a.reason.zh.empty());
    CHECK_FALSE(a.reason.en.empty());
    CHECK_FALSE(a.value.has_value());
    CHECK_FALSE(a.score.has_value());
    return;
  }
  const auto cats = categories(a.method);
  CHECK_MESSAGE(std::find(cats.begin(), cats.end(), a.category) != cats.end(), a.category);
  CHECK(a.reason.zh.empty());
  if (a.value) CHECK(std::isfinite(*a.value));
}

assessment run(assess_method m, const assess_input& in, const assess_params& p = {}) {
  assessment a = assess(m, in, p);
  CHECK(a.method == m);
  check_vocabulary(a);
  return a;
}

bool not_assessable(const assessment& a) { return a.category == "not_assessable" && !a.value; }

/// Inputs every method must refuse, with a reason, whatever the method.
std::vector<assess_input> unassessable_inputs() {
  std::vector<assess_input> v;
  const time_point b{2020, 40}, c{2023, 44}, tg{2025, 50};
  v.push_back(make(b, c, tg, direction::maintain)); // no progress direction
  v.push_back(make(b, c, tg, direction::band));     // idem
  v.push_back(make(b, {2023, qnan}, tg));           // NaN current
  v.push_back(make({2020, inf}, c, tg));            // infinite baseline
  v.push_back(make(b, c, time_point{2025, qnan}));  // NaN target
  v.push_back(make({qnan, 40}, c, tg));             // NaN time
  v.push_back(make({2024, 40}, c, tg));             // baseline after current (t < t0)
  v.push_back(make(b, {2020, 44}, tg));             // t == t0: no time elapsed
  v.push_back(make(b, c, time_point{2020, 50}));    // T == t0
  v.push_back(make(b, c, time_point{2019, 50}));    // T < t0
  return v;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Names, vocabularies, parameters
// ---------------------------------------------------------------------------------------------

TEST_CASE("method names round-trip and the vocabularies are fixed") {
  const std::array<std::string_view, 7> names{"linear",    "statcan", "eurostat", "escap_csi",
                                              "escap_api", "sdsn",    "unsd"};
  for (std::string_view n : names) {
    const auto m = parse_assess_method(n);
    REQUIRE(m.has_value());
    CHECK(to_string(*m) == n);
  }
  CHECK_FALSE(parse_assess_method("Linear").has_value());
  CHECK_FALSE(parse_assess_method("").has_value());

  const auto vocab = [](assess_method m) {
    const auto s = categories(m);
    return std::vector<std::string_view>(s.begin(), s.end());
  };
  using V = std::vector<std::string_view>;
  CHECK(vocab(assess_method::linear) == V{"achieved", "ahead", "on_track", "lagging"});
  CHECK(vocab(assess_method::statcan) ==
        V{"target_achieved", "substantial_progress", "moderate_progress", "limited_progress", "deterioration"});
  CHECK(vocab(assess_method::eurostat) == V{"significant_progress", "moderate_progress", "insufficient_progress",
                                            "movement_away", "moderate_movement_away", "significant_movement_away"});
  CHECK(vocab(assess_method::escap_csi) == V{"target_achieved", "on_track", "below_expected", "regression"});
  CHECK(vocab(assess_method::escap_api) == V{"maintain", "accelerate", "reverse"});
  CHECK(vocab(assess_method::sdsn) == V{"on_track", "moderately_improving", "stagnating", "decreasing"});
  CHECK(vocab(assess_method::unsd) == V{"on_track", "acceleration_needed", "stagnation_or_regression"});
  for (const auto& [m, name] : assess_method_names) {
    (void)name;
    for (std::string_view c : categories(m)) {
      CHECK(c != not_assessable_category);
      const text l = category_label(m, c);
      CHECK_FALSE(l.zh.empty());
      CHECK_FALSE(l.en.empty());
      CHECK(l.zh != c); // a real Chinese label, not the fallback
    }
    CHECK_FALSE(method_label(m).zh.empty());
  }
  CHECK(category_label(assess_method::linear, "lagging").zh == "滞后于序时进度");
  CHECK(category_label(assess_method::sdsn, "not_assessable").en == "not assessable");
}

TEST_CASE("default parameters are the published ones") {
  const auto find = [](assess_method m, std::string_view name) -> std::optional<param_value> {
    for (const auto& [n, v] : default_params(m))
      if (n == name) return v;
    return std::nullopt;
  };
  CHECK(std::get<double>(*find(assess_method::linear, "margin")) == 0);
  CHECK(std::get<double>(*find(assess_method::statcan, "substantial_threshold")) == 0.95);
  CHECK(std::get<double>(*find(assess_method::statcan, "moderate_threshold")) == 0.6);
  CHECK(std::get<double>(*find(assess_method::statcan, "notarget_substantial_threshold")) == 0.015);
  CHECK(std::get<double>(*find(assess_method::statcan, "notarget_moderate_threshold")) == 0.005);
  CHECK(std::get<double>(*find(assess_method::statcan, "limit_exponent")) == 4.44);
  CHECK(std::get<double>(*find(assess_method::statcan, "zero_substitute")) == 0.001);
  CHECK(std::get<bool>(*find(assess_method::statcan, "inclusive")));
  CHECK(std::get<double>(*find(assess_method::eurostat, "notarget_significant_threshold")) == 0.01);
  CHECK_FALSE(std::get<bool>(*find(assess_method::eurostat, "notarget_inclusive")));
  CHECK(std::isnan(std::get<double>(*find(assess_method::escap_csi, "expected_progress"))));
  CHECK(std::get<double>(*find(assess_method::escap_api, "weight_slope")) == 1);
  CHECK(std::isnan(std::get<double>(*find(assess_method::sdsn, "lower_bound"))));
  CHECK(std::get<double>(*find(assess_method::sdsn, "moderate_threshold")) == 0.5);
  CHECK(std::get<double>(*find(assess_method::unsd, "on_track_threshold")) == 0.95);
  CHECK(std::get<double>(*find(assess_method::unsd, "acceleration_threshold")) == 0.10);
  CHECK(std::get<double>(*find(assess_method::unsd, "notarget_on_track_growth")) == 0.02);
  CHECK(std::get<double>(*find(assess_method::unsd, "notarget_acceleration_growth")) == 0.005);
  CHECK_FALSE(find(assess_method::linear, "inclusive").has_value());

  // Passing every default explicitly changes nothing.
  const assess_input in = make({2015, 100}, {2020, 110}, time_point{2030, 150});
  for (const auto& [m, name] : assess_method_names) {
    (void)name;
    assess_params p;
    p.values = default_params(m);
    const assessment a = assess(m, in, p), b = assess(m, in);
    CHECK(a.category == b.category);
    CHECK(a.value == b.value);
  }
}

TEST_CASE("assess_params set/get") {
  assess_params p;
  p.set("margin", 1).set("inclusive", false).set("margin", 2.5);
  REQUIRE(p.values.size() == 2);
  CHECK(std::get<double>(*p.get("margin")) == 2.5);
  CHECK_FALSE(std::get<bool>(*p.get("inclusive")));
  CHECK_FALSE(p.get("other").has_value());
}

TEST_CASE("bad parameters throw planeval::error naming the parameter and the accepted ones") {
  const assess_input in = make({2020, 40}, {2023, 44}, time_point{2025, 50});
  const auto message = [&](assess_method m, const assess_params& p) -> std::string {
    try {
      (void)assess(m, in, p);
    } catch (const planeval::error& e) {
      return e.what();
    }
    return "no exception";
  };
  std::string msg = message(assess_method::linear, assess_params{}.set("margins", 1.0));
  CHECK(msg.find("unknown parameter \"margins\"") != std::string::npos);
  CHECK(msg.find("accepted parameters: \"margin\"") != std::string::npos);

  msg = message(assess_method::linear, assess_params{}.set("margin", true));
  CHECK(msg.find("\"margin\" must be a number, not a boolean") != std::string::npos);

  msg = message(assess_method::statcan, assess_params{}.set("inclusive", 1.0));
  CHECK(msg.find("\"inclusive\" must be a boolean") != std::string::npos);
  CHECK(msg.find("\"substantial_threshold\"") != std::string::npos); // the list
  CHECK(msg.find("\"zero_substitute\" or \"inclusive\"") != std::string::npos);

  msg = message(assess_method::statcan, assess_params{}.set("moderate_threshold", 0.99));
  CHECK(msg.find("\"substantial_threshold\" must be greater than \"moderate_threshold\"") != std::string::npos);

  CHECK_THROWS_AS((void)assess(assess_method::linear, in, assess_params{}.set("margin", -1.0)), planeval::error);
  CHECK_THROWS_AS((void)assess(assess_method::linear, in, assess_params{}.set("margin", qnan)), planeval::error);
  CHECK_THROWS_AS((void)assess(assess_method::unsd, in, assess_params{}.set("on_track_threshold", inf)),
                  planeval::error);
  CHECK_THROWS_AS((void)assess(assess_method::eurostat, in, assess_params{}.set("margin", 1.0)), planeval::error);
  CHECK_THROWS_AS((void)assess(assess_method::escap_api, in, assess_params{}.set("weight_slope", -1.0)),
                  planeval::error);
  CHECK_THROWS_AS((void)statcan_multi(std::span<const assess_input>(&in, 1), assess_params{}.set("x", 1.0)),
                  planeval::error);
  // NaN is the documented "derived from the data" for these.
  CHECK_NOTHROW((void)assess(assess_method::sdsn, in, assess_params{}.set("lower_bound", qnan)));
  CHECK_NOTHROW((void)assess(assess_method::escap_csi, in, assess_params{}.set("expected_progress", qnan)));
  // Bad data never throws, bad parameters always do — even for data that is not assessable.
  const assess_input bad = make({2020, qnan}, {2023, 44}, time_point{2025, 50});
  CHECK_THROWS_AS((void)assess(assess_method::linear, bad, assess_params{}.set("nope", 1.0)), planeval::error);
}

TEST_CASE("every method refuses unassessable inputs with a reason, never NaN or an exception") {
  for (const auto& [m, name] : assess_method_names) {
    (void)name;
    for (const assess_input& in : unassessable_inputs()) {
      assessment a;
      CHECK_NOTHROW(a = assess(m, in));
      CHECK_MESSAGE(not_assessable(a), to_string(m), " ", a.category);
      check_vocabulary(a);
      CHECK(a.details.empty());
    }
  }
  // The reason says why, in both languages.
  const assessment a =
      assess(assess_method::linear, make({2020, 40}, {2023, 44}, time_point{2025, 50}, direction::band));
  CHECK(a.reason.zh.find("保持") != std::string::npos);
  CHECK(a.reason.en.find("maintain") != std::string::npos);
  const assessment b = assess(assess_method::unsd, make({2024, 40}, {2023, 44}));
  CHECK(b.reason.en == "the baseline is after the current observation");
}

// ---------------------------------------------------------------------------------------------
// linear (序时进度)
// ---------------------------------------------------------------------------------------------

TEST_CASE("linear: the plan's 党员教师占比 target (50% by 2025), baseline 40% in 2020, 44% in 2023") {
  // The plan (examples/baijiantan/plan.json, party_member_teacher_share_2025) sets >= 50% by 2025;
  // the baseline is illustrative. τ = 3/5 = 0.6; expected = 40 + (50 − 40)·0.6 = 46; gap = 44 − 46 = −2;
  // P = (44 − 40)/(50 − 40) = 0.4; completion rate 44/50 = 0.88 → lagging.
  const assessment a = run(assess_method::linear, make({2020, 40}, {2023, 44}, time_point{2025, 50}));
  CHECK(a.category == "lagging");
  CHECK(*a.value == Approx(0.4));
  CHECK_FALSE(a.score.has_value());
  CHECK(*a.detail("time_progress") == Approx(0.6));
  CHECK(*a.detail("expected_value") == Approx(46));
  CHECK(*a.detail("gap") == Approx(-2));
  CHECK(*a.detail("completion_rate") == Approx(0.88));
  REQUIRE(a.details.size() == 4);
  CHECK(a.details[0].first == "time_progress"); // in the documented order
  CHECK(a.details[3].first == "completion_rate");
  CHECK_FALSE(a.detail("nothing").has_value());

  const explain_context ctx{"党员教师占比", "%", 1, {}, {}};
  CHECK(a.explain("zh", ctx) == "党员教师占比 2023 年为 44.0%，按序时进度应达 46.0%，滞后 2.0 个百分点。");
  CHECK(a.explain("en", explain_context{"Share of teachers who are party members", "%", 1, {}, {}}) ==
        "Share of teachers who are party members in 2023 was 44.0%; on the linear path it should be 46.0%; "
        "lagging by 2.0 percentage points.");
  CHECK(a.explain() == "该指标 2023 年为 44.0，按序时进度应达 46.0，滞后 2.0。");
  CHECK(a.explain("en") == "The indicator in 2023 was 44.0; on the linear path it should be 46.0; lagging by 2.0.");
  CHECK(a.explain("zh", explain_context{"专任教师", "人", 0, {}, {}}) ==
        "专任教师 2023 年为 44人，按序时进度应达 46人，滞后 2人。");
  CHECK(a.explain("en", explain_context{"Teachers", "people", 0, {}, {}}) ==
        "Teachers in 2023 was 44 people; on the linear path it should be 46 people; lagging by 2 people.");
}

TEST_CASE("linear: a gap never reads as zero, whatever the decimals asked for") {
  // baseline 99 (2020), 99.58 in 2023, goal 100 in 2025: expected 99 + 1 × 0.6 = 99.6, gap −0.02.
  // One decimal would print "滞后 0.0"; the sentence takes two.
  const assessment a = run(assess_method::linear, make({2020, 99}, {2023, 99.58}, time_point{2025, 100}));
  REQUIRE(a.category == "lagging");
  CHECK(a.explain("zh", explain_context{"学位达标率", "%", 1, {}, {}}) ==
        "学位达标率 2023 年为 99.58%，按序时进度应达 99.60%，滞后 0.02 个百分点。");
  // 44 against 46 needs no more than asked
  const assessment b = run(assess_method::linear, make({2020, 40}, {2023, 44}, time_point{2025, 50}));
  CHECK(b.explain("zh", explain_context{"专任教师", "人", 0, {}, {}}) == "专任教师 2023 年为 44人，按序时进度应达 46人，滞后 2人。");
}

TEST_CASE("linear: ahead, on track, achieved and their sentences") {
  const explain_context ctx{"党员教师占比", "%", 1, {}, {}};
  // 47.5 in 2023: gap = 47.5 − 46 = 1.5 > 0 → ahead; P = 7.5/10 = 0.75.
  const assessment ahead = run(assess_method::linear, make({2020, 40}, {2023, 47.5}, time_point{2025, 50}));
  CHECK(ahead.category == "ahead");
  CHECK(*ahead.value == Approx(0.75));
  CHECK(ahead.explain("zh", ctx) == "党员教师占比 2023 年为 47.5%，按序时进度应达 46.0%，超前 1.5 个百分点。");
  CHECK(ahead.explain("en", ctx) ==
        "党员教师占比 in 2023 was 47.5%; on the linear path it should be 46.0%; ahead by 1.5 percentage points.");
  // Exactly on the path (gap 0, margin 0) → on_track.
  const assessment on = run(assess_method::linear, make({2020, 40}, {2023, 46}, time_point{2025, 50}));
  CHECK(on.category == "on_track");
  CHECK(*on.detail("gap") == 0);
  CHECK(on.explain("zh", ctx) == "党员教师占比 2023 年为 46.0%，按序时进度应达 46.0%，符合序时进度。");
  CHECK(on.explain("en", ctx) == "党员教师占比 in 2023 was 46.0%; on the linear path it should be 46.0%; on track.");
  // Beyond the target: 53 ≥ 50 → achieved; P = 13/10 = 1.3; completion rate 53/50 = 1.06.
  const assessment done = run(assess_method::linear, make({2020, 40}, {2023, 53}, time_point{2025, 50}));
  CHECK(done.category == "achieved");
  CHECK(*done.value == Approx(1.3));
  CHECK(*done.detail("completion_rate") == Approx(1.06));
  CHECK(done.explain("zh", ctx) == "党员教师占比 2023 年为 53.0%，已达到 2025 年目标 50.0%。");
  CHECK(done.explain("en", ctx) == "党员教师占比 in 2023 was 53.0%, meeting the 2025 target of 50.0%.");
  // Exactly at the target is achieved (d(xt − xT) ≥ 0 is inclusive).
  CHECK(run(assess_method::linear, make({2020, 40}, {2023, 50}, time_point{2025, 50})).category == "achieved");
}

TEST_CASE("linear: margin boundaries are inclusive for on_track") {
  // expected 46 (as above); margin 2 (percentage points).
  const time_point b{2020, 40};
  const time_point tg{2025, 50};
  const assess_params m2 = assess_params{}.set("margin", 2.0);
  // gap = −2 = −margin → on_track (|gap| ≤ margin).
  CHECK(run(assess_method::linear, make(b, {2023, 44}, tg), m2).category == "on_track");
  // gap = +2 = margin → on_track, not ahead (ahead needs gap > margin).
  CHECK(run(assess_method::linear, make(b, {2023, 48}, tg), m2).category == "on_track");
  // gap = 2.5 > 2 → ahead; gap = −2.5 < −2 → lagging.
  CHECK(run(assess_method::linear, make(b, {2023, 48.5}, tg), m2).category == "ahead");
  CHECK(run(assess_method::linear, make(b, {2023, 43.5}, tg), m2).category == "lagging");
}

TEST_CASE("linear: decrease desired, zero baseline, negative values, xT = x0, deadline past") {
  // Decrease (e.g. 大班额比例): 20% in 2020 → 10% by 2025; 15 in 2023. expected = 20 − 10·0.6 = 14;
  // gap = −(15 − 14) = −1 → lagging; P = (15 − 20)/(10 − 20) = 0.5; completion rate xT/xt = 10/15.
  const assessment dec =
      run(assess_method::linear, make({2020, 20}, {2023, 15}, time_point{2025, 10}, direction::decrease));
  CHECK(dec.category == "lagging");
  CHECK(*dec.value == Approx(0.5));
  CHECK(*dec.detail("gap") == Approx(-1));
  CHECK(*dec.detail("completion_rate") == Approx(10.0 / 15));
  // 13 in 2023: gap = −(13 − 14) = 1 → ahead; 9 → achieved (9 ≤ 10).
  CHECK(run(assess_method::linear, make({2020, 20}, {2023, 13}, time_point{2025, 10}, direction::decrease)).category ==
        "ahead");
  CHECK(run(assess_method::linear, make({2020, 20}, {2023, 9}, time_point{2025, 10}, direction::decrease)).category ==
        "achieved");

  // Zero baseline: 0 in 2020 → 10 by 2025, 5 in 2022: τ = 0.4, expected 4, gap 1 → ahead; P = 0.5.
  const assessment zero = run(assess_method::linear, make({2020, 0}, {2022, 5}, time_point{2025, 10}));
  CHECK(zero.category == "ahead");
  CHECK(*zero.value == Approx(0.5));
  CHECK(*zero.detail("expected_value") == Approx(4));
  CHECK(*zero.detail("completion_rate") == Approx(0.5));

  // Negative values (increase): −10 → −2 by 2025, −6 in 2023: expected = −10 + 8·0.6 = −5.2;
  // gap = −6 + 5.2 = −0.8 → lagging; P = 4/8 = 0.5; no completion rate (xT < 0).
  const assessment neg = run(assess_method::linear, make({2020, -10}, {2023, -6}, time_point{2025, -2}));
  CHECK(neg.category == "lagging");
  CHECK(*neg.value == Approx(0.5));
  CHECK(*neg.detail("gap") == Approx(-0.8));
  CHECK_FALSE(neg.detail("completion_rate").has_value());

  // xT = x0 = 80: P undefined (no value); 79 lags by 1, 80 is achieved.
  const assessment flat = run(assess_method::linear, make({2020, 80}, {2023, 79}, time_point{2025, 80}));
  CHECK(flat.category == "lagging");
  CHECK_FALSE(flat.value.has_value());
  CHECK(*flat.detail("gap") == Approx(-1));
  const assessment flat_met = run(assess_method::linear, make({2020, 80}, {2023, 80}, time_point{2025, 80}));
  CHECK(flat_met.category == "achieved");
  CHECK_FALSE(flat_met.value.has_value());

  // Deadline past: 40 (2020) → 50 (2025); 49 in 2026: the path stays at 50; gap −1 → lagging;
  // τ = 6/5 = 1.2 (not capped); P = 0.9.
  const assessment late = run(assess_method::linear, make({2020, 40}, {2026, 49}, time_point{2025, 50}));
  CHECK(late.category == "lagging");
  CHECK(*late.detail("time_progress") == Approx(1.2));
  CHECK(*late.detail("expected_value") == Approx(50));
  CHECK(*late.value == Approx(0.9));

  // Missing target → not assessable (linear has no no-target variant).
  CHECK(not_assessable(run(assess_method::linear, make({2020, 40}, {2023, 44}))));
}

TEST_CASE("linear: piecewise path through milestones") {
  // 40 (2020) → milestone 50 (2022) → 56 (2025).
  assess_input in = make({2020, 40}, {2021, 44}, time_point{2025, 56});
  in.milestones = {{2022, 50}};
  // 2021: 40 + 10·(1/2) = 45; gap −1 → lagging.
  assessment a = run(assess_method::linear, in);
  CHECK(*a.detail("expected_value") == Approx(45));
  CHECK(a.category == "lagging");
  // 2024: 50 + 6·(2/3) = 54; 55 → gap 1 → ahead.
  in.current = {2024, 55};
  a = run(assess_method::linear, in);
  CHECK(*a.detail("expected_value") == Approx(54));
  CHECK(a.category == "ahead");
  // At the milestone itself: 2022 → 50.
  in.current = {2022, 50};
  CHECK(*run(assess_method::linear, in).detail("expected_value") == Approx(50));
  // Milestones in any order: (2024, 54) and (2022, 50); 2023 → 50 + 4·(1/2) = 52.
  in.milestones = {{2024, 54}, {2022, 50}};
  in.current = {2023, 52};
  a = run(assess_method::linear, in);
  CHECK(*a.detail("expected_value") == Approx(52));
  CHECK(a.category == "on_track");
  // Invalid milestones: outside (t0, T), at the same time, or not finite.
  in.milestones = {{2026, 60}};
  CHECK(not_assessable(run(assess_method::linear, in)));
  in.milestones = {{2020, 40}};
  CHECK(not_assessable(run(assess_method::linear, in)));
  in.milestones = {{2022, 50}, {2022, 51}};
  CHECK(not_assessable(run(assess_method::linear, in)));
  in.milestones = {{2022, qnan}};
  CHECK(not_assessable(run(assess_method::linear, in)));
  // Milestones are ignored by the other methods.
  CHECK_FALSE(not_assessable(run(assess_method::escap_csi, in)));
}

// ---------------------------------------------------------------------------------------------
// statcan (Statistics Canada / Open SDG)
// ---------------------------------------------------------------------------------------------

TEST_CASE("statcan with a target: ratio, categories and scores") {
  // 100 (2015) → 150 by 2030; 110 in 2020.
  // CAGR_o = 1.1^(1/5) − 1 = 0.0192449; CAGR_T = 1.5^(1/15) − 1 = 0.0273997; R = 0.702376 → moderate.
  // Score = 2.5·(R − 0.6)/0.35 = 0.731261 (sdg-build: 7.1429R − 4.2857 = 0.731305).
  const assessment a = run(assess_method::statcan, make({2015, 100}, {2020, 110}, time_point{2030, 150}));
  CHECK(a.category == "moderate_progress");
  CHECK(*a.value == Approx(0.702376));
  CHECK(*a.score == Approx(0.731261));
  CHECK(*a.score == Approx(7.1429 * *a.value - 4.2857).epsilon(1e-3)); // the rounded published line
  CHECK(*a.detail("observed_cagr") == Approx(0.0192449));
  CHECK(*a.detail("required_cagr") == Approx(0.0273997));
  CHECK(*a.detail("sign") == 1);

  // Beyond the target: 160 ≥ 150 → target_achieved, score 5 whatever the trend.
  const assessment beyond = run(assess_method::statcan, make({2015, 100}, {2020, 160}, time_point{2030, 150}));
  CHECK(beyond.category == "target_achieved");
  CHECK(*beyond.score == 5);

  // Decrease: 20 (2015) → 10 by 2030; 18 in 2020. CAGR_o = 0.9^(1/5) − 1 = −0.0208516;
  // CAGR_T = 0.5^(1/15) − 1 = −0.0451584; R = −1·(−0.0208516)/0.0451584 = 0.461744 → limited;
  // score = −2.5 + 2.5·R/0.6 = −0.576065 (sdg-build 4.1667R − 2.5 = −0.576072).
  const assessment dec =
      run(assess_method::statcan, make({2015, 20}, {2020, 18}, time_point{2030, 10}, direction::decrease));
  CHECK(dec.category == "limited_progress");
  CHECK(*dec.value == Approx(0.461744));
  CHECK(*dec.score == Approx(-0.576065));
  CHECK(*dec.score == Approx(4.1667 * *dec.value - 2.5).epsilon(1e-3));
  // Moving the wrong way: 22 in 2020 → R < 0 → deterioration.
  CHECK(run(assess_method::statcan, make({2015, 20}, {2020, 22}, time_point{2030, 10}, direction::decrease)).category ==
        "deterioration");

  // Deadline past: 100 (2015) → 150 by 2020; 120 in 2022. CAGR_o = 1.2^(1/7) − 1 = 0.0263881;
  // CAGR_T = 1.5^(1/5) − 1 = 0.0844718; R = 0.312390 → limited; score = −2.5 + 2.5·R/0.6 = −1.198377.
  const assessment late = run(assess_method::statcan, make({2015, 100}, {2022, 120}, time_point{2020, 150}));
  CHECK(late.category == "limited_progress");
  CHECK(*late.value == Approx(0.312390));
  CHECK(*late.score == Approx(-1.198377));
}

TEST_CASE("statcan: zero, negative and mixed-sign values follow the published rules") {
  // Zero baseline → 0.001: CAGR_o = (5/0.001)^(1/3) − 1 = 16.09976; CAGR_T = (10/0.001)^(1/5) − 1
  // = 5.309573; R = 3.032213 → substantial; score min(…, 5) = 5.
  const assessment zero = run(assess_method::statcan, make({2020, 0}, {2023, 5}, time_point{2025, 10}));
  CHECK(zero.category == "substantial_progress");
  CHECK(*zero.value == Approx(3.032213));
  CHECK(*zero.score == 5);
  // Zero target (decrease to 0 → 0.001): 10 (2020) → 0 by 2025, 5 in 2023.
  // CAGR_o = 0.5^(1/3) − 1 = −0.2062995; CAGR_T = (0.001/10)^(1/5) − 1 = 10^(−0.8) − 1 = −0.8415107;
  // R = 0.2062995/0.8415107 = 0.245154 → limited.
  const assessment zero_target =
      run(assess_method::statcan, make({2020, 10}, {2023, 5}, time_point{2025, 0}, direction::decrease));
  CHECK(zero_target.category == "limited_progress");
  CHECK(*zero_target.value == Approx(0.245154));
  // …and reaching 0 achieves it.
  CHECK(run(assess_method::statcan, make({2020, 10}, {2023, 0}, time_point{2025, 0}, direction::decrease)).category ==
        "target_achieved");

  // All negative: s = −1. −10 (2020) → −5 by 2025 (increase); −8 in 2023.
  // CAGR_o = 0.8^(1/3) − 1 = −0.0716822; CAGR_T = 0.5^(1/5) − 1 = −0.1294494;
  // R = (−1)(+1)(−0.0716822)/0.1294494 = 0.553747 → limited; score = −2.5 + 2.5·R/0.6 = −0.192721.
  const assessment neg = run(assess_method::statcan, make({2020, -10}, {2023, -8}, time_point{2025, -5}));
  CHECK(neg.category == "limited_progress");
  CHECK(*neg.value == Approx(0.553747));
  CHECK(*neg.score == Approx(-0.192721));
  CHECK(*neg.detail("sign") == -1);

  // Mixed signs (base −5, current 3): not assessable — unless the target is achieved.
  CHECK(not_assessable(run(assess_method::statcan, make({2020, -5}, {2023, 3}, time_point{2025, 10}))));
  const assessment mixed_met = run(assess_method::statcan, make({2020, -5}, {2023, 12}, time_point{2025, 10}));
  CHECK(mixed_met.category == "target_achieved");
  CHECK(*mixed_met.score == 5);
  CHECK_FALSE(mixed_met.value.has_value());

  // xT = x0 = 50: met → target_achieved (score 5, no ratio); not met → not assessable.
  const assessment flat_met = run(assess_method::statcan, make({2020, 50}, {2023, 52}, time_point{2025, 50}));
  CHECK(flat_met.category == "target_achieved");
  CHECK_FALSE(flat_met.value.has_value());
  CHECK(not_assessable(run(assess_method::statcan, make({2020, 50}, {2023, 48}, time_point{2025, 50}))));
}

TEST_CASE("statcan: threshold boundaries and score end points") {
  // Exact ratios: CAGR 1 → 400 over 2 years = 19; 1 → 21^4 over 4 years = 20; R = 19/20 = 0.95.
  const assess_input at_95 = make({2020, 1}, {2022, 400}, time_point{2024, 194481});
  const assessment a = run(assess_method::statcan, at_95);
  CHECK(*a.value == 0.95);
  CHECK(a.category == "substantial_progress"); // R ≥ 95% (inclusive)
  CHECK(*a.score == Approx(2.5));
  CHECK(run(assess_method::statcan, at_95, assess_params{}.set("inclusive", false)).category == "moderate_progress");
  // R = 3/5 = 0.6: CAGR 1 → 16 over 2 years = 3; 1 → 6^4 = 1296 over 4 years = 5.
  const assess_input at_60 = make({2020, 1}, {2022, 16}, time_point{2024, 1296});
  const assessment b = run(assess_method::statcan, at_60);
  CHECK(*b.value == 0.6);
  CHECK(b.category == "moderate_progress");
  CHECK(*b.score == Approx(0)); // sdg-build: 7.1429·0.6 − 4.2857 = 0.00004
  CHECK(run(assess_method::statcan, at_60, assess_params{}.set("inclusive", false)).category == "limited_progress");
  // R = 0: no growth → limited (0 ≤ R), score −2.5; exclusive → deterioration.
  const assess_input at_0 = make({2020, 1}, {2022, 1}, time_point{2024, 1296});
  CHECK(run(assess_method::statcan, at_0).category == "limited_progress");
  CHECK(*run(assess_method::statcan, at_0).score == Approx(-2.5));
  CHECK(run(assess_method::statcan, at_0, assess_params{}.set("inclusive", false)).category == "deterioration");
  // "130% → +5": R = 13/10 (1 → 196 over 2 years: 13; 1 → 11^4 over 4 years: 10).
  const assessment top = run(assess_method::statcan, make({2020, 1}, {2022, 196}, time_point{2024, 14641}));
  CHECK(*top.value == 1.3);
  CHECK(*top.score == Approx(5));
  // "−60% → −5": R = −1/1 (1 → 0 over 2 years: −1; 1 → 16 over 4 years: 1): below −0.6 → clamped −5.
  const assessment bottom = run(assess_method::statcan, make({2020, 1}, {2022, 0}, time_point{2024, 16}));
  CHECK(*bottom.value == -1);
  CHECK(*bottom.score == -5);
  CHECK(bottom.category == "deterioration");
  // Custom thresholds move the category and the score knots: moderate at 0.5 → R = 0.5 scores 0.
  // (1 → 4 over 2 years: 1; 1 → 81 over 4 years: 2; R = 0.5.)
  const assessment half = run(assess_method::statcan, make({2020, 1}, {2022, 4}, time_point{2024, 81}),
                              assess_params{}.set("moderate_threshold", 0.5));
  CHECK(half.category == "moderate_progress");
  CHECK(*half.score == Approx(0));
}

TEST_CASE("statcan without a target: growth thresholds, natural limit, scores") {
  // 100 (2015) → 110 (2020): v = 0.0192449 ≥ 1.5% → substantial; score = 2.5 + 2.5·(v − 0.015)/0.005
  // = 4.622438 (sdg-build: 500v − 5, the same line).
  const assessment a = run(assess_method::statcan, make({2015, 100}, {2020, 110}));
  CHECK(a.category == "substantial_progress");
  CHECK(*a.value == Approx(0.0192449));
  CHECK(*a.score == Approx(4.622438));
  CHECK(*a.score == Approx(500 * *a.value - 5));
  CHECK(*a.detail("coefficient") == 1);

  // Natural limit 100, base 95: C = 1 − 0.95^4.44 = 0.203670; thresholds 0.015C = 0.00305506 and
  // 0.005C = 0.00101835. 95 → 96 over 5 years: v = (96/95)^(1/5) − 1 = 0.00209645 → moderate;
  // score = 250v/C − 1.25 = 1.323341.
  assess_input lim = make({2015, 95}, {2020, 96});
  lim.natural_limit = 100;
  const assessment b = run(assess_method::statcan, lim);
  CHECK(*b.detail("coefficient") == Approx(0.203670));
  CHECK(*b.detail("substantial_threshold") == Approx(0.00305506));
  CHECK(*b.detail("moderate_threshold") == Approx(0.00101835));
  CHECK(b.category == "moderate_progress");
  CHECK(*b.score == Approx(1.323341));
  // Without the limit, the same growth is limited progress (< 0.5%): score 500v − 2.5 = −1.451774.
  const assessment b2 = run(assess_method::statcan, make({2015, 95}, {2020, 96}));
  CHECK(b2.category == "limited_progress");
  CHECK(*b2.score == Approx(500 * 0.00209645 - 2.5).epsilon(1e-4));

  // Minimum limit, decrease: L = 10, base 12 (between L and 2L): C = 1 − ((20 − 12)/10)^4.44 =
  // 0.628705; 12 → 11.5 over 5 years: v = −((11.5/12)^(1/5) − 1) = 0.00847580; high = 0.00943057,
  // med = 0.00314352 → moderate; score = 250v/C − 1.25 = 2.120342.
  assess_input minlim = make({2015, 12}, {2020, 11.5}, std::nullopt, direction::decrease);
  minlim.natural_limit = 10;
  const assessment c = run(assess_method::statcan, minlim);
  CHECK(*c.detail("coefficient") == Approx(0.628705));
  CHECK(c.category == "moderate_progress");
  CHECK(*c.score == Approx(2.120342));

  // Base on the limit: C = 0, holding it (v ≥ 0) is substantial with score 5.
  assess_input at_limit = make({2015, 100}, {2020, 100});
  at_limit.natural_limit = 100;
  const assessment d = run(assess_method::statcan, at_limit);
  CHECK(d.category == "substantial_progress");
  CHECK(*d.score == 5);

  // Decrease desired but rising: 50 → 52 over 4 years: v = −(1.04^(1/4) − 1) = −0.00985341 →
  // deterioration; score = max(125v − 2.5, −5) = −3.731676.
  const assessment e = run(assess_method::statcan, make({2016, 50}, {2020, 52}, std::nullopt, direction::decrease));
  CHECK(e.category == "deterioration");
  CHECK(*e.value == Approx(-0.00985341));
  CHECK(*e.score == Approx(-3.731676));

  // Boundaries: no growth (v = 0) → limited (score −2.5); exclusive → deterioration.
  const assess_input still = make({2015, 100}, {2020, 100});
  CHECK(run(assess_method::statcan, still).category == "limited_progress");
  CHECK(*run(assess_method::statcan, still).score == Approx(-2.5));
  CHECK(run(assess_method::statcan, still, assess_params{}.set("inclusive", false)).category == "deterioration");
  // v = 1 exactly (1 → 4 over 2 years) on a threshold of 1 → substantial; exclusive → moderate.
  const assess_params p =
      assess_params{}.set("notarget_substantial_threshold", 1.0).set("notarget_score_max_growth", 2.0);
  const assess_input v1 = make({2020, 1}, {2022, 4});
  CHECK(run(assess_method::statcan, v1, p).category == "substantial_progress");
  CHECK(*run(assess_method::statcan, v1, p).score == Approx(2.5));
  CHECK(run(assess_method::statcan, v1, assess_params(p).set("inclusive", false)).category == "moderate_progress");
  // "−2% → −5": 100 → 90 over 5 years: v = −0.0208516 ≤ −2% → −5.
  CHECK(*run(assess_method::statcan, make({2015, 100}, {2020, 90})).score == -5);

  // Zero baseline → 0.001 too: 0 → 1 over 2 years: v = sqrt(1000) − 1 = 30.6228 → substantial, 5.
  const assessment z = run(assess_method::statcan, make({2020, 0}, {2022, 1}));
  CHECK(*z.value == Approx(30.622777));
  CHECK(*z.score == 5);
  // Mixed signs → not assessable.
  CHECK(not_assessable(run(assess_method::statcan, make({2020, -1}, {2022, 1}))));
  // Non-finite limit → not assessable.
  assess_input badlim = make({2015, 95}, {2020, 96});
  badlim.natural_limit = qnan;
  CHECK(not_assessable(run(assess_method::statcan, badlim)));
}

TEST_CASE("statcan_multi: mean score over series") {
  // Series A achieved (5), B R = 0.6 (score 0), C not assessable (mixed signs, skipped):
  // mean = (5 + 0)/2 = 2.5 → substantial (2.5 is inclusive in [2.5, 5]).
  const std::vector<assess_input> series{
      make({2020, 40}, {2023, 55}, time_point{2025, 50}),
      make({2020, 1}, {2022, 16}, time_point{2024, 1296}),
      make({2020, -5}, {2023, 3}, time_point{2025, 10}),
  };
  const assessment m = statcan_multi(series);
  CHECK(m.method == assess_method::statcan);
  CHECK(m.category == "substantial_progress");
  CHECK(*m.score == Approx(2.5));
  CHECK(*m.value == Approx(2.5));
  CHECK(*m.detail("score[0]") == 5);
  CHECK_FALSE(m.detail("score[2]").has_value());
  CHECK(*m.detail("series") == 3);
  CHECK(*m.detail("assessed") == 2);
  CHECK(m.explain("en", {"Teachers", "", 1, {}, {}}) ==
        "Teachers: Statistics Canada progress measure: on track (substantial progress) (mean score 2.5).");
  // Exclusive boundaries: 2.5 is then moderate.
  CHECK(statcan_multi(series, assess_params{}.set("inclusive", false)).category == "moderate_progress");
  // R = 0.6 (0) and R = 0 (−2.5): mean −1.25 → limited.
  const std::vector<assess_input> weak{make({2020, 1}, {2022, 16}, time_point{2024, 1296}),
                                       make({2020, 1}, {2022, 1}, time_point{2024, 1296})};
  CHECK(statcan_multi(weak).category == "limited_progress");
  CHECK(*statcan_multi(weak).score == Approx(-1.25));
  // All achieved → target_achieved; a series without a target counts by its score.
  const std::vector<assess_input> all{make({2020, 40}, {2023, 55}, time_point{2025, 50}),
                                      make({2020, 10}, {2023, 5}, time_point{2025, 6}, direction::decrease)};
  CHECK(statcan_multi(all).category == "target_achieved");
  CHECK(*statcan_multi(all).score == 5);
  const std::vector<assess_input> mixed{make({2020, 40}, {2023, 55}, time_point{2025, 50}),
                                        make({2015, 100}, {2020, 110})};
  CHECK(statcan_multi(mixed).category == "substantial_progress"); // (5 + 4.622)/2 = 4.81
  CHECK(*statcan_multi(mixed).score == Approx((5 + 4.622438) / 2));
  // Nothing assessable, or nothing at all.
  CHECK(not_assessable(statcan_multi(std::span<const assess_input>(series.data() + 2, 1))));
  CHECK(not_assessable(statcan_multi({})));
  CHECK(statcan_multi({}).details.empty());
}

// ---------------------------------------------------------------------------------------------
// eurostat
// ---------------------------------------------------------------------------------------------

TEST_CASE("eurostat with a target") {
  // 100 (2015) → 150 by 2030; 110 in 2020: actual 0.0192449 / required 0.0273997 = 0.702376 → moderate.
  const assessment a = run(assess_method::eurostat, make({2015, 100}, {2020, 110}, time_point{2030, 150}));
  CHECK(a.category == "moderate_progress");
  CHECK(*a.value == Approx(0.702376));
  CHECK(*a.detail("actual_cagr") == Approx(0.0192449));
  CHECK(*a.detail("required_cagr") == Approx(0.0273997));
  CHECK_FALSE(a.score.has_value());
  // Beyond the target: 160 in 2020: (1.6^(1/5) − 1)/0.0273997 = 3.597145 → significant.
  const assessment b = run(assess_method::eurostat, make({2015, 100}, {2020, 160}, time_point{2030, 150}));
  CHECK(b.category == "significant_progress");
  CHECK(*b.value == Approx(3.597145));
  // Decrease: 20 → 10 by 2030, 18 in 2020: −(−0.0208516)/0.0451584 = 0.461744 → insufficient.
  const assessment c =
      run(assess_method::eurostat, make({2015, 20}, {2020, 18}, time_point{2030, 10}, direction::decrease));
  CHECK(c.category == "insufficient_progress");
  CHECK(*c.value == Approx(0.461744));
  // Moving away: 22 in 2020 → negative → movement_away.
  CHECK(
      run(assess_method::eurostat, make({2015, 20}, {2020, 22}, time_point{2030, 10}, direction::decrease)).category ==
      "movement_away");
  // Deadline past: 100 (2015) → 150 by 2020, 120 in 2022: 0.0263881/0.0844718 = 0.312390 → insufficient.
  const assessment late = run(assess_method::eurostat, make({2015, 100}, {2022, 120}, time_point{2020, 150}));
  CHECK(late.category == "insufficient_progress");
  CHECK(*late.value == Approx(0.312390));
  // Baseline already beyond the target and falling (increase, 60 → 55, target 50): d·CAGR < 0 →
  // movement away, though the plain ratio of two negative rates would be positive.
  CHECK(run(assess_method::eurostat, make({2020, 60}, {2022, 55}, time_point{2025, 50})).category == "movement_away");
  // Zero or negative values, xT = x0: not assessable.
  CHECK(not_assessable(run(assess_method::eurostat, make({2020, 0}, {2023, 5}, time_point{2025, 10}))));
  CHECK(not_assessable(run(assess_method::eurostat, make({2020, 10}, {2023, 0}, time_point{2025, 0}))));
  CHECK(not_assessable(run(assess_method::eurostat, make({2020, -10}, {2023, -8}, time_point{2025, -5}))));
  CHECK(not_assessable(run(assess_method::eurostat, make({2020, 50}, {2023, 52}, time_point{2025, 50}))));
  CHECK(run(assess_method::eurostat, make({2020, 0}, {2023, 5}, time_point{2025, 10})).reason.en ==
        "a compound annual growth rate needs values greater than 0");
}

TEST_CASE("eurostat boundaries") {
  // Same exact ratios as statcan: 0.95, 0.6, 0.
  const assess_input at_95 = make({2020, 1}, {2022, 400}, time_point{2024, 194481});
  const assess_input at_60 = make({2020, 1}, {2022, 16}, time_point{2024, 1296});
  const assess_input at_0 = make({2020, 1}, {2022, 1}, time_point{2024, 1296});
  const assess_params excl = assess_params{}.set("inclusive", false);
  CHECK(run(assess_method::eurostat, at_95).category == "significant_progress");
  CHECK(run(assess_method::eurostat, at_95, excl).category == "moderate_progress");
  CHECK(run(assess_method::eurostat, at_60).category == "moderate_progress");
  CHECK(run(assess_method::eurostat, at_60, excl).category == "insufficient_progress");
  CHECK(run(assess_method::eurostat, at_0).category == "insufficient_progress");
  CHECK(run(assess_method::eurostat, at_0, excl).category == "movement_away");
}

TEST_CASE("eurostat without a target") {
  // 100 → 110 over 5 years: 1.92% > 1% → significant.
  CHECK(run(assess_method::eurostat, make({2015, 100}, {2020, 110})).category == "significant_progress");
  // 100 → 103: 1.03^(1/5) − 1 = 0.593% → moderate progress.
  const assessment a = run(assess_method::eurostat, make({2015, 100}, {2020, 103}));
  CHECK(a.category == "moderate_progress");
  CHECK(*a.value == Approx(0.00592927));
  // Decrease desired, 50 → 52 over 4 years: d·CAGR = −0.985% > −1% → moderate movement away.
  const assessment b = run(assess_method::eurostat, make({2016, 50}, {2020, 52}, std::nullopt, direction::decrease));
  CHECK(b.category == "moderate_movement_away");
  CHECK(*b.value == Approx(-0.00985341));
  CHECK(*b.detail("cagr") == Approx(0.00985341));
  // 100 → 90 over 5 years (increase): −2.085% < −1% → significant movement away; for a decrease it is
  // +2.085% → significant progress.
  CHECK(run(assess_method::eurostat, make({2015, 100}, {2020, 90})).category == "significant_movement_away");
  CHECK(run(assess_method::eurostat, make({2015, 100}, {2020, 90}, std::nullopt, direction::decrease)).category ==
        "significant_progress");
  // Boundaries (published "> 1%": exclusive by default). Zero growth → moderate movement away;
  // inclusive → moderate progress.
  const assess_input still = make({2015, 100}, {2020, 100});
  CHECK(run(assess_method::eurostat, still).category == "moderate_movement_away");
  CHECK(run(assess_method::eurostat, still, assess_params{}.set("notarget_inclusive", true)).category ==
        "moderate_progress");
  // v = 1 exactly on a threshold of 1: exclusive → moderate; inclusive → significant.
  const assess_params p = assess_params{}.set("notarget_significant_threshold", 1.0);
  const assess_input v1 = make({2020, 1}, {2022, 4});
  CHECK(run(assess_method::eurostat, v1, p).category == "moderate_progress");
  CHECK(run(assess_method::eurostat, v1, assess_params(p).set("notarget_inclusive", true)).category ==
        "significant_progress");
  // Zero baseline → not assessable.
  CHECK(not_assessable(run(assess_method::eurostat, make({2015, 0}, {2020, 10}))));
}

// ---------------------------------------------------------------------------------------------
// escap_csi
// ---------------------------------------------------------------------------------------------

TEST_CASE("escap_csi") {
  // 40 (2015) → 100 by 2030; 60 in 2020: CSI = 20/60 = 1/3; τ = 5/15 = 1/3 → exactly on the expected
  // path → on_track (inclusive); exclusive → below_expected.
  const assess_input at = make({2015, 40}, {2020, 60}, time_point{2030, 100});
  const assessment a = run(assess_method::escap_csi, at);
  CHECK(a.category == "on_track");
  CHECK(*a.value == Approx(1.0 / 3));
  CHECK(*a.detail("expected_progress") == Approx(1.0 / 3));
  CHECK(run(assess_method::escap_csi, at, assess_params{}.set("inclusive", false)).category == "below_expected");
  // 55: CSI = 15/60 = 0.25 < 1/3 → below_expected; with expected_progress 0.25 → on_track.
  const assess_input below = make({2015, 40}, {2020, 55}, time_point{2030, 100});
  CHECK(run(assess_method::escap_csi, below).category == "below_expected");
  CHECK(*run(assess_method::escap_csi, below).value == Approx(0.25));
  CHECK(run(assess_method::escap_csi, below, assess_params{}.set("expected_progress", 0.25)).category == "on_track");
  // 40: CSI = 0 → below_expected (no movement is not regression); exclusive → regression. 35 → regression.
  const assess_input still = make({2015, 40}, {2020, 40}, time_point{2030, 100});
  CHECK(run(assess_method::escap_csi, still).category == "below_expected");
  CHECK(run(assess_method::escap_csi, still, assess_params{}.set("inclusive", false)).category == "regression");
  const assessment back = run(assess_method::escap_csi, make({2015, 40}, {2020, 35}, time_point{2030, 100}));
  CHECK(back.category == "regression");
  CHECK(*back.value == Approx(-5.0 / 60));
  // Beyond the target: 110 → target_achieved; CSI = 70/60 capped at 1.
  const assessment beyond = run(assess_method::escap_csi, make({2015, 40}, {2020, 110}, time_point{2030, 100}));
  CHECK(beyond.category == "target_achieved");
  CHECK(*beyond.value == 1);
  CHECK(*beyond.detail("progress_ratio") == Approx(70.0 / 60));
  // Decrease: 20 (2020) → 10 by 2025; 17 in 2022: CSI = 3/10 = 0.3 < τ = 0.4 → below; 15 → 0.5 → on_track.
  CHECK(
      run(assess_method::escap_csi, make({2020, 20}, {2022, 17}, time_point{2025, 10}, direction::decrease)).category ==
      "below_expected");
  CHECK(*run(assess_method::escap_csi, make({2020, 20}, {2022, 15}, time_point{2025, 10}, direction::decrease)).value ==
        Approx(0.5));
  // Zero baseline: 0 → 10, 5 in 2022: CSI 0.5 ≥ τ 0.4 → on_track.
  CHECK(run(assess_method::escap_csi, make({2020, 0}, {2022, 5}, time_point{2025, 10})).category == "on_track");
  // Negative: −10 → −2, −6 in 2023: CSI = 4/8 = 0.5 < τ 0.6 → below_expected.
  const assessment neg = run(assess_method::escap_csi, make({2020, -10}, {2023, -6}, time_point{2025, -2}));
  CHECK(neg.category == "below_expected");
  CHECK(*neg.value == Approx(0.5));
  // xT = x0: met → target_achieved (no value); not met → not assessable.
  CHECK(run(assess_method::escap_csi, make({2020, 80}, {2023, 80}, time_point{2025, 80})).category ==
        "target_achieved");
  CHECK(not_assessable(run(assess_method::escap_csi, make({2020, 80}, {2023, 79}, time_point{2025, 80}))));
  // Deadline past: 40 (2015) → 100 by 2020; 90 in 2022: τ = 7/5 = 1.4, expected capped at 1;
  // CSI = 50/60 = 0.8333 → below_expected.
  const assessment late = run(assess_method::escap_csi, make({2015, 40}, {2022, 90}, time_point{2020, 100}));
  CHECK(late.category == "below_expected");
  CHECK(*late.detail("time_progress") == Approx(1.4));
  CHECK(*late.detail("expected_progress") == 1);
  CHECK(*late.value == Approx(50.0 / 60));
  // No target → not assessable.
  CHECK(not_assessable(run(assess_method::escap_csi, make({2020, 40}, {2023, 44}))));
}

// ---------------------------------------------------------------------------------------------
// escap_api
// ---------------------------------------------------------------------------------------------

TEST_CASE("escap_api: time-weighted regression and the gap ratio") {
  // Observations 40 (2015), 44 (2016), 46 (2017), 52 (2018), target 100 by 2030, baseline 40.
  // Weights 1, 2, 3, 4 (1 + (t − 2015)); Σw = 10; t̄ = (2015 + 4032 + 6051 + 8072)/10 = 2017;
  // x̄ = (40 + 88 + 138 + 208)/10 = 47.4; Sxx = 1·4 + 2·1 + 0 + 4·1 = 10;
  // Sxy = 1·(−2)(−7.4) + 2·(−1)(−3.4) + 0 + 4·(1)(4.6) = 14.8 + 6.8 + 18.4 = 40; slope = 4;
  // x̂(2030) = 47.4 + 4·13 = 99.4; G = (100 − 99.4)/60 = 0.01 → accelerate.
  assess_input in = make({2015, 40}, {2018, 52}, time_point{2030, 100});
  in.observations = {{2015, 40}, {2016, 44}, {2017, 46}, {2018, 52}};
  const assessment a = run(assess_method::escap_api, in);
  CHECK(a.category == "accelerate");
  CHECK(*a.value == Approx(0.01));
  CHECK(*a.detail("predicted_value") == Approx(99.4));
  CHECK(*a.detail("slope") == Approx(4));
  CHECK(*a.detail("observations") == 4);
  // Ordinary least squares (weight_slope 0): t̄ = 2016.5, x̄ = 45.5, Sxx = 5, Sxy = 19, slope 3.8;
  // x̂ = 45.5 + 3.8·13.5 = 96.8; G = 3.2/60 = 0.053333.
  const assessment ols = run(assess_method::escap_api, in, assess_params{}.set("weight_slope", 0.0));
  CHECK(*ols.detail("slope") == Approx(3.8));
  CHECK(*ols.value == Approx(3.2 / 60));
  // Observations in any order give the same fit.
  std::reverse(in.observations.begin(), in.observations.end());
  CHECK(*run(assess_method::escap_api, in).value == Approx(0.01));
}

TEST_CASE("category boundaries ignore floating-point rounding") {
  // A series rising exactly 0.05 a year: 97.1 (2015) … 97.35 (2020), 97.85 by 2030. The regression
  // predicts x̂(2030) = 97.1 + 0.05·15 = 97.85 exactly in decimal, but 97.84999999999998 in binary,
  // so G = (97.85 − x̂)/0.75 = 1.89e-14 — before the tolerance this was "accelerate" (issue 14).
  // G = 0 is ESCAP's "maintain" boundary (G ≤ 0, inclusive).
  assess_input in = make({2015, 97.1}, {2020, 97.35}, time_point{2030, 97.85});
  in.observations = {{2015, 97.1}, {2016, 97.15}, {2017, 97.2}, {2018, 97.25}, {2019, 97.3}, {2020, 97.35}};
  const assessment a = run(assess_method::escap_api, in);
  CHECK(std::abs(*a.value) < 1e-12); // the rounding is there …
  CHECK(a.category == "maintain");   // … and does not move the verdict
  // A real gap of 1e-6 (x̂ short of the target by 7.5e-7) stays "accelerate": the tolerance is 1e-9.
  assess_input short_by = in;
  short_by.target = time_point{2030, 97.85 + 7.5e-7};
  CHECK(run(assess_method::escap_api, short_by).category == "accelerate");
  // ESCAP CSI: 0.7 (2015) → 1.2 (2020), 2.2 by 2030: CSI = 0.5/1.5 = 1/3, but computed
  // (1.2 − 0.7)/(2.2 − 0.7) = 0.33333333333333326 < 1/3 = the expected progress 5/15; on its
  // boundary (≥, inclusive) it is on track.
  const assess_input csi = make({2015, 0.7}, {2020, 1.2}, time_point{2030, 2.2});
  const assessment c = run(assess_method::escap_csi, csi, assess_params{}.set("expected_progress", 5.0 / 15));
  CHECK(c.category == "on_track");
  // Reaching the target up to rounding is reaching it: 0.1 + 0.2 (= 0.30000000000000004) against a
  // target of 0.3 for a lower-is-better indicator is achieved (linear method).
  const assessment lin = run(assess_method::linear, make({2020, 1.0}, {2023, 0.1 + 0.2}, time_point{2025, 0.3},
                                                         direction::decrease));
  CHECK(lin.category == "achieved");
}

TEST_CASE("escap_api: categories, boundaries and edge cases") {
  // Two points (baseline and current): the line passes through both whatever the weights.
  // 40 (2015), 60 (2020), 100 by 2030: slope 4, x̂ = 100 → G = 0 → maintain (inclusive); exclusive → accelerate.
  // (OLS keeps the arithmetic exact: t̄ = 2017.5, x̄ = 50, slope = 50/12.5 = 4, x̂ = 50 + 4·12.5 = 100.)
  const assess_input g0 = make({2015, 40}, {2020, 60}, time_point{2030, 100});
  const assess_params ols = assess_params{}.set("weight_slope", 0.0);
  CHECK(*run(assess_method::escap_api, g0, ols).value == 0);
  CHECK(run(assess_method::escap_api, g0, ols).category == "maintain");
  CHECK(run(assess_method::escap_api, g0, assess_params(ols).set("inclusive", false)).category == "accelerate");
  // Flat at the baseline: x̂ = 40 → G = 60/60 = 1 → accelerate (inclusive); exclusive → reverse.
  const assess_input g1 = make({2015, 40}, {2020, 40}, time_point{2030, 100});
  CHECK(*run(assess_method::escap_api, g1).value == 1);
  CHECK(run(assess_method::escap_api, g1).category == "accelerate");
  CHECK(run(assess_method::escap_api, g1, assess_params{}.set("inclusive", false)).category == "reverse");
  // Falling: 40 → 35 by 2020: slope −1, x̂ = 25, G = 75/60 = 1.25 → reverse.
  CHECK(*run(assess_method::escap_api, make({2015, 40}, {2020, 35}, time_point{2030, 100})).value == Approx(1.25));
  CHECK(run(assess_method::escap_api, make({2015, 40}, {2020, 35}, time_point{2030, 100})).category == "reverse");
  // Beyond the target: 110 in 2020: slope 14, x̂ = 250, G = −150/60 = −2.5 → maintain.
  const assessment beyond = run(assess_method::escap_api, make({2015, 40}, {2020, 110}, time_point{2030, 100}));
  CHECK(beyond.category == "maintain");
  CHECK(*beyond.value == Approx(-2.5));
  // Decrease: 20 (2020) → 10 by 2025, 17 in 2022: slope −1.5, x̂ = 12.5, G = −(10 − 12.5)/10 = 0.25.
  const assessment dec =
      run(assess_method::escap_api, make({2020, 20}, {2022, 17}, time_point{2025, 10}, direction::decrease));
  CHECK(dec.category == "accelerate");
  CHECK(*dec.value == Approx(0.25));
  // Zero baseline: 0 (2020), 4 (2022), 10 by 2025: weights 1, 3; t̄ = 2021.5, x̄ = 3, slope = 6/3 = 2,
  // x̂ = 3 + 2·3.5 = 10 → G = 0 → maintain.
  const assessment zero = run(assess_method::escap_api, make({2020, 0}, {2022, 4}, time_point{2025, 10}));
  CHECK(zero.category == "maintain");
  CHECK(*zero.value == Approx(0).epsilon(1e-12));
  // Negative: −10 (2020), −6 (2023), −2 by 2025: slope 4/3, x̂ = −6 + 8/3 = −3.3333;
  // G = (−2 + 3.3333)/8 = 0.166667 → accelerate.
  const assessment neg = run(assess_method::escap_api, make({2020, -10}, {2023, -6}, time_point{2025, -2}));
  CHECK(neg.category == "accelerate");
  CHECK(*neg.value == Approx(1.0 / 6));
  // Deadline past: 40 (2015), 90 (2022), 100 by 2020: x̂(2020) = 40 + 5·50/7 = 75.714286;
  // G = 24.285714/60 = 0.404762 → accelerate.
  const assessment late = run(assess_method::escap_api, make({2015, 40}, {2022, 90}, time_point{2020, 100}));
  CHECK(*late.detail("predicted_value") == Approx(75.714286));
  CHECK(*late.value == Approx(0.404762));
  // xT = x0: met → maintain without a value; not met → not assessable.
  const assessment flat = run(assess_method::escap_api, make({2020, 80}, {2023, 81}, time_point{2025, 80}));
  CHECK(flat.category == "maintain");
  CHECK_FALSE(flat.value.has_value());
  CHECK(not_assessable(run(assess_method::escap_api, make({2020, 80}, {2023, 79}, time_point{2025, 80}))));
  // Insufficient observations: one, or all at one time; a NaN observation.
  assess_input few = make({2020, 40}, {2023, 44}, time_point{2025, 50});
  few.observations = {{2023, 44}};
  CHECK(not_assessable(run(assess_method::escap_api, few)));
  few.observations = {{2023, 44}, {2023, 45}};
  CHECK(not_assessable(run(assess_method::escap_api, few)));
  CHECK(run(assess_method::escap_api, few).reason.en.find("not enough observations") == 0);
  few.observations = {{2021, 41}, {2023, qnan}};
  CHECK(not_assessable(run(assess_method::escap_api, few)));
  // No target → not assessable.
  CHECK(not_assessable(run(assess_method::escap_api, make({2020, 40}, {2023, 44}))));
}

// ---------------------------------------------------------------------------------------------
// sdsn
// ---------------------------------------------------------------------------------------------

TEST_CASE("sdsn") {
  // 0 (2020) → 100 by 2025 (lb = 0, ub = 100 by default): r_req = 100/5 = 20.
  // 40 in 2022: r_act = 40/2 = 20 → ratio 1 → on_track (inclusive); exclusive → moderately_improving.
  const assess_input at1 = make({2020, 0}, {2022, 40}, time_point{2025, 100});
  const assessment a = run(assess_method::sdsn, at1);
  CHECK(*a.value == 1);
  CHECK(a.category == "on_track");
  CHECK(*a.detail("required_rate") == 20);
  CHECK(*a.detail("actual_rate") == 20);
  CHECK(*a.detail("lower_bound") == 0);
  CHECK(*a.detail("upper_bound") == 100);
  CHECK(run(assess_method::sdsn, at1, assess_params{}.set("inclusive", false)).category == "moderately_improving");
  // 20 in 2022: r_act = 10 → 0.5 → moderately_improving; exclusive → stagnating.
  const assess_input half = make({2020, 0}, {2022, 20}, time_point{2025, 100});
  CHECK(*run(assess_method::sdsn, half).value == 0.5);
  CHECK(run(assess_method::sdsn, half).category == "moderately_improving");
  CHECK(run(assess_method::sdsn, half, assess_params{}.set("inclusive", false)).category == "stagnating");
  // No change: ratio 0 → stagnating; exclusive → decreasing. Falling (40 → 30) → decreasing.
  const assess_input still = make({2020, 40}, {2022, 40}, time_point{2025, 100});
  CHECK(run(assess_method::sdsn, still).category == "stagnating");
  CHECK(run(assess_method::sdsn, still, assess_params{}.set("inclusive", false)).category == "decreasing");
  const assessment down = run(assess_method::sdsn, make({2020, 40}, {2022, 30}, time_point{2025, 100}));
  CHECK(down.category == "decreasing");
  // lb = 30 (the worse value), ub = 100: x0' = 100·10/70 = 14.2857, xt' = 0; r_act = −7.142857;
  // r_req = 85.714286/5 = 17.142857; ratio = −0.416667.
  CHECK(*down.value == Approx(-5.0 / 12));
  // Decrease: 20 (2020) → 10 by 2025, 17 in 2022: lb = 20, ub = 10; x0' = 0, xt' = 30; r_req = 20,
  // r_act = 15 → 0.75 → moderately_improving.
  const assessment dec =
      run(assess_method::sdsn, make({2020, 20}, {2022, 17}, time_point{2025, 10}, direction::decrease));
  CHECK(dec.category == "moderately_improving");
  CHECK(*dec.value == Approx(0.75));
  CHECK(*dec.detail("normalised_current") == Approx(30));
  // Beyond the target → on_track ("maintaining achievement"), no ratio.
  const assessment beyond = run(assess_method::sdsn, make({2020, 40}, {2022, 120}, time_point{2025, 100}));
  CHECK(beyond.category == "on_track");
  CHECK_FALSE(beyond.value.has_value());
  // Negative: −10 → −2 by 2025, −6 in 2023: x0' = 0, xt' = 50; r_req = 20, r_act = 50/3 → 0.833333.
  const assessment neg = run(assess_method::sdsn, make({2020, -10}, {2023, -6}, time_point{2025, -2}));
  CHECK(neg.category == "moderately_improving");
  CHECK(*neg.value == Approx(5.0 / 6));
  // Deadline past: 40 (2015) → 100 by 2020, 90 in 2022: xt' = 83.3333; r_req = 20; r_act = 11.904762
  // → 0.595238 → moderately_improving.
  const assessment late = run(assess_method::sdsn, make({2015, 40}, {2022, 90}, time_point{2020, 100}));
  CHECK(late.category == "moderately_improving");
  CHECK(*late.value == Approx(0.595238));
  // Explicit bounds 0..100, 40 (2015) → 80 by 2030, 60 in 2020: green = 80; r_req = 40/15; r_act = 4;
  // ratio 1.5 → on_track.
  const assess_params bounds = assess_params{}.set("lower_bound", 0.0).set("upper_bound", 100.0);
  const assessment bnd = run(assess_method::sdsn, make({2015, 40}, {2020, 60}, time_point{2030, 80}), bounds);
  CHECK(*bnd.value == Approx(1.5));
  CHECK(*bnd.detail("normalised_target") == Approx(80));
  // Bounds reversed for the direction → not assessable.
  CHECK(not_assessable(run(assess_method::sdsn, make({2015, 40}, {2020, 60}, time_point{2030, 80}),
                           assess_params{}.set("lower_bound", 100.0).set("upper_bound", 0.0))));
  // xT = x0 = 80: met → on_track; 79 → the score fell from green: decreasing, without a value.
  CHECK(run(assess_method::sdsn, make({2020, 80}, {2023, 80}, time_point{2025, 80})).category == "on_track");
  const assessment flat = run(assess_method::sdsn, make({2020, 80}, {2023, 79}, time_point{2025, 80}));
  CHECK(flat.category == "decreasing");
  CHECK_FALSE(flat.value.has_value());
  // No target → not assessable.
  CHECK(not_assessable(run(assess_method::sdsn, make({2020, 40}, {2023, 44}))));
}

// ---------------------------------------------------------------------------------------------
// unsd
// ---------------------------------------------------------------------------------------------

TEST_CASE("unsd progress chart with a target") {
  // 100 (2015) → 150 by 2030, 110 in 2020: CAGR = 0.0192449; v = 110·1.1^(10/5) = 133.1;
  // ratio = 33.1/50 = 0.662 → acceleration_needed (2).
  const assessment a = run(assess_method::unsd, make({2015, 100}, {2020, 110}, time_point{2030, 150}));
  CHECK(a.category == "acceleration_needed");
  CHECK(*a.score == 2);
  CHECK(*a.value == Approx(0.662));
  CHECK(*a.detail("projected_value") == Approx(133.1));
  // Beyond the target → on_track (3) whatever the trend.
  const assessment beyond = run(assess_method::unsd, make({2015, 100}, {2020, 160}, time_point{2030, 150}));
  CHECK(beyond.category == "on_track");
  CHECK(*beyond.score == 3);
  // Decrease: 20 → 10 by 2030, 18 in 2020: v = 18·0.9^2 = 14.58; ratio = −(14.58 − 20)/10 = 0.542 → 2.
  const assessment dec =
      run(assess_method::unsd, make({2015, 20}, {2020, 18}, time_point{2030, 10}, direction::decrease));
  CHECK(*dec.value == Approx(0.542));
  CHECK(*dec.score == 2);
  // Deadline past: 100 (2015) → 150 by 2020, 120 in 2022: v = 120·1.2^(−2/7) = 100·1.2^(5/7) = 113.909
  // (the value at 2020 on the same path); ratio = 0.278180 → acceleration_needed.
  const assessment late = run(assess_method::unsd, make({2015, 100}, {2022, 120}, time_point{2020, 150}));
  CHECK(*late.detail("projected_value") == Approx(113.908998));
  CHECK(*late.value == Approx(0.278180));
  CHECK(late.category == "acceleration_needed");
  // Boundaries with exact ratios (deadline now, t = T, so v = xt):
  // 1 (2020) → 21 by 2022, 20 in 2022: ratio 19/20 = 0.95 → on_track; exclusive → acceleration_needed.
  const assess_input at_95 = make({2020, 1}, {2022, 20}, time_point{2022, 21});
  CHECK(*run(assess_method::unsd, at_95).value == 0.95);
  CHECK(run(assess_method::unsd, at_95).category == "on_track");
  CHECK(run(assess_method::unsd, at_95, assess_params{}.set("inclusive", false)).category == "acceleration_needed");
  // 3 in 2022: ratio 2/20 = 0.10 → acceleration_needed; exclusive → stagnation_or_regression (1).
  const assess_input at_10 = make({2020, 1}, {2022, 3}, time_point{2022, 21});
  CHECK(*run(assess_method::unsd, at_10).value == 0.1);
  CHECK(run(assess_method::unsd, at_10).category == "acceleration_needed");
  const assessment s1 = run(assess_method::unsd, at_10, assess_params{}.set("inclusive", false));
  CHECK(s1.category == "stagnation_or_regression");
  CHECK(*s1.score == 1);
  // Zero baseline: not assessable unless the target is reached.
  CHECK(not_assessable(run(assess_method::unsd, make({2020, 0}, {2023, 5}, time_point{2025, 10}))));
  CHECK(run(assess_method::unsd, make({2020, 0}, {2023, 12}, time_point{2025, 10})).category == "on_track");
  // Decrease to zero: 10 → 0 reached → on_track (EUSTAT exception 1), though a growth rate is undefined.
  CHECK(run(assess_method::unsd, make({2020, 10}, {2023, 0}, time_point{2025, 0}, direction::decrease)).category ==
        "on_track");
  // Negative values, xT = x0 not met: not assessable.
  CHECK(not_assessable(run(assess_method::unsd, make({2020, -10}, {2023, -8}, time_point{2025, -5}))));
  CHECK(not_assessable(run(assess_method::unsd, make({2020, 50}, {2023, 48}, time_point{2025, 50}))));
}

TEST_CASE("unsd progress chart without a target") {
  // 100 → 120 over 5 years: 3.71% ≥ 2% → 3; 100 → 110: 1.92% → 2; 100 → 99: −0.2% → 1.
  CHECK(*run(assess_method::unsd, make({2015, 100}, {2020, 120})).score == 3);
  const assessment a = run(assess_method::unsd, make({2015, 100}, {2020, 110}));
  CHECK(a.category == "acceleration_needed");
  CHECK(*a.value == Approx(0.0192449));
  CHECK(run(assess_method::unsd, make({2015, 100}, {2020, 99})).category == "stagnation_or_regression");
  // Decrease (mirrored): 100 → 90: CAGR −2.085% ≤ −2% → 3; value = d·CAGR = 0.0208516.
  const assessment dec = run(assess_method::unsd, make({2015, 100}, {2020, 90}, std::nullopt, direction::decrease));
  CHECK(dec.category == "on_track");
  CHECK(*dec.value == Approx(0.0208516));
  CHECK(*dec.detail("cagr") == Approx(-0.0208516));
  // 100 → 99 for a decrease: 0.2% < 0.5% → 1.
  CHECK(*run(assess_method::unsd, make({2015, 100}, {2020, 99}, std::nullopt, direction::decrease)).score == 1);
  // Boundary: CAGR 1 exactly on a threshold of 1 → on_track; exclusive → acceleration_needed.
  const assess_params p = assess_params{}.set("notarget_on_track_growth", 1.0);
  CHECK(run(assess_method::unsd, make({2020, 1}, {2022, 4}), p).category == "on_track");
  CHECK(run(assess_method::unsd, make({2020, 1}, {2022, 4}), assess_params(p).set("inclusive", false)).category ==
        "acceleration_needed");
  // Zero growth (0 < 0.5%) → 1; zero or negative values → not assessable.
  CHECK(*run(assess_method::unsd, make({2015, 100}, {2020, 100})).score == 1);
  CHECK(not_assessable(run(assess_method::unsd, make({2015, 0}, {2020, 10}))));
  CHECK(not_assessable(run(assess_method::unsd, make({2015, 10}, {2020, -1}))));
}

// ---------------------------------------------------------------------------------------------
// Sentences for the other methods and for not assessable results
// ---------------------------------------------------------------------------------------------

TEST_CASE("explain: other methods and not assessable") {
  const explain_context ctx{"小学骨干教师占比", "%", 1, {}, {}};
  // unsd example above: ratio 0.662, score 2.
  const assessment u = run(assess_method::unsd, make({2015, 100}, {2020, 110}, time_point{2030, 150}));
  CHECK(u.explain("zh", ctx) ==
        "小学骨干教师占比 2020 年为 110.0%；联合国统计司进展图：有进展但需加速（预计完成比例 0.66，得分 2）。");
  CHECK(u.explain("en", ctx) == "小学骨干教师占比 in 2020 was 110.0%. UNSD progress chart: fair progress but "
                                "acceleration needed (projected share of the way 0.66, score 2).");
  // A growth rate is shown as a percentage.
  const assessment e = run(assess_method::eurostat, make({2015, 100}, {2020, 103}));
  CHECK(e.explain("en", {"Spending", "万元", 0, {}, {}}) ==
        "Spending in 2020 was 103 万元. Eurostat progress assessment: moderate progress (direction-adjusted annual "
        "growth 0.59%).");
  CHECK(e.explain("zh", {"经费", "万元", 0, {}, {}}) ==
        "经费 2020 年为 103万元；欧盟统计局进度评估：中等进展（方向调整后的年均增长率 0.59%）。");
  // Not assessable.
  const assessment n = run(assess_method::eurostat, make({2020, 0}, {2023, 5}, time_point{2025, 10}));
  CHECK(n.explain("zh", ctx) == "小学骨干教师占比：无法评估（复合年均增长率要求所用数值均大于 0）。");
  CHECK(n.explain("en", ctx) ==
        "小学骨干教师占比: not assessable (a compound annual growth rate needs values greater than 0).");
  // Fractional years print as they are.
  const assessment f = run(assess_method::linear, make({2020.5, 40}, {2023.5, 44}, time_point{2025.5, 50}));
  CHECK(f.explain("zh", ctx).find("2023.50 年为 44.0%") != std::string::npos);
  // Every assessable category of every method explains in both languages without leaking raw names.
  for (const auto& [m, name] : assess_method_names) {
    (void)name;
    const assessment x = assess(m, make({2015, 100}, {2020, 110}, time_point{2030, 150}));
    CHECK(x.explain("zh", ctx).find(x.category) == std::string::npos);
    CHECK(x.explain("en", ctx).find("_") == std::string::npos);
  }
}

TEST_CASE("the baijiantan plan's primary backbone target under every method") {
  // t1_primary_backbone: 66 (baseline 2020) → ≥ 80 by 2025; an illustrative 72 in 2023.
  // linear: expected = 66 + 14·0.6 = 74.4; gap = −2.4 → lagging; P = 6/14 = 0.428571.
  // statcan: CAGR_o = (72/66)^(1/3) − 1 = 0.0294285, CAGR_T = (80/66)^(1/5) − 1 = 0.0392241;
  //   R = 0.750266 → moderate.
  // escap_csi: CSI = 6/14 = 0.428571 < τ = 0.6 → below_expected.
  // escap_api: two points, slope 2, x̂ = 76 → G = 4/14 = 0.285714 → accelerate.
  // sdsn: lb 66, ub 80: xt' = 42.857; r_act = 14.2857, r_req = 20 → 0.714286 → moderately_improving.
  // unsd: v = 72·(72/66)^(2/3) = 76.300058; ratio = 10.300058/14 = 0.735718 → acceleration_needed.
  const assess_input in = make({2020, 66}, {2023, 72}, time_point{2025, 80});
  CHECK(run(assess_method::linear, in).category == "lagging");
  CHECK(*run(assess_method::linear, in).value == Approx(6.0 / 14));
  const assessment s = run(assess_method::statcan, in);
  CHECK(s.category == "moderate_progress");
  CHECK(*s.value == Approx((std::pow(72.0 / 66, 1.0 / 3) - 1) / (std::pow(80.0 / 66, 0.2) - 1)));
  CHECK(*s.value == Approx(0.750266));
  CHECK(run(assess_method::escap_csi, in).category == "below_expected");
  CHECK(*run(assess_method::escap_api, in).value == Approx(4.0 / 14));
  CHECK(run(assess_method::sdsn, in).category == "moderately_improving");
  CHECK(*run(assess_method::sdsn, in).value == Approx(5.0 / 7));
  CHECK(*run(assess_method::unsd, in).value == Approx(0.735718));
  CHECK(run(assess_method::unsd, in).category == "acceleration_needed");
  CHECK(run(assess_method::eurostat, in).category == "moderate_progress");
}
