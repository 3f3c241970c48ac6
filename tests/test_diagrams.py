"""Diagrams drawn from the rule tables (issue 7): the committed files in docs/diagrams are what
the tables give today, and a change of a table changes the picture (docs/reference/actions.md §4.1, §4.4-§4.6,
§5.2-§5.3, §8.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.report import diagrams
from sim.statserver import rules as R

DOCS = Path(__file__).resolve().parent.parent / "docs" / "diagrams"


def test_committed_diagrams_are_up_to_date():
    """Regenerate with: python -m sim.report.diagrams --out docs/diagrams"""
    files = diagrams.render_all()
    for name, text in files.items():
        path = DOCS / name
        assert path.exists(), f"{path} missing: run python -m sim.report.diagrams"
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run python -m sim.report.diagrams"
    extra = {p.name for p in DOCS.iterdir() if p.suffix in (".mmd", ".dot")} - set(files)
    assert not extra, f"files no table generates: {sorted(extra)}"


def test_every_agent_state_rule_is_drawn():
    """§4.1: every agent-state event and every registration AgentStatus appears."""
    text = diagrams.to_mermaid(diagrams.agent_states())
    for key, rule in R.AGENT_STATE_EVENTS.items():
        assert diagrams._event_label(key) in text
        if rule.starts:
            for src in rule.ends:
                if src != rule.starts:
                    assert f"{src} --> {rule.starts} : {diagrams._event_label(key)}" in text
    for status in R.AGENT_STATUS_RULES:
        assert status.name in text


def test_every_release_outcome_is_drawn():
    """§4.4, §4.6, OQ-10: every retrospective of the ringing / dialing / hold tables."""
    text = diagrams.to_mermaid(diagrams.call_leg())
    for table in (R.RINGING_ENDED_BY_RELEASE, R.DIALING_ENDED_BY_RELEASE, R.HOLD_ENDED_BY_RELEASE):
        for state, retro in table.items():
            assert (retro or "no retrospective") in text
            if state != "*":
                assert state.name in text
    for a in R.CALL_TYPE_ACTIONS.values():
        assert a.durable in text


def test_every_mediation_outcome_is_drawn():
    text = diagrams.to_mermaid(diagrams.mediation_call())
    for outcome in R.CALL_WAIT_ENDED_BY.values():
        assert outcome in text
    for action, _kind in R.TREATMENT_EVENTS.values():
        assert action in text
    for reflected in R.REFLECTED_RINGING_OUTCOME.values():
        assert reflected in text


def test_priority_chain_follows_the_table():
    """§8.2: the flowchart is the priority table, lowest to highest, with status codes."""
    d = diagrams.status_priority()
    assert list(d.states) == list(R.AGENT_PRIORITY)
    assert [(a, b) for a, b, _ in d.edges] == list(zip(R.AGENT_PRIORITY, R.AGENT_PRIORITY[1:], strict=False))
    assert "CallInbound (22)" in diagrams.to_mermaid(d)


def test_a_table_change_changes_the_picture(monkeypatch):
    from sim.tlib.codes import CallState
    table = dict(R.RINGING_ENDED_BY_RELEASE)
    table[CallState.Busy] = "CallBusyTest"
    legs = dict(R.LEG_ACTIONS)     # the row the engine reads on EventReleased
    legs["ringing"] = legs["ringing"]._replace(ended_by_release=table)
    monkeypatch.setattr(R, "LEG_ACTIONS", legs)
    assert "CallBusyTest" in diagrams.to_mermaid(diagrams.call_leg())
    assert "CallBusyTest" in diagrams.to_dot(diagrams.call_leg())


def test_diagram_events_must_be_dispatched(monkeypatch):
    """A diagram cannot show an event the engine no longer handles."""
    from sim.statserver import regular
    dispatch = dict(regular.DISPATCH)
    del dispatch["EventHeld"]
    monkeypatch.setattr(regular, "DISPATCH", dispatch)
    with pytest.raises(RuntimeError, match="EventHeld"):
        diagrams.call_leg()


def test_mermaid_text_avoids_reserved_characters():
    for f in diagrams.DIAGRAMS:
        for line in diagrams.to_mermaid(f()).splitlines()[4:]:
            body = line.split(" : ", 1)[1] if " : " in line else ""
            assert ":" not in body and ";" not in body and "#" not in body


def test_dot_is_balanced(tmp_path):
    paths = diagrams.write_all(str(tmp_path))
    assert len(paths) == 2 * len(diagrams.DIAGRAMS) + 1
    for p in paths:
        if p.endswith(".dot"):
            text = Path(p).read_text()
            assert text.count("{") == text.count("}")
            assert text.count('"') % 2 == 0
