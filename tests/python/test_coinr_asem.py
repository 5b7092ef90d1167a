"""COINr's example index (ASEM) through planeval: Composite.from_coinr with the COINr preset
reproduces every data set of COINr 1.1.14's build_example_coin().

References: COINr 1.1.14 (https://github.com/bluefoxr/COINr, commit b968203), its data ASEM_iData and
ASEM_iMeta and the outputs of build_example_coin() written by tests/data/coinr/make_reference.R
(17 significant digits): asem_raw / denominated / imputed / screened / treated / normalised /
aggregated.csv, asem_treat_details.csv (Treat's Dets_Table) and asem_results.csv (get_results,
scores rounded to 2 decimals). The six top scores are the ones printed in COINr 1.1.14's
vignette("results") (head(df_results)): CHE 68.38, NLD 64.82, DNK 64.80, NOR 64.47, BEL 63.54,
SWE 63.00.

COINr's pipeline there: new_coin -> Denominate(dset = "Raw") by iMeta$Denominator -> Impute(f_i =
"i_mean_grp", use_group = "EurAsia_group") -> Screen(dat_thresh = 0.9, unit_screen = "byNA") ->
Treat(winmax = 5; skew 2, kurtosis 3.5; else log_CT) -> Normalise(n_minmax to [0, 100]) ->
Aggregate(a_amean, iMeta weights).

Tolerance: 1e-9 relative to each column's largest magnitude (so that a value that is 0 in COINr
compares with the column's scale, not with 0). A mismatch lists every differing cell.
"""

from __future__ import annotations

import math
import pathlib
from typing import Any

import numpy as np
import pytest

import planeval
from planeval.composite import Composite, from_coinr

pd = pytest.importorskip("pandas")

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "coinr"
RTOL = 1e-9


def _read(name: str) -> Any:
    return pd.read_csv(DATA / name, keep_default_na=True)


@pytest.fixture(scope="module")
def tables() -> tuple[Any, Any]:
    return _read("ASEM_iData.csv"), _read("ASEM_iMeta.csv")


@pytest.fixture(scope="module")
def result(tables: tuple[Any, Any]) -> Any:
    i_data, i_meta = tables
    return Composite.from_coinr(i_data, i_meta, use_group="EurAsia_group").run()


@pytest.fixture(scope="module")
def data_sets(result: Any) -> dict[str, Any]:
    return dict(result.data_sets())


def _differences(ours: Any, theirs: Any) -> list[str]:
    """Every cell where ``ours`` differs from COINr's ``theirs`` (both units x columns)."""
    out: list[str] = []
    if list(ours.index) != list(theirs.index):
        return [f"units differ: ours {list(ours.index)[:5]}..., COINr's {list(theirs.index)[:5]}..."]
    for col in theirs.columns:
        if col not in ours.columns:
            out.append(f"column {col} missing")
            continue
        a = ours[col].to_numpy(dtype=np.float64)
        b = theirs[col].to_numpy(dtype=np.float64)
        scale = np.nanmax(np.abs(b)) if np.isfinite(b).any() else 1.0
        for unit, x, y in zip(theirs.index, a, b):
            if math.isnan(x) and math.isnan(y):
                continue
            if math.isnan(x) or math.isnan(y) or abs(x - y) > RTOL * max(scale, 1e-300):
                out.append(f"{unit}/{col}: ours {x!r}, COINr {y!r}")
    return out


def _coinr_set(name: str) -> Any:
    return _read(f"asem_{name}.csv").set_index("uCode")


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("Raw", "raw"),
        ("Denominated", "denominated"),
        ("Imputed", "imputed"),
        ("Screened", "screened"),
        ("Treated", "treated"),
        ("Normalised", "normalised"),
        ("Aggregated", "aggregated"),
    ],
)
def test_every_data_set_of_build_example_coin(data_sets: dict[str, Any], ours: str, theirs: str) -> None:
    assert list(data_sets) == [
        "Raw",
        "Denominated",
        "Imputed",
        "Screened",
        "Treated",
        "Normalised",
        "Aggregated",
    ]
    coinr = _coinr_set(theirs)
    diff = _differences(data_sets[ours], coinr)
    assert not diff, f"{len(diff)} cells of {ours} differ from COINr's:\n" + "\n".join(diff[:60])


def test_the_51_index_ranks_and_the_results_table(result: Any) -> None:
    table = _read("asem_results.csv").set_index("uCode")
    assert len(table) == 51
    ranks = result.ranks["Index"]
    wrong = [
        f"{u}: ours {ranks[u]}, COINr {table.loc[u, 'Rank']}"
        for u in table.index
        if ranks[u] != table.loc[u, "Rank"]
    ]
    assert not wrong, "index ranks differ:\n" + "\n".join(wrong)
    # every score of the table, as COINr rounds it (2 decimals)
    for node in [c for c in table.columns if c != "Rank"]:
        ours = result.scores[node].round(2)
        bad = [
            f"{u}/{node}: {ours[u]} vs {table.loc[u, node]}"
            for u in table.index
            if ours[u] != table.loc[u, node]
        ]
        assert not bad, "\n".join(bad)


