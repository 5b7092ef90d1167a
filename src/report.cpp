// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// The report of evaluate(): status labels, the report as JSON and as plain text.

#include <planeval/detail/format_number.hpp>
#include <planeval/json.hpp>
#include <planeval/report.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

namespace planeval {

namespace {

namespace json = boost::json;

json::value opt_number(const std::optional<double>& x) {
  if (!x || !std::isfinite(*x)) return nullptr;
  return *x;
}

json::object text_json(const text& t) { return {{"zh", t.zh}, {"en", t.en}}; }

json::object counts_json(const status_counts& c) {
  json::object o;
  for (const auto& [s, name] : target_status_names) o[name] = c[s];
  return o;
}

json::object assessment_json(const assessment& a) {
  json::object o{{"method", to_string(a.method)},
                 {"category", a.category},
                 {"value", opt_number(a.value)},
                 {"score", opt_number(a.score)}};
  json::object d;
  for (const auto& [k, v] : a.details) d[k] = std::isfinite(v) ? json::value(v) : json::value(nullptr);
  o["details"] = std::move(d);
  if (!a.assessable()) o["reason"] = text_json(a.reason);
  return o;
}

/// Display width of UTF-8 text in a terminal: CJK and full-width characters take two columns.
std::size_t display_width(std::string_view s) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0 && i + 3 < s.size() + 0) {
      len = 4;
      cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) | (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
    } else if (c >= 0xE0 && i + 2 < s.size()) {
      len = 3;
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    } else if (c >= 0xC0 && i + 1 < s.size()) {
      len = 2;
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    }
    const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
    w += wide ? 2 : 1;
    i += len;
  }
  return w;
}

/// `s` cut to at most `width` columns (with "…") and padded to exactly `width`.
std::string cell(std::string_view s, std::size_t width) {
  std::string out;
  std::size_t w = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    const std::string_view ch = s.substr(i, len);
    const std::size_t cw = display_width(ch);
    if (w + cw > width - (i + len < s.size() ? 1 : 0) && i + len < s.size()) {
      out += "…";
      ++w;
      break;
    }
    out += ch;
    w += cw;
    i += len;
  }
  while (w < width) {
    out += ' ';
    ++w;
  }
  return out;
}

std::string num(const std::optional<double>& x, int decimals = 1) {
  return x ? detail::format_fixed(*x, decimals) : "—";
}

} // namespace

text status_label(target_status s) {
  switch (s) {
  case target_status::met: return {"已达成", "met"};
  case target_status::missed: return {"未达成", "missed"};
  case target_status::breached: return {"未保持", "not held"};
  case target_status::achieved: return {"已提前达成", "achieved early"};
  case target_status::on_track: return {"进度正常", "on track"};
  case target_status::lagging: return {"进度滞后", "lagging"};
  case target_status::not_due: return {"未到期", "not due"};
  case target_status::no_data: return {"无数据", "no data"};
  case target_status::not_assessable: return {"无法评估", "not assessable"};
  }
  return {"?", "?"};
}

