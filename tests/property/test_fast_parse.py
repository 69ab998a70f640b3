"""The rapidyaml fast path (``source/fastparse.py``) against PyYAML's ``parse_yaml``, the reference.

Whenever the fast path accepts a text, ``parse_yaml`` must build exactly the same documents (same
indexes, same values of the same types) and report no problem; texts that use anything the fast
path leaves to PyYAML must fall back. The texts are generated YAML of every core-schema scalar
shape, quoted and plain, flow and block, in several documents, plus the features that fall back,
plus random edits of such texts (so that rapidyaml and libyaml also meet broken YAML).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st

from relpolicy.source.fastparse import _uncertain_ascii_layout, _uncertain_layout, fast_documents
from relpolicy.source.parse import MAX_DEPTH, parse_yaml

FILE = "policies/fast.yaml"

CORE_SHAPED = [
    *("~", "null", "Null", "NULL", ""),
    *("true", "True", "TRUE", "false", "False", "FALSE", "yes", "No", "NO", "on", "OFF", "y", "n"),
    *("0", "-0", "+0", "7", "-12", "+12", "007", "00", "0123", "99999999999999999999999", "1_000"),
    *("0x1F", "0x1f", "0X1F", "0o17", "0o8", "0b101", "0xG"),
    *("1.0", "1.", "-1.", ".5", "-.5", "+.5", "0.", "1e3", "1E+3", "1e-3", "0e0", "1.5e3", "1e", "e3", "1.2.3"),
    *("1e400", "3.14159265358979323846", "5e-324", "-0.0", "1.10"),
    *(".inf", ".Inf", ".INF", "-.inf", "+.inf", "-.INF", "inf", "-inf", "Infinity", "infinity", "-infinity"),
    *(".nan", ".NaN", ".NAN", "nan", "NaN"),
    *("02:00", "12:30:45", "2026-12-25", "2026-12-25T10:00:00Z", "1:2"),
    *("<<", "=", "-", "--", "...x", "a.b", "4h", "30d", "99.9", "99.95%", "1h30m"),
]
WORDS = ["alpha", "payments-api", "tier", "note", "name", "type", "fine words", "a: b", "x # y", "ünïcødé", "日本"]

JSON_SHAPED = ["true", "false", "null", "0", "-0", "7", "-12", "99999999999999999999999", "1.0", "1.", ".5", "-.5"]
JSON_SHAPED += ["1e3", "1E+3", "1e400", "5e-324", "-0.0", "1.10", "yes", "NO", "02:00", "2026-12-25", "99.9", "4h"]
"""Plain scalars that the fast path types itself (JSON numbers and constants) or keeps as text."""

# Mostly scalars the fast path keeps: one core-typed string (quoted or not) sends a file to PyYAML.
plain_scalars = st.sampled_from((JSON_SHAPED + WORDS) * 6 + [s for s in CORE_SHAPED if s])
any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x85\u2028\u2029\ufeff"),
    max_size=12,
)
quoted_texts = st.one_of(st.sampled_from(WORDS * 6 + CORE_SHAPED), any_text)


def _single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _double_quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"' + "".join(c if c.isprintable() or c in "\\" else f"\\u{ord(c):04x}" for c in escaped) + '"'


ESCAPES = ["\\x41", "\\u00e9", "\\U0001F600", "\\0", "\\a", "\\e", "\\N", "\\_", "\\L", "\\P", "\\/", "\\ ", "\\t"]


@st.composite
def scalars(draw: st.DrawFn, *, flow: bool) -> str:
    """One scalar in a style: plain, single- or double-quoted (with escapes), or (block) literal/folded."""
    style = draw(st.sampled_from(["plain", "plain", "single", "double", "escapes"] + ([] if flow else ["block"])))
    if style == "plain":
        value = draw(plain_scalars)
        return value if not flow or not any(c in value for c in ",[]{}#:") else _double_quoted(value)
    if style == "single":
        return _single_quoted(draw(quoted_texts))
    if style == "double":
        return _double_quoted(draw(quoted_texts))
    if style == "escapes":
        return '"' + "".join(draw(st.lists(st.sampled_from([*ESCAPES, "a", "1", " "]), max_size=4))) + '"'
    return "\n".join([f"{draw(st.sampled_from(['|', '>']))}{draw(st.sampled_from(['', '-', '+']))}"])


BLOCK_LINES = st.lists(st.sampled_from(["line one", "  more indented", "", "last", "x: y", "- item"]), max_size=4)


def keys() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["name", "spec", "tier", "dependsOn", "a", "b", "yes", "NO", "02:00", "a b", "x.y"]),
        st.sampled_from(["1", "true", "null", "~", "0x1F", ".inf", "inf", "", "name", "spec", "tier"]),
        st.sampled_from(["name", "a"]).map(_single_quoted),
        st.sampled_from(["name", "b", "1"]).map(_double_quoted),
    )


def flow_node(draw: st.DrawFn, depth: int) -> str:
    kind = draw(st.sampled_from(["scalar", "scalar", "seq", "map"] if depth < 3 else ["scalar"]))
    if kind == "scalar":
        return draw(scalars(flow=True))
    if kind == "seq":
        items = [flow_node(draw, depth + 1) for _ in range(draw(st.integers(0, 3)))]
        return "[" + ", ".join(items) + "]"
    pairs = [f"{draw(keys())}: {flow_node(draw, depth + 1)}" for _ in range(draw(st.integers(0, 3)))]
    return "{" + ", ".join(pairs) + "}"


def block_value(draw: st.DrawFn, indent: int, depth: int) -> str:
    """The text after ``key:`` or ``-`` (starting with a space or a newline), at ``indent``."""
    kind = draw(st.sampled_from(["scalar", "scalar", "flow", "seq", "map", "empty"] if depth < 4 else ["scalar"]))
    pad = " " * (indent + 2)
    if kind == "scalar":
        scalar = draw(scalars(flow=False))
        if scalar[0] in "|>":
            body = "".join(f"\n{pad}{line}" if line else "\n" for line in draw(BLOCK_LINES))
            trail = draw(st.sampled_from(["", "\n", "\n\n"]))
            return f" {scalar}{body or chr(10) + pad + 'text'}{trail}"
        continued = draw(st.sampled_from(["", "", "", f"\n{pad}continued", f"\n\n{pad}after a blank line"]))
        if continued and scalar[0] in "'\"":  # a quoted scalar over several lines
            scalar = scalar[:-1] + continued + scalar[-1]
        elif continued and scalar not in CORE_SHAPED and not any(c in scalar for c in ":#"):
            scalar += continued  # a plain scalar over several lines
        return f" {scalar}{draw(st.sampled_from(['', '', ' # a comment']))}"
    if kind == "flow":
        return " " + flow_node(draw, depth)
    if kind == "empty":
        return ""
    if kind == "seq":
        item_pad = draw(st.sampled_from([pad, " " * indent]))  # `key:` then `- item` indented or not
        items = [f"\n{item_pad}-{block_value(draw, len(item_pad), depth + 1)}" for _ in range(draw(st.integers(1, 3)))]
        return "".join(items)
    pairs = [
        f"\n{pad}{draw(keys())}:{block_value(draw, indent + 2, depth + 1)}" for _ in range(draw(st.integers(1, 3)))
    ]
    return "".join(pairs)


@st.composite
def documents(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["map", "map", "seq", "flow", "scalar", "empty", "comment"]))
    if kind == "map":
        pairs = [f"{draw(keys())}:{block_value(draw, 0, 1)}" for _ in range(draw(st.integers(1, 4)))]
        return "\n".join(pairs) + "\n"
    if kind == "seq":
        return "\n".join(f"-{block_value(draw, 0, 1)}" for _ in range(draw(st.integers(1, 3)))) + "\n"
    if kind == "flow":
        return flow_node(draw, 0) + "\n"
    if kind == "scalar":
        return draw(scalars(flow=True)) + "\n"
    if kind == "comment":
        return "# just a comment\n"
    return ""


@st.composite
def yaml_texts(draw: st.DrawFn) -> str:
    """One to three documents, with or without ``---``/``...`` markers and comments."""
    docs = draw(st.lists(documents(), min_size=1, max_size=3))
    text = ""
    for i, doc in enumerate(docs):
        marker = "---\n" if i or draw(st.booleans()) else ""
        text += marker + doc + draw(st.sampled_from(["", "", "", "", "", "...\n", "# trailing comment\n"]))
    return text


FALLBACK_FEATURES = [
    "base: &anchor {a: 1}\ncopy: *anchor\n",
    "a: &x 1\n",
    "list: [*x]\n",
    "value: !!str 123\n",
    "value: !custom x\n",
    "--- !!map\na: 1\n",
    "defaults: {a: 1}\nitem:\n  <<: {b: 2}\n",
    "%YAML 1.1\n---\na: 1\n",
    "? [a, b]\n: value\n",
    "? {a: 1}\n: value\n",
    "a: 1\na: 2\n",
    "m: {x: 1, x: 2}\n",
    "a:\tb\n",
    "a: b\r\nc: d\r\n",
    "a: b\x85c: d\n",
    "a: b\u2028\n",
    "a: b\x01\n",
    "a: b\x7f\n",
    "a: [1, 2\n",
    "a: b\n- c\n",
    "key: 'unterminated\n",
]


RAPIDYAML_READS_OTHERWISE = [
    "] name:\n",
    " }just a comment\n",
    "@handle\n",
    "k: `cmd`\n",
    "...\n",
    "> ->--\na: 1\n",
    "---\n|\n# a comment\n",
    "{'a\n': b}\n",
    "{n\name: {}}\n",
    '"\\ud86f5"\n',
    "[:NULL]\n",
    "[a, :inf]\n",
    "{:x: 1}\n",
    "[a?b, -c, ?d]\n",
    "---\n[%]",
    "k: >\n  a\n\n  b",
    'k: "a \\\n  \n b"\n',
    '- "a\\\n\n  b"\n',
    "a:\n- 'tier' name: true\n",
    'a:\n- x\n- "tier" - y\n',
    "- 'multi\n  line': y\n",
    "{a: :b}\n",
    "{a:, b}\n",
    "{a: b #}\n",
    "- [] -\n",
    "a:\n - b\n ...\n",
    "---\n -\n ...\n",
]
"""YAML that libyaml refuses or reads otherwise and rapidyaml reads as text (found by the tests below)."""


def typed(value: Any) -> Any:
    """``value`` with the type of every scalar made visible (``1``, ``1.0`` and ``True`` differ)."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def assert_same_as_reference(text: str) -> bool:
    """If the fast path accepts ``text``, the reference builds the same documents, without problems."""
    fast = fast_documents(text)
    reference = parse_yaml(text, FILE)
    lazy = parse_yaml(text, FILE, lazy_positions=True)  # what `check` calls: the fast path first
    expected = [(document.index, typed(document.data)) for document in reference.documents]
    assert [(document.index, typed(document.data)) for document in lazy.documents] == expected
    assert lazy.problems == reference.problems
    if fast is None:
        return False
    assert reference.problems == []
    assert [(index, typed(data)) for index, data in fast] == expected
    return True


