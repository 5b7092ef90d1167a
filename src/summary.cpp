// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#include <planeval/summary.hpp>

#include <sstream>

namespace planeval {

target_kind kind_of(const plan& p, const target& t) {
  const auto& ind = p.indicators()[t.indicator_index];
  if (ind.kind == value_kind::boolean) return target_kind::milestone;
  if (ind.kind == value_kind::shares) return target_kind::structure;
  const auto c = t.goal.comparator;
  if (c == comparator::increase || c == comparator::decrease || is_yearly_rule(c)) return target_kind::trend;
  return target_kind::quantitative;
}

plan_counts count(const plan& p) {
  plan_counts c;
  for (const auto& t : p.targets()) {
    ++c.targets_by_kind[std::string(to_string(kind_of(p, t)))];
    ++c.targets_by_phase[t.phase];
    ++c.targets_by_domain[p.indicators()[t.indicator_index].domain];
    ++c.targets_by_deadline_basis[std::string(to_string(t.goal.deadline_basis))];
    if (t.qualitative.value_or(false)) ++c.qualitative;
    ++c.targets_by_obligation[std::string(to_string(obligation_of(t, p.indicators()[t.indicator_index])))];
  }
  return c;
}

std::string summary(const plan& p, std::string_view lang) {
  const bool en = lang == "en";
  std::ostringstream s;
  const auto c = count(p);
  s << p.title().in(lang) << "\n";
  if (!en && !p.title().en.empty()) s << p.title().en << "\n";
  s << (en ? "Plan id: " : "规划编号: ") << p.id() << "\n";
  s << (en ? "Horizon: " : "规划期: ") << format_date(p.horizon().start) << " .. " << format_date(p.horizon().end)
    << "\n\n";
  if (!p.phases().empty()) s << (en ? "Phases:\n" : "阶段:\n");
  for (const auto& ph : p.phases()) {
    auto it = c.targets_by_phase.find(ph.id);
    s << "  " << ph.id << "  " << format_date(ph.start) << " .. " << format_date(ph.end) << "  " << ph.name.in(lang)
      << "  (" << (it == c.targets_by_phase.end() ? 0 : it->second) << (en ? " targets due)" : " 项目标到期)") << "\n";
  }
  s << "\n"
    << (en ? "Indicators: " : "指标: ") << p.indicators().size() << "   " << (en ? "Entities: " : "主体: ")
    << p.entities().size() << "   " << (en ? "Targets: " : "目标: ") << p.targets().size() << "   "
    << (en ? "Recorded observations: " : "历史观测: ") << p.observations().size() << "\n";
  s << (en ? "Targets by kind: " : "目标类型: ");
  bool first = true;
  for (const auto& [k, n] : c.targets_by_kind) {
    s << (first ? "" : ", ") << k << " " << n;
    first = false;
  }
  s << "\n"
    << (en ? "Qualitative (judged from reported results): " : "定性目标（依据报告结果判断）: ") << c.qualitative
    << "\n";
  s << (en ? "Deadlines: " : "期限来源: ");
  first = true;
  for (const auto& [k, n] : c.targets_by_deadline_basis) {
    s << (first ? "" : ", ") << k << " " << n;
    first = false;
  }
  s << "\n" << (en ? "Targets by domain: " : "目标领域: ");
  first = true;
  for (const auto& [k, n] : c.targets_by_domain) {
    s << (first ? "" : ", ") << p.domain_name(k).in(lang) << " " << n;
    first = false;
  }
  s << "\n";
  if (!(c.targets_by_obligation.size() == 1 && c.targets_by_obligation.count("unspecified"))) {
    s << (en ? "Targets by obligation: " : "指标属性: ");
    first = true;
    for (const obligation o : obligations_in_order)
      if (auto it = c.targets_by_obligation.find(std::string(to_string(o))); it != c.targets_by_obligation.end()) {
        s << (first ? "" : ", ") << obligation_label(o).in(lang) << " " << it->second;
        first = false;
      }
    s << "\n";
  }
  if (!p.conflicts().empty()) {
    s << "\n" << (en ? "Conflicts recorded in the source:\n" : "原文中的矛盾之处:\n");
    for (const auto& cf : p.conflicts()) {
      s << "  " << cf.id << ": " << cf.description.in(lang) << "\n    [";
      for (std::size_t i = 0; i < cf.items.size(); ++i) s << (i ? ", " : "") << cf.items[i];
      s << "]\n";
    }
  }
  const auto w = p.warnings();
  if (!w.empty()) s << "\n" << (en ? "Warnings: " : "提示: ") << w.size() << "\n";
  return s.str();
}

} // namespace planeval
