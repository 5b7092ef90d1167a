// Official standards as data: the built-in files, located errors, evaluation, combined schools.
//
// The hand-made county (fixture `county`): 4 小学 and 3 初中 schools, evaluated for 2023 with the
// 2017 优质均衡 standard (thresholds 小学 / 初中: 4.2/5.3, 1.0/1.0, 0.9/0.9, 4.5/5.8, 7.5/10.2,
// 2000/2500, 2.3/2.4; a school passes with >= 6 of 7 met and the rest >= 85% of the standard).
//
// | school | students | 高学历/百 | 骨干/百 | 体艺/百 | 教学用房 | 运动场馆 | 仪器设备 | 多媒体/百 | met | verdict |
// |---|---|---|---|---|---|---|---|---|---|---|
// | p1 小学 | 800  | 5.0 | 1.2 | 1.0  | 5.0 | 8.0  | 2500 | 2.5 | 7 | pass |
// | p2 小学 | 600  | 4.5 | 1.1 | 1.0  | 4.8 | 7.0* | 2200 | 2.4 | 6 | pass (7.0 = 93% of 7.5) |
// | p3 小学 | 400  | 4.4 | 1.0 | 0.95 | 4.6 | 7.6  | 1600*| 2.3 | 6 | FAIL: 1600 < 85% × 2000 = 1700 |
// | p4 小学 | 200  | 4.0*| 1.0 | 0.8* | 4.6 | 7.8  | 2100 | 2.4 | 5 | FAIL: 5 of 7 < 6 (both unmet ones >= 85%) |
// | j1 初中 | 1000 | 6.0 | 1.5 | 1.0  | 6.5 | 32.0 | 3000 | 2.6 | 7 | pass |
// | j2 初中 | 600  | 5.5 | 1.0 | 0.9  | 6.0 | 10.5 | 2600 | 2.2*| 6 | pass (2.2 = 92% of 2.4) |
// | j3 初中 | 400  | 5.3 | 1.2 | 1.1  | 5.9 | 10.2 | 2500 | 2.5 | 7 | pass (5.3, 10.2, 2500 exactly at the standard) |
// (* = not met; 1.0, 2.3, 5.3, 10.2 and 2500 sit exactly on their thresholds: >= is inclusive.)
//
// Student-weighted CVs (P_i/P: 小学 0.4, 0.3, 0.2, 0.1; 初中 0.5, 0.3, 0.2), population form:
//   小学 仪器设备: x̄ = 0.4·2500 + 0.3·2200 + 0.2·1600 + 0.1·2100 = 1000 + 660 + 320 + 210 = 2190;
//     S² = 0.4·310² + 0.3·10² + 0.2·590² + 0.1·90² = 38440 + 30 + 69620 + 810 = 108900, S = 330;
//     CV = 330 / 2190 = 0.150685.
//   小学 体艺: x̄ = 0.4 + 0.3 + 0.19 + 0.08 = 0.97; S² = 0.4·0.03² + 0.3·0.03² + 0.2·0.02² + 0.1·0.17²
//     = 0.00036 + 0.00027 + 0.00008 + 0.00289 = 0.0036, S = 0.06; CV = 0.06 / 0.97 = 0.061856.
//   初中 运动场馆: x̄ = 0.5·32 + 0.3·10.5 + 0.2·10.2 = 16 + 3.15 + 2.04 = 21.19;
//     S² = 0.5·10.81² + 0.3·10.69² + 0.2·10.99² = 58.42805 + 34.28283 + 24.15602 = 116.8669,
//     S = 10.81050; CV = 10.81050 / 21.19 = 0.510170 > 0.45.
//   All CVs: 小学 0.071666, 0.074834, 0.061856, 0.034467, 0.055200, 0.150685, 0.030923 (<= 0.50);
//            初中 0.052217, 0.171421, 0.070707, 0.043694, 0.510170, 0.080112, 0.070876 (<= 0.45 but 运动场馆).
// County values: 政府保障程度 1 (met), 教育质量 1 (met), 社会认可度 90% (>= 85).
//
// Verdict: FAIL, with exactly three reasons — p3 below the floor (仪器设备 1600 < 1700), p4 too few
// met (5 < 6), 初中 生均体育运动场馆面积 差异系数 0.51 超过 0.45. Groups: 资源配置 fails, the other
// three pass.
//
// The passing county changes three values: p3 仪器设备 1760 (88% of 2000: unmet, above the 85%
// floor: 6 of 7), p4 体艺 0.9 (met: 6 of 7), j1 运动场馆 12.0 (初中 CV 0.072979). Every school then
// passes and every CV is below its limit. With a stricter provincial floor of 90%, p3 fails again
// (1760 < 1800).
#include <planeval/json.hpp>
#include <planeval/rules/k_of_n.hpp>
#include <planeval/standard.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <tuple>

using namespace planeval;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string source_path(const std::string& rel) { return std::string(PLANEVAL_SOURCE_DIR) + "/" + rel; }

/// `s` with the first `from` replaced by `to` (which must occur).
std::string replace_once(std::string s, std::string_view from, std::string_view to) {
  const auto pos = s.find(from);
  REQUIRE_MESSAGE(pos != std::string::npos, "not found: " << from);
  s.replace(pos, from.size(), to);
  return s;
}

/// The diagnostics of parsing `text`, as "path: message" strings (empty if it parses).
std::vector<std::string> errors_of(const std::string& text, std::string_view source = "standards/x.json") {
  try {
    (void)parse_standard(text, source);
  } catch (const standard_error& e) {
    std::vector<std::string> out;
    for (const auto& d : e.errors()) out.push_back(d.to_string());
    return out;
  }
  return {};
}

bool has_error(const std::vector<std::string>& errs, std::string_view prefix) {
  for (const auto& e : errs)
    if (e.rfind(prefix, 0) == 0) return true;
  return false;
}

std::string all_of(const std::vector<std::string>& errs) {
  std::string s;
  for (const auto& e : errs) s += "\n  " + e;
  return s;
}

day_number day(int y, int m, int d) {
  return to_day_number(
      date(static_cast<unsigned short>(y), static_cast<unsigned short>(m), static_cast<unsigned short>(d)));
}

const char* const county_plan = R"({
  "format": "planeval-plan", "format_version": 1, "id": "county",
  "title": {"zh": "某县教育规划"}, "horizon": {"start": "2021", "end": "2025"},
  "phases": [], "indicators": [],
  "entities": [
    {"id": "county", "name": {"zh": "某县"}, "kind": "district"},
    {"id": "primary", "name": {"zh": "小学"}, "kind": "stage", "parent": "county", "stage": "小学"},
    {"id": "junior", "name": {"zh": "初中"}, "kind": "stage", "parent": "county", "stage": "初中"}
  ],
  "targets": []
})";

