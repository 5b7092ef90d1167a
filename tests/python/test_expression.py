"""Formulas (derived indicators): parse_expression, evaluate_expression, ExpressionError.

Expected numbers are computed by hand in the comments.
"""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import planeval

NAN = float("nan")


def ev(formula: str, **values: object) -> np.ndarray:
    return planeval.evaluate_expression(formula, values)


def scalar(formula: str) -> float:
    out = planeval.evaluate_expression(formula, {})
    assert out.shape == (1,)
    return float(out[0])


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("2 ^ 3 ^ 2", 512.0),  # right-associative: 2^9
        ("-(2) ^ 2", -4.0),  # ^ binds tighter than unary minus
        ("-2 ^ 2", -4.0),
        ("(-2) ^ 2", 4.0),
        ("2 ^ -1", 0.5),
        ("2 * 3 % 4", 2.0),  # (2*3) % 4
        ("-7 % 3", -1.0),  # sign of the dividend
        ("10 - 4 - 3", 3.0),
        ("1 + 2 < 4 == true", 1.0),  # ((1+2) < 4) == true
        ("!true || true", 1.0),
        ("true || false && false", 1.0),
        ("log(8, 2)", 3.0),
        ("log10(1000)", 3.0),
        ("greatest(1, 5, 3) + least(4, -2)", 3.0),  # 5 + -2
        ("if(2 > 1, 10, 20)", 10.0),
        ("firstNonNull(removeZeros(0), 7)", 7.0),
        ("isNull(removeZeros(0))", 1.0),
        ("isNotNull(1)", 1.0),
    ],
)
def test_precedence_and_functions(formula: str, expected: float) -> None:
    assert scalar(formula) == pytest.approx(expected, abs=1e-12)


def test_special_values() -> None:
    assert scalar("log(0)") == -math.inf
    assert math.isnan(scalar("log(-1)"))  # NaN: reported missing
    assert math.isnan(scalar("1 / 0"))  # division by zero: missing, never infinity
    assert math.isnan(scalar("removeZeros(0)"))


def test_columns_and_percentages() -> None:
    a = np.array([44.0, 10.0, 0.0])
    b = np.array([100.0, 0.0, 5.0])
    out = planeval.evaluate_expression("#{a} / #{b} * 100", {"a": a, "b": b})
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [44.0, NAN, 0.0])  # 10 / 0: missing


def test_missing_strategies_including_all_missing() -> None:
    a = [4.0, 4.0, None, NAN]  # None and NaN both mean missing
    b = [2.0, None, None, 2.0]
    f = "#{a} + #{b}"
    np.testing.assert_array_equal(planeval.evaluate_expression(f, {"a": a, "b": b}), [6.0, NAN, NAN, NAN])
    np.testing.assert_array_equal(
        planeval.evaluate_expression(f, {"a": a, "b": b}, missing="skip_if_all_missing"),
        [6.0, 4.0, NAN, 2.0],  # missing counts as 0 unless all are missing
    )
    np.testing.assert_array_equal(
        planeval.evaluate_expression(f, {"a": a, "b": b}, missing="never_skip"),
        [6.0, 4.0, 0.0, 2.0],
    )
    # null-aware functions see the raw missingness
    np.testing.assert_array_equal(
        planeval.evaluate_expression("firstNonNull(#{a}, #{b}, -1)", {"a": a, "b": b}, missing="never_skip"),
        [4.0, 4.0, -1.0, 2.0],
    )
    allmissing = {"a": [None, None]}
    for missing in ("skip_if_any_missing", "skip_if_all_missing"):
        out = planeval.evaluate_expression("#{a} * 2", allmissing, missing=missing)
        assert np.isnan(out).all()
    np.testing.assert_array_equal(
        planeval.evaluate_expression("#{a} * 2 + 1", allmissing, missing="never_skip"), [1.0, 1.0]
    )
    with pytest.raises(planeval.Error, match="missing: expected one of"):
        planeval.evaluate_expression("#{a}", allmissing, missing="sometimes")


def test_constants_and_booleans() -> None:
    out = planeval.evaluate_expression(
        "#{x} >= C{target}", {"x": np.array([1.0, 2.0, 3.0])}, constants={"target": 2}
    )
    np.testing.assert_array_equal(out, [0.0, 1.0, 1.0])


