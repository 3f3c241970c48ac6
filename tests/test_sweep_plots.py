"""`sim plot DIR` on a sweep folder redraws the sweep curves from sweep.json + sweep.csv."""

from __future__ import annotations

from sim.cli import main


def test_plot_sweep_folder(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", "scenarios/erlang_a.toml", "--vary", "teams[0].count=13:14:1", "--replications", "2",
                 "--set", "run.horizon=1800", "--workers", "1", "--no-plots", "--out", str(out)]) == 0
    assert not (out / "plots").exists()
    assert main(["plot", str(out)]) == 0
    names = sorted(p.name for p in (out / "plots").iterdir())
    assert names == ["abandonment.png", "asa.png", "occupancy.png", "service_level.png"]
    import csv
    import json

    from sim.report.sweep_plots import _SavedSweep, sweep_figure
    meta = json.loads((out / "sweep.json").read_text())
    header, *rows = list(csv.reader((out / "sweep.csv").open()))
    fig = sweep_figure(_SavedSweep(meta, header, rows), "service_level")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "teams[0].count"
    labels = [line.get_label() for line in ax.get_lines()]
    assert "SL offered (simulated)" in labels and "SL offered (Erlang)" in labels
    assert ax.get_ylim()[0] == 0 and all(float(t).is_integer() for t in ax.get_xticks())
    assert ax.get_legend().get_bbox_to_anchor().x0 >= ax.get_window_extent().x1   # beside the data
    assert main(["plot", str(tmp_path / "nothing")]) == 2
