"""The report folder: HTML, figures, Parquet results; atomic writes; rebuild; xarray."""

import json
import re

import pandas as pd
import pytest

import detente as dt
from detente.cli import main
from detente.report import html as report_html
from detente.report.ledger import ledger


@pytest.fixture(scope="module")
def result():
    return dt.simulate("ukraine-2025", paths=1000, seed=2, analysis_paths=500)


@pytest.fixture(scope="module")
def folder(result, tmp_path_factory):
    target = tmp_path_factory.mktemp("reports") / "default"
    report_html.write_report([result], target)
    return target


def test_report_folder_holds_page_figures_and_results(folder):
    assert (folder / "report.html").is_file()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["runs"] == ["baseline"] and manifest["schema_version"] == 1
    figures = {p.name for p in (folder / "figures").iterdir()}
    for name in ("window", "outside_options", "terms", "outcomes", "state", "patrons"):
        assert {f"{name}.svg", f"{name}.png"} <= figures
    run = folder / "runs" / "baseline"
    for table in ("paths", "bands", "outcomes_over_time", "window", "outside_options", "ledger"):
        assert not pd.read_parquet(run / f"{table}.parquet").empty, table
    meta = json.loads((run / "meta.json").read_text())
    assert {"outcomes", "window", "negotiation", "claims", "digest", "seed"} <= set(meta)


def test_report_is_self_contained(folder):
    page = (folder / "report.html").read_text()
    # no scripts, no stylesheets or images fetched from anywhere
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    images = re.findall(r'<img src="([^"]+)"', page)
    assert len(images) == 6 and all(i.startswith("data:image/svg+xml;base64,") for i in images)
    for section in ("The answer", "Claims", "Assumption ledger", "Run metadata"):
        assert section in page
    assert "seed L1" in page  # the claims cite the essay's lines


def test_rebuild_gives_the_same_report(folder):
    before = (folder / "report.html").read_text()
    svg = (folder / "figures" / "window.svg").read_text()
    (folder / "report.html").unlink()
    assert main(["report", str(folder), "--quiet"]) == 0
    assert (folder / "report.html").read_text() == before
    assert (folder / "figures" / "window.svg").read_text() == svg


def test_interrupted_write_leaves_nothing(result, tmp_path, monkeypatch):
    def stop(*_args, **_kwargs):
        raise KeyboardInterrupt  # as Ctrl-C in the middle of drawing the figures

    monkeypatch.setattr(report_html, "draw", stop)
    target = tmp_path / "report"
    with pytest.raises(KeyboardInterrupt):
        report_html.write_report([result], target)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_rebuild_keeps_the_old_report(folder, monkeypatch):
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    monkeypatch.setattr(report_html, "render_html", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        report_html.rebuild_report(folder)
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before
    assert [p.name for p in folder.parent.iterdir() if p.name.startswith(".")] == []


def test_a_user_folder_is_never_overwritten(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    code = main(["run", "battles", "--paths", "500", "--out", str(mine)])
    assert code == 2 and "not empty" in capsys.readouterr().err
    assert (mine / "notes.txt").read_text() == "keep"
    code = main(["report", str(mine)])
    assert code == 2 and "no report results here" in capsys.readouterr().err


def test_compare_report_has_every_variant(tmp_path, capsys):
    target = tmp_path / "cmp"
    code = main(["run", "fearon", "--compare", "--paths", "2000", "--out", str(target), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Key numbers by variant" in out and "optimism" in out
    assert json.loads((target / "manifest.json").read_text())["runs"] == ["baseline", "optimism"]
    page = (target / "report.html").read_text()
    assert "Variants compared" in page and "Claims by variant" in page
    assert (target / "figures" / "compare.svg").is_file()
    assert (target / "figures" / "window-optimism.png").is_file()


def test_compare_json_keeps_the_base_keys(capsys):
    assert main(["run", "fearon", "--compare", "--paths", "2000", "--json", "--quiet"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"schema_version", "outcomes", "final", "window", "negotiation", "claims"} <= set(doc)
    assert [d["variant"] for d in doc["compare"]] == [None, "optimism"]


def test_to_xarray(result):
    ds = result.to_xarray()
    bands = result.bands()
    front = bands[bands["variable"] == "front"]
    assert ds["band"].sel(variable="front", stat="p50").values == pytest.approx(front["p50"])
    table = result.window_table()
    assert ds["p_open"].values == pytest.approx(table["p_open"].to_numpy())
    assert set(ds["outside_option"].coords["party"].values) == set(result.window.parties)
    shares = ds["outcome_share"].sel(step_all=result.war.plan.horizon)
    assert float(shares.sum()) == pytest.approx(1.0)
    assert ds.attrs["scenario"] == "ukraine-2025"


def test_outcomes_over_time_end_at_the_outcome_shares(result):
    over = result.outcomes_over_time()
    last = over[over["step"] == result.war.plan.horizon]
    shares = result.outcome_shares()
    got = last.set_index(["outcome", "party"])["share"]
    assert got[("decisive", "russia")] == pytest.approx(shares["decisive"]["russia"])
    assert got[("escalation", None)] == pytest.approx(shares["escalation"])


def test_ledger_lists_every_sourced_number():
    sc = dt.load("ukraine-2025", variant="essay")
    table = ledger(sc)
    assert table["path"].is_unique
    row = table.set_index("path").loc["war.patrons.us.support"]
    assert (row["source"], row["set_by"], row["uncertain"]) == ("seed L8", "essay", True)
    assert row["where"].startswith("ukraine-2025:")
    beliefs = table[table["path"].str.startswith("beliefs.russia.")]
    assert "seed L8" in set(beliefs["source"])
    # every number the file gives with a source appears with it
    sourced = (table["source"] != "").sum()
    assert sourced >= 150


def test_the_analysed_paths_are_the_first_of_the_war():
    # The window and talks run on head(war, n): exactly the paths a run of n would make.
    import dataclasses

    import numpy as np

    from detente.engines import run_war
    from detente.simulation import head

    sc = dt.load("ukraine-2025")
    big, small = run_war(sc, paths=5000, seed=7), run_war(sc, paths=1500, seed=7)
    cut = head(big, 1500)
    for f in dataclasses.fields(cut):
        value = getattr(cut, f.name)
        if isinstance(value, np.ndarray) and f.name not in ("band_hist", "band_sum"):
            np.testing.assert_array_equal(value, getattr(small, f.name), err_msg=f.name)
    assert cut.paths == 1500
