"""Fuzz the Excel reader (planeval.read_excel, bindings/python/planeval/_excel.py).

The reader is Python over openpyxl, so this is a mutation fuzzer in Python rather than a
libFuzzer harness. Each case starts from a filled data-entry template of the Baijiantan plan
(planeval.excel_template with a few indicators of every kind, two years) and applies 1-5 random
mutations: cells set to odd values (NaN, infinities, huge and negative numbers, dates, times,
booleans, formulas, error strings, long and non-ASCII text), the hidden machine row and the
_planeval sheet rewritten, sheets deleted, renamed or added (tidy sheets with shuffled columns),
rows and columns inserted or deleted, cells merged; and sometimes byte-level damage to the .xlsx
(bytes flipped, a sheet's XML cut, repeated or edited). Then

    property: read_excel(plan, path, on_bad_row=..., add_entities=..., sheet=...) returns
    (Observations, IngestReport) or raises planeval.Error; never any other exception,

and a returned report accounts for every row (accepted + duplicates + rejected == rows).

Usage:
    python tests/fuzz/excel_fuzz.py [--seconds 60] [--seed N] [--findings DIR]
    python tests/fuzz/excel_fuzz.py --replay FILE_OR_DIR ...   # re-check saved inputs

A case that breaks the property is saved as DIR/excel-<seed>-<case>.xlsx with the traceback
beside it (.txt); the exit status is then 1. Saved inputs that are kept as regressions go to
tests/fuzz/regressions/excel/ (replayed by tests/python/test_fuzz_regressions.py).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import io
import math
import random
import re
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Callable

import openpyxl

import planeval

YEARS = [2022, 2023]
CSV_COLUMNS = [
    "indicator", "entity", "value", "date", "period", "year", "weight", "estimated", "provisional",
    "parent", "entity_name", "entity_kind", "stage", "students",
]  # fmt: skip


# --- the plan and the template --------------------------------------------------------------


def fuzz_plan() -> planeval.Plan:
    """The Baijiantan plan with the indicators of the standards its targets name (school sheets)."""
    plan = planeval.example_plan()
    for sid in sorted({t.standard for t in plan.targets if t.standard}):
        plan.add_standard_indicators(planeval.builtin_standard(sid))
    return plan


def pick_indicators(plan: planeval.Plan) -> list[str]:
    """A few indicators of every kind: staged (school sheets), boolean, percentage, count, amount."""
    chosen: list[str] = []
    staged = [i for i in plan.indicators if i.stages and i.kind != "shares"]
    for stage in ("幼儿园", "小学", "初中"):
        chosen += [i.id for i in staged if stage in i.stages and i.id not in chosen][:2]
    for kind in ("boolean", "rate", "count", "amount", "ratio"):
        chosen += [i.id for i in plan.indicators if i.kind == kind and not i.stages and i.id not in chosen][
            :1
        ]
    return chosen


def template_bytes(plan: planeval.Plan, indicators: list[str], rng: random.Random) -> bytes:
    """The template with most value cells filled with plausible numbers."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "template.xlsx"
        planeval.excel_template(plan, path, years=YEARS, indicators=indicators)
        wb = openpyxl.load_workbook(path)
        for ws in data_sheets(wb):
            for r in range(4, ws.max_row + 1):
                if ws.cell(row=r, column=1).value is None:
                    continue
                for c in range(1, ws.max_column + 1):
                    code = ws.cell(row=3, column=c).value
                    if isinstance(code, str) and "|" in code and not code.startswith("entity"):
                        if rng.random() < 0.8:
                            ws.cell(row=r, column=c).value = round(rng.uniform(0, 100), rng.choice([0, 1, 2]))
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


def data_sheets(wb: Any) -> list[Any]:
    """Sheets with the machine row (row 3 holds indicator|year codes)."""
    return [ws for ws in wb.worksheets if ws.title != "_planeval" and ws.max_row >= 3 and ws.cell(3, 1).value]


# --- mutations ------------------------------------------------------------------------------


