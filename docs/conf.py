"""Sphinx configuration of planeval's documentation (docs/build.sh builds it; README "Documentation").

The Python reference is autodoc on the installed package (the extension planeval._core in .venv):
docstrings from the package and from the pybind11 bindings, signatures from the shipped stubs
(_core.pyi) where the stub has one. The plan-format reference is generated from schema/*.json by
_ext/schema_reference.py. The C++ reference is Doxygen's HTML (docs/Doxyfile), run here and copied
to <output>/cpp/ with html_extra_path.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

import planeval  # noqa: E402  (the installed package: pip install -e '.[docs]')

project = "planeval"
author = "planeval developers"
copyright = "planeval developers, MIT License"
release = planeval.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "schema_reference",
]

exclude_patterns = ["_build", "Doxyfile", "build.sh", "cpp-mainpage.md"]
templates_path: list[str] = []
language = "en"
root_doc = "index"
nitpicky = False
suppress_warnings: list[str] = []

html_theme = "alabaster"
html_title = f"planeval {release}"
html_static_path = ["_static"]
html_css_files = ["planeval.css"]
html_theme_options = {"description": "Evaluate development plans · 规划评估", "fixed_sidebar": True}
html_last_updated_fmt = None
# No MathJax (it would be fetched from a CDN): the guide writes formulas in plain Unicode text.

# --- autodoc
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": True, "show-inheritance": True}
autodoc_typehints = "signature"
autodoc_docstring_signature = True  # pybind11 writes the signature as the docstring's first line
# No napoleon: the docstrings use no Google or NumPy sections, and its reading of "name: text" in a
# property's first line as a type turned plain sentences into cross-references.

# The guide's examples run from docs/_examples (its small plan and data file).
doctest_global_setup = f"""
import os
import planeval
from planeval import *  # the docstrings' examples are written in the package's namespace
os.chdir({str(DOCS / "_examples")!r})
"""


# --- signatures from the stubs (_core.pyi); pybind11's own say "typing.SupportsInt | typing.SupportsIndex"
_STUB_BASES: dict[str, list[str]] = {}  # class -> its bases in the stub (methods may live there)


def _stub_signatures() -> dict[str, tuple[str, str | None]]:
    stub = Path(planeval.__file__).with_name("_core.pyi")
    out: dict[str, tuple[str, str | None]] = {}
    if not stub.exists():
        return out
    tree = ast.parse(stub.read_text(encoding="utf-8"))

    def visit(body: list[ast.stmt], prefix: str) -> None:
        seen: set[str] = set()
        for node in body:
            if isinstance(node, ast.ClassDef):
                _STUB_BASES[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef):
                name = prefix + node.name
                overloaded = any(isinstance(d, ast.Name) and d.id == "overload" for d in node.decorator_list)
                is_property = any(
                    (isinstance(d, ast.Name) and d.id == "property") or isinstance(d, ast.Attribute)
                    for d in node.decorator_list
                )
                if name in seen or overloaded:
                    out.pop(name, None)  # several signatures: keep pybind11's text
                    seen.add(name)
                    continue
                seen.add(name)
                if is_property:
                    continue
                args = node.args
                if prefix and args.args and args.args[0].arg in ("self", "cls"):  # self has no default
                    args = ast.arguments(
                        posonlyargs=args.posonlyargs, args=args.args[1:], vararg=args.vararg,
                        kwonlyargs=args.kwonlyargs, kw_defaults=args.kw_defaults, kwarg=args.kwarg,
                        defaults=args.defaults,
                    )
                ret = ast.unparse(node.returns) if node.returns is not None else None
                out[name] = (f"({ast.unparse(args)})", ret)

    visit(tree.body, "")
    return out


_STUBS = _stub_signatures()


def _use_stub_signature(
    app: Any, what: str, name: str, obj: Any, options: Any, signature: str | None,
    return_annotation: str | None,
) -> tuple[str | None, str | None] | None:
    # functions and methods only: Sphinx 9 fails on a class signature replaced here when it found none.
    # pybind11's __qualname__ is no help ("pybind11_detail_function_record_v1_....read_csv"): the
    # documented name is ("planeval.read_csv", "planeval.rules.Sum.observe").
    if what not in ("function", "method") or not _from_core(name, obj):
        return None
    parts = name.split(".")
    if what == "function":
        return _STUBS.get(parts[-1])
    classes, method = [parts[-2]], parts[-1]
    while classes:  # the class, then its bases in the stub
        cls = classes.pop(0)
        if f"{cls}.{method}" in _STUBS:
            return _STUBS[f"{cls}.{method}"]
        classes += _STUB_BASES.get(cls, [])
    return None


def _drop_pybind_base(app: Any, name: str, obj: Any, options: Any, bases: list[type]) -> None:
    bases[:] = [b for b in bases if b.__name__ != "pybind11_object"]  # pybind11's base of every class


def _drop_empty_bases(app: Any, doctree: Any) -> None:
    """Sphinx 9 still writes "Bases:" when no base is left: remove that line."""
    from docutils import nodes

    for p in list(doctree.findall(nodes.paragraph)):
        if p.astext().strip() == "Bases:":
            p.parent.remove(p)


# --- pybind11 docstrings are plain text, not reST: show them as written (a literal block) unless
# they parse as reST without a complaint. The package's own Python docstrings are reST and stay
# checked: a bad one fails the build (-W).
def _rst_is_clean(lines: list[str]) -> bool:
    import io

    from docutils.core import publish_doctree

    text = "\n".join(lines)
    # Sphinx roles (:class:`X`) are unknown to bare docutils: make them plain literals first
    text = re.sub(r":[\w:.-]+:`([^`]*)`", r"``\1``", text)
    stream = io.StringIO()
    try:
        publish_doctree(text, settings_overrides={"report_level": 2, "halt_level": 5,
                                                  "warning_stream": stream})
    except Exception:  # any failure to parse: not clean
        return False
    return not stream.getvalue().strip()


def _from_core(name: str, obj: Any) -> bool:
    """Whether a documented object is implemented in C++ (pybind11): its functions are builtins, its
    classes of pybind11's metaclass, whichever module they are registered in (_core, rules)."""
    if isinstance(obj, property):
        obj = obj.fget
    return type(obj).__name__ in ("builtin_function_or_method", "instancemethod", "pybind11_type")