/// The order of the 7 resource indicators of the 2017 standard.
const std::array<const char*, 7> resource_ids{"qualified_teachers_per_100", "backbone_teachers_per_100",
                                              "pe_arts_teachers_per_100",   "teaching_space_per_student",
                                              "sports_space_per_student",   "equipment_value_per_student",
                                              "multimedia_rooms_per_100"};

/// The hand-made county of the comment at the top, as plan + observations (dated 2023-09-30).
struct county {
  standard s = builtin_standard("compulsory_quality_balance_2017");
  plan p = parse_plan(county_plan);
  observation_table t;

  explicit county(bool passing = false) {
    add_standard_indicators(p, s);
    school("p1", "primary", 800, {5.0, 1.2, 1.0, 5.0, 8.0, 2500, 2.5});
    school("p2", "primary", 600, {4.5, 1.1, 1.0, 4.8, 7.0, 2200, 2.4});
    school("p3", "primary", 400, {4.4, 1.0, 0.95, 4.6, 7.6, passing ? 1760.0 : 1600.0, 2.3});
    school("p4", "primary", 200, {4.0, 1.0, passing ? 0.9 : 0.8, 4.6, 7.8, 2100, 2.4});
    school("j1", "junior", 1000, {6.0, 1.5, 1.0, 6.5, passing ? 12.0 : 32.0, 3000, 2.6});
    school("j2", "junior", 600, {5.5, 1.0, 0.9, 6.0, 10.5, 2600, 2.2});
    school("j3", "junior", 400, {5.3, 1.2, 1.1, 5.9, 10.2, 2500, 2.5});
    county_value("government_guarantee_passed", 1);
    county_value("education_quality_passed", 1);
    county_value("compulsory_social_recognition_rate", 90);
  }

  std::uint32_t ind(std::string_view id) const { return *p.find_indicator(id); }
  std::uint32_t ent(std::string_view id) const { return *p.find_entity(id); }

  void row(std::string_view indicator, std::string_view entity, double value, double weight,
           day_number end = day(2023, 9, 30), std::uint8_t flags = 0) {
    t.push_back(ind(indicator), ent(entity), end, end, value, flags);
    t.weight.push_back(weight);
  }

  void school(const std::string& id, const std::string& parent, double students, std::array<double, 7> values,
              entity_kind kind = entity_kind::school, const std::string& name = {}) {
    entity e;
    e.id = id;
    e.name.zh = name.empty() ? id : name;
    e.kind = kind;
    e.parent = parent;
    p.add_entity(e);
    for (std::size_t i = 0; i < 7; ++i) row(resource_ids[i], id, values[i], students);
  }

  void county_value(std::string_view indicator, double value) { row(indicator, "county", value, 0); }

  standard_result run(standard_options o = {}) const {
    if (!o.period) o.period = period::calendar_year(2023);
    return evaluate_standard(s, p, t.view(), o);
  }
};

/// Options for evaluating period `p`.
standard_options in(period p) {
  standard_options o;
  o.period = p;
  return o;
}

std::string first_reason(const standard_result& r) { return r.reasons.empty() ? "" : r.reasons[0].message_en; }

