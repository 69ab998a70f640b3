"""Inline suppressions `# relpolicy: ignore[RPxxx] reason`: their scope, and RP901/RP902 when they are wrong."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import AS_OF

from relpolicy.cli import main
from relpolicy.config import load_settings
from relpolicy.engine import check
from relpolicy.suppressions import find_suppressions

POLICY = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}]
---
apiVersion: relpolicy.dev/v1
kind: Service<KIND>
metadata: {name: checkout}
spec:
  description: Takes orders.
  tier: 3
  owner: payments
  dependsOn:<ABOVE>
    - service: recommendations<SAME>
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: recommendations}
spec: {description: Suggests products., tier: 4, owner: payments}
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: printers}
spec: {description: Office printers., tier: 4, owner: payments, dependsOn: [{service: scanners, type: soft}]}
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: scanners}
spec: {description: Office scanners., tier: 4, owner: payments, dependsOn: [{service: printers}]}
"""
"""Unsuppressed: RP302 error at checkout's dependency (line 16) and RP301 warning at printers' soft dependency
on scanners, which closes a cycle (line 26).

``<KIND>`` ends checkout's `kind:` line (9), ``<SAME>`` the dependency's line (16), and ``<ABOVE>``
adds lines just above the dependency (so every later line moves down by as many lines).
"""

TIER1 = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}]
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: checkout}
spec:
  description: Takes orders.
  tier: 1
  owner: payments
  dependsOn:
    - service: recommendations  # relpolicy: ignore[RULES]
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: recommendations}
spec: {description: Suggests products., tier: 3, owner: payments}
"""
"""A tier-1 service hard-depending on tier 3 without an SLO: RP302 and RP307 on the same line (16)."""

TIER1_RULES = "select: [RP302, RP307, RP901, RP902]\n"

Found = tuple[str, int, int, str]
"""(rule id, line, column, message) of a finding."""


def policy(*, kind: str = "", above: str = "", same: str = "") -> str:
    return POLICY.replace("<KIND>", kind).replace("<ABOVE>", above).replace("<SAME>", same)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working directory of the CLI run (its relpolicy.yaml, if any, is read)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[Found]]:
    """`relpolicy check --format json` as of AS_OF: the exit code and the findings in policies/policy.yaml."""
    code = main(["check", "--format", "json", "--as-of", AS_OF.isoformat(), *argv])
    out, err = capsys.readouterr()
    assert err == ""
    findings = json.loads(out)["findings"]
    return code, [
        (f["ruleId"], f["location"]["line"], f["location"]["column"], f["message"])
        for f in findings
        if f["location"]["path"] == "policies/policy.yaml"
    ]


RP302 = (
    "RP302",
    16,
    7,
    "checkout (tier 3) hard-depends on a less critical tier: recommendations (tier 4) is less critical; "
    "raise it to tier 3 or make the dependency soft",
)
RP301 = ("RP301", 26, 77, "dependency cycle through a soft dependency: printers -> scanners -> printers")


def moved(found: Found, lines: int) -> Found:
    return (found[0], found[1] + lines, *found[2:])


def test_unsuppressed_fixture(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Without suppressions the fixture has one RP302 error and one RP301 warning."""
    write_policy(policy())
    assert run(capsys) == (1, [RP302, RP301])


# Scope


