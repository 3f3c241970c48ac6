"""Plots of a sweep: KPIs against the swept key with confidence bands and the Erlang overlay.

One figure per KPI family, written to ``OUT/plots/``:

* ``service_level.png`` — SL_offered and SL_answered (docs/reference/capacity-references.md §5.1);
* ``asa.png`` — ASA_answered and ASA_all in seconds (§5.2);
* ``abandonment.png`` — P_ab;
* ``occupancy.png`` — busy / logged-in time.

Each simulated series is the replication mean with a shaded band from the interval's low to
high bound (the sweep's confidence level); where the point is Erlang-like the analytic value is
drawn as a dashed line with hollow markers in the same color. With several ``--vary`` keys the
first is the x axis and each combination of the others is its own series.

matplotlib's object API (``Figure``) renders with Agg; no global pyplot state is touched.
"""

from __future__ import annotations

import math
import os

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

PLOTS = {   # file name -> (y label, [(KPI, legend name), ...])
    "service_level": ("Service level", [("service_level.offered", "SL offered"),
                                        ("service_level.answered", "SL answered")]),
    "asa": ("Mean wait (s)", [("asa", "ASA answered"), ("mean_wait_all", "ASA all")]),
    "abandonment": ("Abandonment", [("abandonment", "abandonment")]),
    "occupancy": ("Occupancy", [("occupancy", "occupancy")]),
}


def _series(sweep):
    """(label suffix, points) per combination of the non-swept keys, in grid order."""
    groups: dict[tuple[str, ...], list] = {}
    for p in sweep.points:
        groups.setdefault(p.values[1:], []).append(p)
    keys = [v.key for v in sweep.varies[1:]]
    out = []
    for others, pts in groups.items():
        label = ", ".join(f"{k}={v}" for k, v in zip(keys, others, strict=True))
        out.append((label, sorted(pts, key=lambda p: float(p.values[0]))))
    return out


def _finite(x) -> bool:
    return x is not None and math.isfinite(x)


def sweep_figure(sweep, name: str) -> Figure:
    """One figure (a key of :data:`PLOTS`) for a :class:`sim.analysis.sweep.Sweep`."""
    ylabel, kpis = PLOTS[name]
    fig = Figure(figsize=(7.0, 4.2), layout="constrained")
    ax = fig.add_subplot()
    colors = [f"C{i}" for i in range(10)]
    n = 0
    level = f"{100 * sweep.level:g} % CI"
    for label, pts in _series(sweep):
        xs_all = [float(p.values[0]) for p in pts]
        for kpi, kpi_label in kpis:
            color = colors[n % len(colors)]
            n += 1
            name_ = kpi_label + (f" ({label})" if label else "")
            xs, mean, low, high = [], [], [], []
            for x, p in zip(xs_all, pts, strict=True):
                c = p.summary.get(kpi)
                if c is None or not _finite(c.mean):
                    continue
                xs.append(x)
                mean.append(c.mean)
                low.append(c.low if _finite(c.low) else c.mean)
                high.append(c.high if _finite(c.high) else c.mean)
            if xs:
                ax.plot(xs, mean, marker="o", ms=3.5, color=color, label=f"{name_} (simulated)")
                ax.fill_between(xs, low, high, color=color, alpha=0.2, linewidth=0, label=f"{name_} {level}")
            axs = [(x, p.analytic[kpi]) for x, p in zip(xs_all, pts, strict=True)
                   if _finite(p.analytic.get(kpi))]
            if axs:
                ax.plot([a for a, _ in axs], [b for _, b in axs], linestyle="--", marker="o", ms=4,
                        mfc="none", color=color, label=f"{name_} (Erlang)")
    ax.set_xlabel(sweep.key)
    ax.set_ylabel(ylabel)
    ax.set_title(f"{ylabel} vs {sweep.key} — {sweep.replications} replications, {level}")
    ax.grid(True, alpha=0.3)
    xs = [float(p.values[0]) for p in sweep.points]
    if xs and all(x.is_integer() for x in xs):      # agents, calls: whole-number ticks
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)                           # every KPI here is a share or a time
    if ax.get_legend_handles_labels()[0]:     # beside the axes: inside it would hide the curves
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def write_sweep_plots(sweep, out_dir: str) -> list[str]:
    """Write every figure of :data:`PLOTS` into ``out_dir/plots``; returns the paths."""
    folder = os.path.join(out_dir, "plots")
    os.makedirs(folder, exist_ok=True)
    paths = []
    for name in PLOTS:
        fig = sweep_figure(sweep, name)
        path = os.path.join(folder, f"{name}.png")
        fig.savefig(path, dpi=110)
        paths.append(path)
    return paths


