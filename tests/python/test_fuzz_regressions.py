"""The Excel fuzzer's property on its saved regressions and on a short fixed-seed run.

tests/fuzz/excel_fuzz.py mutates data-entry workbooks and checks that read_excel returns or raises
planeval.Error, never anything else. Workbooks it found breaking that are kept in
tests/fuzz/regressions/excel/ and replayed here, so they stay fixed; a few fixed-seed cases check
the fuzzer itself still runs. (The C++ harnesses' regressions are replayed by ctest.)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("openpyxl")

FUZZ_DIR = Path(__file__).resolve().parent.parent / "fuzz"
REGRESSIONS = sorted((FUZZ_DIR / "regressions" / "excel").glob("*.xlsx"))


def excel_fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("excel_fuzz", FUZZ_DIR / "excel_fuzz.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["excel_fuzz"] = module
    spec.loader.exec_module(module)
    return module


def test_saved_workbooks_read_or_raise_planeval_error() -> None:
    fuzz = excel_fuzz()
    plan = fuzz.fuzz_plan()
    for path in REGRESSIONS:  # none yet: the fuzzer has found nothing to keep so far
        fuzz.check(plan, path)  # raises excel_fuzz.Finding, naming the call and the exception


def test_a_few_fixed_seed_cases(tmp_path: Path) -> None:
    fuzz = excel_fuzz()
    assert fuzz.run(seconds=60, seed=12, findings=tmp_path / "findings", max_cases=25) == 0
    assert not (tmp_path / "findings").exists()
