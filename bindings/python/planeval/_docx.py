"""A plan evaluation as a Word document (.docx) in the layout of an official Chinese evaluation
report (``Report.to_docx``): the title (the plan's title, 评估报告, the as-of date), 一、总体情况
(targets by status and by phase, the dashboard chart), 二、分项目标进展 (a table per domain: target,
indicator, unit, baseline, actual, goal, deadline, status; then a paragraph and a chart for every
target at risk), 三、督导评估 (the official standards' verdicts and reasons, when given), 四、与上年
比较 (when an earlier report is given), and 附件：数据问题 (the report's data problems and the plan's
conflicts). ``lang="en"`` writes the English version.

python-docx is imported when a function here is called (``pip install planeval[docx]``). Every text
from a plan or data goes in as the text of a run (``w:t``), never as a field code, so a name such as
``=HYPERLINK(...)`` or ``{ INCLUDETEXT ... }`` stays text; characters XML cannot hold show as
U+FFFD and bidi controls as marks (``[U+202E]``).
"""

from __future__ import annotations

import importlib
import io
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from . import _core
from ._display import STATUSES, bidi_marked, problem_label, status_label, text_of
from ._errors import check_lang
from ._export import (
    AT_RISK,
    CHANGE_WORDS,
    TargetRow,
    compare_reports,
    date_text,
    entity_name,
    number_text,
    reason_text,
    stage_text,
    target_rows,
    verdict_text,
    xml_safe,
)

if TYPE_CHECKING:  # pragma: no cover
    from ._report import Report

_CN_NUM = "一二三四五六七八九十"

_W = {
    "report": ("评估报告", "evaluation report"),
    "as_of": ("（截至{date}）", "(as of {date})"),
    "overview": ("总体情况", "Overview"),
    "progress": ("分项目标进展", "Progress by domain"),
    "standards": ("督导评估", "Official standards"),
    "compare": ("与上年比较", "Compared with the previous report"),
    "annex": ("附件：数据问题", "Annex: data problems"),
    "total": (
        "规划共设 {n} 项目标。截至{date}，{counts}。",
        "The plan sets {n} targets. As of {date}: {counts}.",
    ),
    "count": ("{label} {n} 项", "{label} {n}"),
    "status": ("状态", "Status"),
    "targets": ("目标数", "Targets"),
    "phase": ("阶段", "Phase"),
    "dashboard": ("图 {n}  各目标状态总览", "Figure {n}. Every target's status"),
    "figure": ("图 {n}  {name}", "Figure {n}. {name}"),
    "target": ("目标", "Target"),
    "indicator": ("指标", "Indicator"),
    "unit": ("单位", "Unit"),
    "baseline": ("基期值", "Baseline"),
    "actual": ("实际值", "Actual"),
    "goal": ("目标值", "Goal"),
    "deadline": ("期限", "Deadline"),
    "at_risk": ("需要关注的目标", "Targets at risk"),
    "none_at_risk": ("本领域没有进度滞后、未达成或被突破的目标。", "No target of this domain is at risk."),
    "verdict": ("{title}（{number}）：{verdict}。", "{title} ({number}): {verdict}."),
    "reasons": ("未达标原因：", "Reasons:"),
    "no_reasons": ("全部要求均已达到。", "Every requirement is met."),
    "groups": ("评估方面", "Group"),
    "school": ("学校", "School"),
    "stage": ("学段", "Stage"),
    "met_count": ("达标项数", "Indicators met"),
    "excluded": ("不参评：{why}", "excluded: {why}"),
    "result": ("结果", "Result"),
    "problems": ("数据问题", "Data problems"),
    "conflicts": ("规划内的矛盾", "Conflicts recorded in the plan"),
    "no_problems": ("未发现数据问题。", "No data problems were found."),
    "before": ("上次（{date}）", "Before ({date})"),
    "now": ("本次（{date}）", "Now ({date})"),
    "change": ("变化", "Change"),
    "changed": (
        "与{date}相比：{better} 项好转，{worse} 项退步，{same} 项持平。",
        "Compared with {date}: {better} better, {worse} worse, {same} unchanged.",
    ),
    "no_change": ("各目标状态均无变化。", "No target changed its status."),
    "notice": ("注：", "Note: "),
}