@given(yaml_texts())
def test_fast_path_builds_what_the_reference_builds(text: str) -> None:
    note(repr(text))
    assert_same_as_reference(text)


@given(yaml_texts(), st.data())
def test_edited_texts_either_fall_back_or_agree(text: str, data: st.DataObject) -> None:
    """Random edits make broken or odd YAML: the fast path must not accept what libyaml reads otherwise."""
    chars = list(text)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(chars)))
        action = data.draw(st.sampled_from(["insert", "delete"]))
        if action == "insert" or not chars:
            chars.insert(position, data.draw(st.sampled_from(list(" \n:-#'\"[]{},?&*!|>%@`\\.0aZ~\t"))))
        else:
            del chars[min(position, len(chars) - 1)]
    note(repr("".join(chars)))
    assert_same_as_reference("".join(chars))


@given(yaml_texts(), st.sampled_from(FALLBACK_FEATURES))
def test_texts_with_fallback_features_fall_back(text: str, feature: str) -> None:
    combined = text.rstrip("\n") + "\n---\n" + feature if text.strip() else feature
    note(repr(combined))
    assert fast_documents(combined) is None
    assert_same_as_reference(combined)


@pytest.mark.parametrize("feature", FALLBACK_FEATURES)
def test_each_fallback_feature_falls_back(feature: str) -> None:
    assert fast_documents(feature) is None


