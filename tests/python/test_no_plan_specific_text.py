"""The library speaks any plan's own vocabulary: no text, id or list of the seed plan in its code.

The sources of the library — the Python package (bindings/python/planeval: .py and .pyi), the C++
headers (include/) and sources (src/) and the Python bindings' C++ (bindings/python/src) — are
searched for the names and ids of the seed plan examples/baijiantan/plan.json: its id, every entity
id and Chinese entity name, every target id, and 白碱滩, 克拉玛依, 十三五, 第十三中学. Not searched:
examples/ (the plan itself lives there), the embedded copy of the plan generated at build time,
tests/.

Exceptions (ALLOWED, kept small and explicit): the documented embedding API — the files
include/planeval/embedded.hpp and src/embedded.cpp (``baijiantan_plan()``), the lines of
bindings/python/src/register_plan.cpp that define ``example_plan`` / ``example_plan_json`` — and
docstrings or comments that merely say "the embedded Baijiantan plan". The example's stage entities
are named 幼儿园 / 小学 / 初中 / 高中: those are the plan format's own stage values, not the seed
plan's words, and are not searched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
SEED = REPO / "examples" / "baijiantan" / "plan.json"

#: Where the library's code is (relative to the repository root) and which files count.
PYTHON_SOURCES = (("bindings/python/planeval", ("*.py", "*.pyi")),)
CPP_SOURCES = (
    ("include", ("*.hpp", "*.h")),
    ("src", ("*.cpp", "*.hpp", "*.h")),
    ("bindings/python/src", ("*.cpp", "*.hpp", "*.h")),
)

#: The plan format's stage values (what ``stages`` and an entity's ``stage`` hold).
FORMAT_STAGES = frozenset({"幼儿园", "小学", "初中", "高中"})
#: Words of the seed plan searched for besides its ids and entity names.
EXTRA_WORDS = ("白碱滩", "克拉玛依", "十三五", "第十三中学")

#: Whole files allowed to name the seed plan: the documented embedding API.
ALLOWED_FILES = frozenset({"include/planeval/embedded.hpp", "src/embedded.cpp"})
#: (file, text a line must contain) allowed: the bindings of the embedding API.
ALLOWED_LINES = (("bindings/python/src/register_plan.cpp", "example_plan"),)
#: A phrase docstrings and comments may use anywhere (removed before searching a line).
ALLOWED_PHRASE = re.compile(r"embedded Baijiantan plan", re.IGNORECASE)


def _needles() -> list[str]:
    plan = json.loads(SEED.read_text(encoding="utf-8"))
    words = {plan["id"], *EXTRA_WORDS}
    for e in plan["entities"]:
        words.add(e["id"])
        if e["name"]["zh"] not in FORMAT_STAGES:
            words.add(e["name"]["zh"])
    words |= {t["id"] for t in plan["targets"]}
    return sorted(words, key=lambda w: (-len(w), w))


def _pattern(needles: list[str]) -> re.Pattern[str]:
    """ASCII ids case-insensitively, not inside a longer word of letters and digits (an id next to
    `_`, `-`, `/` or a quote is found); Chinese words anywhere."""
    parts = []
    for n in needles:
        if n.isascii():
            parts.append(rf"(?<![A-Za-z0-9]){re.escape(n)}(?![A-Za-z0-9])")
        else:
            parts.append(re.escape(n))
    return re.compile("|".join(parts), re.IGNORECASE)


def _files(roots: tuple[tuple[str, tuple[str, ...]], ...]) -> list[Path]:
    found: list[Path] = []
    for root, globs in roots:
        for g in globs:
            found += (REPO / root).rglob(g)
    return sorted(set(found))


def _hits(roots: tuple[tuple[str, tuple[str, ...]], ...]) -> list[str]:
    pattern = _pattern(_needles())
    hits = []
    for path in _files(roots):
        rel = path.relative_to(REPO).as_posix()
        if rel in ALLOWED_FILES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if any(rel == f and marker in line for f, marker in ALLOWED_LINES):
                continue
            for m in pattern.finditer(ALLOWED_PHRASE.sub("", line)):
                hits.append(f"{rel}:{number}: {m.group(0)!r} in: {line.strip()[:120]}")
    return hits


def test_the_search_finds_what_it_looks_for() -> None:
    needles = _needles()
    plan = json.loads(SEED.read_text(encoding="utf-8"))
    # every target id, every entity id, the plan id, the named words; no stage value
    assert {t["id"] for t in plan["targets"]} <= set(needles)
    assert {"baijiantan", "karamay", "no13_middle_school", plan["id"], "白碱滩", "十三五"} <= set(needles)
    assert not FORMAT_STAGES & set(needles)
    assert len(needles) > 150
    pattern = _pattern(needles)
    assert pattern.search('"examples/baijiantan/README.md"')
    assert pattern.search("default_scope = 'Baijiantan'")
    assert pattern.search("见“十三五”数据")
    assert pattern.search('t = "t1_primary_backbone"')
    assert not pattern.search("baijiantanx")  # inside a longer word
    assert not pattern.search("全区 小学 初中")
    # the searched folders are there and hold the sources
    assert len(_files(PYTHON_SOURCES)) >= 10
    assert len(_files(CPP_SOURCES)) >= 30


def test_the_python_package_names_nothing_of_the_seed_plan() -> None:
    hits = _hits(PYTHON_SOURCES)
    assert not hits, "plan-specific text in the Python package:\n" + "\n".join(hits)


def test_the_cpp_sources_name_nothing_of_the_seed_plan() -> None:
    hits = _hits(CPP_SOURCES)
    assert not hits, "plan-specific text in the C++ sources:\n" + "\n".join(hits)


def test_no_table_of_the_seed_plans_domains() -> None:
    # DOMAIN_LABELS was such a table: domain names come from the plan (Plan.domain_name)
    plan = json.loads(SEED.read_text(encoding="utf-8"))
    domains = [d["id"] for d in plan["domains"]]
    assert len(domains) >= 10
    for path in _files(PYTHON_SOURCES + CPP_SOURCES):
        text = path.read_text(encoding="utf-8")
        quoted = [d for d in domains if re.search(rf"""["']{re.escape(d)}["']""", text)]
        assert len(quoted) < 3, f"{path.relative_to(REPO)} lists the seed plan's domains {quoted}"


def test_the_plots_module_has_no_domain_table() -> None:
    from planeval import _plots

    assert not hasattr(_plots, "DOMAIN_LABELS")
    # entity kinds get the core's scope words, not a copy
    import planeval._core as core

    for kind, zh, en in core._scope_words():
        assert _plots.STAGE_LABELS[kind] == (zh, en)
