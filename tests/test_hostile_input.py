"""Hostile policy files: each is checked beside good files, and must cost one located finding.

Every case writes the hostile file next to ``good.yaml`` (a valid team) and ``witness.yaml`` (a
team whose calendar does not exist). ``check()`` must return, the hostile file must yield exactly
the expected findings, and the witness must still yield its RP201: proof that one bad file does
not stop the others from being checked. Inputs are bounded so that every case stays fast.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.hostile._trees import GOOD_TEAM, WITNESS_TEAM

from relpolicy.engine import Report
from relpolicy.findings import Location, Related
from relpolicy.source.parse import MAX_ALIAS_NODES, MAX_DEPTH, parse_yaml

WritePolicy = Callable[..., Path]
RunCheck = Callable[[Path], Report]

HOSTILE = "policies/hostile.yaml"
WITNESS = "policies/witness.yaml"
WITNESS_FINDING = ("RP201", WITNESS, 5, 13, "no Calendar `nowhere`; known: always")

TAG_MESSAGE = "the tag `{}` is not allowed: relpolicy reads plain YAML (mappings, lists, strings, numbers, booleans)"
NESTING_MESSAGE = f"nesting is deeper than {MAX_DEPTH} levels; policy documents need far fewer"
ALIAS_BOMB_MESSAGE = (
    f"aliases expand this document to more than {MAX_ALIAS_NODES} nodes "
    "(an alias bomb?); write the values out or use fewer aliases"
)
FLOW_TOO_DEEP = "YAML syntax error: while increasing flow level; exceeded maximum nesting depth"
BLOCK_TOO_DEEP = "YAML syntax error: while increasing block level; exceeded maximum nesting depth"
NOT_A_MAPPING = "a policy document must be a mapping with apiVersion, kind, metadata and spec, not {}"
YAML_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")

Row = tuple[str, str, int, int, str]


def rows(report: Report, path: str | None = None) -> list[Row]:
    """``(rule, path, line, col, message)`` of the findings (in ``path`` only, when given)."""
    return [
        (f.rule_id, f.location.path, f.location.line, f.location.col, f.message)
        for f in report.findings
        if path is None or f.location.path == path
    ]


@pytest.fixture
def check_beside_good_files(write_policy: WritePolicy, run_check: RunCheck) -> Callable[..., Report]:
    """Write the good file, the witness and the hostile file (if any), then check the root."""

    def run(hostile: str | bytes | None = None, name: str = "hostile.yaml") -> Report:
        write_policy(GOOD_TEAM, "good.yaml")
        root = write_policy(WITNESS_TEAM, "witness.yaml")
        if hostile is not None:
            write_policy(hostile, name)
        return run_check(root)

    return run


def assert_good_files_checked(report: Report, *, hostile: tuple[str, ...] = (HOSTILE,), resources: int = 2) -> None:
    """The good file and the witness were read and validated; only the witness has a finding."""
    assert "policies/good.yaml" in report.sources
    assert WITNESS in report.sources
    others = [row for row in rows(report) if row[1] not in hostile]
    assert others == [WITNESS_FINDING]
    assert report.resources == resources


def assert_inside(report: Report, path: str, text: str) -> None:
    """Every finding in ``path`` points at a line of ``text`` and a column of that line."""
    lines = YAML_LINE_BREAK.split(text)
    for finding in report.findings:
        loc = finding.location
        if loc.path == path:
            assert 1 <= loc.line <= len(lines), finding
            assert 1 <= loc.col <= len(lines[loc.line - 1]) + 1, finding


# --- Alias bombs -------------------------------------------------------------------------------


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """The classic: each level is a list of ``width`` aliases to the level before."""
    names = "abcdefghijklmnopqrstuvwxyz"
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * width) + "]"]
    lines.extend(
        f"{name}: &{name} [" + ", ".join([f"*{previous}"] * width) + "]"
        for previous, name in itertools.pairwise(names[:levels])
    )
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_an_alias_bomb(check_beside_good_files: Callable[..., Report]) -> None:
    text = billion_laughs()
    assert text.count("\n") == 9
    report = check_beside_good_files(text)
    # The node that crosses the limit is the 8th "lol" of the anchored list, on line 1.
    assert rows(report, HOSTILE) == [("RP101", HOSTILE, 1, 57, ALIAS_BOMB_MESSAGE)]
    assert_good_files_checked(report)


def merge_bomb(levels: int) -> str:
    """Billion laughs through merge keys: each level merges 9 copies of the level before."""
    lines = ["m0: &m0 {}"]
    lines.extend(
        f"m{level}: &m{level} {{<<: [" + ", ".join([f"*m{level - 1}"] * 9) + "]}" for level in range(1, levels + 1)
    )
    return "\n".join(lines) + "\n"


def test_list_alias_bomb_of_empty_lists_is_an_alias_bomb(check_beside_good_files: Callable[..., Report]) -> None:
    """Expanding empty lists 9**6 times is an alias bomb even though the data stays tiny."""
    text = "l0: &l0 []\n" + "".join(
        f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]\n" for level in range(1, 7)
    )
    report = check_beside_good_files(text)
    assert rows(report, HOSTILE) == [("RP101", HOSTILE, 1, 5, ALIAS_BOMB_MESSAGE)]
    assert_good_files_checked(report)


def test_merge_key_alias_bomb_is_an_alias_bomb(check_beside_good_files: Callable[..., Report]) -> None:
    """The same bomb through ``<<`` merges of empty mappings must be caught the same way.

    Merged mappings add no data, so unless each merge counts toward MAX_ALIAS_NODES this 6-level
    bomb (9**6 merges) passes silently and a 9-level one runs for minutes.
    """
    text = merge_bomb(6)
    report = check_beside_good_files(text)
    found = rows(report, HOSTILE)
    assert [(rule, message) for rule, _, _, _, message in found] == [("RP101", ALIAS_BOMB_MESSAGE)]
    assert_inside(report, HOSTILE, text)
    assert_good_files_checked(report)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a: &a {<<: *a}\n", id="self-merge"),
        pytest.param("a: &a {x: 1, <<: *a}\n", id="self-merge-with-a-key"),
        pytest.param(
            "m0: &m0 {}\n" + "".join(f"m{i}: &m{i} {{<<: *m{i - 1}}}\n" for i in range(1, 1100)),
            id="merge-chain-of-1100-empty-mappings",
        ),
    ],
)
def test_recursive_or_very_long_merges_are_rejected(check_beside_good_files: Callable[..., Report], text: str) -> None:
    """A mapping that merges itself (or a 1,100-link chain of merges) must be refused, not recurse.

    A list that contains itself (``a: &a [*a]``) is reported as too deep; merges must end the
    same way (or as an alias bomb) instead of raising RecursionError out of ``check()``.
    """
    report = check_beside_good_files(text)
    found = rows(report, HOSTILE)
    assert len(found) == 1, found
    rule, _, _, _, message = found[0]
    assert rule == "RP101"
    assert message in (NESTING_MESSAGE, ALIAS_BOMB_MESSAGE)
    assert_inside(report, HOSTILE, text)
    assert_good_files_checked(report)


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        pytest.param("a: &a [*a]\n", 1, 4, id="list-containing-itself"),
        pytest.param("a: &a {x: *a}\n", 1, 4, id="mapping-containing-itself"),
    ],
)
def test_self_containing_collections_are_too_deep(
    check_beside_good_files: Callable[..., Report], text: str, line: int, col: int
) -> None:
    report = check_beside_good_files(text)
    assert rows(report, HOSTILE) == [("RP101", HOSTILE, line, col, NESTING_MESSAGE)]
    assert_good_files_checked(report)


# --- Deep nesting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [
        # libyaml stops at 1,000 levels, on the bracket that opens level 1,001.
        pytest.param("[" * 10_000 + "]" * 10_000 + "\n", 1, 1001, FLOW_TOO_DEEP, id="flow-lists-10000"),
        pytest.param("{a: " * 10_000 + "1" + "}" * 10_000 + "\n", 1, 4001, FLOW_TOO_DEEP, id="flow-mappings-10000"),
        # Compact block nesting keeps 10,000 levels on one line: "- - - x" and "? ? ? x".
        pytest.param("- " * 10_000 + "x\n", 1, 1999, BLOCK_TOO_DEEP, id="block-lists-10000"),
        pytest.param("? " * 10_000 + "x\n", 1, 1999, BLOCK_TOO_DEEP, id="block-mapping-keys-10000"),
        # Indented block mappings 10,000 deep need 47.7 MiB of indentation (RP100 before any
        # parsing), so this one goes just past libyaml's limit: 1,100 levels, 0.6 MB.
        pytest.param(
            "".join(" " * i + f"k{i}:\n" for i in range(1100)) + " " * 1100 + "leaf: 1\n",
            1000,
            1004,
            BLOCK_TOO_DEEP,
            id="block-mappings-1100",
        ),
        # Past our own limit but well within libyaml's: the builder stops at depth 65.
        pytest.param("[" * 66 + "]" * 66 + "\n", 1, 66, NESTING_MESSAGE, id="flow-lists-66"),
        pytest.param("{a: " * 70 + "1" + "}" * 70 + "\n", 1, 261, NESTING_MESSAGE, id="flow-mappings-70"),
        pytest.param("- " * 70 + "x\n", 1, 131, NESTING_MESSAGE, id="block-lists-70"),
        pytest.param(
            "".join(" " * i + f"k{i}:\n" for i in range(100)) + " " * 100 + "leaf: 1\n",
            66,
            66,
            NESTING_MESSAGE,
            id="block-mappings-100",
        ),
    ],
)
def test_deep_nesting_is_refused(
    check_beside_good_files: Callable[..., Report], text: str, line: int, col: int, message: str
) -> None:
    report = check_beside_good_files(text)
    assert rows(report, HOSTILE) == [("RP101", HOSTILE, line, col, message)]
    assert_inside(report, HOSTILE, text)
    assert_good_files_checked(report)


def test_nesting_at_the_limit_is_accepted(check_beside_good_files: Callable[..., Report]) -> None:
    """65 nested lists reach depth 64 exactly: parsed, then refused only as a non-mapping."""
    report = check_beside_good_files("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n")
    assert rows(report, HOSTILE) == [("RP103", HOSTILE, 1, 1, NOT_A_MAPPING.format("a list"))]
    assert_good_files_checked(report)


# --- Files that cannot be read -----------------------------------------------------------------


def test_50_mib_file_is_not_read(write_policy: WritePolicy, run_check: RunCheck) -> None:
    write_policy(GOOD_TEAM, "good.yaml")
    root = write_policy(WITNESS_TEAM, "witness.yaml")
    line = b"# " + b"padding " * 7 + b"x" * 5 + b"\n"
    assert len(line) == 64
    chunk = line * (2**20 // len(line))
    with (root / "hostile.yaml").open("wb") as file:
        for _ in range(50):
            file.write(chunk)
    assert (root / "hostile.yaml").stat().st_size == 50 * 2**20

    report = run_check(root)
    assert rows(report, HOSTILE) == [
        ("RP100", HOSTILE, 1, 1, "file is 50.0 MiB; policy files are read up to 8 MiB, so split it")
    ]
    assert HOSTILE not in report.sources
    assert_good_files_checked(report)


def test_latin1_byte_is_located(check_beside_good_files: Callable[..., Report]) -> None:
    text = b"apiVersion: relpolicy.dev/v1\nkind: Team\nmetadata: {name: caf\xe9}\n"
    report = check_beside_good_files(text)
    assert rows(report, HOSTILE) == [
        ("RP100", HOSTILE, 3, 21, "file is not UTF-8: byte 0xe9 cannot be decoded; save it as UTF-8")
    ]
    assert HOSTILE not in report.sources
    assert_good_files_checked(report)


def test_bad_byte_column_counts_characters(check_beside_good_files: Callable[..., Report]) -> None:
    """Columns count characters, so the two-byte é before the bad byte is one column."""
    text = "kind: Team\nnote: é".encode() + b"\xff\n"
    report = check_beside_good_files(text)
    assert rows(report, HOSTILE) == [
        ("RP100", HOSTILE, 2, 8, "file is not UTF-8: byte 0xff cannot be decoded; save it as UTF-8")
    ]
    assert_good_files_checked(report)


symlinks = pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")


@symlinks
def test_directory_symlink_to_its_parent_is_walked_once(write_policy: WritePolicy, run_check: RunCheck) -> None:
    root = write_policy(GOOD_TEAM, "good.yaml")
    write_policy(WITNESS_TEAM, "sub/witness.yaml")
    (root / "sub" / "up").symlink_to("..", target_is_directory=True)
    (root / "sub" / "here").symlink_to(".", target_is_directory=True)

    report = run_check(root)
    assert report.files == 2
    assert sorted(report.sources) == ["policies/good.yaml", "policies/sub/witness.yaml"]
    assert rows(report) == [("RP201", "policies/sub/witness.yaml", 5, 13, "no Calendar `nowhere`; known: always")]
    assert report.resources == 2


@symlinks
def test_file_symlink_loop_is_unreadable(
    check_beside_good_files: Callable[..., Report], write_policy: WritePolicy
) -> None:
    root = write_policy(GOOD_TEAM, "good.yaml")
    (root / "a.yaml").symlink_to("b.yaml")
    (root / "b.yaml").symlink_to("a.yaml")
    report = check_beside_good_files()
    loop = "cannot read the file: Too many levels of symbolic links"
    assert rows(report, "policies/a.yaml") == [("RP100", "policies/a.yaml", 1, 1, loop)]
    assert rows(report, "policies/b.yaml") == [("RP100", "policies/b.yaml", 1, 1, loop)]
    assert report.files == 4
    assert_good_files_checked(report, hostile=("policies/a.yaml", "policies/b.yaml"))


@symlinks
def test_dangling_symlink_is_unreadable(
    check_beside_good_files: Callable[..., Report], write_policy: WritePolicy
) -> None:
    root = write_policy(GOOD_TEAM, "good.yaml")
    (root / "hostile.yaml").symlink_to("missing.yaml")
    report = check_beside_good_files()
    assert rows(report, HOSTILE) == [("RP100", HOSTILE, 1, 1, "cannot read the file: No such file or directory")]
    assert_good_files_checked(report)


# --- Tags that would construct objects ---------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "line", "col", "tag"),
    [
        pytest.param(
            '!!python/object/apply:os.system ["{cmd}"]\n', 1, 1, "!!python/object/apply:os.system", id="apply"
        ),
        pytest.param(
            "!!python/object/new:subprocess.check_call [[sh, -c, '{cmd}']]\n",
            1,
            1,
            "!!python/object/new:subprocess.check_call",
            id="new",
        ),
        pytest.param(
            "!!python/object:subprocess.Popen {{args: [sh, -c, '{cmd}']}}\n",
            1,
            1,
            "!!python/object:subprocess.Popen",
            id="object",
        ),
        pytest.param(
            "apiVersion: relpolicy.dev/v1\nkind: Team\nmetadata: {{name: evil}}\nspec:\n"
            '  coverage: !!python/object/apply:os.system ["{cmd}"]\n'
            "  members: [{{name: Ana Lima, email: ana@example.com}}]\n",
            5,
            13,
            "!!python/object/apply:os.system",
            id="apply-inside-a-team",
        ),
        pytest.param("spec:\n  !!python/name:os.system : 1\n", 2, 3, "!!python/name:os.system", id="name-as-a-key"),
        pytest.param("spec: !!python/name:os.system ''\n", 1, 7, "!!python/name:os.system", id="name"),
        pytest.param("spec: !!python/module:os ''\n", 1, 7, "!!python/module:os", id="module"),
        pytest.param("spec: !<tag:yaml.org,2002:python/tuple> [1]\n", 1, 7, "!!python/tuple", id="verbatim"),
        pytest.param("spec: !!binary aGVsbG8=\n", 1, 7, "!!binary", id="binary"),
        pytest.param("spec: !!set {{a, b}}\n", 1, 7, "!!set", id="set"),
        pytest.param("spec: !local x\n", 1, 7, "!local", id="local-tag"),
    ],
)
def test_object_tags_are_refused_and_never_run(
    check_beside_good_files: Callable[..., Report], tmp_path: Path, template: str, line: int, col: int, tag: str
) -> None:
    marker = tmp_path / "pwned"
    text = template.format(cmd=f"touch {marker}")
    report = check_beside_good_files(text)
    assert rows(report, HOSTILE) == [("RP101", HOSTILE, line, col, TAG_MESSAGE.format(tag))]
    assert not marker.exists()
    assert_good_files_checked(report)


@pytest.mark.parametrize(
    ("text", "col", "message"),
    [
        pytest.param("note: !!bool yes\n", 7, "`yes` is tagged as a boolean but is not one", id="bool"),
        pytest.param("note: !!null nothing\n", 7, "`nothing` is tagged as null but is not one", id="null"),
        pytest.param("note: !!int twelve\n", 7, "`twelve` is tagged as an integer but is not one", id="int"),
        pytest.param("note: !!float 1,5\n", 7, "`1,5` is tagged as a number but is not one", id="float"),
    ],
)
def test_explicit_core_tags_must_fit_their_value(
    check_beside_good_files: Callable[..., Report], text: str, col: int, message: str
) -> None:
    report = check_beside_good_files(text)
    assert rows(report, HOSTILE) == [("RP101", HOSTILE, 1, col, message)]
    assert_good_files_checked(report)


# --- Odd but harmless files --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "col", "char"),
    [
        # A NUL inside a name on line 3; the two-byte é before it is one column.
        pytest.param("apiVersion: relpolicy.dev/v1\nkind: Team\nmetadata: {name: café\x00}\n", 3, 22, "0000", id="nul"),
        pytest.param("kind: Team\n# bell\x07\n", 2, 7, "0007", id="bell"),
        pytest.param("kind: Team\nspec: {}\nnote: \x1b[31mred\n", 3, 7, "001b", id="escape"),
        # Lines end where libyaml (and every editor) ends them, at CR and CRLF too.
        pytest.param("kind: Team\r\nnote: \x00\r\n", 2, 7, "0000", id="crlf-line-endings"),
        pytest.param("kind: Team\rspec: {}\rnote: \x00\r", 3, 7, "0000", id="cr-line-endings"),
    ],
)
def test_control_character_is_located(
    check_beside_good_files: Callable[..., Report], text: str, line: int, col: int, char: str
) -> None:
    """A control character is a syntax error located at that character, like a non-UTF-8 byte.

    libyaml reports it as a ReaderError, with a byte ``position`` but no ``problem_mark``; the
    line and column must count lines the way libyaml's own marks do.
    """
    report = check_beside_good_files(text)
    message = f"YAML syntax error: unacceptable character #x{char}: control characters are not allowed"
    assert rows(report, HOSTILE) == [("RP101", HOSTILE, line, col, message)]
    assert_good_files_checked(report)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("---\n", id="only-a-document-marker"),
        pytest.param("---", id="marker-without-newline"),
        pytest.param("---\n---\n...\n", id="empty-documents"),
        pytest.param("# only a comment\n", id="comment"),
        pytest.param("~\n", id="null-document"),
        pytest.param("\ufeff", id="byte-order-mark"),
    ],
)
def test_empty_documents_are_skipped(check_beside_good_files: Callable[..., Report], text: str) -> None:
    report = check_beside_good_files(text)
    assert rows(report, HOSTILE) == []
    assert HOSTILE in report.sources
    assert report.documents == 2
    assert_good_files_checked(report)


@pytest.mark.parametrize(
    ("text", "described"),
    [
        pytest.param("hello\n", "`hello`", id="string"),
        pytest.param("42\n", "`42`", id="integer"),
        pytest.param("true\n", "the boolean `true`", id="boolean"),
        pytest.param("- 1\n- 2\n", "a list", id="block-list"),
        pytest.param("[apiVersion, kind]\n", "a list", id="flow-list"),
    ],
)
def test_document_that_is_not_a_mapping(
    check_beside_good_files: Callable[..., Report], text: str, described: str
) -> None:
    report = check_beside_good_files(text)
    assert rows(report, HOSTILE) == [("RP103", HOSTILE, 1, 1, NOT_A_MAPPING.format(described))]
    assert_good_files_checked(report)


def test_syntax_error_in_second_document_keeps_the_first(check_beside_good_files: Callable[..., Report]) -> None:
    text = (
        "apiVersion: relpolicy.dev/v1\n"
        "kind: Team\n"
        "metadata: {name: billing}\n"
        "spec:\n"
        "  coverage: nowhen\n"
        "  members: [{name: Cy Diaz, email: cy@example.com}]\n"
        "---\n"
        "apiVersion: relpolicy.dev/v1\n"
        "kind: Team\n"
        "metadata: {name: [oops\n"
    )
    report = check_beside_good_files(text)
    assert rows(report, HOSTILE) == [
        ("RP201", HOSTILE, 5, 13, "no Calendar `nowhen`; known: always"),
        ("RP101", HOSTILE, 11, 1, "YAML syntax error: while parsing a flow sequence; did not find expected ',' or ']'"),
    ]
    assert report.documents == 3
    assert_good_files_checked(report, resources=3)


# --- Duplicate keys and merge keys -------------------------------------------------------------


def test_duplicate_key_keeps_the_first_and_points_at_it(check_beside_good_files: Callable[..., Report]) -> None:
    text = (
        "apiVersion: relpolicy.dev/v1\n"
        "kind: Team\n"
        "metadata: {name: ops}\n"
        "spec:\n"
        "  coverage: always\n"
        "  members: [{name: Ana Lima, email: ana@example.com}]\n"
        "  coverage: nowhere\n"
    )
    report = check_beside_good_files(text)
    message = (
        "duplicate key `coverage`: first defined at line 5; "
        "YAML tools disagree on which value wins, so relpolicy keeps the first"
    )
    assert rows(report, HOSTILE) == [("RP102", HOSTILE, 7, 3, message)]
    (duplicate,) = (f for f in report.findings if f.location.path == HOSTILE)
    assert duplicate.location == Location(HOSTILE, 7, 3, 7, 11)
    assert duplicate.related == (Related(Location(HOSTILE, 5, 3, 5, 11), "`coverage` first defined here"),)
    # The first value (always) won: no RP201 for `nowhere` in this file.
    assert_good_files_checked(report, resources=3)


MERGED_TEAM = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: ops}
spec:
  coverage: always
  members:
    - &ana {name: Ana Lima, email: ana@example.com, role: lead}
    - <<: *ana
      email: ana.lima@example.com
    - email: ana.l@example.com
      <<: [*ana]
"""


