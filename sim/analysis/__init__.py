"""Analysis: what the simulator's numbers are checked against and summarised with.

* :mod:`sim.analysis.erlang` — analytic capacity formulas (Erlang B, C and A), the three
  service-level conventions and the smallest staffing meeting a set of goals
  (docs/reference/capacity-references.md §2–§5; ``sim erlang``).
* :mod:`sim.analysis.ci` — replication statistics: mean, standard deviation and Student-t
  confidence intervals (docs/reference/capacity-references.md §8).

This layer sits above everything it analyses and is imported by nothing below it.
"""
