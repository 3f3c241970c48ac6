"""sim: a contact-center simulator whose T-Library events drive a Stat Server action engine.

Layers, data flowing one way::

    scenario -> model (SimPy) -> TEvents (sim.tlib) -> action engine (sim.statserver)
             -> actions/statuses -> statistics -> reports, plots, analysis
"""

__version__ = "0.1.0"

__all__ = ["open_run", "replay", "run"]


def __getattr__(name: str):
    # sim.open_run / sim.run / sim.replay (sim.runstore), imported on first use: the command
    # line does not pay for pandas and pyarrow
    if name in __all__:
        import sim.runstore
        return getattr(sim.runstore, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
