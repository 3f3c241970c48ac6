"""Statistics: stat types, time profiles and statistic values over the action engine's records.

Modules, in data-flow order:

* ``names`` - the vocabulary (actions, statuses, subjects, objects, which records feed what);
* ``masks``, ``profiles``, ``expressions`` - masks, time profiles / ranges, filters / formulas;
* ``definitions`` - the INI stat type file (``load_stattypes``), validated with one-line errors;
* ``categories`` - the category table (category name -> formula);
* ``aggregates`` - what a statistic keeps (running records, per-profile buckets);
* ``engine`` - ``StatEngine``: feed records, ``peek``, ``notify``;
* ``output`` - ``StatsCsvWriter``, ``Notifier`` (stats.csv every 15 minutes and at the end) and
  ``write_stats_csv`` (records in, stats.csv out).
"""

from sim.statserver.stats.definitions import StatType, StatTypes, load_stattypes, parse_stattypes
from sim.statserver.stats.engine import Peek, Row, StatEngine
from sim.statserver.stats.output import COLUMNS, Notifier, StatsCsvWriter, write_stats_csv

__all__ = ["COLUMNS", "Notifier", "Peek", "Row", "StatEngine", "StatType", "StatTypes", "StatsCsvWriter",
           "load_stattypes", "parse_stattypes", "write_stats_csv"]
