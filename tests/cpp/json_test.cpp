#include <planeval/json.hpp>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>

#include "test_plans.hpp"

using namespace planeval;
namespace json = boost::json;

namespace {

const char* const base_plan = planeval_test::mini_plan;

std::string with(const std::function<void(json::object&)>& change) {
  json::value v = json::parse(base_plan);
  change(v.as_object());
  return json::serialize(v);
}

json::object& tgt(json::object& root, std::size_t i) { return root["targets"].as_array()[i].as_object(); }

/// Parsing `text` must fail with an error at `path` whose message contains `fragment`.
void expect_error(const std::string& text, const std::string& path, const std::string& fragment) {
  try {
    parse_plan(text, "test.json");
    FAIL("expected plan_error at " << path);
  } catch (const plan_error& e) {
    const bool found = std::any_of(e.errors().begin(), e.errors().end(), [&](const diagnostic& d) {
      return d.path == path && d.message.find(fragment) != std::string::npos;
    });
    std::string all;
    for (const auto& d : e.errors()) all += "\n  " + d.to_string();
    CHECK_MESSAGE(found, "wanted " << path << ": ..." << fragment << "...; got" << all);
  }
}

} // namespace

TEST_CASE("the base plan loads") {
  const plan p = parse_plan(base_plan);
  CHECK(p.id() == "mini");
  CHECK(p.horizon().start == date(2021, 1, 1));
  CHECK(p.horizon().end == date(2025, 12, 31));
  CHECK(p.entities().size() == 2);
  CHECK(p.entities()[*p.find_entity("s1")].parent == "d"); // parent listed later in the file
  const auto& t1 = p.target_by_id("t1");
  CHECK(t1.baseline->date == date(2020, 12, 31));
  CHECK(t1.goal.value == value(80.0));
  CHECK(t1.milestones.at(0).date == date(2023, 12, 31));
  CHECK(p.target_by_id("t3").goal.deadline_basis == deadline_basis::assumed);
  CHECK(p.observations()[1].period.start == date(2016, 1, 1));
  CHECK(p.observations()[2].period == period::school_year(2021));
  CHECK(p.observations()[0].qualifier == qualifier::ge);
}

TEST_CASE("canonical output: load, save, load, save is byte-identical") {
  const std::string first = to_json(parse_plan(base_plan));
  const plan again = parse_plan(first);
  CHECK(to_json(again) == first);
  CHECK(again == parse_plan(base_plan));
  // canonical form: full dates, assumed deadline left out, UTF-8 unescaped
  CHECK(first.find("\"deadline\": \"2025-12-31\"") != std::string::npos);
  CHECK(first.find("县级以上骨干教师数") != std::string::npos);
  CHECK(first.find("\"period\": \"2021/2022\"") != std::string::npos);
}

TEST_CASE("files: BOM accepted, missing file reported") {
  const std::string path = "json_test_plan.json";
  {
    std::ofstream f(path, std::ios::binary);
    f << "\xEF\xBB\xBF" << base_plan;
  }
  CHECK(load_plan(path).id() == "mini");
  save_plan(load_plan(path), path);
  CHECK(load_plan(path).targets().size() == 3);
  std::remove(path.c_str());
  CHECK_THROWS_WITH_AS(load_plan("no/such/plan.json"), "no/such/plan.json: cannot open the plan file", plan_error);
}

TEST_CASE("malformed JSON names line and column") {
  // the stray comma is on line 3, column 16
  expect_error("{\n  \"format\": \"planeval-plan\",\n  \"id\": \"x\",,\n}", "test.json:3:13", "malformed JSON");
  expect_error("", "test.json:1:1", "malformed JSON");
  expect_error("[1, 2", "test.json:1:6", "malformed JSON");
}

