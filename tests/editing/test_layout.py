"""The canonical layout: a messy file formatted, and the guarantees on every file and on generated ones."""

from __future__ import annotations

import contextlib
import random
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st
from tests.editing._comments import scanned_comments

from relpolicy.editing.layout import LayoutError, UnparsableError, comment_texts, format_text, layout
from relpolicy.source.parse import parse_yaml

REPO = Path(__file__).resolve().parents[2]
CORPUS = sorted(
    path
    for root in ("policies", "tests")
    for path in (REPO / root).rglob("*.y*ml")
    if ".pre-commit" not in path.name and "broken" not in path.parts
)


def load(text: str) -> list[object]:
    """What relpolicy reads from a file: the data of each document."""
    parsed = parse_yaml(text, "file.yaml")
    assert not parsed.problems
    return [document.data for document in parsed.documents]


MESSY = """\
# yaml-language-server: $schema=../schemas/relpolicy-v1.json


kind:    Service   # the kind
apiVersion: relpolicy.dev/v1
spec:
    # who answers
    owner: payments   \n\
    description: "Takes orders."



    tier: 1
    dependsOn:
    - type: hard   # must be up
      service: "auth"
      # why soft
    - service: cdn
      type: soft
    recovery: {rto: "2h"}
    runbook:
       diagnose:
         - |
           Look at the
             dashboard # not a comment
# relpolicy: ignore[RP302] reason here
metadata: {name: checkout, labels: {on: "no", zone: '02:00', count: "007"}}
# trailing
"""

FORMATTED = """\
# yaml-language-server: $schema=../schemas/relpolicy-v1.json

apiVersion: relpolicy.dev/v1
kind: Service  # the kind
# relpolicy: ignore[RP302] reason here
metadata: {name: checkout, labels: {"on": "no", zone: "02:00", count: "007"}}
spec:
  description: Takes orders.
  # who answers
  owner: payments

  tier: 1
  dependsOn:
    - service: auth
      type: hard  # must be up
    # why soft
    - service: cdn
      type: soft
  recovery: {rto: 2h}
  runbook:
    diagnose:
      - |
        Look at the
          dashboard # not a comment
# trailing
"""


def test_messy_file_gets_the_canonical_layout() -> None:
    """Keys in schema order, 2-space indents, quotes only where needed, comments with their nodes."""
    assert format_text(MESSY) == FORMATTED


def test_canonical_file_is_returned_unchanged() -> None:
    """Formatting the canonical layout again changes nothing."""
    assert format_text(FORMATTED) == FORMATTED


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("no", '"no"'),
        ("on", '"on"'),
        ("Yes", '"Yes"'),
        ("02:00", '"02:00"'),
        ("1:30", '"1:30"'),
        ("0700", '"0700"'),
        ("1e3", '"1e3"'),
        ("1.5", '"1.5"'),
        ("null", '"null"'),
        ("~", '"~"'),
        ("", '""'),
        ("true", '"true"'),
        (" padded", '" padded"'),
        ("a: b", '"a: b"'),
        ("#tag", '"#tag"'),
        ('say "hi"', 'say "hi"'),
        ('"quoted" start', "'\"quoted\" start'"),
        ("09:00-17:00", "09:00-17:00"),
        ("https://example.com/a#b", "https://example.com/a#b"),
        ("plain text", "plain text"),
        ("Tomás Novák", "Tomás Novák"),
        ("\u00a0", "\u00a0"),  # a no-break space is text, not a blank to strip
        ("bell\x07", '"bell\\x07"'),
    ],
)
def test_quotes_only_where_a_plain_scalar_changes_meaning(value: str, written: str) -> None:
    """A string is written plain unless YAML 1.2 or YAML 1.1 would read the plain form as something else."""
    text = f"key: {yaml.safe_dump(value, default_style=chr(34)).strip()}\n"
    assert format_text(text) == f"key: {written}\n"


def test_numbers_and_booleans_stay_as_written() -> None:
    """Plain scalars that are not text keep their spelling."""
    text = "a: 1\nb: 0x1F\nc: true\nd: ~\ne: 1.50\nf:\n"
    assert format_text(text) == text


def test_datetimes_keep_their_quotes_either_way() -> None:
    """A YAML 1.1 reader types datetimes: quoted and plain are both canonical."""
    text = 'a: "2026-12-01T03:00:00Z"\nb: 2026-12-01\n'
    assert format_text(text) == text


def test_long_flow_mapping_becomes_block() -> None:
    """A flow mapping wider than the line is broken into block style."""
    long = "x" * 120
    assert format_text(f"links:\n  - {{title: T, url: {long}}}\n") == f"links:\n  - title: T\n    url: {long}\n"


def test_crlf_text_is_handled_by_the_editor_not_the_layout() -> None:
    """The layout reads ``\\n`` text; CRLF files are converted by SourceFile (see test_editor)."""
    assert format_text("a:   1\n") == "a: 1\n"


