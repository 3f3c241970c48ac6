"""The live wallboard behind ``sim serve``: a paced simulation (or trace) shown in a browser.

* :mod:`sim.serve.board` -- the wallboard's state: a thin consumer of the pipeline's records
  (agent statuses read from the one action engine, queue counters, statistic notifications,
  the explain rows of the ticker); pure, no I/O.
* :mod:`sim.serve.driver` -- pulls TEvents, paces them against the wall clock with pause,
  resume, speed and step, feeds them to the pipeline and fans updates out to the browsers
  through bounded per-client queues.
* :mod:`sim.serve.app` -- the Starlette application: the page, ``GET /api/snapshot``, the
  server-sent event feed ``GET /api/feed`` and ``POST /api/control``.
* ``static/`` -- the page itself (plain HTML, CSS and JavaScript; nothing fetched from outside).

The user-facing description is README.md's section "Live wallboard"; the judgement calls are
in docs/decisions.md under the same heading.
"""