def test_merge_keys_work_and_explicit_keys_win(check_beside_good_files: Callable[..., Report]) -> None:
    report = check_beside_good_files(MERGED_TEAM)
    assert rows(report, HOSTILE) == []
    assert_good_files_checked(report, resources=3)

    (document,) = parse_yaml(MERGED_TEAM, HOSTILE).documents
    assert document.data["spec"]["members"] == [
        {"name": "Ana Lima", "email": "ana@example.com", "role": "lead"},
        {"name": "Ana Lima", "email": "ana.lima@example.com", "role": "lead"},
        {"name": "Ana Lima", "email": "ana.l@example.com", "role": "lead"},
    ]
    keys = document.positions.keys
    assert keys["spec", "members", 1, "email"] == (9, 7, 9, 12)
    assert keys["spec", "members", 2, "email"] == (10, 7, 10, 12)


def test_merge_of_a_scalar_is_refused(check_beside_good_files: Callable[..., Report]) -> None:
    report = check_beside_good_files("spec:\n  <<: [1, 2]\n")
    assert rows(report, HOSTILE) == [("RP101", HOSTILE, 2, 7, "`<<` merges mappings only: use `<<: *anchor`")]
    assert_good_files_checked(report)


# --- Numbers too large for the values they describe --------------------------------------------

