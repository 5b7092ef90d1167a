// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Progress assessment of one indicator (planeval/assess.hpp): assess(), statcan_multi(),
// assess_methods(), assess_categories(), assess_defaults() and the Assessment result.
//
// Design notes:
// - Points cross as (year, value) pairs. A year is an int, a float (fractional years: 2023.5) or a
//   datetime.date, which becomes year + (day_of_year − 1)/days_in_year (2023-07-02 → 2023 + 182/365);
//   a datetime.datetime is refused, as everywhere in the package. Series of points (observations,
//   milestones) are iterables of pairs, or anything with .items() giving (year, value): a dict
//   {year: value} or a pandas Series indexed by year.
// - Values follow the API conventions: NaN or None is missing (a point of observations= or
//   milestones= with a missing value is left out; a missing baseline, current or target value makes
//   the assessment not_assessable, as in the C++ core); ±inf raises DataError naming the argument;
//   what is not a number raises TypeError. Years must be finite numbers or dates. Bad parameters (**params) raise Error with the C++ message, which names
//   the parameter and lists the accepted ones; a value that is neither a number nor a bool is
//   refused here the same way.
// - Assessment is read-only from Python. It compares by value (NaN equal to NaN), pickles through
//   to_dict() with a format version, and from_dict() rebuilds one (e.g. from JSON).

#include <planeval/assess.hpp>
#include <planeval/detail/format_number.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pybind_common.hpp"