def odd_value(rng: random.Random) -> Any:
    pool: list[Callable[[], Any]] = [
        lambda: rng.randint(-(10**6), 10**6),
        lambda: rng.choice([0, -0.0, 1e308, -1e308, 5e-324, 1e16 + 1, 2**63, -(2**63) - 1]),
        lambda: rng.choice([math.nan, math.inf, -math.inf]),
        lambda: rng.uniform(-1000, 1000),
        lambda: rng.choice([True, False]),
        lambda: rng.choice(["NA", "", " ", "null", "None", "是", "否", "true", "FALSE", "yes", "-"]),
        lambda: rng.choice(
            ["1,234", "12%", "１２", "1e5", "0x10", "١٢", "+5", "--1", ".", "1.2.3", "∞", "nan"]
        ),
        lambda: rng.choice(["=1/0", "=SUM(A1:A3)", "=A1", "=", "#DIV/0!", "#N/A", "=NA()", '="x"']),
        lambda: rng.choice(["2023", "2023/2024", "2023-13-01", "0000", "9999", "2023-02-29", "2021.0"]),
        lambda: dt.date(rng.randint(1900, 2100), rng.randint(1, 12), rng.randint(1, 28)),
        lambda: dt.datetime(
            rng.randint(1900, 2100), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23)
        ),
        lambda: dt.time(rng.randint(0, 23), rng.randint(0, 59)),
        lambda: dt.timedelta(days=rng.randint(-1000, 1000)),
        lambda: "学校" * rng.randint(1, 2000),
        lambda: "".join(chr(rng.randint(32, 0x2FFF)) for _ in range(rng.randint(1, 30))),
        lambda: rng.choice(["kg_1", "stage_primary", "district", "new_school", "a b", "../x", "x|y", "|"]),
        lambda: None,
    ]
    return rng.choice(pool)()


def random_code(rng: random.Random, plan_ids: list[str]) -> str:
    left = rng.choice([*rng.sample(plan_ids, 2), "entity", "students", "name", "parent", "", "x", "日期"])
    right = rng.choice(
        ["2023", "2022", "2019", "2030", "", "abc", "2023|2024", "2023.0", "-1", "99999999999"]
    )
    return rng.choice([f"{left}|{right}", left, f"|{right}", f"{left}|{right}|x"])


def set_cell(ws: Any, row: int, column: int, value: Any) -> None:
    try:
        cell = ws.cell(row=max(1, row), column=max(1, column))
        if type(cell).__name__ == "MergedCell":
            return
        cell.value = value
    except (ValueError, TypeError):  # values openpyxl refuses to write (control characters ...)
        pass


