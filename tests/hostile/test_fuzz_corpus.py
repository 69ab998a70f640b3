"""Replay the fuzzing corpus: every input a campaign once broke relpolicy with must now pass the oracle."""

from __future__ import annotations

from pathlib import Path

import pytest
from fuzz.campaign import CORPUS, load
from fuzz.oracle import judge

ENTRIES = sorted(p for p in CORPUS.iterdir() if (p / "manifest.json").is_file()) if CORPUS.is_dir() else []


@pytest.mark.parametrize("entry", ENTRIES, ids=[p.name for p in ENTRIES])
def test_corpus_entry(entry: Path, tmp_path: Path) -> None:
    """The saved hostile tree is checked, reported in every format and rendered without breaking a promise."""
    assert judge(load(entry), tmp_path / "tree") is None


def test_corpus_is_not_empty() -> None:
    """The corpus holds the campaign's finds (an empty corpus would make the replay vacuous)."""
    assert len(ENTRIES) >= 5