namespace planeval::python {

namespace {

using namespace pybind11::literals;

constexpr int pickle_version = 1;

// --- names ---------------------------------------------------------------------------------------

assess_method parse_method(std::string_view s) {
  if (auto m = parse_assess_method(s)) return *m;
  throw error("assess: unknown method \"" + std::string(s) + "\"; expected one of " +
              detail::alternatives(assess_method_names));
}

direction parse_direction(std::string_view s, const std::string& where) {
  if (auto d = detail::parse_name(direction_names, s)) return *d;
  throw error(where + ": expected one of " + detail::alternatives(direction_names) + ", got \"" + std::string(s) +
              "\"");
}

std::string type_name(py::handle h) { return Py_TYPE(h.ptr())->tp_name; }

std::string_view checked_lang(std::string_view lang) { return lang_arg(lang, "Assessment.explain"); }

// --- numbers, years and points -------------------------------------------------------------------

/// bool, and numpy.bool_ (not an int subclass, but it must not become 1.0 either).
bool is_boolean(py::handle h) {
  if (PyBool_Check(h.ptr())) return true;
  const char* name = Py_TYPE(h.ptr())->tp_name;
  return std::strcmp(name, "numpy.bool_") == 0 || std::strcmp(name, "numpy.bool") == 0;
}

/// float, int and anything else with __float__ or __index__ (numpy scalars, Fraction...); not bool.
std::optional<double> number_of(py::handle h) {
  if (PyFloat_Check(h.ptr())) return PyFloat_AS_DOUBLE(h.ptr());
  if (is_boolean(h)) return std::nullopt;
  const auto* nb = Py_TYPE(h.ptr())->tp_as_number;
  if (!PyLong_Check(h.ptr()) && !PyIndex_Check(h.ptr()) && !(nb && nb->nb_float)) return std::nullopt;
  const double x = PyLong_Check(h.ptr()) ? PyLong_AsDouble(h.ptr()) : PyFloat_AsDouble(h.ptr());
  if (x == -1.0 && PyErr_Occurred()) {
    PyErr_Clear(); // an int too large for a double
    return std::nullopt;
  }
  return x;
}

void require_finite(double x, const std::string& what, const char* plural) {
  if (!std::isfinite(x)) throw data_error(what + " is " + detail::format_number(x) + "; " + plural + " must be finite");
}

/// A finite number; TypeError or DataError naming `what` otherwise.
double finite_number(py::handle h, const std::string& what) {
  const auto x = number_of(h);
  if (!x) throw arg_type_error(what + " must be a number, got " + type_name(h));
  require_finite(*x, what, "values");
  return *x;
}

/// A value of a point: a number, NaN or None (missing: NaN); ±inf raises DataError naming `what`.
double value_or_missing(py::handle h, const std::string& what) {
  if (h.is_none()) return std::nan("");
  const auto x = number_of(h);
  if (!x) throw arg_type_error(what + " must be a number, got " + type_name(h));
  if (std::isinf(*x))
    throw data_error(what + " is " + detail::format_number(*x) + "; expected a finite number or NaN (missing)");
  return *x;
}

/// An int or float year, or a datetime.date as a fractional year.
double year_of(py::handle h, const std::string& what) {
  if (const auto x = number_of(h)) {
    require_finite(*x, what, "years");
    return *x;
  }
  py::detail::make_caster<boost::gregorian::date> caster;
  bool loaded = false;
  try {
    loaded = caster.load(h, true);
  } catch (const py::type_error& e) { // a datetime.datetime
    throw arg_type_error(what + ": " + e.what());
  } catch (const py::value_error& e) { // a year out of range
    throw error(what + ": " + e.what());
  }
  if (!loaded) throw arg_type_error(what + " must be an int, a float or a datetime.date, got " + type_name(h));
  const boost::gregorian::date d = py::detail::cast_op<boost::gregorian::date>(caster);
  const auto y = d.year();
  const double days = boost::gregorian::gregorian_calendar::is_leap_year(y) ? 366.0 : 365.0;
  return static_cast<double>(y) + static_cast<double>(d.day_of_year() - 1) / days;
}

bool is_text(py::handle h) { return PyUnicode_Check(h.ptr()) || PyBytes_Check(h.ptr()) || PyByteArray_Check(h.ptr()); }

/// A (year, value) pair.
time_point point_of(py::handle h, const std::string& where) {
  if (is_text(h) || !PySequence_Check(h.ptr()))
    throw arg_type_error(where + ": expected a (year, value) pair, got " + type_name(h));
  const auto s = py::reinterpret_borrow<py::sequence>(h);
  const std::size_t n = py::len(s);
  if (n != 2)
    throw arg_type_error(where + ": expected a (year, value) pair, got a sequence of " + std::to_string(n) + " items");
  const double t = year_of(s[0], where + " year");
  const double x = value_or_missing(s[1], where + " value");
  return {t, x};
}

/// Pairs from an iterable of pairs, or from .items() (a dict {year: value}, a pandas Series).
std::vector<time_point> points_of(py::handle h, const std::string& where) {
  std::vector<time_point> out;
  if (h.is_none()) return out;
  if (is_text(h)) throw arg_type_error(where + ": expected a sequence of (year, value) pairs, got " + type_name(h));
  py::object pairs;
  if (py::hasattr(h, "items"))
    pairs = h.attr("items")();
  else if (py::isinstance<py::iterable>(h))
    pairs = py::reinterpret_borrow<py::object>(h);
  else
    throw arg_type_error(where + ": expected a sequence of (year, value) pairs, got " + type_name(h));
  std::size_t i = 0;
  for (py::handle item : pairs) {
    const time_point p = point_of(item, where + "[" + std::to_string(i) + "]");
    if (!std::isnan(p.x)) out.push_back(p); // a missing value (NaN, None) is no point of the series
    ++i;
  }
  return out;
}

/// The keyword arguments of assess() (or the keys of one statcan_multi series) as an input;
/// `prefix` goes before every argument name in messages ("" or "series[2].").
assess_input input_of(py::handle baseline, py::handle current, py::handle target, const std::string& dir,
                      py::handle observations, py::handle milestones, py::handle natural_limit,
                      const std::string& prefix) {
  assess_input in;
  in.baseline = point_of(baseline, prefix + "baseline");
  in.current = point_of(current, prefix + "current");
  if (!target.is_none()) in.target = point_of(target, prefix + "target");
  in.dir = parse_direction(dir, prefix + "direction");
  in.observations = points_of(observations, prefix + "observations");
  in.milestones = points_of(milestones, prefix + "milestones");
  if (!natural_limit.is_none()) in.natural_limit = finite_number(natural_limit, prefix + "natural_limit");
  return in;
}

// --- parameters ----------------------------------------------------------------------------------

std::string quoted_list(const std::vector<std::pair<std::string, param_value>>& specs) {
  std::string s;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (i > 0) s += (i + 1 == specs.size()) ? " or " : ", ";
    s += '"' + specs[i].first + '"';
  }
  return s;
}

/// **params as assess_params: bool stays a flag, numbers become doubles. The C++ checks names,
/// kinds (number or flag), finiteness and order; what is neither is refused here in its words.
assess_params params_of(assess_method m, const py::kwargs& kwargs) {
  assess_params p;
  for (const auto& [key, v] : kwargs) {
    const std::string name = py::str(key);
    if (is_boolean(v)) {
      const int truth = PyObject_IsTrue(v.ptr());
      if (truth < 0) throw py::error_already_set();
      p.set(name, truth != 0);
    } else if (const auto x = number_of(v)) {
      p.set(name, *x);
    } else {
      const auto specs = default_params(m);
      const auto it = std::find_if(specs.begin(), specs.end(), [&](const auto& s) { return s.first == name; });
      if (it == specs.end()) {
        p.set(name, 0.0); // an unknown name: the C++ message names it and lists the accepted ones
        continue;
      }
      throw error("assess (" + std::string(to_string(m)) + "): parameter \"" + name + "\" must be a " +
                  (std::holds_alternative<bool>(it->second) ? "boolean" : "number") + ", not " + type_name(v) +
                  "; accepted parameters: " + quoted_list(specs));
    }
  }
  return p;
}

py::object param_object(const param_value& v) {
  if (const bool* b = std::get_if<bool>(&v)) return py::bool_(*b);
  return py::float_(std::get<double>(v));
}

// --- the result ----------------------------------------------------------------------------------

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }
bool same(const std::optional<double>& a, const std::optional<double>& b) {
  return a.has_value() == b.has_value() && (!a || same(*a, *b));
}
bool same(const std::optional<time_point>& a, const std::optional<time_point>& b) {
  return a.has_value() == b.has_value() && (!a || (same(a->t, b->t) && same(a->x, b->x)));
}
bool equal(const assessment& a, const assessment& b) {
  if (a.method != b.method || a.category != b.category || !(a.reason == b.reason) || !same(a.value, b.value) ||
      !same(a.score, b.score) || !same(a.current, b.current) || !same(a.target, b.target) ||
      a.details.size() != b.details.size())
    return false;
  for (std::size_t i = 0; i < a.details.size(); ++i)
    if (a.details[i].first != b.details[i].first || !same(a.details[i].second, b.details[i].second)) return false;
  return true;
}