def _shown(text: str) -> str:
    """Text for the document: characters XML cannot hold as U+FFFD, bidi controls as marks."""
    return xml_safe(bidi_marked(text))


def _w(key: str, lang: str, **kw: object) -> str:
    zh, en = _W[key]
    return (en if lang == "en" else zh).format(**kw)


def _docx() -> Any:
    try:
        return importlib.import_module("docx")
    except ImportError:
        raise ModuleNotFoundError(
            "Report.to_docx needs python-docx: pip install 'planeval[docx]' (or pip install python-docx)",
            name="docx",
        ) from None


def _heading_number(n: int) -> str:
    return _CN_NUM[n - 1] if 1 <= n <= len(_CN_NUM) else str(n)


class _Writer:
    """A python-docx Document with the report's styles, and the few things written into it."""

    def __init__(self, lang: str) -> None:
        docx = _docx()
        self.docx = docx
        self.shared = importlib.import_module("docx.shared")
        self.enum_text = importlib.import_module("docx.enum.text")
        self.oxml_ns = importlib.import_module("docx.oxml.ns")
        self.lang = lang
        self.doc = docx.Document()
        self.figures = 0
        self._styles()

    def _east_asian(self, style: Any, font: str) -> None:
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(self.oxml_ns.qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(self.oxml_ns.qn("w:rFonts"), {})
            rpr.append(fonts)
        fonts.set(self.oxml_ns.qn("w:eastAsia"), font)

    def _styles(self) -> None:
        Pt = self.shared.Pt
        RGB = self.shared.RGBColor
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.size = Pt(11)
        self._east_asian(normal, "仿宋" if self.lang == "zh" else "宋体")
        for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 13)):
            st = styles[name]
            st.font.size = Pt(size)
            st.font.bold = True
            st.font.color.rgb = RGB(0, 0, 0)
            self._east_asian(st, "黑体")
        for section in self.doc.sections:
            section.page_width, section.page_height = self.shared.Cm(21.0), self.shared.Cm(29.7)  # A4
            section.left_margin = section.right_margin = self.shared.Cm(2.5)
            section.top_margin = section.bottom_margin = self.shared.Cm(2.5)

    def title(self, text: str, sub: str) -> None:
        p = self.doc.add_paragraph(style="Title")
        p.alignment = self.enum_text.WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(_shown(text))
        s = self.doc.add_paragraph()
        s.alignment = self.enum_text.WD_ALIGN_PARAGRAPH.CENTER
        s.add_run(_shown(sub))

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(_shown(text), level=level)

    def para(self, text: str, *, italic: bool = False, bold: bool = False) -> Any:
        p = self.doc.add_paragraph()
        run = p.add_run(_shown(text))
        run.italic = italic
        run.bold = bold
        return p

    def bullet(self, text: str) -> None:
        self.doc.add_paragraph(_shown(text), style="List Bullet")

    def table(
        self, header: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[float] = ()
    ) -> Any:
        rows = list(rows)
        t = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        t.style = "Table Grid"
        small = self.shared.Pt(9)
        for r, values in enumerate([header, *rows]):
            cells = t.rows[r].cells
            for c, value in enumerate(values):
                cell = cells[c]
                cell.text = ""
                run = cell.paragraphs[0].add_run(_shown(str(value)))
                run.font.size = small
                if r == 0:
                    run.bold = True
        # the heading row repeats on every page the table runs over
        tr_pr = t.rows[0]._tr.get_or_add_trPr()
        tr_pr.append(tr_pr.makeelement(self.oxml_ns.qn("w:tblHeader"), {}))
        if widths:
            # both the grid (LibreOffice reads it) and every cell (Word reads these)
            t.autofit = False
            for c, w in enumerate(widths):
                t.columns[c].width = self.shared.Cm(w)
            for row in t.rows:
                for c, w in enumerate(widths):
                    row.cells[c].width = self.shared.Cm(w)
        self.doc.add_paragraph()
        return t

    def figure(self, fig: Any, caption: str, width_cm: float = 15.0) -> None:
        import matplotlib.pyplot as plt

        buf = io.BytesIO()
        try:
            fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
        finally:
            plt.close(fig)
        buf.seek(0)
        self.doc.add_picture(buf, width=self.shared.Cm(width_cm))
        self.doc.paragraphs[-1].alignment = self.enum_text.WD_ALIGN_PARAGRAPH.CENTER
        self.figures += 1
        p = self.para(caption)
        p.alignment = self.enum_text.WD_ALIGN_PARAGRAPH.CENTER

    def save(self, path: str | os.PathLike[str]) -> None:
        self.doc.save(os.fspath(path))