@pytest.mark.parametrize(
    "comment",
    [
        "  # relpolicy: ignore[RP302] recommendations becomes tier 3 in Q1",
        " #relpolicy:ignore[RP302]recommendations becomes tier 3 in Q1",
        "  # relpolicy: ignore[tier-inversion] recommendations becomes tier 3 in Q1",
        "  # relpolicy: ignore[rp302] recommendations becomes tier 3 in Q1",
        "  # relpolicy: ignore[ RP301 , RP302 ] recommendations becomes tier 3 in Q1; printers is fine",
    ],
)
def test_same_line(
    project: Path, write_policy: Callable[..., Path], comment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A trailing comment suppresses the findings located on its line, by rule id (any case) or name."""
    write_policy(policy(same=comment))
    code, found = run(capsys)
    if "RP301" in comment:  # RP301 is not on this line: that part of the suppression is unused
        col = comment.index("#") + len("    - service: recommendations") + 1
        partial = "suppression of RP301, RP302: RP301 suppresses nothing here; remove it from the brackets"
        assert (code, found) == (0, [("RP901", 16, col, partial), RP301])
    else:
        assert (code, found) == (0, [RP301])


def test_line_above_skips_blank_and_comment_lines(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A comment on a line of its own covers the next line with content."""
    above = "\n    # relpolicy: ignore[RP302] recommendations becomes tier 3 in Q1\n\n    # an ordinary comment"
    write_policy(policy(above=above))
    assert run(capsys) == (0, [moved(RP301, 3)])


def test_line_above_covers_only_the_next_node(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """An own-line suppression two nodes above a finding does not reach it: it is unused."""
    text = policy().replace(
        "  owner: payments\n  dependsOn:", "  # relpolicy: ignore[RP302] too far\n  owner: payments\n  dependsOn:"
    )
    write_policy(text)
    unused = ("RP901", 14, 3, "suppression of RP302 suppresses nothing: remove it")
    assert run(capsys) == (1, [unused, moved(RP302, 1), moved(RP301, 1)])


def test_kind_line_covers_the_whole_document(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """On the `kind:` line, a suppression covers every finding of that document, and only of that document."""
    two_dependencies = policy(kind="  # relpolicy: ignore[RP302, RP301] both are raised in Q1").replace(
        "    - service: recommendations\n", "    - service: recommendations\n    - service: printers\n"
    )
    write_policy(two_dependencies)
    partial = (
        "RP901",
        9,
        16,
        "suppression of RP302, RP301: RP301 suppresses nothing here; remove it from the brackets",
    )
    # both RP302 findings are in checkout's document; RP301 is in printers' document
    assert run(capsys) == (0, [partial, moved(RP301, 1)])


def test_own_line_above_kind_covers_the_whole_document(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """An own-line suppression just above `kind:` covers the document too."""
    text = policy().replace(
        "kind: Service\nmetadata: {name: checkout}",
        "# relpolicy: ignore[RP302] raised in Q1\nkind: Service\nmetadata: {name: checkout}",
    )
    write_policy(text)
    assert run(capsys) == (0, [moved(RP301, 1)])


def test_other_lines_of_the_document_do_not_cover_it(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A suppression on `apiVersion:` or `metadata:` covers that line only, not the document."""
    text = policy().replace(
        "apiVersion: relpolicy.dev/v1\nkind: Service\nmetadata: {name: checkout}",
        "apiVersion: relpolicy.dev/v1  # relpolicy: ignore[RP302] a\n"
        "kind: Service\n"
        "metadata: {name: checkout}  # relpolicy: ignore[RP302] b",
    )
    write_policy(text)
    assert run(capsys) == (
        1,
        [
            ("RP901", 8, 31, "suppression of RP302 suppresses nothing: remove it"),
            ("RP901", 10, 29, "suppression of RP302 suppresses nothing: remove it"),
            RP302,
            RP301,
        ],
    )


def test_several_rules_on_one_line(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """One comment may name several rules; each of them is suppressed."""
    write_policy(TIER1.replace("RULES", "RP302, unknown-dependency-availability] raised to tier 1 with an SLO in Q1"))
    (project / "relpolicy.yaml").write_text(TIER1_RULES)
    assert run(capsys) == (0, [])
    write_policy(TIER1.replace("RULES", "RP302] raised to tier 1 in Q1"))
    assert run(capsys) == (
        0,
        [
            (
                "RP307",
                16,
                7,
                "checkout (tier 1) hard-depends on recommendations, which has no availability SLO: "
                "what checkout can promise cannot be checked",
            )
        ],
    )


def test_suppressions_are_per_file(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A suppression on line 16 of one file does not hide a finding on line 16 of another."""
    write_policy(policy())
    other = policy(same="  # relpolicy: ignore[RP302] another file").replace("checkout", "basket")
    for name in ("payments", "recommendations", "printers", "scanners"):
        other = other.replace(f"name: {name}", f"name: x-{name}").replace(f": {name}", f": x-{name}")
    write_policy(other, "other.yaml")
    assert run(capsys) == (1, [RP302, RP301])


# RP902 and RP901


def test_missing_reason_is_rp902_and_still_suppresses(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A suppression without a reason works, but is an RP902 warning at the comment."""
    write_policy(policy(same="  # relpolicy: ignore[RP302]   "))
    rp902 = ("RP902", 16, 33, "suppression of RP302 gives no reason: say why after the brackets")
    assert run(capsys) == (0, [rp902, RP301])
    assert run(capsys, "--fail-on", "warning")[0] == 1


def test_unused_suppression_is_rp901(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A suppression that matches no finding is an RP901 warning, located at the comment."""
    write_policy(policy(same="  # relpolicy: ignore[RP301] printers is fine"))
    code = main(["check", "--format", "json", "--as-of", AS_OF.isoformat()])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1
    assert findings[1] == {
        "ruleId": "RP901",
        "ruleName": "unused-suppression",
        "severity": "warning",
        "message": "suppression of RP301 suppresses nothing: remove it",
        "location": {"path": "policies/policy.yaml", "line": 16, "column": 33, "endLine": 16, "endColumn": 76},
        "subject": "policies/policy.yaml:suppression:RP301",
        "related": [],
    }
    assert [f["ruleId"] for f in findings] == ["RP302", "RP901", "RP301"]


@pytest.mark.parametrize(
    ("comment", "message", "kept"),
    [
        (
            "ignore[RP999] a typo",
            "this suppression names unknown rule RP999: `relpolicy rules` lists the rule ids and names",
            [RP302],
        ),
        (
            "ignore[RP302, tier-inversoin, RP9] typos",
            "this suppression names unknown rules tier-inversoin, RP9: `relpolicy rules` lists the rule ids and names",
            [],
        ),
        ("ignore[] nothing", "this suppression names no rule: write ignore[RPxxx] with rule ids", [RP302]),
        ("ignore[ , ]", "this suppression names no rule: write ignore[RPxxx] with rule ids", [RP302]),
    ],
)
def test_unknown_rule_is_rp901(
    project: Path,
    write_policy: Callable[..., Path],
    comment: str,
    message: str,
    kept: list[Found],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A suppression naming an unknown rule (or none) is RP901; the rules it names that exist still apply."""
    write_policy(policy(same=f"  # relpolicy: {comment}"))
    assert run(capsys) == (1 if kept else 0, [*kept, ("RP901", 16, 33, message), RP301])


@pytest.mark.parametrize(
    "config",
    [
        "ignore: [RP302]\n",
        "select: [RP301, RP901]\n",
        'perPathIgnores: {"policies/*.yaml": [tier-inversion]}\n',
    ],
)
def test_suppression_of_a_rule_that_did_not_run_is_not_unused(
    project: Path, write_policy: Callable[..., Path], config: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing can be judged of a suppression of a rule ignored, not selected or ignored for the file."""
    (project / "relpolicy.yaml").write_text(config)
    write_policy(policy(same="  # relpolicy: ignore[RP302] raised in Q1"))
    assert run(capsys) == (0, [RP301])
    write_policy(policy(same="  # relpolicy: ignore[RP302, RP301] printers is fine"))
    partial = "suppression of RP302, RP301: RP301 suppresses nothing here; remove it from the brackets"
    assert run(capsys) == (0, [("RP901", 16, 33, partial), RP301])


def test_missing_reason_is_reported_even_for_an_ignored_rule(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """RP902 is about the comment itself, so it does not depend on the rule it names running."""
    (project / "relpolicy.yaml").write_text("ignore: [RP302]\n")
    write_policy(policy(same="  # relpolicy: ignore[RP302]"))
    assert run(capsys) == (
        0,
        [("RP902", 16, 33, "suppression of RP302 gives no reason: say why after the brackets"), RP301],
    )


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("ignore: [unused-suppression]\n", (1, [RP302, RP301])),
        ('perPathIgnores: {"policies/policy.yaml": [RP901, RP902]}\n', (1, [RP302, RP301])),
        ('perPathIgnores: {"policies/other.yaml": [RP901]}\n', None),
        ("severity: {RP901: error}\nignore: [RP302]\n", (1, [("RP901", 16, 33, "error"), RP301])),
    ],
)
def test_suppression_findings_follow_the_configuration(
    project: Path,
    write_policy: Callable[..., Path],
    config: str,
    expected: tuple[int, list[object]] | None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """RP901/RP902 can be ignored, ignored per path, or made errors, like any rule."""
    (project / "relpolicy.yaml").write_text(config)
    write_policy(policy(same="  # relpolicy: ignore[RP301] printers is fine"))
    code = main(["check", "--format", "json", "--as-of", AS_OF.isoformat()])
    findings = json.loads(capsys.readouterr().out)["findings"]
    if expected is None:  # the glob does not match this file: RP901 is reported
        assert [f["ruleId"] for f in findings] == ["RP302", "RP901", "RP301"]
        return
    shown = [
        (f["ruleId"], f["location"]["line"], f["location"]["column"], f["severity"])
        if f["ruleId"] == "RP901"
        else (f["ruleId"], f["location"]["line"], f["location"]["column"], f["message"])
        for f in findings
    ]
    assert (code, shown) == expected


def test_two_suppressions_of_one_finding_are_both_used(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A finding under a document-wide and a line suppression uses both; it counts once as suppressed."""
    text = policy(kind="  # relpolicy: ignore[RP302] raised in Q1", same="  # relpolicy: ignore[RP302] raised in Q1")
    write_policy(text)
    assert run(capsys) == (0, [RP301])
    report = check([project / "policies"], as_of=AS_OF, settings=load_settings(project))
    assert (report.suppressed, [f.rule_id for f in report.findings]) == (1, ["RP301"])


def test_a_finding_on_a_later_line_of_a_node_is_not_covered(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A finding belongs to the line its node starts on: a comment on a later line of the node misses it."""
    write_policy(
        policy().replace(
            "    - service: recommendations\n",
            "    - service: recommendations\n      type: hard  # relpolicy: ignore[RP302] x\n",
        )
    )
    assert run(capsys) == (
        1,
        [RP302, ("RP901", 17, 19, "suppression of RP302 suppresses nothing: remove it"), moved(RP301, 1)],
    )


# What each comment covers


@pytest.mark.parametrize(
    ("text", "covered"),
    [
        ("a: 1  # relpolicy: ignore[RP302] r\nb: 2\n", [range(1, 2)]),
        ("# relpolicy: ignore[RP302] r\n\n# other\nb: 2\n", [range(4, 5)]),
        ("a: 1\n# relpolicy: ignore[RP302] r\n", [range(2, 3)]),
        (
            "---\napiVersion: v\nkind: K  # relpolicy: ignore[RP302] r\nspec: {}\n---\nkind: L\n",
            [range(1, 5)],
        ),
        (
            "kind: K\n---\napiVersion: v\n# relpolicy: ignore[RP302] r\nkind: L\n"
            "spec:\n  kind: M  # relpolicy: ignore[RP1] r\n",
            [range(2, 8), range(7, 8)],
        ),
        ("a: '# relpolicy: ignore[RP302] r'\nb: x#relpolicy: ignore[RP302] r\n", []),
    ],
)
def test_covered_lines(text: str, covered: list[range]) -> None:
    """The lines each comment covers: its own, the next content line, or a whole document from `kind:`."""
    assert [s.lines for s in find_suppressions("f.yaml", text)] == covered