def test_documents_and_their_comments_stay_apart() -> None:
    """Separators, comments between documents and on the marker line are kept."""
    text = "--- # first\na: 1\n# end of first\n---\n# head of second\nb: 2\n"
    assert format_text(text) == text


def test_anchors_keep_their_order() -> None:
    """A document with anchors is not reordered (an alias must follow its anchor)."""
    text = "kind: Team\napiVersion: relpolicy.dev/v1\nmetadata: &m {name: a}\nspec: {x: *m}\n"
    assert format_text(text) == text


def test_a_file_of_comments_keeps_them() -> None:
    """No document, only comments: each stays, without trailing blanks."""
    assert format_text("# one   \n\n  # two\n") == "# one\n# two\n"


def test_directives_are_refused() -> None:
    """A %YAML or %TAG directive is not dropped: such a file is left as it is."""
    with pytest.raises(LayoutError, match="directives"):
        format_text("%YAML 1.2\n---\na:  1\n")


def test_other_line_breaks_are_refused() -> None:
    """NEL, LS, PS and lone CRs are line breaks to libyaml: such a file is left as it is."""
    with pytest.raises(LayoutError, match="line breaks other than LF and CRLF"):
        format_text("a:  'x\x85y'\n")


def test_syntax_error_is_reported_as_check_reports_it() -> None:
    """A file that does not parse raises with the RP101 problem and its location."""
    with pytest.raises(UnparsableError) as raised:
        format_text("a: {b\nc: d\n", "bad.yaml")
    (problem,) = raised.value.problems
    assert (problem.rule_id, problem.location.path, problem.location.line) == ("RP101", "bad.yaml", 2)


def test_duplicate_keys_are_reported_not_formatted() -> None:
    """RP102 stops the layout: which value to keep is the author's call."""
    with pytest.raises(UnparsableError) as raised:
        format_text("b:   1\na: 1\na: 2\n")
    assert [p.rule_id for p in raised.value.problems] == ["RP102"]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(REPO)))
