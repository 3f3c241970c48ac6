"""The README shows output of the current code and carries the exact CI test command."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_explain_excerpt_and_plot_are_the_generated_ones():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippets = (ROOT / "docs" / "README-snippets.md").read_text(encoding="utf-8")
    start = snippets.index("```text")
    block = snippets[start:snippets.index("```", start + 7) + 3]
    assert block in readme
    assert "(docs/img/state_timeline.png)" in readme and (ROOT / "docs/img/state_timeline.png").exists()


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = [line for line in ci.splitlines() if line.startswith("python3 -m venv")][0]
    assert f"\n{command}\n" in readme
    assert readme.count("python3 -m venv .venv &&") == 2      # exactly two set-up commands
