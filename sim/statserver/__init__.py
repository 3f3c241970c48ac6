"""The Stat Server action engine: TEvents in, actions and statuses out; statistics on top.

Pure and sans-I/O: it never imports SimPy, matplotlib or the scenario layer, and never reads a
file, a socket or a clock. Spec: docs/reference/actions.md and docs/reference/stat-types.md.
"""