def test_corpus_keeps_data_and_comments_and_is_idempotent(path: Path) -> None:
    """On every policy file of the repository: same data, same comments, and a fixed point."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    if parse_yaml(text, "file.yaml").problems:  # left as it is: reported, or already canonical
        with contextlib.suppress(UnparsableError):
            assert format_text(text) == text
        return
    formatted = format_text(text)
    assert load(formatted) == load(text)
    assert comment_texts(formatted) == comment_texts(text) == scanned_comments(text) == scanned_comments(formatted)
    assert layout(formatted) == formatted


def test_policies_are_formatted() -> None:
    """The repository's own policies/ is kept in the canonical layout (nox -s fmt)."""
    for path in sorted((REPO / "policies").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert layout(text) == text, path


# -- generated documents -----------------------------------------------------------------------

TRICKY = st.sampled_from(
    ["no", "on", "02:00", "007", "1e3", "null", "", " x", "a: b", "#x", "a #b", "it's", 'say "hi"', "- x", "[x]"]
)
SCALARS = st.one_of(
    TRICKY,
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.integers(-1000, 1000),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
)
KEYS = st.one_of(
    st.sampled_from(["apiVersion", "kind", "metadata", "spec", "name", "on", "02:00"]), st.text(max_size=6)
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=12,
)
COMMENT = st.text(st.characters(codec="ascii", min_codepoint=32, max_codepoint=126), max_size=10).map(
    lambda text: f"# {text}".rstrip()
)


def _with_comments(text: str, comments: list[tuple[int, bool, str]]) -> str:
    lines = text.split("\n")[:-1]
    for position, end_of_line, comment in sorted(comments, reverse=True):
        index = position % (len(lines) + 1)
        if end_of_line and index < len(lines):
            lines[index] += "  " + comment
        else:
            indent = len(lines[index]) - len(lines[index].lstrip()) if index < len(lines) else 0
            lines.insert(index, " " * indent + comment)
    return "\n".join(lines) + "\n"


@given(
    data=st.lists(DATA, min_size=1, max_size=2),
    flow=st.sampled_from([False, True, None]),
    indent=st.sampled_from([2, 4]),
    comments=st.lists(st.tuples(st.integers(0, 200), st.booleans(), COMMENT), max_size=6),
    seed=st.randoms(use_true_random=False),
)
def test_generated_documents_round_trip(
    data: list[object], flow: bool | None, indent: int, comments: list[tuple[int, bool, str]], seed: random.Random
) -> None:
    """Random documents in random styles with random comments keep data and comments, and format idempotently."""
    del seed
    dumped = yaml.safe_dump_all(data, default_flow_style=flow, indent=indent, allow_unicode=True, width=1000)
    text = _with_comments(dumped, comments)
    parsed = parse_yaml(text, "generated.yaml")
    assume(not parsed.problems and not re.search("[\r\x85\u2028\u2029]", text))  # refused: see the test below
    try:
        formatted = format_text(text)
    except UnparsableError:
        assume(False)
        return
    except LayoutError as error:  # pragma: no cover - what a failure looks like
        pytest.fail(f"{error}\n{text}")
    assert load(formatted) == [d.data for d in parsed.documents]
    assert comment_texts(formatted) == comment_texts(text) == scanned_comments(text) == scanned_comments(formatted)
    assert layout(formatted) == formatted


@pytest.mark.parametrize("path", [p for p in CORPUS if p.is_relative_to(REPO / "policies")][:8], ids=str)
@given(
    order=st.randoms(use_true_random=False),
    comments=st.lists(st.tuples(st.integers(0, 300), st.booleans(), COMMENT), max_size=5),
)
def test_shuffled_policies_round_trip(path: Path, order: random.Random, comments: list[tuple[int, bool, str]]) -> None:
    """Schema-valid documents with keys shuffled, re-indented and commented format back to the same data."""

    def shuffle(node: object) -> object:
        if isinstance(node, dict):
            items = list(node.items())
            order.shuffle(items)
            return {key: shuffle(value) for key, value in items}
        if isinstance(node, list):
            return [shuffle(item) for item in node]
        return node

    documents = [shuffle(document) for document in load(path.read_text(encoding="utf-8"))]
    dumped = yaml.safe_dump_all(documents, sort_keys=False, indent=order.choice([2, 4]), width=1000, allow_unicode=True)
    text = _with_comments(dumped, comments)
    parsed = parse_yaml(text, "shuffled.yaml")
    assume(not parsed.problems and [d.data for d in parsed.documents] == documents)
    formatted = format_text(text)
    assert load(formatted) == documents
    assert comment_texts(formatted) == comment_texts(text) == scanned_comments(text) == scanned_comments(formatted)
    assert layout(formatted) == formatted
    assert textwrap.dedent(formatted) == formatted


# -- documents shaped by the published schemas ---------------------------------------------------


def _shaped(schema: dict[str, Any], defs: dict[str, Any], draw: st.DrawFn, depth: int = 0) -> object:
    """A value of the schema's shape: its keys in a random order and subset, any scalar where one goes.

    hypothesis-jsonschema cannot run with this Hypothesis; validity does not matter here, only
    that the keys are the schema's (so that the layout reorders them) and the values any YAML.
    """
    if "$ref" in schema:
        return _shaped(defs[schema["$ref"].rsplit("/", 1)[1]], defs, draw, depth)
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return _shaped(draw(st.sampled_from(schema[union])), defs, draw, depth)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return draw(st.sampled_from(schema["enum"]))
    kind = schema.get("type")
    if kind == "object" and depth < 6:
        properties = schema.get("properties")
        if properties is None:  # a free mapping (labels): a few tricky keys and values
            return draw(st.dictionaries(KEYS, SCALARS, max_size=3))
        names = draw(st.permutations(sorted(properties)))
        kept = [n for n in names if n in schema.get("required", ()) or draw(st.booleans())]
        return {name: _shaped(properties[name], defs, draw, depth + 1) for name in kept}
    if kind == "array" and depth < 6:
        size = draw(st.integers(0, 2))
        return [_shaped(schema.get("items", {}), defs, draw, depth + 1) for _ in range(size)]
    return draw(SCALARS)


@st.composite
def _schema_documents(draw: st.DrawFn) -> list[object]:
    from relpolicy.model.kinds import KINDS
    from relpolicy.schema import kind_schema

    documents = []
    for model in draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3)):
        schema = kind_schema(model)
        documents.append(_shaped(schema, schema.get("$defs", {}), draw))
    return documents


@given(
    documents=_schema_documents(),
    flow=st.sampled_from([False, None]),
    indent=st.sampled_from([2, 3, 4]),
    comments=st.lists(st.tuples(st.integers(0, 300), st.booleans(), COMMENT), max_size=6),
)
def test_schema_shaped_documents_round_trip(
    documents: list[object], flow: bool | None, indent: int, comments: list[tuple[int, bool, str]]
) -> None:
    """Every kind's fields in random order, style and comments: same data and comments, a fixed point."""
    dumped = yaml.safe_dump_all(
        documents, sort_keys=False, default_flow_style=flow, indent=indent, width=1000, allow_unicode=True
    )
    text = _with_comments(dumped, comments)
    parsed = parse_yaml(text, "shaped.yaml")
    assume(not parsed.problems and not re.search("[\r\x85\u2028\u2029]", text))
    formatted = format_text(text)
    assert load(formatted) == [d.data for d in parsed.documents]
    assert comment_texts(formatted) == comment_texts(text) == scanned_comments(text) == scanned_comments(formatted)
    assert layout(formatted) == formatted