HUGE = "9" * 25


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        pytest.param(
            "apiVersion: relpolicy.dev/v1\nkind: EscalationPolicy\nmetadata: {name: default}\nspec:\n"
            f"  steps: [{{after: {HUGE}s, notify: [{{team: payments}}]}}]\n",
            5,
            19,
            id="escalation-step-after",
        ),
        pytest.param(
            "apiVersion: relpolicy.dev/v1\nkind: EscalationPolicy\nmetadata: {name: default}\nspec:\n"
            "  steps: [{after: 1000000000d, notify: [{team: payments}]}]\n",
            5,
            19,
            id="escalation-step-after-just-past-timedelta",
        ),
        pytest.param(
            "apiVersion: relpolicy.dev/v1\nkind: MaintenanceWindow\nmetadata: {name: sunday}\nspec:\n"
            f"  services: [checkout]\n  at: 2026-12-06T02:00:00Z\n  duration: {HUGE}w\n",
            7,
            13,
            id="window-duration",
        ),
        pytest.param(
            "apiVersion: relpolicy.dev/v1\nkind: SLO\nmetadata: {name: fast}\nspec:\n  service: checkout\n"
            f"  objective: 99.9\n  indicator: {{type: latency, threshold: {HUGE}ms}}\n",
            7,
            41,
            id="slo-latency-threshold",
        ),
        pytest.param(
            "apiVersion: relpolicy.dev/v1\nkind: PriorityPolicy\nmetadata: {name: default}\nspec:\n"
            "  default: P1\n"
            f"  levels: [{{name: P1, description: Outage., response: 5m, restore: {HUGE}d}}]\n",
            6,
            68,
            id="priority-restore",
        ),
    ],
)
def test_huge_durations_are_schema_violations(
    check_beside_good_files: Callable[..., Report], text: str, line: int, col: int
) -> None:
    """A duration beyond what a timedelta holds is a bad value (RP103) at that value.

    ``parse_duration`` and the latency parser build the timedelta inside a pydantic validator;
    its OverflowError is not a validation error, so it must not escape ``check()``.
    """
    report = check_beside_good_files(text)
    assert [row[:4] for row in rows(report, HOSTILE)] == [("RP103", HOSTILE, line, col)]
    assert_inside(report, HOSTILE, text)
    assert_good_files_checked(report)


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        pytest.param(
            "apiVersion: relpolicy.dev/v1\nkind: SLO\nmetadata: {name: fast}\nspec:\n  service: checkout\n"
            "  objective: 99.9\n  indicator:\n    type: latency\n    threshold: |\n      300ms\n",
            9,
            16,
            id="block-scalar",
        ),
        pytest.param(
            "apiVersion: relpolicy.dev/v1\nkind: SLO\nmetadata: {name: fast}\nspec:\n  service: checkout\n"
            '  objective: 99.9\n  indicator: {type: latency, threshold: "300ms\\n"}\n',
            7,
            41,
            id="escaped-newline",
        ),
    ],
)
def test_latency_threshold_with_a_final_newline(
    check_beside_good_files: Callable[..., Report], text: str, line: int, col: int
) -> None:
    """``300ms`` followed by a line break passes LATENCY_PATTERN (``$`` matches before a final
    newline), then ``re.fullmatch`` in ``_latency`` finds nothing and ``.groups()`` raises
    AttributeError, which pydantic does not turn into a validation error."""
    report = check_beside_good_files(text)
    assert [row[:4] for row in rows(report, HOSTILE)] == [("RP103", HOSTILE, line, col)]
    assert_good_files_checked(report)
