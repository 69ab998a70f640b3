"""Hostile inputs made from real policy files: structural edits and hostile values per field type.

An input is a small policy tree: one *target* file, mutated, checked beside a few unmodified
*sibling* files from the same seed corpus (so that references resolve and the graph has edges).
Every mutation is drawn through Hypothesis, so a failing input shrinks to a small one and a
campaign is reproducible from its seed.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
SEED_ROOTS = (REPO / "policies", REPO / "tests" / "fixtures")


def seed_files() -> dict[str, str]:
    """Every seed policy file by its path relative to the repository, in a stable order."""
    files: dict[str, str] = {}
    for root in SEED_ROOTS:
        for path in sorted(root.rglob("*.y*ml")):
            if path.is_file() and not path.is_symlink():
                files[path.relative_to(REPO).as_posix()] = path.read_text(encoding="utf-8")
    return files


# Hostile values, by the kind of value they replace. Each class of issue 13 is represented.
CONTROL = ["\x1b]0;pwned\x07", "\x1b[2J\x1b[31mred", "a\x00b", "\x9b31m", "line\u2028break", "nel\x85x", "\r\nfake: 1"]
HOSTILE_STRINGS = [
    *CONTROL,
    "",
    " ",
    "x" * 5000,
    "1e999",
    "-1e999",
    ".nan",
    "null",
    "~",
    "no",
    "on",
    "0x1F",
    "0o17",
    "010",
    "1_000",
    "02:00",
    "25:61",
    "24:00",
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-12:00",
    "2026-02-30",
    "2026-03-29T01:30:00",
    "💥" * 40,
    "../../../etc/passwd",
    "{{ 7*7 }}",
    "<script>alert(1)</script>",
    "`rm -rf /`",
    "%0A::error::x",
    "\ud800",
]
HOSTILE_DURATIONS = [
    "0s",
    "1s",
    "999999999d",
    "1000000000w",
    "99999999999999999999h",
    "1h1h",
    "-5m",
    "4 h",
    "1.5h",
    "P1D",
]
HOSTILE_RRULES = [
    "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=31",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=DAILY;INTERVAL=99999999999999999999",
    "FREQ=WEEKLY;BYDAY=SU;UNTIL=00010101T000000Z",
    "FREQ=WEEKLY;BYDAY=SU;COUNT=0",
    "FREQ=WEEKLY;BYDAY=XX",
    "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR",
    "FREQ=HOURLY;BYHOUR=25",
    "RRULE:FREQ=DAILY",
    "FREQ=DAILY;UNTIL=99991231T235959Z",
    "",
]
HOSTILE_NUMBERS: list[Any] = [
    0,
    -1,
    1,
    5,
    100,
    10**30,
    -(10**30),
    0.0,
    1e-300,
    99.9999999999999999,
    100.0000001,
    float("inf"),
    True,
]
HOSTILE_DATES: list[Any] = [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1970, 1, 1), dt.date(2100, 2, 28)]
HOSTILE_SHAPES: list[Any] = [None, [], {}, [[[[[]]]]], {"a": {"b": {"c": {}}}}, ["x"] * 50]

DOCUMENT_TEMPLATES = ("apiVersion", "kind", "metadata", "spec")


@dataclass
class Tree:
    """One fuzz input: the files of a small policy tree, by relative path."""

    files: dict[str, bytes]
    as_of: dt.date
    render: bool = False
    notes: list[str] = field(default_factory=list)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into a parsed document (mappings and sequences)."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def _set(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _get(root, path[:-1])[path[-1]] = value
    return root


def _delete(root: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return None
    parent = _get(root, path[:-1])
    del parent[path[-1]]
    return root


def _hostile_for(value: Any, key: Any) -> st.SearchStrategy[Any]:
    """Hostile replacements suited to what ``value`` (under ``key``) is."""
    key_text = str(key).lower()
    pools: list[list[Any]] = [HOSTILE_SHAPES, HOSTILE_STRINGS]
    if "rrule" in key_text:
        pools.insert(0, HOSTILE_RRULES)
    if any(
        w in key_text for w in ("every", "duration", "rto", "rpo", "response", "restore", "after", "cadence", "within")
    ):
        pools.insert(0, HOSTILE_DURATIONS)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        pools.insert(0, HOSTILE_NUMBERS)
    if isinstance(value, (dt.date, dt.datetime)) or "test" in key_text or key_text in {"start", "end", "at"}:
        pools.insert(0, [*HOSTILE_DATES, "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
    return st.sampled_from(pools).flatmap(st.sampled_from)


@st.composite
def mutate_document(draw: st.DrawFn, document: Any) -> Any:
    """One structural or value mutation of a parsed document."""
    document = copy.deepcopy(document)
    paths = _paths(document)
    path = draw(st.sampled_from(paths))
    operation = draw(st.sampled_from(["replace", "replace", "replace", "delete", "duplicate", "nest", "rename"]))
    if operation == "replace":
        current = _get(document, path)
        return _set(document, path, draw(_hostile_for(current, path[-1] if path else "")))
    if operation == "delete":
        return _delete(document, path)
    if operation == "duplicate":
        current = _get(document, path)
        if isinstance(current, list):
            current.extend(copy.deepcopy(current) * draw(st.integers(1, 3)))
        elif isinstance(current, dict) and current:
            key = draw(st.sampled_from(sorted(current, key=str)))
            current[f"{key}{draw(st.sampled_from(['', 'x', 'Ref', '_']))}"] = copy.deepcopy(current[key])
        return document
    if operation == "nest":
        current = _get(document, path)
        depth = draw(st.integers(1, 60))
        for _ in range(depth):
            current = [current] if draw(st.booleans()) else {"x": current}
        return _set(document, path, current)
    # rename a key to a hostile or near-miss one
    if path and isinstance(_get(document, path[:-1]), dict):
        parent = _get(document, path[:-1])
        new_key = draw(st.sampled_from([*HOSTILE_STRINGS[:10], f"{path[-1]}s", str(path[-1])[:-1], 1e999, 10**20]))
        parent[new_key] = parent.pop(path[-1])
    return document


def _dump(documents: list[Any]) -> str:
    return yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False, width=10**6)


HOSTILE_TEXTS = [
    (
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    ),
    "!!python/object/apply:os.system [echo pwned]\n",
    "<<: *undefined\n",
    "key: value\nkey: other\n",
    "\t- tab\n",
    "[" * 5000,
    "--- a\n" * 2000,
    "- x\n" * 20000,
    "%YAML 1.1\n---\nx: 1\n",
    "? [a, b]\n: c\n",
    "x: !!binary aGVsbG8=\n",
]


@st.composite
def mutate_text(draw: st.DrawFn, text: str) -> bytes:
    """A byte-level mutation of a file's text."""
    data = text.encode("utf-8")
    operation = draw(st.sampled_from(["truncate", "insert", "crlf", "bom", "append", "indent", "invalid-utf8"]))
    if operation == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if operation == "insert":
        at = draw(st.integers(0, len(data)))
        chunk = draw(st.binary(max_size=12) | st.sampled_from([t.encode() for t in HOSTILE_TEXTS]))
        return data[:at] + chunk + data[at:]
    if operation == "crlf":
        return data.replace(b"\n", b"\r\n")
    if operation == "bom":
        return b"\xef\xbb\xbf" + data
    if operation == "append":
        return data + b"\n---\n" + draw(st.sampled_from(HOSTILE_TEXTS)).encode()
    if operation == "indent":
        lines = data.split(b"\n")
        index = draw(st.integers(0, max(0, len(lines) - 1)))
        lines[index] = b" " * draw(st.integers(0, 7)) + lines[index].lstrip()
        return b"\n".join(lines)
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"])) + data[at:]


