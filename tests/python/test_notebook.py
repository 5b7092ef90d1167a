"""examples/notebooks/baijiantan.ipynb: stored without outputs, and every code cell runs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "notebooks" / "baijiantan.ipynb"


def test_notebook_is_stored_without_outputs() -> None:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)


def test_notebook_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(ROOT)
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    ns: dict[str, Any] = {"__name__": "__main__"}
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        exec(compile("".join(cell["source"]), f"{NOTEBOOK.name}[{i}]", "exec"), ns)
    # the designed data (examples/baijiantan/README.md): 2023 fails for ps_5 (5 of 7 met) and the
    # junior sports-ground CV; fixing ps_5's two figures leaves the CV reason alone
    assert ns["reasons_before"] == ["unit_too_few_met", "cv_above_limit"]
    assert ns["reasons_after"] == ["cv_above_limit"]
    assert ns["summary"]["missed"] == 1
    assert os.path.basename(str(ns["DATA"])) == "illustrative_observations.csv"
