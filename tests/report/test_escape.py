"""The one escaping helper: what is escaped, how it reads, and JSON that keeps the data exact."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relpolicy.report.escape import UNSAFE, json_text, visible, visible_lines


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("a\tb\nc\rd", "a\\tb\\nc\\rd"),
        ("\x00\x7f\x85\x9b", "\\x00\\x7f\\x85\\x9b"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("\u202eevil\u2066", "\\u202eevil\\u2066"),
        ("\ufffe\uffff", "\\ufffe\\uffff"),
        ("caf\udce9", "caf\\xe9"),
        ("lone \ud800", "lone \\ud800"),
        ("plain, ünïcödé, emoji 🙂 and a \\ backslash", "plain, ünïcödé, emoji 🙂 and a \\ backslash"),
    ],
)
def test_visible(raw: str, shown: str) -> None:
    """Controls read as in a Python literal; an undecodable byte as its own ``\\xNN``; the rest is untouched."""
    assert visible(raw) == shown


def test_visible_lines_keeps_line_feeds() -> None:
    """Multi-line bodies keep their own line breaks and escape the rest."""
    assert visible_lines("a\x1b\nb\r") == "a\\x1b\nb\\r"


@given(st.text())
def test_visible_leaves_nothing_unsafe(text: str) -> None:
    """Whatever the text, the result has no unsafe character and encodes as UTF-8."""
    shown = visible(text)
    assert UNSAFE.search(shown) is None
    shown.encode("utf-8")


@given(st.text(st.characters(exclude_categories=("Cs",))))
def test_json_text_keeps_the_data_and_has_no_raw_controls(text: str) -> None:
    """JSON reads back the exact string, and the JSON text has no raw control or separator."""
    out = json_text({"value": text})
    assert json.loads(out) == {"value": text}
    assert UNSAFE.search(out.replace("\n", "")) is None


def test_json_text_writes_undecodable_bytes_visibly() -> None:
    """A lone surrogate cannot be UTF-8, and strict parsers reject a ``\\udcxx`` escape: it reads ``\\xNN``."""
    out = json_text({"path": "caf\udce9.yaml"}, indent=None)
    assert out == '{"path": "caf\\\\xe9.yaml"}'
    assert json.loads(out) == {"path": "caf\\xe9.yaml"}