TEST_CASE("wrong types") {
  expect_error(with([](auto& r) { tgt(r, 0)["goal"].as_object()["value"] = "80"; }), "targets[0].goal.value",
               "expected a number, true/false, null or an array of numbers, got \"80\"");
  expect_error(with([](auto& r) { r["phases"] = json::object{}; }), "phases", "expected an array, got an object");
  expect_error(with([](auto& r) { r["indicators"].as_array()[0].as_object()["decimals"] = 1.5; }),
               "indicators[0].decimals", "expected an integer from 0 to 12");
  expect_error(with([](auto& r) { tgt(r, 1)["goal"].as_object()["comparator"] = ">>"; }), "targets[1].goal.comparator",
               "expected one of \">=\"");
  expect_error(with([](auto& r) { tgt(r, 0)["goal"].as_object()["value"] = "true"; }), "targets[0].goal.value",
               "got \"true\"");
  expect_error(with([](auto& r) { r["title"] = "小规划"; }), "title", "expected an object");
  expect_error(with([](auto& r) { r["format_version"] = 2; }), "format_version", "expected 1");
}

TEST_CASE("bad dates") {
  expect_error(with([](auto& r) { tgt(r, 0)["goal"].as_object()["deadline"] = "2025-13-01"; }),
               "targets[0].goal.deadline", "expected a date (YYYY-MM-DD, YYYY-MM or YYYY), got \"2025-13-01\"");
  expect_error(with([](auto& r) { r["horizon"].as_object()["end"] = "2020"; }), "horizon.end",
               "expected an end on or after the start 2021-01-01");
  expect_error(with([](auto& r) { tgt(r, 0)["goal"].as_object()["deadline"] = "2019"; }), "targets[0].goal.deadline",
               "within the plan horizon");
}

TEST_CASE("unknown and missing keys") {
  expect_error(with([](auto& r) { tgt(r, 0)["deadline"] = "2025"; }), "targets[0].deadline",
               "unknown key \"deadline\"");
  expect_error(with([](auto& r) { r["colour"] = "red"; }), "colour", "unknown key");
  expect_error(with([](auto& r) { tgt(r, 0).erase("indicator"); }), "targets[0].indicator",
               "missing required key \"indicator\"");
}

TEST_CASE("duplicate and empty ids") {
  expect_error(with([](auto& r) { tgt(r, 1)["id"] = "t1"; }), "targets[1].id", "duplicate id \"t1\"");
  expect_error(with([](auto& r) { r["indicators"].as_array()[1].as_object()["id"] = "teachers"; }), "indicators[1].id",
               "duplicate indicator id \"teachers\"");
  expect_error(with([](auto& r) { r["phases"].as_array()[1].as_object()["id"] = "p1"; }), "phases[1].id",
               "duplicate phase id");
  expect_error(with([](auto& r) {
                 r["entities"].as_array().push_back(
                     json::object{{"id", "d"}, {"name", {{"zh", "又一个区"}}}, {"kind", "district"}});
               }),
               "entities[2].id", "duplicate entity id \"d\"");
  expect_error(with([](auto& r) { r["observations"].as_array()[0].as_object()["id"] = "t1"; }), "observations[0].id",
               "duplicate id \"t1\" (already used by a target)");
  expect_error(with([](auto& r) { tgt(r, 0)["id"] = ""; }), "targets[0].id", "expected a non-empty id");
  expect_error(with([](auto& r) { r["id"] = ""; }), "id", "expected a non-empty id");
  // ids of any script are ids (教师); spaces, invisible characters and decomposed letters are not
  CHECK(parse_plan(with([](auto& r) {
          tgt(r, 0)["id"] = "教师";
          r["conflicts"].as_array()[0].as_object()["items"].as_array()[0] = "教师"; // the conflict names it
        })).target_by_id("教师").indicator == "teachers");
  expect_error(with([](auto& r) { tgt(r, 0)["id"] = "教 师"; }), "targets[0].id",
               "expected an id (letters or digits of any script, '_', '.', '-'; starting with a letter or digit; no "
               "spaces; at most 128 bytes), got \"教 师\"");
  expect_error(with([](auto& r) { tgt(r, 0)["id"] = "教\u3000师"; }), "targets[0].id", "expected an id");
  expect_error(with([](auto& r) { tgt(r, 0)["id"] = "a\u200bb"; }), "targets[0].id", "expected an id");
  expect_error(with([](auto& r) { tgt(r, 0)["id"] = "e\u0301cole"; }), "targets[0].id", "expected an id");
  expect_error(with([](auto& r) { tgt(r, 0)["id"] = "_t"; }), "targets[0].id", "expected an id");
}

