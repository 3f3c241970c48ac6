"""Point every citation of a document outside the repository at the project's own reference.

The project's code, tests and docs used to cite design and specification files that users of
the project do not have (``DESIGN.md`` and its "contract N", ``spec/actions.md``,
``spec/tevents.md``, ``stat-types.md``, ``capacity-references.md``). Their facts now live in
``docs/reference/``, whose pages keep the section numbers of those files, so a citation such as
``actions.md §4.6`` becomes ``docs/reference/actions.md §4.6`` and a bare ``§4.6`` next to it
keeps its meaning. :data:`SECTION_MAP` is the map from every old section to its new place;
``docs/make_reference.py`` renders the reference with exactly those sections, and
tests/test_docs_links.py checks both.

Usage::

    python docs/relink.py                 # rewrite every group (docs, readme, scenarios, ...)
    python docs/relink.py docs scenarios  # only these groups
    python docs/relink.py --check         # list what would change; exit 1 if anything would

The rewrite is idempotent: a citation already pointing into docs/reference/ is left alone.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REF = "docs/reference"

#: old document (as cited) -> page of the reference that replaces it
PAGES = {
    "actions": f"{REF}/actions.md",
    "tevents": f"{REF}/tevents.md",
    "stat-types": f"{REF}/stat-types.md",
    "capacity-references": f"{REF}/capacity-references.md",
    "DESIGN": f"{REF}/contracts.md",
}

#: the sections of each old document, in order. The reference page of the same name carries
#: each of them under the same number (the identity map below); "OQ-n" / "Qn" are the entries
#: of the open-questions section, "A" / "B" appendices.
OLD_SECTIONS = {
    "actions": (
        "0 1 2 3 3.1 3.2 3.3 3.4 4 4.1 4.2 4.3 4.4 4.5 4.6 4.7 4.7.1 4.7.2 4.7.3 4.7.4 5 5.1 5.2 "
        "5.3 5.4 6 7 8 8.1 8.2 8.3 8.3.1 8.3.2 8.3.3 8.3.4 8.3.5 8.3.6 8.3.7 8.3.8 8.3.9 8.4 8.5 "
        "8.6 8.7 9 9.1 9.2 10 11 12 13 A B " + " ".join(f"OQ-{i}" for i in range(1, 24))),
    "tevents": (
        "0 1 2 3 4 4.1 4.2 4.3 5 5.1 5.2 5.3 5.4 5.5 5.6 5.7 5.8 5.9 5.10 6 7 7.1 7.2 7.3 7.4 8 9 "
        "9.1 9.2 9.3 9.4 9.5 9.6 9.7 9.8 9.9 9.10 9.11 9.12 9.13 9.14 10 11 11.1 11.2 11.3 11.4 "
        "11.5 11.6 11.7 12 13 14 " + " ".join(f"Q{i}" for i in range(1, 15))),
    "stat-types": (
        "0 1 2 2.1 2.2 2.3 2.4 3 4 4.1 4.2 4.3 4.4 4.5 4.6 4.7 4.8 4.9 5 6 7 8 9 10 10.1 11 11.1 "
        "11.2 12 13 " + " ".join(f"E{i}" for i in (1, 2, 3, 6, 7, 8, 9, 10, 11, 13))
        + " " + " ".join(f"Q{i}" for i in range(1, 18))),
    "capacity-references": "0 1 2 3 4 5 5.1 5.2 6 6.1 7 8 9 10 10.1 10.2 10.3",
    "DESIGN": "0 1 2 3 4 5",
}

#: (old document, old section) -> (reference page, section). Sections keep their numbers;
#: DESIGN's data flow is §0 of contracts.md and its "Contract N" is §N.
SECTION_MAP: dict[tuple[str, str], tuple[str, str]] = {
    (doc, sec): (PAGES[doc], sec) for doc, secs in OLD_SECTIONS.items() for sec in secs.split()
}

#: file groups: name -> (globs under ROOT). ``sources`` is applied last and alone (other work
#: edits those files in parallel). docs/errors.md (rendered from tests/errors_catalogue.py)
#: and docs/diagrams/README.md (rendered by sim/report/diagrams.py) move with the sources, so
#: a generated file and its generator always say the same.
GROUPS = {
    "docs": ("docs/*.md", "docs/diagrams/*.md", "docs/*.py"),
    "readme": ("README.md",),
    "scenarios": ("scenarios/*.toml",),
    "notebooks": ("notebooks/*.ipynb", "notebooks/*.py"),
    "sources": ("sim/**/*.py", "sim/data/*", "tests/**/*.py", "bench/**/*.py", "pyproject.toml",
                "docs/errors.md", "docs/diagrams/README.md"),
}
SKIP = {"docs/relink.py", "docs/make_reference.py", "tests/test_docs_links.py"}
LATE = {"docs/errors.md", "docs/diagrams/README.md"}   # generated from sources (above)

_NAME = r"(?P<doc>actions|tevents|stat-types|capacity-references)"
# the folder of the outside documents, as a path (../shared/, /work/shared/)
_SPEC_DIR = re.compile(r"(?<![\w.-])(?:\.\./|/work/)?shared/spec\b/?(?![\w.-])")
_SHARED = re.compile(r"(?<![\w.-])(?:\.\./|/work/)?shared/(?=spec/|DESIGN|seed/)")
# the source document's file; it is cited by its title instead
_SEED = re.compile(r"(?<![\w.-])(?:\.\./)*seed/stat-server-actions-overview\.txt")
SOURCE_DOCUMENT = 'the source document (Genesys, "Stat Server Actions")'
# a cited file name: optional spec/ prefix, not already under a directory
# (markdown links such as [actions §4](actions.md) inside docs/reference/ are left alone)
_FILE = re.compile(r"(?<![\w/.\[-])(?<!\]\()(?:spec\s+)?(?:spec/)?" + _NAME + r"\.md\b")
# the name without .md, only when a section follows ("stat-types §8", "actions §8.5")
_BARE = re.compile(r"(?<![\w/.\[-])" + _NAME + r"(?=\s(?:§|OQ-\d|Q\d|Appendix\b))")
_DESIGN_CONTRACTS = re.compile(
    r"\bDESIGN(?:\.md)?(?:'s)?\s+contracts?\s+(?P<nums>\d(?:(?:,\s*|\s+and\s+)\d)*)")
_DESIGN_FLOW = re.compile(r"\bDESIGN(?:\.md)?'s data flow\b")
_DESIGN_FILE = re.compile(r"(?<![\w/.-])DESIGN(?:\.md\b|'s\b|\b)(?!\s+contracts?\s+\d)")


def _contracts(m: re.Match[str]) -> str:
    nums = re.sub(r"(\d)", r"§\1", m.group("nums"))
    return f"{PAGES['DESIGN']} {nums}"


def _design(m: re.Match[str]) -> str:
    return f"{PAGES['DESIGN']}'s" if m.group(0).endswith("'s") else PAGES["DESIGN"]


def relink(text: str) -> str:
    """``text`` with every citation of an outside document pointing into docs/reference/."""
    text = _SPEC_DIR.sub(REF, text)
    text = _SHARED.sub("", text)
    text = _SEED.sub(SOURCE_DOCUMENT, text)
    text = _FILE.sub(lambda m: PAGES[m.group("doc")], text)
    text = _BARE.sub(lambda m: PAGES[m.group("doc")], text)
    text = _DESIGN_CONTRACTS.sub(_contracts, text)
    text = _DESIGN_FLOW.sub(f"the data flow of {PAGES['DESIGN']} §0", text)
    text = _DESIGN_FILE.sub(_design, text)
    return text


_CITED = re.compile(re.escape(REF) + r"/(?P<page>[\w-]+)\.md(?P<secs>(?:[ ,–-]*(?:and )?"
                    r"(?:§\s?[\d.]*\d|OQ-\d+|Q\d+|E\d+|Appendix [AB]))*)")


def dangling(text: str) -> list[str]:
    """Citations into docs/reference/ naming a section the reference does not have."""
    known = {(Path(page).stem, sec) for page, sec in SECTION_MAP.values()}
    bad = []
    for m in _CITED.finditer(text):
        page = m.group("page")
        for sec in re.findall(r"§\s?([\d.]*\d)|(OQ-\d+)|(Q\d+)|(E\d+)|Appendix ([AB])", m.group("secs")):
            name = next(s for s in sec if s)
            if (page, name) not in known and page != "README":
                bad.append(f"{page}.md {name}")
    return bad


def files(groups: list[str]) -> list[Path]:
    out: list[Path] = []
    for group in groups:
        for pattern in GROUPS[group]:
            for path in sorted(ROOT.glob(pattern)):
                rel = path.relative_to(ROOT).as_posix()
                if not path.is_file() or rel in SKIP or ".venv" in path.parts:
                    continue
                if rel in LATE and group != "sources":
                    continue
                if path not in out:
                    out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Point citations of outside documents at docs/reference/.")
    p.add_argument("groups", nargs="*", metavar="GROUP",
                   help=f"file groups to rewrite: {', '.join(GROUPS)} (default: all)")
    p.add_argument("--check", action="store_true", help="only list the files that would change")
    args = p.parse_args(argv)
    unknown = [g for g in args.groups if g not in GROUPS]
    if unknown:
        p.error(f"unknown group {unknown[0]!r} (choose from {', '.join(GROUPS)})")
    changed = []
    for path in files(args.groups or list(GROUPS)):
        try:
            old = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        new = relink(old)
        rel = path.relative_to(ROOT).as_posix()
        for bad in dangling(new):
            print(f"{rel}: cites {bad}, which the reference does not have", file=sys.stderr)
        if new != old:
            changed.append(rel)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    for rel in changed:
        print(("would rewrite " if args.check else "rewrote ") + rel)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
