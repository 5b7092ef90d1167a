"""Shared fixtures: the repository root, the small valid plan of the C++ tests, and one Dask
LocalCluster for the tests of planeval.dask."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent.parent


def _mini_plan_text() -> str:
    # The same text as the C++ tests use (tests/cpp/test_plans.hpp), so both suites test one plan.
    header = (REPO_ROOT / "tests" / "cpp" / "test_plans.hpp").read_text(encoding="utf-8")
    match = re.search(r'mini_plan = R"\((.*?)\)";', header, re.DOTALL)
    assert match, "tests/cpp/test_plans.hpp no longer defines mini_plan as a raw string"
    return match.group(1)


MINI_PLAN = _mini_plan_text()


@pytest.fixture(scope="session")
def client() -> Iterator[Any]:
    """A ``distributed.LocalCluster`` of 2 worker processes (1 thread each) and its Client, started
    by the first test that asks for it and stopped at the end of the session (no external service;
    skipped without distributed). Every planeval.dask test module shares it: a cluster takes 1-2 s
    to start and 1 s to stop."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, silence_logs=40
    )
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture
def repo_root() -> Path:
    """The repository root (tests/python/../..)."""
    return REPO_ROOT


@pytest.fixture
def mini_text() -> str:
    """The small valid plan (id "mini") as JSON text."""
    return MINI_PLAN


@pytest.fixture
def mini_json() -> dict[str, Any]:
    """The small valid plan as a fresh, mutable JSON object."""
    data: dict[str, Any] = json.loads(MINI_PLAN)
    return data


@pytest.fixture
def mini_file(tmp_path: Path) -> Path:
    """The small valid plan written to a file."""
    path = tmp_path / "mini.json"
    path.write_text(MINI_PLAN, encoding="utf-8")
    return path