TEST_CASE("dangling references") {
  expect_error(with([](auto& r) { tgt(r, 0)["indicator"] = "teacher_cnt"; }), "targets[0].indicator",
               "unknown indicator \"teacher_cnt\"");
  expect_error(with([](auto& r) { tgt(r, 0)["scope"] = "s9"; }), "targets[0].scope", "unknown entity \"s9\"");
  expect_error(with([](auto& r) { tgt(r, 0)["phase"] = "p9"; }), "targets[0].phase", "unknown phase \"p9\"");
  expect_error(with([](auto& r) { r["entities"].as_array()[0].as_object()["parent"] = "ghost"; }), "entities[0].parent",
               "unknown entity \"ghost\"");
  expect_error(with([](auto& r) { r["entities"].as_array()[1].as_object()["parent"] = "s1"; }), "entities[0].parent",
               "cycle");
  expect_error(with([](auto& r) { r["conflicts"].as_array()[0].as_object()["items"].as_array()[1] = "nope"; }),
               "conflicts[0].items[1]", "unknown target, observation or note \"nope\"");
  expect_error(with([](auto& r) { r["observations"].as_array()[0].as_object()["indicator"] = "x"; }),
               "observations[0].indicator", "unknown indicator \"x\"");
}

TEST_CASE("overlapping phases and phases outside the horizon") {
  expect_error(with([](auto& r) { r["phases"].as_array()[1].as_object()["start"] = "2022-06"; }), "phases[1]",
               "overlaps phase \"p1\"");
  expect_error(with([](auto& r) { r["phases"].as_array()[1].as_object()["end"] = "2026"; }), "phases[1]",
               "within the plan horizon");
  expect_error(with([](auto& r) { tgt(r, 0)["phase"] = "p1"; }), "targets[0].phase",
               "the deadline 2025-12-31 is outside phase \"p1\"");
}

TEST_CASE("milestones outside baseline..deadline") {
  expect_error(with([](auto& r) { tgt(r, 0)["milestones"].as_array()[0].as_object()["date"] = "2026"; }),
               "targets[0].milestones[0].date", "on or before the deadline 2025-12-31, got 2026-12-31");
  expect_error(with([](auto& r) { tgt(r, 0)["milestones"].as_array()[0].as_object()["date"] = "2020"; }),
               "targets[0].milestones[0].date", "after the baseline 2020-12-31");
  expect_error(with([](auto& r) { tgt(r, 0)["baseline"].as_object()["date"] = "2025"; }), "targets[0].baseline.date",
               "before the deadline");
}

TEST_CASE("comparator not valid for the value kind") {
  expect_error(with([](auto& r) {
                 tgt(r, 1)["goal"] = json::object{{"comparator", ">="}, {"value", 1}};
               }),
               "targets[1].goal.comparator", "not valid for boolean indicator \"passed\"; expected \"pass\"");
  expect_error(with([](auto& r) { tgt(r, 2)["goal"].as_object()["comparator"] = ">="; }), "targets[2].goal.comparator",
               "not valid for shares indicator");
  expect_error(with([](auto& r) {
                 tgt(r, 0)["goal"] = json::object{{"comparator", "pass"}};
               }),
               "targets[0].goal.comparator", "not valid for count indicator");
  expect_error(with([](auto& r) { tgt(r, 1)["goal"].as_object()["value"] = true; }), "targets[1].goal.value",
               "expected no value for comparator \"pass\"");
  expect_error(with([](auto& r) {
                 tgt(r, 2)["goal"].as_object()["value"] = json::array{3, 4};
               }),
               "targets[2].goal.value", "expected 3 shares");
  expect_error(with([](auto& r) {
                 tgt(r, 0)["goal"] = json::object{{"comparator", "between"}, {"value", json::array{5, 1}}};
               }),
               "targets[0].goal.value", "expected low <= high");
}