py::dict details_dict(const assessment& a) {
  py::dict d;
  for (const auto& [name, v] : a.details) d[py::str(name)] = v;
  return d;
}

py::object point_tuple(const std::optional<time_point>& p) {
  if (!p) return py::none();
  return py::make_tuple(p->t, p->x);
}

py::object point_list(const std::optional<time_point>& p) {
  if (!p) return py::none();
  py::list l;
  l.append(p->t);
  l.append(p->x);
  return l;
}

py::dict to_dict(const assessment& a) {
  py::dict d;
  d["method"] = std::string(to_string(a.method));
  d["category"] = a.category;
  d["value"] = a.value;
  d["score"] = a.score;
  d["details"] = details_dict(a);
  if (a.assessable()) {
    d["reason"] = py::none();
  } else {
    py::dict r;
    r["zh"] = a.reason.zh;
    r["en"] = a.reason.en;
    d["reason"] = r;
  }
  d["current"] = point_list(a.current);
  d["target"] = point_list(a.target);
  return d;
}

std::optional<double> optional_number(const py::dict& d, const char* key) {
  if (!d.contains(key)) return std::nullopt;
  const py::object v = d[key];
  if (v.is_none()) return std::nullopt;
  const auto x = number_of(v);
  if (!x)
    throw error(std::string("Assessment.from_dict: \"") + key + "\" must be a number or None, got " + type_name(v));
  return x;
}

std::optional<time_point> optional_point(const py::dict& d, const char* key) {
  if (!d.contains(key)) return std::nullopt;
  const py::object v = d[key];
  if (v.is_none()) return std::nullopt;
  if (is_text(v) || !PySequence_Check(v.ptr()) || py::len(v) != 2)
    throw error(std::string("Assessment.from_dict: \"") + key + "\" must be a [year, value] pair or None");
  const auto s = py::reinterpret_borrow<py::sequence>(v);
  const auto t = number_of(s[0]), x = number_of(s[1]);
  if (!t || !x) throw error(std::string("Assessment.from_dict: \"") + key + "\" must hold two numbers");
  return time_point{*t, *x};
}

std::string required_string(const py::dict& d, const char* key) {
  if (!d.contains(key)) throw error(std::string("Assessment.from_dict: missing \"") + key + "\"");
  const py::object v = d[key];
  if (!py::isinstance<py::str>(v))
    throw error(std::string("Assessment.from_dict: \"") + key + "\" must be a str, got " + type_name(v));
  return v.cast<std::string>();
}

