// A small valid plan shared by the C++ tests (also used by tests/python via the same text).
#pragma once

namespace planeval_test {

// 2021–2025 horizon; phases p1 (2021–2022) and p2 (2023–2025); indicators teachers (count, 人),
// rate (%, 1 decimal), passed (boolean), posts (shares 高级/中级/初级); entities d (district) and
// s1 (its 小学 stage, listed before its parent); targets t1 (66 -> 80 by 2025, milestone 72 in
// 2023), t2 (pass by 2022), t3 (3:4:3, deadline assumed).
inline const char* const mini_plan = R"({
  "format": "planeval-plan", "format_version": 1, "id": "mini",
  "title": {"zh": "小规划", "en": "Mini plan"},
  "horizon": {"start": "2021", "end": "2025"},
  "phases": [
    {"id": "p1", "name": {"zh": "第一阶段"}, "start": "2021", "end": "2022"},
    {"id": "p2", "name": {"zh": "第二阶段"}, "start": "2023", "end": "2025"}
  ],
  "indicators": [
    {"id": "teachers", "name": {"zh": "县级以上骨干教师数", "en": "backbone teachers"}, "unit": "人", "kind": "count", "direction": "increase"},
    {"id": "rate", "name": {"zh": "毛入园率"}, "unit": "%", "kind": "rate", "direction": "increase", "decimals": 1},
    {"id": "passed", "name": {"zh": "通过评估"}, "unit": "boolean", "kind": "boolean", "direction": "increase"},
    {"id": "posts", "name": {"zh": "岗位比例"}, "unit": "ratio", "kind": "shares", "direction": "band", "share_labels": ["高级", "中级", "初级"]}
  ],
  "entities": [
    {"id": "s1", "name": {"zh": "小学"}, "kind": "stage", "parent": "d", "stage": "小学"},
    {"id": "d", "name": {"zh": "白碱滩区"}, "kind": "district"}
  ],
  "targets": [
    {"id": "t1", "indicator": "teachers", "scope": "s1", "baseline": {"date": "2020", "value": 66},
     "goal": {"comparator": ">=", "value": 80, "deadline": "2025"}, "milestones": [{"date": "2023", "value": 72}],
     "phase": "p2", "source": {"phrase": "小学 县级以上骨干教师数 66 80"}},
    {"id": "t2", "indicator": "passed", "scope": "d", "goal": {"comparator": "pass", "deadline": "2022"}, "phase": "p1",
     "source": {"phrase": "2022年通过"}},
    {"id": "t3", "indicator": "posts", "scope": "d", "goal": {"comparator": "=", "value": [3, 4, 3], "tolerance": 2},
     "source": {"phrase": "3∶4∶3"}}
  ],
  "observations": [
    {"id": "o1", "indicator": "rate", "entity": "d", "date": "2020", "value": 99, "qualifier": ">=", "source": {"phrase": "99%以上"}},
    {"id": "o2", "indicator": "teachers", "entity": "d", "period": {"start": "2016", "end": "2020"}, "value": 37},
    {"id": "o3", "indicator": "teachers", "entity": "d", "period": "2021/2022", "value": 40}
  ],
  "notes": [{"id": "n1", "text": {"zh": "说明"}}],
  "conflicts": [{"id": "c1", "items": ["t1", "n1"], "description": {"zh": "矛盾"}}]
})";

} // namespace planeval_test
