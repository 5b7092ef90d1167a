"""Text from plans and data never runs in the programs that open planeval's outputs (issue 18).

Hostile names (spreadsheet formula prefixes, HTML/script injection, a ``javascript:`` link, a bidi
override) go through a real plan (indicator, target and entity names) and through data rows (new
schools named in a CSV file), and every output format must hold them as inert text:
- .xlsx (the template, its read-back, the data-check workbooks): no cell is a formula or an error
  value; the text is there verbatim (openpyxl stores a str starting with "=" as a formula unless
  told otherwise; CWE-1236);
- CSV (Report.to_csv, Observations.to_csv, IngestReport.to_csv, planeval.to_csv): a text cell
  starting with = + - @ tab or CR gets a leading apostrophe (OWASP, "CSV Injection"), numbers stay
  numbers, and read_csv gives the original name back;
- HTML and SVG: escaped, no script element or event attribute, no javascript: link (only http(s)
  and relative links are clickable), bidi controls shown as marks instead of acting.
"""

from __future__ import annotations

import copy
import csv
import html.parser
import io
import json
import pathlib
import xml.etree.ElementTree as ET

import pytest

import planeval

ROOT = pathlib.Path(__file__).resolve().parents[2]
openpyxl = pytest.importorskip("openpyxl")

FORMULA = '=HYPERLINK("http://evil.example","点击")'
HOSTILE = [
    FORMULA,
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "学校\u202eredli\u202c名",  # a right-to-left override inside a name
    "#N/A",
]