std::vector<std::string> codes(const standard_result& r) {
  std::vector<std::string> out;
  for (const auto& x : r.reasons) out.push_back(x.code + (x.unit.empty() ? "" : ":" + x.unit));
  return out;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// The built-in files
// ---------------------------------------------------------------------------------------------

TEST_CASE("the three built-in standards are compiled in, identical to the files, and parse") {
  const std::vector<std::string> ids{"basic_balance_2012", "compulsory_quality_balance_2017",
                                     "preschool_universal_inclusive_2020"};
  CHECK(builtin_standard_ids() == ids);
  for (const auto& id : ids) {
    CAPTURE(id);
    CHECK(builtin_standard_json(id) == read_text(source_path("standards/" + id + ".json")));
    const standard s = builtin_standard(id);
    CHECK(s.id == id);
    CHECK(s.document.jurisdiction == "national");
    CHECK(check_standard(s).empty());
    CHECK(load_standard(source_path("standards/" + id + ".json")) == s);
  }
  CHECK_THROWS_WITH_AS(builtin_standard("quality_2017"),
                       "unknown standard \"quality_2017\"; the built-in standards are: basic_balance_2012, "
                       "compulsory_quality_balance_2017, preschool_universal_inclusive_2020",
                       error);
}

TEST_CASE("2017 优质均衡: thresholds, 6 of 7 with an 85% floor, per-indicator CV limits, exclusions, splits") {
  const standard s = builtin_standard("compulsory_quality_balance_2017");
  CHECK(s.title.zh == "县域义务教育优质均衡发展督导评估办法");
  CHECK(s.document.number == "教督〔2017〕6号");
  CHECK(s.document.issuer == "教育部");
  CHECK(s.document.date == "2017"); // the domain notes give no day
  CHECK(s.document.sources.size() == 2);
  CHECK(s.stages == std::vector<stage>{stage::primary, stage::junior});
  CHECK(s.units.level == unit_level::school);
  CHECK(s.units.entity_kinds == std::vector<entity_kind>{entity_kind::school, entity_kind::teaching_point});
  CHECK(s.groups.size() == 4);

  const std::array<std::pair<double, double>, 7> expected{
      {{4.2, 5.3}, {1.0, 1.0}, {0.9, 0.9}, {4.5, 5.8}, {7.5, 10.2}, {2000, 2500}, {2.3, 2.4}}};
  for (std::size_t i = 0; i < 7; ++i) {
    const auto* ind = s.find_indicator(resource_ids[i]);
    REQUIRE(ind);
    CAPTURE(ind->id);
    CHECK(ind->level == indicator_level::unit);
    CHECK(ind->comparator == comparator::ge);
    CHECK(value_for(ind->thresholds, stage::primary) == expected[i].first);
    CHECK(value_for(ind->thresholds, stage::junior) == expected[i].second);
    CHECK(ind->evidence.of("thresholds") == evidence_tag::found);
    CHECK(ind->split_combined == (i >= 3)); // facilities are split, teachers are not
  }
  CHECK(s.find_indicator("equipment_value_per_student")->unit == "元/生");

  CHECK(s.unit_rule.kind == unit_rule_kind::k_of_n);
  CHECK(s.unit_rule.k == 6);
  CHECK(s.unit_rule.floor == 0.85);
  CHECK(s.unit_rule.required_share == 1);
  CHECK(s.unit_rule.evidence.of("k") == evidence_tag::found);
  CHECK(s.unit_rule.evidence.of("floor") == evidence_tag::corroborated);

  REQUIRE(s.across_units.size() == 1);
  const auto& cv = s.across_units[0];
  CHECK(cv.kind == across_rule_kind::cv_each);
  CHECK(cv.weighting == rules::cv_weighting::weighted);
  CHECK(value_for(cv.limits, stage::primary) == 0.50);
  CHECK(value_for(cv.limits, stage::junior) == 0.45);
  CHECK(cv.evidence.of("limits") == evidence_tag::found);
  CHECK(cv.evidence.of("kind") == evidence_tag::corroborated); // per-indicator application

  REQUIRE(s.exclusions.size() == 2);
  CHECK(s.exclusions[0].kind == exclusion_kind::name_contains);
  CHECK(s.exclusions[1].kind == exclusion_kind::students_below);
  CHECK(s.exclusions[1].students == 50);
  CHECK(s.exclusions[1].entity_kinds == std::vector<entity_kind>{entity_kind::teaching_point});

  const auto* nine = s.find_split({stage::junior, stage::primary});
  REQUIRE(nine);
  CHECK(nine->weights == std::vector<double>{1, 1.1});
  CHECK(s.find_split({stage::junior, stage::senior})->weights == std::vector<double>{1, 1.2});
  CHECK(s.find_split({stage::primary, stage::junior, stage::senior})->weights == std::vector<double>{1, 1.1, 1.32});
  CHECK(s.find_split({stage::primary, stage::senior}) == nullptr);

  REQUIRE(s.district_criteria.size() == 3);
  CHECK(s.district_criteria[2].value == 85.0);
  CHECK(s.verdict.rule == verdict_rule::all);
}

TEST_CASE("2012 基本均衡: 8 indicators, mean of CVs <= 0.65 / 0.55, no per-school standard") {
  const standard s = builtin_standard("basic_balance_2012");
  CHECK(s.document.number == "教督〔2012〕3号");
  CHECK(s.document.date == "2012-01-20");
  CHECK(s.indicators.size() == 8);
  for (const auto& ind : s.indicators) {
    CAPTURE(ind.id);
    CHECK(ind.level == indicator_level::unit);
    CHECK(ind.thresholds.empty()); // no thresholds are invented
    CHECK(ind.evidence.all == evidence_tag::corroborated);
  }
  CHECK(s.unit_rule.kind == unit_rule_kind::none);
  REQUIRE(s.across_units.size() == 1);
  CHECK(s.across_units[0].kind == across_rule_kind::mean_of_cvs);
  CHECK(value_for(s.across_units[0].limits, stage::primary) == 0.65);
  CHECK(value_for(s.across_units[0].limits, stage::junior) == 0.55);
  CHECK(s.across_units[0].evidence.of("limits") == evidence_tag::recalled);
  CHECK(s.exclusions.empty());
}

TEST_CASE("2020 学前普及普惠: four county criteria") {
  const standard s = builtin_standard("preschool_universal_inclusive_2020");
  CHECK(s.document.number == "教督〔2020〕1号");
  CHECK(s.units.level == unit_level::district);
  REQUIRE(s.district_criteria.size() == 4);
  const std::array<std::pair<const char*, double>, 4> expected{{{"preschool_gross_enrolment_rate", 85},
                                                                {"inclusive_kindergarten_coverage_rate", 80},
                                                                {"public_kindergarten_enrolment_share", 50},
                                                                {"preschool_social_recognition_rate", 85}}};
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(s.district_criteria[i].indicator == expected[i].first);
    CHECK(s.district_criteria[i].comparator == comparator::ge);
    CHECK(s.district_criteria[i].value == expected[i].second);
  }
  CHECK(s.district_criteria[0].notes.find("90%") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Located errors
// ---------------------------------------------------------------------------------------------

TEST_CASE("bad standard files: every problem, located by file and JSON path") {
  const std::string good(builtin_standard_json("compulsory_quality_balance_2017"));
  CHECK(errors_of(good).empty());

  SUBCASE("wrong type") {
    // indicators[2] is 每百名学生拥有体育、艺术专任教师数 (0.9 / 0.9)
    const auto errs = errors_of(replace_once(good, R"("thresholds": {"小学": 0.9, "初中": 0.9})",
                                             R"("thresholds": {"小学": "4,2", "初中": 0.9})"));
    REQUIRE(errs.size() == 1);
    CHECK(errs[0] == "standards/x.json: indicators[2].thresholds.小学: expected a number, got \"4,2\"");
  }
  SUBCASE("unknown key") {
    const auto errs =
        errors_of(replace_once(good, R"("split_combined": false,)", R"("split_combined": false, "colour": "red",)"));
    CHECK_MESSAGE(
        has_error(errs, "standards/x.json: indicators[0].colour: unknown key \"colour\"; expected one of: id, "),
        all_of(errs));
  }
  SUBCASE("missing threshold for a stage") {
    const auto errs =
        errors_of(replace_once(good, R"("thresholds": {"小学": 1.0, "初中": 1.0})", R"("thresholds": {"小学": 1.0})"));
    REQUIRE(errs.size() == 1);
    CHECK(errs[0] == "standards/x.json: indicators[1].thresholds.初中: missing threshold for stage 初中 (the "
                     "standard's stages are 小学, 初中)");
  }
  SUBCASE("bad comparator") {
    const auto errs = errors_of(replace_once(good, R"("comparator": ">=")", R"("comparator": "=>")"));
    REQUIRE(errs.size() == 1);
    CHECK(errs[0] ==
          "standards/x.json: indicators[0].comparator: expected one of \">=\", \">\", \"<=\" or \"<\", got \"=>\"");
  }
  SUBCASE("a stage that is not the standard's, a bad evidence tag, a dangling reference: all reported") {
    auto text = replace_once(good, R"("limits": {"小学": 0.50, "初中": 0.45})",
                             R"("limits": {"小学": 0.50, "初中": 0.45, "高中": 0.4})");
    text = replace_once(text, R"("indicator": "government_guarantee_passed")", R"("indicator": "no_such_indicator")");
    auto errs = errors_of(text);
    CHECK_MESSAGE(errs.size() == 2, all_of(errs));
    CHECK(has_error(errs, "standards/x.json: across_units[0].limits.高中: stage \"高中\" is not one of the "
                          "standard's stages (小学, 初中)"));
    CHECK(has_error(errs, "standards/x.json: district_criteria[0].indicator: unknown indicator \"no_such_indicator\""));
    // a type error stops before the reference checks, but every type error is listed
    text = replace_once(good, R"("evidence": "F"})", R"("evidence": "X"})");
    text = replace_once(text, R"("k": 6)", R"("k": 6.5)");
    errs = errors_of(text);
    CHECK_MESSAGE(errs.size() == 2, all_of(errs));
    CHECK(has_error(errs, "standards/x.json: groups[0].evidence: expected \"F\" (found), \"C\" (corroborated) or "
                          "\"R\" (recalled), got \"X\""));
    CHECK(has_error(errs, "standards/x.json: unit_rule.k: expected a whole number >= 0, got 6.5"));
  }
  SUBCASE("k larger than the indicators, evidence naming a key the object lacks") {
    auto errs = errors_of(replace_once(good, R"("k": 6)", R"("k": 8)"));
    REQUIRE(errs.size() == 1);
    CHECK(errs[0] == "standards/x.json: unit_rule.k: expected at most the number of indicators with thresholds (7), "
                     "got 8");
    errs = errors_of(replace_once(good, R"("evidence": {"k": "F")", R"("evidence": {"kk": "F")"));
    CHECK(
        has_error(errs, "standards/x.json: unit_rule.evidence.kk: expected \"*\" or a key of this object, got \"kk\""));
  }
  SUBCASE("malformed JSON and unreadable files") {
    const auto errs = errors_of("{\n  \"format\": \n}", "bad.json");
    REQUIRE(errs.size() == 1);
    CHECK(errs[0].rfind("bad.json:3:1: malformed JSON", 0) == 0);
    CHECK_THROWS_WITH_AS(load_standard("no/such/standard.json"), "no/such/standard.json: cannot open the standard file",
                         standard_error);
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation: the hand-made county
// ---------------------------------------------------------------------------------------------

TEST_CASE("the hand-made county fails: p3 below the floor, p4 too few met, 初中 运动场馆 CV") {
  const county c;
  const auto r = c.run();
  CHECK(r.standard == "compulsory_quality_balance_2017");
  CHECK(r.scope == "county"); // the plan's first district
  CHECK_FALSE(r.passed);

  // schools
  REQUIRE(r.units.size() == 7);
  const std::array<std::tuple<const char*, bool, std::uint32_t>, 7> verdicts{{{"p1", true, 7},
                                                                              {"p2", true, 6},
                                                                              {"p3", false, 6},
                                                                              {"p4", false, 5},
                                                                              {"j1", true, 7},
                                                                              {"j2", true, 6},
                                                                              {"j3", true, 7}}};
  for (const auto& [id, passed, met] : verdicts) {
    CAPTURE(id);
    const auto* u = r.unit(id);
    REQUIRE(u);
    CHECK_FALSE(u->excluded);
    CHECK(u->passed == passed);
    CHECK(u->met_count == met);
  }
  const auto* p3 = r.unit("p3");
  CHECK(p3->stage == stage::primary);
  CHECK(p3->students == 400);
  const auto& eq = p3->values[5];
  CHECK(eq.indicator == "equipment_value_per_student");
  CHECK(eq.value == 1600);
  CHECK(eq.threshold == 2000);
  CHECK(eq.ratio == doctest::Approx(0.8));
  CHECK_FALSE(eq.met);
  CHECK_FALSE(eq.above_floor);
  CHECK_FALSE(eq.missing);
  const auto& p2_sports = r.unit("p2")->values[4];
  CHECK_FALSE(p2_sports.met);
  CHECK(p2_sports.above_floor);       // 7.0 >= 0.85 × 7.5 = 6.375
  CHECK(r.unit("j3")->values[0].met); // 5.3 >= 5.3

  // CVs (see the comment at the top)
  const std::array<double, 7> cv_primary{0.071666, 0.074834, 0.061856, 0.034467, 0.055200, 0.150685, 0.030923};
  const std::array<double, 7> cv_junior{0.052217, 0.171421, 0.070707, 0.043694, 0.510170, 0.080112, 0.070876};
  REQUIRE(r.cvs.size() == 14);
  for (std::size_t i = 0; i < 7; ++i) {
    CAPTURE(resource_ids[i]);
    const auto* a = r.cv(stage::primary, resource_ids[i]);
    const auto* b = r.cv(stage::junior, resource_ids[i]);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(*a->cv == doctest::Approx(cv_primary[i]).epsilon(1e-5));
    CHECK(*b->cv == doctest::Approx(cv_junior[i]).epsilon(1e-5));
    CHECK(a->limit == 0.5);
    CHECK(b->limit == 0.45);
    CHECK(a->passed == true);
    CHECK(b->passed == (i != 4));
    CHECK(a->units == 4);
    CHECK(a->missing_units == 0);
  }
  CHECK(*r.cv(stage::primary, "equipment_value_per_student")->mean == doctest::Approx(2190));
  CHECK(*r.cv(stage::junior, "sports_space_per_student")->mean == doctest::Approx(21.19));

  // the reasons, exactly
  REQUIRE(r.reasons.size() == 3);
  const auto& a = r.reasons[0];
  CHECK(a.code == "unit_below_floor");
  CHECK(a.unit == "p3");
  CHECK(a.stage == stage::primary);
  CHECK(a.indicator == "equipment_value_per_student");
  CHECK(a.value == 1600);
  CHECK(*a.limit == doctest::Approx(1700));
  CHECK(a.group == "resource_allocation");
  CHECK(a.message_zh == "小学 p3：生均教学仪器设备值 1600 低于标准 2000 的 85%（1700）");
  CHECK(a.message_en ==
        "primary p3: teaching equipment value per student 1600 is below 85% of the standard 2000 (1700)");
  const auto& b = r.reasons[1];
  CHECK(b.code == "unit_too_few_met");
  CHECK(b.unit == "p4");
  CHECK(b.value == 5);
  CHECK(b.limit == 6);
  CHECK(b.message_zh == "小学 p4：7 项指标中 5 项达标，少于 6 项");
  CHECK(b.message_en == "primary p4: 5 of 7 indicators met, fewer than 6");
  const auto& cv = r.reasons[2];
  CHECK(cv.code == "cv_above_limit");
  CHECK(cv.stage == stage::junior);
  CHECK(cv.indicator == "sports_space_per_student");
  CHECK(*cv.value == doctest::Approx(0.510170).epsilon(1e-5));
  CHECK(cv.limit == 0.45);
  CHECK(cv.message_zh == "初中 生均体育运动场馆面积 差异系数 0.51 超过 0.45");
  CHECK(cv.message_en == "junior secondary sports ground and hall area per student: coefficient of variation 0.51 "
                         "exceeds 0.45");

  // county criteria and groups
  REQUIRE(r.criteria.size() == 3);
  CHECK(r.criterion("social_recognition")->value == 90);
  CHECK(r.criterion("social_recognition")->passed == true);
  CHECK(r.criterion("government_guarantee")->passed == true);
  REQUIRE(r.groups.size() == 4);
  CHECK(r.groups[0].id == "resource_allocation");
  CHECK_FALSE(r.groups[0].passed);
  for (std::size_t i = 1; i < 4; ++i) CHECK(r.groups[i].passed);
}

TEST_CASE("the passing county passes; a stricter provincial floor (90%) fails it") {
  const county c(true);
  const auto r = c.run();
  CHECK_MESSAGE(r.passed, first_reason(r));
  CHECK(r.reasons.empty());
  for (const auto& u : r.units) CHECK(u.passed == true);
  CHECK(*r.cv(stage::junior, "sports_space_per_student")->cv == doctest::Approx(0.072979).epsilon(1e-5));
  CHECK(*r.cv(stage::primary, "equipment_value_per_student")->cv == doctest::Approx(0.123444).epsilon(1e-5));
  for (const auto& g : r.groups) CHECK(g.passed);

  // a user-written provincial standard: the 2017 file with a 90% floor
  std::string text(builtin_standard_json("compulsory_quality_balance_2017"));
  text = replace_once(text, R"("id": "compulsory_quality_balance_2017")",
                      R"("id": "xinjiang_quality_balance_strict", "based_on": "compulsory_quality_balance_2017")");
  text = replace_once(text, R"("jurisdiction": "national")", R"("jurisdiction": "新疆维吾尔自治区")");
  text = replace_once(text, R"("floor": 0.85)", R"("floor": 0.9)");
  const standard strict = parse_standard(text, "xinjiang.json");
  CHECK(strict.based_on == "compulsory_quality_balance_2017");
  CHECK(strict.unit_rule.floor == 0.9);
  const auto s = evaluate_standard(strict, c.p, c.t.view(), in(period::calendar_year(2023)));
  CHECK_FALSE(s.passed);
  REQUIRE(s.reasons.size() == 1);
  CHECK(s.reasons[0].code == "unit_below_floor");
  CHECK(s.reasons[0].unit == "p3");
  CHECK(*s.reasons[0].limit == doctest::Approx(1800));
  CHECK(s.reasons[0].message_zh == "小学 p3：生均教学仪器设备值 1760 低于标准 2000 的 90%（1800）");
  CHECK(s.standard == "xinjiang_quality_balance_strict");
}

TEST_CASE("exclusions: teaching points under 50 students, special-education schools, excluded by option") {
  county c(true);
  // a teaching point with 30 students and poor values: excluded, so the county still passes
  c.school("tp_small", "primary", 30, {1, 0.1, 0.1, 1, 1, 100, 0.1}, entity_kind::teaching_point);
  // a teaching point with 60 students is a unit like any school
  c.school("tp_big", "primary", 60, {5.0, 1.2, 1.0, 5.0, 8.0, 2500, 2.5}, entity_kind::teaching_point);
  // a special-education school, recognised by its name
  c.school("sped", "primary", 120, {1, 0.1, 0.1, 1, 1, 100, 0.1}, entity_kind::school, "某县特殊教育学校");
  // a school the user excludes
  c.school("other", "junior", 300, {1, 0.1, 0.1, 1, 1, 100, 0.1});
  standard_options o;
  o.excluded["other"] = "民办学校，另行评估";
  const auto r = c.run(o);
  CHECK_MESSAGE(r.passed, first_reason(r));

  const auto* small = r.unit("tp_small");
  REQUIRE(small);
  CHECK(small->excluded);
  CHECK(small->exclusion == "small_teaching_point");
  CHECK(small->students == 30);
  CHECK(small->excluded_because.zh == "不足 50 人的教学点不参加资源配置评估（30 人）");
  CHECK_FALSE(small->passed.has_value());
  CHECK(small->values[0].value == 1); // the values are still reported

  CHECK_FALSE(r.unit("tp_big")->excluded);
  CHECK(r.unit("tp_big")->passed == true);
  CHECK(r.cv(stage::primary, "equipment_value_per_student")->units == 5); // p1..p4 and tp_big

  CHECK(r.unit("sped")->excluded);
  CHECK(r.unit("sped")->exclusion == "special_education");
  CHECK(r.unit("other")->excluded);
  CHECK(r.unit("other")->exclusion == "option");
  CHECK(r.unit("other")->excluded_because.zh == "民办学校，另行评估");

  // without the option, "other" fails and is reported
  const auto r2 = c.run();
  CHECK_FALSE(r2.passed);
  CHECK(r2.unit("other")->passed == false);
}

TEST_CASE("missing data is a reason, never zero or met") {
  SUBCASE("a school without one value") {
    county c;
    // p2's equipment value is reported as missing (flag), not as 0
    for (std::size_t i = 0; i < c.t.size(); ++i)
      if (c.t.entity[i] == c.ent("p2") && c.t.indicator[i] == c.ind("equipment_value_per_student"))
        c.t.flags[i] = flags::missing;
    const auto r = c.run();
    CHECK_FALSE(r.passed);
    const auto* p2 = r.unit("p2");
    CHECK(p2->values[5].missing);
    CHECK_FALSE(p2->values[5].value.has_value());
    CHECK_FALSE(p2->values[5].met);
    CHECK(p2->met_count == 5); // 运动场馆 not met, 仪器设备 missing
    CHECK(p2->passed == false);
    // the CV leaves p2 out and says so
    const auto* cv = r.cv(stage::primary, "equipment_value_per_student");
    CHECK(cv->units == 3);
    CHECK(cv->missing_units == 1);
    // reasons: the missing value first, then the schools
    REQUIRE(r.reasons.size() >= 2);
    CHECK(r.reasons[0].code == "missing_values");
    CHECK(r.reasons[0].stage == stage::primary);
    CHECK(r.reasons[0].indicator == "equipment_value_per_student");
    CHECK(r.reasons[0].value == 1);
    CHECK(r.reasons[0].message_zh == "小学有 1 所学校缺少“生均教学仪器设备值”数据：p2");
    CHECK(r.reasons[0].message_en == "1 primary school has no value for teaching equipment value per student: p2");
    const auto c2 = codes(r);
    CHECK(std::find(c2.begin(), c2.end(), "unit_too_few_met:p2") != c2.end());
    for (const auto& x : r.reasons)
      if (x.unit == "p2") CHECK(x.message_zh == "小学 p2：7 项指标中 5 项达标，少于 6 项（其中 1 项缺少数据）");
  }
  SUBCASE("no rows at all for three schools and a county value") {
    county c(true);
    c.school("p5", "primary", 100, {5, 1.2, 1, 5, 8, 2500, 2.5});
    c.school("p6", "primary", 100, {5, 1.2, 1, 5, 8, 2500, 2.5});
    c.school("p7", "primary", 100, {5, 1.2, 1, 5, 8, 2500, 2.5});
    // drop the multimedia rows of p5..p7 and the social recognition row: keep the others
    observation_table kept;
    for (std::size_t i = 0; i < c.t.size(); ++i) {
      const auto e = c.p.entities()[c.t.entity[i]].id;
      const bool drop =
          (c.t.indicator[i] == c.ind("multimedia_rooms_per_100") && (e == "p5" || e == "p6" || e == "p7")) ||
          c.t.indicator[i] == c.ind("compulsory_social_recognition_rate");
      if (drop) continue;
      kept.push_back(c.t.indicator[i], c.t.entity[i], c.t.start[i], c.t.end[i], c.t.value[i], c.t.flags[i]);
      kept.weight.push_back(c.t.weight[i]);
    }
    c.t = kept;
    const auto r = c.run();
    CHECK_FALSE(r.passed);
    const auto missing =
        std::find_if(r.reasons.begin(), r.reasons.end(), [](const auto& x) { return x.code == "missing_values"; });
    REQUIRE(missing != r.reasons.end());
    CHECK(missing->value == 3);
    CHECK(missing->message_en == "3 primary schools have no value for networked multimedia classrooms per 100 "
                                 "students: p5, p6, p7");
    const auto crit =
        std::find_if(r.reasons.begin(), r.reasons.end(), [](const auto& x) { return x.code == "criterion_missing"; });
    REQUIRE(crit != r.reasons.end());
    CHECK(crit->message_zh == "缺少“义务教育社会认可度”数据（某县，2023）"); // the area by its name, not its id
    CHECK(r.criterion("social_recognition")->passed == std::nullopt);
    CHECK(r.groups[3].id == "social_recognition");
    CHECK_FALSE(r.groups[3].passed);
  }
  SUBCASE("a school without a stage cannot be judged") {
    county c(true);
    c.school("lost", "county", 100, {5, 1.2, 1, 5, 8, 2500, 2.5});
    const auto r = c.run();
    CHECK_FALSE(r.passed);
    REQUIRE(r.reasons.size() == 1);
    CHECK(r.reasons[0].code == "unit_without_stage");
    CHECK(r.reasons[0].unit == "lost");
    CHECK(r.unit("lost")->exclusion == "no_stage");
  }
}

TEST_CASE("the period: rows whose end date falls in it, the latest one per school and indicator") {
  county c(true);
  // an earlier 2023 figure for p1 (5.0) is superseded by the 2023-09-30 one (8.0); a 2022 row is
  // outside the period
  c.row("sports_space_per_student", "p1", 5.0, 800, day(2023, 3, 31));
  c.row("sports_space_per_student", "p1", 1.0, 800, day(2022, 9, 30));
  auto r = c.run();
  CHECK(r.passed);
  CHECK(r.unit("p1")->values[4].value == 8.0);
  CHECK(r.period == period::calendar_year(2023));

  // the school year 2022/2023 (1 Sep 2022 – 31 Aug 2023), named by a date inside it: the
  // 2023-03-31 row is in, the 2023-09-30 rows are not
  standard_options o;
  o.period = school_year_of(date(2023, 1, 15));
  r = c.run(o);
  CHECK_FALSE(r.passed);
  CHECK(r.unit("p1")->values[4].value == 5.0);
  CHECK(r.unit("p2")->values[4].missing);

  // a period is required; an unknown scope or group is an error
  CHECK_THROWS_AS(evaluate_standard(c.s, c.p, c.t.view(), {}), error);
  o = {};
  o.period = period::calendar_year(2023);
  o.scope = "nowhere";
  CHECK_THROWS_WITH_AS(c.run(o), "evaluate_standard: unknown scope entity \"nowhere\"", error);
  o.scope.clear();
  o.groups = {"resources"};
  CHECK_THROWS_WITH_AS(
      c.run(o),
      "evaluate_standard: unknown group \"resources\" of standard compulsory_quality_balance_2017; its "
      "groups are: resource_allocation, government_guarantee, education_quality, social_recognition",
      error);
}

TEST_CASE("groups: evaluate a subset; indicator ids mapped to the plan's own") {
  const county c;
  standard_options o;
  o.groups = {"social_recognition", "government_guarantee"};
  const auto r = c.run(o);
  CHECK(r.passed); // the failing resource allocation is not evaluated
  CHECK(r.units.empty());
  CHECK(r.criteria.size() == 2);
  CHECK_FALSE(r.groups[0].evaluated);
  CHECK(r.groups[3].evaluated);

  // the plan calls social recognition "satisfaction"
  county d(true);
  indicator sat;
  sat.id = "satisfaction";
  sat.name.zh = "满意度";
  sat.unit = "%";
  sat.kind = value_kind::rate;
  d.p.add_indicator(sat);
  for (std::size_t i = 0; i < d.t.size(); ++i)
    if (d.t.indicator[i] == d.ind("compulsory_social_recognition_rate")) d.t.indicator[i] = d.ind("satisfaction");
  CHECK_FALSE(d.run().passed); // unmapped: the value is missing
  o = {};
  o.indicators["compulsory_social_recognition_rate"] = "satisfaction";
  CHECK(d.run(o).passed);
  o.indicators["compulsory_social_recognition_rate"] = "no_such";
  CHECK_THROWS_AS(d.run(o), error);
}

// ---------------------------------------------------------------------------------------------
// The other standards
// ---------------------------------------------------------------------------------------------

TEST_CASE("preschool: county values, boundaries inclusive, missing and failing criteria") {
  const standard s = builtin_standard("preschool_universal_inclusive_2020");
  plan p = parse_plan(county_plan);
  const auto added = add_standard_indicators(p, s);
  CHECK(added.size() == 4);
  CHECK(add_standard_indicators(p, s).empty()); // already there
  CHECK(p.indicator_by_id("preschool_gross_enrolment_rate").unit == "%");
  CHECK(p.indicator_by_id("preschool_gross_enrolment_rate").tags ==
        std::vector<std::string>{"standard:preschool_universal_inclusive_2020"});
  const auto county_index = *p.find_entity("county");
  auto table = [&](std::array<std::optional<double>, 4> v) {
    observation_table t;
    const std::array<const char*, 4> ids{"preschool_gross_enrolment_rate", "inclusive_kindergarten_coverage_rate",
                                         "public_kindergarten_enrolment_share", "preschool_social_recognition_rate"};
    for (std::size_t i = 0; i < 4; ++i)
      if (v[i]) t.push_back(*p.find_indicator(ids[i]), county_index, day(2025, 9, 1), day(2025, 9, 1), *v[i]);
    return t;
  };
  const standard_options o = in(period::calendar_year(2025));

  // exactly on every bar: >= is inclusive
  auto t = table({85.0, 80.0, 50.0, 85.0});
  auto r = evaluate_standard(s, p, t.view(), o);
  CHECK(r.passed);
  CHECK(r.units.empty());
  REQUIRE(r.criteria.size() == 4);
  for (const auto& c : r.criteria) CHECK(c.passed == true);

  // 84.9 fails
  t = table({84.9, 92.0, 61.0, 97.0});
  r = evaluate_standard(s, p, t.view(), o);
  CHECK_FALSE(r.passed);
  REQUIRE(r.reasons.size() == 1);
  CHECK(r.reasons[0].code == "criterion_not_met");
  CHECK(r.reasons[0].indicator == "preschool_gross_enrolment_rate");
  CHECK(r.reasons[0].value == 84.9);
  CHECK(r.reasons[0].limit == 85);
  // numbers with the indicator's display decimals (one, for this rate)
  CHECK(r.reasons[0].message_zh == "学前三年毛入园率 84.9 低于 85.0");
  CHECK(r.reasons[0].message_en == "gross preschool enrolment rate (3 years) 84.9 is below 85.0");
  // 84.96 would print as 85.0 beside the limit 85.0: one more decimal for both, so the message
  // never reads "85.0 is below 85.0"
  t = table({84.96, 92.0, 61.0, 97.0});
  r = evaluate_standard(s, p, t.view(), o);
  REQUIRE(r.reasons.size() == 1);
  CHECK(r.reasons[0].message_zh == "学前三年毛入园率 84.96 低于 85.00");

  // a missing value and a failing one: two reasons
  t = table({90.0, 79.0, 55.0, std::nullopt});
  r = evaluate_standard(s, p, t.view(), o);
  REQUIRE(r.reasons.size() == 2);
  CHECK(r.reasons[0].code == "criterion_not_met");
  CHECK(r.reasons[1].code == "criterion_missing");
  CHECK(r.reasons[1].indicator == "preschool_social_recognition_rate");
  CHECK(r.criterion("social_recognition")->value == std::nullopt);

  // a province requiring 90%
  std::string text(builtin_standard_json("preschool_universal_inclusive_2020"));
  text = replace_once(text, R"("id": "preschool_universal_inclusive_2020")", R"("id": "preschool_region_90")");
  text = replace_once(text, R"("comparator": ">=", "value": 85,)", R"("comparator": ">=", "value": 90,)");
  const standard region = parse_standard(text, "region.json");
  t = table({88.0, 92.0, 61.0, 97.0});
  CHECK(evaluate_standard(s, p, t.view(), o).passed);
  r = evaluate_standard(region, p, t.view(), o);
  CHECK_FALSE(r.passed);
  CHECK(r.reasons[0].message_zh == "学前三年毛入园率 88.0 低于 90.0");
}

TEST_CASE("district values: no stage for district-level indicators; a value on the stage row is read") {
  const standard s = builtin_standard("compulsory_quality_balance_2017");
  plan p = parse_plan(county_plan);
  add_standard_indicators(p, s);
  // district-level indicators are figures of the county: no stage (a template's area sheet);
  // unit-level ones keep the stages of their thresholds
  CHECK(p.indicator_by_id("government_guarantee_passed").stages.empty());
  CHECK(p.indicator_by_id("compulsory_social_recognition_rate").stages.empty());
  CHECK(p.indicator_by_id("qualified_teachers_per_100").stages == std::vector<stage>{stage::primary, stage::junior});

  // the county criteria typed on the stage rows (学段合计) rather than the county's
  county c(true);
  c.t = observation_table{};
  for (const auto& [id, parent, students] :
       {std::tuple{"p1", "primary", 800.0}, {"p2", "primary", 600.0}, {"p3", "primary", 400.0}, {"p4", "primary", 200.0},
        {"j1", "junior", 1000.0}, {"j2", "junior", 600.0}, {"j3", "junior", 400.0}})
    for (std::size_t i = 0; i < 7; ++i) c.row(resource_ids[i], id, 100, students); // equal values: CV 0
  // only 小学 has the recognition rate: one stage row, so it is the county's (90 >= 85)
  c.row("compulsory_social_recognition_rate", "primary", 90, 0);
  auto r = c.run();
  const auto* k = r.criterion("social_recognition");
  REQUIRE(k != nullptr);
  CHECK(k->value == 90);
  CHECK(k->entity == "primary");
  CHECK(k->passed == true);
  // government guarantee on both stage rows: ambiguous, so still missing (never guessed)
  c.row("government_guarantee_passed", "primary", 1, 0);
  c.row("government_guarantee_passed", "junior", 1, 0);
  r = c.run();
  CHECK(r.criterion("government_guarantee")->value == std::nullopt);
  // the county's own value wins over a stage row's
  c.row("compulsory_social_recognition_rate", "county", 80, 0);
  r = c.run();
  CHECK(r.criterion("social_recognition")->value == 80);
  CHECK(r.criterion("social_recognition")->entity == "county");
  CHECK(r.criterion("social_recognition")->passed == false);
}

TEST_CASE("2012: the composite CV is the mean of the 8 CVs") {
  // Two schools per stage with 500 students each: CV = |a − b| / (a + b).
  // 小学 pairs (9, 1) give 0.8 for four indicators, (4, 1) give 0.6 for the other four:
  //   mean = (4·0.8 + 4·0.6) / 8 = 0.7 > 0.65.
  // 初中 pairs (3, 1) give 0.5 for all eight: mean 0.5 <= 0.55.
  const standard s = builtin_standard("basic_balance_2012");
  plan p = parse_plan(county_plan);
  add_standard_indicators(p, s);
  observation_table t;
  auto add_school = [&](const std::string& id, const std::string& parent, const std::array<double, 8>& v) {
    entity e;
    e.id = id;
    e.name.zh = id;
    e.parent = parent;
    e.students = 500;
    const auto i = p.add_entity(e);
    for (std::size_t k = 0; k < 8; ++k)
      t.push_back(*p.find_indicator(s.indicators[k].id), i, day(2013, 9, 1), day(2013, 9, 1), v[k]);
  };
  add_school("a", "primary", {9, 9, 9, 9, 4, 4, 4, 4});
  add_school("b", "primary", {1, 1, 1, 1, 1, 1, 1, 1});
  add_school("c", "junior", {3, 3, 3, 3, 3, 3, 3, 3});
  add_school("d", "junior", {1, 1, 1, 1, 1, 1, 1, 1});
  // no weight column: the entities' students weigh the schools
  const auto r = evaluate_standard(s, p, t.view(), in(period::calendar_year(2013)));
  REQUIRE(r.composites.size() == 2);
  CHECK(r.composites[0].stage == stage::primary);
  CHECK(*r.composites[0].value == doctest::Approx(0.7));
  CHECK(r.composites[0].passed == false);
  CHECK(*r.composites[1].value == doctest::Approx(0.5));
  CHECK(r.composites[1].passed == true);
  CHECK(*r.cv(stage::primary, "teaching_space_per_student")->cv == doctest::Approx(0.8));
  CHECK(r.cv(stage::primary, "teaching_space_per_student")->limit == std::nullopt); // no per-indicator limit
  for (const auto& u : r.units) CHECK_FALSE(u.passed.has_value());                  // no per-school rule in 2012
  CHECK_FALSE(r.passed);
  REQUIRE(r.reasons.size() == 1);
  CHECK(r.reasons[0].code == "composite_above_limit");
  CHECK(r.reasons[0].message_zh == "小学 综合差异系数 0.70 超过 0.65");
}

// ---------------------------------------------------------------------------------------------
// Combined schools
// ---------------------------------------------------------------------------------------------

TEST_CASE("split_combined_school: share_s = total × w_s·P_s / Σ w_j·P_j") {
  // A 九年一贯制 school with 166 primary and 210 junior pupils and 23226 library books, weights
  // 1 : 1.1 (the 2012 practice's worked example): Σ w·P = 166 + 1.1 × 210 = 166 + 231 = 397;
  // primary = 23226 × 166 / 397 = 9711.627..., junior = 23226 × 231 / 397 = 13514.372...
  const std::array<double, 2> students{166, 210};
  const std::array<double, 2> weights{1, 1.1};
  const auto s = split_combined_school(23226, students, weights);
  REQUIRE(s.size() == 2);
  CHECK(s[0] == doctest::Approx(9711.627));
  CHECK(s[1] == doctest::Approx(13514.373));
  CHECK(s[0] + s[1] == doctest::Approx(23226));
  // 12 years, 100 / 200 / 300 pupils, 1 : 1.1 : 1.32: Σ = 100 + 220 + 396 = 716;
  // 1000 ㎡ -> 139.665, 307.263, 553.073
  const std::array<double, 3> p3{100, 200, 300};
  const std::array<double, 3> w3{1, 1.1, 1.32};
  const auto t = split_combined_school(1000, p3, w3);
  CHECK(t[0] == doctest::Approx(1000.0 * 100 / 716));
  CHECK(t[1] == doctest::Approx(1000.0 * 220 / 716));
  CHECK(t[2] == doctest::Approx(1000.0 * 396 / 716));
  const std::array<double, 2> none{0, 0};
  CHECK_THROWS_AS(split_combined_school(10, none, weights), error);
  CHECK_THROWS_AS(split_combined_school(10, students, w3), error);
}

TEST_CASE("a 一贯制 school: its stage parts are units, facility values split by student weights") {
  county c(true);
  // x9: a school without a stage under the county; its parts x9p (小学, 166) and x9j (初中, 210)
  entity x9;
  x9.id = "x9";
  x9.name.zh = "某县九年一贯制学校";
  x9.parent = "county";
  c.p.add_entity(x9);
  for (auto [id, st, n] : {std::tuple{"x9p", stage::primary, 166.0}, std::tuple{"x9j", stage::junior, 210.0}}) {
    entity part;
    part.id = id;
    part.name.zh = id;
    part.kind = entity_kind::stage;
    part.parent = "x9";
    part.stage = st;
    part.students = n;
    c.p.add_entity(part);
  }
  // teachers per part (they are not split); facilities for the whole school, per student over 376
  for (auto [ind, v] : {std::pair{"qualified_teachers_per_100", 6.0}, std::pair{"backbone_teachers_per_100", 1.5},
                        std::pair{"pe_arts_teachers_per_100", 1.0}}) {
    c.row(ind, "x9p", v, 166);
    c.row(ind, "x9j", v, 210);
  }
  // 10 ㎡ sports area per student: 3760 ㎡ in all; 小学 gets 3760 × 166 / 397 = 1572.19 ㎡ = 9.4710 per
  // pupil, 初中 3760 × 231 / 397 = 2187.81 ㎡ = 10.4181 per pupil (= 10 × 376 × 1.1 / 397)
  c.row("teaching_space_per_student", "x9", 6.0, 376);
  c.row("sports_space_per_student", "x9", 10.0, 376);
  c.row("equipment_value_per_student", "x9", 3000, 376);
  c.row("multimedia_rooms_per_100", "x9", 2.6, 376);
  const auto r = c.run();
  const auto* p = r.unit("x9p");
  const auto* j = r.unit("x9j");
  REQUIRE(p);
  REQUIRE(j);
  CHECK(r.unit("x9") == nullptr); // the school itself is not a unit: its parts are
  CHECK(p->combined_school == "x9");
  CHECK(p->stage == stage::primary);
  CHECK(p->students == 166);
  CHECK(p->values[4].split);
  CHECK(*p->values[4].value == doctest::Approx(3760.0 / 397));
  CHECK(*j->values[4].value == doctest::Approx(3760.0 * 1.1 / 397));
  CHECK(*j->values[4].value == doctest::Approx(10.41814).epsilon(1e-6));
  CHECK_FALSE(p->values[0].split); // teachers come from the part's own row
  CHECK(p->values[0].value == 6.0);
  // 小学 part: 运动场馆 9.47 >= 7.5 and the rest met; 初中 part: 10.42 >= 10.2
  CHECK(p->passed == true);
  CHECK(j->passed == true);
  CHECK(r.cv(stage::primary, "sports_space_per_student")->units == 5);
  CHECK(r.passed);

  // parts whose stages have no weights in the standard
  county d(true);
  d.p.add_entity(x9);
  for (auto [id, st] : {std::pair{"x9p", stage::primary}, std::pair{"x9s", stage::senior}}) {
    entity part;
    part.id = id;
    part.name.zh = id;
    part.kind = entity_kind::stage;
    part.parent = "x9";
    part.stage = st;
    part.students = 100;
    d.p.add_entity(part);
  }
  for (std::size_t i = 0; i < 3; ++i) d.row(resource_ids[i], "x9p", 6.0, 100);
  for (std::size_t i = 3; i < 7; ++i) d.row(resource_ids[i], "x9", 3000, 200);
  const auto r2 = d.run();
  CHECK_FALSE(r2.passed);
  const auto c2 = codes(r2);
  CHECK(std::find(c2.begin(), c2.end(), "missing_split_weights:x9") != c2.end());
  CHECK(r2.unit("x9p")->values[4].missing);
}

TEST_CASE("criteria and the 85% floor are judged up to floating-point rounding") {
  // 生均 5.9 ㎡ as a criterion: a school at exactly 85% of it has 5.015, but 0.85 * 5.9 computes as
  // 5.015000000000001, so before the tolerance the school fell below the floor it is on.
  const rules::k_of_n rule({{comparator::ge, 5.9, "area"}, {comparator::ge, 1.0, "other"}}, 1, 0.85);
  const std::array<double, 2> on_floor{5.015, 1.0};
  const auto r = rule.check(on_floor);
  CHECK(!r.met(0));
  CHECK(r.above_floor(0)); // on the floor: above it, as 5.015 / 5.9 = 0.85 exactly
  CHECK(r.passed);         // 1 of 2 met, the other on its floor
  const std::array<double, 2> below{5.0149, 1.0};
  CHECK(!rule.check(below).above_floor(0)); // 1e-4 short of the floor is short
  // A criterion met up to rounding: 0.1 * 3 = 0.30000000000000004 for "<= 0.3".
  const rules::k_of_n le({{comparator::le, 0.3, "ratio"}}, 1);
  const std::array<double, 1> x{0.1 * 3};
  CHECK(le.check(x).met(0));
}
