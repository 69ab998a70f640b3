"""``relpolicy check --fix``: each rule's fix shown on a file before and after, comments intact."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from relpolicy.cli import main
from relpolicy.editing.editor import apply_replacements
from relpolicy.fixes import unambiguous_match, yaml_scalar
from relpolicy.model.build import build
from relpolicy.model.kinds import LANGUAGE, Language, Migration
from relpolicy.source.parse import parse_yaml

TEAM = """\
---
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}]
"""


def fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> tuple[int, str]:
    """Write ``text`` beside a team, run ``check --fix`` on it, return the exit code and the file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies").mkdir()
    path = tmp_path / "policies" / "p.yaml"
    path.write_text(textwrap.dedent(text) + TEAM)
    code = main(["check", "--fix", "--fail-on", "warning", "--as-of", "2026-11-26", "--no-cache", "policies"])
    return code, path.read_text().removesuffix(TEAM)


SERVICE = """\
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: checkout}  # the shop
spec:
  # what it does
  description: Takes orders.
  tier: 3
  customerFacing: true
"""


def test_rp201_renames_the_reference(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An owner that is clearly a typo of the one team becomes that team; comments stay."""
    code, after = fix(tmp_path, monkeypatch, SERVICE + "  owner: paymnts  # who answers\n")
    assert (code, after) == (0, SERVICE + "  owner: payments  # who answers\n")


def test_rp103_renames_a_misspelt_field_then_rp201_fixes_its_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ownr:` becomes `owner:`; the next round fixes the name it holds."""
    code, after = fix(tmp_path, monkeypatch, SERVICE + "  # the owner\n  ownr: paymnts\n")
    assert (code, after) == (0, SERVICE + "  # the owner\n  owner: payments\n")


def test_rp102_removes_a_duplicate_with_the_same_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second `tier: 3` goes; the comment above it stays."""
    code, after = fix(tmp_path, monkeypatch, SERVICE + "  owner: payments\n  # again\n  tier: 3\n")
    assert (code, after) == (0, SERVICE + "  owner: payments\n  # again\n")


def test_rp102_keeps_a_duplicate_with_another_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Which of two different values is meant is the author's call: no fix, the finding remains."""
    code, after = fix(tmp_path, monkeypatch, SERVICE + "  owner: payments\n  tier: 2\n")
    assert (code, after) == (1, SERVICE + "  owner: payments\n  tier: 2\n")
    assert "RP102" in capsys.readouterr().out


def test_rp901_removes_unused_suppressions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole-line suppression loses its line, an end-of-line one its comment, a partly used one its extra rule."""
    before = SERVICE.replace("  tier: 3\n", "  # relpolicy: ignore[RP302] was tier 1\n  tier: 3\n") + (
        "  owner: payments  # relpolicy: ignore[RP201] old name\n"
        "  dependsOn:\n"
        "    # relpolicy: ignore[RP301, RP302] the loop is intended\n"
        "    - {service: checkout, type: hard}  # itself\n"
    )
    code, after = fix(tmp_path, monkeypatch, before)
    assert (code, after) == (
        0,  # the loop (RP301) is still suppressed
        SERVICE
        + "  owner: payments\n"
        + "  dependsOn:\n"
        + "    # relpolicy: ignore[RP301] the loop is intended\n"
        + "    - {service: checkout, type: hard}  # itself\n",
    )


def test_rp106_migrates_with_a_registry_that_deprecates_a_version() -> None:
    """A deprecated version is rewritten and its moved field renamed, through the fix the finding carries."""
    v1 = LANGUAGE.versions["relpolicy.dev/v1"]
    language = Language(
        {"relpolicy.dev/v1": v1, "relpolicy.dev/v1beta1": v1},
        deprecated={"relpolicy.dev/v1beta1": "use relpolicy.dev/v1"},
        migrations={"relpolicy.dev/v1beta1": Migration("relpolicy.dev/v1", {"Team": {("spec", "hours"): "coverage"}})},
    )
    text = (
        "apiVersion: relpolicy.dev/v1beta1  # old\nkind: Team\nmetadata: {name: payments}\nspec:\n"
        "  hours: always  # when\n  members: [{name: Ana Lima, email: ana@example.com}]\n"
    )
    result = build(parse_yaml(text, "t.yaml").documents, language)
    (problem,) = [p for p in result.problems if p.rule_id == "RP106"]
    assert problem.fix is not None
    assert problem.fix.description == "write apiVersion `relpolicy.dev/v1` and rename `spec.hours` to `coverage`"
    fixed = apply_replacements(text, problem.fix.replacements)
    assert fixed == text.replace("v1beta1", "v1").replace("hours:", "coverage:")
    assert not build(parse_yaml(fixed, "t.yaml").documents, language).problems


def test_no_deprecated_version_exists_today() -> None:
    """relpolicy.dev/v1 is the only version: RP106 and its fix wait for v2."""
    assert (dict(LANGUAGE.deprecated), dict(LANGUAGE.migrations)) == ({}, {})


def test_fix_diff_prints_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--fix --diff shows the fixes as a diff and exits 1; the file is unchanged."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(SERVICE + "  owner: paymnts\n" + TEAM)
    assert main(["check", "--fix", "--diff", "--no-cache", "p.yaml"]) == 1
    out, _ = capsys.readouterr()
    assert out == (
        "--- p.yaml\n+++ p.yaml (fixed)\n@@ -6,7 +6,7 @@\n   description: Takes orders.\n   tier: 3\n"
        "   customerFacing: true\n-  owner: paymnts\n+  owner: payments\n ---\n apiVersion: relpolicy.dev/v1\n"
        " kind: Team\n"
    )
    assert (tmp_path / "p.yaml").read_text() == SERVICE + "  owner: paymnts\n" + TEAM


def test_diff_without_fix_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--diff alone says what it needs."""
    (tmp_path / "p.yaml").write_text(TEAM)
    assert main(["check", "--diff", str(tmp_path / "p.yaml")]) == 2
    assert capsys.readouterr().err == "relpolicy: error: --diff shows the fixes of --fix: pass both\n"


@pytest.mark.parametrize(
    ("word", "choices", "expected"),
    [
        ("paymnts", ["payments", "payments-api", "search"], "payments"),
        ("db1", ["db2", "db3"], None),
        ("ownr", ["owner", "tier"], "owner"),
        ("xyz", ["owner"], None),
    ],
)
def test_unambiguous_match(word: str, choices: list[str], expected: str | None) -> None:
    """A fix is offered only for one clearly closest candidate."""
    assert unambiguous_match(word, choices) == expected


@pytest.mark.parametrize(("text", "written"), [("payments", "payments"), ("no", '"no"'), ("1e3", '"1e3"')])
def test_yaml_scalar(text: str, written: str) -> None:
    """Replacement names are quoted only where a plain scalar would be read otherwise."""
    assert yaml_scalar(text) == written


def test_sarif_results_carry_fixes_valid_against_the_oasis_schema(tmp_path: Path) -> None:
    """A fixable finding's SARIF result has ``fixes`` with the replacement region; the log is valid SARIF 2.1.0."""
    import datetime as dt
    import json

    import jsonschema

    from relpolicy.engine import check
    from relpolicy.report import sarif

    (tmp_path / "p.yaml").write_text(SERVICE + "  owner: paymnts\n" + TEAM)
    report = check([tmp_path / "p.yaml"], as_of=dt.date(2026, 11, 26), base=tmp_path)
    log = sarif.as_data(report)
    schema = json.loads((Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "RP201"]
    assert result["fixes"] == [
        {
            "description": {"text": "replace `paymnts` with `payments`"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "p.yaml", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {"startLine": 9, "startColumn": 10, "endLine": 9, "endColumn": 17},
                            "insertedContent": {"text": "payments"},
                        }
                    ],
                }
            ],
        }
    ]


def test_a_suppression_is_not_removed_while_a_typo_hides_what_it_suppresses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """While `tierr` keeps recommendations out of the checks, the RP302 waiver looks unused: it must stay."""
    policy = """\
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          customerFacing: true
          dependsOn:
            # relpolicy: ignore[RP302] recommendations will be raised to tier 1 in Q1
            - service: recommendations
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: recommendations}
        spec: {description: Suggests products., tierr: 3, owner: payments, customerFacing: true}
        """
    _, after = fix(tmp_path, monkeypatch, policy)  # exit 1: the example's tier-1 warnings (RP401...) remain
    assert after == textwrap.dedent(policy).replace("tierr:", "tier:")
    out, err = capsys.readouterr()
    assert "RP901" not in out + err
    assert err.endswith("relpolicy: applied 1 fix(es) in 1 file(s)\n")