def test_parse_expression() -> None:
    e = planeval.parse_expression("#{b}/#{a}*100 + C{k} - #{b}")
    assert isinstance(e, planeval.Expression)
    assert e.references == ["b", "a"]
    assert e.constants == ["k"]
    assert e.result_type == "number"
    assert str(e) == "#{b} / #{a} * 100 + C{k} - #{b}"
    assert repr(e) == "Expression('#{b} / #{a} * 100 + C{k} - #{b}')"
    assert e.substitute({"a": 100.0, "b": 44.0}, {"k": 0}) == "44 / 100 * 100 + 0 - 44"
    assert e.substitute({"a": None}) == "#{b} / missing * 100 + C{k} - #{b}"
    assert planeval.parse_expression("#{a} > 1").result_type == "boolean"
    assert pickle.loads(pickle.dumps(e)) == e
    assert copy.deepcopy(e) == e
    assert hash(e) == hash(planeval.parse_expression(str(e)))
    # an Expression can be evaluated directly
    np.testing.assert_array_equal(
        planeval.evaluate_expression(e, {"a": [100.0], "b": [44.0]}, constants={"k": 1}),
        [1.0],  # 44 + 1 - 44
    )


def test_located_errors() -> None:
    with pytest.raises(planeval.ExpressionError) as info:
        planeval.parse_expression("1 + foo(2)")
    assert info.value.column == 5
    assert info.value.message == 'unknown function "foo"'
    assert str(info.value) == 'unknown function "foo" at column 5'
    assert isinstance(info.value, planeval.Error)
    assert isinstance(info.value, ValueError)

    with pytest.raises(planeval.ExpressionError, match='unknown indicator "teacher_cnt" at column 3'):
        planeval.parse_expression("#{teacher_cnt} / 2", indicators={"teachers"})
    with pytest.raises(planeval.ExpressionError, match='unknown indicator "b" at column 10'):
        planeval.evaluate_expression("#{a} + #{b}", {"a": [1.0]})
    with pytest.raises(planeval.ExpressionError, match='condition of "if" must be a boolean'):
        planeval.parse_expression("if(1, 2, 3)")
    with pytest.raises(planeval.ExpressionError, match='"log" takes 1 or 2 arguments, got 3'):
        planeval.parse_expression("log(1, 2, 3)")
    with pytest.raises(planeval.ExpressionError, match="nested too deeply"):
        planeval.parse_expression("(" * 100 + "1" + ")" * 100)


def test_input_errors() -> None:
    with pytest.raises(planeval.Error, match="expected 2 values"):
        planeval.evaluate_expression("#{a} + #{b}", {"a": [1.0, 2.0], "b": [1.0]})
    with pytest.raises(planeval.DataError, match="must be finite"):
        planeval.evaluate_expression("#{a}", {"a": [math.inf]})
    with pytest.raises(planeval.Error, match="1-D"):
        planeval.evaluate_expression("#{a}", {"a": [[1.0]]})
    with pytest.raises(TypeError):
        planeval.evaluate_expression(3, {})  # type: ignore[arg-type]


_TOKENS = [
    "1", "2.5", ".5", "#{a}", "#{b}", "C{k}", "(", ")", ",", "+", "-", "*", "/", "%", "^", "!",
    "<", "<=", "==", "!=", "&&", "||", "=", "true", "false", "if", "isNull", "firstNonNull",
    "greatest", "log", "removeZeros", "foo", "'s'", '"', " ", "教", "#{", "}",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=20) | st.text(max_size=40))
def test_fuzz_parse_or_located_error(parts: list[str] | str) -> None:
    text = parts if isinstance(parts, str) else "".join(parts)
    try:
        e = planeval.parse_expression(text)
    except planeval.ExpressionError as err:
        assert 1 <= err.column <= len(text) + 1
        return
    # a formula that parses re-parses from its canonical form to the same canonical form
    assert str(planeval.parse_expression(str(e))) == str(e)
    values = {"a": [1.0, None, 0.0], "b": [0.0, 2.0, None]}
    out = planeval.evaluate_expression(e, values, constants={"k": 2.0}, missing="never_skip")
    assert out.shape == (3,)
