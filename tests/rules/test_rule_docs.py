"""Every rule is documented in the fixed shape, and its examples fail and pass as they claim."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import AS_OF

from relpolicy.engine import Report, check
from relpolicy.errors import RelpolicyError
from relpolicy.model.kinds import LANGUAGE, Language
from relpolicy.rules import RULES, Rule, by_id, by_name, lookup
from relpolicy.rules._framework import RULE_ID_PATTERN, RULE_NAME_PATTERN, parse_doc

# RP106 can only fire for a deprecated version; its example assumes one, so the test declares it.
WITH_BETA = Language(
    {**LANGUAGE.versions, "relpolicy.dev/v1beta1": LANGUAGE.versions["relpolicy.dev/v1"]},
    {"relpolicy.dev/v1beta1": "use relpolicy.dev/v1"},
)


def _run(rule: Rule, example: str, write_policy: Callable[..., Path]) -> Report:
    # RP100's failing example is about a file that is not UTF-8: write it as Latin-1.
    data = example.encode("latin-1") if rule.id == "RP100" else example.encode()
    root = write_policy(data)
    return check([root], as_of=AS_OF, base=root.parent, language=WITH_BETA)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_failing_example_triggers_the_rule(rule: Rule, write_policy: Callable[..., Path]) -> None:
    """The documented failing example produces a finding of the rule."""
    report = _run(rule, rule.doc.failing, write_policy)
    assert rule.id in {f.rule_id for f in report.findings}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_passing_example_is_clean(rule: Rule, write_policy: Callable[..., Path]) -> None:
    """The documented passing example is valid policy with no finding of the rule.

    Examples stay short: they show one rule, so other rules' advice (add an SLO, a runbook...)
    may apply to them, but never a structural problem (RP1xx) or a dangling name (RP201).
    """
    report = _run(rule, rule.doc.passing, write_policy)
    unexpected = [f for f in report.findings if f.rule_id == rule.id or f.rule_id < "RP300"]
    assert [(f.rule_id, f.message) for f in unexpected] == []


def test_ids_and_names_are_unique_and_well_formed() -> None:
    """Rule ids look like RP123, names are kebab-case, and neither repeats."""
    assert all(RULE_ID_PATTERN.match(r.id) and RULE_NAME_PATTERN.match(r.name) for r in RULES)
    assert len({r.id for r in RULES}) == len({r.name for r in RULES}) == len(RULES)
    assert [r.id for r in RULES] == sorted(r.id for r in RULES)


def test_lookup_by_id_or_name() -> None:
    """Rules are found by id (any case) or by name; unknown keys are a clear error."""
    assert lookup("rp201") is by_id("RP201") is by_name("unknown-reference")
    with pytest.raises(RelpolicyError, match="unknown rule name `no-such-rule`"):
        lookup("no-such-rule")
    with pytest.raises(RelpolicyError, match="unknown rule id `RP999`"):
        by_id("RP999")


def test_a_docstring_without_examples_is_refused() -> None:
    """The doc shape is enforced when a rule is declared."""
    with pytest.raises(ValueError, match="'Failing example:' and 'Passing example:'"):
        parse_doc("Why only.", "RP999")


def test_deprecated_version_points_at_the_api_version(write_policy: Callable[..., Path]) -> None:
    """RP106 sits on the apiVersion value and says what to use instead; the document still loads."""
    rule = by_id("RP106")
    report = _run(rule, rule.doc.failing, write_policy)
    assert [(f.rule_id, f.location.line, f.location.col, f.message) for f in report.findings] == [
        ("RP106", 1, 13, "apiVersion `relpolicy.dev/v1beta1` is deprecated: use relpolicy.dev/v1")
    ]
    assert report.resources == 1


def test_docs_rules_md_is_current() -> None:
    """docs/rules.md is generated from the registry; regenerate it when a rule changes."""
    from tests.conftest import REPO

    from relpolicy.rules.catalog import render_markdown

    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render_markdown(RULES), "run: relpolicy rules --format markdown > docs/rules.md"
