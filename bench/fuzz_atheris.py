"""Coverage-guided fuzzing of the user-facing readers with atheris (issue 9 point 3; not in CI).

Usage:
    PYTHONPATH=. .venv/bin/python bench/fuzz_atheris.py TARGET [-runs=N] [-max_total_time=S] [CORPUS_DIR]
    PYTHONPATH=. .venv/bin/python bench/fuzz_atheris.py TARGET --plain [--runs N] [--seed S]

TARGET is one of ``trace`` (bytes -> trace reader -> ActionEngine -> records, as ``sim replay``
does), ``objects`` (bytes as objects.toml), ``scenario`` (bytes as a scenario TOML),
``stattypes`` (bytes as a stat type INI file) or ``all`` (the first byte picks one).

With atheris installed (``pip install atheris``; 3.0 works on this project's Python) the
arguments after TARGET are libFuzzer's. ``--plain`` (or atheris missing) runs the same harness
as a plain loop over random inputs: mutations of the valid seed inputs (byte flips, insertions,
deletions, splices, interesting numbers) and fresh random bytes. Any exception other than the
documented ones (``sim.errors.UserError`` from loaders; ``EngineInputError`` reported as a
problem by the replay path) is a finding: atheris stops and writes the crashing input, the plain
loop prints it and exits 1.
"""

from __future__ import annotations

import io
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

TMP = tempfile.mkdtemp(prefix="fuzz_")


def _imports():
    """Imported under atheris.instrument_imports() when available, for coverage."""
    global UserError, EngineInputError, read_numbered, ActionEngine, build_objects, load_objects
    global load_scenario, parse_stattypes, OBJECTS_CONF
    from conftest import objects as conftest_objects

    from sim.errors import UserError
    from sim.objects import build_objects, load_objects
    from sim.scenario.load import load_scenario
    from sim.statserver.engine import ActionEngine, EngineInputError
    from sim.statserver.stats.definitions import parse_stattypes
    from sim.tlib.trace import read_numbered
    OBJECTS_CONF = conftest_objects()


def fuzz_trace(data: bytes) -> None:
    """Reader + engine, the replay loop of sim/simulation.py without the files."""
    engine = ActionEngine(OBJECTS_CONF)
    problems = []
    for _lineno, ev in read_numbered(io.BytesIO(data), "fuzz.jsonl", problems.append):
        try:
            engine.feed(ev)
        except EngineInputError as exc:
            problems.append(exc)
        engine.problems.clear()


def _file(data: bytes, name: str) -> str:
    path = os.path.join(TMP, name)
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def fuzz_objects(data: bytes) -> None:
    try:
        load_objects(_file(data, "objects.toml"))
    except UserError:
        pass


def fuzz_scenario(data: bytes) -> None:
    try:
        load_scenario(_file(data, "scenario.toml"))
    except UserError:
        pass


def fuzz_stattypes(data: bytes) -> None:
    try:
        parse_stattypes(data.decode("utf-8", "replace"), "fuzz.ini")
    except UserError:
        pass


TARGETS = {"trace": fuzz_trace, "objects": fuzz_objects, "scenario": fuzz_scenario,
           "stattypes": fuzz_stattypes}


def fuzz_all(data: bytes) -> None:
    if data:
        list(TARGETS.values())[data[0] % len(TARGETS)](data[1:])


def seeds(target: str) -> list[bytes]:
    """Valid inputs to start from: a §9 trace, the conftest objects, the shipped scenarios and
    stat type library."""
    import tomli_w
    from conftest import OBJECTS

    from sim.tlib import flows
    from sim.tlib.trace import dumps_event
    f = flows.FlowBuilder(step=0.5)
    flows.standard_connect(f)
    flows.login_session(f)
    flows.inbound_via_queue(f)
    flows.two_step_transfer(f)
    flows.link_loss(f)
    out = {"trace": [b"\n".join(dumps_event(e) for e in f.events)],
           "objects": [tomli_w.dumps(OBJECTS).encode()],
           "scenario": [p.read_bytes() for p in sorted((ROOT / "scenarios").glob("*.toml"))
                        if p.stem != "large_day"],
           "stattypes": [(ROOT / "sim" / "data" / "stattypes.ini").read_bytes()]}
    if target == "all":
        return [bytes([i]) + s for i, t in enumerate(TARGETS) for s in out[t]]
    return out[target]


INTERESTING = [b"0", b"-1", b"1e308", b"18446744073709551616", b"NaN", b"null", b"true", b"[]",
               b"{}", b'""', b"\xff", b"\x00", b"\n", b"=", b"[", b"]", b",", b'"', b"9999", b"SW9"]


def mutate(rng: random.Random, data: bytes, pool: list[bytes]) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(6)
        i = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(i, len(b) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            b[i:i] = rng.choice(INTERESTING)
        elif op == 2 and b:
            del b[i:i + rng.randint(1, 16)]
        elif op == 3:
            other = rng.choice(pool)
            j = rng.randrange(len(other) + 1)
            b[i:i] = other[j:j + rng.randint(1, 64)]
        elif op == 4 and b:
            j = rng.randrange(len(b))
            b[i:i] = b[j:j + rng.randint(1, 32)]       # duplicate a piece (lines, keys, seq)
        else:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(b)


def plain(target: str, runs: int, seed: int) -> int:
    _imports()
    fn = fuzz_all if target == "all" else TARGETS[target]
    pool = seeds(target)
    rng = random.Random(seed)
    for n in range(runs):
        data = (bytes(rng.randrange(256) for _ in range(rng.randint(0, 200))) if n % 10 == 0
                else mutate(rng, rng.choice(pool), pool))
        try:
            fn(data)
        except Exception as exc:  # noqa: BLE001 - a finding
            print(f"run {n}: {type(exc).__name__}: {exc}\ninput: {data!r}")
            raise
    print(f"{target}: {runs} random inputs, no unhandled exception")
    return 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in (*TARGETS, "all"):
        print(__doc__)
        return 2
    target, rest = argv[0], argv[1:]
    try:
        import atheris
    except ImportError:
        atheris = None
    if "--plain" in rest or atheris is None:
        if atheris is None:
            print("atheris is not installed: running the plain random-input loop", file=sys.stderr)
        runs = int(rest[rest.index("--runs") + 1]) if "--runs" in rest else 10_000
        seed = int(rest[rest.index("--seed") + 1]) if "--seed" in rest else 1
        return plain(target, runs, seed)
    with atheris.instrument_imports():
        _imports()
    corpus = [a for a in rest if not a.startswith("-")]
    if corpus:                                   # seed the corpus folder with the valid inputs
        os.makedirs(corpus[0], exist_ok=True)
        for i, s in enumerate(seeds(target)):
            Path(corpus[0], f"seed{i}").write_bytes(s)
    fn = fuzz_all if target == "all" else TARGETS[target]
    atheris.Setup([sys.argv[0], *rest], fn)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
