"""Hypothesis: the loader never raises, and every problem it reports is located inside the file."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from relpolicy.model.build import build
from relpolicy.model.kinds import KINDS
from relpolicy.policy import assemble
from relpolicy.source.parse import parse_yaml

FILE = "fuzz.yaml"


def _assert_located(text: str, problems: list) -> None:  # type: ignore[type-arg]
    lines = text.split("\n")
    for problem in problems:
        loc = problem.location
        assert loc.path == FILE
        assert 1 <= loc.line <= len(lines) + 1, problem
        assert loc.col >= 1, problem


def _check_text(text: str) -> None:
    parsed = parse_yaml(text, FILE)
    built = build(parsed.documents)
    _, assembled = assemble(built)
    _assert_located(text, [*parsed.problems, *built.problems, *assembled])


@given(st.text(alphabet=st.characters(exclude_characters="\x85\u2028\u2029"), max_size=300))
def test_arbitrary_text(text: str) -> None:
    """Any text: no exception, every problem inside the file.

    NEL and the Unicode line and paragraph separators are left out: YAML 1.1 counts them as line
    breaks while editors do not, so "inside the file" has no single meaning for them.
    """
    _check_text(text)


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=100)
@given(
    kind=st.sampled_from([k.KIND for k in KINDS]) | st.text(max_size=10),
    name=st.text(max_size=12),
    spec=json_like,
)
def test_arbitrary_documents(kind: str, name: str, spec: object) -> None:
    """Documents of any shape in the resource envelope: no exception, every problem located."""
    document = {"apiVersion": "relpolicy.dev/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}
    _check_text(yaml.safe_dump(document, allow_unicode=True))


@given(st.dictionaries(st.from_regex(r"[a-z][a-zA-Z]{0,8}", fullmatch=True), st.integers(), min_size=1, max_size=8))
def test_key_positions_point_at_the_keys(mapping: dict[str, int]) -> None:
    """The recorded position of every key is where that key is written."""
    text = yaml.safe_dump({"spec": mapping}, default_flow_style=False)
    lines = text.split("\n")
    (document,) = parse_yaml(text, FILE).documents
    for key in mapping:
        line, col, _, _ = document.positions.keys[("spec", key)]
        # PyYAML quotes the keys YAML 1.1 reads as booleans (`'on'`); the position is the quote's.
        assert lines[line - 1][col - 1 :].lstrip("'").startswith(key)
