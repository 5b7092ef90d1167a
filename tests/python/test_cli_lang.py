"""The command line in Chinese and English: one --lang option (global, or after the command),
defaulting to PLANEVAL_LANG, else the locale; help, usage errors, error/warning/notice lines in that
language; bad input gives one error line and exit status 1, never a traceback."""

from __future__ import annotations

import argparse
import datetime
import re
from pathlib import Path

import pytest

import planeval
from planeval import __main__ as cli

D = datetime.date
LOCALE_VARS = ("PLANEVAL_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in an English locale without PLANEVAL_LANG."""
    for var in LOCALE_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("COLUMNS", "200")  # argparse wraps help to the terminal's width


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    try:
        status = cli.main([str(a) for a in args])
    except SystemExit as e:  # argparse: --help (0) and usage errors (2)
        status = int(e.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out
    return status, out, err


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_TW.Big5"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL first
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),  # then LC_MESSAGES
        ({"LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_SG"}, "zh"),  # empty variables are unset
        ({"PLANEVAL_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),  # PLANEVAL_LANG overrides
        ({"PLANEVAL_LANG": "zh", "LC_ALL": "C"}, "zh"),
        ({"PLANEVAL_LANG": "zh_CN", "LANG": "C"}, "zh"),
        ({"PLANEVAL_LANG": "fr", "LANG": "zh_CN.UTF-8"}, "zh"),  # not a language of planeval's: ignored
    ],
)
def test_default_language(env: dict[str, str], lang: str) -> None:
    assert cli.default_lang(env) == lang


def cjk(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def test_every_help_text_is_in_chinese() -> None:
    parser = cli._parser("zh")
    assert parser.description and cjk(parser.description)
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(subparsers) == 1
    commands = subparsers[0].choices
    assert sorted(commands) == ["format", "report", "standard", "summary", "template", "validate"]
    for choice in subparsers[0]._choices_actions:  # the one-line help of each command
        assert choice.help and cjk(choice.help), choice.dest
    for name, sub in commands.items():
        for action in sub._actions:
            assert action.help and cjk(action.help), (name, action.dest)
    en = cli._parser("en")
    for action in en._actions:
        assert action.help is None or not cjk(action.help)


def test_help_in_chinese_and_english(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--lang", "zh", "--help")
    assert status == 0
    assert out.startswith("用法：planeval [-h] [--lang {zh,en}] 命令 ...\n")
    assert "显示规划摘要和警告" in out and "用学校数据评估官方督导评估标准" in out
    status, out, _ = run(capsys, "report", "--help", "--lang", "zh")  # --lang after the command
    assert status == 0
    assert out.startswith("用法：planeval report ")
    assert "评估日期 YYYY-MM-DD（默认：最新数据期的期末）" in out
    assert "显示本帮助并退出" in out
    status, out, _ = run(capsys, "report", "--help")  # the English locale of the fixture
    assert out.startswith("usage: planeval report ")
    assert "evaluation date YYYY-MM-DD (default: the end of the latest data period)" in out


def test_help_follows_the_locale(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    status, out, _ = run(capsys, "validate", "--help")
    assert (status, out.startswith("用法：planeval validate")) == (0, True)
    monkeypatch.setenv("PLANEVAL_LANG", "en")
    status, out, _ = run(capsys, "validate", "--help")
    assert (status, out.startswith("usage: planeval validate")) == (0, True)


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (("validate",), "planeval validate：错误：缺少必需的参数：PLAN",
         "planeval validate: error: the following arguments are required: PLAN"),
        (("summary", "--lang", "fr"),
         "planeval summary：错误：参数 --lang：无效的取值：'fr'（可选：'zh', 'en'）",
         "planeval summary: error: argument --lang: invalid choice: 'fr' (choose from 'zh', 'en')"),
        (("standard", "x", "--observations", "d.csv", "--year", "abc"),
         "planeval standard：错误：参数 --year：无效的整数值：'abc'",
         "planeval standard: error: argument --year: invalid int value: 'abc'"),
        (("frobnicate",),
         "planeval：错误：参数 命令：无效的取值：'frobnicate'（可选：'summary', 'validate', "
         "'format', 'report', 'template', 'standard'）",
         "planeval: error: argument COMMAND: invalid choice: 'frobnicate' (choose from 'summary', "
         "'validate', 'format', 'report', 'template', 'standard')"),
        (("report", "--out"), "planeval report：错误：参数 --out：需要一个取值",
         "planeval report: error: argument --out: expected one argument"),
        (("report", "--bogus"), "planeval：错误：无法识别的参数：--bogus",
         "planeval: error: unrecognized arguments: --bogus"),
    ],
)  # fmt: skip
def test_usage_errors_in_both_languages(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    zh: str,
    en: str,
) -> None:
    status, _, err = run(capsys, *args)
    assert status == 2
    assert err.startswith("usage: planeval") and err.endswith(en + "\n")
    monkeypatch.setenv("PLANEVAL_LANG", "zh")
    status, _, err = run(capsys, *args)
    assert status == 2
    assert err.startswith("用法：planeval") and err.endswith(zh + "\n")


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    """A county plan: one rate from 80 (2020) to 90 (2025)."""
    p = planeval.Plan("cli-county", "某县规划", D(2021, 1, 1), D(2025, 12, 31))
    p.add_indicator(planeval.Indicator("enrolment", "毛入学率", "%", "rate"))
    p.add_entity(planeval.Entity("c", "某县", "county"))
    p.add_target(
        planeval.Target(
            "enrolment_90",
            "enrolment",
            "c",
            planeval.Goal(">=", 90.0, deadline=D(2025, 12, 31)),
            planeval.Source("2025年达到90%"),
            baseline=planeval.Point(D(2020, 12, 31), 80.0),
        )
    )
    path = tmp_path / "plan.json"
    p.save(path)
    return path


def test_the_option_before_or_after_the_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    for args in (("--lang", "zh", "validate", missing), ("validate", missing, "--lang", "zh")):
        assert run(capsys, *args) == (1, "", f"错误：{missing}: 无法打开规划文件\n")
    # given after the command it wins over the global one
    assert run(capsys, "--lang", "zh", "validate", missing, "--lang", "en") == (
        1,
        "",
        f"error: {missing}: cannot open the plan file\n",
    )


def test_the_output_follows_the_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, mini_file: Path
) -> None:
    status, out, _ = run(capsys, "summary", mini_file)
    assert status == 0 and out.startswith("Mini plan\nPlan id: mini\n")
    # the one warning of the small plan (t3 states no deadline), in Chinese; the path as it is
    assert out.endswith('warning: targets[2].goal.deadline: target "t3": the source states no deadline; '
                        "assumed to be the horizon end 2025-12-31\n")  # fmt: skip
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    status, out, _ = run(capsys, "summary", mini_file)
    assert status == 0 and "规划编号: mini" in out
    assert out.endswith(
        '警告：targets[2].goal.deadline: 目标 "t3"：原文未说明期限；按规划期末 2025-12-31 处理\n'
    )
    status, out, err = run(capsys, "validate", mini_file)
    assert (status, out) == (0, f"{mini_file}: 有效（3 个目标，1 条警告）\n")
    assert err.startswith("警告：targets[2].goal.deadline: 目标 ")


def test_the_notice_in_chinese(capsys: pytest.CaptureFixture[str], plan_file: Path, tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text(
        "indicator,entity,year,value\nenrolment,c,2021,82\nenrolment,c,2022,84.5\n", encoding="utf-8"
    )
    status, out, err = run(capsys, "report", "--plan", plan_file, "--observations", data, "--lang", "zh")
    assert status == 0 and out.startswith("规划评估报告")
    assert err == f"提示：评估日期为 2022-12-31（{data} 中最新数据期的期末）；可用 --as-of DATE 指定\n"
    status, out, err = run(capsys, "report", "--plan", plan_file, "--observations", data)
    assert err == (
        f"notice: evaluating as of 2022-12-31 (the end of the latest data period in {data}); "
        "pass --as-of DATE to choose\n"
    )


def test_an_error_in_each_language(
    capsys: pytest.CaptureFixture[str], plan_file: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data.csv"
    data.write_text("indicator,entity,year,value\nenrolment,c,2021,abc\n", encoding="utf-8")
    args = ("report", "--plan", plan_file, "--observations", data, "--as-of", "2022-12-31")
    assert run(capsys, *args) == (
        1,
        "",
        f'error: {data}: line 2, column value: expected a number, got "abc"\n',
    )
    assert run(capsys, *args, "--lang", "zh") == (
        1,
        "",
        f'错误：{data}: line 2, column value: 应为数字，实际为 "abc"\n',
    )
    # the CLI's own messages too
    assert run(capsys, "report", "--as-of", "2023-13-01", "--lang", "zh") == (
        1,
        "",
        "错误：--as-of: 应为日期 YYYY-MM-DD，实际为 '2023-13-01'\n",
    )
    assert run(capsys, "template", "--out", tmp_path / "t.txt", "--lang", "zh") == (
        1,
        "",
        f"错误：--out: 应为 .xlsx 文件名，实际为 '{tmp_path / 't.txt'}'\n",
    )


def bad_inputs(tmp: Path) -> dict[str, tuple[str, ...]]:
    """Bad input of every kind the brief names: each must give one error line and exit status 1."""
    empty = tmp / "empty.csv"
    empty.write_bytes(b"")
    binary = tmp / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    binary_xlsx = tmp / "binary.xlsx"
    binary_xlsx.write_bytes(bytes(range(256)) * 4)
    empty_xlsx = tmp / "empty.xlsx"
    empty_xlsx.write_bytes(b"")
    xls = tmp / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))  # an OLE2 header, as .xls files start
    folder = tmp / "folder.csv"
    folder.mkdir()
    bad_plan = tmp / "binary.json"
    bad_plan.write_bytes(bytes(range(256)))
    return {
        "empty_csv": ("report", "--observations", str(empty)),
        "binary_csv": ("report", "--observations", str(binary)),
        "binary_xlsx": ("report", "--observations", str(binary_xlsx)),
        "empty_xlsx": ("report", "--observations", str(empty_xlsx)),
        "xls": ("report", "--observations", str(xls)),
        "directory_data": ("report", "--observations", str(folder)),
        "directory_plan": ("validate", str(tmp)),
        "missing_plan": ("report", "--plan", str(tmp / "nope.json")),
        "binary_plan": ("summary", str(bad_plan)),
        "empty_plan": ("format", str(empty)),
        "standard_data": (
            "standard",
            "compulsory_quality_balance_2017",
            "--observations",
            str(binary),
            "--year",
            "1",
        ),
        "template_into_a_directory": ("template", "--out", str(folder / "x" / "t.xlsx")),
    }


CASES = [
    "empty_csv", "binary_csv", "binary_xlsx", "empty_xlsx", "xls", "directory_data", "directory_plan",
    "missing_plan", "binary_plan", "empty_plan", "standard_data", "template_into_a_directory",
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bad_input_is_one_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str, lang: str
) -> None:
    cases = bad_inputs(tmp_path)
    assert sorted(cases) == sorted(CASES)
    args = cases[case]
    status, _, err = run(capsys, *args, "--lang", lang)
    assert status == 1, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("错误：" if lang == "zh" else "error: ")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_gbk_data(capsys: pytest.CaptureFixture[str], plan_file: Path, tmp_path: Path, lang: str) -> None:
    # what Excel on Chinese Windows saves: GBK. Read correctly (the name is then an unknown indicator
    # of this plan) or refused with the encoding named: either way one line, exit status 1, no traceback.
    data = tmp_path / "gbk.csv"
    data.write_bytes("indicator,entity,year,value\n学前三年毛入园率,c,2021,88.5\n".encode("gbk"))
    status, _, err = run(capsys, "report", "--plan", plan_file, "--observations", data, "--lang", lang)
    assert status in (0, 1)
    if status == 1:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("错误：" if lang == "zh" else "error: "), err
        assert ("GBK" in err) or ("学前三年毛入园率" in err)


def test_an_unexpected_exception_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(args: argparse.Namespace) -> int:
        raise RuntimeError("boom")

    monkeypatch.setitem(cli._COMMANDS, "summary", broken)
    assert run(capsys, "summary") == (
        1,
        "",
        "error: unexpected RuntimeError: boom (a bug in planeval: please report it)\n",
    )
    assert run(capsys, "summary", "--lang", "zh") == (
        1,
        "",
        "错误：意外的 RuntimeError：boom（这是 planeval 的缺陷，请报告）\n",
    )


def test_a_gbk_file_read_with_its_note(
    capsys: pytest.CaptureFixture[str], plan_file: Path, tmp_path: Path
) -> None:
    # a school new to the plan, named in Chinese, in a file saved as GBK: read (GB18030), and the
    # reader's note says so on stderr, in the chosen language
    data = tmp_path / "gbk.csv"
    text = "indicator,entity,year,value,parent,entity_name\nenrolment,s1,2021,85,c,第一小学\n"
    data.write_bytes(text.encode("gbk"))
    args = (
        "report",
        "--plan",
        plan_file,
        "--observations",
        data,
        "--as-of",
        "2021-12-31",
        "--format",
        "json",
    )
    status, out, err = run(capsys, *args)
    assert status == 0 and '"rows": {' in out
    assert err == (
        f"notice: {data}: the file is not UTF-8; it was read as GB18030 (GBK), what Excel on Chinese Windows "
        "writes: check that names read right, and save it as UTF-8 to be sure\n"
    )
    status, out, err = run(capsys, *args, "--lang", "zh")
    assert status == 0
    assert (
        err == f"提示：{data}：文件不是 UTF-8 编码，已按 GB18030（GBK） 读取："
        "请核对名称是否正确，建议另存为 UTF-8\n"
    )