@pytest.mark.parametrize("text", RAPIDYAML_READS_OTHERWISE)
def test_what_rapidyaml_reads_otherwise_falls_back(text: str) -> None:
    assert fast_documents(text) is None
    assert_same_as_reference(text)


def test_plain_policy_text_takes_the_fast_path() -> None:
    """The fast path is not vacuous: an ordinary policy file is accepted, with core-schema types."""
    text = (
        "# a service\napiVersion: relpolicy.dev/v1\nkind: Service\nmetadata:\n  name: api\n"
        "  labels: {tier: t1, country: NO}\nspec:\n  tier: 1\n  objective: 99.9\n  window: '02:00'\n"
        "  starts: 02:00\n  enabled: true\n  owner: ~\n  limit: 0x1F\n  notes: |\n    one\n    two\n"
        "  steps:\n    - Roll back.\n    - {title: Dashboard, url: https://grafana.example.com/d/api?x=1&y=2}\n"
        "---\n---\nkind: SLO\n"
    )
    assert fast_documents(text) is None  # `~` and 0x1F: typed by the core schema, left to PyYAML
    accepted = text.replace("  owner: ~\n  limit: 0x1F\n", "")
    assert assert_same_as_reference(accepted)
    fast = fast_documents(accepted)
    assert fast is not None
    assert [index for index, _ in fast] == [0, 2]
    spec = fast[0][1]["spec"]
    assert spec["starts"] == "02:00"
    assert (spec["tier"], spec["objective"], spec["enabled"]) == (1, 99.9, True)
    assert fast[0][1]["metadata"]["labels"]["country"] == "NO"