def _plain_pybind_docstrings(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    if not lines or not _from_core(name, obj) or _rst_is_clean(lines):
        return
    body = [("   " + ln) if ln.strip() else "" for ln in lines]
    lines[:] = ["::", "", *body, ""]


# --- the C++ reference: Doxygen into _build/doxygen/cpp, copied to <output>/cpp/
DOXYGEN_OUT = DOCS / "_build" / "doxygen"


def _run_doxygen() -> None:
    DOXYGEN_OUT.mkdir(parents=True, exist_ok=True)
    if os.environ.get("PLANEVAL_DOCS_NO_DOXYGEN") == "1":
        shutil.rmtree(DOXYGEN_OUT / "cpp", ignore_errors=True)  # no stale reference in the site
        print("planeval docs: PLANEVAL_DOCS_NO_DOXYGEN=1: no C++ reference (cpp/)", file=sys.stderr)
        return
    doxygen = shutil.which("doxygen")
    if doxygen is None:
        raise RuntimeError("doxygen is not installed (apt-get install doxygen); "
                           "PLANEVAL_DOCS_NO_DOXYGEN=1 builds without the C++ reference")
    shutil.rmtree(DOXYGEN_OUT / "cpp", ignore_errors=True)
    log = DOCS / "_build" / "doxygen-warnings.log"  # outside the copied folder
    log.unlink(missing_ok=True)
    r = subprocess.run([doxygen, "Doxyfile"], cwd=DOCS, capture_output=True, text=True, check=False)
    warnings = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    warnings = list(dict.fromkeys(w for w in warnings if w.strip()))  # once each
    cosmetic = [w for w in warnings if any(p in w for p in _DOXYGEN_COSMETIC)]
    real = [w for w in warnings if w not in cosmetic]
    if r.returncode != 0 or real:
        raise RuntimeError(f"doxygen failed (exit status {r.returncode}):\n" + "\n".join(real) + r.stderr)
    if cosmetic:
        print(f"planeval docs: Doxygen: {len(cosmetic)} markup slip(s) in header comments (shown as is):",
              file=sys.stderr)
        for w in cosmetic:
            print("  " + w.replace(str(ROOT) + "/", ""), file=sys.stderr)


# Markup in a header comment that Doxygen renders imperfectly but that loses nothing of the API
# would be reported, not fatal, if listed here. None is: every Doxygen warning fails the build
# (warnings as errors), markup slips (an HTML-like <name>, an unknown \command) included.
_DOXYGEN_COSMETIC: tuple[str, ...] = ()


_run_doxygen()
html_extra_path = [str(DOXYGEN_OUT)]


# A line break between two Chinese characters is no space in Chinese text (reST would make it one).
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])\\n[ \\t]*(?=[{_CJK}])")


def _join_cjk_lines(app: Any, doctree: Any) -> None:
    from docutils import nodes

    for text in list(doctree.findall(nodes.Text)):
        if isinstance(text.parent, (nodes.literal_block, nodes.doctest_block, nodes.literal)):
            continue
        joined = _CJK_BREAK.sub("", str(text))
        if joined != str(text):
            text.parent.replace(text, nodes.Text(joined))


def setup(app: Any) -> None:
    app.connect("doctree-read", _join_cjk_lines)
    app.connect("doctree-read", _drop_empty_bases)
    app.connect("autodoc-process-signature", _use_stub_signature)
    app.connect("autodoc-process-docstring", _plain_pybind_docstrings)
    app.connect("autodoc-process-bases", _drop_pybind_base)