boost::json::value to_json_value(const report& r, const plan& p) {
  json::object o;
  o["format"] = "planeval-report";
  o["format_version"] = 1;
  o["plan"] = r.plan;
  o["title"] = text_json(r.title);
  o["as_of"] = format_date(r.as_of);
  o["primary_method"] = to_string(r.primary);
  json::array methods;
  for (auto m : r.methods) methods.emplace_back(to_string(m));
  o["methods"] = std::move(methods);
  json::array notices;
  for (const auto& n : r.notices) notices.emplace_back(text_json(n));
  o["notices"] = std::move(notices);
  o["summary"] = counts_json(r.overall);
  o["data_end"] = r.data_end ? json::value(format_date(*r.data_end)) : json::value(nullptr);
  o["provisional"] = r.provisional;
  o["current_phase"] = r.current_phase ? json::value(*r.current_phase) : json::value(nullptr);
  o["rows"] = json::object{{"given", r.rows}, {"used", r.rows_used}, {"after_as_of", r.rows_after_as_of}};
  json::array phases;
  for (const auto& ph : r.phases)
    phases.emplace_back(json::object{{"phase", ph.phase},
                                     {"start", format_date(ph.span.start)},
                                     {"end", format_date(ph.span.end)},
                                     {"current", ph.current},
                                     {"targets", ph.targets},
                                     {"due", ph.due},
                                     {"met", ph.met},
                                     {"missed", ph.missed},
                                     {"pending", ph.pending},
                                     {"no_data", ph.no_data},
                                     {"provisional", ph.provisional},
                                     {"statuses", counts_json(ph.statuses)}});
  o["phases"] = std::move(phases);
  json::object by_domain, by_stage;
  for (const auto& g : r.by_domain) by_domain[g.key] = counts_json(g.statuses);
  for (const auto& g : r.by_stage) by_stage[g.key] = counts_json(g.statuses);
  o["by_domain"] = std::move(by_domain);
  o["by_stage"] = std::move(by_stage);
  json::object by_obligation;
  for (const auto& g : r.by_obligation) by_obligation[g.key] = counts_json(g.statuses);
  o["by_obligation"] = std::move(by_obligation);
  json::array targets;
  for (const auto& ev : r.targets) {
    const target& t = p.targets()[ev.target_index];
    const indicator& ind = p.indicators()[t.indicator_index];
    const obligation ob = obligation_of(t, ind);
    json::array breaches;
    for (int y : ev.breaches) breaches.emplace_back(y);
    json::value reference = nullptr;
    if (t.goal.relative_to)
      reference = json::object{{"entity", t.goal.relative_to->entity},
                               {"indicator", p.indicators()[t.goal.relative_to->indicator_index].id},
                               {"value", opt_number(ev.reference)},
                               {"date", ev.reference && ev.actual_date ? json::value(format_date(*ev.actual_date))
                                                                       : json::value(nullptr)}};
    // pass/fail targets (milestones, official standards) are judged passed or not, not by a number
    const bool pass_fail = ind.kind == value_kind::boolean || ev.judged_from == "standard";
    json::object to{{"id", ev.target},
                    {"indicator", t.indicator},
                    {"scope", t.scope},
                    {"phase", t.phase.empty() ? json::value(nullptr) : json::value(t.phase)},
                    {"deadline", format_date(t.goal.deadline)},
                    {"status", to_string(ev.status)},
                    {"due", ev.due},
                    {"judged_from", ev.judged_from},
                    {"actual", opt_number(ev.actual)},
                    {"actual_date", ev.actual_date ? json::value(format_date(*ev.actual_date)) : json::value(nullptr)},
                    {"expected", opt_number(ev.expected)},
                    {"goal", opt_number(ev.goal)},
                    {"forecast", opt_number(ev.forecast)},
                    {"likely_met", ev.likely_met ? json::value(*ev.likely_met) : json::value(nullptr)},
                    {"provisional", ev.provisional},
                    {"obligation", ob == obligation::unspecified ? json::value(nullptr) : json::value(to_string(ob))},
                    {"parent", ind.parent.empty() ? json::value(nullptr) : json::value(ind.parent)},
                    {"cumulative", t.goal.cumulative},
                    {"reference", std::move(reference)},
                    {"breaches", std::move(breaches)},
                    {"decimals", ev.decimals},
                    {"passed", pass_fail && ev.actual ? json::value(*ev.actual != 0) : json::value(nullptr)}};
    json::array as;
    for (const auto& a : ev.assessments) as.emplace_back(assessment_json(a));
    to["assessments"] = std::move(as);
    json::array pts;
    for (const auto& q : ev.trace.points)
      pts.emplace_back(json::object{{"date", format_date(q.date)},
                                    {"value", q.value},
                                    {"source", q.source},
                                    {"units", q.units},
                                    {"missing_units", q.missing_units}});
    to["trace"] = json::object{{"points", std::move(pts)},
                               {"ignored_after_as_of", ev.trace.ignored_after_as_of},
                               {"rule", ev.trace.rule},
                               {"formula", ev.trace.formula},
                               {"thresholds", ev.trace.thresholds},
                               {"derivation", text_json(ev.trace.derivation)},
                               {"sentence", text_json(ev.trace.sentence)}};
    if (ev.standard) {
      json::array reasons;
      for (const auto& rs : ev.standard->reasons)
        reasons.emplace_back(json::object{{"code", rs.code},
                                          {"unit", rs.unit},
                                          {"indicator", rs.indicator},
                                          {"value", opt_number(rs.value)},
                                          {"limit", opt_number(rs.limit)},
                                          {"zh", rs.message_zh},
                                          {"en", rs.message_en}});
      to["standard"] = json::object{{"id", ev.standard->standard},
                                    {"period", format_period(ev.standard->period)},
                                    {"passed", ev.standard->passed},
                                    {"units", ev.standard->units.size()},
                                    {"reasons", std::move(reasons)}};
    }
    targets.emplace_back(std::move(to));
  }
  o["targets"] = std::move(targets);
  json::array problems;
  for (const auto& pr : r.problems)
    problems.emplace_back(json::object{{"code", pr.code}, {"id", pr.target}, {"message", text_json(pr.message)}});
  o["problems"] = std::move(problems);
  json::array conflicts;
  for (const auto& c : r.conflicts) {
    json::array items;
    for (const auto& i : c.items) items.emplace_back(i);
    conflicts.emplace_back(
        json::object{{"id", c.id}, {"items", std::move(items)}, {"description", text_json(c.description)}});
  }
  o["conflicts"] = std::move(conflicts);
  return o;
}