def mutate_book(wb: Any, rng: random.Random, plan_ids: list[str]) -> list[str]:
    """Apply 1-5 mutations; returns what was done (for the finding's report)."""
    done: list[str] = []
    for _ in range(rng.randint(1, 5)):
        sheets = wb.worksheets
        ws = rng.choice(sheets)
        what = rng.choice(
            ["value"] * 6
            + ["code", "meta", "entity", "header", "delete_sheet", "rename", "tidy", "rows", "cols", "merge"]
        )
        rmax, cmax = max(ws.max_row, 3), max(ws.max_column, 3)
        if what == "value":
            r, c = rng.randint(1, rmax + 2), rng.randint(1, cmax + 2)
            set_cell(ws, r, c, odd_value(rng))
            done.append(f"{ws.title}!R{r}C{c} = value")
        elif what == "code":
            c = rng.randint(1, cmax + 1)
            set_cell(ws, 3, c, random_code(rng, plan_ids))
            done.append(f"{ws.title}: machine code in column {c}")
        elif what == "meta" and "_planeval" in wb.sheetnames:
            meta = wb["_planeval"]
            r, c = rng.randint(1, max(meta.max_row, 2) + 1), rng.randint(1, 3)
            set_cell(
                meta, r, c, rng.choice([odd_value(rng), "baijiantan-education-14th-fyp", "plan", "mini"])
            )
            done.append(f"_planeval R{r}C{c}")
        elif what == "entity":
            r = rng.randint(4, rmax + 2)
            set_cell(
                ws, r, 1, odd_value(rng) if rng.random() < 0.5 else rng.choice(["new_school", "kg_1", "x"])
            )
            if rng.random() < 0.5:
                set_cell(ws, r, rng.randint(2, 4), odd_value(rng))  # name, parent or students
            done.append(f"{ws.title}: entity cell row {r}")
        elif what == "header":
            r = rng.randint(1, 3)
            set_cell(ws, r, rng.randint(1, cmax), odd_value(rng))
            done.append(f"{ws.title}: header row {r}")
        elif what == "delete_sheet" and len(sheets) > 1:
            done.append(f"delete {ws.title}")
            wb.remove(ws)
        elif what == "rename":
            title = rng.choice(
                ["_planeval", "小学", "初中", "幼儿园", "区级", "Sheet", "说明", "x" * 31, "tidy"]
            )
            if title not in wb.sheetnames:
                done.append(f"rename {ws.title} -> {title}")
                ws.title = title
        elif what == "tidy":
            tidy = wb.create_sheet(f"tidy{rng.randint(0, 999)}")
            cols = rng.sample(CSV_COLUMNS, rng.randint(2, len(CSV_COLUMNS)))
            if rng.random() < 0.7:
                cols = list(
                    dict.fromkeys(
                        ["indicator", "entity", "value", rng.choice(["date", "period", "year"]), *cols]
                    )
                )
            rng.shuffle(cols)
            start = rng.randint(1, 12)
            for j, name in enumerate(cols):
                set_cell(tidy, start, j + 1, name)
            for i in range(rng.randint(0, 8)):
                for j, name in enumerate(cols):
                    v: Any
                    if name == "indicator" and rng.random() < 0.8:
                        v = rng.choice(plan_ids)
                    elif name in ("year", "period") and rng.random() < 0.8:
                        v = rng.choice(YEARS)
                    elif name == "entity" and rng.random() < 0.8:
                        v = rng.choice(["baijiantan", "kg_1", "pri_1", "new_school"])
                    else:
                        v = odd_value(rng)
                    set_cell(tidy, start + 1 + i, j + 1, v)
            done.append(f"tidy sheet {tidy.title}: {cols}")
        elif what == "rows":
            r, n = rng.randint(1, rmax), rng.randint(1, 3)
            (ws.insert_rows if rng.random() < 0.5 else ws.delete_rows)(r, n)
            done.append(f"{ws.title}: rows at {r}")
        elif what == "cols":
            c, n = rng.randint(1, cmax), rng.randint(1, 3)
            (ws.insert_cols if rng.random() < 0.5 else ws.delete_cols)(c, n)
            done.append(f"{ws.title}: columns at {c}")
        elif what == "merge":
            r, c = rng.randint(1, rmax), rng.randint(1, cmax)
            try:
                ws.merge_cells(
                    start_row=r,
                    start_column=c,
                    end_row=r + rng.randint(0, 2),
                    end_column=c + rng.randint(0, 2),
                )
                done.append(f"{ws.title}: merge at R{r}C{c}")
            except ValueError:
                pass
    return done


def mutate_bytes(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """Damage the .xlsx itself: raw bytes, or the XML of one member."""
    if rng.random() < 0.3:
        b = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b), "bytes flipped"
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    victim = rng.choice([n for n in names if n.endswith(".xml")] or names)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            body = src.read(name)
            if name == victim:
                text = body.decode("utf-8", "replace")
                op = rng.choice(["cut", "repeat", "number", "drop", "cell"])
                i = rng.randrange(max(len(text), 1))
                j = min(len(text), i + rng.randint(1, 200))
                if op == "cut":
                    text = text[:i] + text[j:]
                elif op == "repeat":
                    text = text[:j] + text[i:j] + text[j:]
                elif op == "number":
                    text = re.sub(
                        r"\d+", lambda m: rng.choice(["0", "-1", "99999999", "1e999", "NaN", m.group()]), text
                    )
                elif op == "cell":
                    cell = rng.choice(['<c r="A1" t="s"><v>99999</v></c>', '<c r="XFD1048576"><v>1</v></c>',
                                       '<c r="A0"><v>x</v></c>', '<c t="e"><v>#REF!</v></c>'])  # fmt: skip
                    k = text.find("<c ")
                    text = text[:k] + cell + text[k:] if k >= 0 else text
                else:
                    continue  # the member is left out
                body = text.encode("utf-8")
            dst.writestr(name, body)
    return out.getvalue(), f"{victim}: XML edited"


# --- the property ---------------------------------------------------------------------------


class Finding(Exception):
    pass