HOSTILE_NAMES = ["x.yaml", "e\x1b]0;t\x07.yaml", "new\nline.yaml", "bad\udcff.yaml", "sp ace.yaml", "\u2028.yml"]


@st.composite
def trees(draw: st.DrawFn, seeds: dict[str, str]) -> Tree:
    """A small tree: a mutated target file and up to five untouched siblings."""
    names = sorted(seeds)
    target = draw(st.sampled_from(names))
    siblings = draw(st.lists(st.sampled_from(names), max_size=5, unique=True))
    text = seeds[target]
    data: bytes
    if draw(st.integers(0, 4)) == 0:
        data = draw(mutate_text(text))
    else:
        try:
            documents = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError:
            documents = []
        if not documents:
            data = draw(mutate_text(text))
        else:
            for _ in range(draw(st.integers(1, 3))):
                index = draw(st.integers(0, len(documents) - 1))
                documents[index] = draw(mutate_document(documents[index]))
            try:
                data = _dump(documents).encode("utf-8", "surrogatepass")
            except (yaml.YAMLError, RecursionError, OverflowError):
                data = text.encode()
            if draw(st.integers(0, 5)) == 0:
                data = draw(mutate_text(data.decode("utf-8", "replace")))
    files = {f"siblings/{i}-{Path(n).name}": seeds[n].encode() for i, n in enumerate(siblings) if n != target}
    target_name = draw(st.sampled_from(HOSTILE_NAMES)) if draw(st.integers(0, 9)) == 0 else Path(target).name
    files[f"target/{target_name}"] = data
    as_of = draw(
        st.sampled_from([dt.date(2026, 11, 26), dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2024, 2, 29)])
    )  # the --as-of bounds themselves are tested in tests/hostile/; here the dates are ordinary
    return Tree(
        files=files, as_of=as_of, render=draw(st.sampled_from([False] * 19 + [True])), notes=[target, *siblings]
    )
