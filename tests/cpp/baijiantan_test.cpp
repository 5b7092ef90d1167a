// The example plan encodes 《白碱滩区（克拉玛依高新区）教育事业改革与发展“十四五”规划（2021-2025年）》
// (seed text: shared/seed/000_5d8d1421df12d554.txt). Expected values below are quoted from that text.
#include <planeval.hpp>
#include <planeval/json.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

using namespace planeval;

namespace {

const plan& bjt() {
  static const plan p = baijiantan_plan();
  return p;
}

void check_goal(const char* id, comparator c, double v, date deadline) {
  CAPTURE(id);
  const auto& t = bjt().target_by_id(id);
  CHECK(t.goal.comparator == c);
  CHECK(t.goal.value == value(v));
  CHECK(t.goal.deadline == deadline);
}

void check_observation(const char* id, double v) {
  CAPTURE(id);
  const auto& obs = bjt().observations();
  auto it = std::find_if(obs.begin(), obs.end(), [&](const auto& o) { return o.id == id; });
  REQUIRE(it != obs.end());
  CHECK(it->value == value(v));
}

const date end2025(2025, 12, 31);

} // namespace

TEST_CASE("the embedded plan is the shipped file, in canonical form") {
  std::ifstream f(PLANEVAL_SOURCE_DIR "/examples/baijiantan/plan.json", std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  CHECK(file == std::string(baijiantan_plan_json()));
  CHECK(to_json(bjt()) == file);
}

TEST_CASE("horizon and the three phases (第二章 发展目标)") {
  const auto& p = bjt();
  CHECK(p.horizon().start == date(2021, 1, 1));
  CHECK(p.horizon().end == end2025);
  REQUIRE(p.phases().size() == 3);
  // 第一阶段（2021—2022 年）爬坡过坎，固牢基础; 第二阶段（2023—2024年）稳中求进，优质均衡;
  // 第三阶段（2025年）提质增效，高位高品
  CHECK(p.phases()[0].start == date(2021, 1, 1));
  CHECK(p.phases()[0].end == date(2022, 12, 31));
  CHECK(p.phases()[1].start == date(2023, 1, 1));
  CHECK(p.phases()[1].end == date(2024, 12, 31));
  CHECK(p.phases()[2].start == date(2025, 1, 1));
  CHECK(p.phases()[2].end == end2025);
  CHECK(p.phases()[1].name.zh.find("稳中求进") != std::string::npos);
  CHECK(p.phase_at(date(2023, 6, 1))->id == "phase2");
}

TEST_CASE("counts by kind") {
  const auto c = count(bjt());
  CHECK(bjt().targets().size() == 142);
  CHECK(c.targets_by_kind.at("quantitative") == 74);
  CHECK(c.targets_by_kind.at("milestone") == 63);
  CHECK(c.targets_by_kind.at("structure") == 2);
  CHECK(c.targets_by_kind.at("trend") == 3);
  CHECK(c.qualitative == 59);
  CHECK(bjt().observations().size() == 29); // 28 figures from the text and the real 2025 preschool outcome
  CHECK(bjt().conflicts().size() == 3);
  // every target names an indicator and an entity of the plan, and quotes the seed
  for (const auto& t : bjt().targets()) CHECK(!t.source.phrase.empty());
}

TEST_CASE("表1 teacher targets: 14 rows, 2020 -> 2025") {
  struct row {
    const char* id;
    double y2020, y2025;
  };
  // 表1“十四五”白碱滩区教师队伍建设指标 (学段, 类别, 人, 2020年, 2025年)
  const row rows[] = {
      {"t1_kindergarten_backbone", 10, 18},     {"t1_kindergarten_assoc_senior", 5, 10},
      {"t1_kindergarten_intermediate", 38, 48}, {"t1_primary_backbone", 66, 80},
      {"t1_primary_assoc_senior", 29, 60},      {"t1_primary_intermediate", 141, 150},
      {"t1_junior_backbone", 65, 90},           {"t1_junior_full_senior", 1, 3},
      {"t1_junior_assoc_senior", 89, 120},      {"t1_junior_intermediate", 158, 180},
      {"t1_senior_high_backbone", 7, 9},        {"t1_senior_high_full_senior", 2, 4},
      {"t1_senior_high_assoc_senior", 15, 20},  {"t1_senior_high_intermediate", 35, 40},
  };
  for (const auto& r : rows) {
    CAPTURE(r.id);
    const auto& t = bjt().target_by_id(r.id);
    REQUIRE(t.baseline);
    CHECK(t.baseline->date == date(2020, 12, 31));
    CHECK(t.baseline->value == value(r.y2020));
    CHECK(t.goal.comparator == comparator::ge);
    CHECK(t.goal.value == value(r.y2025));
    CHECK(t.goal.deadline == end2025);
    CHECK(bjt().indicators()[t.indicator_index].unit == "人");
  }
  CHECK(bjt().entity_by_id(bjt().target_by_id("t1_junior_full_senior").scope).stage == stage::junior);
}

TEST_CASE("percentages, counts and dated milestones quoted from the text") {
  check_goal("party_brand_project_coverage_2025", comparator::ge, 100, end2025); // 党建品牌项目建设覆盖率达100%
  check_goal("party_model_points_share_2025", comparator::ge, 30, end2025);      // 党建示范点达30%
  check_goal("party_member_teacher_share_2025", comparator::ge, 50, end2025);       // 党员教师占比50%以上
  check_goal("moral_education_model_school_share_40", comparator::ge, 40, end2025); // 德育示范校比例达40%
  check_goal("safe_campus_success_rate_2025", comparator::ge, 50, end2025);         // 创建成功率达50%以上
  check_goal("preschool_teachers_ece_major_85_2025", comparator::ge, 85, end2025);  // 85%以上为学前专业
  check_goal("class1_kindergarten_share_2025", comparator::ge, 80, end2025); // 2025年，一类优质幼儿园达80%
  check_goal("graded_kindergarten_coverage_2024", comparator::ge, 100,
             date(2024, 12, 31)); // 2024年 等级幼儿园覆盖率达100%
  check_goal("community_education_participation_2025", comparator::ge, 80, end2025);    // 城区居民达80%以上
  check_goal("training_institution_transformation_2025", comparator::ge, 100, end2025); // 转型率至少达100%
  check_goal("upper_secondary_enrolment_99_2025", comparator::ge, 99, end2025); // 高中阶段入学率不低于99%
  check_goal("preschool_new_places_2025", comparator::gt, 500, end2025);        // 新增学前教育学位500余个
  check_goal("preschool_new_or_expanded_kindergartens", comparator::ge, 4, end2025); // 新建、改扩建幼儿园4所
  check_goal("teacher_training_courses_40", comparator::ge, 40, end2025);            // 培训课程不低于40门
  check_goal("backbone_teachers_200_2025", comparator::ge, 200, end2025);            // 200名骨干教师
  check_goal("excellent_teachers_20_2025", comparator::ge, 20, end2025);             // 20名卓越教师
  check_goal("educator_type_teachers_6_2025", comparator::ge, 6, end2025);           // 6名教育家型教师
  check_goal("off_campus_labour_bases_2", comparator::ge, 2, end2025); // 建成2所校外劳动实践教育基地
  check_goal("sports_items_per_school", comparator::ge, 5, end2025); // 每校开设5种以上运动项目 (no date: assumed)
  check_goal("labour_hours_per_student_year", comparator::ge, 36, end2025); // 不少于36课时
  // 保持在99%以上 holds every year from 2021
  CHECK(bjt().target_by_id("preschool_gross_enrolment_99_2025").goal.from == date(2021, 1, 1));
}

TEST_CASE("dated pass/fail milestones") {
  const auto& yz = bjt().target_by_id("compulsory_quality_balance_pass_2023"); // 2023年通过义务教育优质均衡督导评估
  CHECK(yz.goal.comparator == comparator::pass);
  CHECK(yz.goal.deadline == date(2023, 12, 31));
  CHECK(yz.standard == "compulsory_quality_balance_2017");
  CHECK(yz.phase == "phase2");
  const auto& no13 = bjt().target_by_id("no13_school_model_high_school_2024"); // 2024年将第十三中学建成…示范型
  CHECK(no13.goal.deadline == date(2024, 12, 31));
  CHECK(no13.scope == "no13_middle_school");
  CHECK(bjt().target_by_id("neichuban_schools_front_rank_2024").goal.deadline == date(2024, 12, 31));
  const auto& pp = bjt().target_by_id("preschool_universal_inclusive_region_pass_2025"); // 2025年通过…普及普惠
  CHECK(pp.goal.deadline == end2025);
  CHECK(pp.standard == "preschool_universal_inclusive_2020");
}

TEST_CASE("structures 3:4:3 and 2:4:4, and the two 只增不减") {
  const auto& s = bjt().target_by_id("school_teacher_post_structure_343");
  CHECK(s.goal.value == value(std::vector<double>{3, 4, 3}));
  CHECK(bjt().target_by_id("kindergarten_teacher_post_structure_244").goal.value ==
        value(std::vector<double>{2, 4, 4}));
  CHECK(bjt().target_by_id("gen_budget_edu_spending_non_decrease").goal.comparator == comparator::non_decreasing);
  CHECK(bjt().target_by_id("per_student_gen_budget_edu_spending_non_decrease").goal.comparator ==
        comparator::non_decreasing);
}

TEST_CASE("十三五 results as recorded observations") {
  check_observation("hist_senior_high_enrolment_rate", 68.2);             // 普通高中入学率达到68.2%
  check_observation("hist_senior_high_enrolment_rate_city", 67.8);        // （全市为67.8%）
  check_observation("hist_education_investment_2016_2020", 17.55);        // 累计各项教育投入17.55亿元
  check_observation("hist_autonomous_region_civilized_campuses_13th", 9); // 自治区文明校园 9 所
  check_observation("hist_safe_campuses_baseline", 5);  // 已创建成功5所自治区“平安校园”
  check_observation("hist_teaching_expert_titles", 37); // 37人获得…教学能手、教坛新秀称号
  const auto& obs = bjt().observations();
  auto inv =
      std::find_if(obs.begin(), obs.end(), [](const auto& o) { return o.id == "hist_education_investment_2016_2020"; });
  CHECK(inv->period.start == date(2016, 1, 1));
  CHECK(inv->period.end == date(2020, 12, 31));
  auto city = std::find_if(obs.begin(), obs.end(),
                           [](const auto& o) { return o.id == "hist_senior_high_enrolment_rate_city"; });
  CHECK(city->entity == "karamay");
}

TEST_CASE("the seed's contradictions are recorded, not resolved") {
  const auto& cs = bjt().conflicts();
  auto c = std::find_if(cs.begin(), cs.end(),
                        [](const auto& x) { return x.id == "conflict_region_civilized_campus_share"; });
  REQUIRE(c != cs.end());
  // 80%以上校园成功创建自治区级文明校园 vs 实现自治区文明校园比例达100%: both kept
  CHECK(bjt().target_by_id(c->items[0].c_str()).goal.value == value(80.0));
  CHECK(bjt().target_by_id(c->items[1].c_str()).goal.value == value(100.0));
  const auto w = bjt().warnings();
  CHECK(std::count_if(w.begin(), w.end(), [](const diagnostic& d) {
          return d.message.find("recorded as conflict \"conflict_region_civilized_campus_share\"") != std::string::npos;
        }) == 1);
}