def check(plan: planeval.Plan, path: Path, rng: random.Random | None = None) -> int:
    """read_excel on `path` returns or raises planeval.Error; raises Finding otherwise. Returns how
    many of the calls returned (the others raised planeval.Error)."""
    variants: Iterable[tuple[str, bool, str | None]]
    if rng is None:
        variants = [("raise", True, None), ("collect", True, None), ("collect", False, None)]
    else:
        try:
            titles = openpyxl.load_workbook(path, read_only=True).sheetnames
        except Exception:
            titles = []
        sheet = rng.choice([None, None, None, *titles, "no such sheet"])
        variants = [(rng.choice(["raise", "collect"]), rng.random() < 0.8, sheet)]
    returned = 0
    for mode, add, sheet in variants:
        p = copy.copy(plan)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                obs, report = planeval.read_excel(p, path, on_bad_row=mode, add_entities=add, sheet=sheet)
        except planeval.Error:
            continue
        except Exception as e:
            raise Finding(
                f"read_excel(on_bad_row={mode!r}, add_entities={add}, sheet={sheet!r}) raised "
                f"{type(e).__name__}, not planeval.Error:\n{traceback.format_exc()}"
            ) from e
        if report.accepted + report.duplicates + len(report.rejected) != report.rows:
            raise Finding(f"rows not accounted for: {report!r}")
        if len(obs) != report.accepted:
            raise Finding(f"{len(obs)} observations for {report!r}")
        returned += 1
    return returned


def replay(plan: planeval.Plan, targets: list[str]) -> int:
    files: list[Path] = []
    for t in targets:
        p = Path(t)
        files += sorted(x for x in p.rglob("*.xlsx")) if p.is_dir() else [p]
    failed = 0
    for f in files:
        try:
            check(plan, f)
            print(f"replay: {f}: ok")
        except Finding as e:
            failed += 1
            print(f"replay: {f}: FAILED\n{e}", file=sys.stderr)
    print(f"replayed {len(files)} workbook(s), {failed} failed")
    return 1 if failed else 0


def run(seconds: float, seed: int, findings: Path, max_cases: int | None = None) -> int:
    plan = fuzz_plan()
    indicators = pick_indicators(plan)
    plan_ids = [i.id for i in plan.indicators]
    base = template_bytes(plan, indicators, random.Random(seed))
    deadline = time.monotonic() + seconds
    cases = found = refused = returned = 0
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "case.xlsx"
        while time.monotonic() < deadline and (max_cases is None or cases < max_cases):
            rng = random.Random(f"{seed}:{cases}")
            done: list[str] = []
            data = base
            if rng.random() < 0.9:
                wb = openpyxl.load_workbook(io.BytesIO(base))
                done = mutate_book(wb, rng, plan_ids)
                buf = io.BytesIO()
                try:
                    wb.save(buf)
                except Exception as e:  # openpyxl cannot write what the mutations made: not a case
                    refused += 1
                    cases += 1
                    del e
                    continue
                data = buf.getvalue()
            if rng.random() < 0.2:
                data, what = mutate_bytes(data, rng)
                done.append(what)
            path.write_bytes(data)
            try:
                returned += check(plan, path, rng)
            except Finding as e:
                found += 1
                findings.mkdir(parents=True, exist_ok=True)
                stem = findings / f"excel-{seed}-{cases}"
                stem.with_suffix(".xlsx").write_bytes(data)
                stem.with_suffix(".txt").write_text(
                    "mutations: " + "; ".join(done) + "\n\n" + str(e), encoding="utf-8"
                )
                print(f"FINDING {stem}.xlsx: {str(e).splitlines()[0]}", file=sys.stderr)
            cases += 1
    print(
        f"excel_fuzz: {cases} cases in {seconds:.0f} s (seed {seed}; read: {returned}, planeval.Error: "
        f"{cases - returned - refused - found}, not writable by openpyxl: {refused}), "
        f"{found} finding(s)" + (f" saved in {findings}" if found else "")
    )
    return 1 if found else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--seconds", type=float, default=60.0, help="how long to run (default 60)")
    ap.add_argument("--cases", type=int, default=None, help="stop after this many cases")
    ap.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock)")
    ap.add_argument("--findings", type=Path, default=Path(__file__).resolve().parent / "findings" / "excel")
    ap.add_argument("--replay", nargs="+", metavar="PATH", help="check saved workbooks instead of fuzzing")
    args = ap.parse_args(argv)
    if args.replay:
        return replay(fuzz_plan(), args.replay)
    seed = args.seed if args.seed is not None else int(time.time())
    return run(args.seconds, seed, args.findings, args.cases)


if __name__ == "__main__":
    sys.exit(main())