def _counts_text(counts: dict[str, int], lang: str) -> str:
    parts = [_w("count", lang, label=status_label(s, lang), n=counts[s]) for s in STATUSES if counts.get(s)]
    return ("，" if lang == "zh" else ", ").join(parts)


def _section(w: _Writer, n: int, key: str) -> None:
    lang = w.lang
    title = _w(key, lang)
    w.heading(f"{_heading_number(n)}、{title}" if lang == "zh" else f"{n}. {title}", 1)


def _overview(w: _Writer, report: Report, charts: bool) -> None:
    lang = w.lang
    summary = report.summary
    n = sum(summary.values())
    w.para(_w("total", lang, n=n, date=date_text(report.as_of, lang), counts=_counts_text(summary, lang)))
    present = [s for s in STATUSES if summary.get(s)]
    w.table(
        [_w("status", lang), _w("targets", lang)],
        [[status_label(s, lang), str(summary[s])] for s in present],
        widths=(4.0, 2.0),
    )
    phases = report.phases
    if phases:
        plan = report._plan
        cols = [s for s in STATUSES if any(p.statuses.get(s) for p in phases)]
        rows = []
        for p in phases:
            ph = plan.phase(p.id)
            name = (ph.name_en or ph.name_zh) if lang == "en" else (ph.name_zh or ph.name_en)
            rows.append(
                [
                    f"{name or p.id}（{p.start.year}—{p.end.year}）"
                    if lang == "zh"
                    else f"{name or p.id} ({p.start.year}–{p.end.year})",
                    str(p.targets),
                ]
                + [str(p.statuses.get(s, 0)) for s in cols]
            )
        rest = (16.0 - 5.0) / (len(cols) + 1)
        w.table(
            [_w("phase", lang), _w("targets", lang)] + [status_label(s, lang) for s in cols],
            rows,
            widths=(5.0, *([rest] * (len(cols) + 1))),
        )
    if charts:
        w.figure(report.plot_dashboard(lang=lang), _w("dashboard", lang, n=w.figures + 1))


_CN_SUB = "一二三四五六七八九十"


def _sub_number(i: int, lang: str) -> str:
    if lang == "en":
        return f"{i}."
    if i <= 10:
        return f"（{_CN_SUB[i - 1]}）"
    if i < 20:
        return f"（十{_CN_SUB[i - 11]}）"
    return f"（{i}）"


