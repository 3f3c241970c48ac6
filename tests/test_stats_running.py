"""The records running on an aggregate (stats/aggregates.py ``Agg``): the oldest is kept in the
Agg itself and the others in a dict (docs/decisions.md, "An aggregate keeps its oldest running
record in itself"). What the current categories read must be what one ordered dict gave:
every running record once, oldest first (docs/reference/stat-types.md §4.4: CurrentNumber, CurrentTime and
the CurrentState tree's running actions), and instance ids that compare by value."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.statserver.stats.aggregates import Agg, Running, Shape
from sim.statserver.stats.profiles import TimeRange

ALL = TimeRange("all", 0, 2**62)


def agg() -> Agg:
    return Agg(Shape((), False, ALL))


def run(t: float, name: str = "CallInbound") -> Running:
    return Running(name, t, t, None, None)


def test_running_order_is_start_order_across_the_inline_slot_and_the_dict():
    a = agg()
    a.open(1, run(10.0))
    a.open(2, run(20.0))
    a.close(1, 30.0)              # the inline (oldest) one ends while another runs
    a.open(3, run(40.0))          # so the newcomer goes after 2, not into the free slot
    assert [r.start for r in a.runs()] == [20.0, 40.0]
    assert [k for k, _ in a.running_items()] == [2, 3]
    a.close(2, 50.0)
    a.close(3, 60.0)
    assert a.runs() == [] and a.n == 0
    a.open(4, run(70.0))          # all ended: the next one is the oldest again
    a.open(5, run(80.0))
    assert [k for k, _ in a.running_items()] == [4, 5]
    assert a.ages(100.0) == [30, 20]


def test_instance_ids_compare_by_value_not_identity():
    a = agg()
    big = 10**12                  # ints this large are new objects each time they are made
    a.open(int(str(big)), run(1.0))
    a.open(int(str(big)), run(2.0))       # the same instance: not a second record
    assert a.n == 1
    a.close(int(str(big)), 3.0)
    assert a.n == 0 and a.runs() == []


def test_status_episodes_are_keyed_by_identity():
    class Episode:                # stands for an ObjectStatus: no __eq__, hashed by identity
        pass

    a = agg()
    e1, e2 = Episode(), Episode()
    a.open(e1, run(1.0, "WaitForNextCall"))
    a.open(e2, run(2.0, "WaitForNextCall"))
    assert a.n == 2
    a.switch(e1, run(3.0, "NotReadyForNextCall"))   # close + open: goes last
    assert [r.name for r in a.runs()] == ["WaitForNextCall", "NotReadyForNextCall"]
    a.close(e2, 4.0)
    a.close(e1, 5.0)
    assert a.n == 0


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 6)), max_size=60))
def test_running_records_equal_an_ordered_dict(ops):
    """Any sequence of opens, closes and switches leaves the same records, in the same order,
    as a plain dict (insertion order) would."""
    a, model = agg(), {}
    for t, (opening, key) in enumerate(ops):
        if opening:
            if key in model:
                r = run(float(t))
                a.switch(key, r)          # close + open at one instant
                del model[key]
                model[key] = r
            else:
                r = run(float(t))
                a.open(key, r)
                model[key] = r
        else:
            a.close(key, float(t))
            model.pop(key, None)
        assert a.running_items() == list(model.items())
        assert a.n == len(model)