def test_the_vignettes_top_six(result: Any) -> None:
    # COINr 1.1.14, vignette("results"): head(df_results)
    top = result.scores["Index"].sort_values(ascending=False).head(6).round(2)
    assert list(top.index) == ["CHE", "NLD", "DNK", "NOR", "BEL", "SWE"]
    assert top.tolist() == [68.38, 64.82, 64.80, 64.47, 63.54, 63.00]


def test_the_treatment_table_is_coinrs_dets_table(result: Any) -> None:
    dets = _read("asem_treat_details.csv").set_index("iCode")
    t = result.treatment
    assert list(t.index) == list(dets.index)
    assert t["passed"].tolist() == dets["check_SkewKurt0.Pass"].tolist()
    np.testing.assert_allclose(t["skew"], dets["check_SkewKurt0.Skew"], rtol=RTOL)
    np.testing.assert_allclose(t["kurtosis"], dets["check_SkewKurt0.Kurt"], rtol=RTOL)
    failed = dets[~dets["check_SkewKurt0.Pass"]]
    # Flights: winsorised 1 point; ForPort 3; FemLab (negative skew) 1 ...
    assert t.loc[failed.index, "nwin"].tolist() == failed["winsorise.nwin"].astype(int).tolist()
    np.testing.assert_allclose(
        t.loc[failed.index, "skew_winsorised"], failed["check_SkewKurt1.Skew"], rtol=RTOL
    )
    np.testing.assert_allclose(
        t.loc[failed.index, "kurtosis_winsorised"], failed["check_SkewKurt1.Kurt"], rtol=RTOL
    )
    assert t.loc[failed.index, "passed_winsorised"].all()
    assert (t["transform"] == "none").all()  # no indicator needed log_CT in ASEM


def test_screening_keeps_all_51_units(result: Any) -> None:
    # after imputation every ASEM unit has all 49 indicators: none is below dat_thresh 0.9
    a = result.availability
    assert len(a) == 51 and a["included"].all()
    assert (a["data_share"] == 1.0).all() and (a["missing"] == 0).all()
    assert len(result.kept_units) == 51


def test_denominated_data(result: Any) -> None:
    # Flights / Population: AUS 36.05498 / 24450.561 (thousand seats per thousand people)
    d = result.denominated
    raw = _read("ASEM_iData.csv").set_index("uCode")
    assert d.loc["AUS", "Flights"] == pytest.approx(
        raw.loc["AUS", "Flights"] / raw.loc["AUS", "Population"], rel=1e-15
    )
    assert d.loc["AUS", "LPI"] == raw.loc["AUS", "LPI"]  # no denominator


# --- the COINr input: structure and located errors ---------------------------------------------


def test_structure_from_imeta(tables: tuple[Any, Any]) -> None:
    c = from_coinr(*tables, pipeline=None)
    assert c.data.shape == (51, 49)
    assert list(c.data.index[:3]) == ["AUS", "AUT", "BEL"]  # sorted by uCode, as new_coin does
    assert c.hierarchy is not None and c.hierarchy["Flights"] == "Physical" and c.hierarchy["Conn"] == "Index"
    assert c.directions is not None and c.directions["Tariff"] == "lower"
    assert c.denominate_by is not None and c.denominate_by["Flights"] == "Population"
    assert c.nodes()[0] == "Index"


def test_to_coinr_round_trip(tables: tuple[Any, Any]) -> None:
    c = from_coinr(*tables, use_group="EurAsia_group")
    i_data, i_meta = c.to_coinr()
    again = from_coinr(i_data, i_meta, use_group="Group_group")
    assert again.hierarchy == c.hierarchy
    assert again.weights == c.weights
    assert again.directions == c.directions
    assert again.denominate_by == c.denominate_by
    pd.testing.assert_frame_equal(again.data, c.data)


def _meta_with(tables: tuple[Any, Any], row: int, column: str, value: Any) -> Any:
    meta = tables[1].copy()
    meta[column] = meta[column].astype(object)
    meta.loc[row, column] = value
    return meta


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (
            3,
            "Parent",
            "Physcal",
            r'iMeta row 4 \(Bord\), column Parent: Parent "Physcal" is not the iCode of an Aggregate',
        ),
        (1, "Direction", 2, r"iMeta row 2 \(Flights\), column Direction: Direction must be 1 or -1, got 2"),
        (1, "iCode", "LPI", r"iMeta row 2 \(LPI\), column iCode: iCode 'LPI' repeats row 1"),
        (1, "Type", "Indikator", r"iMeta row 2 \(Flights\), column Type: Type must be one of"),
        (1, "Weight", -1.0, r"iMeta row 2 \(Flights\), column Weight: Weight must be 0 or more"),
        (1, "Level", 2, r"iMeta row 2 \(Flights\), column Level: an Indicator is at Level 1"),
        (
            1,
            "Denominator",
            "Physical",
            r'iMeta row 2 \(Flights\), column Denominator: Denominator "Physical" is not',
        ),
        (
            0,
            "Parent",
            "Conn",
            r'iMeta row 1 \(LPI\), column Parent: Parent "Conn" is at Level 3, expected Level 2',
        ),
    ],
)
def test_bad_imeta_is_refused_with_its_place(
    tables: tuple[Any, Any], row: int, column: str, value: Any, message: str
) -> None:
    meta = _meta_with(tables, row, column, value)
    with pytest.raises(planeval.DataError, match=message) as e:
        from_coinr(tables[0], meta)
    assert e.value.row == row + 1 and e.value.column == column


