"""The bad-input catalogue, case by case (issue 9 point 4; docs/reference/contracts.md §1 and §5).

Every case of ``tests/errors_catalogue.py`` runs ``sim.cli.main(argv)`` in a fresh folder: exit
code 2, stderr exactly the catalogued lines (one per problem, naming the file and the place),
no traceback; for trace lines, the valid events around the bad one are still processed (the
actions equal those of the trace without the bad line, or the event itself is kept). And
``docs/errors.md`` is what ``docs/make_errors_doc.py`` renders from the catalogue.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest
from errors_catalogue import AREAS, BAD_LINE, CASES, REPLAY, TRACE, Case

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent


def write_files(folder: Path, files: dict) -> None:
    for name, content in files.items():
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content)


def run_case(case: Case, folder: Path) -> tuple[int, str, str]:
    """Run one case in ``folder``: (exit code, stdout, stderr)."""
    write_files(folder, case.files)
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(case.argv))
            except SystemExit as exc:         # argparse usage errors
                code = exc.code if isinstance(exc.code, int) else 2
            except Exception:                 # what the user would see: a traceback
                traceback.print_exc(file=err)
                code = 1
    finally:
        os.chdir(cwd)
    return code, out.getvalue(), err.getvalue()


_clean: dict[str, bytes] = {}


def clean_actions(tmp_path_factory) -> bytes:
    """actions.jsonl of the valid trace alone (computed once)."""
    if "actions" not in _clean:
        d = tmp_path_factory.mktemp("clean")
        (d / "events.jsonl").write_text("\n".join(TRACE) + "\n")
        from errors_catalogue import OBJECTS
        (d / "objects.toml").write_text(OBJECTS)
        code, _, err = run_case(Case("clean", "trace", "", {}, REPLAY, []), d)
        assert code == 0 and err == "", err
        _clean["actions"] = (d / "out" / "actions.jsonl").read_bytes()
    return _clean["actions"]


def _param(case: Case):
    marks = [pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: Case, tmp_path, tmp_path_factory):
    code, out, err = run_case(case, tmp_path)
    assert "Traceback" not in err
    assert err.splitlines() == [line.replace("{dir}", str(tmp_path.resolve())) for line in case.stderr]
    assert code == case.code
    assert all(line.strip() for line in case.stderr)
    if case.area == "trace":
        assert all(line.startswith(f"events.jsonl:{BAD_LINE}: ") for line in case.stderr)
        events = int(out.split()[2])      # "sim replay: N events over ..."
        if case.around == "dropped":
            assert events == len(TRACE)
            assert (tmp_path / "out" / "actions.jsonl").read_bytes() == clean_actions(tmp_path_factory)
        else:
            assert events == len(TRACE) + 1
            actions = (tmp_path / "out" / "actions.jsonl").read_text()
            assert '"NotReadyForNextCall"' in actions and '"WaitForNextCall"' in actions


def test_catalogue_size_and_ids():
    """At least 50 cases over all five areas; ids are unique."""
    assert len(CASES) >= 50
    assert {c.area for c in CASES} == set(AREAS)
    assert len({c.id for c in CASES}) == len(CASES)
    for area in AREAS:
        assert sum(c.area == area for c in CASES) >= 5, area


def test_errors_doc_is_rendered_from_the_catalogue():
    """docs/errors.md == the output of docs/make_errors_doc.py (regenerate with --write)."""
    rendered = subprocess.run([sys.executable, str(ROOT / "docs" / "make_errors_doc.py"), "--print"],
                              capture_output=True, text=True, check=True).stdout
    assert (ROOT / "docs" / "errors.md").read_text() == rendered