def test_a_syntax_error_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    """rapidyaml reports parse errors on stderr before raising; relpolicy's output must stay clean."""
    assert fast_documents("a: [1, 2\nb: c\n") is None
    assert capfd.readouterr() == ("", "")


LAYOUT_CHARACTERS = " \n[]{},%|>?:@`-#&*!'\"+.~01ab\t\r\x00\x7f"
"""Every character the layout checks look at, a few they do not, and some that are not printable."""


@given(st.one_of(st.text(alphabet=LAYOUT_CHARACTERS, max_size=40), yaml_texts()))
def test_the_ascii_layout_check_is_at_least_as_strict_as_the_reference(text: str) -> None:
    """The fast check of ASCII texts may send more files to PyYAML than the exact one, never fewer."""
    assume(text.isascii())
    if _uncertain_layout(text, text.encode()):
        assert _uncertain_ascii_layout(text, text.encode())


@pytest.mark.parametrize(
    "text",
    [
        "a: [b, :c]\n",
        "a: {b: c,?d}\n",
        "a: [ -b]\n",  # any `-` after an opening (the reference: only before a space)
        "- ]\n",
        "]\n",
        "a: }b\n",
        "a: ,b\n",
        "%x\n",
        "a: |x\n",
        "a: |-+\n",
        "a: [b,\n  c]\n",
        "a: }{\n",  # counts pair up, brackets do not
        "a: [[[[[[[[[[b]]]]]]]]]]\n",  # nested deeper than the pairs removed
        "a:\tb\n",
        "a: {b: :c}\n",
        "a: {b:, c}\n",
        "a: {b: c #}\n",
        "- [] -\n",
        "a: b :c\n",  # `:` and `?` after a space count anywhere, not only in a flow collection
    ],
)
def test_the_ascii_layout_check_sends_these_to_pyyaml(text: str) -> None:
    assert _uncertain_ascii_layout(text, text.encode())


