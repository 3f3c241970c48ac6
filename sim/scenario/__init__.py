"""Scenario files: the TOML description of a contact center and its traffic.

``load_scenario(path, sets, seed)`` reads a file, applies ``--set key=value`` overrides,
validates it against the JSON Schema of :mod:`sim.scenario.schema` (published as
``sim/data/scenario.schema.json``) and returns a normalised :class:`Scenario`; every error
names the file and the key path (``agents[3].shift.start: ...``). :mod:`sim.scenario.checks`
holds the cross-field checks and warnings, :mod:`sim.scenario.estimate` the work estimate that
``sim run``, ``sim sweep`` and ``sim stream`` check before running.
"""

from sim.scenario.load import Scenario, apply_overrides, build_scenario, load_scenario  # noqa: F401
