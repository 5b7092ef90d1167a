"""The structure of the planeval package (issue 14, "one home per concept"):

- the imports between planeval's modules form no cycle, counting imports inside functions (only
  ``if TYPE_CHECKING:`` imports, which never run, are left out);
- the compiled core never imports the Python package (no ``py::module_::import("planeval...")`` in
  bindings/python/src);
- the methods Python adds to a class of the core are added in one module per class.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import planeval
from planeval import _core

PACKAGE = Path(planeval.__file__).resolve().parent
SOURCES = Path(__file__).resolve().parents[2] / "bindings" / "python" / "src"

#: The one module allowed to add methods to each class of the core.
CLASS_HOMES = {
    "Plan": "_plan",
    "Observations": "_observations",
    "IngestReport": "_observations",
    "Standard": "_standard",
    "StandardResult": "_standard",
    "EvaluationPartial": "_evaluate_parts",
}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of the module except those under ``if TYPE_CHECKING:`` (at any depth)."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)  # the else branch runs
                continue
            stack.append(child)
    return out


def _imports(module: str, tree: ast.AST, modules: set[str]) -> set[str]:
    """The planeval modules `module` imports at run time (module level or inside functions)."""
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                base = node.module or ""
            elif node.level == 0 and (node.module or "").startswith("planeval."):
                base = (node.module or "")[len("planeval.") :]
            else:
                continue
            if base:
                found.add(base.split(".")[0])
            else:  # from . import a, b
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("planeval."):
                    found.add(alias.name.split(".")[1])
    return {m for m in found if m in modules and m != module}


def _graph() -> dict[str, set[str]]:
    files = {p.stem: p for p in PACKAGE.glob("*.py")}
    modules = set(files)
    return {
        name: _imports(name, ast.parse(path.read_text(encoding="utf-8")), modules)
        for name, path in files.items()
        if name != "__init__"  # the package imports everything; nothing imports it back by name
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph (its modules in order, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_cycle_finder_finds_a_cycle() -> None:
    # the finder itself: the cycle this issue removed (_report -> _plots -> _report) is found
    # (modules visited in name order: _html has no imports, _plots leads to _report and back)
    assert _cycle({"_report": {"_plots", "_html"}, "_plots": {"_report"}, "_html": set()}) == [
        "_plots",
        "_report",
        "_plots",
    ]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_imports_see_function_level_and_skip_type_checking() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import _core\n"
        "if TYPE_CHECKING:\n"
        "    from ._report import Report\n"
        "def f():\n"
        "    from ._plots import plot_target\n"
        "    import planeval._html\n"
    )
    modules = {"_core", "_report", "_plots", "_html", "_x"}
    assert _imports("_x", ast.parse(source), modules) == {"_core", "_plots", "_html"}


def test_the_package_imports_form_no_cycle() -> None:
    graph = _graph()
    # the modules of the split are there, and the expected edges are seen
    assert {"_report", "_plots", "_html", "_display", "_template", "_excel_read", "_workbook"} <= set(graph)
    assert {"_plots", "_html", "_display"} <= graph["_report"]
    assert "_plots" in graph["_html"]
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_display_rules_have_one_home() -> None:
    graph = _graph()
    # the modules that show numbers take the rules from _display, which imports none of them
    for user in ("_plots", "_html", "_template", "_report"):
        assert "_display" in graph[user], user
    assert graph["_display"] <= {"_core"}


def test_the_core_never_imports_the_python_package() -> None:
    sources = sorted(SOURCES.glob("*.cpp")) + sorted(SOURCES.glob("*.hpp"))
    assert len(sources) > 5
    pattern = re.compile(r"""import\(\s*"planeval[."]""")
    offenders = [
        f"{p.name}:{n}: {line.strip()}"
        for p in sources
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []


def _core_classes() -> set[str]:
    return {name for name, obj in vars(_core).items() if isinstance(obj, type)}


def test_each_core_class_gets_its_python_methods_in_one_module() -> None:
    classes = _core_classes()
    assert set(CLASS_HOMES) <= classes
    attached: list[tuple[str, str, int]] = []  # (module, class, line)
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _runtime_nodes(tree):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
                and node.args
            ):
                targets = [ast.Attribute(value=node.args[0], attr="?", ctx=ast.Store())]
            for target in targets:
                if not isinstance(target, ast.Attribute):
                    continue
                owner = target.value
                name = (
                    owner.id
                    if isinstance(owner, ast.Name)
                    else owner.attr
                    if isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name)
                    else None
                )
                if name in classes:
                    attached.append((path.stem, name, node.lineno if hasattr(node, "lineno") else 0))
                elif isinstance(owner, ast.Name) and path.stem in CLASS_HOMES.values():
                    # setattr(cls, ...) over a loop variable: allowed only in a class's home module
                    attached.append((path.stem, "?", getattr(node, "lineno", 0)))
    wrong = [
        (module, cls, line)
        for module, cls, line in attached
        if not (cls in CLASS_HOMES and CLASS_HOMES[cls] == module)
        and not (cls == "?" and module in CLASS_HOMES.values())
    ]
    assert wrong == []
    # the homes do attach, and what they attach is there
    assert {module for module, _, _ in attached} == set(CLASS_HOMES.values())
    for method in ("evaluate", "rollup", "indicators_frame", "targets_frame", "_repr_html_"):
        assert getattr(planeval.Plan, method).__module__ == "planeval._plan", method
    assert planeval.Observations.to_frame.__module__ == "planeval._observations"
    assert planeval.IngestReport.to_frame.__module__ == "planeval._observations"
    assert planeval.StandardResult.units_frame.__module__ == "planeval._standard"
