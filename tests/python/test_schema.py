"""Plan files agree with schema/plan.schema.json (JSON Schema draft 2020-12)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import planeval

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture
def validator(repo_root: Path) -> Any:
    schema = json.loads((repo_root / "schema" / "plan.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems(validator: Any, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_the_small_plan_validates(validator: Any, mini_json: dict[str, Any]) -> None:
    assert problems(validator, mini_json) == []


def test_canonical_output_of_the_small_plan_validates(validator: Any, mini_text: str) -> None:
    assert problems(validator, json.loads(planeval.parse_plan(mini_text).to_json())) == []


def test_canonical_output_of_the_example_plan_validates(validator: Any) -> None:
    assert problems(validator, json.loads(planeval.example_plan().to_json())) == []


def test_the_schema_rejects_what_planeval_rejects(validator: Any, mini_json: dict[str, Any]) -> None:
    # a sanity check that the validator is really applied: an unknown key fails both
    mini_json["targets"][0]["deadline"] = "2025"
    assert problems(validator, mini_json)
    with pytest.raises(planeval.PlanError):
        planeval.parse_plan(json.dumps(mini_json))


@pytest.mark.parametrize(
    ("entity_id", "accepted"),
    [
        ("第一中学", True),  # ids of any script (the library's is_valid_id)
        ("школа_1", True),
        ("é", True),  # composed (NFC)
        ("e\u0301", False),  # decomposed: a combining mark
        ("第一\u3000中学", False),  # ideographic space
        ("\u200b第一中学", False),  # zero-width space
        ("_x", False),  # must start with a letter or digit
        ("a,b", False),  # ASCII punctuation other than _ . -
    ],
)
def test_the_schema_and_the_library_agree_on_ids(
    validator: Any, mini_json: dict[str, Any], entity_id: str, accepted: bool
) -> None:
    old = mini_json["entities"][-1]["id"]
    new = json.dumps(entity_id, ensure_ascii=False)
    text = json.dumps(mini_json, ensure_ascii=False).replace(f'"{old}"', new)
    document = json.loads(text)
    assert (problems(validator, document) == []) is accepted
    if accepted:
        planeval.parse_plan(text)
    else:
        with pytest.raises(planeval.PlanError):
            planeval.parse_plan(text)


def test_the_two_schemas_name_the_same_entity_kinds(repo_root: Path) -> None:
    # The standard schema's entity_kinds refer to the plan's entity kinds: one list, not two that
    # drift (the standard schema lacked county and prefecture).
    plan = json.loads((repo_root / "schema" / "plan.schema.json").read_text(encoding="utf-8"))
    standard = json.loads((repo_root / "schema" / "standard.schema.json").read_text(encoding="utf-8"))
    entity = plan["$defs"]["entity"]["properties"]["kind"]["enum"]
    assert standard["$defs"]["entity_kind"]["enum"] == entity
    # and every kind parses in a plan
    for kind in entity:
        assert planeval.Entity(id="e", name_zh="e", kind=kind).kind == kind