assessment from_dict(const py::dict& d) {
  assessment a;
  a.method = parse_method(required_string(d, "method"));
  a.category = required_string(d, "category");
  const auto cats = categories(a.method);
  if (a.category != not_assessable_category && std::find(cats.begin(), cats.end(), a.category) == cats.end())
    throw error("Assessment.from_dict: \"" + a.category + "\" is not a category of method \"" +
                std::string(to_string(a.method)) + "\"");
  a.value = optional_number(d, "value");
  a.score = optional_number(d, "score");
  if (d.contains("details") && !py::object(d["details"]).is_none()) {
    const py::object details = d["details"];
    if (!py::isinstance<py::dict>(details)) throw error("Assessment.from_dict: \"details\" must be a dict");
    for (const auto& [k, v] : py::reinterpret_borrow<py::dict>(details)) {
      const auto x = number_of(v);
      if (!py::isinstance<py::str>(k) || !x)
        throw error("Assessment.from_dict: \"details\" must map names (str) to numbers");
      a.details.emplace_back(k.cast<std::string>(), *x);
    }
  }
  if (d.contains("reason") && !py::object(d["reason"]).is_none()) {
    const py::object r = d["reason"];
    if (!py::isinstance<py::dict>(r))
      throw error("Assessment.from_dict: \"reason\" must be {\"zh\": ..., \"en\": ...}");
    const auto rd = py::reinterpret_borrow<py::dict>(r);
    if (rd.contains("zh")) a.reason.zh = py::str(rd["zh"]);
    if (rd.contains("en")) a.reason.en = py::str(rd["en"]);
  }
  if (!a.assessable() && a.reason.zh.empty() && a.reason.en.empty())
    throw error("Assessment.from_dict: a not_assessable assessment needs a \"reason\"");
  a.current = optional_point(d, "current");
  a.target = optional_point(d, "target");
  return a;
}

std::string pyrepr(const std::optional<double>& x) { return x ? std::string(py::repr(py::float_(*x))) : "None"; }

std::string assessment_repr(const assessment& a) {
  return "Assessment(method=" + std::string(py::repr(py::str(std::string(to_string(a.method))))) +
         ", category=" + std::string(py::repr(py::str(a.category))) + ", value=" + pyrepr(a.value) +
         ", score=" + pyrepr(a.score) + ")";
}

// --- HTML ----------------------------------------------------------------------------------------

/// html.escape(s): &, <, >, " and '.
std::string escape(std::string_view s) {
  return py::module_::import("html").attr("escape")(py::str(s.data(), s.size())).cast<std::string>();
}

/// Six significant digits: 0.4, 46, 0.0285714; "–" for none.
std::string html_number(const std::optional<double>& x) {
  if (!x) return "–";
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%.6g", *x);
  if (n <= 0) return detail::format_number(*x);
  return std::string(buf, static_cast<std::size_t>(n));
}

/// The status colour of a category: green (met or on the way), amber (progress, not enough), red
/// (off track or moving away), grey (not assessable).
const char* status_colour(std::string_view category) {
  constexpr std::string_view good[] = {
      "achieved", "ahead", "on_track", "target_achieved", "maintain", "substantial_progress", "significant_progress"};
  constexpr std::string_view bad[] = {
      "lagging",    "deterioration", "movement_away", "moderate_movement_away",  "significant_movement_away",
      "regression", "reverse",       "decreasing",    "stagnation_or_regression"};
  if (category == not_assessable_category) return "#757575";
  if (std::find(std::begin(good), std::end(good), category) != std::end(good)) return "#2e7d32";
  if (std::find(std::begin(bad), std::end(bad), category) != std::end(bad)) return "#c62828";
  return "#ef6c00";
}

