"""Command line: ``python -m planeval`` or ``planeval``.

``--lang zh|en``, before or after the command (after it, it wins), is the language of everything
written: the output, the help, argparse's usage errors and the ``error:``/``warning:``/``notice:``
lines (``错误：``/``警告：``/``提示：``, messages through :func:`planeval.translate`). Its default is
``PLANEVAL_LANG`` (``zh``/``en``), else the locale: the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG``
that is set, Chinese when it starts with ``zh``, else English (:func:`default_lang`).

Subcommands:

- ``summary [PLAN] [--lang zh|en]``: the plan's summary (default: the embedded example plan), then
  every warning as ``warning: path: message``.
- ``validate PLAN``: ``PLAN: valid (N targets, M warnings)`` and exit 0 (warnings go to stderr), or
  every error as ``error: path: message`` on stderr and exit 1.
- ``format PLAN [--out FILE]``: the plan in canonical JSON, to stdout or FILE.
- ``report [--plan PLAN] [--observations CSV|XLSX] [--as-of DATE] [--methods M,M] [--format
  text|json|html|csv|docx|xlsx] [--lang zh|en] [--out FILE] [--illustrative] [--compare-with DATE]``:
  evaluate every target at DATE and print the report (docx: a Word report in the layout of an
  official evaluation report; xlsx: the evaluation table; both need ``--out``; ``--compare-with``
  adds the comparison with the same data evaluated at an earlier date to the docx). Without
  ``--as-of`` the date is the end of the latest data period (the latest end date of the
  observation rows read, else of the figures recorded in the plan), never a future the data do
  not cover; a line on stderr says which date was used and why. Without
  ``--plan`` the embedded example plan is used, and data whose indicators it does not have are
  refused with a one-line message asking for ``--plan``. The indicators of the official standards
  the plan's targets reference are added to the plan first, so school data for them can be read.
  ``--illustrative`` marks the data as illustrative in the report header.
- ``template [PLAN] --out FILE.xlsx [--years 2020-2025] [--lang zh|en]``: a data-entry workbook
  for the plan (one sheet per stage, schools as rows, indicator × year columns); fill it and pass it
  to ``report --observations``.
- ``standard ID --observations CSV --year YEAR [--plan PLAN] [--scope ENTITY] [--lang zh|en]
  [--format text|json|xlsx|html|csv] [--out FILE]``: evaluate an official standard
  (``builtin_standard_ids()``, or a standard file) on school data: the verdict, every reason it
  fails, per-school results; xlsx/html: the per-school table, the CV table, the county criteria and
  the reasons; csv: the per-school table to FILE and the CV table to FILE_cv.csv.

User errors (missing file, malformed JSON, invalid plan, unwritable output, a directory, an .xls,
empty or binary file) are reported on stderr as one line with exit status 1, never with a traceback
(an unexpected exception too, as a bug to report). The readers' notes (a file decoded from GB18030,
blank rows skipped...) are notice lines on stderr.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from ._core import (
    Error,
    Plan,
    PlanError,
    Standard,
    builtin_standard,
    builtin_standard_ids,
    evaluate_standard,
    example_plan,
    load_plan,
    load_standard,
    read_csv,
)
from ._excel import excel_template, read_excel, read_observations
from ._messages import LANGS, translate
from ._report import evaluate

ILLUSTRATIVE = (
    "示例数据：观测数据是为演示 planeval 而虚构的，不是真实统计；规划本身的数字（基期值和规划中记载的数据）"
    "来自规划原文。",
    "Illustrative data: the observations are invented to demonstrate planeval, not real statistics; "
    "the plan's own figures (baselines and the values recorded in the plan) come from the plan's source.",
)


def default_lang(environ: Mapping[str, str] | None = None) -> str:
    """The language when ``--lang`` is not given: ``PLANEVAL_LANG`` (``zh...`` or ``en...``) if set,
    else the locale: the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set decides (``zh``,
    ``zh_CN.UTF-8``, ``zh_TW`` ... give Chinese; anything else English), as POSIX orders them."""
    env = os.environ if environ is None else environ
    own = env.get("PLANEVAL_LANG", "").strip().lower()
    for lang in LANGS:
        if own.startswith(lang):
            return lang
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "zh" if value.strip().lower().startswith("zh") else "en"
    return "en"


def _lang_in(argv: Sequence[str]) -> str | None:
    """The last language given as ``--lang X`` / ``--lang=X`` in ``argv``, else None (the help and
    the usage errors are worded before argparse has read the options)."""
    found = None
    for i, a in enumerate(argv):
        if a == "--":
            break
        value = argv[i + 1] if a == "--lang" and i + 1 < len(argv) else a.partition("=")[2]
        if (a == "--lang" or a.startswith("--lang=")) and value in LANGS:
            found = value
    return found


class _Formatter(argparse.HelpFormatter):
    lang = "en"

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        if prefix is None and self.lang == "zh":
            prefix = "用法："
        super().add_usage(usage, actions, groups, prefix)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose own words (usage, section titles, -h, usage errors) are in ``lang``."""

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        formatter = type("_LangFormatter", (_Formatter,), {"lang": lang})
        kwargs.setdefault("formatter_class", formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.lang = lang
        zh = lang == "zh"
        self._positionals.title = "位置参数" if zh else "positional arguments"
        self._optionals.title = "选项" if zh else "options"
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS,
            help="显示本帮助并退出" if zh else "show this help message and exit",
        )  # fmt: skip

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        if self.lang == "zh":
            self.exit(2, f"{self.prog}：错误：{translate(message, 'zh')}\n")
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser(lang: str = "en") -> argparse.ArgumentParser:
    """The command line's parser, its help in ``lang``."""

    def t(en: str, zh: str) -> str:
        return zh if lang == "zh" else en

    plan_default = t("plan file (default: the embedded example plan)", "规划文件（默认：内置示例规划）")
    parser = _Parser(
        prog="planeval",
        lang=lang,
        description=t(
            "Evaluate development plans: check a plan file, read data, report where every target stands.",
            "评估发展规划：检查规划文件，读取数据，报告每个目标的进展。",
        ),
        epilog=t(
            "The language (--lang) defaults to PLANEVAL_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG: "
            "zh... for Chinese, else English).",
            "语言（--lang）默认取环境变量 PLANEVAL_LANG，否则取区域设置（LC_ALL、LC_MESSAGES、LANG：以 zh "
            "开头为中文，否则为英文）。",
        ),
    )
    lang_help = t(
        "language of the output, the help and the messages (default: from PLANEVAL_LANG or the locale)",
        "输出、帮助和提示信息的语言（默认：取自 PLANEVAL_LANG 或区域设置）",
    )
    parser.add_argument("--lang", choices=list(LANGS), default=default_lang(), help=lang_help)
    sub = parser.add_subparsers(
        dest="command", required=True, metavar=t("COMMAND", "命令"), parser_class=_Parser,
        title=t("commands", "命令"),
    )  # fmt: skip

    def command(name: str, en: str, zh: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=t(en, zh), description=t(en, zh), lang=lang)
        # the global option, also accepted after the command (given there, it wins)
        p.add_argument("--lang", choices=list(LANGS), default=argparse.SUPPRESS, help=lang_help)
        return p

    summary = command("summary", "print a plan's summary and warnings", "显示规划摘要和警告")
    summary.add_argument("plan", nargs="?", metavar="PLAN", help=plan_default)

    validate = command("validate", "check a plan file", "检查规划文件")
    validate.add_argument("plan", metavar="PLAN", help=t("plan file", "规划文件"))

    fmt = command("format", "write a plan in canonical JSON", "以规范 JSON 格式输出规划")
    fmt.add_argument("plan", metavar="PLAN", help=t("plan file", "规划文件"))
    fmt.add_argument(
        "--out", metavar="FILE", help=t("write to FILE instead of stdout", "写入 FILE 而不是标准输出")
    )

    report = command("report", "evaluate every target of a plan at a date", "评估规划的每个目标在某日的进展")
    report.add_argument("--plan", metavar="PLAN", help=plan_default)
    report.add_argument(
        "--observations",
        metavar="FILE",
        nargs="+",
        action="extend",
        help=t(
            "observation rows (.csv, or .xlsx: a template or tidy); several files (one per school) are "
            "read as one data set",
            "观测数据（.csv，或 .xlsx：填好的模板或整齐表）；可给多个文件（如每校一个），合并为一个数据集",
        ),
    )
    report.add_argument(
        "--as-of",
        metavar="DATE",
        help=t(
            "evaluation date YYYY-MM-DD (default: the end of the latest data period)",
            "评估日期 YYYY-MM-DD（默认：最新数据期的期末）",
        ),
    )
    report.add_argument(
        "--primary",
        default="linear",
        help=t("primary method (default: linear, 序时进度)", "主要评估方法（默认：linear，序时进度）"),
    )
    report.add_argument(
        "--methods",
        default="",
        help=t("more methods side by side, comma-separated", "并列显示的其他方法，以逗号分隔"),
    )
    report.add_argument(
        "--format",
        choices=["text", "json", "html", "csv", "docx", "xlsx"],
        default="text",
        help=t(
            "output format (csv: the target table, safe to open in Excel; docx: a Word report in the layout "
            "of an official evaluation report; xlsx: the evaluation table; docx and xlsx need --out)",
            "输出格式（csv：目标表，可安全用 Excel 打开；docx：按正式评估报告格式的 Word 文档；xlsx："
            "评估表；docx 和 xlsx 须用 --out 指定文件）",
        ),
    )
    report.add_argument(
        "--compare-with",
        metavar="DATE",
        help=t(
            "docx: also evaluate the same data at DATE (e.g. a year earlier) and add the comparison",
            "docx：同时按 DATE（如上一年末）评估同一数据，并加入与上年比较一节",
        ),
    )
    report.add_argument(
        "--out", metavar="FILE", help=t("write to FILE instead of stdout", "写入 FILE 而不是标准输出")
    )
    report.add_argument(
        "--illustrative",
        action="store_true",
        help=t("mark the observations as illustrative", "将观测数据标为示例数据（非真实统计）"),
    )

    template = command(
        "template", "write a data-entry Excel workbook for a plan", "为规划生成数据填报 Excel 工作簿"
    )
    template.add_argument("plan", nargs="?", metavar="PLAN", help=plan_default)
    template.add_argument(
        "--out", metavar="FILE.xlsx", required=True, help=t("the workbook to write", "要写入的工作簿")
    )
    template.add_argument(
        "--years",
        help=t(
            "years, e.g. 2021-2023 or 2021,2023 (default: the plan's data window)",
            "年份，如 2021-2023 或 2021,2023（默认：规划的数据时间范围）",
        ),
    )

    standard = command(
        "standard", "evaluate an official standard on school data", "用学校数据评估官方督导评估标准"
    )
    standard.add_argument(
        "standard",
        metavar="ID",
        help=t(
            "a standard of the plan's own, a built-in standard id, or a standard file",
            "规划自带的标准、内置标准编号，或标准文件",
        ),
    )
    standard.add_argument(
        "--observations",
        metavar="FILE",
        nargs="+",
        action="extend",
        required=True,
        help=t(
            "school data (.csv or .xlsx; several files are read as one data set)",
            "学校数据（.csv 或 .xlsx；多个文件合并为一个数据集）",
        ),
    )
    standard.add_argument(
        "--year", type=int, required=True, help=t("the calendar year to evaluate", "要评估的年份")
    )
    standard.add_argument("--plan", metavar="PLAN", help=plan_default)
    standard.add_argument(
        "--scope",
        metavar="ENTITY",
        help=t(
            "the area entity to evaluate (default: the plan's area)", "要评估的区域单位（默认：规划所在区域）"
        ),
    )
    standard.add_argument(
        "--format",
        choices=["text", "json", "xlsx", "html", "csv"],
        default="text",
        help=t(
            "output format (xlsx, html: the verdict, the per-school table, the CV table, the county "
            "criteria and the reasons; csv: the per-school table to FILE and the CV table to FILE_cv.csv; "
            "xlsx and csv need --out). The data-check report per school: planeval.write_check_reports",
            "输出格式（xlsx、html：结论、逐校达标表、差异系数表、县级指标和未达标原因；csv：逐校表写入 "
            "FILE，差异系数表写入 FILE_cv.csv；xlsx 和 csv 须用 --out）。逐校数据核查报告见 "
            "planeval.write_check_reports",
        ),
    )
    standard.add_argument(
        "--out", metavar="FILE", help=t("write to FILE instead of stdout", "写入 FILE 而不是标准输出")
    )
    return parser