def _progress(w: _Writer, report: Report, rows: list[TargetRow], charts: bool) -> None:
    lang = w.lang
    domains: dict[str, list[TargetRow]] = {}
    for r in rows:
        domains.setdefault(r.domain, []).append(r)
    header = [
        _w("target", lang),
        _w("indicator", lang),
        _w("unit", lang),
        _w("baseline", lang),
        _w("actual", lang),
        _w("goal", lang),
        _w("deadline", lang),
        _w("status", lang),
    ]
    for i, (_, group) in enumerate(domains.items(), start=1):
        w.heading(
            f"{_sub_number(i, lang)}{group[0].domain_name}"
            if lang == "zh"
            else f"{i}. {group[0].domain_name}",
            2,
        )
        w.table(
            header,
            [
                [
                    r.name,
                    r.indicator_name,
                    r.unit,
                    number_text(r.baseline, r, lang).removesuffix(r.suffix)
                    if r.baseline is not None
                    else "—",
                    number_text(r.actual, r, lang).removesuffix(r.suffix) if r.actual is not None else "—",
                    r.goal,
                    str(r.deadline.year)
                    if (r.deadline.month, r.deadline.day) == (12, 31)
                    else r.deadline.isoformat(),
                    r.status_text,
                ]
                for r in group
            ],
            widths=(3.4, 2.8, 1.3, 1.7, 1.7, 1.9, 1.6, 1.6),
        )
        risky = [r for r in group if r.status in AT_RISK]
        if not risky:
            continue
        w.para(_w("at_risk", lang) + ("：" if lang == "zh" else ":"), bold=True)
        for r in risky:
            # the core's sentence starts with the target's name: said once
            sentence = r.sentence
            for sep in ("：", ": ", " ") if lang == "zh" else ("：", ": "):
                if sentence.startswith(r.name + sep):
                    sentence = sentence[len(r.name) + len(sep) :]
            w.para(
                f"{r.name}（{r.status_text}）：{sentence}"
                if lang == "zh"
                else f"{r.name} ({r.status_text}): {sentence}"
            )
            if charts:
                w.figure(
                    report.plot_target(r.id, lang=lang),
                    _w("figure", lang, n=w.figures + 1, name=r.name),
                    13.0,
                )


def _standards(w: _Writer, report: Report, results: Sequence[_core.StandardResult]) -> None:
    lang = w.lang
    plan = report._plan
    for res in results:
        standard = plan.standard(res.standard) if res.standard in {s for s, _ in plan.standards} else None
        if standard is None and res.standard in _core.builtin_standard_ids():
            standard = _core.builtin_standard(res.standard)
        title = text_of(standard.title, lang, res.standard) if standard is not None else res.standard
        number = str(standard.document.get("number", "")) if standard is not None else ""
        w.para(
            _w("verdict", lang, title=title, number=number, verdict=verdict_text(res.passed, lang)),
            bold=True,
        )
        if standard is not None:
            groups = {str(g["id"]): g for g in standard.groups} if isinstance(standard.groups, list) else {}
            rows = []
            for g in res.groups:
                gid = str(g["id"])
                gname = gid
                if gid in groups:
                    gname = _text(groups[gid].get("name"), lang, gid)
                rows.append([gname, verdict_text(bool(g["passed"]), lang) if g["evaluated"] else "—"])
            if rows:
                w.table([_w("groups", lang), _w("result", lang)], rows, widths=(6.0, 3.0))
        if res.units:
            # each school: its stage, how many indicators it meets, its verdict
            n_ind = max((len(u["values"]) for u in res.units), default=0)
            body = []
            for u in res.units:
                if u["excluded"]:
                    why = _text(u.get("excluded_because"), lang, str(u.get("exclusion", "")))
                    verdict = _w("excluded", lang, why=why)
                else:
                    verdict = verdict_text(u["passed"], lang)
                body.append(
                    [
                        entity_name(plan, str(u["unit"]), lang),
                        stage_text(str(u["stage"]), lang),
                        f"{u['met_count']}/{n_ind}",
                        verdict,
                    ]
                )
            w.table(
                [_w("school", lang), _w("stage", lang), _w("met_count", lang), _w("result", lang)],
                body,
                widths=(6.0, 2.5, 2.5, 4.0),
            )
        if res.reasons:
            w.para(_w("reasons", lang))
            for r in res.reasons:
                w.bullet(reason_text(r, plan, lang))
        else:
            w.para(_w("no_reasons", lang))


def _text(t: Any, lang: str, fallback: str) -> str:
    if isinstance(t, dict):
        zh, en = str(t.get("zh", "") or ""), str(t.get("en", "") or "")
        return (en or zh or fallback) if lang == "en" else (zh or en or fallback)
    return fallback