std::string assessment_html(const assessment& a) {
  const text method = method_label(a.method);
  const text category = category_label(a.method, a.category);
  const std::string th = "<th style=\"text-align:left;padding-right:1em\">";
  const std::string td = "<td style=\"text-align:left\">";
  std::string h = "<div class=\"planeval-assessment\"><table style=\"border-collapse:collapse\"><tbody>";
  h += "<tr>" + th + "method</th>" + td + escape(method.zh) + " · " + escape(method.en) + " <code>" +
       escape(to_string(a.method)) + "</code></td></tr>";
  h += "<tr>" + th + "category</th>" + td + "<span style=\"color:#fff;background:" + status_colour(a.category) +
       ";padding:1px 6px;border-radius:3px\">" + escape(category.zh) + " · " + escape(category.en) + "</span> <code>" +
       escape(a.category) + "</code></td></tr>";
  h += "<tr>" + th + "value</th>" + td + html_number(a.value) + "</td></tr>";
  h += "<tr>" + th + "score</th>" + td + html_number(a.score) + "</td></tr>";
  if (!a.assessable())
    h += "<tr>" + th + "reason</th>" + td + escape(a.reason.zh) + "<br>" + escape(a.reason.en) + "</td></tr>";
  for (const auto& [name, v] : a.details)
    h += "<tr>" + th + "<code>" + escape(name) + "</code></th>" + td + html_number(v) + "</td></tr>";
  return h + "</tbody></table></div>";
}

// --- documentation -------------------------------------------------------------------------------

constexpr const char* assess_doc =
    "Assess the progress of one indicator towards its target (完成进度 / 序时进度) by one of seven\n"
    "published methods: 'linear' (the planned linear path, 序时进度), 'statcan' (Statistics Canada /\n"
    "Open SDG), 'eurostat', 'escap_csi' (ESCAP current status index), 'escap_api' (ESCAP anticipated\n"
    "progress index), 'sdsn' (SDSN trend dashboards) and 'unsd' (UNSD progress chart).\n\n"
    "baseline, current, target: (year, value) pairs. A year is an int, a float (fractional years, e.g.\n"
    "2023.5) or a datetime.date, taken as year + (day_of_year - 1) / days_in_year (2023-07-02 ->\n"
    "2023 + 182/365 = 2023.4986). target=None: the method's no-target variant (statcan, eurostat,\n"
    "unsd); the others then return not_assessable.\n"
    "direction: 'increase' (higher is better) or 'decrease'; 'maintain' and 'band' are accepted and\n"
    "give not_assessable (no progress towards a target to assess).\n"
    "observations: the series for escap_api (default: baseline and current). milestones: interim\n"
    "planned values for linear. Both are sequences of (year, value) pairs, or a dict {year: value} or\n"
    "a pandas Series indexed by year.\n"
    "natural_limit: statcan without a target: a natural maximum or minimum of the indicator.\n"
    "**params: the method's thresholds and flags by name (assess_defaults(method) lists them with\n"
    "their published defaults), e.g. margin=0.5 for linear, inclusive=False.\n\n"
    "Returns an Assessment. What the method cannot judge (t <= baseline time, no target where one is\n"
    "needed, values a growth rate cannot use, ...) comes back with category 'not_assessable', no value\n"
    "and a reason. Raises Error for an unknown method or direction and for bad parameters (unknown\n"
    "name, a bool for a number or the reverse, thresholds out of order; the message names the\n"
    "parameter and lists the accepted ones), TypeError for an input that is not a number or a pair, and\n"
    "DataError for a NaN or infinite input, naming the argument.";

constexpr const char* statcan_multi_doc =
    "Statistics Canada's aggregate over several series (e.g. one per stage): the mean of their statcan\n"
    "scores. series: dicts with the keys of assess(): baseline, current, and optionally target,\n"
    "direction and natural_limit. Series that cannot be assessed are skipped (as in sdg-build). The\n"
    "category is 'target_achieved' when every assessed series achieved its target, else from the mean\n"
    "score: >= 2.5 substantial_progress, >= 0 moderate_progress, >= -2.5 limited_progress, else\n"
    "deterioration. value and score are the mean; details are score[i] per assessed series, series and\n"
    "assessed. **params: the statcan parameters. Errors as assess(); TypeError for a series that is not\n"
    "a dict, lacks baseline or current, or has another key.";

constexpr const char* explain_doc =
    "One or two sentences in Chinese ('zh') or English ('en'), e.g. '党员教师占比 2023 年为 44.0%，按序时\n"
    "进度应达 46.0%，滞后 2.0 个百分点。'. name: the indicator's name (None: '该指标' / 'The indicator');\n"
    "unit: e.g. '%' (differences then read 个百分点 / percentage points) or '人'; decimals: decimals of\n"
    "values in the indicator's unit (0 to 12).";

} // namespace

