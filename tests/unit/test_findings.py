"""Messages are capped where findings are made, so that every format prints a bounded text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from relpolicy.findings import MAX_MESSAGE_CHARS, Finding, Location, Related, Severity, cap_message

HERE = Location("policies/a.yaml", 1, 1, 1, 2)


def test_a_short_message_is_kept_whole() -> None:
    """Up to the limit, nothing changes."""
    assert cap_message("x" * MAX_MESSAGE_CHARS) == "x" * MAX_MESSAGE_CHARS


def test_a_long_message_keeps_both_ends_and_says_what_was_cut() -> None:
    """The start (what is wrong) and the end (the numbers) stay; the cut is counted."""
    assert (
        cap_message("a" * 10 + "b" * 100 + "c" * 10, limit=30)
        == "a" * 10 + "b" * 10 + "…[90 characters omitted]…" + "c" * 10
    )


@given(st.text(), st.integers(min_value=3, max_value=50))
def test_capped_text_is_bounded_and_keeps_its_ends(text: str, limit: int) -> None:
    """Whatever the text, at most ``limit`` of its characters stay, its first and last among them."""
    capped = cap_message(text, limit)
    if len(text) <= limit:
        assert capped == text
    else:
        head, _, tail = capped.partition("…[")
        assert text.startswith(head)
        assert text.endswith(tail.partition(" characters omitted]…")[2])
        assert len(capped) - len(f"…[{len(text) - limit:,} characters omitted]…") == limit


def test_findings_and_related_notes_cap_their_messages() -> None:
    """A megabyte-long value quoted in a message is printed within the limit by every format."""
    huge = "v" * 1_000_000
    related = Related(HERE, huge)
    finding = Finding("RP103", "schema-violation", Severity.ERROR, f"bad value `{huge}`", HERE, "Team/a", (related,))
    assert len(finding.message) < MAX_MESSAGE_CHARS + 40
    assert finding.message.startswith("bad value `vvv")
    assert finding.message.endswith("vvv`")
    assert len(finding.related[0].message) < MAX_MESSAGE_CHARS + 40