TEST_CASE("non-finite and out-of-range numbers") {
  // 1e999 overflows a double: JSON has no infinity, so it must not sneak in as one
  std::string text = with([](auto&) {});
  const std::string needle = "\"value\":80";
  REQUIRE(text.find(needle) != std::string::npos);
  text.replace(text.find(needle), needle.size(), "\"value\":1e999");
  expect_error(text, "targets[0].goal.value", "finite");
  expect_error(with([](auto& r) { r["observations"].as_array()[0].as_object()["value"] = 101; }),
               "observations[0].value", "expected a percentage from 0 to 100");
  expect_error(with([](auto& r) { tgt(r, 0)["baseline"].as_object()["value"] = -3; }), "targets[0].baseline.value",
               "expected a count >= 0");
}

TEST_CASE("every error is reported, not only the first") {
  try {
    parse_plan(with([](auto& r) {
      tgt(r, 0)["indicator"] = "nope";
      tgt(r, 1)["scope"] = "nowhere";
      r["phases"].as_array()[1].as_object()["start"] = "2022-13";
    }));
    FAIL("expected plan_error");
  } catch (const plan_error& e) {
    CHECK(e.errors().size() >= 3);
    CHECK(std::string(e.what()).find("more error") != std::string::npos);
  }
}

TEST_CASE("warnings of the base plan") {
  const auto w = parse_plan(base_plan).warnings();
  REQUIRE(w.size() == 1);
  CHECK(w[0].to_string() ==
        "targets[2].goal.deadline: target \"t3\": the source states no deadline; assumed to be the horizon end "
        "2025-12-31");
}

TEST_CASE("aggregation.weight: students, units or a count indicator defined before; round trip") {
  auto ind = [](json::object& r, std::size_t i) -> json::object& { return r["indicators"].as_array()[i].as_object(); };
  // indicators: [0] teachers (count), [1] rate (%), [2] passed (boolean), [3] posts (shares)
  for (const char* w : {"students", "units", "teachers"}) {
    const plan p = parse_plan(with([&](auto& r) { ind(r, 1)["aggregation"] = {{"entities", "ratio_of_sums"}, {"weight", w}}; }));
    CHECK(p.indicator_by_id("rate").weight_by == w);
    CHECK(parse_plan(to_json(p)).indicator_by_id("rate").weight_by == w); // written back
  }
  // the default rule of a rate is a weighted mean: a weight is allowed without a rule
  CHECK(parse_plan(with([&](auto& r) { ind(r, 1)["aggregation"] = {{"weight", "units"}}; }))
            .indicator_by_id("rate")
            .weight_by == "units");
  expect_error(with([&](auto& r) { ind(r, 1)["aggregation"] = {{"entities", "ratio_of_sums"}, {"weight", "pupils"}}; }),
               "indicators[1].aggregation.weight",
               "expected \"students\", \"units\" or the id of a count indicator defined before this one, got \"pupils\"");
  expect_error(with([&](auto& r) { ind(r, 1)["aggregation"] = {{"entities", "sum"}, {"weight", "units"}}; }),
               "indicators[1].aggregation.weight", "a weight applies to weighted_mean and ratio_of_sums only, not to \"sum\"");
  expect_error(with([&](auto& r) { ind(r, 0)["aggregation"] = {{"weight", "units"}}; }),
               "indicators[0].aggregation.weight", "not to \"the default rule of a count\"");
  expect_error(with([&](auto& r) { ind(r, 1)["aggregation"] = {{"weight", "rate"}}; }),
               "indicators[1].aggregation.weight", "an indicator cannot be its own weight");
  expect_error(with([&](auto& r) { ind(r, 1)["aggregation"] = {{"weight", "passed"}}; }),
               "indicators[1].aggregation.weight", "expected \"students\", \"units\" or the id of a count indicator");
  expect_error(with([&](auto& r) { ind(r, 1)["aggregation"] = {{"weight", ""}}; }), "indicators[1].aggregation.weight",
               "");
}
