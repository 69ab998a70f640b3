"""``parse_yaml`` given a string with a lone surrogate (only possible from the API: files are
decoded strictly) reports it with its location; the search is skipped for ASCII text."""

from __future__ import annotations

import pytest

from relpolicy.findings import Location
from relpolicy.source.parse import parse_yaml


@pytest.mark.parametrize("lazy_positions", [False, True])
def test_a_lone_surrogate_is_a_located_syntax_error(lazy_positions: bool) -> None:
    parsed = parse_yaml("a: b\nc: é\ud800\n", "f.yaml", lazy_positions=lazy_positions)
    assert parsed.documents == []
    assert [(problem.rule_id, problem.message, problem.location) for problem in parsed.problems] == [
        (
            "RP101",
            "YAML syntax error: a lone surrogate (U+D800) is not a character",
            Location("f.yaml", 2, 5, 2, 6),
        )
    ]


def test_ascii_text_is_parsed() -> None:
    parsed = parse_yaml("a: b\n", "f.yaml", lazy_positions=True)
    assert parsed.problems == []
    assert [document.data for document in parsed.documents] == [{"a": "b"}]
