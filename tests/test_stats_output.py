"""stats.csv is formatted by StatsCsvWriter itself: byte for byte what csv.writer writes."""

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from sim.statserver.stats import StatsCsvWriter
from sim.statserver.stats.engine import Row, whole

names = st.text(st.sampled_from('ab ,"\r\n\t;=:x'), max_size=6)
values = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=True), names)


def _expected(rows: list[Row]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(("time", "stat_type", "object_type", "object", "time_profile", "value", "valid"))
    for r in rows:
        w.writerow((whole(round(r.time, 6)), r.stat_type, r.object_type, r.object, r.time_profile,
                    whole(r.value), 1 if r.valid else 0))
    return buf.getvalue()


@given(st.lists(st.tuples(st.sampled_from([1767571200.0, 1767572100.5, 1767572100.1234567]),
                          names, names, names, names, values, st.booleans()), max_size=20))
def test_rows_are_written_as_csv_writer_writes_them(raw):
    rows = [Row(*r) for r in sorted(raw, key=lambda r: r[0])]
    buf = io.StringIO()
    writer = StatsCsvWriter(buf)
    writer.write_rows(rows)
    assert buf.getvalue() == _expected(rows)
    assert writer.rows == len(rows)
