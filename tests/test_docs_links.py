"""The documentation points only at what the repository holds (issue 18 part 5).

* every relative link and every repository file path in README.md and docs/ exists;
* no documentation page, ``--help`` text, scenario comment, notebook or source file names a
  document outside the repository (the old design and specification files): docs/relink.py
  would leave each of them unchanged, and nothing else names them;
* docs/reference/ is what docs/make_reference.py renders, and carries every section the
  section map of docs/relink.py sends citations to.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from sim.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, DOCS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module          # make_reference imports relink by name
    spec.loader.exec_module(module)
    return module


relink = _load("relink")
make_reference = _load("make_reference")

PAGES = sorted([ROOT / "README.md", *DOCS.glob("*.md"), *DOCS.glob("*/*.md"), *DOCS.glob("reference/src/*.md")])
# Names of documents outside the repository, in any form relink.py does not rewrite.
OUTSIDE = re.compile(r"\bshared/(?:spec|seed|DESIGN)|(?<![\w/])spec/|\bDESIGN\b|seed/|stat-server-actions-overview")

_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_TOP = ("sim", "tests", "docs", "scenarios", "notebooks", "bench")
_PATH = re.compile(r"(?<![\w./-])((?:\.\./)*(?:" + "|".join(_TOP) + r"|reference|diagrams|img)/[\w./-]*[\w/])")


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _exists(target: str, page: Path) -> bool:
    """A link target or path, relative to the page or the repository; ``a/b.Name`` may name
    ``Name`` in module ``a/b.py``, ``file::test`` a test in a file."""
    target = target.split("#")[0].split("::")[0].rstrip(".")
    candidates = [target, target.rsplit(".", 1)[0] + ".py"] if "." in target else [target]
    return not target or any((base / c).exists() for c in candidates for base in (page.parent, ROOT))


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _outside_names(text: str) -> list[str]:
    """What in ``text`` names a document outside the repository."""
    found = [m.group(0) for m in OUTSIDE.finditer(text)]
    if relink.relink(text) != text:
        old = text.splitlines()
        new = relink.relink(text).splitlines()
        found += [a.strip() for a, b in zip(old, new, strict=False) if a != b] or ["(a citation spanning lines)"]
    return found


# --- links and paths ---------------------------------------------------------------------------
@pytest.mark.parametrize("page", [p for p in PAGES if p.parent.name != "src"], ids=_rel)
def test_every_relative_link_and_path_exists(page: Path):
    """(docs/reference/src/ holds the sources of pages rendered one folder up; the rendered
    pages are checked.)"""
    text = _text(page)
    missing = [t for t in _LINK.findall(text)
               if not re.match(r"[a-z]+:", t) and not t.startswith("#") and not _exists(t, page)]
    missing += [m.group(1) for m in _PATH.finditer(text) if not _exists(m.group(1), page)]
    assert not missing, f"{_rel(page)} points at files the repository does not have: {sorted(set(missing))}"


def test_path_check_catches_a_missing_file():
    page = DOCS / "concepts.md"
    assert not _exists("docs/reference/nothere.md", page)
    assert _exists("reference/actions.md#4-regular-dn-actions", page)
    assert _exists("tests/test_model.py::test_something", page)
    assert [m.group(1) for m in _PATH.finditer("see docs/reference/actions.md §4.6.")] == ["docs/reference/actions.md"]


# --- nothing names a document outside the repository -------------------------------------------
@pytest.mark.parametrize("page", PAGES, ids=_rel)
def test_documentation_names_no_outside_file(page: Path):
    assert not _outside_names(_text(page)), f"{_rel(page)}: {_outside_names(_text(page))}"


def _help_texts():
    parser = build_parser()
    yield "sim", parser.format_help()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, p in sub.choices.items():
        yield f"sim {name}", p.format_help()


def test_help_texts_name_no_outside_file():
    texts = dict(_help_texts())
    assert len(texts) > 5
    bad = {name: _outside_names(text) for name, text in texts.items() if _outside_names(text)}
    assert not bad


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.toml")), ids=_rel)
def test_scenario_comments_name_no_outside_file(path: Path):
    comments = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if "#" in line)
    assert not _outside_names(comments), f"{_rel(path)}: {_outside_names(comments)}"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=_rel)
def test_notebooks_name_no_outside_file(path: Path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(cell["source"]) for cell in cells)
    assert not _outside_names(text), f"{_rel(path)}: {_outside_names(text)}"


def _sources():
    for pattern in ("sim/**/*.py", "sim/data/*", "tests/**/*.py", "bench/**/*.py", "notebooks/*.py",
                    "docs/*.py", "pyproject.toml"):
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and _rel(path) not in relink.SKIP:
                yield path


def test_source_comments_and_strings_name_no_outside_file():
    """Comments, docstrings and messages of the code. `python docs/relink.py` fixes every
    citation it finds (run it after merging work that adds citations)."""
    bad = {}
    for path in _sources():
        found = _outside_names(path.read_text(encoding="utf-8"))
        if found:
            bad[_rel(path)] = found[:3]
    assert not bad, f"{len(bad)} files cite documents outside the repository: {bad}"


def test_citations_land_on_existing_sections():
    """Every `docs/reference/<page>.md §N` in the repository names a section the page has."""
    bad = {}
    for path in [*PAGES, *_sources()]:
        dangling = relink.dangling(path.read_text(encoding="utf-8"))
        if dangling:
            bad[_rel(path)] = dangling
    assert not bad


# --- relink.py ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new"), [
    ("see ../shared/spec/actions.md §4.6", "see docs/reference/actions.md §4.6"),
    ("(spec/tevents.md §11)", "(docs/reference/tevents.md §11)"),
    ("(spec actions.md §3):", "(docs/reference/actions.md §3):"),
    ("stat-types §8 and capacity-references §10.1", "docs/reference/stat-types.md §8 and "
                                                    "docs/reference/capacity-references.md §10.1"),
    ("actions.md OQ-18", "docs/reference/actions.md OQ-18"),
    ("(DESIGN contract 5)", "(docs/reference/contracts.md §5)"),
    ("DESIGN contracts 1, 3, 4, 5", "docs/reference/contracts.md §1, §3, §4, §5"),
    ("(DESIGN\ncontract 1 and 5)", "(docs/reference/contracts.md §1 and §5)"),
    ("fixed in DESIGN.md;", "fixed in docs/reference/contracts.md;"),
    ("DESIGN's data flow", "the data flow of docs/reference/contracts.md §0"),
    ("the spec (../shared/spec) leaves", "the spec (docs/reference) leaves"),
    ("tevents.md \\u00a714 Q6", "docs/reference/tevents.md \\u00a714 Q6"),
    ("/work/shared/spec/stat-types.md §4.5", "docs/reference/stat-types.md §4.5"),
    ("shared/DESIGN.md contract 3", "docs/reference/contracts.md §3"),
    ("(see /work/shared/spec/)", "(see docs/reference)"),
    ("Source: ../seed/stat-server-actions-overview.txt.",
     'Source: the source document (Genesys, "Stat Server Actions").'),
])
def test_relink_rewrites_each_form(old: str, new: str):
    assert relink.relink(old) == new
    assert relink.relink(new) == new                    # idempotent


def test_relink_leaves_other_words_alone():
    text = ("actions of a DN; the actions.jsonl file; docs/reference/actions.md §4.6; "
            "reference/actions.md; tevents(draw); docs/decisions.md")
    assert relink.relink(text) == text


def test_relink_is_idempotent_on_the_repository():
    for path in [*PAGES, *_sources()]:
        once = relink.relink(path.read_text(encoding="utf-8"))
        assert relink.relink(once) == once, _rel(path)


def test_dangling_finds_a_missing_section():
    assert relink.dangling("docs/reference/actions.md §4.6, §4.9 and OQ-30") == ["actions.md 4.9", "actions.md OQ-30"]
    assert relink.dangling("docs/reference/tevents.md §9.1-§9.9; docs/reference/stat-types.md E13") == []


# --- the generated reference -------------------------------------------------------------------
def test_committed_reference_is_the_rendered_one():
    """Regenerate with: python docs/make_reference.py"""
    files = make_reference.render_all()
    out = DOCS / "reference"
    for name, text in files.items():
        assert (out / name).read_text(encoding="utf-8") == text, f"docs/reference/{name} is stale"
    extra = {p.name for p in out.glob("*.md")} - set(files)
    assert not extra, f"pages no source renders: {sorted(extra)}"


def test_every_mapped_section_is_in_its_page():
    pages = make_reference.render_all()
    for (old, sec), (page, new) in relink.SECTION_MAP.items():
        assert make_reference.has_section(pages[Path(page).name], new), f"{old} {sec} -> {page} {new}"


def test_has_section_needs_the_heading():
    assert make_reference.has_section("## 4. X\n### 4.6 Y\n", "4.6")
    assert not make_reference.has_section("## 4. X\nsee §4.6\n", "4.6")
    assert make_reference.has_section("* **OQ-6** restart", "OQ-6")


def test_generated_tables_follow_the_engine_tables():
    """A rule table edit changes the reference: the priority table and call-type matrix."""
    from sim.statserver import rules

    text = make_reference.render_page("actions")
    for rank, status in enumerate(rules.AGENT_PRIORITY, 1):
        assert f"| {rank} | {status} | {rules.STATUS_CODE[status]} |" in text
    for actions in rules.CALL_TYPE_ACTIONS.values():
        assert f"| {actions.durable} | {actions.started} | {actions.completed} |" in text