def _summary(args: argparse.Namespace) -> int:
    plan: Plan = example_plan() if args.plan is None else load_plan(args.plan)
    sys.stdout.write(plan.summary(lang=args.lang))
    for w in plan.warnings():
        print(_say("warning", str(w), args.lang))
    return 0


def _validate(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan)
    warnings = plan.warnings()
    valid = f"valid ({len(plan.targets)} targets, {len(warnings)} warnings)"
    print(f"{args.plan}: {translate(valid, args.lang)}")
    for w in warnings:
        print(_say("warning", str(w), args.lang), file=sys.stderr)
    return 0


def _format(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan)
    if args.out is None:
        sys.stdout.write(plan.to_json())
    else:
        plan.save(args.out)
    return 0


_PASS_PLAN = "pass the plan the data belong to with --plan PLAN.json"


def _csv_indicators(path: str) -> list[str]:
    """The distinct values of a CSV file's indicator column, in order (none without that column).
    The file is read as read_csv reads it: UTF-8, UTF-16 with a byte-order mark, or GB18030."""
    import csv
    import io

    seen: dict[str, None] = {}
    try:
        with open(path, "rb") as f:
            data = f.read()
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("gb18030")
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip() for h in next(reader, [])]
        if "indicator" not in header:
            return []
        col = header.index("indicator")
        for row in reader:
            if col < len(row) and row[col].strip():
                seen.setdefault(row[col].strip(), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return []  # read_csv reports what is wrong with the file
    return list(seen)


def _read_observations(plan: Plan, paths: Sequence[str], example: bool = False, lang: str = "en") -> Any:
    """Observations from CSV files and Excel workbooks (filled templates or tidy sheets), several
    read as one data set (planeval.read_observations).

    ``example``: the plan is the embedded example, not one the user named: data with indicators it
    does not have are refused with a message asking for --plan rather than a data error."""
    if len(paths) == 1:
        return _read_one(plan, paths[0], example, lang)
    for path in paths:
        _check_file(plan, path, example)
    try:
        return _noted(read_observations(plan, list(paths)), lang)
    except Error as e:
        if example and ("unknown indicator" in str(e) or "template of plan" in str(e)):
            raise Error(f"{e} [the embedded example plan was used: {_PASS_PLAN}]") from None
        raise


def _check_file(plan: Plan, path: str, example: bool) -> None:
    """A file the CLI can read: it exists, is not a folder, and has a known extension; a CSV file's
    indicators are the example plan's when no plan was named."""
    if os.path.isdir(path):
        raise Error(f"{path}: is a directory, not a file")
    if not os.path.isfile(path):
        raise Error(f"{path}: no such file")
    lower = path.lower()
    if lower.endswith(".xls"):
        raise Error(
            f"{path}: expected a .csv or .xlsx file; .xls (Excel 97-2003) is not read: save it as .xlsx"
        )
    if not lower.endswith((".csv", ".xlsx", ".xlsm")):
        raise Error(f"{path}: expected a .csv or .xlsx file")
    if example and lower.endswith(".csv"):
        known = {i.id for i in plan.indicators}
        found = _csv_indicators(path)
        unknown = [i for i in found if i not in known]
        if unknown:
            raise Error(
                f"{path}: indicator {unknown[0]!r} is not in the embedded example plan "
                f"({len(unknown)} of {len(found)} indicators are not); {_PASS_PLAN}"
            )


def _read_one(plan: Plan, path: str, example: bool = False, lang: str = "en") -> Any:
    """Observations from one CSV file or Excel workbook."""
    _check_file(plan, path, example)
    if path.lower().endswith(".csv"):
        return _noted(read_csv(plan, path), lang)
    try:
        return _noted(read_excel(plan, path), lang)
    except Error as e:
        if example and ("unknown indicator" in str(e) or "template of plan" in str(e)):
            raise Error(f"{e} [the embedded example plan was used: {_PASS_PLAN}]") from None
        raise


def _noted(read: tuple[Any, Any], lang: str) -> Any:
    """The observations of a reader's (observations, report), after its notes (a file decoded from
    GB18030, blank rows skipped, an implausible scale...) as notice lines on stderr."""
    observations, report = read
    for note in getattr(report, "notes", []):
        if lang == "zh" and note.message_zh:
            print(_PREFIX["notice", "zh"] + note.message_zh, file=sys.stderr)
        else:
            print(_say("notice", note.message, lang), file=sys.stderr)
    return observations


def _day(days: int) -> datetime.date:
    """A day number of Observations (days since 1970-01-01) as a date."""
    return datetime.date(1970, 1, 1) + datetime.timedelta(days=int(days))


def _default_as_of(plan: Plan, observations: Any, path: str | None) -> tuple[datetime.date, str]:
    """The evaluation date when --as-of is not given, and why: the end of the latest period of the
    observation rows read, else of the figures recorded in the plan, else the latest baseline; today
    only when there is nothing at all."""
    if observations is not None and len(observations):
        return _day(int(observations.end.max())), f"the end of the latest data period in {path}"
    recorded = [o.covered.end for o in plan.observations]
    if recorded:
        return max(recorded), "the end of the latest period of the figures recorded in the plan"
    baselines = [t.baseline.date for t in plan.targets if t.baseline is not None]
    if baselines:
        return max(baselines), "the latest baseline date in the plan, which records no other figure"
    return datetime.date.today(), "today: there are no data and the plan records no figure"


def _add_referenced_standards(plan: Plan) -> None:
    # the plan's own standard of that id, else the built-in one
    for standard_id in sorted({t.standard for t in plan.targets if t.standard}):
        plan.add_standard_indicators(plan.standard(standard_id))


def _template(args: argparse.Namespace) -> int:
    plan: Plan = example_plan() if args.plan is None else load_plan(args.plan)
    _add_referenced_standards(plan)
    years = None
    if args.years:
        try:
            if "-" in args.years:
                first, last = (int(x) for x in args.years.split("-", 1))
                years = list(range(first, last + 1))
            else:
                years = [int(x) for x in args.years.split(",")]
        except ValueError:
            raise Error(f"--years: expected e.g. 2021-2023 or 2021,2023, got {args.years!r}") from None
    if not args.out.lower().endswith(".xlsx"):
        raise Error(f"--out: expected a .xlsx file name, got {args.out!r}")
    excel_template(plan, args.out, years=years, lang=args.lang)
    print(translate(f"wrote {args.out}", args.lang))
    return 0


def _report(args: argparse.Namespace) -> int:
    if args.format in ("docx", "xlsx"):
        _binary_out(args.out, args.format)
    if args.compare_with is not None and args.format != "docx":
        raise Error("--compare-with: only with --format docx")
    plan: Plan = example_plan() if args.plan is None else load_plan(args.plan)
    try:
        as_of = None if args.as_of is None else datetime.date.fromisoformat(args.as_of)
    except ValueError:
        raise Error(f"--as-of: expected a date YYYY-MM-DD, got {args.as_of!r}") from None
    _add_referenced_standards(plan)
    observations = (
        None
        if args.observations is None
        else _read_observations(plan, args.observations, example=args.plan is None, lang=args.lang)
    )
    if as_of is None:
        files = None if args.observations is None else ", ".join(args.observations)
        as_of, why = _default_as_of(plan, observations, files)
        notice = f"evaluating as of {as_of.isoformat()} ({why}); pass --as-of DATE to choose"
        print(_say("notice", notice, args.lang), file=sys.stderr)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    report = evaluate(
        plan,
        observations,
        as_of=as_of,
        primary=args.primary,
        methods=methods,
        notices=[ILLUSTRATIVE] if args.illustrative else [],
    )
    # the official standards the targets reference, on the school data (html and docx)
    results = []
    if observations is not None and args.format in ("html", "docx"):
        for sid in sorted({t.standard for t in plan.targets if t.standard}):
            r = evaluate_standard(plan.standard(sid), plan, observations, period=as_of.year)
            if r.units:  # standards without school-level data add nothing
                results.append(r)
    if args.format == "docx":
        previous = None
        if args.compare_with is not None:
            try:
                before = datetime.date.fromisoformat(args.compare_with)
            except ValueError:
                raise Error(
                    f"--compare-with: expected a date YYYY-MM-DD, got {args.compare_with!r}"
                ) from None
            previous = evaluate(plan, observations, as_of=before, primary=args.primary, methods=methods)
        report.to_docx(args.out, args.lang, standard_results=results, previous=previous)
        print(translate(f"wrote {args.out}", args.lang), file=sys.stderr)
        return 0
    if args.format == "xlsx":
        report.to_xlsx(args.out, args.lang)
        print(translate(f"wrote {args.out}", args.lang), file=sys.stderr)
        return 0
    if args.format == "html":
        text = report.to_html(lang=args.lang, standard_results=results)
    elif args.format == "json":
        text = report.to_json(indent=2) + "\n"
    elif args.format == "csv":
        from ._csv import csv_text

        text = csv_text(report.to_frame(args.lang, labels=args.lang))
    else:
        text = report.to_text(args.lang)
    if args.out is None:
        sys.stdout.write(text)
    else:
        try:
            # a CSV file gets the byte-order mark Excel needs to read UTF-8
            with open(
                args.out, "w", encoding="utf-8-sig" if args.format == "csv" else "utf-8", newline=""
            ) as f:
                f.write(text)
        except OSError as e:
            raise Error(f"{args.out}: cannot write ({e.strerror})") from None
    return 0


_SUFFIX = {"docx": ".docx", "xlsx": ".xlsx", "csv": ".csv"}


def _binary_out(out: str | None, fmt: str) -> None:
    """--out is given and names a file of the format (checked before any work)."""
    suffix = _SUFFIX[fmt]
    if out is None:
        raise Error(f"--format {fmt}: pass the file to write with --out FILE{suffix}")
    if not out.lower().endswith(suffix):
        raise Error(f"--out: expected a {suffix} file name for --format {fmt}, got {out!r}")
    if os.path.isdir(out):
        raise Error(f"{out}: is a directory, not a file")


def _write_text(path: str, text: str) -> None:
    try:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    except OSError as e:
        raise Error(f"{path}: cannot write ({e.strerror})") from None


def _load_standard(name: str, plan: Plan) -> Standard:
    if name in {sid for sid, _ in plan.standards}:
        return plan.standard(name)  # the plan's own
    if name in builtin_standard_ids():
        return builtin_standard(name)
    if os.path.isfile(name):
        return load_standard(name)
    raise Error(
        f"unknown standard {name!r}: expected one of {', '.join(builtin_standard_ids())}, or a standard file"
    )


def _standard(args: argparse.Namespace) -> int:
    if args.format in ("xlsx", "csv"):
        _binary_out(args.out, args.format)
    plan: Plan = example_plan() if args.plan is None else load_plan(args.plan)
    standard = _load_standard(args.standard, plan)
    plan.add_standard_indicators(standard)
    observations = _read_observations(plan, args.observations, example=args.plan is None, lang=args.lang)
    result = evaluate_standard(standard, plan, observations, period=args.year, scope=args.scope)
    if args.format == "xlsx":
        from ._xlsx_out import standard_xlsx

        standard_xlsx(result, args.out, args.lang, plan=plan, standard=standard)
        print(translate(f"wrote {args.out}", args.lang), file=sys.stderr)
        return 0
    if args.format == "csv":
        from ._xlsx_out import standard_csv

        for path in standard_csv(result, args.out, args.lang, plan=plan, standard=standard):
            print(translate(f"wrote {path}", args.lang), file=sys.stderr)
        return 0
    if args.format == "html":
        from ._xlsx_out import standard_html

        page = standard_html(result, args.lang, plan=plan, standard=standard)
        if args.out is None:
            sys.stdout.write(page)
        else:
            _write_text(args.out, page)
        return 0
    if args.format == "json":
        out = {
            "standard": result.standard,
            "scope": result.scope,
            "year": args.year,
            "passed": result.passed,
            "reasons": [
                {
                    "code": r.code,
                    "unit": r.unit,
                    "indicator": r.indicator,
                    "zh": r.message_zh,
                    "en": r.message_en,
                }
                for r in result.reasons
            ],
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        en = args.lang == "en"
        verdict = ("PASS" if result.passed else "FAIL") if en else ("达标" if result.passed else "未达标")
        title = standard.title.en or standard.title.zh if en else standard.title.zh
        print(f"{title} ({standard.document['number']}) {result.scope} {args.year}: {verdict}")
        text = result.explain(args.lang)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


_COMMANDS = {
    "summary": _summary,
    "validate": _validate,
    "format": _format,
    "report": _report,
    "template": _template,
    "standard": _standard,
}


_PREFIX = {
    ("error", "en"): "error: ",
    ("error", "zh"): "错误：",
    ("warning", "en"): "warning: ",
    ("warning", "zh"): "警告：",
    ("notice", "en"): "notice: ",
    ("notice", "zh"): "提示：",
}


def _say(kind: str, message: str, lang: str) -> str:
    """One line of the command line's own: ``error: ...`` or ``错误：...`` (the message translated)."""
    lang = lang if lang in LANGS else "en"
    return _PREFIX[kind, lang] + translate(message, lang)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    # Chinese text on a terminal that cannot encode it is escaped rather than raising.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_in(argv) or default_lang()
    args = _parser(lang).parse_args(argv)
    lang = args.lang

    def fail(message: str) -> int:
        print(_say("error", message, lang), file=sys.stderr)
        return 1

    try:
        return _COMMANDS[args.command](args)
    except PlanError as e:
        for d in e.errors:
            print(_say("error", str(d), lang), file=sys.stderr)
        return 1
    except Error as e:
        return fail(str(e))
    except ModuleNotFoundError as e:
        extra = {"matplotlib": "plots", "openpyxl": "excel", "pandas": "excel", "docx": "docx"}.get(
            str(e.name), "test"
        )
        return fail(f"this command needs {e.name} (pip install 'planeval[{extra}]')")
    except BrokenPipeError:
        # the reader went away (planeval summary | head): not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as e:  # e.g. an output file in a folder that does not exist
        if e.filename is None:
            return fail(f"{e.strerror or e}")
        return fail(f"{e.filename}: {e.strerror}")
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # bad input must never end in a traceback
        return fail(f"unexpected {type(e).__name__}: {e} (a bug in planeval: please report it)")


if __name__ == "__main__":
    sys.exit(main())
