"""Reading log text into TEvents, one small reader per log form.

* :mod:`~sim.tlib.logforms.tserver` - T-Server and SIP Server logs (``message EventX`` blocks),
  also the text :func:`sim.tlib.tserverlog.write_log` writes;
* :mod:`~sim.tlib.logforms.urs` - router logs (``request to N(App) message
  RequestDistributeEvent`` blocks become the event T-Server distributes);
* :mod:`~sim.tlib.logforms.sdk` - Platform SDK client logs (``Proxy got message 'EventX' ('NN')``);
* :mod:`~sim.tlib.logforms.common` - values, key-value lists, clocks and the import summary;
* :mod:`~sim.tlib.logforms.reader` - the dispatcher that detects the form of each block.

The forms are described for users in docs/formats.md (the import-log section).
"""

from sim.tlib.logforms.common import Summary
from sim.tlib.logforms.reader import read_log

__all__ = ["Summary", "read_log"]