class Tags(html.parser.HTMLParser):
    """Every start tag of an HTML page with its attributes, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))


def hostile_plan(tmp_path: pathlib.Path, example: str) -> planeval.Plan:
    """The example plan with every indicator, target and entity name (zh and en) made hostile,
    three new schools with hostile names, and a ``javascript:`` source URL."""
    p = json.loads((ROOT / "examples" / example / "plan.json").read_text(encoding="utf-8"))
    k = 0
    for group in ("indicators", "targets", "entities"):
        for item in p[group]:
            item["name"]["zh"] = HOSTILE[k % len(HOSTILE)]
            if "en" in item["name"]:
                item["name"]["en"] = HOSTILE[(k + 3) % len(HOSTILE)]
            k += 1
    area = p["targets"][0]["scope"]  # the plan's area
    for n, name in enumerate((FORMULA, "<script>alert(2)</script>", "-1+2")):
        p["entities"].append(
            {"id": f"evil_{n}", "name": {"zh": name}, "kind": "school", "parent": area, "stage": "小学"}
        )
    p["source"]["url"] = "javascript:alert(document.cookie)"
    f = tmp_path / f"{example}.json"
    f.write_text(json.dumps(p, ensure_ascii=False), encoding="utf-8")
    return planeval.load_plan(str(f))


def live_cells(path: pathlib.Path) -> list[str]:
    """Every formula or error cell of a workbook (none may exist), as sheet!cell."""
    wb = openpyxl.load_workbook(path)
    return [
        f"{ws.title}!{c.coordinate}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type in ("f", "e")
    ]


def cell_texts(path: pathlib.Path) -> set[str]:
    wb = openpyxl.load_workbook(path)
    return {
        c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    }


EXAMPLES = ["baijiantan", "jining"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_template_holds_hostile_names_as_text(tmp_path: pathlib.Path, example: str) -> None:
    plan = hostile_plan(tmp_path, example)
    out = tmp_path / "t.xlsx"
    planeval.excel_template(plan, out)
    assert live_cells(out) == []
    texts = cell_texts(out)
    # the school names are written verbatim in the rows of the area's sheet
    for name in (FORMULA, "<script>alert(2)</script>", "-1+2"):
        assert name in texts
    # indicator names reach the header labels verbatim (a label starts with the name)
    assert any(t.startswith(FORMULA) for t in texts)


def test_template_round_trip_keeps_hostile_names(tmp_path: pathlib.Path) -> None:
    plan = hostile_plan(tmp_path, "jining")
    out = tmp_path / "t.xlsx"
    planeval.excel_template(plan, out)
    # fill one value for the school named with a formula, as a school would
    wb = openpyxl.load_workbook(out)
    ws = next(
        ws
        for ws in wb.worksheets
        if str(ws["A3"].value).startswith("entity|") and any(c.value == FORMULA for c in ws["B"])
    )
    row = next(c.row for c in ws["B"] if c.value == FORMULA)
    machine = {c.value: c.column for c in ws[3] if isinstance(c.value, str)}
    ids = {i.id for i in plan.indicators}
    column = next(col for code, col in machine.items() if code.split("|")[0] in ids)
    ws.cell(row=row, column=column, value=97)
    wb.save(out)
    obs, report = planeval.read_excel(plan, out)
    assert len(report.rejected) == 0
    frame = obs.to_frame(plan)
    assert frame["entity"].tolist() == ["evil_0"]
    assert frame["value"].tolist() == [97.0]
    assert {e.id: e.name.zh for e in plan.entities}["evil_0"] == FORMULA


def data_csv(tmp_path: pathlib.Path, plan: planeval.Plan) -> pathlib.Path:
    """Rows for three new schools named in the file (add_entities), with hostile names."""
    area = plan.targets[0].scope
    ind = plan.indicators[0].id
    f = tmp_path / "data.csv"
    with f.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["indicator", "entity", "parent", "entity_name", "year", "value"])
        for n, name in enumerate((FORMULA, "@cmd|' /C calc'!A0", "<script>alert(3)</script>")):
            w.writerow([ind, f"new_{n}", area, name, 2022, 90 + n])
    return f


def test_check_reports_hold_hostile_names_as_text(tmp_path: pathlib.Path) -> None:
    plan = hostile_plan(tmp_path, "jining")
    written = planeval.write_check_reports(plan, [data_csv(tmp_path, plan)], tmp_path / "checks")
    assert len(written) >= 2  # the bureau's workbook and at least one school's
    found = set()
    for path in written.values():
        assert live_cells(pathlib.Path(path)) == []
        found |= cell_texts(pathlib.Path(path))
    assert any(FORMULA in t for t in found)


def test_csv_exports_neutralise_and_read_back(tmp_path: pathlib.Path) -> None:
    plan = hostile_plan(tmp_path, "jining")
    fresh = copy.deepcopy(plan)
    obs, _ = planeval.read_csv(plan, str(data_csv(tmp_path, plan)))
    names = {e.id: e.name.zh for e in plan.entities}
    assert names["new_0"] == FORMULA

    out = tmp_path / "obs.csv"
    obs.to_csv(out, plan)
    raw = out.read_text(encoding="utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(raw)) for c in row]
    assert "'" + FORMULA in cells and FORMULA not in cells
    assert "'@cmd|' /C calc'!A0" in cells
    # no cell starts with a formula character except numbers (-1.5 would stay a number)
    for c in cells:
        if c[:1] in ("=", "+", "-", "@", "\t", "\r"):
            float(c)
    # read back into the plan without those schools: the original names come back
    back, report = planeval.read_csv(fresh, str(out))
    assert len(report.rejected) == 0
    assert {e.id: e.name.zh for e in fresh.entities}["new_0"] == FORMULA
    assert back.to_frame(fresh)["value"].tolist() == [90.0, 91.0, 92.0]

    # the report's table: target names are text cells with the apostrophe
    rep = plan.evaluate(obs, as_of="2023-12-31")
    rep.to_csv(tmp_path / "report.csv")
    rows = list(csv.reader(io.StringIO((tmp_path / "report.csv").read_text(encoding="utf-8-sig"))))
    flat = [c for r in rows for c in r]
    assert "'" + FORMULA in flat
    assert not any(c.startswith("=") for c in flat)


def test_to_csv_numbers_stay_numbers(tmp_path: pathlib.Path) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"name": ["=1+2", "-x", "ok", None], "value": [-1.5, 2.0, float("nan"), 3.0]})
    planeval.to_csv(frame, tmp_path / "f.csv")
    text = (tmp_path / "f.csv").read_bytes().decode("utf-8-sig")
    # hand-written expectation: text cells neutralised, -1.5 a number, NaN and None empty cells
    assert text == "name,value\r\n'=1+2,-1.5\r\n'-x,2.0\r\nok,\r\n,3.0\r\n"


@pytest.mark.parametrize("example", EXAMPLES)
def test_html_report_is_inert(tmp_path: pathlib.Path, example: str) -> None:
    pytest.importorskip("matplotlib")
    plan = hostile_plan(tmp_path, example)
    obs, _ = planeval.read_csv(plan, str(data_csv(tmp_path, plan)))
    page = plan.evaluate(obs, as_of="2023-12-31").to_html(lang="zh")
    tags = Tags()
    tags.feed(page)
    assert not {"img", "iframe", "object", "embed"} & {t for t, _ in tags.seen}
    # one script, planeval's own (the table's sorting), its text fixed whatever the names
    from planeval._html import _SCRIPT

    assert [t for t, _ in tags.seen].count("script") == 1 and f"<script>{_SCRIPT}</script>" in page
    for tag, attrs in tags.seen:  # no event-handler attribute, no script link
        assert not [a for a, _ in attrs if a.lower().startswith("on")], tag
        assert not [
            v for a, v in attrs if a in ("href", "src") and (v or "").lower().startswith("javascript")
        ]
    assert "javascript:" not in page.replace("javascript:alert(document.cookie)</span>", "")
    assert 'href="javascript' not in page.lower()
    assert "\u202e" not in page and "[U+202E]" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # the URL is shown as text; an http(s) URL is a link
    assert "javascript:alert(document.cookie)</span>" in page


def test_html_links_only_http_and_relative() -> None:
    from planeval._html import safe_href

    assert safe_href("https://example.org/plan.pdf") == "https://example.org/plan.pdf"
    assert safe_href("docs/plan.pdf") == "docs/plan.pdf"
    for bad in (
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:x",
        "java\tscript:x",
        "data:text/html,x",
        "vbscript:x",
        "file:///etc/passwd",
        "//evil.example/x",
    ):
        assert safe_href(bad) is None, bad


def test_svg_charts_are_inert(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("matplotlib")
    plan = hostile_plan(tmp_path, "jining")
    obs, _ = planeval.read_csv(plan, str(data_csv(tmp_path, plan)))
    rep = plan.evaluate(obs, as_of="2023-12-31")
    for fig in (rep.plot_dashboard(), rep.plot_target(plan.targets[0].id)):
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        svg = buf.getvalue()
        root = ET.fromstring(svg.encode("utf-8"))  # well-formed: nothing broke out of an attribute
        for el in root.iter():
            assert not el.tag.endswith("script")
            assert not any(a.lower().startswith("on") for a in el.attrib)
            assert not any(v.strip().lower().startswith("javascript:") for v in el.attrib.values())


def test_cli_csv_report_is_neutralised(tmp_path: pathlib.Path) -> None:
    from planeval.__main__ import main as cli

    plan = hostile_plan(tmp_path, "jining")
    plan.save(str(tmp_path / "plan.json"))
    out = tmp_path / "report.csv"
    code = cli(
        [
            "report",
            "--plan",
            str(tmp_path / "plan.json"),
            "--observations",
            str(data_csv(tmp_path, plan)),
            "--as-of",
            "2023-12-31",
            "--format",
            "csv",
            "--lang",
            "zh",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "目标"  # column labels in the report's language
    flat = [c for r in rows for c in r]
    assert "'" + FORMULA in flat and "'+1+1" in flat
    assert not any(c.startswith(("=", "@", "+")) for c in flat)


# --- Word and Excel out (issue 16) ----------------------------------------------------------------

#: Word field codes written as text: a name like this must never become a field (DDE, INCLUDETEXT).
FIELDS = [
    '{ DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc" }',
    '{ INCLUDETEXT "http://evil.example/x" }',
]


def _field_plan(tmp_path: pathlib.Path, example: str) -> planeval.Plan:
    """The hostile plan with the first two targets named as Word field codes, a control character
    (refused by XML) in the third's name and a bidi override in the fourth's."""
    plan = hostile_plan(tmp_path, example)
    p = json.loads(plan.to_json())
    p["targets"][0]["name"]["zh"] = FIELDS[0]
    p["targets"][1]["name"]["zh"] = FIELDS[1]
    p["targets"][2]["name"]["zh"] = "铃\x07声"
    p["targets"][3]["name"]["zh"] = HOSTILE[8]  # a right-to-left override inside a name
    f = tmp_path / f"{example}_fields.json"
    f.write_text(json.dumps(p, ensure_ascii=False), encoding="utf-8")
    return planeval.load_plan(str(f))


@pytest.mark.parametrize("example", EXAMPLES)
def test_docx_holds_hostile_names_as_text(tmp_path: pathlib.Path, example: str) -> None:
    docx = pytest.importorskip("docx")
    import zipfile

    plan = _field_plan(tmp_path, example)
    obs, _ = planeval.read_csv(plan, str(data_csv(tmp_path, plan)))
    rep = plan.evaluate(obs, as_of="2023-12-31")
    out = tmp_path / "r.docx"
    rep.to_docx(out, charts=False, previous=plan.evaluate(obs, as_of="2022-12-31"))
    with zipfile.ZipFile(out) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    # no field of any kind: names are runs of text (w:t), never field instructions
    for tag in ("w:fldSimple", "w:instrText", "w:fldChar", "w:hyperlink"):
        assert tag not in xml
    ET.fromstring(xml.encode("utf-8"))  # well-formed
    doc = docx.Document(str(out))
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    # the names are there verbatim in the target tables: formulas, field codes, markup
    assert FIELDS[0] in cells and FIELDS[1] in cells
    assert any("<script>alert(" in c for c in cells)
    assert any(FORMULA in c for c in cells)
    # the control character XML cannot hold is shown as U+FFFD; a bidi override as a mark
    assert "铃\ufffd声" in cells
    assert "\u202e" not in xml and "[U+202E]" in xml


@pytest.mark.parametrize("example", EXAMPLES)
def test_xlsx_outputs_hold_hostile_names_as_text(tmp_path: pathlib.Path, example: str) -> None:
    plan = _field_plan(tmp_path, example)
    obs, _ = planeval.read_csv(plan, str(data_csv(tmp_path, plan)))
    rep = plan.evaluate(obs, as_of="2023-12-31")
    out = tmp_path / "r.xlsx"
    rep.to_xlsx(out)
    assert live_cells(out) == []
    texts = cell_texts(out)
    assert FIELDS[0] in texts and FIELDS[1] in texts
    assert FORMULA in texts  # the first indicator's name, in the indicator column
    assert "铃\ufffd声" in texts


def test_standard_outputs_hold_hostile_school_names_as_text(tmp_path: pathlib.Path) -> None:
    """The per-school table names schools from the plan: hostile names stay text in the workbook,
    escaped in the HTML page, neutralised in the CSV files."""
    plan = hostile_plan(tmp_path, "baijiantan")
    for sid in sorted({t.standard for t in plan.targets if t.standard}):
        plan.add_standard_indicators(plan.standard(sid))
    obs, _ = planeval.read_csv(plan, str(ROOT / "examples" / "baijiantan" / "illustrative_observations.csv"))
    result = planeval.evaluate_standard(
        planeval.builtin_standard("compulsory_quality_balance_2017"), plan, obs, period=2023
    )
    schools = {u["unit"] for u in result.units}
    # the three new schools of the hostile plan (no data: units of the standard all the same)
    names = {e.id: e.name.zh for e in plan.entities if e.id in schools and e.id.startswith("evil_")}
    assert sorted(names.values()) == sorted((FORMULA, "<script>alert(2)</script>", "-1+2"))
    out = tmp_path / "s.xlsx"
    result.to_xlsx(out, plan=plan)
    assert live_cells(out) == []
    texts = cell_texts(out)
    for name in names.values():
        assert name in texts
    page = result.to_html(None, plan=plan)
    tags = Tags()
    tags.feed(page)
    assert not {"script", "img", "iframe", "object", "embed"} & {t for t, _ in tags.seen}
    assert not [a for _, attrs in tags.seen for a, _ in attrs if a.lower().startswith("on")]
    assert "\u202e" not in page
    paths = result.to_csv(tmp_path / "s.csv", plan=plan)
    for path in paths:
        text = pathlib.Path(path).read_text(encoding="utf-8-sig")
        flat = [c for r in csv.reader(io.StringIO(text)) for c in r]
        for c in flat:
            if c[:1] in ("=", "+", "-", "@", "\t", "\r"):
                float(c)  # only numbers start with a formula character