std::string to_json(const report& r, const plan& p) { return json::serialize(to_json_value(r, p)); }

std::string to_text(const report& r, const plan& p, std::string_view lang) {
  const bool en = lang == "en";
  const auto L = [&](const char* zh, const char* eng) { return std::string(en ? eng : zh); };
  std::string s;
  s += L("规划评估报告", "Plan evaluation report") + ": " + std::string(r.title.in(lang)) + " (" + r.plan + ")\n";
  s += L("评估日期", "As of") + ": " + format_date(r.as_of) + "   " + L("主要方法", "Primary method") + ": " +
       std::string(method_label(r.primary).in(lang)) + " (" + std::string(to_string(r.primary)) + ")\n";
  if (r.data_end) {
    s += L("数据截至", "Data end") + ": " + format_date(*r.data_end);
    if (*r.data_end < r.as_of)
      s += L("（评估日晚于数据截止日：到期目标若无期限当年数据，结论为暂定）",
             " (the evaluation date is later: a due target without data of its deadline's year gets a provisional "
             "verdict)");
    s += "\n";
  } else {
    s += L("数据截至: 无数据", "Data end: no data") + "\n";
  }
  if (r.current_phase) {
    const phase* ph = nullptr;
    if (auto i = p.find_phase(*r.current_phase)) ph = &p.phases()[*i];
    s += L("当前阶段", "Current phase") + ": " + (ph ? std::string(ph->name.in(lang)) : *r.current_phase) + "\n";
  }
  for (const auto& n : r.notices) s += "! " + std::string(n.in(lang)) + "\n";
  s += L("观测数据", "Observation rows") + ": " + std::to_string(r.rows) + " " + L("行，使用", "given, used") + " " +
       std::to_string(r.rows_used) + ", " + L("晚于评估日", "after as_of") + " " + std::to_string(r.rows_after_as_of) +
       "\n\n";
  s += L("总体", "Summary") + " (" + std::to_string(r.overall.total()) + " " + L("个目标", "targets") + "):";
  for (const auto& [st, name] : target_status_names)
    if (r.overall[st]) s += "  " + std::string(status_label(st).in(lang)) + " " + std::to_string(r.overall[st]);
  if (r.provisional) s += "  " + L("（其中暂定 ", "(provisional ") + std::to_string(r.provisional) + L("）", ")");
  s += "\n";
  if (!r.phases.empty()) {
    s += "\n" + L("阶段", "Phases") + ":\n";
    for (const auto& ph : r.phases) {
      const auto i = p.find_phase(ph.phase);
      const std::string name = i ? std::string(p.phases()[*i].name.in(lang)) : ph.phase;
      s += "  " + cell(name, 24) + " " + format_period(ph.span) + (ph.current ? L(" [当前]", " [current]") : "") +
           "  " + L("目标", "targets") + " " + std::to_string(ph.targets) + ", " + L("到期", "due") + " " +
           std::to_string(ph.due) + ", " + L("达成", "met") + " " + std::to_string(ph.met) + ", " +
           L("未达成", "missed") + " " + std::to_string(ph.missed) + ", " + L("暂定", "provisional") + " " +
           std::to_string(ph.provisional) + ", " + L("无数据", "no data") + " " + std::to_string(ph.no_data) + ", " +
           L("未到期", "pending") + " " + std::to_string(ph.pending) + "\n";
    }
  }
  const auto groups = [&](const std::vector<group_summary>& gs, const std::string& title, auto label) {
    if (gs.empty()) return;
    s += "\n" + title + ":\n";
    for (const auto& g : gs) {
      s += "  " + cell(label(g.key), 24);
      for (const auto& [st, name] : target_status_names)
        if (g.statuses[st]) s += " " + std::string(status_label(st).in(lang)) + " " + std::to_string(g.statuses[st]);
      s += "\n";
    }
  };
  groups(r.by_domain, L("按领域", "By domain"), [&](const std::string& k) {
    return std::string(p.domain_name(k == "other" ? std::string_view() : std::string_view(k)).in(lang));
  });
  groups(r.by_stage, L("按学段", "By stage"), [&](const std::string& k) {
    if (auto st = detail::parse_name(stage_names, k)) return std::string(en ? detail::name_of(stage_names_en, *st) : std::string_view(k));
    if (auto kind = detail::parse_name(entity_kind_names, k)) return std::string(scope_word(*kind).in(lang));
    return k;
  });
  if (!(r.by_obligation.size() == 1 && r.by_obligation.front().key == "unspecified"))
    groups(r.by_obligation, L("按指标属性", "By obligation"),
           [&](const std::string& k) { return std::string(obligation_label(obligation_named(k)).in(lang)); });
  s += "\n" + cell(L("目标", "Target"), 40) + " " + cell(L("属性", "Oblig."), 8) + " " + cell(L("状态", "Status"), 16) +
       " " + cell(L("实际", "Actual"), 10) + " " + cell(L("应达", "Expected"), 10) + " " +
       cell(L("预测", "Forecast"), 10) + " " + L("说明", "Reason") + "\n";
  for (const auto& ev : r.targets) {
    const target& t = p.targets()[ev.target_index];
    const indicator& ind = p.indicators()[t.indicator_index];
    const int dec = ev.decimals;
    // a sub-indicator (其中) is indented under its parent
    const std::string name = (ind.parent.empty() ? "" : "  └ ") +
                             (t.name ? std::string(t.name->in(lang)) : std::string(ind.name.in(lang)));
    const obligation ob = obligation_of(t, ind);
    const std::string status = std::string(status_label(ev.status).in(lang)) + (ev.provisional ? L("(暂定)", "(prov.)") : "");
    std::string actual = num(ev.actual, dec);
    if (ev.actual && (ind.kind == value_kind::boolean || ev.judged_from == "standard"))
      actual = *ev.actual != 0 ? L("通过", "passed") : L("未通过", "not passed");
    s += cell(name, 40) + " " + cell(ob == obligation::unspecified ? "" : obligation_label(ob).in(lang), 8) + " " +
         cell(status, 16) + " " + cell(actual, 10) + " " + cell(num(ev.expected, dec), 10) + " " +
         cell(num(ev.forecast, dec), 10) + " " + std::string(ev.trace.sentence.in(lang)) + "\n";
    if (!ev.trace.derivation.zh.empty()) s += "    " + std::string(ev.trace.derivation.in(lang)) + "\n";
  }
  if (!r.problems.empty()) {
    s += "\n" + L("数据问题", "Data problems") + " (" + std::to_string(r.problems.size()) + "):\n";
    for (const auto& pr : r.problems) s += "  [" + pr.code + "] " + std::string(pr.message.in(lang)) + "\n";
  }
  if (!r.conflicts.empty()) {
    s +=
        "\n" + L("规划文本中的矛盾", "Conflicts in the plan text") + " (" + std::to_string(r.conflicts.size()) + "):\n";
    for (const auto& c : r.conflicts) s += "  " + c.id + ": " + std::string(c.description.in(lang)) + "\n";
  }
  return s;
}

} // namespace planeval