def test_an_aggregate_without_children_is_refused(tables: tuple[Any, Any]) -> None:
    meta = pd.concat(
        [
            tables[1],
            pd.DataFrame(
                [
                    {
                        "Level": 2,
                        "iCode": "Empty",
                        "iName": "Empty",
                        "Direction": 1,
                        "Weight": 1,
                        "Parent": "Conn",
                        "Type": "Aggregate",
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    with pytest.raises(
        planeval.DataError, match=r"iMeta row 69 \(Empty\), column iCode: this Aggregate has no children"
    ):
        from_coinr(tables[0], meta)


def test_bad_idata_is_refused_with_its_place(tables: tuple[Any, Any]) -> None:
    data = tables[0].copy()
    data["LPI"] = data["LPI"].astype(object)
    data.loc[2, "LPI"] = "4,1"
    with pytest.raises(planeval.DataError, match=r"iData row 3 \(BGR\), column LPI: expected a number") as e:
        from_coinr(data, tables[1])
    assert (e.value.row, e.value.column) == (3, "LPI")
    dup = tables[0].copy()
    dup.loc[4, "uCode"] = "AUT"
    with pytest.raises(
        planeval.DataError, match=r"iData row 5 \(AUT\), column uCode: uCode 'AUT' repeats row 1"
    ):
        from_coinr(dup, tables[1])
    extra = tables[0].assign(Mystery=1.0)
    with pytest.raises(planeval.DataError, match=r"iData, column Mystery: this column has no row in iMeta"):
        from_coinr(extra, tables[1])
    with pytest.raises(planeval.DataError, match=r"iMeta row 1 \(LPI\): no column 'LPI' in iData"):
        from_coinr(tables[0].drop(columns="LPI"), tables[1])
    with pytest.raises(planeval.Error, match="use_group: 'Continent' is not a group column"):
        from_coinr(*tables, use_group="Continent")


def test_coinr_names_are_accepted(tables: tuple[Any, Any]) -> None:
    c = from_coinr(*tables, use_group="EurAsia_group")
    same = c.replace(
        normalisation="n_minmax", imputation="i_mean_grp", outliers="winsorise", aggregation="a_amean"
    )
    pd.testing.assert_frame_equal(same.run().scores, c.run().scores)


def test_analysis_methods_of_the_result(result: Any) -> None:
    from planeval import _composite_analysis as ca

    # COINr's get_eff_weights: LPI is 1 of 8 indicators of Physical, 1 of 5 pillars of Conn, 1 of 2
    # sub-indices of the Index, all weights 1: 1/8 * 1/5 * 1/2 = 0.0125
    w = result.effective_weights()
    pd.testing.assert_frame_equal(w, ca.effective_weights(result))
    assert w.at["LPI", "effective_weight"] == pytest.approx(0.0125, rel=1e-15)
    pd.testing.assert_frame_equal(result.correlations("spearman"), ca.correlations(result, "spearman"))
    assert result.cronbach_alpha("Physical") == ca.cronbach_alpha(result, "Physical")
    pd.testing.assert_series_equal(result.copeland(), ca.copeland(result))


def test_panel_data_needs_a_period_and_exclude_drops_indicators(tables: tuple[Any, Any]) -> None:
    i_data, i_meta = tables
    later = i_data.assign(Time=2019, LPI=i_data["LPI"] + 1.0)
    panel = pd.concat([i_data, later], ignore_index=True)
    with pytest.raises(planeval.DataError, match=r"iData, column Time: Time has 2 values \(2018, 2019\)"):
        from_coinr(panel, i_meta)
    c = from_coinr(panel, i_meta, time=2019, pipeline=None)
    assert c.data.loc["AUT", "LPI"] == pytest.approx(4.0979850000000004 + 1.0, rel=1e-15)
    # new_coin(exclude =): the indicators go, and an aggregate left without children with them
    physical = i_meta.loc[i_meta["Parent"] == "Physical", "iCode"].tolist()
    small = from_coinr(i_data, i_meta, exclude=physical, pipeline=None)
    assert "Physical" not in small.nodes() and "LPI" not in small.data.columns
    assert small.data.shape == (51, 49 - len(physical))