@pytest.mark.parametrize(
    "text",
    [
        "a: b\n",
        "labels: {tier: t1, country: NO}\nnotify: [{team: a}, {person: b@example.com}]\n",
        "a: [1, b-c]\n",
        "notes: |\n  one\n  two\nmore: >- # folded\n  x\n",
        "url: https://example.com/a?x=1&y=2 # a comment, with: punctuation\n",
        "  # relpolicy: ignore[RP306] three zones: see [the design] here\n",
        "links: [{title: Dashboard, url: 'https://grafana.example.com/d/a?x=1'}]  # a comment\n",
    ],
)
def test_the_ascii_layout_check_lets_plain_layouts_through(text: str) -> None:
    assert not _uncertain_layout(text, text.encode())
    assert not _uncertain_ascii_layout(text, text.encode())


def _nested_mappings(levels: int) -> str:
    """A block mapping ``levels`` deep (one space of indentation per level)."""
    return "".join(f"{' ' * level}k{level}:\n" for level in range(levels - 1)) + f"{' ' * (levels - 1)}last: v\n"


SMALL_DOCUMENT = "kind: Service\nmetadata: {name: a, labels: {tier: t1}}\nspec: {dependsOn: [{service: b}]}\n"


@pytest.mark.parametrize("levels", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 2])
@pytest.mark.parametrize("neighbours", [0, 30])
def test_nesting_depth_is_judged_per_document(levels: int, neighbours: int) -> None:
    """Deep documents fall back or agree, alone or among many small ones (whose brackets add up).

    rapidyaml's emitter also stops at 64 levels, counted from the stream when there is one, so a
    document exactly ``MAX_DEPTH`` deep may fall back too."""
    text = "---\n".join([SMALL_DOCUMENT] * neighbours + [_nested_mappings(levels)])
    accepted = assert_same_as_reference(text)
    if levels > MAX_DEPTH:
        assert not accepted
    if levels < MAX_DEPTH:
        assert accepted


def test_many_small_documents_take_the_fast_path() -> None:
    text = "---\n".join([SMALL_DOCUMENT] * 30)
    assert assert_same_as_reference(text)
    assert len(fast_documents(text) or []) == 30


PUNCTUATION = " ,[]{}:-?#a'\""
"""What YAML's indicators are made of, a letter and the quotes."""
CONTEXTS = [
    *("{a:%s}\n", "[a:%s]\n", "{a: [b:%s]}\n", "x: {a:%s}\n", "- [a:%s]\n", "{a:%s, c: d}\n", "[a:%s, c]\n"),
    *("{%s: a}\n", "[%s]\n", "{a: b%s}\n", "[a %s]\n", "a:%s\n", "a: b%s\n", "- %s\n", "%s: b\n", "a: [b, c]%s\n"),
    *("a:\n  - b%s\n", "{a: b}%s\n", "a: %s\nc: d\n", "- a%s\n- b\n", "k: {a: b, c: d%s}\n", "[{a: b}%s]\n"),
]


@pytest.mark.parametrize("context", CONTEXTS)
def test_every_short_punctuation_in_context_falls_back_or_agrees(context: str) -> None:
    """Every string of up to three of :data:`PUNCTUATION` in each context, flow and block.

    Random edits found some of the places where rapidyaml reads flow collections otherwise than
    libyaml; this enumeration found the rest (``{a: :b}``, ``{a:, b}``, ``{a: b #}``, ``- [] -``).
    """
    disagreements = []
    for length in (1, 2, 3):
        for characters in itertools.product(PUNCTUATION, repeat=length):
            text = context % "".join(characters)
            fast = fast_documents(text)
            if fast is None:
                continue
            reference = parse_yaml(text, FILE)
            if reference.problems or [(d.index, typed(d.data)) for d in reference.documents] != [
                (index, typed(data)) for index, data in fast
            ]:
                disagreements.append(text)
    assert disagreements == []
