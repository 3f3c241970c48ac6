"""sim: a contact-center simulator whose T-Library events drive a Stat Server action engine.

Layers, data flowing one way::

    scenario -> model (SimPy) -> TEvents (sim.tlib) -> action engine (sim.statserver)
             -> actions/statuses -> statistics -> reports, plots, analysis
"""

__version__ = "0.1.0"