def _compare(w: _Writer, report: Report, previous: Report) -> None:
    lang = w.lang
    frame = compare_reports(report, previous, lang)
    counts = frame["status_change"].value_counts()
    w.para(
        _w(
            "changed",
            lang,
            date=date_text(previous.as_of, lang),
            better=int(counts.get("better", 0)),
            worse=int(counts.get("worse", 0)),
            same=int(counts.get("same", 0)),
        )
    )
    rows = {r.id: r for r in target_rows(report, lang)}
    changed = frame[frame["status"] != frame["status_before"]]
    if changed.empty:
        w.para(_w("no_change", lang))
        return
    zh = lang != "en"
    body = []
    for rec in changed.itertuples(index=False):
        r = rows[str(rec.id)]
        before = "—" if rec.status_before is None else status_label(str(rec.status_before), lang)
        a0 = None if rec.actual_before != rec.actual_before else float(rec.actual_before)  # NaN -> None
        a1 = None if rec.actual != rec.actual else float(rec.actual)
        body.append(
            [
                r.name,
                f"{before}（{number_text(a0, r, lang)}）" if zh else f"{before} ({number_text(a0, r, lang)})",
                f"{r.status_text}（{number_text(a1, r, lang)}）"
                if zh
                else f"{r.status_text} ({number_text(a1, r, lang)})",
                CHANGE_WORDS[str(rec.status_change)][1 if lang == "en" else 0],
            ]
        )
    w.table(
        [
            _w("target", lang),
            _w("before", lang, date=date_text(previous.as_of, lang)),
            _w("now", lang, date=date_text(report.as_of, lang)),
            _w("change", lang),
        ],
        body,
        widths=(6.0, 3.8, 3.8, 2.0),
    )


def _annex(w: _Writer, report: Report) -> None:
    lang = w.lang
    key = "en" if lang == "en" else "zh"
    w.heading(_w("annex", lang), 1)
    if not report.problems and not report.conflicts:
        w.para(_w("no_problems", lang))
        return
    if report.problems:
        w.heading(_w("problems", lang), 2)
        names = {r.id: r.name for r in target_rows(report, lang)}
        for p in report.problems:
            text = str(p.message.get(key) or p.message.get("zh") or p.code)
            if p.id in names:  # the target named, not its id
                text = text.replace(p.id, names[p.id])
            label = problem_label(p.code, lang)
            w.bullet(f"［{label}］{text}" if lang == "zh" else f"[{label}] {text}")
    if report.conflicts:
        w.heading(_w("conflicts", lang), 2)
        for c in report.conflicts:
            w.bullet(str(c.description.get(key) or c.description.get("zh") or c.id))


def report_docx(
    report: Report,
    path: str | os.PathLike[str],
    lang: str = "zh",
    *,
    standard_results: Iterable[_core.StandardResult] = (),
    charts: bool = True,
    previous: Report | None = None,
) -> None:
    """Writes ``report`` to ``path`` as a Word document (see the module's docstring)."""
    check_lang(lang)
    results = list(standard_results)
    w = _Writer(lang)
    d = report._dict
    title = (
        str(d["title"]["en"] or d["title"]["zh"])
        if lang == "en"
        else str(d["title"]["zh"] or d["title"]["en"])
    )
    w.title(
        f"{title}{_w('report', lang)}" if lang == "zh" else f"{title}: {_w('report', lang)}",
        _w("as_of", lang, date=date_text(report.as_of, lang)),
    )
    for notice in d.get("notices", []):
        w.para(_w("notice", lang) + str(notice["en" if lang == "en" else "zh"]), italic=True)
    rows = target_rows(report, lang)
    n = 1
    _section(w, n, "overview")
    _overview(w, report, charts)
    n += 1
    _section(w, n, "progress")
    _progress(w, report, rows, charts)
    if results:
        n += 1
        _section(w, n, "standards")
        _standards(w, report, results)
    if previous is not None:
        n += 1
        _section(w, n, "compare")
        _compare(w, report, previous)
    _annex(w, report)
    w.save(path)
