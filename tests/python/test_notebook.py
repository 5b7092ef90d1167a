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
    # the composite of the 8 schools: every school ranked once, 1..8; the uncertainty run keeps
    # every nominal rank inside its own 5th-95th percentile band, and its Sobol' indices are
    # fractions (total >= first order, up to Monte Carlo error)
    ranks = ns["result"].ranks["index"]
    assert sorted(int(x) for x in ranks) == list(range(1, 9))
    u = ns["uncertainty"].ranks
    assert len(u) == 8 and (u["p05"] <= u["median"]).all() and (u["median"] <= u["p95"]).all()
    assert list(u["nominal"].astype(int)) == [int(ranks[k]) for k in u.index]
    s = ns["uncertainty"].sensitivity
    assert set(s.index) == {"weights", "variant", "aggregation"}
    assert ((s["total"] >= s["first_order"] - 0.05) & (s["total"] <= 1.05)).all()
    # value added: least-squares residuals with an intercept sum to 0
    assert abs(float(ns["added"].frame["value_added"].sum())) < 1e-9
    assert 0.0 <= ns["added"].r_squared <= 1.0
    assert len(ns["ranks_chart"].axes) == 2
