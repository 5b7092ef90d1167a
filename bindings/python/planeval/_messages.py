"""planeval's error and warning messages in Chinese: :func:`translate` and :func:`rejection_text`.

The C++ core and the Python layer word their messages in English ("data.csv: line 5, column value:
expected a number, got "abc""). :func:`translate` turns the ones met in practice into Chinese for
the command line and for notebooks, keeping the place (the file, ``sheet!cell``, ``line M, column
X``, ``row N, column X``, the JSON path) and every quoted value exactly as they were: only the words
are translated. A message it does not know comes back unchanged, never an exception.

Design notes: the catalogue is one ordered table of (compiled regex, Chinese template) pairs over the
body of a message, the text after its place. The place is whatever comes before the body
(``_PLACE``, the shortest prefix ending in ": " for which the body matches), copied as it is; the
body patterns are anchored at both ends, so a message matches a rule only as a whole. Values the
templates quote (``{q}``) are copied too; a few captured parts that are themselves messages (an
encoding hint, the "got ..." of a JSON value) are converted again (``_CONVERT``). The first rule that
matches wins: specific rules come before the generic "expected X, got Y".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Protocol

from ._errors import LANGS, check_lang

__all__ = ["LANGS", "rejection_text", "translate"]



class _RejectionLike(Protocol):  # planeval.Rejection, or anything with its fields
    @property
    def row(self) -> int: ...
    @property
    def column(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def message(self) -> str: ...


# --- parts of messages -----------------------------------------------------------------------

# What an "expected ..." names, English -> Chinese (the generic rule uses these exact phrases).
_EXPECTED: dict[str, str] = {
    "a number": "数字",
    "a string": "字符串",
    "an object": "对象（{...}）",
    "an array": "数组（[...]）",
    "a date (YYYY-MM-DD, YYYY-MM or YYYY)": "日期（YYYY-MM-DD、YYYY-MM 或 YYYY）",
    'a period ("YYYY" or school year "YYYY/YYYY")': '时期（"YYYY"，或学年 "YYYY/YYYY"）',
    'a period ("YYYY", school year "YYYY/YYYY" or {"start", "end"})': (
        '时期（"YYYY"、学年 "YYYY/YYYY" 或 {"start", "end"}）'
    ),
    "a year (YYYY)": "年份（YYYY）",
    "a date": "日期",
    "true or false": "true 或 false",
    "a finite number": "有限数值",
    "a finite weight >= 0": "不小于 0 的有限权重",
    "a non-empty string": "非空字符串",
    "a non-empty id": "非空编号",
    "an id": "编号",
    "a value": "值",
    "a goal value": "目标值",
    "a number of students >= 0": "不小于 0 的学生数",
    "an indicator id (a string)": "指标编号（字符串）",
    "an entity id (a string)": "单位编号（字符串）",
    "an indicator id": "指标编号",
    "an entity id": "单位编号",
    "finite numbers": "有限数值",
    "a count >= 0": "不小于 0 的计数",
}

# Words in "got ..." that are descriptions rather than quoted input.
_GOT: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"the number (?P<x>\S+)"), "数字 {x}"),
    (re.compile(r"an array"), "一个数组"),
    (re.compile(r"an object"), "一个对象"),
    (re.compile(r"a missing value"), "缺失值"),
    (re.compile(r"NaT \(a missing date\)"), "NaT（缺失的日期）"),
    (
        re.compile(r"text that is not valid Unicode \((?P<bad>.*) at character (?P<n>\d+)\)"),
        "不是有效 Unicode 的文本（第 {n} 个字符 {bad}）",
    ),
    (
        re.compile(r"null \(omit the key for comparators without a value\)"),
        "null（不需要值的比较符请省略该键）",
    ),
]

_HINTS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"the text is not UTF-8 \(GBK/GB18030, as Chinese Windows and Excel write by default\?\): "
            r"save it as UTF-8"
        ),
        "文本不是 UTF-8 编码（可能是中文 Windows 和 Excel 默认的 GBK/GB18030）：请另存为 UTF-8（Excel："
        "“CSV UTF-8”）",
    ),
    (
        re.compile(r'the file looks UTF-16 encoded \(what Windows calls "Unicode"\): save it as UTF-8'),
        "文件似乎是 UTF-16 编码（Windows 所说的“Unicode”）：请另存为 UTF-8",
    ),
]

_WHY_AS_OF: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"the end of the latest data period in (?P<f>.*)"), "{f} 中最新数据期的期末"),
    (
        re.compile(r"the end of the latest period of the figures recorded in the plan"),
        "规划中记载数据的最新期末",
    ),
    (
        re.compile(r"the latest baseline date in the plan, which records no other figure"),
        "规划中最晚的基期日期（规划未记载其他数据）",
    ),
    (
        re.compile(r"today: there are no data and the plan records no figure"),
        "今天：没有数据，规划也未记载数据",
    ),
]

_FULL_WIDTH = {
    "a full-width comma": "全角逗号",
    "a full-width colon": "全角冒号",
    "a Chinese opening quote": "中文左引号",
    "a Chinese closing quote": "中文右引号",
    "a Chinese single quote": "中文单引号",
    "a full-width brace": "全角花括号",
    "a full-width bracket": "全角方括号",
}

_KIND = {"indicator": "指标", "entity": "单位"}


def _sub(table: list[tuple[re.Pattern[str], str]], text: str) -> str:
    for pattern, template in table:
        m = pattern.fullmatch(text)
        if m is not None:
            return template.format(**m.groupdict())
    return text


def _got(text: str) -> str:
    return _sub(_GOT, text)


def _hint(text: str) -> str:
    return _sub(_HINTS, text)


# --- the catalogue: body patterns (anchored), Chinese templates ---------------------------------

# Group names with a conversion applied before formatting; every other group is copied as it is.
_CONVERT: dict[str, Callable[[str], str]] = {
    "got": _got,
    "hint": _hint,
    "kind": lambda s: _KIND.get(s, s),
    "what": lambda s: _EXPECTED.get(s, s),
    "name": lambda s: _FULL_WIDTH.get(s, s),
    "why_as_of": lambda s: _sub(_WHY_AS_OF, s),
    "type": lambda s: {"int": "整数", "float": "数值"}.get(s, s + " "),
}

_Q = r'(?P<q>".*")'  # a quoted input (quote_input: "..." with escapes, maybe "… (N more bytes)")
_EXPECTED_ALTERNATION = "|".join(re.escape(k) for k in sorted(_EXPECTED, key=len, reverse=True))

_RULES_TEXT: list[tuple[str, str]] = [
    # -- the first of several errors (str(PlanError)): the rest are in PlanError.errors --
    (r"(?P<inner>.*) \(and (?P<n>\d+) more errors?\)", "{inner}（另有 {n} 个错误）"),
    # -- the command line's usage errors (argparse's own words), first: "argument X: ..." wraps others --
    (r"argument (?P<arg>[^:]+): (?P<inner>.*)", "参数 {arg}：{inner}"),
    (r"the following arguments are required: (?P<x>.*)", "缺少必需的参数：{x}"),
    (r"invalid choice: (?P<v>.*) \(choose from (?P<c>.*)\)", "无效的取值：{v}（可选：{c}）"),
    (r"invalid (?P<type>\w+) value: (?P<v>.*)", "无效的{type}值：{v}"),
    (r"unrecognized arguments: (?P<x>.*)", "无法识别的参数：{x}"),
    (r"expected one argument", "需要一个取值"),
    (r"expected at least one argument", "至少需要一个取值"),
    (r"expected at most one argument", "最多只能有一个取值"),
    (r"expected (?P<n>\d+) arguments?", "需要 {n} 个取值"),
    (r"ambiguous option: (?P<o>\S+) could match (?P<m>.*)", "有歧义的选项：{o} 可以匹配 {m}"),
    (r"one of the arguments (?P<x>.*) is required", "必须给出参数 {x} 之一"),
    (r"not allowed with argument (?P<x>.*)", "不能与参数 {x} 同时使用"),
    (r"ignored explicit argument (?P<x>.*)", "忽略了显式给出的取值 {x}"),
    # -- rows of data (rejection_reason; observations.cpp, register_observations.cpp) --
    (
        r"expected an? (?P<kind>indicator|entity) index below (?P<n>\d+), got (?P<x>\d+)",
        "{kind}序号应小于 {n}，实际为 {x}",
    ),
    (
        r"the period starts \((?P<a>[^)]*)\) after it ends \((?P<b>[^)]*)\)",
        "时期的开始（{a}）晚于结束（{b}）",
    ),
    (
        r"expected a date within (?P<a>\S+)\.\.(?P<b>\S+) \(up to the end of the plan horizon\), got "
        r"(?P<x>.*)",
        "日期应在 {a}..{b} 之内（不晚于规划期末），实际为 {x}",
    ),
    (
        r"expected a date within (?P<a>\S+)\.\.(?P<b>\S+) \(the plan horizon and its baseline year\), got "
        r"(?P<x>.*)",
        "日期应在规划期及其基期年内（{a}..{b}），实际为 {x}",
    ),
    (
        r"expected a finite number, got (?P<x>.*) \(mark a value not reported as missing\)",
        "应为有限数值，实际为 {x}（未报告的值请标为缺失，缺失不是零）",
    ),
    (r"expected a count >= 0 for " + _Q + r", got (?P<x>.*)", "{q} 是计数，应不小于 0，实际为 {x}"),
    (
        r"expected a percentage from 0 to 100 for " + _Q + r", got (?P<x>.*)",
        "{q} 是百分比，应在 0 到 100 之间，实际为 {x}",
    ),
    (
        r"expected 0 or 1 \(false or true\) for boolean " + _Q + r", got (?P<x>.*)",
        "{q} 是是非指标，应为 0 或 1（false 或 true），实际为 {x}",
    ),
    (
        r"expected true or false for boolean " + _Q + r", got (?P<x>.*)",
        "{q} 是是非指标，应为 true 或 false（是/否），实际为 {x}",
    ),
    (
        r"the same indicator, entity and period as (?P<rows>.*?) with a different value \((?P<x>[^)]*)\)",
        "与 {rows} 的指标、单位和时期相同，但值不同（{x}）",
    ),
    (
        r"entity " + _Q + r" is new and its parent (?P<p>\".*\") is unknown",
        "单位 {q} 是新单位，但其上级 {p} 未知",
    ),
    (
        r"indicator name " + _Q + r" is shared by (?P<n>\d+) indicators \((?P<ids>.*)\): use the id",
        "指标名称 {q} 为 {n} 个指标共用（{ids}）：请填指标编号",
    ),
    (
        r"entity name " + _Q + r" is shared by (?P<n>\d+) entities \((?P<ids>.*)\): use the id",
        "单位名称 {q} 为 {n} 个单位共用（{ids}）：请填单位编号",
    ),
    (
        r"unknown entity " + _Q + r' \(give its parent in column "parent" to add it\)',
        '未知单位 {q}（在 "parent" 列给出其上级即可添加）',
    ),
    (
        r"unknown entity " + _Q + r' \(add a "parent" column to add new entities\)',
        '未知单位 {q}（增加 "parent" 列即可添加新单位）',
    ),
    (r"expected a year from (?P<a>\d+) to (?P<b>\d+), got (?P<x>.*)", "年份应在 {a} 到 {b} 之间，实际为 {x}"),
    (r"the date is outside the supported range", "日期超出支持的范围"),
    (
        r"expected the school's id in the first column for a row with values \(letters or digits of any "
        r"script, '_', '\.', '-', starting with a letter or digit; the school's name will do\)",
        "有数值的行须在第一列填写学校编号"
        "（任意文字的字母或数字及 '_'、'.'、'-'，以字母或数字开头；可用校名）",
    ),
    (
        r"(?P<inner>.*) \(a formula without a saved result: open and save the workbook in Excel, WPS or "
        r"LibreOffice\)",
        "{inner}（公式没有保存的计算结果：请用 Excel、WPS 或 LibreOffice 打开并保存该工作簿）",
    ),
    # -- CSV files --
    (
        r"column "
        + _Q
        + r" appears twice \(columns (?P<a>\d+) and (?P<b>\d+)\): which one holds the data is ambiguous",
        "列 {q} 出现了两次（第 {a} 列和第 {b} 列）：无法确定哪一列是数据",
    ),
    (r"missing column (?P<q>\"[^\"]*\") \(columns are: (?P<cols>.*)\)", "缺少列 {q}（现有的列：{cols}）"),
    (
        r'expected exactly one of the columns "date", "period" or "year" \(columns are: (?P<cols>.*)\)',
        '"date"、"period"、"year" 三列中应有且只有一列（现有的列：{cols}）',
    ),
    (r"columns have different lengths", "各列的长度不同"),
    (r"observation columns have different lengths", "观测数据各列的长度不同"),
    (r"unbalanced quotes", "引号不成对"),
    (r"empty file \(expected a header row\)", "空文件（应有表头行）"),
    (r"cannot open the data file", "无法打开数据文件"),
    (r"cannot read the data file", "无法读取数据文件"),
    (
        r"(?P<line>line \d+) has (?P<k>\d+) cells, expected (?P<j>\d+) \(one per header column\)",
        "{line} 有 {k} 个单元格，应为 {j} 个（与表头的列数相同）",
    ),
    (r"not valid UTF-8 \((?P<x>.*)\); (?P<hint>.*)", "不是有效的 UTF-8（{x}）；{hint}"),
    (r"not valid UTF-8; (?P<hint>.*)", "不是有效的 UTF-8；{hint}"),
    (
        r"the file is not UTF-8; it was read as GB18030 \(GBK\), what Excel on Chinese Windows writes: "
        r"check that names read right, and save it as UTF-8 to be sure",
        "文件不是 UTF-8 编码，已按 GB18030（GBK，中文 Windows 上 Excel 的默认编码）读取：请核对名称是否正确，"
        "建议另存为 UTF-8",
    ),
    # -- plan and standard files (JSON) --
    (r"cannot open the plan file", "无法打开规划文件"),
    (r'unknown key (?P<q>"[^"]*"); expected one of: (?P<list>.*)', "未知的键 {q}；应为以下之一：{list}"),
    (r'missing required key (?P<q>"[^"]*")', "缺少必需的键 {q}"),
    (r"cannot read the plan file", "无法读取规划文件"),
    (r"cannot open for writing", "无法打开以写入"),
    (
        r'malformed JSON: found "(?P<c>[^"]*)" \((?P<name>[^)]*)\), expected "(?P<a>[^"]*)" '
        r"\(JSON's punctuation is ASCII outside strings\)",
        'JSON 格式错误：此处是 "{c}"（{name}），应为 "{a}"（字符串之外的 JSON 标点须为半角 ASCII）',
    ),
    (
        r"malformed JSON: the text ends before the JSON value does \(incomplete JSON\)",
        "JSON 格式错误：文本在 JSON 值结束之前就结束了（JSON 不完整）",
    ),
    (
        r"malformed JSON: unexpected text after the end of the JSON value",
        "JSON 格式错误：JSON 值结束后还有多余的文本",
    ),
    (r"malformed JSON: (?P<why>.*)", "JSON 格式错误：{why}"),
    (r"not UTF-8 text: (?P<hint>.*)", "不是 UTF-8 文本：{hint}"),
    (r"not valid UTF-8 at this byte: (?P<hint>.*)", "此字节处不是有效的 UTF-8：{hint}"),
    (
        r"duplicate key "
        + r'(?P<q>"[^"]*")(?: in (?P<path>\S+))?: a second value would silently replace the first',
        "重复的键 {q}{path_in}：第二个值会悄悄覆盖第一个",
    ),
    (
        r"unknown domain " + _Q + r" \(declare it in the plan's domains\[\] with its zh/en name\)",
        "未知领域 {q}（请在规划的 domains[] 中声明它及其中英文名称）",
    ),
    (
        r"unknown standard " + _Q + r"; expected a standard of the plan's standards\[\] or a built-in one "
        r"\((?P<ids>.*)\)",
        "未知评估标准 {q}；应为规划 standards[] 中的标准或内置标准（{ids}）",
    ),
    (
        r"unknown standard " + _Q + r"; the built-in standards are: (?P<ids>.*)",
        "未知评估标准 {q}；内置标准有：{ids}",
    ),
    (
        r"these observations were checked against plan (?P<a>\"[^\"]*\") \((?P<i>\d+) indicators, (?P<e>\d+) "
        r"entities\), but this is plan (?P<b>\"[^\"]*\"); their indices would name other indicators and "
        r"entities: "
        r"read them again with this plan",
        "这些观测数据是按规划 {a}（{i} 个指标、{e} 个单位）读入的，而当前是规划 {b}；"
        "其序号会指向其他指标和单位：请用当前规划重新读取",
    ),
    (
        r"these observations were checked against plan (?P<a>\"[^\"]*\") \((?P<i>\d+) indicators, (?P<e>\d+) "
        r"entities\), but the plan (?P<b>\"[^\"]*\") has changed since \(its indicators or entities "
        r"differ\); their "
        r"indices would name other indicators and entities: read them again with this plan",
        "这些观测数据是按规划 {a}（{i} 个指标、{e} 个单位）读入的，而规划 {b} 此后已改变（指标或单位不同）；"
        "其序号会指向其他指标和单位：请用当前规划重新读取",
    ),
    (
        r"the plan is being read by (?P<op>\S+) in another thread; change it only when no call reading it "
        r"is running",
        "另一线程中的 {op} 正在读取该规划；请在没有读取它的调用运行时再修改",
    ),
    (
        r'target (?P<q>"[^"]*"): the source states no deadline; assumed to be the horizon end (?P<d>\S+)',
        "目标 {q}：原文未说明期限；按规划期末 {d} 处理",
    ),
    (
        r'target (?P<q>"[^"]*"): deadline (?P<d>\S+) is after the plan horizon ends \((?P<e>\S+)\)',
        "目标 {q}：期限 {d} 晚于规划期末（{e}）",
    ),
    (
        r'target (?P<q>"[^"]*"): the goal \((?P<g>[^)]*)\) is already met at the baseline \((?P<v>.*) on '
        r"(?P<d>\S+)\)",
        "目标 {q}：目标（{g}）在基期已经达到（{d} 为 {v}）",
    ),
    (
        r'target (?P<a>"[^"]*") and target (?P<b>"[^"]*") \((?P<path>targets\[\d+\])\) set (?P<same>the '
        r"same goal|"
        r'different goals) for indicator (?P<i>"[^"]*") at (?P<e>"[^"]*") by (?P<d>\S+): (?P<ga>.*) vs '
        r"(?P<gb>.*) "
        r'\((?:recorded as conflict (?P<c>"[^"]*")|(?P<nc>not recorded as a conflict))\)',
        "目标 {a} 与目标 {b}（{path}）对指标 {i} 在 {e} 到 {d} 设定了{same_zh}：{ga} 与 "
        "{gb}（{conflict_zh}）",
    ),
    (
        r"expected an end on or after the start (?P<a>\S+), got (?P<b>\S+)",
        "结束日期应不早于开始日期 {a}，实际为 {b}",
    ),
    (
        r"expected a deadline within the plan horizon (?P<r>.*), got (?P<d>\S+)",
        "期限应在规划期 {r} 内，实际为 {d}",
    ),
    (
        r"expected an id \(letters or digits of any script, '_', '\.', '-'; starting with a letter or digit; "
        r"no spaces; at most 128 bytes\), got (?P<got>.*)",
        "编号应由任意文字的字母或数字及 '_'、'.'、'-' 组成，以字母或数字开头，不含空格，"
        "最多 128 字节，实际为 {got}",
    ),
    (r"expected non-empty Chinese text", "应为非空的中文文本"),
    (r"expected a non-empty unit \(人, %, 所, 元, \.\.\.\)", "应为非空的单位（人、%、所、元……）"),
    (r'expected "planeval-plan", got (?P<got>.*)', '应为 "planeval-plan"，实际为 {got}'),
    (
        r"expected 1 \(the only version this planeval reads\), got (?P<got>.*)",
        "应为 1（本版 planeval 只读取该版本），实际为 {got}",
    ),
    (r"expected an id, a title and a horizon", "应有编号（id）、标题（title）和规划期（horizon）"),
    # -- the Excel data-entry workbook (_excel.py) --
    (r'expected "zh" or "en", got (?P<x>.*)', '应为 "zh" 或 "en"，实际为 {x}'),
    (r'expected "raise" or "collect", got (?P<x>.*)', '应为 "raise" 或 "collect"，实际为 {x}'),
    (r"expected at least one year", "应至少有一个年份"),
    (
        r"(?P<y>\d+) is outside the years data may cover, (?P<a>\d+)–(?P<b>\d+) \(up to the end of the plan "
        r"horizon\): its values would be rejected",
        "{y} 年在数据可涵盖的年份 {a}–{b}（至规划期末）之外：该年的数值会被拒收",
    ),
    (
        r"expected stage names \((?P<list>.*)\) or (?P<d>'[^']*'), got (?P<x>.*)",
        "应为学段名称（{list}）或 {d}，实际为 {x}",
    ),
    (r"unknown indicator (?P<q>'.*') \(not in plan (?P<p>'.*')\)", "未知指标 {q}（规划 {p} 中没有）"),
    (
        r"no indicator of plan (?P<p>'.*') concerns (?P<s>.*): nothing to fill",
        "规划 {p} 没有涉及{s}的指标：无可填写",
    ),
    (
        r"plan (?P<p>'.*') has no indicator without a stage: nothing to fill",
        "规划 {p} 没有不分学段的指标：无可填写",
    ),
    (
        r"no indicator to fill in \(shares cannot be entered as one number\)",
        "没有可填写的指标（比例结构指标不能作为一个数字填写）",
    ),
    (r"cannot write \((?P<why>.*)\)", "无法写入（{why}）"),
    (
        r"cannot read the row: expected an \.xlsx file as Excel, WPS or LibreOffice save it \((?P<why>.*)\)",
        "无法读取该行：应为 Excel、WPS 或 LibreOffice 保存的 .xlsx 文件（{why}）",
    ),
    (
        r"cannot read the cell: expected a cell reference from A1 to XFD1048576, got (?P<x>.*) "
        r"\((?P<why>.*)\)",
        "无法读取该单元格：单元格引用应在 A1 到 XFD1048576 之间，实际为 {x}（{why}）",
    ),
    (
        r"cannot read the cell: expected (?P<what>.*) in a cell of type (?P<t>'.'), got (?P<x>.*) "
        r"\((?P<why>.*)\)",
        "无法读取该单元格：类型为 {t} 的单元格应为{what}，实际为 {x}（{why}）",
    ),
    (
        r"cannot read the formulas of sheets (?P<s>.*): expected an \.xlsx file as Excel, WPS or "
        r"LibreOffice save it "
        r"\((?P<why>.*)\)",
        "无法读取工作表 {s} 的公式：应为 Excel、WPS 或 LibreOffice 保存的 .xlsx 文件（{why}）",
    ),
    (
        r"the hidden sheet (?P<m>.*) is not a planeval template's \(expected format (?P<f>\"[^\"]*\"), got "
        r"(?P<g>\"[^\"]*\")\)",
        "隐藏工作表 {m} 不是 planeval 模板的（格式应为 {f}，实际为 {g}）",
    ),
    (
        r"template version (?P<v>\d+) was made by a newer planeval \(this one reads version (?P<w>\d+)\)",
        "模板版本 {v} 由更新版本的 planeval 生成（本版读取版本 {w}）",
    ),
    (
        r"this workbook is a template of plan (?P<a>\"[^\"]*\")(?P<t> \(.*\))?, not of plan "
        r"(?P<b>\"[^\"]*\"): read it "
        r"with that plan, or make a template of this plan with planeval\.excel_template\(\)",
        "该工作簿是规划 {a}{t_zh} 的模板，不是规划 {b} 的：请用那个规划读取，或用 planeval.excel_template() "
        "生成本规划的模板",
    ),
    (
        r"expected the code entity\|<stage> with a stage of (?P<list>.*), got (?P<x>.*)",
        "应为代码 entity|<学段>，学段为 {list} 之一，实际为 {x}",
    ),
    (
        r'expected a code "indicator_id\|year" \(or (?P<codes>.*)\) in the machine row, got (?P<x>.*)',
        '机器行中应为代码 "indicator_id|year"（或 {codes}），实际为 {x}',
    ),
    (
        r'unknown indicator (?P<q>"[^"]*") in the machine row \(codes are "indicator_id\|year" with an '
        r"indicator of "
        r"plan (?P<p>'.*')\)",
        '机器行中有未知指标 {q}（代码为 "indicator_id|year"，指标须是规划 {p} 的）',
    ),
    (
        r'expected a year \(YYYY\) or school year \(YYYY/YYYY\) after "\|" in the machine row, got (?P<x>.*)',
        '机器行中 "|" 之后应为年份（YYYY）或学年（YYYY/YYYY），实际为 {x}',
    ),
    (
        r"schools with values of student-weighted indicators lack their students \((?P<cells>.*)\) while "
        r"others have "
        r"them: their values are weighted 1",
        "部分学校填了按学生数加权的指标却没有学生数（{cells}），而其他学校有：这些学校的数值按权重 1 计",
    ),
    (
        r"columns (?P<cols>.*) have values on the whole-stage row and on school rows; a roll-up above the "
        r"schools "
        r"combines both \(a sum counts them twice\)",
        "列 {cols} 在学段合计行和学校行上都有数值；学校以上的汇总会把两者合并（求和会重复计算）",
    ),
    (r"duplicate column (?P<q>\"[^\"]*\")", "重复的列 {q}"),
    (
        r"sheet (?P<a>.*) has a column (?P<q>\"[^\"]*\") and sheet (?P<b>.*) does not: read them one at a "
        r"time with "
        r"sheet=",
        "工作表 {a} 有列 {q}，而工作表 {b} 没有：请用 sheet= 逐个读取",
    ),
    (r"cannot open the workbook \(no such file\)", "无法打开工作簿（文件不存在）"),
    (
        r"cannot read the workbook: expected an Excel \.xlsx file \((?P<why>.*)\)",
        "无法读取工作簿：应为 Excel .xlsx 文件（{why}）",
    ),
    (r"cannot read the workbook \((?P<why>.*)\)", "无法读取工作簿（{why}）"),
    (r"cannot open the workbook \((?P<why>.*)\)", "无法打开工作簿（{why}）"),
    (r"cannot open \((?P<why>.*)\)", "无法打开（{why}）"),
    (
        r"an Excel 97–2003 \.xls workbook: save it as \.xlsx \(文件 → 另存为 → Excel 工作簿; File → Save "
        r"As → Excel "
        r"Workbook\)",
        "Excel 97–2003 的 .xls 工作簿：请另存为 .xlsx（文件 → 另存为 → Excel 工作簿）",
    ),
    (
        r"a text \(CSV\) file named (?P<ext>.*): expected an Excel \.xlsx file; rename it \.csv and read "
        r"it with "
        r"planeval\.read_csv \(这是 CSV 文本文件，不是 Excel 工作簿：请把扩展名改为 \.csv\)",
        "这是 CSV 文本文件（扩展名为 {ext}），不是 Excel 工作簿：请把扩展名改为 .csv，用 planeval.read_csv "
        "读取",
    ),
    (
        r"byte (?P<n>\d+): the text is not UTF-8: save it as UTF-8 \(Excel: CSV UTF-8\), or read the file "
        r"on its "
        r"own with planeval\.read_csv",
        "第 {n} 字节：文本不是 UTF-8 编码：请另存为 UTF-8（Excel：“CSV UTF-8”），或单独用 "
        "planeval.read_csv 读取",
    ),
    (r"an empty file: expected a header row", "空文件：应有表头行"),
    (
        r'(?P<a>.*) has a "date" column and (?P<b>.*) a year or period: read them apart or give both a '
        r"period "
        r"column",
        '{a} 有 "date" 列而 {b} 是年份或时期：请分开读取，或都用 period 列',
    ),
    (
        r'(?P<a>.*) has weights \(a template, or a "weight" column\) and (?P<b>.*) has none: add a weight '
        r"column "
        r"to (?P<c>.*)",
        '{a} 有权重（模板，或 "weight" 列）而 {b} 没有：请给 {c} 增加 weight 列',
    ),
    (r"expected a file or a list of files, got an empty list", "应为一个文件或文件列表，实际为空列表"),
    (r"expected standard ids, got (?P<x>.*)", "应为评估标准编号，实际为 {x}"),
    (
        r"the template collects the indicators of standard (?P<s>'.*'), which plan (?P<p>'.*') does not "
        r"have and "
        r"planeval does not know \((?P<why>.*)\)",
        "模板收集评估标准 {s} 的指标，但规划 {p} 中没有该标准，planeval 也不认识它（{why}）",
    ),
    (r"no sheet (?P<s>.*) \(sheets: (?P<list>.*)\)", "没有工作表 {s}（现有工作表：{list}）"),
    (
        r"sheet (?P<s>.*) is neither a template sheet \(machine row entity\|\.\.\.\) nor a tidy sheet \(a "
        r"header with "
        r"indicator, entity, value and period, date or year\)",
        "工作表 {s} 既不是模板工作表（机器行 entity|...），"
        "也不是整齐表（表头有 indicator、entity、value 以及 period、date 或 year）",
    ),
    (
        r"a template without data sheets \(no sheet has the machine row\)(?P<why>.*)",
        "模板中没有数据工作表（没有工作表含机器行）{why}",
    ),
    (
        r"no sheet to read: expected a planeval template \(excel_template\) or a tidy sheet whose first row "
        r"has the "
        r"columns indicator, entity, value and period, date or year \(sheets: (?P<list>.*)\)",
        "没有可读取的工作表：应为 planeval 模板（excel_template）或首行有 indicator、entity、value 以及 "
        "period、date 或 year 列的整齐表（现有工作表：{list}）",
    ),
    (
        r"planeval's Excel functions need openpyxl: pip install openpyxl \(or planeval\[excel\]\)",
        "planeval 的 Excel 功能需要 openpyxl：pip install openpyxl（或 planeval[excel]）",
    ),
    # -- the command line (__main__.py) --
    (r"no such file", "文件不存在"),
    (r"is a directory, not a file", "是文件夹，不是文件"),
    (
        r"indicator (?P<q>'.*') is not in the embedded example plan \((?P<k>\d+) of (?P<n>\d+) indicators "
        r"are not\); "
        r"pass the plan the data belong to with --plan PLAN\.json",
        "指标 {q} 不在内置示例规划中（{n} 个指标中有 {k} 个不在）；请用 --plan PLAN.json 指定数据所属的规划",
    ),
    (
        r"(?P<inner>.*) \[the embedded example plan was used: pass the plan the data belong to with --plan "
        r"PLAN\.json\]",
        "{inner}［使用的是内置示例规划：请用 --plan PLAN.json 指定数据所属的规划］",
    ),
    (r"expected a \.csv or \.xlsx file", "应为 .csv 或 .xlsx 文件"),
    (
        r"expected a \.csv or \.xlsx file; \.xls \(Excel 97-2003\) is not read: save it as \.xlsx",
        "应为 .csv 或 .xlsx 文件；不读取 .xls（Excel 97-2003）：请另存为 .xlsx",
    ),
    (
        r"expected e\.g\. 2021-2023 or 2021,2023, got (?P<x>.*)",
        "应为如 2021-2023 或 2021,2023 的年份，实际为 {x}",
    ),
    (r"expected a \.xlsx file name, got (?P<x>.*)", "应为 .xlsx 文件名，实际为 {x}"),
    (r"expected a date YYYY-MM-DD, got (?P<x>.*)", "应为日期 YYYY-MM-DD，实际为 {x}"),
    (
        r"unknown standard (?P<q>'.*'): expected one of (?P<ids>.*), or a standard file",
        "未知评估标准 {q}：应为 {ids} 之一，或一个标准文件",
    ),
    (r"this command needs (?P<m>\S+) \(pip install (?P<x>'.*')\)", "该命令需要 {m}（pip install {x}）"),
    (
        r"evaluating as of (?P<d>\S+) \((?P<why_as_of>.*)\); pass --as-of DATE to choose",
        "评估日期为 {d}（{why_as_of}）；可用 --as-of DATE 指定",
    ),
    (r"wrote (?P<f>.*)", "已写入 {f}"),
    (r"valid \((?P<n>\d+) targets, (?P<m>\d+) warnings\)", "有效（{n} 个目标，{m} 条警告）"),
    (r"cannot read the file \((?P<why>.*)\)", "无法读取文件（{why}）"),
    (
        r"unexpected (?P<t>\w+): (?P<x>.*) \(a bug in planeval: please report it\)",
        "意外的 {t}：{x}（这是 planeval 的缺陷，请报告）",
    ),
    # -- generic forms, last --
    # an encoding hint alone (a CSV file in UTF-16); after the rules that quote a hint
    *((h.pattern, t) for h, t in _HINTS),
    (r"unknown target, observation or note " + _Q, "未知的目标、观测或备注 {q}"),
    (r"unknown (?P<kind>indicator|entity) " + _Q, "未知{kind} {q}（规划中没有）"),
    (r"unknown (?P<k2>target|phase) " + _Q, "未知{k2_zh} {q}（规划中没有）"),
    (r"expected one of (?P<list>.*), got (?P<x>.*)", "应为以下之一：{list}；实际为 {x}"),
    (r"expected (?P<what>" + _EXPECTED_ALTERNATION + r"), got (?P<got>.*)", "应为{what}，实际为 {got}"),
    (r"expected (?P<what>" + _EXPECTED_ALTERNATION + r")", "应为{what}"),
]

_PLACE = r"(?P<place>.*?: )??"
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(_PLACE + body, re.S), zh) for body, zh in _RULES_TEXT
]

_EXTRA: dict[str, Callable[[dict[str, Any]], str]] = {
    "path_in": lambda g: f"（位于 {g['path']}）" if g.get("path") else "",
    "t_zh": lambda g: g["t"].replace(" (", "（", 1)[:-1] + "）" if g.get("t") else "",
    "same_zh": lambda g: "相同的目标" if g.get("same") == "the same goal" else "不同的目标",
    "conflict_zh": lambda g: f"已记为冲突 {g['c']}" if g.get("c") else "未记为冲突",
    "k2_zh": lambda g: {"target": "目标", "phase": "阶段"}.get(g.get("k2") or "", g.get("k2") or ""),
}


# planeval's messages reach Python cut at 2,000 characters and nest a message in another at most
# twice; longer or deeper text is not one of them (and would cost time: the place is searched for)
_MAX_LENGTH = 4000
_MAX_DEPTH = 4


def _translate_zh(message: str, depth: int = 0) -> str:
    if len(message) > _MAX_LENGTH:
        return message
    for pattern, template in _RULES:
        m = pattern.fullmatch(message)
        if m is None:
            continue
        groups: dict[str, Any] = {k: (v if v is not None else "") for k, v in m.groupdict().items()}
        values = {k: _CONVERT[k](v) if k in _CONVERT else v for k, v in groups.items()}
        if "inner" in groups:  # a message wrapped in another: translated in turn
            inner = groups["inner"]
            values["inner"] = _translate_zh(inner, depth + 1) if depth < _MAX_DEPTH else inner
        for key, make in _EXTRA.items():
            if "{" + key + "}" in template:
                values[key] = make(groups)
        return str(groups["place"]) + template.format(**values)
    return message


def translate(message: str, lang: str = "zh") -> str:
    """``message`` (one of planeval's English errors, warnings or notices) in ``lang``.

    ``lang="en"`` returns it as it is; ``"zh"`` the Chinese text, with the place (file, sheet!cell,
    row and column, JSON path) and the quoted values unchanged. Messages not in the catalogue come
    back unchanged: this never raises for a string. A ``lang`` other than "zh" or "en" raises
    :class:`planeval.Error` (API conventions, item 7).

    >>> translate('data.csv: line 3, column value: expected a number, got "abc"', "zh")
    'data.csv: line 3, column value: 应为数字，实际为 "abc"'
    """
    check_lang(lang)
    if lang != "zh" or not isinstance(message, str):
        return message
    try:
        # several errors of a plan come as lines: each is a message of its own
        return "\n".join(_translate_zh(line) for line in message.split("\n"))
    except Exception:  # a template/group mismatch, deep nesting: never hide the error being reported
        return message


# What each rejection reason means, for rejection_text (every planeval.Rejection.reason).
REASONS_ZH: dict[str, str] = {
    "unknown_indicator": "未知指标",
    "unknown_entity": "未知单位",
    "bad_date": "日期或时期有误",
    "outside_horizon": "超出规划期",
    "non_finite": "不是有限数值",
    "negative_count": "计数为负",
    "out_of_range": "超出取值范围",
    "wrong_type": "类型不符",
    "bad_weight": "权重有误",
    "duplicate_conflict": "重复且值不同",
    "missing_parent": "上级单位未知",
}


def rejection_text(r: _RejectionLike, lang: str = "zh") -> str:
    """One rejected row as text: ``row 3, column value: expected a number, got "abc"`` (``"en"``) or
    ``row 3, column value：类型不符——应为数字，实际为 "abc"`` (``"zh"``: the reason's name, then the
    message translated; an unknown reason is named as it is)."""
    check_lang(lang)
    place = f"row {r.row}, column {r.column}"
    if lang != "zh":
        return f"{place}: {r.message}"
    reason = REASONS_ZH.get(r.reason, r.reason)
    return f"{place}：{reason}——{translate(r.message, 'zh')}"