class _Band:
    __slots__ = ("mean", "low", "high")

    def __init__(self, mean, low, high):
        self.mean, self.low, self.high = mean, low, high


class _Point:
    def __init__(self, values, summary, analytic):
        self.values, self.summary, self.analytic = values, summary, analytic


class _Key:
    def __init__(self, key):
        self.key = key


class _SavedSweep:
    """What the figures need of a sweep, rebuilt from a sweep folder's files."""

    def __init__(self, meta: dict, header: list[str], rows: list[list[str]]):
        self.varies = [_Key(v["key"]) for v in meta["vary"]]
        self.key = self.varies[0].key
        self.level = float(meta.get("level", 0.95))
        self.replications = int(meta.get("replications", 0))
        nkeys = len(self.varies)

        def num(text):
            return float(text) if text not in ("", None) else None

        self.points = []
        for row in rows:
            cells = dict(zip(header, row, strict=True))
            summary, analytic = {}, {}
            for col in header:
                if col.endswith("_mean"):
                    k = col[:-5]
                    mean = num(cells[col])
                    if mean is not None:
                        summary[k] = _Band(mean, num(cells.get(k + "_low")), num(cells.get(k + "_high")))
                elif col.endswith("_erlang") and num(cells[col]) is not None:
                    analytic[col[:-7]] = num(cells[col])
            self.points.append(_Point(tuple(row[:nkeys]), summary, analytic))


def plot_sweep_dir(folder: str) -> list[str]:
    """Redraw the plots of a sweep folder (``sweep.json`` + ``sweep.csv``) for ``sim plot``; a
    file that cannot be read is one line naming it (and the line)."""
    import json

    from sim.errors import UserError
    meta_path, csv_path = os.path.join(folder, "sweep.json"), os.path.join(folder, "sweep.csv")
    try:
        with open(meta_path, encoding="utf-8") as fh:
            meta = json.load(fh)
        header, rows = _sweep_rows(csv_path)
    except FileNotFoundError as exc:
        raise UserError(f"{exc.filename}: no such file (a sweep folder has sweep.json and sweep.csv)") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{meta_path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{folder}: not UTF-8 text ({exc.reason})") from None
    vary = meta.get("vary") if isinstance(meta, dict) else None
    if not isinstance(vary, list) or not vary or not all(isinstance(v, dict) and "key" in v for v in vary):
        raise UserError(f"{meta_path}: vary: expected the swept keys written by sim sweep")
    try:
        sweep = _SavedSweep(meta, header, rows)
    except (ValueError, TypeError) as exc:
        raise UserError(f"{meta_path}: not a sweep folder written by sim sweep ({exc})") from None
    return write_sweep_plots(sweep, folder)


def _sweep_rows(path: str) -> tuple[list[str], list[list[str]]]:
    """sweep.csv's header and rows; a row of the wrong length or a figure that is not a number
    is a UserError naming its line."""
    import csv

    from sim.errors import UserError
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if not header:
            raise UserError(f"{path}: empty file (expected the header sim sweep writes)")
        figures = [i for i, col in enumerate(header) if col.endswith(("_mean", "_low", "_high", "_erlang"))]
        rows = []
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise UserError(f"{path}:{reader.line_num}: expected {len(header)} fields, got {len(row)}")
            for i in figures:
                try:
                    float(row[i] or 0)
                except ValueError:
                    raise UserError(f"{path}:{reader.line_num}: {header[i]}: expected a number, "
                                    f"got {row[i]!r}") from None
            rows.append(row)
    return header, rows