void register_assess(py::module_& m) {
  py::class_<assessment> c(m, "Assessment",
                           "The result of assess() or statcan_multi(): the method's category (or 'not_assessable'\n"
                           "with a reason), its primary number (value), a score where the method has one\n"
                           "(statcan -5..5, unsd 3/2/1) and the named intermediate numbers (details). Read-only;\n"
                           "compares by value, pickles, and round-trips through to_dict() / from_dict().");
  c.def_property_readonly(
      "method", [](const assessment& a) { return std::string(to_string(a.method)); },
      "The method's name, e.g. 'linear'");
  c.def_property_readonly(
      "value", [](const assessment& a) { return a.value; },
      "The method's primary number (linear: completion progress; statcan, eurostat: actual over required\n"
      "growth; escap_csi: CSI capped at 1; escap_api: gap ratio G; sdsn: actual over required pace;\n"
      "unsd: projected share of the way; no-target variants: the direction-adjusted growth rate), or None");
  c.def_property_readonly(
      "score", [](const assessment& a) { return a.score; }, "statcan: -5..5; unsd: 3, 2 or 1; else None");
  c.def_property_readonly(
      "category", [](const assessment& a) { return a.category; },
      "One of assess_categories(method), or 'not_assessable'");
  c.def_property_readonly(
      "assessable", [](const assessment& a) { return a.assessable(); }, "False when the category is 'not_assessable'");
  c.def_property_readonly(
      "reason",
      [](const assessment& a) -> std::optional<std::string> {
        if (a.assessable()) return std::nullopt;
        return a.reason.in("en");
      },
      "Why it is not assessable, in English (None when assessable); reason_zh has the Chinese");
  c.def_property_readonly(
      "reason_zh",
      [](const assessment& a) -> std::optional<std::string> {
        if (a.assessable()) return std::nullopt;
        return a.reason.zh;
      },
      "Why it is not assessable, in Chinese (None when assessable)");
  c.def_property_readonly("details", &details_dict,
                          "Named intermediate numbers in the method's order (a new dict), e.g. linear:\n"
                          "time_progress, expected_value, gap[, completion_rate]; empty when not assessable");
  c.def_property_readonly(
      "current", [](const assessment& a) { return point_tuple(a.current); },
      "The assessed (year, value), years as fractional years; None for statcan_multi");
  c.def_property_readonly(
      "target", [](const assessment& a) { return point_tuple(a.target); }, "The target (year, value) used, or None");
  c.def_property_readonly(
      "method_label", [](const assessment& a) { return method_label(a.method); },
      "The method's name for people (Text), e.g. 序时进度 / linear path");
  c.def_property_readonly(
      "category_label", [](const assessment& a) { return category_label(a.method, a.category); },
      "The category's name for people (Text), e.g. 滞后于序时进度 / lagging behind the linear path");
  c.def(
      "explain",
      [](const assessment& a, std::string_view lang, std::optional<std::string> name, std::optional<std::string> unit,
         int decimals) {
        checked_lang(lang);
        if (decimals < 0 || decimals > 12)
          throw error("decimals must be from 0 to 12, got " + std::to_string(decimals));
        explain_context ctx;
        if (name) ctx.name = std::move(*name);
        if (unit) ctx.unit = std::move(*unit);
        ctx.decimals = decimals;
        return a.explain(lang, ctx);
      },
      "lang"_a = "zh", py::kw_only(), "name"_a = py::none(), "unit"_a = py::none(), "decimals"_a = 1, explain_doc);
  c.def("to_dict", &to_dict,
        "A JSON-able dict: method, category, value, score (float or None), details {name: float},\n"
        "reason ({'zh', 'en'} or None), current and target ([year, value] or None)");
  const py::object staticmethod = py::module_::import("builtins").attr("staticmethod");
  c.attr("from_dict") = staticmethod(py::cpp_function(
      [](const py::dict& d) { return from_dict(d); }, py::name("from_dict"), "data"_a,
      "An Assessment from to_dict() output (also after a JSON round trip). Raises Error for an unknown\n"
      "method, a category outside the method's vocabulary or a malformed field."));
  c.def("__repr__", &assessment_repr);
  c.def("_repr_html_", &assessment_html);
  c.def("__eq__", &equal, py::is_operator());
  c.def("__copy__", [](const assessment& a) { return assessment(a); });
  c.def(
      "__deepcopy__", [](const assessment& a, const py::object&) { return assessment(a); }, "memo"_a);
  c.def(py::pickle([](const assessment& a) { return py::make_tuple(pickle_version, to_dict(a)); },
                   [](const py::tuple& t) {
                     if (t.size() != 2 || !py::isinstance<py::int_>(t[0]) || !py::isinstance<py::dict>(t[1]))
                       throw error("invalid Assessment pickle state");
                     const int version = t[0].cast<int>();
                     if (version != pickle_version)
                       throw error("unsupported Assessment pickle format version " + std::to_string(version) +
                                   "; this planeval reads version " + std::to_string(pickle_version));
                     return from_dict(t[1].cast<py::dict>());
                   }));
  // pybind11 objects cannot go through copyreg's protocol 0/1 path (see value_class): route every
  // protocol through __getstate__/__setstate__.
  c.def(
      "__reduce_ex__",
      [](py::handle self, int /*protocol*/) -> py::object {
        return py::make_tuple(py::module_::import("copyreg").attr("__newobj__"),
                              py::make_tuple(py::type::handle_of(self)), self.attr("__getstate__")());
      },
      "protocol"_a);

  m.def(
      "assess",
      [](std::string_view method, const py::object& baseline, const py::object& current, const py::object& target,
         const std::string& dir, const py::object& observations, const py::object& milestones,
         const py::object& natural_limit, const py::kwargs& params) {
        const assess_method am = parse_method(method);
        const assess_params p = params_of(am, params);
        const assess_input in = input_of(baseline, current, target, dir, observations, milestones, natural_limit, "");
        return assess(am, in, p);
      },
      "method"_a, py::kw_only(), "baseline"_a, "current"_a, "target"_a = py::none(), "direction"_a = "increase",
      "observations"_a = py::none(), "milestones"_a = py::none(), "natural_limit"_a = py::none(), assess_doc);

  m.def(
      "statcan_multi",
      [](const py::iterable& series, const py::kwargs& params) {
        const assess_params p = params_of(assess_method::statcan, params);
        static constexpr std::string_view keys[] = {"baseline", "current", "target", "direction", "natural_limit"};
        const py::object mapping = py::module_::import("collections.abc").attr("Mapping");
        std::vector<assess_input> inputs;
        for (py::handle item : series) {
          const std::string where = "series[" + std::to_string(inputs.size()) + "]";
          if (!py::isinstance(item, mapping))
            throw arg_type_error(where +
                                 ": expected a dict with the keys baseline, current and optionally target, "
                                 "direction, natural_limit; got " +
                                 type_name(item));
          const auto d = py::reinterpret_borrow<py::object>(item);
          for (py::handle k : d) {
            const std::string key = py::str(k);
            if (std::find(std::begin(keys), std::end(keys), key) == std::end(keys))
              throw arg_type_error(where + ": unexpected key '" + key +
                                   "'; accepted keys: baseline, current, target, direction, natural_limit");
          }
          const auto get = [&](const char* key) -> py::object {
            if (!d.contains(key)) return py::none();
            return d[key];
          };
          for (const char* key : {"baseline", "current"})
            if (!d.contains(key)) throw arg_type_error(where + ": missing key '" + key + "'");
          std::string dir = "increase";
          if (const py::object v = get("direction"); !v.is_none()) {
            if (!py::isinstance<py::str>(v))
              throw arg_type_error(where + ".direction must be a str, got " + type_name(v));
            dir = v.cast<std::string>();
          }
          inputs.push_back(input_of(d["baseline"], d["current"], get("target"), dir, py::none(), py::none(),
                                    get("natural_limit"), where + "."));
        }
        return statcan_multi(inputs, p);
      },
      "series"_a, statcan_multi_doc);

  m.def(
      "assess_methods",
      [] {
        std::vector<std::string> out;
        for (const auto& [method, name] : assess_method_names) out.emplace_back(name);
        return out;
      },
      "The method names: linear, statcan, eurostat, escap_csi, escap_api, sdsn, unsd");
  m.def(
      "assess_categories",
      [](std::string_view method) {
        const auto cats = categories(parse_method(method));
        return std::vector<std::string>(cats.begin(), cats.end());
      },
      "method"_a, "The method's categories, best first (without 'not_assessable'). Error for an unknown method.");
  m.def(
      "assess_defaults",
      [](std::string_view method) {
        py::dict d;
        for (const auto& [name, v] : default_params(parse_method(method))) d[py::str(name)] = param_object(v);
        return d;
      },
      "method"_a,
      "The method's parameters with their published defaults, in a fixed order ({name: float | bool};\n"
      "NaN where the default is derived from the data). Error for an unknown method.");
}

} // namespace planeval::python
